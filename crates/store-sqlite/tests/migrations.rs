//! Migrations applied to a database that already holds data lose none of it. Migration 0013
//! rebuilds the `users` table (SQLite cannot change a CHECK constraint in place), which would
//! cascade to sessions and recovery codes if done carelessly.

use ecoute_domain::Role;
use ecoute_store::Store;
use ecoute_store_sqlite::{DATABASE_FILE, SqliteStore};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::borrow::Cow;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuilding_the_users_table_keeps_accounts_sessions_and_recovery_codes() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join(DATABASE_FILE))
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    // The schema as it was before 0013.
    let all = sqlx::migrate!("./migrations");
    let before = Migrator {
        migrations: Cow::Owned(
            all.migrations
                .iter()
                .filter(|m| m.version < 13)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    };
    before.run(&pool).await.unwrap();
    let user = "6f1c1d2e-7a53-4c1b-9d55-0d1f8f0b5a11";
    for sql in [
        format!(
            "INSERT INTO users (id, username, display_name, role, password_hash, created_at, \
             totp_secret, capacity, force, minors, languages) VALUES ('{user}', 'alice', \
             'Alice', 'supervisor', '$argon2id$x', 1, x'01', 5, 'police', 1, 'fr,en')"
        ),
        format!(
            "INSERT INTO staff_sessions (token_hash, user_id, created_at, last_seen_at, id) \
             VALUES (randomblob(32), '{user}', 1, 2, 's1')"
        ),
        format!(
            "INSERT INTO recovery_codes (user_id, code_hash) VALUES ('{user}', randomblob(32))"
        ),
    ] {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let store = SqliteStore::open(dir.path()).await.unwrap();
    let alice = store.user_credentials("alice").await.unwrap().unwrap().user;
    assert_eq!(alice.role, Role::Supervisor);
    assert_eq!(alice.unit, None);
    assert!(alice.totp_enrolled);
    assert_eq!(alice.capacity, 5);
    assert!(alice.skills.minors);
    assert_eq!(store.sessions_of(alice.id).await.unwrap().len(), 1);
    assert_eq!(store.recovery_codes_left(alice.id).await.unwrap(), 1);
}
