//! Account administration (docs/ADMINISTRATION.md): disabling an officer closes their consoles
//! within a second, refuses their login like a wrong password and gives their chats back to
//! the queue with their history; the enrolment link works once; the last administrator stays;
//! every action is audited with its actor, the command line's with its operating-system user;
//! nobody but an administrator reaches these pages.

use crate::helpers::*;
use ecoute_domain::{ConversationId, Role, StateName};
use ecoute_store::Store;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn post_form(
    app: &TestApp,
    cookie: Option<&str>,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let mut request = app
        .http
        .post(app.url(path))
        .header("origin", &app.origin)
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let r = request.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn get_page(app: &TestApp, cookie: Option<&str>, path: &str) -> (u16, String) {
    let mut request = app.http.get(app.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let r = request.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The text of the element with this id (up to its closing tag).
fn element<'p>(page: &'p str, id: &str) -> Option<&'p str> {
    let at = page.find(&format!("id=\"{id}\""))?;
    let start = at + page[at..].find('>')? + 1;
    let end = start + page[start..].find('<')?;
    Some(&page[start..end])
}

/// The value of the hidden input with this name.
fn input_value<'p>(page: &'p str, name: &str) -> Option<&'p str> {
    let at = page.find(&format!("name=\"{name}\" value=\""))?;
    let start = at + format!("name=\"{name}\" value=\"").len();
    let end = start + page[start..].find('"')?;
    Some(&page[start..end])
}

fn user_path(id: &str, action: &str) -> String {
    format!("/console/admin/users/{id}/{action}")
}

/// A visitor whose chat `officer` claims, with one message from each side.
async fn chat_of(app: &TestApp, staff: &mut Ws) -> (Visitor, ConversationId) {
    let visitor = app.start_visitor().await;
    let id = visitor.conversation_id.clone();
    staff
        .send(json!({"type": "claim", "conversation_id": id}))
        .await;
    staff.recv_type("claimed").await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    v.send(json!({"type": "send", "client_id": "v1", "body": "bonjour"}))
        .await;
    v.recv_type("ack").await;
    staff
        .send(json!({"type": "send", "conversation_id": id, "client_id": "o1", "body": "je vous écoute"}))
        .await;
    staff.recv_type("ack").await;
    v.close().await;
    let conversation = ConversationId(uuid::Uuid::parse_str(&id).unwrap());
    (visitor, conversation)
}

