//! The shared storage story, told by the SQLite backend.

use ecoute_store_sqlite::SqliteStore;

async fn fresh() -> SqliteStore {
    // Leaked on purpose: the directory must outlive the store for the whole test.
    let dir = Box::leak(Box::new(tempfile::tempdir().expect("temp dir")));
    SqliteStore::open(dir.path()).await.expect("open store")
}

ecoute_store::conformance_tests!(std::sync::Arc::new(fresh().await));
