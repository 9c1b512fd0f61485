//! Master key rotation: the real `ecoute keys …` binary against a data directory, with and
//! without a live server on it.

use crate::helpers::*;
use ecoute_crypto::{DataKey, KeyFiles, WrappedKey};
use ecoute_domain::{ConversationId, Departement, Intake, ReporterKind, Role};
use ecoute_store::{KeyKind, NewConversation, Store};
use ecoute_store_sqlite::SqliteStore;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// What a run of the binary said.
struct Ran {
    success: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn ecoute_command(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecoute"));
    command
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("ECOUTE_LOG", "warn")
        .env_remove("ECOUTE_CONFIG")
        .env_remove("ECOUTE_DATA_DIR")
        .env_remove("ECOUTE_MASTER_KEY_FILE")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

async fn ecoute(data_dir: &Path, args: &[&str]) -> Ran {
    let out = ecoute_command(data_dir, args)
        .output()
        .await
        .expect("the binary runs");
    Ran {
        success: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every message body of a conversation, as its visitor sees it on a fresh socket.
async fn read_as_visitor(app: &TestApp, visitor: &Visitor) -> Vec<String> {
    let (mut ws, welcome) = app.visitor_socket(visitor, 0).await;
    let last = welcome["last_seq"].as_u64().expect("last_seq");
    let mut bodies = Vec::new();
    while (bodies.len() as u64) < last {
        let m = ws.recv_type("message").await;
        assert_eq!(m["seq"].as_u64(), Some(bodies.len() as u64 + 1));
        bodies.push(m["body"].as_str().expect("a readable body").to_string());
    }
    ws.close().await;
    bodies
}

/// Every message body of a chat, as its officer gets it by asking for the whole history.
async fn read_as_officer(ws: &mut Ws, conversation: &str, count: usize) -> Vec<String> {
    ws.send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 0}))
        .await;
    let mut bodies = Vec::new();
    while bodies.len() < count {
        let m = ws.recv_type("message").await;
        if m["conversation_id"] == conversation {
            bodies.push(m["body"].as_str().expect("a readable body").to_string());
        }
    }
    bodies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_the_master_key_during_live_chats_keeps_every_message_readable_without_the_old_key()
 {
    let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
    // Far more traffic from one address and one connection than the flood limits allow.
    let app = Arc::new(
        spawn_app_configured(
            tempfile::tempdir().unwrap(),
            |c| {
                c.limits.messages_per_minute = 100_000;
                c.limits.starts_per_source_per_hour = 100_000;
            },
            async {
                let _ = stopped.await;
            },
        )
        .await,
    );
    let dir = app.data_dir.path().to_path_buf();
    let officer = app.officer("martin").await;
    // This officer takes every chat of the test, more than the default capacity of three.
    app.store
        .set_capacity(
            officer.id.parse().map(ecoute_domain::UserId).unwrap(),
            20,
            ecoute_store::NewAudit::system("capacity_changed", time::OffsetDateTime::now_utc()),
        )
        .await
        .unwrap();
    let (mut o, _) = app.staff_socket(&officer).await;
    // Another officer's authenticator, enrolled under version 1: she logs in only later.
    app.create_user("claire", Role::Officer).await;
    let mut expected: HashMap<String, Vec<String>> = HashMap::new();
    let mut visitors = Vec::new();
    let mut officer_chats = Vec::new();

    // Some history first: three chats, claimed, with messages both ways.
    for i in 0..3 {
        let visitor = app.start_visitor().await;
        let id = visitor.conversation_id.clone();
        o.send(json!({"type": "claim", "conversation_id": id}))
            .await;
        o.recv_type("claimed").await;
        let (mut v, _) = app.visitor_socket(&visitor, 0).await;
        let mut bodies = Vec::new();
        for j in 0..2 {
            let body = format!("avant la rotation, conversation {i}, message {j}");
            v.send(json!({"type": "send", "client_id": format!("v{j}"), "body": body}))
                .await;
            v.recv_type("ack").await;
            bodies.push(body);
        }
        let body = format!("réponse de l'agent, conversation {i}");
        o.send(json!({"type": "send", "conversation_id": id, "client_id": "o0", "body": body}))
            .await;
        o.recv_type("ack").await;
        bodies.push(body);
        v.close().await;
        expected.insert(id.clone(), bodies);
        officer_chats.push(id);
        visitors.push(visitor);
    }

    // The live chat: a visitor and the officer keep writing while the rotation runs.
    let live = app.start_visitor().await;
    o.send(json!({"type": "claim", "conversation_id": live.conversation_id}))
        .await;
    o.recv_type("claimed").await;
    let (mut v, _) = app.visitor_socket(&live, 0).await;
    let stop = Arc::new(AtomicBool::new(false));
    let talk = {
        let (stop, id) = (stop.clone(), live.conversation_id.clone());
        tokio::spawn(async move {
            let mut sent = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = format!("visiteur {n}");
                v.send(json!({"type": "send", "client_id": format!("v{n}"), "body": body}))
                    .await;
                v.recv_type("ack").await;
                sent.push(body);
                let body = format!("agent {n}");
                o.send(json!({"type": "send", "conversation_id": id,
                    "client_id": format!("o{n}"), "body": body}))
                    .await;
                o.recv_type("ack").await;
                sent.push(body);
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            v.close().await;
            (o, sent)
        })
    };
    // Newcomers keep arriving too, some before the server has seen the new key.
    let arrivals = {
        let (stop, app) = (stop.clone(), app.clone());
        tokio::spawn(async move {
            let mut arrived = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let visitor = app.start_visitor().await;
                let (mut v, _) = app.visitor_socket(&visitor, 0).await;
                let body = format!("nouvelle arrivée {n}");
                v.send(json!({"type": "send", "client_id": "v1", "body": body}))
                    .await;
                v.recv_type("ack").await;
                v.close().await;
                arrived.push((visitor, vec![body]));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            arrived
        })
    };

    tokio::time::sleep(Duration::from_millis(500)).await;
    let rotated = ecoute(&dir, &["keys", "rotate"]).await;
    assert!(rotated.success, "rotate failed: {}", rotated.stderr);
    assert!(
        rotated.stderr.contains("created master key version 2"),
        "{}",
        rotated.stderr
    );
    assert!(rotated.stderr.contains("re-wrapped "), "{}", rotated.stderr);
    assert!(
        rotated.stdout.contains("re-sealed 2 TOTP secrets"),
        "{}",
        rotated.stdout
    );

    stop.store(true, Ordering::Relaxed);
    let (mut o, sent) = talk.await.expect("the live chat went on without error");
    assert!(sent.len() >= 20, "the chat went on during the rotation");
    expected.insert(live.conversation_id.clone(), sent);
    officer_chats.push(live.conversation_id.clone());
    visitors.push(live);
    for (visitor, bodies) in arrivals.await.expect("arrivals went on without error") {
        expected.insert(visitor.conversation_id.clone(), bodies);
        visitors.push(visitor);
    }

    // The server now wraps new conversations with version 2, and nothing is left on version 1.
    let newest = app.start_visitor().await;
    let stored = app
        .store
        .conversation(ConversationId(newest.conversation_id.parse().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.key_version, 2);
    visitors.push(newest.clone());
    expected.insert(newest.conversation_id.clone(), Vec::new());
    assert_eq!(
        app.store.key_version_counts(KeyKind::Data).await.unwrap(),
        BTreeMap::from([(2, visitors.len() as u64)])
    );

    for visitor in &visitors {
        assert_eq!(
            read_as_visitor(&app, visitor).await,
            expected[&visitor.conversation_id]
        );
    }
    for id in &officer_chats {
        assert_eq!(
            read_as_officer(&mut o, id, expected[id].len()).await,
            expected[id]
        );
    }
    o.close().await;

    // Every TOTP secret is sealed by version 2 now, and still opens to the same secret: the
    // officer logs in with her authenticator's code.
    assert_eq!(
        app.store.key_version_counts(KeyKind::Totp).await.unwrap(),
        BTreeMap::from([(2, 2)])
    );
    // So is the dossier signing key the server made on its first start.
    assert_eq!(
        app.store
            .key_version_counts(KeyKind::Signing)
            .await
            .unwrap(),
        BTreeMap::from([(2, 1)])
    );
    assert!(
        rotated.stdout.contains("1 signing key"),
        "{}",
        rotated.stdout
    );
    let claire = app.store.user_credentials("claire").await.unwrap().unwrap();
    assert_eq!(claire.totp.unwrap().key_version, 2);
    let login = app.login("claire", PASSWORD).await;
    assert_eq!(login.status(), 200, "TOTP login after the rotation");

    let retired = ecoute(&dir, &["keys", "retire", "--version", "1"]).await;
    assert!(retired.success, "retire failed: {}", retired.stderr);
    assert!(!dir.join("master.key").exists());

    // Both commands are in the audit log, with versions and counts.
    let audit: Vec<_> = app
        .store
        .audit_after(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry)
        .filter(|e| e.action.starts_with("key_"))
        .collect();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["key_rotated", "key_retired"]);
    let rotated_detail = audit[0].detail.as_deref().unwrap();
    assert!(
        rotated_detail.contains("to master key version 2 (new)")
            && rotated_detail.contains("re-sealed 2 TOTP secrets"),
        "{rotated_detail}"
    );
    assert!(audit.iter().all(|e| e.actor.is_none()));
    let verified = ecoute(&dir, &["audit", "verify"]).await;
    assert!(verified.success, "{}", verified.stderr);

    // A fresh server with only version 2 on disk reads everything.
    let _ = stop_server.send(());
    let app = Arc::try_unwrap(app).unwrap_or_else(|_| panic!("no task holds the app any more"));
    app.store.close().await;
    let secrets = std::mem::take(&mut *app.secrets.lock().unwrap());
    let fresh = spawn_app_on(app.data_dir, std::future::pending()).await;
    *fresh.secrets.lock().unwrap() = secrets;
    assert!(
        !dir.join("master.key").exists(),
        "a retired version 1 is not created again"
    );
    for visitor in &visitors {
        assert_eq!(
            read_as_visitor(&fresh, visitor).await,
            expected[&visitor.conversation_id]
        );
    }
    let (mut o, welcome) = fresh.staff_socket(&officer).await;
    assert_eq!(
        welcome["chats"].as_array().unwrap().len(),
        officer_chats.len()
    );
    for id in &officer_chats {
        assert_eq!(
            read_as_officer(&mut o, id, expected[id].len()).await,
            expected[id]
        );
    }
    o.close().await;

    // With only version 2 on disk, the officer's authenticator still logs her in.
    let login = fresh.login("claire", PASSWORD).await;
    assert_eq!(login.status(), 200, "TOTP login after retiring version 1");
}

/// A data directory with a master key and `n` conversations, each with the data key it was
/// given and a message sealed by it, to check later that it still opens.
struct Seeded {
    dir: tempfile::TempDir,
    files: KeyFiles,
    sealed: Vec<(ConversationId, Vec<u8>)>,
}

async fn seeded(n: usize) -> Seeded {
    let dir = tempfile::tempdir().unwrap();
    let files = KeyFiles::new(dir.path().join("master.key"));
    let ring = files.load_or_create().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let mut sealed = Vec::new();
    for i in 0..n {
        let id = ConversationId::new();
        let key = DataKey::generate();
        let wrapped = ring.wrap(&key, id.0);
        let mut token_hash = [0u8; 32];
        token_hash[..8].copy_from_slice(&(i as u64).to_be_bytes());
        store
            .create_conversation(NewConversation {
                id,
                token_hash,
                intake: Intake::new(ReporterKind::Victim, true, Departement::parse("59")),
                wrapped_key: wrapped.bytes,
                key_version: wrapped.version,
                created_at: time::OffsetDateTime::now_utc(),
                force: None,
                proposed_unit: None,
                open_to_all_at: time::OffsetDateTime::now_utc(),
                return_code: None,
            })
            .await
            .unwrap();
        sealed.push((id, key.seal_message(id.0, 1, b"toujours lisible")));
    }
    store.close().await;
    Seeded { dir, files, sealed }
}

impl Seeded {
    async fn counts(&self) -> BTreeMap<u32, u64> {
        let store = SqliteStore::open(self.dir.path()).await.unwrap();
        let counts = store.key_version_counts(KeyKind::Data).await.unwrap();
        store.close().await;
        counts
    }

    /// Every conversation's data key opens with the key files present, and opens its message.
    async fn every_data_key_opens(&self) {
        let ring = self.files.load().unwrap();
        let store = SqliteStore::open(self.dir.path()).await.unwrap();
        for (id, sealed) in &self.sealed {
            let c = store.conversation(*id).await.unwrap().unwrap();
            let wrapped = WrappedKey {
                version: c.key_version,
                bytes: c.wrapped_key,
            };
            let key = ring.unwrap(&wrapped, id.0).expect("the data key opens");
            assert_eq!(
                key.open_message(id.0, 1, sealed).unwrap(),
                b"toujours lisible"
            );
        }
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_killed_midway_resumes_with_the_same_new_key_when_run_again() {
    let seeded = seeded(1_000).await;
    let dir = seeded.dir.path();

    // One conversation per transaction, so the kill lands while most are still to do.
    let mut child = ecoute_command(dir, &["keys", "rotate", "--batch-size", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut said = Vec::new();
    loop {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("progress within 30 s")
            .unwrap()
            .expect("the rotation reports progress before it ends");
        let progress = line.starts_with("re-wrapped ");
        said.push(line);
        if progress {
            break;
        }
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    assert_eq!(
        said[0],
        format!(
            "created master key version 2 in {}",
            dir.join("master-v2.key").display()
        )
    );
    assert!(said[1].ends_with(" of 1,000 conversations"), "{said:?}");

    let midway = seeded.counts().await;
    assert!(
        midway.get(&1).is_some_and(|n| *n > 0) && midway.get(&2).is_some_and(|n| *n > 0),
        "killed midway: {midway:?}"
    );
    seeded.every_data_key_opens().await;

    let again = ecoute(dir, &["keys", "rotate"]).await;
    assert!(again.success, "{}", again.stderr);
    // At least one was done before the kill, so fewer than 1,000 are left: no separator.
    let left = midway[&1];
    assert!(
        again.stderr.starts_with(&format!(
            "resuming: {left} conversations still below master key version 2"
        )),
        "{}",
        again.stderr
    );
    assert!(
        again
            .stderr
            .contains(&format!("re-wrapped {left} of {left} conversations")),
        "{}",
        again.stderr
    );
    assert!(!dir.join("master-v3.key").exists(), "no other key was made");
    assert_eq!(seeded.counts().await, BTreeMap::from([(2, 1_000)]));

    let retired = ecoute(dir, &["keys", "retire", "--version", "1"]).await;
    assert!(retired.success, "{}", retired.stderr);
    seeded.every_data_key_opens().await;
}

#[tokio::test]
async fn retiring_the_current_or_a_used_key_version_is_refused_with_a_clear_error() {
    let seeded = seeded(1).await;
    let dir = seeded.dir.path();

    let current = ecoute(dir, &["keys", "retire", "--version", "1"]).await;
    assert_eq!(current.code, Some(1));
    assert!(
        current
            .stderr
            .contains("master key version 1 is the current one"),
        "{}",
        current.stderr
    );

    // A rotation that wrote version 2 and was stopped before re-wrapping anything.
    seeded.files.create(2).unwrap();
    let in_use = ecoute(dir, &["keys", "retire", "--version", "1"]).await;
    assert_eq!(in_use.code, Some(1));
    assert!(
        in_use
            .stderr
            .contains("master key version 1 still wraps the data key of 1 conversation"),
        "{}",
        in_use.stderr
    );
    let newest = ecoute(dir, &["keys", "retire", "--version", "2"]).await;
    assert_eq!(newest.code, Some(1));
    assert!(newest.stderr.contains("version 2 is the current one"));
    let absent = ecoute(dir, &["keys", "retire", "--version", "7"]).await;
    assert_eq!(absent.code, Some(1));
    assert!(
        absent.stderr.contains("there is no master key version 7"),
        "{}",
        absent.stderr
    );
    for bad in [
        &["keys", "retire", "--version", "one"][..],
        &["keys", "retire"],
        &["keys", "rotate", "--batch-size", "0"],
    ] {
        let refused = ecoute(dir, bad).await;
        assert_eq!(refused.code, Some(2), "{bad:?}: {}", refused.stderr);
    }

    assert!(dir.join("master.key").exists() && dir.join("master-v2.key").exists());
    assert_eq!(seeded.counts().await, BTreeMap::from([(1, 1)]));
    seeded.every_data_key_opens().await;

    let status = ecoute(dir, &["keys", "status"]).await;
    assert!(status.success, "{}", status.stderr);
    let rows: Vec<Vec<&str>> = status
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0][..2], ["1", "1"], "{}", status.stdout);
    assert_eq!(rows[1][..2], ["2", "0"], "{}", status.stdout);
    assert!(rows[1].contains(&"(current)"), "{}", status.stdout);
}

#[tokio::test]
async fn an_enrolment_begun_before_a_rotation_completes_after_it_under_the_new_key() {
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
    let page = app
        .http
        .get(app.url("/console/security"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The pending secret is kept for the account, sealed by version 1.
    let secret = shown_totp_key(&page);

    // A rotation writes version 2 meanwhile; the server picks it up.
    let files = KeyFiles::new(app.data_dir.path().join("master.key"));
    files.create(2).unwrap();
    tokio::time::sleep(ecoute::keys::RELOAD_INTERVAL + Duration::from_millis(800)).await;

    let code = secret.code_at(time::OffsetDateTime::now_utc().unix_timestamp() as u64);
    let r = app
        .http
        .post(app.url("/console/security/totp"))
        .header("cookie", &cookie)
        .header("origin", &app.origin)
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let stored = app.store.user_credentials("newbie").await.unwrap().unwrap();
    assert_eq!(
        stored.totp.unwrap().key_version,
        2,
        "a new secret is sealed by the current version"
    );
}

/// The key list as served, with its caching header.
async fn dossier_keys(app: &TestApp) -> (String, serde_json::Value) {
    let r = app
        .http
        .get(app.url("/.well-known/ecoute-dossier-keys.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cache = r.headers()["cache-control"].to_str().unwrap().to_string();
    (cache, r.json().await.unwrap())
}

/// `(id, status)` of each key listed, each id checked against its public key.
fn listed(list: &serde_json::Value) -> Vec<(String, String)> {
    assert_eq!(list["format"], "ecoute-dossier-keys/1");
    list["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let version = k["version"].as_u64().unwrap() as u32;
            let public =
                ecoute_crypto::PublicKey::from_base64(version, k["public_key"].as_str().unwrap())
                    .unwrap();
            assert_eq!(k["id"], public.id());
            assert_eq!(k["algorithm"], "Ed25519");
            (public.id(), k["status"].as_str().unwrap().to_string())
        })
        .collect()
}

#[tokio::test]
async fn the_first_start_makes_a_signing_key_served_at_the_well_known_url_and_keys_signing_changes_it()
 {
    let app = spawn_app().await;
    let (cache, list) = dossier_keys(&app).await;
    assert_eq!(
        cache, "public, max-age=300",
        "cacheable, unlike every other answer"
    );
    let first = listed(&list);
    assert_eq!(first.len(), 1);
    assert!(first[0].0.starts_with("v1:"), "{first:?}");
    assert_eq!(first[0].1, "current");
    let stored = app.store.current_signing_key().await.unwrap().unwrap();
    assert_eq!(stored.version, 1);

    let dir = app.data_dir.path();
    let made = ecoute(dir, &["keys", "signing", "new"]).await;
    assert!(made.success, "{}", made.stderr);
    assert!(made.stdout.contains("v2:"), "{}", made.stdout);
    assert!(
        made.stdout.contains("version 1 no longer signs"),
        "{}",
        made.stdout
    );
    let newest = ecoute(dir, &["keys", "signing", "retire", "2"]).await;
    assert_eq!(newest.code, Some(1));
    assert!(
        newest.stderr.contains("is the newest in service"),
        "{}",
        newest.stderr
    );
    let retired = ecoute(dir, &["keys", "signing", "retire", "1"]).await;
    assert!(retired.success, "{}", retired.stderr);
    let shown = ecoute(dir, &["keys", "signing", "list"]).await;
    assert!(shown.success, "{}", shown.stderr);
    assert!(
        shown
            .stdout
            .lines()
            .any(|l| l.contains(&first[0].0) && l.contains("retired")),
        "{}",
        shown.stdout
    );

    let (_, list) = dossier_keys(&app).await;
    let now = listed(&list);
    assert_eq!(now[0], (first[0].0.clone(), "retired".to_string()));
    assert!(
        now[1].0.starts_with("v2:") && now[1].1 == "current",
        "{now:?}"
    );
    let actions: Vec<String> = app
        .store
        .audit_after(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.entry.action)
        .filter(|a| a.starts_with("signing_key"))
        .collect();
    assert_eq!(
        actions,
        [
            "signing_key_created",
            "signing_key_created",
            "signing_key_retired"
        ]
    );
}
