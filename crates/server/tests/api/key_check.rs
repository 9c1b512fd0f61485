//! A server, or a command that uses the master keys, refuses key files that are not the ones
//! the database's secrets are sealed with, and never refuses the right ones: on a fresh
//! database, after `ecoute keys rotate` and `keys retire`, and on a database from before the
//! check values.

use crate::helpers::*;
use ecoute_crypto::{KeyFiles, MasterKey};
use ecoute_domain::Role;
use ecoute_store::Store;
use sqlx::Connection;
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;
use tokio::sync::oneshot;

type Secrets = HashMap<String, (ecoute_crypto::totp::TotpSecret, u64)>;

/// A server that stops when the sender is used or dropped.
async fn stoppable(dir: tempfile::TempDir) -> (TestApp, oneshot::Sender<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let app = spawn_app_on(dir, async {
        let _ = stopped.await;
    })
    .await;
    (app, stop)
}

/// Stops the server and lets go of its files; gives back the directory and the TOTP secrets.
async fn shut(app: TestApp, stop: oneshot::Sender<()>) -> (tempfile::TempDir, Secrets) {
    let _ = stop.send(());
    app.server
        .await
        .unwrap()
        .expect("the server stopped cleanly");
    app.store.close().await;
    let secrets = std::mem::take(&mut *app.secrets.lock().unwrap());
    (app.data_dir, secrets)
}

