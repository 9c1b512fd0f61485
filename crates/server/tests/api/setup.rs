//! The first administrator, and the command line that scripts rely on.

use crate::helpers::*;
use std::io::Write;
use std::process::{Command, Stdio};

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
    let again = form(&code, "root2").await.unwrap();
    assert_eq!(again.status(), 400);
    let r = app.login("root", PASSWORD).await;
    assert_eq!(r.status(), 200);
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["role"], "admin");
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
        ],
        PASSWORD,
    );
    assert!(!taken.status.success());
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already taken"));
}

#[test]
fn user_add_refuses_bad_input_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().to_str().unwrap();
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["--username", "x", "--role", "officer"],
            PASSWORD,
            "--username",
        ),
        (
            &["--username", "alice", "--role", "chief"],
            PASSWORD,
            "--role",
        ),
        (
            &["--username", "alice", "--role", "officer"],
            "short",
            "password",
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
