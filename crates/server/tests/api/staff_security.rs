//! Staff accounts resist guessing; roles and sessions hold; every staff access leaves a trace.

use crate::helpers::*;
use ecoute_domain::Role;
use ecoute_store::Store;
use serde_json::{Value, json};

#[tokio::test]
async fn the_101st_failure_within_the_hour_is_refused_even_with_the_right_password() {
    let app = spawn_app().await;
    app.create_user("alice", Role::Officer).await;
    // A hundred failures, as a guesser would leave them.
    for name in ["alice", "nobody"] {
        app.record_login_failures(name, 100).await;
    }
    let known = app.login("alice", PASSWORD).await;
    let unknown = app.login("nobody", PASSWORD).await;
    for r in [&known, &unknown] {
        assert_eq!(r.status(), 429);
        let retry: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((3000..=3600).contains(&retry), "retry after {retry}s");
    }
    let a: Value = known.json().await.unwrap();
    let b: Value = unknown.json().await.unwrap();
    assert_eq!(a, b, "known and unknown usernames answer alike");
    assert_eq!(a["error"], "too_many_attempts");
}

#[tokio::test]
async fn failures_are_counted_and_a_99th_still_lets_the_right_password_in() {
    let app = spawn_app().await;
    app.create_user("alice", Role::Officer).await;
    let now = time::OffsetDateTime::now_utc();
    app.record_login_failures("alice", 98).await;
    assert_eq!(app.login("alice", "wrong password!!").await.status(), 401);
    assert_eq!(app.login("alice", PASSWORD).await.status(), 200);
    let (n, _) = app
        .store
        .login_failures_since("alice", now - time::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(n, 99);
}

#[tokio::test]
async fn one_address_making_too_many_attempts_is_slowed_down() {
    let app = spawn_app_with(|c| c.limits.logins_per_source_per_quarter = 3).await;
    for _ in 0..3 {
        assert_eq!(app.login("nobody", "whatever password").await.status(), 401);
    }
    let r = app.login("nobody", "whatever password").await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn an_enrolled_account_needs_a_fresh_code_and_a_used_code_is_refused() {
    let app = spawn_app().await;
    app.create_user("alice", Role::Officer).await;
    assert_eq!(app.login_with("alice", PASSWORD, None).await.status(), 401);
    assert_eq!(
        app.login_with("alice", PASSWORD, Some("000000"))
            .await
            .status(),
        401
    );
    let code = app.code("alice").unwrap();
    assert_eq!(
        app.login_with("alice", PASSWORD, Some(&code))
            .await
            .status(),
        200
    );
    let replay = app.login_with("alice", PASSWORD, Some(&code)).await;
    assert_eq!(replay.status(), 401, "a code works once");
    let body: Value = replay.json().await.unwrap();
    assert_eq!(body["error"], "invalid_credentials");
}

#[tokio::test]
async fn a_recovery_code_replaces_the_authenticator_once() {
    let app = spawn_app().await;
    let (id, codes) = app
        .create_user_with_recovery_codes("alice", Role::Officer)
        .await;
    let typed = codes[3].to_lowercase();
    assert_eq!(
        app.login_with("alice", PASSWORD, Some(&typed))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.login_with("alice", PASSWORD, Some(&typed))
            .await
            .status(),
        401
    );
    assert_eq!(app.store.recovery_codes_left(id).await.unwrap(), 9);
}

#[tokio::test]
async fn an_account_without_an_authenticator_may_only_enrol_one() {
    let app = spawn_app().await;
    app.create_user_without_totp("newbie", Role::Officer).await;
    let r = app.login_with("newbie", PASSWORD, None).await;
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["totp_enrolled"], false);
    let socket = app
        .try_ws("/ws/staff", Some(&cookie), Some(&app.origin))
        .await;
    assert!(
        matches!(socket, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 403)
    );
    let console = app
        .http
        .get(app.url("/console"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(console.headers()["location"], "/console/security");
    let page = app
        .http
        .get(app.url("/console/security"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<svg"), "a QR code is shown");
    assert!(html.contains("id=\"totp-secret\""));
}

#[tokio::test]
async fn officers_cannot_reach_supervisor_routes_and_supervisors_can() {
    let app = spawn_app().await;
    let officer = app.officer("olivier").await;
    app.create_user("sophie", Role::Supervisor).await;
    let r = app.login("sophie", PASSWORD).await;
    let supervisor = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    for (cookie, status) in [(&officer.cookie, 403), (&supervisor, 200)] {
        let api = app
            .http
            .get(app.url("/api/staff/audit"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), status);
        let page = app
            .http
            .get(app.url("/console/audit"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), status);
    }
    let anonymous = app
        .http
        .get(app.url("/api/staff/audit"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn a_user_sees_and_ends_their_own_sessions_but_not_anyone_elses() {
    let app = spawn_app().await;
    let alice = app.officer("alice").await;
    let r = app.login("alice", PASSWORD).await;
    let other_tab = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let bob = app.officer("bob").await;
    let (mut other_socket, _) = app
        .staff_socket(&Officer {
            cookie: other_tab.clone(),
            ..alice_clone(&alice)
        })
        .await;

    let list: Vec<Value> = app
        .http
        .get(app.url("/api/staff/sessions"))
        .header("cookie", &alice.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    let other = list.iter().find(|s| s["current"] == false).unwrap();
    let other_id = other["id"].as_str().unwrap();

    // Bob cannot end Alice's session: it does not exist for him.
    let r = app
        .http
        .delete(app.url(&format!("/api/staff/sessions/{other_id}")))
        .header("cookie", &bob.cookie)
        .header("origin", &app.origin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Alice ends it, and its socket closes at once.
    let r = app
        .http
        .delete(app.url(&format!("/api/staff/sessions/{other_id}")))
        .header("cookie", &alice.cookie)
        .header("origin", &app.origin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(other_socket.closed().await, Some(1008));
    let me = app
        .http
        .get(app.url("/api/staff/me"))
        .header("cookie", &other_tab)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
    // Ending it is in the audit log, as hers.
    let audit = app.store.audit_after(0, 100).await.unwrap();
    assert!(audit.iter().any(|r| {
        r.entry.action == "session_ended" && r.entry.actor_name.as_deref() == Some("alice")
    }));
}

fn alice_clone(o: &Officer) -> Officer {
    Officer {
        id: o.id.clone(),
        display_name: o.display_name.clone(),
        cookie: o.cookie.clone(),
    }
}

#[tokio::test]
async fn every_staff_access_to_a_conversation_is_in_the_audit_log_without_content() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("martin").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    o.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    o.recv_type("claimed").await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    v.send(json!({"type": "send", "client_id": "c", "body": "AUDIT-CANARY"}))
        .await;
    v.recv_type("ack").await;
    o.send(json!({"type": "sync", "conversation_id": visitor.conversation_id, "after_seq": 0}))
        .await;
    o.recv_type("message").await;
    o.send(json!({"type": "close", "conversation_id": visitor.conversation_id, "outcome": "referred_to_support"})).await;
    o.recv_type("chat_closed").await;
    let _ = app.login("martin", "a wrong password").await;

    let all = app.store.audit_after(0, 100).await.unwrap();
    let about_chat: Vec<_> = all
        .iter()
        .filter(|r| {
            r.entry.conversation.map(|c| c.to_string()) == Some(visitor.conversation_id.clone())
        })
        .map(|r| (r.entry.action.as_str(), r.entry.actor_name.as_deref()))
        .collect();
    assert_eq!(
        about_chat,
        vec![
            ("claim", Some("martin")),
            ("read", Some("martin")),
            ("close", Some("martin"))
        ]
    );
    let actions: Vec<_> = all.iter().map(|r| r.entry.action.as_str()).collect();
    assert!(actions.contains(&"login"));
    assert!(actions.contains(&"login_failed"));
    for r in &all {
        let text = format!("{:?}", r.entry);
        assert!(!text.contains("AUDIT-CANARY"));
        assert!(!text.contains("127.0.0.1"));
    }
}

fn ecoute(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ecoute"))
        .args(args)
        .env_remove("ECOUTE_DATA_DIR")
        .output()
        .unwrap()
}

#[tokio::test]
async fn audit_verify_names_the_edited_the_removed_and_the_truncated_entry() {
    let app = spawn_app().await;
    for name in ["a1", "a2", "a3", "a4", "a5"] {
        app.create_user(name, Role::Officer).await;
    }
    let dir = app.data_dir.path().to_str().unwrap().to_string();
    let ok = ecoute(&["audit", "verify", "--data-dir", &dir]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = String::from_utf8_lossy(&ok.stdout).to_string();
    // The dossier signing key made, the shipped force table and the sample directory loaded on
    // the first start, then five accounts with two entries each.
    assert!(out.contains("intact: 13 entries"), "{out}");
    let head = out
        .lines()
        .find_map(|l| l.strip_prefix("head "))
        .unwrap()
        .to_string();

    // Someone with the database file removes the last two entries: only the head kept
    // elsewhere can tell.
    let db = sqlx_sqlite(&app).await;
    sqlx_exec(&db, "DELETE FROM audit_log WHERE seq >= 12").await;
    let plain = ecoute(&["audit", "verify", "--data-dir", &dir]);
    assert!(plain.status.success());
    let truncated = ecoute(&[
        "audit",
        "verify",
        "--data-dir",
        &dir,
        "--expect-head",
        &head,
    ]);
    assert!(!truncated.status.success());
    assert!(String::from_utf8_lossy(&truncated.stderr).contains("entry 13"));

    // An edited entry.
    sqlx_exec(
        &db,
        "UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 4",
    )
    .await;
    let edited = ecoute(&["audit", "verify", "--data-dir", &dir]);
    assert!(!edited.status.success());
    let err = String::from_utf8_lossy(&edited.stderr).to_string();
    assert!(err.contains("entry 4") && err.contains("edited"), "{err}");

    // A removed entry, before the edited one.
    sqlx_exec(&db, "DELETE FROM audit_log WHERE seq = 2").await;
    let removed = ecoute(&["audit", "verify", "--data-dir", &dir]);
    let err = String::from_utf8_lossy(&removed.stderr).to_string();
    assert!(err.contains("entry 2") && err.contains("missing"), "{err}");
}

async fn sqlx_sqlite(app: &TestApp) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        app.data_dir.path().join("ecoute.db").display()
    ))
    .await
    .unwrap()
}

async fn sqlx_exec(db: &sqlx::SqlitePool, sql: &str) {
    sqlx::query(sql).execute(db).await.unwrap();
}

#[tokio::test]
async fn enrolling_an_authenticator_ends_the_accounts_other_password_only_sessions() {
    let app = spawn_app().await;
    app.create_user_without_totp("newbie", Role::Officer).await;
    let cookie_of = |r: &reqwest::Response| {
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    // Someone who learnt the first password logs in too, before the officer enrols.
    let intruder = cookie_of(&app.login_with("newbie", PASSWORD, None).await);
    let officer = cookie_of(&app.login_with("newbie", PASSWORD, None).await);

    let page = app
        .http
        .get(app.url("/console/security"))
        .header("cookie", &officer)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let secret = shown_totp_key(&page);
    let code = secret.code_at(time::OffsetDateTime::now_utc().unix_timestamp() as u64);
    let enrolled = app
        .http
        .post(app.url("/console/security/totp"))
        .header("cookie", &officer)
        .header("origin", &app.origin)
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status(), 200);
    assert!(enrolled.text().await.unwrap().contains("recovery-codes"));

    let me = |cookie: String| {
        let app = &app;
        async move {
            app.http
                .get(app.url("/api/staff/me"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        me(intruder.clone()).await.status(),
        401,
        "the other session is gone"
    );
    let mine: Value = me(officer).await.json().await.unwrap();
    assert_eq!(mine["totp_enrolled"], true);
    let socket = app
        .try_ws("/ws/staff", Some(&intruder), Some(&app.origin))
        .await;
    assert!(socket.is_err());
}

/// The session cookie a login answer sets.
fn session_of(r: &reqwest::Response) -> String {
    r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn security_page(app: &TestApp, cookie: &str) -> (u16, String) {
    let r = app
        .http
        .get(app.url("/console/security"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn enrol_with(app: &TestApp, cookie: &str, code: &str) -> (u16, String) {
    let r = app
        .http
        .post(app.url("/console/security/totp"))
        .header("cookie", cookie)
        .header("origin", &app.origin)
        .form(&[("code", code)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_enrolment_key_stays_the_same_across_reloads_logins_and_wrong_codes_until_enrolled() {
    let app = spawn_app().await;
    let id = app.create_user_without_totp("newbie", Role::Officer).await;
    let first = session_of(&app.login_with("newbie", PASSWORD, None).await);
    let (_, page) = security_page(&app, &first).await;
    let key = shown_totp_key(&page);
    assert!(!page.contains("id=\"key-replaced\""));
    // A reload, a wrong code, a second login: the same key each time.
    let (_, again) = security_page(&app, &first).await;
    assert_eq!(shown_totp_key(&again), key);
    let (status, refused) = enrol_with(&app, &first, "000000").await;
    assert_eq!(status, 400);
    assert_eq!(
        shown_totp_key(&refused),
        key,
        "a refusal shows the same key"
    );
    let second = session_of(&app.login_with("newbie", PASSWORD, None).await);
    let (_, other) = security_page(&app, &second).await;
    assert_eq!(
        shown_totp_key(&other),
        key,
        "another login shows the same key"
    );
    // A code from the key noted at first enrols it, from either session.
    let code = key.code_at(time::OffsetDateTime::now_utc().unix_timestamp() as u64);
    let (status, done) = enrol_with(&app, &second, &code).await;
    assert_eq!(status, 200, "{done}");
    assert!(done.contains("id=\"recovery-codes\""));
    assert_eq!(
        app.store.pending_totp(id).await.unwrap(),
        None,
        "nothing waits any more"
    );
}

#[tokio::test]
async fn an_expired_enrolment_key_is_replaced_and_the_page_says_to_delete_the_old_entry() {
    let app = spawn_app().await;
    let id = app.create_user_without_totp("newbie", Role::Officer).await;
    let cookie = session_of(&app.login_with("newbie", PASSWORD, None).await);
    let (_, page) = security_page(&app, &cookie).await;
    let old = shown_totp_key(&page);
    // A day later: the key offered has expired.
    let stored = app.store.pending_totp(id).await.unwrap().unwrap();
    app.store.clear_pending_totp(id).await.unwrap();
    let day = time::Duration::hours(25);
    app.store
        .offer_pending_totp(
            id,
            ecoute_store::PendingTotp {
                issued_at: stored.issued_at - day,
                expires_at: stored.expires_at - day,
                ..stored
            },
        )
        .await
        .unwrap();
    // A code from it is refused, and the page gives a new key with the notice.
    let code = old.code_at(time::OffsetDateTime::now_utc().unix_timestamp() as u64);
    let (status, refused) = enrol_with(&app, &cookie, &code).await;
    assert_eq!(status, 400);
    let new = shown_totp_key(&refused);
    assert_ne!(new, old);
    assert!(refused.contains("id=\"key-replaced\""), "{refused}");
    assert!(refused.contains("supprimez-la"));
    // The new key then stays, without the notice.
    let (_, page) = security_page(&app, &cookie).await;
    assert_eq!(shown_totp_key(&page), new);
    assert!(!page.contains("id=\"key-replaced\""));
}
