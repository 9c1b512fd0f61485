//! The copy that `ecoute backup` makes, as only the SQLite backend can show it: one file,
//! written into an empty file only, and checked page by page when read back.

use ecoute_domain::{ConversationId, Departement, Intake, ReporterKind};
use ecoute_store::{NewConversation, Store};
use ecoute_store_sqlite::SqliteStore;
use time::OffsetDateTime;

async fn store_with_conversations(dir: &std::path::Path, n: u8) -> SqliteStore {
    let store = SqliteStore::open(dir).await.unwrap();
    for token in 0..n {
        let now = OffsetDateTime::now_utc();
        store
            .create_conversation(NewConversation {
                id: ConversationId::new(),
                token_hash: [token; 32],
                intake: Intake::new(ReporterKind::Victim, false, Departement::parse("35")),
                wrapped_key: vec![token; 72],
                key_version: 1,
                created_at: now,
                force: None,
                proposed_unit: None,
                open_to_all_at: now,
                return_code: None,
            })
            .await
            .unwrap();
    }
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_is_one_file_holding_the_rows_and_goes_only_into_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_conversations(dir.path(), 20).await;
    let elsewhere = tempfile::tempdir().unwrap();

    let kept = elsewhere.path().join("kept.db");
    std::fs::write(&kept, "not a database").unwrap();
    assert!(store.copy_into(&kept).await.is_err());
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "not a database");

    let target = elsewhere.path().join("copy.db");
    std::fs::write(&target, "").unwrap();
    store.copy_into(&target).await.unwrap();
    let used = store.used_bytes().await.unwrap();
    let written = std::fs::metadata(&target).unwrap().len();
    assert!(
        written > 0 && written <= used,
        "{written} bytes written, {used} in use"
    );
    let mut names: Vec<String> = std::fs::read_dir(elsewhere.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["copy.db", "kept.db"], "no WAL or journal beside it");

    let copy = SqliteStore::open_file_read_only(&target).await.unwrap();
    copy.quick_check().await.unwrap();
    assert_eq!(
        copy.key_version_counts(ecoute_store::KeyKind::Data)
            .await
            .unwrap(),
        std::collections::BTreeMap::from([(1, 20)])
    );
    copy.close().await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_copy_fails_its_check() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_conversations(dir.path(), 200).await;
    let target = dir.path().join("copy.db");
    std::fs::write(&target, "").unwrap();
    store.copy_into(&target).await.unwrap();
    store.close().await;

    // Every page after the first two overwritten: the header still reads, the tables do not.
    let mut bytes = std::fs::read(&target).unwrap();
    let page = 4096;
    assert!(bytes.len() > 4 * page, "{} bytes", bytes.len());
    for b in &mut bytes[2 * page..] {
        *b = 0xA5;
    }
    std::fs::write(&target, &bytes).unwrap();
    let copy = SqliteStore::open_file_read_only(&target).await.unwrap();
    assert!(copy.quick_check().await.is_err());
    copy.close().await;
}
