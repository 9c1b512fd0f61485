//! The WAL is copied back into the database file beside the writer, not inside its commits.

use ecoute_domain::{Actor, ClientMessageId, ConversationId, Departement, Intake, ReporterKind};
use ecoute_store::{NewConversation, NewMessage, Store};
use ecoute_store_sqlite::{DATABASE_FILE, SqliteStore};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use time::OffsetDateTime;

/// The writer never checkpoints (its commits only append to the WAL); the checkpointer does,
/// a moment later, and the messages reach the database file itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn written_messages_reach_the_database_file_through_the_checkpointer() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let id = ConversationId::new();
    let now = OffsetDateTime::now_utc();
    store
        .create_conversation(NewConversation {
            id,
            token_hash: [1; 32],
            intake: Intake::new(ReporterKind::Victim, false, Departement::parse("75")),
            wrapped_key: vec![1, 2, 3],
            key_version: 1,
            created_at: now,
            force: None,
            proposed_unit: None,
            open_to_all_at: now,
            return_code: None,
        })
        .await
        .unwrap();
    // Let a first round copy the schema and the conversation, then measure the file.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let file = dir.path().join(DATABASE_FILE);
    let before = std::fs::metadata(&file).unwrap().len();
    let mut writers = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..100 {
                let client_id = ClientMessageId::parse(&format!("w{w}-{i}")).unwrap();
                store
                    .append_message(NewMessage {
                        conversation: id,
                        actor: Actor::Visitor,
                        client_id,
                        seal: Box::new(|_| vec![7; 2000]),
                        now: OffsetDateTime::now_utc(),
                        visitor_token: None,
                    })
                    .await
                    .unwrap()
                    .done()
                    .unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    // 800 messages of 2 kB: well over a megabyte, in the WAL first.
    let mut grown = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        grown = std::fs::metadata(&file).unwrap().len() - before;
        if grown > 1_000_000 {
            break;
        }
    }
    assert!(
        grown > 1_000_000,
        "the database file grew by {grown} bytes: the WAL was not checkpointed"
    );
    assert_eq!(store.messages_after(id, 0, 1000).await.unwrap().len(), 800);
    store.close().await;
}

/// The WAL's checkpoint sequence number (bytes 12 to 15 of its header, big-endian): SQLite
/// adds one each time it starts the log over from its beginning.
fn wal_restarts(wal: &std::path::Path) -> Option<u32> {
    use std::io::Read;
    let mut header = [0u8; 16];
    std::fs::File::open(wal)
        .ok()?
        .read_exact(&mut header)
        .ok()?;
    Some(u32::from_be_bytes(header[12..16].try_into().ok()?))
}

/// Under a flow of messages that never pauses, a checkpoint round always ends with new frames
/// behind it, and SQLite starts the WAL over only when a transaction begins with none left to
/// copy: without the appender finishing each round, the log grew without end. Here writers
/// keep the appender busy until the WAL has been started over three times.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wal_written_without_a_pause_is_started_over_rather_than_grown() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let id = ConversationId::new();
    let now = OffsetDateTime::now_utc();
    store
        .create_conversation(NewConversation {
            id,
            token_hash: [2; 32],
            intake: Intake::new(ReporterKind::Witness, false, Departement::parse("13")),
            wrapped_key: vec![1, 2, 3],
            key_version: 1,
            created_at: now,
            force: None,
            proposed_unit: None,
            open_to_all_at: now,
            return_code: None,
        })
        .await
        .unwrap();
    let wal = dir.path().join(format!("{DATABASE_FILE}-wal"));
    let first = wal_restarts(&wal).unwrap_or(0);
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    for w in 0..8 {
        let (store, stop, written) = (store.clone(), stop.clone(), written.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let client_id = ClientMessageId::parse(&format!("w{w}-{i}")).unwrap();
                store
                    .append_message(NewMessage {
                        conversation: id,
                        actor: Actor::Visitor,
                        client_id,
                        seal: Box::new(|_| vec![9; 3000]),
                        now: OffsetDateTime::now_utc(),
                        visitor_token: None,
                    })
                    .await
                    .unwrap()
                    .done()
                    .unwrap();
                written.fetch_add(3000, Ordering::Relaxed);
                i += 1;
            }
        }));
    }
    let started = std::time::Instant::now();
    let mut restarts = 0;
    let mut longest = 0;
    while started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        restarts = wal_restarts(&wal).unwrap_or(first).wrapping_sub(first);
        longest = longest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        if restarts >= 3 {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let written = written.load(Ordering::Relaxed);
    assert!(
        restarts >= 3,
        "the WAL was started over {restarts} times in 30 s of writing ({written} bytes of \
         messages, the file grew to {longest} bytes)"
    );
    store.close().await;
}