/// Deletes the check values, as in a database from before they existed (migration 0018).
async fn forget_check_values(dir: &Path) {
    let mut db =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", dir.join("ecoute.db").display()))
            .await
            .unwrap();
    sqlx::query("DELETE FROM master_key_checks")
        .execute(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();
}

/// The check values the database holds, by version, and whether each matches the key file of
/// that version in `dir`.
async fn check_values(dir: &Path) -> Vec<(u32, bool)> {
    let store = ecoute_store_sqlite::SqliteStore::open_read_only(dir)
        .await
        .unwrap();
    let checks = store.key_checks().await.unwrap();
    store.close().await;
    let ring = KeyFiles::new(dir.join("master.key")).load().unwrap();
    checks
        .into_iter()
        .map(|(v, check)| (v, ring.get(v).is_some_and(|k| k.matches_check(&check))))
        .collect()
}

/// `ecoute serve` on `dir`, which must exit by itself (it would serve forever otherwise).
async fn serve_exits(dir: &Path) -> Ran {
    tokio::time::timeout(
        Duration::from_secs(30),
        ecoute_in(dir, &["serve", "--listen", "127.0.0.1:0"], &[]),
    )
    .await
    .expect("the server exits instead of serving")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_directory_whose_master_key_was_replaced_refuses_to_start_and_says_which_versions() {
    let (app, stop) = stoppable(tempfile::tempdir().unwrap()).await;
    app.create_user("claire", Role::Officer).await;
    app.start_visitor().await;
    let (dir, secrets) = shut(app, stop).await;
    let key_file = dir.path().join("master.key");
    let kept = std::fs::read(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();
    ecoute_crypto::write_private(&key_file, MasterKey::generate(1).to_base64().as_bytes()).unwrap();
    let said = format!(
        "the master key files in {} are not this database's: held here: version 1 (version 1 \
         not the database's key of that version); the database needs: version 1.",
        dir.path().display()
    );

    let served = serve_exits(dir.path()).await;
    assert!(!served.success);
    assert!(served.stderr.contains(&said), "{}", served.stderr);
    assert!(
        served
            .stderr
            .contains("Put the key files this database was sealed with in"),
        "{}",
        served.stderr
    );
    assert!(!served.stdout.contains("/setup#"), "{}", served.stdout);

    // The commands that use the keys refuse alike, before changing anything.
    let rotated = ecoute_in(dir.path(), &["keys", "rotate"], &[]).await;
    assert!(!rotated.success);
    assert!(rotated.stderr.contains(&said), "{}", rotated.stderr);
    assert!(!dir.path().join("master-v2.key").exists());
    // The password comes on standard input.
    let (ok, _, stderr) = ecoute(
        &[
            "--data-dir",
            dir.path().to_str().unwrap(),
            "user",
            "add",
            "--username",
            "paul",
            "--role",
            "officer",
            "--totp-uri",
        ],
        PASSWORD,
    );
    assert!(!ok);
    assert!(stderr.contains(&said), "{stderr}");
    // The status still shows the table, then says what is wrong.
    let status = ecoute_in(dir.path(), &["keys", "status"], &[]).await;
    assert!(!status.success);
    assert!(
        status.stdout.starts_with("version  conversations"),
        "{}",
        status.stdout
    );
    assert!(status.stderr.contains(&said), "{}", status.stderr);

    // On a database from before the check values, the key is tried on what is sealed.
    forget_check_values(dir.path()).await;
    let served = serve_exits(dir.path()).await;
    assert!(!served.success);
    assert!(served.stderr.contains(&said), "{}", served.stderr);

    // The right key back: it starts, the check value is written again, staff log in.
    std::fs::remove_file(&key_file).unwrap();
    ecoute_crypto::write_private(&key_file, &kept).unwrap();
    assert_eq!(check_values(dir.path()).await, []);
    let app = spawn_app_on(dir, std::future::pending()).await;
    *app.secrets.lock().unwrap() = secrets;
    assert_eq!(check_values(app.data_dir.path()).await, [(1, true)]);
    assert!(
        app.store.user_credentials("paul").await.unwrap().is_none(),
        "the refused command made no account"
    );
    let login = app.login("claire", PASSWORD).await;
    assert_eq!(login.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_right_key_starts_a_fresh_database_and_again_after_a_rotation_a_retirement_and_an_upgrade()
 {
    let (app, stop) = stoppable(tempfile::tempdir().unwrap()).await;
    assert_eq!(check_values(app.data_dir.path()).await, [(1, true)]);
    app.create_user("claire", Role::Officer).await;
    let visitor = app.start_visitor().await;

    // A rotation while the server serves records the new version before using it.
    // (Logins below use one TOTP step each, and only one step of drift is accepted: two at most.)
    let rotated = ecoute_in(app.data_dir.path(), &["keys", "rotate"], &[]).await;
    assert!(rotated.success, "{}", rotated.stderr);
    assert_eq!(
        check_values(app.data_dir.path()).await,
        [(1, true), (2, true)]
    );
    let (dir, secrets) = shut(app, stop).await;

    let (app, stop) = stoppable(dir).await;
    *app.secrets.lock().unwrap() = secrets;
    let (_, welcome) = app.visitor_socket(&visitor, 0).await;
    assert_eq!(welcome["type"], "welcome");
    let (dir, secrets) = shut(app, stop).await;

    let retired = ecoute_in(dir.path(), &["keys", "retire", "--version", "1"], &[]).await;
    assert!(retired.success, "{}", retired.stderr);
    let (app, stop) = stoppable(dir).await;
    *app.secrets.lock().unwrap() = secrets;
    assert_eq!(app.login("claire", PASSWORD).await.status(), 200);
    let (dir, secrets) = shut(app, stop).await;

    // A database from before the check values: the key held opens what is sealed under it.
    forget_check_values(dir.path()).await;
    let status = ecoute_in(dir.path(), &["keys", "status"], &[]).await;
    assert!(status.success, "{}", status.stderr);
    assert_eq!(
        check_values(dir.path()).await,
        [],
        "keys status writes nothing"
    );
    let app = spawn_app_on(dir, std::future::pending()).await;
    *app.secrets.lock().unwrap() = secrets;
    assert_eq!(check_values(app.data_dir.path()).await, [(2, true)]);
    assert_eq!(app.login("claire", PASSWORD).await.status(), 200);
    let (_, welcome) = app.visitor_socket(&visitor, 0).await;
    assert_eq!(welcome["type"], "welcome");
}
