//! The first administrator, and the command line that scripts rely on.

use crate::helpers::*;
use ecoute_domain::Role;
use ecoute_store::Store;
use std::io::Write;
use std::process::{Command, Stdio};

/// Posts the setup form with these fields, in French.
async fn setup_form(app: &TestApp, fields: &[(&str, &str)]) -> (u16, String) {
    let r = app
        .http
        .post(app.url("/setup"))
        .header("origin", &app.origin)
        .header("accept-language", "fr")
        .form(fields)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_setup_link_creates_the_first_administrator_once() {
    let app = spawn_app().await;
    let link = app
        .setup_link
        .clone()
        .expect("no account yet, so a setup link");
    let code = link.split_once("/setup#").unwrap().1.to_string();
    let form = |code: &str, username: &str| {
        app.http
            .post(app.url("/setup"))
            .header("origin", &app.origin)
            .form(&[
                ("setup_code", code),
                ("username", username),
                ("display_name", "Admin"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ])
            .send()
    };
    let wrong = form("not-the-code", "root").await.unwrap();
    assert_eq!(wrong.status(), 400);
    let ok = form(&code, "root").await.unwrap();
    assert_eq!(ok.status(), 200);
    // Used: the page says the setup is done, with no form to fill in again.
    let again = form(&code, "root2").await.unwrap();
    assert_eq!(again.status(), 410);
    assert!(
        !again
            .text()
            .await
            .unwrap()
            .contains("<form method=\"post\" action=\"/setup\"")
    );
    let r = app.login("root", PASSWORD).await;
    assert_eq!(r.status(), 200);
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["role"], "admin");
}

#[tokio::test]
async fn a_used_setup_link_says_at_once_that_setup_is_done_and_how_to_get_a_new_link() {
    let app = spawn_app().await;
    let fresh = app
        .http
        .get(app.url("/setup"))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        fresh.contains("action=\"/setup\""),
        "no account yet: the form"
    );
    app.create_user("root", Role::Admin).await;
    let page = app
        .http
        .get(app.url("/setup"))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("id=\"setup-used\""), "{page}");
    assert!(page.contains("L’installation est déjà faite"), "{page}");
    assert!(page.contains("nouveau lien"), "{page}");
    assert!(
        !page.contains("action=\"/setup\""),
        "no form to fill in for nothing"
    );
}

#[tokio::test]
async fn a_refused_setup_form_keeps_the_code_and_every_field_but_the_passwords() {
    let app = spawn_app().await;
    let code = app.setup_link.clone().unwrap();
    let code = code.split_once("/setup#").unwrap().1.to_string();
    let (status, page) = setup_form(
        &app,
        &[
            ("setup_code", &code),
            ("username", "c.durand"),
            ("display_name", "Claire Durand"),
            ("password", "a long enough password"),
            ("password_confirm", "another long password"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert!(page.contains("Les deux mots de passe sont différents."));
    assert!(
        page.contains(&format!("value=\"{code}\"")),
        "the code is kept"
    );
    assert!(page.contains("value=\"c.durand\""));
    assert!(page.contains("value=\"Claire Durand\""));
    assert!(!page.contains("a long enough password"));
    assert!(!page.contains("another long password"));
    // Sent again with matching passwords, the kept code works.
    let (status, _) = setup_form(
        &app,
        &[
            ("setup_code", &code),
            ("username", "c.durand"),
            ("display_name", "Claire Durand"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn setup_refuses_a_common_password_and_a_short_one_with_the_pages_own_message() {
    let app = spawn_app().await;
    let code = app.setup_link.clone().unwrap();
    let code = code.split_once("/setup#").unwrap().1.to_string();
    for (password, message) in [
        ("password1234", "trop courant ou trop facile à deviner"),
        ("c.durand2026", "trop courant ou trop facile à deviner"),
        ("court", "Le mot de passe fait de 12 à 128 caractères."),
    ] {
        let (status, page) = setup_form(
            &app,
            &[
                ("setup_code", &code),
                ("username", "c.durand"),
                ("display_name", "Claire Durand"),
                ("password", password),
                ("password_confirm", password),
            ],
        )
        .await;
        assert_eq!(status, 400, "{password}");
        assert!(page.contains(message), "{password}: {page}");
        // The browser does not stop the form with its own bubble, in its own language.
        assert!(page.contains("novalidate"));
    }
    assert_eq!(app.store.count_users().await.unwrap(), 0);
}

fn ecoute(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecoute"))
        .args(args)
        .env_remove("ECOUTE_DATA_DIR")
        .env_remove("ECOUTE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ecoute binary runs");
    // The command may refuse its arguments and exit before reading: a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin_and_the_account_can_log_in() {
    let app = spawn_app().await;
    let dir = app.data_dir.path().to_str().unwrap().to_string();
    let out = ecoute(
        &[
            "user",
            "add",
            "--data-dir",
            &dir,
            "--username",
            "j.martin",
            "--role",
            "officer",
            "--display-name",
            "Agent Martin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("j.martin"));
    let r = app.login("j.martin", PASSWORD).await;
    assert_eq!(r.status(), 200);
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["display_name"], "Agent Martin");

    let taken = ecoute(
        &[
            "user",
            "add",
            "--data-dir",
            &dir,
            "--username",
            "j.martin",
            "--role",
            "officer",
            "--display-name",
            "Agent Martin",
        ],
        PASSWORD,
    );
    assert!(!taken.status.success());
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already taken"));
}

#[test]
fn user_add_refuses_bad_input_a_guessable_password_and_a_missing_display_name_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().to_str().unwrap();
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &[
                "--username",
                "x",
                "--role",
                "officer",
                "--display-name",
                "X",
            ],
            PASSWORD,
            "--username",
        ),
        (
            &[
                "--username",
                "alice",
                "--role",
                "chief",
                "--display-name",
                "Alice",
            ],
            PASSWORD,
            "--role",
        ),
        (
            &[
                "--username",
                "alice",
                "--role",
                "officer",
                "--display-name",
                "Alice",
            ],
            "short",
            "password: a password is 12 to 128 characters",
        ),
        (
            &[
                "--username",
                "alice",
                "--role",
                "officer",
                "--display-name",
                "Alice",
            ],
            "password1234",
            "password: the password is too common or too easy to guess",
        ),
        (
            &[
                "--username",
                "k.wrzosek",
                "--role",
                "officer",
                "--display-name",
                "Kasia",
            ],
            "k.wrzosek.2026",
            "password: the password is too common or too easy to guess",
        ),
        // Visitors read the display name: it is chosen on purpose, never the username.
        (
            &["--username", "alice", "--role", "officer"],
            PASSWORD,
            "--display-name: give the name visitors will read",
        ),
    ];
    for (args, stdin, expected) in cases {
        let mut all = vec!["user", "add", "--data-dir", dir];
        all.extend_from_slice(args);
        let out = ecoute(&all, stdin);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn a_bad_listen_address_is_a_clear_configuration_error() {
    let out = ecoute(&["serve", "--listen", "nowhere"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen"));
}
