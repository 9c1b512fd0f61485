//! Each staff member changes their own password and renews their own recovery codes, on the
//! security page: with the current password and a code from the authenticator, audited, and
//! nothing changes when either is wrong.

use crate::helpers::*;
use ecoute_domain::Role;
use ecoute_store::Store;

const NEW_PASSWORD: &str = "another long enough password";

async fn post_form(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let r = app
        .http
        .post(app.url(path))
        .header("cookie", cookie)
        .header("origin", &app.origin)
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn change_password(
    app: &TestApp,
    cookie: &str,
    current: &str,
    code: &str,
    new: &str,
    confirm: &str,
) -> (u16, String) {
    post_form(
        app,
        cookie,
        "/console/security/password",
        &[
            ("current", current),
            ("code", code),
            ("new", new),
            ("confirm", confirm),
        ],
    )
    .await
}

async fn is_signed_in(app: &TestApp, cookie: &str) -> bool {
    let r = app
        .http
        .get(app.url("/api/staff/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    r.status() == 200
}

/// Actions in the audit by this login name, oldest first.
async fn audited(app: &TestApp, username: &str) -> Vec<String> {
    let mut records = app.store.audit_page(None, 500).await.unwrap();
    records.reverse();
    records
        .into_iter()
        .filter(|r| r.entry.actor_name.as_deref() == Some(username) && r.entry.actor.is_some())
        .map(|r| r.entry.action)
        .collect()
}

/// Creates an account with an authenticator (its secret kept for [`TestApp::code`]) and ten
/// recovery codes, returned: logins in these tests spend recovery codes rather than the one or
/// two authenticator codes a 30-second step allows.
async fn enrolled(app: &TestApp, username: &str, role: Role) -> Vec<String> {
    app.create_user_with_recovery_codes(username, role).await.1
}

/// Logs in with a recovery code; the session's cookie.
async fn log_in_with(app: &TestApp, username: &str, password: &str, code: &str) -> String {
    let r = app.login_with(username, password, Some(code)).await;
    assert_eq!(r.status(), 200);
    r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// The recovery codes a page shows.
fn shown_codes(page: &str) -> Vec<String> {
    let Some(from) = page.find("id=\"recovery-codes\"") else {
        return Vec::new();
    };
    let list = &page[from..from + page[from..].find("</ul>").unwrap()];
    list.split("<code>")
        .skip(1)
        .map(|s| s[..s.find("</code>").unwrap()].to_string())
        .collect()
}

#[tokio::test]
async fn a_changed_password_works_and_the_old_one_no_longer_does() {
    let app = spawn_app().await;
    let rescue = enrolled(&app, "alice", Role::Officer).await;
    let me = app.log_in_as("alice").await;
    let code = app.code("alice").unwrap();
    let (status, page) = change_password(
        &app,
        &me.cookie,
        PASSWORD,
        &code,
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"security-notice\""));
    let old = app.login_with("alice", PASSWORD, Some(&rescue[0])).await;
    assert_eq!(old.status(), 401);
    log_in_with(&app, "alice", NEW_PASSWORD, &rescue[1]).await;
}

#[tokio::test]
async fn a_wrong_current_password_or_code_changes_nothing() {
    let app = spawn_app().await;
    let rescue = enrolled(&app, "alice", Role::Officer).await;
    let me = app.log_in_as("alice").await;
    let other = log_in_with(&app, "alice", PASSWORD, &rescue[0]).await;
    let wrong_password = "not the password at all";
    let (status, page) = change_password(
        &app,
        &me.cookie,
        wrong_password,
        "123456",
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(status, 400);
    assert!(page.contains("id=\"security-error\""));
    let (status, _) = change_password(
        &app,
        &me.cookie,
        PASSWORD,
        "000000",
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(status, 400);
    // A recovery code is not an authenticator's code here.
    let (status, _) = change_password(
        &app,
        &me.cookie,
        PASSWORD,
        &rescue[1],
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(status, 400);
    // A new password that breaks the rules, or typed differently twice.
    let (status, _) = change_password(&app, &me.cookie, PASSWORD, "123456", "short", "short").await;
    assert_eq!(status, 400);
    // Common, or made of the account's own name: refused with its own message.
    for weak in ["password1234", "alice.alice.alice"] {
        let (status, page) =
            change_password(&app, &me.cookie, PASSWORD, "123456", weak, weak).await;
        assert_eq!(status, 400, "{weak}");
        assert!(
            page.contains("trop courant ou trop facile à deviner"),
            "{weak}: {page}"
        );
    }
    let (status, _) = change_password(
        &app,
        &me.cookie,
        PASSWORD,
        "123456",
        NEW_PASSWORD,
        "another long enough passworD",
    )
    .await;
    assert_eq!(status, 400);

    assert!(is_signed_in(&app, &other).await, "no session ended");
    let new = app
        .login_with("alice", NEW_PASSWORD, Some(&rescue[2]))
        .await;
    assert_eq!(new.status(), 401);
    log_in_with(&app, "alice", PASSWORD, &rescue[3]).await;
    let actions = audited(&app, "alice").await;
    assert!(!actions.iter().any(|a| a == "password_changed"));
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "identity_check_failed")
            .count(),
        3
    );
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_keeps_the_current_one() {
    let app = spawn_app().await;
    let rescue = enrolled(&app, "alice", Role::Officer).await;
    let me = app.log_in_as("alice").await;
    let other = Officer {
        id: me.id.clone(),
        display_name: me.display_name.clone(),
        cookie: log_in_with(&app, "alice", PASSWORD, &rescue[0]).await,
    };
    let (mut socket, _) = app.staff_socket(&other).await;
    let code = app.code("alice").unwrap();
    let (status, page) = change_password(
        &app,
        &me.cookie,
        PASSWORD,
        &code,
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"security-notice\""), "the page says so");
    assert!(
        is_signed_in(&app, &me.cookie).await,
        "the current session stays"
    );
    assert!(
        !is_signed_in(&app, &other.cookie).await,
        "the other one ended"
    );
    let _ = socket.closed().await;
}

#[tokio::test]
async fn an_account_without_an_authenticator_is_sent_to_enrol_first() {
    let app = spawn_app().await;
    app.create_user_without_totp("newbie", Role::Officer).await;
    let r = app.login_with("newbie", PASSWORD, None).await;
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (status, page) = change_password(
        &app,
        &cookie,
        PASSWORD,
        "123456",
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(status, 400);
    assert!(page.contains("href=\"#enrol-title\""));
    let (status, _) = post_form(
        &app,
        &cookie,
        "/console/security/recovery-codes",
        &[("password", PASSWORD), ("code", "123456")],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        app.login_with("newbie", NEW_PASSWORD, None).await.status(),
        401
    );
}

#[tokio::test]
async fn the_forms_need_the_same_origin() {
    let app = spawn_app().await;
    let rescue = enrolled(&app, "alice", Role::Officer).await;
    let me = app.log_in_as("alice").await;
    let code = app.code("alice").unwrap();
    for (path, form) in [
        (
            "/console/security/password",
            vec![
                ("current", PASSWORD),
                ("code", code.as_str()),
                ("new", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        ),
        (
            "/console/security/recovery-codes",
            vec![("password", PASSWORD), ("code", code.as_str())],
        ),
    ] {
        let r = app
            .http
            .post(app.url(path))
            .header("cookie", &me.cookie)
            .header("origin", "https://elsewhere.example")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
    log_in_with(&app, "alice", PASSWORD, &rescue[0]).await;
    log_in_with(&app, "alice", PASSWORD, &rescue[1]).await;
}

#[tokio::test]
async fn renewed_recovery_codes_replace_the_old_ones_and_each_works_once() {
    let app = spawn_app().await;
    let old = enrolled(&app, "alice", Role::Supervisor).await;
    let me = app.log_in_as("alice").await;

    // A wrong code or password renews nothing.
    let (status, page) = post_form(
        &app,
        &me.cookie,
        "/console/security/recovery-codes",
        &[("password", PASSWORD), ("code", "000000")],
    )
    .await;
    assert_eq!(status, 400);
    assert!(shown_codes(&page).is_empty());
    let (status, _) = post_form(
        &app,
        &me.cookie,
        "/console/security/recovery-codes",
        &[("password", "not the password at all"), ("code", "123456")],
    )
    .await;
    assert_eq!(status, 400);
    log_in_with(&app, "alice", PASSWORD, &old[0]).await;

    let code = app.code("alice").unwrap();
    let (status, page) = post_form(
        &app,
        &me.cookie,
        "/console/security/recovery-codes",
        &[("password", PASSWORD), ("code", &code)],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let new = shown_codes(&page);
    assert_eq!(new.len(), 10);
    assert!(page.contains("id=\"security-notice\""));

    assert_eq!(
        app.login_with("alice", PASSWORD, Some(&old[1]))
            .await
            .status(),
        401,
        "an old code no longer logs in"
    );
    log_in_with(&app, "alice", PASSWORD, &new[0]).await;
    assert_eq!(
        app.login_with("alice", PASSWORD, Some(&new[0]))
            .await
            .status(),
        401,
        "each new code works once"
    );
    log_in_with(&app, "alice", PASSWORD, &new[9]).await;
    assert!(is_signed_in(&app, &me.cookie).await);

    // Shown once: the page afterwards lists none.
    let page = app
        .http
        .get(app.url("/console/security"))
        .header("cookie", &me.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(shown_codes(&page).is_empty());
    assert!(page.contains("<strong id=\"recovery-left\">8</strong>"));
}

#[tokio::test]
async fn the_audit_holds_both_changes_with_their_actor() {
    let app = spawn_app().await;
    let rescue = enrolled(&app, "alice", Role::Officer).await;
    let cookie = log_in_with(&app, "alice", PASSWORD, &rescue[0]).await;
    let code = app.code("alice").unwrap();
    let (status, _) =
        change_password(&app, &cookie, PASSWORD, &code, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(status, 200);
    let code = app.code("alice").unwrap();
    let (status, _) = post_form(
        &app,
        &cookie,
        "/console/security/recovery-codes",
        &[("password", NEW_PASSWORD), ("code", &code)],
    )
    .await;
    assert_eq!(status, 200);
    let me = app
        .store
        .user_credentials("alice")
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let records = app.store.audit_page(None, 500).await.unwrap();
    for action in ["password_changed", "recovery_codes_renewed"] {
        let r = records
            .iter()
            .find(|r| r.entry.action == action)
            .unwrap_or_else(|| panic!("{action} is audited"));
        assert_eq!(r.entry.actor, Some(me));
        assert_eq!(r.entry.actor_name.as_deref(), Some("alice"));
    }
}

#[tokio::test]
async fn a_unit_account_changes_its_password_too() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let unit = app.unit_staff("lyon3", "commissariat-lyon-3").await;
    let code = app.code("lyon3").unwrap();
    let (status, page) = change_password(
        &app,
        &unit.cookie,
        PASSWORD,
        &code,
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        audited(&app, "lyon3")
            .await
            .iter()
            .any(|a| a == "password_changed")
    );
    let old = app.login_with("lyon3", PASSWORD, Some("123456")).await;
    assert_eq!(old.status(), 401);
}

#[tokio::test]
async fn past_the_login_failure_limit_a_change_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let rescue = enrolled(&app, "alice", Role::Officer).await;
    let cookie = log_in_with(&app, "alice", PASSWORD, &rescue[0]).await;
    app.record_login_failures("alice", 100).await;
    let code = app.code("alice").unwrap();
    let r = app
        .http
        .post(app.url("/console/security/password"))
        .header("cookie", &cookie)
        .header("origin", &app.origin)
        .form(&[
            ("current", PASSWORD),
            ("code", code.as_str()),
            ("new", NEW_PASSWORD),
            ("confirm", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.unwrap().contains("id=\"security-error\""));
    let (status, page) = post_form(
        &app,
        &cookie,
        "/console/security/recovery-codes",
        &[("password", PASSWORD), ("code", &code)],
    )
    .await;
    assert_eq!(status, 429);
    assert!(shown_codes(&page).is_empty());
    assert!(
        !audited(&app, "alice")
            .await
            .iter()
            .any(|a| a == "password_changed")
    );
}

#[tokio::test]
async fn one_address_checking_too_often_is_slowed_down() {
    let app = spawn_app_with(|c| c.limits.logins_per_source_per_quarter = 3).await;
    let rescue = enrolled(&app, "alice", Role::Officer).await;
    // The login spends one of the three.
    let cookie = log_in_with(&app, "alice", PASSWORD, &rescue[0]).await;
    for _ in 0..2 {
        let (status, _) = change_password(
            &app,
            &cookie,
            "not the password at all",
            "123456",
            NEW_PASSWORD,
            NEW_PASSWORD,
        )
        .await;
        assert_eq!(status, 400);
    }
    let (status, _) = change_password(
        &app,
        &cookie,
        PASSWORD,
        "123456",
        NEW_PASSWORD,
        NEW_PASSWORD,
    )
    .await;
    assert_eq!(status, 429);
}
