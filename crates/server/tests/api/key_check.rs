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
            "--display-name",
            "Agent Test",
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

/// Runs `ecoute ARGS` from `cwd` with `env`, the password on standard input, and only the
/// environment given (no data directory, configuration or key file inherited).
async fn ecoute_from(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Ran {
    use tokio::io::AsyncWriteExt;
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ecoute"));
    command
        .current_dir(cwd)
        .args(args)
        .env("ECOUTE_LOG", "warn")
        .env_remove("ECOUTE_CONFIG")
        .env_remove("ECOUTE_DATA_DIR")
        .env_remove("ECOUTE_DATABASE_URL")
        .env_remove("ECOUTE_MASTER_KEY_FILE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the binary runs");
    let mut stdin = child.stdin.take().expect("stdin");
    // The command may refuse before reading: a broken pipe is fine.
    let _ = stdin.write_all(format!("{PASSWORD}\n").as_bytes()).await;
    drop(stdin);
    let out = child.wait_with_output().await.expect("the binary ends");
    Ran {
        success: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A PostgreSQL database of this test's own, dropped at the end.
struct PgDatabase {
    url: String,
    name: String,
}

fn postgres_url() -> String {
    std::env::var("ECOUTE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

impl PgDatabase {
    async fn fresh() -> Self {
        let admin = postgres_url();
        let name = format!("ecoute_k_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin} ({e})"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create the test database");
        let (base, _) = admin.rsplit_once('/').expect("a URL ending in /NAME");
        Self {
            url: format!("{base}/{name}"),
            name,
        }
    }

    /// How many accounts, audit entries, recovery codes and key check values it holds, and the
    /// usernames.
    async fn contents(&self) -> (i64, i64, i64, i64, Vec<String>) {
        let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
        let mut counts = Vec::new();
        for table in ["users", "audit_log", "recovery_codes", "master_key_checks"] {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&mut conn)
                .await
                .unwrap();
            counts.push(n);
        }
        let names: Vec<String> = sqlx::query_scalar("SELECT username FROM users ORDER BY username")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        (counts[0], counts[1], counts[2], counts[3], names)
    }

    async fn drop_now(self) {
        let mut conn = sqlx::PgConnection::connect(&postgres_url()).await.unwrap();
        let _ = sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await;
    }
}

#[tokio::test]
async fn with_a_database_url_no_command_makes_a_master_key_and_a_refused_user_add_leaves_the_database_unchanged()
 {
    let db = PgDatabase::fresh().await;
    let url = db.url.clone();
    // A node's key file, as the guide has the operator copy it to every node.
    let node = tempfile::tempdir().unwrap();
    let node_key = node.path().join("master.key");
    KeyFiles::new(&node_key).load_or_create().unwrap();
    let node_key = node_key.to_str().unwrap().to_string();
    let with_node_key = [
        ("ECOUTE_DATABASE_URL", url.as_str()),
        ("ECOUTE_MASTER_KEY_FILE", node_key.as_str()),
    ];

    // The success path: an account whole, with its capacity, skills and authenticator.
    let first = ecoute_from(
        node.path(),
        &[
            "user",
            "add",
            "--display-name",
            "Agent Test",
            "--username",
            "alice",
            "--role",
            "admin",
            "--totp-uri",
            "--capacity",
            "5",
            "--force",
            "gendarmerie",
            "--languages",
            "fr,en",
        ],
        &with_node_key,
    )
    .await;
    assert!(first.success, "{}", first.stderr);
    assert!(
        first.stdout.starts_with("otpauth://totp/"),
        "{}",
        first.stdout
    );
    let store = ecoute_store_postgres::PgStore::connect(&url).await.unwrap();
    let alice = store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(alice.user.capacity, 5);
    assert_eq!(
        alice.user.skills.force,
        Some(ecoute_domain::Force::Gendarmerie)
    );
    let langs: Vec<&str> = alice
        .user
        .skills
        .languages
        .iter()
        .map(|l| l.as_str())
        .collect();
    assert_eq!(langs, ["fr", "en"]);
    assert!(alice.totp.is_some());
    assert!(store.recovery_codes_left(alice.user.id).await.unwrap() > 0);
    store.close().await;
    let before = db.contents().await;
    assert_eq!(before.0, 1);
    assert_eq!(before.3, 1, "the node's key is the database's now");
    let add_paul = [
        "user",
        "add",
        "--display-name",
        "Agent Test",
        "--username",
        "paul",
        "--role",
        "officer",
        "--totp-uri",
    ];

    // From an empty directory, with only the database URL: refused, naming the missing file,
    // and nothing made, neither a key nor an account.
    let empty = tempfile::tempdir().unwrap();
    let only_url = [("ECOUTE_DATABASE_URL", url.as_str())];
    let refused = ecoute_from(empty.path(), &add_paul, &only_url).await;
    assert!(!refused.success);
    assert!(
        refused
            .stderr
            .contains("no master key file at ./data/master.key")
            && refused.stderr.contains("commands never make a master key")
            && refused.stderr.contains("docs/DEPLOYMENT.md"),
        "{}",
        refused.stderr
    );
    assert!(!empty.path().join("data").exists());
    assert_eq!(db.contents().await, before);

    // From a directory that has `data/`: the same, and still no key written there.
    let with_data = tempfile::tempdir().unwrap();
    std::fs::create_dir(with_data.path().join("data")).unwrap();
    let refused = ecoute_from(with_data.path(), &add_paul, &only_url).await;
    assert!(!refused.success);
    assert!(
        refused
            .stderr
            .contains("no master key file at ./data/master.key"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read_dir(with_data.path().join("data"))
            .unwrap()
            .count(),
        0,
        "no key file is made"
    );
    assert_eq!(db.contents().await, before);

    // A key made elsewhere: refused, naming the versions, before anything is written.
    let elsewhere = tempfile::tempdir().unwrap();
    let foreign = elsewhere.path().join("master.key");
    KeyFiles::new(&foreign).load_or_create().unwrap();
    let foreign = foreign.to_str().unwrap().to_string();
    let refused = ecoute_from(
        elsewhere.path(),
        &add_paul,
        &[
            ("ECOUTE_DATABASE_URL", url.as_str()),
            ("ECOUTE_MASTER_KEY_FILE", foreign.as_str()),
        ],
    )
    .await;
    assert!(!refused.success);
    assert!(
        refused.stderr.contains(
            "held here: version 1 (version 1 not the database's key of that version); the \
             database needs: version 1"
        ),
        "{}",
        refused.stderr
    );
    assert_eq!(db.contents().await, before);

    // A unit that does not exist: refused, nothing written.
    let refused = ecoute_from(
        node.path(),
        &[
            "user",
            "add",
            "--display-name",
            "Agent Test",
            "--username",
            "paul",
            "--role",
            "unit",
            "--unit",
            "nowhere",
        ],
        &with_node_key,
    )
    .await;
    assert!(!refused.success);
    assert!(
        refused.stderr.contains("no unit \"nowhere\""),
        "{}",
        refused.stderr
    );
    assert_eq!(db.contents().await, before);

    // A username taken: the clear error, nothing written.
    let taken = ecoute_from(
        node.path(),
        &[
            "user",
            "add",
            "--display-name",
            "Agent Test",
            "--username",
            "alice",
            "--role",
            "officer",
            "--totp-uri",
        ],
        &with_node_key,
    )
    .await;
    assert!(!taken.success);
    assert!(
        taken.stderr.contains("the username alice is already taken"),
        "{}",
        taken.stderr
    );
    assert_eq!(db.contents().await, before);

    // With the node's key, paul is created whole at last.
    let made = ecoute_from(node.path(), &add_paul, &with_node_key).await;
    assert!(made.success, "{}", made.stderr);
    let after = db.contents().await;
    assert_eq!(after.4, ["alice", "paul"]);
    assert_eq!(
        after.1,
        before.1 + 4,
        "user_created, capacity, skills, totp_enrolled"
    );
    db.drop_now().await;
}

/// Without a database URL (SQLite, one node, its key beside its database), `user add
/// --totp-uri` may make the first key, as `serve` would, while the database needs none; once
/// the database has secrets, a missing key file is refused before anything is written.
#[tokio::test]
async fn on_sqlite_user_add_makes_the_first_key_only_for_a_database_that_needs_none() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let add = |name: &'static str| {
        [
            "--data-dir",
            "DATA",
            "user",
            "add",
            "--display-name",
            "Agent Test",
            "--username",
            name,
            "--role",
            "admin",
            "--totp-uri",
        ]
    };
    let args = |name: &'static str| -> Vec<String> {
        add(name)
            .iter()
            .map(|a| {
                if *a == "DATA" {
                    data.clone()
                } else {
                    a.to_string()
                }
            })
            .collect()
    };
    let run = |name: &'static str| {
        let args = args(name);
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            ecoute_from(Path::new("/"), &args, &[]).await
        }
    };
    let first = run("alice").await;
    assert!(first.success, "{}", first.stderr);
    assert!(dir.path().join("master.key").exists());

    std::fs::rename(
        dir.path().join("master.key"),
        dir.path().join("kept-apart.key"),
    )
    .unwrap();
    let count = || async {
        let store = ecoute_store_sqlite::SqliteStore::open_read_only(dir.path())
            .await
            .unwrap();
        let users = store.count_users().await.unwrap();
        let audit = store.audit_page(None, 1).await.unwrap()[0].seq;
        store.close().await;
        (users, audit)
    };
    let before = count().await;
    let refused = run("paul").await;
    assert!(!refused.success);
    assert!(
        refused
            .stderr
            .contains("held here: none; the database needs: version 1"),
        "{}",
        refused.stderr
    );
    assert!(!dir.path().join("master.key").exists(), "no key is made");
    assert_eq!(count().await, before);
}
