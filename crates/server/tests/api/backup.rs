//! `ecoute backup DEST`: the real binary copies the database of a server that is serving,
//! and the copy, with the master key kept elsewhere, is a data directory that serves again.

use crate::helpers::*;
use ecoute_crypto::{KeyFiles, WrappedKey};
use ecoute_domain::ConversationId;
use ecoute_store::Store;
use ecoute_store_sqlite::SqliteStore;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A message as its sender saw it acknowledged.
struct Acked {
    conversation: String,
    seq: u64,
    body: String,
    at: Instant,
}

/// Every message of every conversation in a data directory, opened with its master key:
/// conversation id → bodies by sequence number.
async fn messages_in(dir: &Path) -> BTreeMap<String, BTreeMap<u64, String>> {
    let ring = KeyFiles::new(dir.join("master.key")).load().unwrap();
    let store = SqliteStore::open_read_only(dir).await.unwrap();
    let mut found = BTreeMap::new();
    for id in every_conversation(&store).await {
        let conversation = store.conversation(id).await.unwrap().unwrap();
        let key = ring
            .unwrap(
                &WrappedKey {
                    version: conversation.key_version,
                    bytes: conversation.wrapped_key,
                },
                id.0,
            )
            .expect("the data key opens with the master key kept apart");
        let mut bodies = BTreeMap::new();
        for m in store.messages_after(id, 0, 100_000).await.unwrap() {
            let body = key
                .open_message(id.0, m.seq, &m.sealed_body)
                .expect("every body in the backup opens");
            bodies.insert(m.seq, String::from_utf8(body).unwrap());
        }
        found.insert(id.to_string(), bodies);
    }
    store.close().await;
    found
}

