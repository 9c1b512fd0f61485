//! The WAL is copied back into the database file beside the writer, not inside its commits.

use ecoute_domain::{Actor, ClientMessageId, ConversationId, Departement, Intake, ReporterKind};
use ecoute_store::{NewConversation, NewMessage, Store};
use ecoute_store_sqlite::{DATABASE_FILE, SqliteStore};
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
                    .unwrap()
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
