//! A fresh, empty database for each test: a schema of its own on the test server.

#![allow(dead_code)]

use ecoute_store_postgres::{PgStore, PoolSettings};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;
use std::time::Duration;

/// Names the server the tests use.
pub const URL_VAR: &str = "ECOUTE_TEST_POSTGRES_URL";
const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The test server's address.
pub fn server() -> PgConnectOptions {
    let url = std::env::var(URL_VAR).unwrap_or_else(|_| DEFAULT_URL.to_string());
    PgConnectOptions::from_str(&url)
        .unwrap_or_else(|e| panic!("{URL_VAR}={url:?} is not a PostgreSQL URL: {e}"))
}

/// Connections per store in tests. Nextest runs tests in parallel (one per core by default)
/// and some tests open two stores; PostgreSQL allows about a hundred connections in all.
pub const TEST_POOL: u32 = 4;

/// Test schemas are named after their creation time, so that later runs can drop the ones
/// left behind (a test cannot drop its own: the shared suite owns its body).
const PREFIX: &str = "ecoute_t_";
/// Schemas older than this are surely no longer in use.
const LEFT_BEHIND_SECS: u64 = 3600;

fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Drops the test schemas of earlier runs. Best effort: one test at a time does it, and a
/// failure only leaves them for the next run.
async fn drop_left_behind(admin: &mut sqlx::PgConnection) {
    let Ok(true) = sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock(1, 3776)")
        .fetch_one(&mut *admin)
        .await
    else {
        return;
    };
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE starts_with(nspname::text, $1)",
    )
    .bind(PREFIX)
    .fetch_all(&mut *admin)
    .await
    .unwrap_or_default();
    let cutoff = unix_secs().saturating_sub(LEFT_BEHIND_SECS);
    for name in names {
        let created = name[PREFIX.len()..]
            .split('_')
            .next()
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0);
        if created < cutoff {
            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))
                .execute(&mut *admin)
                .await;
        }
    }
}

/// A new, empty schema; `PgStore`s connected with [`options_for`] live in it alone.
pub async fn fresh_schema() -> String {
    let schema = format!("{PREFIX}{}_{}", unix_secs(), uuid::Uuid::new_v4().simple());
    let mut admin = server().connect().await.unwrap_or_else(|e| {
        panic!(
            "cannot reach the PostgreSQL test server ({e}); start it, or point {URL_VAR} at one \
             (default {DEFAULT_URL})"
        )
    });
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .expect("create the test schema");
    drop_left_behind(&mut admin).await;
    admin.close().await.ok();
    schema
}

/// Connection options whose every connection works in `schema`.
pub fn options_for(schema: &str) -> PgConnectOptions {
    server().options([("search_path", schema)])
}

/// One "node": its own pool of connections to the shared schema.
pub async fn node(schema: &str) -> PgStore {
    PgStore::connect_with_settings(
        options_for(schema),
        PoolSettings {
            max_connections: TEST_POOL,
            // Generous: tests run side by side on a small machine.
            acquire_timeout: Duration::from_secs(20),
        },
    )
    .await
    .expect("connect to the test schema and migrate it")
}

/// A store on a fresh schema.
pub async fn fresh() -> PgStore {
    node(&fresh_schema().await).await
}