/// Every conversation of a store, through the rotation's query, which lists them all.
async fn every_conversation(store: &SqliteStore) -> Vec<ConversationId> {
    store
        .keys_below_version(ecoute_store::KeyKind::Data, u32::MAX, u32::MAX)
        .await
        .unwrap()
        .into_iter()
        .map(|k| ConversationId(k.owner))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_traffic_opens_verifies_and_holds_every_message_acknowledged_before_it()
 {
    let app = Arc::new(
        spawn_app_with(|c| {
            c.limits.messages_per_minute = 100_000;
            c.limits.starts_per_source_per_hour = 100_000;
        })
        .await,
    );
    let officer = app.officer("martin").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    let acked = Arc::new(Mutex::new(Vec::<Acked>::new()));
    let stop = Arc::new(AtomicBool::new(false));

    // Three chats, each with its visitor and the officer writing in turn, without a pause,
    // until the test says stop.
    let mut visitors = Vec::new();
    for _ in 0..3 {
        let visitor = app.start_visitor().await;
        o.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
            .await;
        o.recv_type("claimed").await;
        visitors.push(visitor);
    }
    let mut talkers = Vec::new();
    for visitor in visitors.clone() {
        let (app, acked, stop) = (app.clone(), acked.clone(), stop.clone());
        talkers.push(tokio::spawn(async move {
            let (mut v, _) = app.visitor_socket(&visitor, 0).await;
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = format!("message {n} de la visiteuse, {}", visitor.conversation_id);
                v.send(json!({"type": "send", "client_id": format!("v{n}"), "body": body}))
                    .await;
                let ack = v.recv_type("ack").await;
                acked.lock().unwrap().push(Acked {
                    conversation: visitor.conversation_id.clone(),
                    seq: ack["seq"].as_u64().unwrap(),
                    body,
                    at: Instant::now(),
                });
            }
            v.close().await;
        }));
    }
    let officer_talks = {
        let (acked, stop, ids) = (
            acked.clone(),
            stop.clone(),
            visitors
                .iter()
                .map(|v| v.conversation_id.clone())
                .collect::<Vec<_>>(),
        );
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let id = &ids[n % ids.len()];
                let body = format!("réponse {n} de l'agent");
                o.send(json!({"type": "send", "conversation_id": id,
                    "client_id": format!("o{n}"), "body": body}))
                    .await;
                let ack = o.recv_type("ack").await;
                acked.lock().unwrap().push(Acked {
                    conversation: id.clone(),
                    seq: ack["seq"].as_u64().unwrap(),
                    body,
                    at: Instant::now(),
                });
            }
            o.close().await;
        })
    };
    while acked.lock().unwrap().len() < 60 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let elsewhere = tempfile::tempdir().unwrap();
    let dest = elsewhere.path().join("ecoute-backup.db");
    let began = Instant::now();
    let backup = ecoute_in(
        app.data_dir.path(),
        &["backup", dest.to_str().unwrap()],
        &[("USER", "operatrice")],
    )
    .await;
    let ended = Instant::now();
    stop.store(true, Ordering::Relaxed);
    for t in talkers {
        t.await.expect("the visitor went on writing without error");
    }
    officer_talks
        .await
        .expect("the officer went on writing without error");
    assert!(backup.success, "backup failed: {}", backup.stderr);
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let during = acked
        .iter()
        .filter(|a| a.at > began && a.at < ended)
        .count();
    assert!(
        during > 0,
        "messages were acknowledged while the backup ran"
    );
    assert!(
        backup.stderr.contains("copying the database (about ")
            && backup.stderr.contains("reading the copy back"),
        "progress on standard error: {}",
        backup.stderr
    );
    assert!(
        backup.stdout.contains(&format!(
            "backed up to {}",
            dest.canonicalize().unwrap().display()
        )),
        "{}",
        backup.stdout
    );

    // One file, owner-only, and nothing else beside it: no key, no partial copy.
    let beside: Vec<String> = std::fs::read_dir(elsewhere.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["ecoute-backup.db"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let copied = std::fs::read(&dest).unwrap();
    let key_file = app.data_dir.path().join("master.key");
    let key_text = std::fs::read_to_string(&key_file).unwrap();
    let key_bytes = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(key_text.trim())
            .unwrap()
    };
    assert_eq!(key_bytes.len(), 32);
    for needle in [key_text.trim().as_bytes(), &key_bytes[..]] {
        assert!(
            !copied.windows(needle.len()).any(|w| w == needle),
            "the master key is not in the backup"
        );
    }

    // A data directory made of the backup and the master key kept apart.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&dest, restored.path().join("ecoute.db")).unwrap();
    std::fs::copy(&key_file, restored.path().join("master.key")).unwrap();
    let head = backup
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("audit head of the backup: "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the backup prints its audit head")
        .to_string();
    let verified = ecoute_in(
        restored.path(),
        &["audit", "verify", "--expect-head", &head],
        &[],
    )
    .await;
    assert!(verified.success, "audit verify: {}", verified.stderr);
    assert!(
        verified.stdout.contains("audit log intact"),
        "{}",
        verified.stdout
    );

    // Every message acknowledged before the backup began is in it, readable; each chat in the
    // backup is a gap-free beginning of the chat as it went on.
    let in_backup = messages_in(restored.path()).await;
    let before: Vec<&Acked> = acked.iter().filter(|a| a.at < began).collect();
    assert!(before.len() >= 60);
    for a in &before {
        assert_eq!(
            in_backup[&a.conversation].get(&a.seq),
            Some(&a.body),
            "message {} of {} acknowledged before the backup",
            a.seq,
            a.conversation
        );
    }
    for (id, bodies) in &in_backup {
        let seqs: Vec<u64> = bodies.keys().copied().collect();
        assert_eq!(
            seqs,
            (1..=seqs.len() as u64).collect::<Vec<_>>(),
            "chat {id} in the backup has no gap"
        );
        for a in acked.iter().filter(|a| &a.conversation == id) {
            if let Some(body) = bodies.get(&a.seq) {
                assert_eq!(body, &a.body);
            }
        }
    }

    // The restored directory serves: a visitor coming back reads her chat from it.
    let visitor = visitors[0].clone();
    let expected: Vec<String> = in_backup[&visitor.conversation_id]
        .values()
        .cloned()
        .collect();
    let again = spawn_app_on(restored, std::future::pending()).await;
    let (mut v, welcome) = again.visitor_socket(&visitor, 0).await;
    assert_eq!(welcome["last_seq"].as_u64(), Some(expected.len() as u64));
    for body in &expected {
        assert_eq!(v.recv_type("message").await["body"], json!(body));
    }
    v.close().await;

    // The live audit log says who made the backup, and where it went.
    let entries = app.store.audit_after(0, 10_000).await.unwrap();
    let made: Vec<_> = entries
        .iter()
        .filter(|r| r.entry.action == "backup_made")
        .collect();
    assert_eq!(made.len(), 1);
    let detail = made[0].entry.detail.as_deref().unwrap();
    assert!(
        detail.contains(&dest.canonicalize().unwrap().display().to_string())
            && detail.contains("(operatrice)")
            && detail.contains(&format!("audit head {head}")),
        "{detail}"
    );
    assert!(made[0].entry.actor.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_is_refused_over_an_existing_file_inside_the_data_directory_and_on_postgresql() {
    let app = spawn_app().await;
    let data = app.data_dir.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let listing = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let data_before = listing(data);

    let taken = elsewhere.path().join("taken.db");
    std::fs::write(&taken, "a file someone keeps").unwrap();
    let refused = ecoute_in(data, &["backup", taken.to_str().unwrap()], &[]).await;
    assert!(!refused.success);
    assert!(
        refused.stderr.contains("exists already"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&taken).unwrap(),
        "a file someone keeps"
    );

    std::fs::create_dir(data.join("backups")).unwrap();
    for inside in [
        data.join("ecoute-copy.db"),
        data.join("backups").join("ecoute-copy.db"),
        // The same place, spelt through the parent directory.
        data.join("..")
            .join(data.file_name().unwrap())
            .join("ecoute-copy.db"),
    ] {
        let refused = ecoute_in(data, &["backup", inside.to_str().unwrap()], &[]).await;
        assert!(!refused.success, "{}", inside.display());
        assert!(
            refused.stderr.contains("is inside the data directory"),
            "{}",
            refused.stderr
        );
    }
    std::fs::remove_dir(data.join("backups")).unwrap();

    let nowhere = elsewhere.path().join("missing").join("ecoute.db");
    let refused = ecoute_in(data, &["backup", nowhere.to_str().unwrap()], &[]).await;
    assert!(!refused.success);
    assert!(
        refused.stderr.contains("the directory is not there"),
        "{}",
        refused.stderr
    );

    // A PostgreSQL deployment is told what to use instead; nothing is tried on the database.
    let to = elsewhere.path().join("pg.db");
    let refused = ecoute_in(
        data,
        &["backup", to.to_str().unwrap()],
        &[(
            "ECOUTE_DATABASE_URL",
            "postgres://ecoute@127.0.0.1:1/unreachable",
        )],
    )
    .await;
    assert!(!refused.success);
    assert!(
        refused.stderr.contains("pg_dump") && refused.stderr.contains("docs/DEPLOYMENT.md"),
        "{}",
        refused.stderr
    );

    assert_eq!(listing(elsewhere.path()), ["taken.db"]);
    assert_eq!(listing(data), data_before);
    let entries = app.store.audit_after(0, 10_000).await.unwrap();
    assert!(entries.iter().all(|r| r.entry.action != "backup_made"));
}
