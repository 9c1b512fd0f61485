//! Purging, as only the SQLite backend can show it: what is left in the files on disk.

use ecoute_domain::{
    Actor, ClientMessageId, ConversationId, Departement, Intake, ReporterKind, RetentionPolicy,
};
use ecoute_store::{Applied, NewConversation, NewMessage, Store};
use ecoute_store_sqlite::SqliteStore;
use std::path::Path;
use time::{Duration, OffsetDateTime};

/// Bytes that cannot occur by chance: `tag` repeated, then a counter.
fn marker(tag: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| if i % 2 == 0 { tag } else { i as u8 })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file of the data directory (database, WAL, shared memory) that holds `needle`.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| contains(&std::fs::read(p).unwrap_or_default(), needle))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

async fn conversation_with_a_message(
    store: &SqliteStore,
    token: u8,
    created_at: OffsetDateTime,
    wrapped_key: Vec<u8>,
    sealed_body: Vec<u8>,
) -> ConversationId {
    let id = ConversationId::new();
    store
        .create_conversation(NewConversation {
            id,
            token_hash: [token; 32],
            intake: Intake::new(ReporterKind::Witness, true, Departement::parse("13")),
            wrapped_key,
            key_version: 1,
            created_at,
            force: None,
            proposed_unit: None,
            open_to_all_at: created_at,
            return_code: None,
        })
        .await
        .unwrap();
    let client_id = ClientMessageId::parse("c1").unwrap();
    let seal = move |_| sealed_body.clone();
    store
        .append_message(NewMessage {
            conversation: id,
            actor: Actor::Visitor,
            client_id: client_id.clone(),
            seal: Box::new(seal),
            now: created_at,
            visitor_token: None,
        })
        .await
        .unwrap()
        .done()
        .unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purged_conversation_leaves_no_byte_of_its_key_or_messages_in_the_database_or_wal_files()
{
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let (old_key, old_body) = (marker(0xA7, 72), marker(0xB3, 300));
    let (new_key, new_body) = (marker(0xC5, 72), marker(0xD9, 300));
    let old = conversation_with_a_message(
        &store,
        1,
        now - Duration::days(400),
        old_key.clone(),
        old_body.clone(),
    )
    .await;
    let recent =
        conversation_with_a_message(&store, 2, now, new_key.clone(), new_body.clone()).await;
    for needle in [&old_key, &old_body] {
        assert!(
            !files_holding(dir.path(), needle).is_empty(),
            "the search must see stored bytes before the purge"
        );
    }

    let policy = RetentionPolicy::default();
    let ids: Vec<_> = store
        .purge_candidates(&policy, now, None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, vec![old]);
    let purged = store.purge(&ids, &policy, now).await.unwrap();
    assert_eq!(purged.conversations, vec![old]);
    assert_eq!(
        purged.files_scrubbed,
        Some(true),
        "the WAL was checkpointed and truncated"
    );

    assert_eq!(
        files_holding(dir.path(), &old_key),
        Vec::<String>::new(),
        "wrapped key"
    );
    assert_eq!(
        files_holding(dir.path(), &old_body),
        Vec::<String>::new(),
        "sealed body"
    );
    let wal = dir.path().join("ecoute.db-wal");
    assert_eq!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0),
        0,
        "WAL truncated"
    );
    // The recent conversation is untouched, and readable from a fresh connection.
    store.close().await;
    let reopened = SqliteStore::open(dir.path()).await.unwrap();
    let kept = reopened.conversation(recent).await.unwrap().unwrap();
    assert_eq!(kept.wrapped_key, new_key);
    let messages = reopened.messages_after(recent, 0, 10).await.unwrap();
    assert_eq!(messages[0].sealed_body, new_body);
    assert!(reopened.conversation(old).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_store_lists_candidates_changes_no_byte_and_refuses_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let now = OffsetDateTime::now_utc();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let old = conversation_with_a_message(
        &store,
        1,
        now - Duration::days(400),
        marker(0xE1, 72),
        marker(0xE2, 100),
    )
    .await;
    // Closed by its last connection: no WAL, no shared memory file left.
    store.close().await;
    let snapshot = |dir: &Path| {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    };
    // sqlx finishes closing connections on its worker threads after `close` returns, and the
    // last one may still be checkpointing: wait until the files stop changing.
    let mut before = snapshot(dir.path());
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let again = snapshot(dir.path());
        if again == before {
            break;
        }
        before = again;
    }

    let read_only = SqliteStore::open_read_only(dir.path()).await.unwrap();
    let policy = RetentionPolicy::default();
    let found = read_only
        .purge_candidates(&policy, now, None, 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, old);
    assert_eq!(found[0].messages, 1);
    assert!(read_only.purge(&[old], &policy, now).await.is_err());
    assert!(read_only.conversation(old).await.unwrap().is_some());
    read_only.close().await;

    // The database file itself; the WAL and shared-memory files come and go with connections
    // (the last writer may not have removed them yet when `before` was taken).
    let database_only = |files: Vec<(std::path::PathBuf, Vec<u8>)>| -> Vec<_> {
        files
            .into_iter()
            .filter(|(p, _)| {
                !p.to_string_lossy().ends_with("-shm") && !p.to_string_lossy().ends_with("-wal")
            })
            .collect()
    };
    let after = database_only(snapshot(dir.path()));
    let before = database_only(before);
    assert_eq!(before.len(), 1);
    assert!(
        after == before,
        "the database file is byte for byte the same"
    );
}