/// What a refused login answers: status and body.
async fn refused_login(app: &TestApp, username: &str, password: &str, code: &str) -> (u16, Value) {
    let r = app.login_with(username, password, Some(code)).await;
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_disabled_officers_consoles_close_within_a_second_their_chats_requeue_and_login_is_refused_until_enabled()
 {
    let app = spawn_app().await;
    let admin = app.staff("admin", Role::Admin).await;
    // Recovery codes for the refused attempt: a valid second factor, and the authenticator's
    // codes kept for the login once enabled again.
    let (_, rescue) = app
        .create_user_with_recovery_codes("alice", Role::Officer)
        .await;
    let alice = app.log_in_as("alice").await;
    let (_, bob_rescue) = app
        .create_user_with_recovery_codes("bob", Role::Officer)
        .await;
    let (mut console, _) = app.staff_socket(&alice).await;
    let (mut second, _) = app.staff_socket(&alice).await;
    let (_, active) = chat_of(&app, &mut console).await;
    let (left_visitor, left) = chat_of(&app, &mut console).await;
    let exit = app
        .http
        .post(app.url("/api/visitor/quick-exit"))
        .json(&json!({"token": left_visitor.token}))
        .send()
        .await
        .unwrap();
    assert_eq!(exit.status(), 204);
    let state = app.store.conversation(left).await.unwrap().unwrap().state;
    assert_eq!(state.name(), StateName::VisitorLeft);

    let started = Instant::now();
    let (status, page) = post_form(
        &app,
        Some(&admin.cookie),
        &user_path(&alice.id, "state"),
        &[("action", "disable")],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"admin-notice\""));
    for ws in [&mut console, &mut second] {
        let left = Duration::from_secs(1).saturating_sub(started.elapsed());
        tokio::time::timeout(left, ws.closed())
            .await
            .expect("every console of the disabled officer closes within a second");
    }

    // The session cookie no longer opens anything.
    let me = app
        .http
        .get(app.url("/api/staff/me"))
        .header("cookie", &alice.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
    // Refused with the same answer as a wrong password.
    let disabled = refused_login(&app, "alice", PASSWORD, &rescue[0]).await;
    let wrong = refused_login(&app, "bob", "not bob's password at all", &bob_rescue[0]).await;
    assert_eq!(disabled.0, 401);
    assert_eq!(disabled, wrong);

    // Both chats, the active one and the one the visitor left, wait again with their history.
    for id in [active, left] {
        let c = app.store.conversation(id).await.unwrap().unwrap();
        assert_eq!(
            c.state.name(),
            StateName::Waiting,
            "{id} is back in the queue"
        );
        let history = app.store.messages_after(id, 0, 10).await.unwrap();
        assert_eq!(history.len(), 2, "the history stays");
    }

    let (status, page) = post_form(
        &app,
        Some(&admin.cookie),
        &user_path(&alice.id, "state"),
        &[("action", "enable")],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let again = app.log_in_as("alice").await;
    let (_, welcome) = app.staff_socket(&again).await;
    assert_eq!(welcome["type"], "welcome");
}

/// Creates an account from the new-account form; the link shown once.
async fn create_from_form(app: &TestApp, admin: &Officer, username: &str) -> String {
    let (status, page) = post_form(
        app,
        Some(&admin.cookie),
        "/console/admin/new",
        &[
            ("username", username),
            ("display_name", "Agent Martin"),
            ("role", "officer"),
            ("unit", ""),
            ("force", "police"),
            ("minors", "on"),
            ("languages", "fr,en"),
            ("capacity", "2"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let url = element(&page, "account-link-url")
        .expect("the link is shown")
        .to_string();
    assert!(
        url.starts_with(&format!("{}/account-link?t=", app.origin)),
        "{url}"
    );
    url.replace("&amp;", "&")
}

#[tokio::test]
async fn the_enrolment_link_sets_the_password_and_the_authenticator_once() {
    let app = spawn_app().await;
    let admin = app.staff("admin", Role::Admin).await;
    let url = create_from_form(&app, &admin, "martin").await;
    let creds = app.store.user_credentials("martin").await.unwrap().unwrap();
    assert_eq!(creds.user.capacity, 2);
    assert!(creds.user.skills.minors);
    assert!(!creds.user.totp_enrolled);
    // Nobody knows the password before the person chooses it.
    assert_eq!(app.login_with("martin", PASSWORD, None).await.status(), 401);

    let page = app.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let secret = shown_totp_key(&page);
    let token = input_value(&page, "t").unwrap().to_string();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
    let code = secret.code_at(now);
    let chosen = "martin's own long password";

    // A mismatch is refused and spends nothing.
    let (status, refused) = post_form(
        &app,
        None,
        "/account-link",
        &[
            ("t", &token),
            ("password", chosen),
            ("confirm", "something else entirely"),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert!(refused.contains("id=\"link-error\""));

    let form = [
        ("t", token.as_str()),
        ("password", chosen),
        ("confirm", chosen),
        ("code", code.as_str()),
    ];
    let (status, done) = post_form(&app, None, "/account-link", &form).await;
    assert_eq!(status, 200, "{done}");
    assert!(done.contains("id=\"link-done\""));
    assert_eq!(
        done.matches("<li><code>").count(),
        10,
        "ten recovery codes, once"
    );

    // The link is spent: the same form and the same URL open nothing.
    let (status, again) = post_form(&app, None, "/account-link", &form).await;
    assert_eq!(status, 410);
    assert!(again.contains("id=\"link-invalid\""));
    assert_eq!(app.http.get(&url).send().await.unwrap().status(), 410);

    // The person logs in with what they chose (the next step's code: the one typed is spent).
    let next = format!("{:06}", secret.code_at_step(now / 30 + 1));
    let r = app.login_with("martin", chosen, Some(&next)).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn the_new_account_form_requires_a_display_name_chosen_on_purpose() {
    let app = spawn_app().await;
    let admin = app.staff("admin", Role::Admin).await;
    let (status, page) = post_form(
        &app,
        Some(&admin.cookie),
        "/console/admin/new",
        &[
            ("username", "j.martin"),
            ("display_name", "  "),
            ("role", "officer"),
            ("unit", ""),
            ("force", "police"),
            ("languages", "fr"),
            ("capacity", "2"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{page}");
    let said = element(&page, "admin-error").expect("the refusal is said");
    assert!(said.contains("Choisissez le nom que liront"), "{said}");
    assert!(
        page.contains("value=\"j.martin\""),
        "the form keeps what was typed"
    );
    assert!(
        app.store
            .user_credentials("j.martin")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn an_enrolment_or_reset_link_refuses_a_common_password_with_the_pages_message() {
    let app = spawn_app().await;
    let admin = app.staff("admin", Role::Admin).await;
    let (id, rescue) = app
        .create_user_with_recovery_codes("alice", Role::Officer)
        .await;
    let (_, page) = post_form(
        &app,
        Some(&admin.cookie),
        &user_path(&id.to_string(), "link"),
        &[("purpose", "reset_password")],
    )
    .await;
    let url = element(&page, "account-link-url")
        .unwrap()
        .replace("&amp;", "&");
    let page = app
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = input_value(&page, "t").unwrap().to_string();
    for weak in ["password1234", "azertyuiop12"] {
        let (status, refused) = post_form(
            &app,
            None,
            "/account-link",
            &[("t", &token), ("password", weak), ("confirm", weak)],
        )
        .await;
        assert_eq!(status, 400, "{weak}");
        let said = element(&refused, "link-error").expect("the refusal is said");
        assert!(
            said.contains("trop courant ou trop facile à deviner"),
            "{said}"
        );
    }
    // Nothing changed: the old password works, the link still does.
    assert_eq!(
        app.login_with("alice", PASSWORD, Some(&rescue[0]))
            .await
            .status(),
        200
    );
    assert_eq!(app.http.get(&url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_reset_link_replaces_the_password_only_when_used() {
    let app = spawn_app().await;
    let admin = app.staff("admin", Role::Admin).await;
    let (id, rescue) = app
        .create_user_with_recovery_codes("alice", Role::Officer)
        .await;
    let (status, page) = post_form(
        &app,
        Some(&admin.cookie),
        &user_path(&id.to_string(), "link"),
        &[("purpose", "reset_password")],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let url = element(&page, "account-link-url")
        .unwrap()
        .replace("&amp;", "&");
    // Until the link is used, the old password works.
    assert_eq!(
        app.login_with("alice", PASSWORD, Some(&rescue[0]))
            .await
            .status(),
        200
    );
    let page = app
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("id=\"totp-secret\""),
        "a password reset enrols nothing"
    );
    let token = input_value(&page, "t").unwrap().to_string();
    let new = "a brand new long password";
    let (status, done) = post_form(
        &app,
        None,
        "/account-link",
        &[("t", &token), ("password", new), ("confirm", new)],
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        app.login_with("alice", PASSWORD, Some(&rescue[1]))
            .await
            .status(),
        401
    );
    assert_eq!(
        app.login_with("alice", new, Some(&rescue[2]))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn an_expired_or_unknown_link_shows_a_clear_page() {
    let app = spawn_app().await;
    let (status, page) = get_page(&app, None, "/account-link?t=no-such-token").await;
    assert_eq!(status, 410);
    assert!(page.contains("id=\"link-invalid\""));
    let (status, _) = get_page(&app, None, "/account-link").await;
    assert_eq!(status, 410);
}

#[tokio::test]
async fn the_last_administrator_can_be_neither_disabled_nor_demoted_from_the_pages() {
    let app = spawn_app().await;
    let admin = app.staff("admin", Role::Admin).await;
    let (status, page) = post_form(
        &app,
        Some(&admin.cookie),
        &user_path(&admin.id, "state"),
        &[("action", "disable")],
    )
    .await;
    assert_eq!(status, 409);
    assert!(page.contains("id=\"admin-error\""));
    let (status, _) = post_form(
        &app,
        Some(&admin.cookie),
        &user_path(&admin.id, "role"),
        &[("role", "officer")],
    )
    .await;
    assert_eq!(status, 409);
    let me = app.store.user_credentials("admin").await.unwrap().unwrap();
    assert_eq!(me.user.role, Role::Admin);
    assert!(!me.disabled);
}

#[tokio::test]
async fn every_administration_action_is_audited_with_the_acting_administrator() {
    let app = spawn_app().await;
    let admin = app.staff("admin", Role::Admin).await;
    let alice = app.officer("alice").await;
    let path = |a: &str| user_path(&alice.id, a);
    let steps: [(String, Vec<(&str, &str)>); 6] = [
        (path("role"), vec![("role", "supervisor")]),
        (path("name"), vec![("display_name", "Agent Durand")]),
        (
            path("skills"),
            vec![
                ("force", "gendarmerie"),
                ("languages", "fr,es"),
                ("capacity", "4"),
            ],
        ),
        (path("link"), vec![("purpose", "reset_totp")]),
        (path("state"), vec![("action", "disable")]),
        (path("state"), vec![("action", "enable")]),
    ];
    for (p, form) in &steps {
        let (status, page) = post_form(&app, Some(&admin.cookie), p, form).await;
        assert_eq!(status, 200, "{p}: {page}");
    }
    create_from_form(&app, &admin, "martin").await;
    let records = app.store.audit_page(None, 500).await.unwrap();
    for action in [
        "role_changed",
        "display_name_changed",
        "skills_changed",
        "capacity_changed",
        "account_link_created",
        "account_disabled",
        "account_enabled",
        "user_created",
    ] {
        let found = records
            .iter()
            .find(|r| r.entry.action == action && r.entry.actor_name.as_deref() == Some("admin"))
            .unwrap_or_else(|| panic!("{action} is audited by the administrator"));
        assert_eq!(
            found.entry.actor.map(|a| a.to_string()),
            Some(admin.id.clone())
        );
    }
    let account = app.store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(account.user.role, Role::Supervisor);
    assert_eq!(account.user.display_name, "Agent Durand");
    assert_eq!(account.user.capacity, 4);
}

#[tokio::test]
async fn an_officer_a_supervisor_and_a_unit_account_reach_no_administration_page_or_form() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let admin = app.staff("admin", Role::Admin).await;
    let others = [
        app.officer("alice").await,
        app.staff("sophie", Role::Supervisor).await,
        app.unit_staff("lyon", "commissariat-lyon-3").await,
    ];
    let target = user_path(&admin.id, "");
    let target = target.trim_end_matches('/');
    for who in &others {
        for page in ["/console/admin", "/console/admin/new", target] {
            let (status, _) = get_page(&app, Some(&who.cookie), page).await;
            assert_eq!(status, 403, "{page} for {}", who.display_name);
        }
        let forms: [(String, Vec<(&str, &str)>); 7] = [
            (
                "/console/admin/new".into(),
                vec![("username", "intruder"), ("role", "admin")],
            ),
            (user_path(&admin.id, "state"), vec![("action", "disable")]),
            (user_path(&admin.id, "role"), vec![("role", "officer")]),
            (user_path(&admin.id, "name"), vec![("display_name", "x")]),
            (user_path(&admin.id, "skills"), vec![("capacity", "1")]),
            (
                user_path(&admin.id, "link"),
                vec![("purpose", "reset_password")],
            ),
            (user_path(&admin.id, "sessions/end"), vec![("session", "x")]),
        ];
        for (path, form) in &forms {
            let (status, _) = post_form(&app, Some(&who.cookie), path, form).await;
            assert_eq!(status, 403, "{path} for {}", who.display_name);
        }
    }
    assert!(
        app.store
            .user_credentials("intruder")
            .await
            .unwrap()
            .is_none()
    );
    let me = app.store.user_credentials("admin").await.unwrap().unwrap();
    assert!(!me.disabled);
    // Nobody logged in is sent to the login page.
    let r = app
        .http
        .get(app.url("/console/admin"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    // And a form from another site is refused even with an administrator's cookie.
    let r = app
        .http
        .post(app.url(&user_path(&others[0].id, "state")))
        .header("cookie", &admin.cookie)
        .header("origin", "https://elsewhere.example")
        .form(&[("action", "disable")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        !app.store
            .user_credentials("alice")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
}

#[tokio::test]
async fn an_administrator_ends_any_session_of_any_account() {
    let app = spawn_app().await;
    let admin = app.staff("admin", Role::Admin).await;
    let alice = app.officer("alice").await;
    let (mut console, _) = app.staff_socket(&alice).await;
    let id = ecoute_domain::UserId(uuid::Uuid::parse_str(&alice.id).unwrap());
    let session = app.store.sessions_of(id).await.unwrap().remove(0);
    let (status, page) = post_form(
        &app,
        Some(&admin.cookie),
        &user_path(&alice.id, "sessions/end"),
        &[("session", &session.id)],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    tokio::time::timeout(Duration::from_secs(1), console.closed())
        .await
        .expect("the ended session's console closes");
    assert!(app.store.sessions_of(id).await.unwrap().is_empty());
    let audit = app.store.audit_page(None, 1).await.unwrap().remove(0);
    assert_eq!(audit.entry.action, "session_ended");
    assert_eq!(audit.entry.actor_name.as_deref(), Some("admin"));
}

#[tokio::test]
async fn command_line_account_actions_follow_the_same_rules_audited_with_the_system_user() {
    let app = spawn_app().await;
    app.create_user("admin", Role::Admin).await;
    let alice = app.officer("alice").await;
    let (mut console, _) = app.staff_socket(&alice).await;
    let dir = app.data_dir.path();
    let env = [("USER", "opsalice"), ("SUDO_USER", "")];

    let list = ecoute_in(dir, &["user", "list"], &env).await;
    assert!(list.success, "{}", list.stderr);
    assert!(list.stdout.contains("alice") && list.stdout.contains("enabled"));

    let started = Instant::now();
    let disable = ecoute_in(dir, &["user", "disable", "alice"], &env).await;
    assert!(disable.success, "{}", disable.stderr);
    // The server hears nothing from the command: the console sees its session gone at its
    // next check, within a second of the command's end.
    tokio::time::timeout(Duration::from_secs(2), console.closed())
        .await
        .expect("the console of an account disabled from the command line closes");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(app.login_with("alice", PASSWORD, None).await.status(), 401);

    let last = ecoute_in(dir, &["user", "disable", "admin"], &env).await;
    assert!(!last.success);
    assert!(
        last.stderr.contains("last enabled administrator"),
        "{}",
        last.stderr
    );
    let demote = ecoute_in(dir, &["user", "set", "admin", "--role", "officer"], &env).await;
    assert!(!demote.success);

    for args in [
        &["user", "enable", "alice"][..],
        &[
            "user",
            "set",
            "alice",
            "--role",
            "supervisor",
            "--display-name",
            "Agent Roux",
        ][..],
        &["user", "set", "--username", "alice", "--capacity", "5"][..],
    ] {
        let ran = ecoute_in(dir, args, &env).await;
        assert!(ran.success, "{args:?}: {}", ran.stderr);
    }
    let link = ecoute_in(
        dir,
        &["user", "link", "alice", "--purpose", "password"],
        &env,
    )
    .await;
    assert!(link.success, "{}", link.stderr);
    assert!(
        link.stdout.trim().contains("/account-link?t="),
        "{}",
        link.stdout
    );
    let url = link.stdout.trim().to_string();
    let page = app
        .http
        .get(url.replace(url.split("/account-link").next().unwrap(), &app.origin));
    assert_eq!(page.send().await.unwrap().status(), 200);

    let account = app.store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(account.user.role, Role::Supervisor);
    assert_eq!(account.user.display_name, "Agent Roux");
    assert_eq!(account.user.capacity, 5);
    assert_eq!(app.log_in_as("alice").await.display_name, "Agent Roux");

    let records = app.store.audit_page(None, 500).await.unwrap();
    for action in [
        "account_disabled",
        "account_enabled",
        "role_changed",
        "display_name_changed",
        "capacity_changed",
        "account_link_created",
    ] {
        let r = records
            .iter()
            .find(|r| r.entry.action == action)
            .unwrap_or_else(|| panic!("{action} is audited"));
        let name = r.entry.actor_name.as_deref().unwrap_or_default();
        assert!(
            name.starts_with("os:uid ") && name.contains("opsalice"),
            "{action} by {name:?}"
        );
        assert_eq!(r.entry.actor, None);
    }
}