#[tokio::test]
async fn a_read_only_store_needs_an_existing_database() {
    let dir = tempfile::tempdir().unwrap();
    assert!(SqliteStore::open_read_only(dir.path()).await.is_err());
    assert!(!dir.path().join("ecoute.db").exists());
}

/// The message writer does not have SQLite check foreign keys (appender.rs, `open`): it
/// writes a message only to a conversation it read in the same transaction. Messages keep
/// coming to chats while the purge deletes them; none may be left without its conversation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_appended_while_their_chats_are_purged_leave_no_orphan() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(SqliteStore::open(dir.path()).await.unwrap());
    let now = OffsetDateTime::now_utc();
    let mut old = Vec::new();
    for i in 0..20u8 {
        let created = now - Duration::days(400);
        old.push(
            conversation_with_a_message(&store, i + 1, created, marker(i, 72), marker(i, 50)).await,
        );
    }
    // Two writers, each sending to every chat in turn until told to stop.
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let written = std::sync::Arc::new(AtomicU32::new(0));
    let refused = std::sync::Arc::new(AtomicU32::new(0));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (store, stop, chats) = (store.clone(), stop.clone(), old.clone());
            let (written, refused) = (written.clone(), refused.clone());
            tokio::spawn(async move {
                for round in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    for (i, chat) in chats.iter().enumerate() {
                        let client_id = ClientMessageId::parse(&format!("w{w}-{round}-{i}"));
                        let answer = store
                            .append_message(NewMessage {
                                conversation: *chat,
                                actor: Actor::Visitor,
                                client_id: client_id.unwrap(),
                                seal: Box::new(|_| vec![7; 40]),
                                now,
                                visitor_token: None,
                            })
                            .await
                            .unwrap();
                        match answer {
                            Applied::Done(_) => written.fetch_add(1, Ordering::Relaxed),
                            Applied::NotFound => refused.fetch_add(1, Ordering::Relaxed),
                            Applied::Refused(e) => {
                                panic!("a waiting chat refused a message: {e:?}")
                            }
                        };
                    }
                }
            })
        })
        .collect();
    // However slow the machine: the purge starts once messages are being written, and the
    // writers stop once messages to the purged chats have been refused.
    let until = |counter: std::sync::Arc<AtomicU32>| async move {
        for _ in 0..1000 {
            if counter.load(Ordering::Relaxed) >= 40 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the writers made no progress in 10 s");
    };
    until(written.clone()).await;
    let policy = RetentionPolicy::default();
    let purged = store.purge(&old, &policy, now).await.unwrap();
    assert_eq!(purged.conversations.len(), old.len());
    until(refused.clone()).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }

    let db = rusqlite::Connection::open(dir.path().join("ecoute.db")).unwrap();
    let orphans: i64 = db
        .query_row(
            "SELECT count(*) FROM messages \
             WHERE conversation_id NOT IN (SELECT id FROM conversations)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    let violations = db
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |_| Ok(()))
        .unwrap()
        .count();
    assert_eq!(violations, 0, "PRAGMA foreign_key_check");
}
