//! A database on another machine is reached over TLS, its certificate checked, when the URL
//! says `sslmode=verify-full` (docs/DEPLOYMENT.md, "The database"). The test server's own
//! certificate (Debian's: a self-signed one for `localhost`) stands for the operator's CA.

mod common;

use common::{fresh_schema, options_for, server};
use ecoute_store::Store;
use ecoute_store_postgres::PgStore;
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{ConnectOptions, Connection};

/// The server's certificate file, as the server itself names it.
async fn server_certificate() -> String {
    let mut conn = server().connect().await.expect("test server");
    let on: String = sqlx::query_scalar("SHOW ssl")
        .fetch_one(&mut conn)
        .await
        .expect("SHOW ssl");
    assert_eq!(
        on, "on",
        "the test server must have ssl = on (Debian's default)"
    );
    sqlx::query_scalar("SHOW ssl_cert_file")
        .fetch_one(&mut conn)
        .await
        .expect("SHOW ssl_cert_file")
}

fn verified(options: PgConnectOptions, host: &str, ca: &str) -> PgConnectOptions {
    options
        .host(host)
        .ssl_mode(PgSslMode::VerifyFull)
        .ssl_root_cert(ca)
}

#[tokio::test]
async fn with_verify_full_the_store_connects_over_tls_to_the_name_on_the_certificate() {
    let ca = server_certificate().await;
    let schema = fresh_schema().await;
    let options = verified(options_for(&schema), "localhost", &ca);

    let store = PgStore::connect_with(options.clone())
        .await
        .expect("the store connects and migrates over TLS");
    store.ping().await.expect("and answers");
    store.close().await;

    let mut conn = options
        .connect()
        .await
        .expect("a connection like the store's");
    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(&mut conn)
            .await
            .expect("pg_stat_ssl");
    assert!(encrypted, "the connection is encrypted");
    conn.close().await.ok();
}

#[tokio::test]
async fn with_verify_full_a_certificate_for_another_name_is_refused() {
    let ca = server_certificate().await;
    let schema = fresh_schema().await;
    // The certificate names `localhost`, not this address: a man in the middle would look so.
    let options = verified(options_for(&schema), "127.0.0.1", &ca);
    let refused = PgStore::connect_with(options).await;
    assert!(
        refused.is_err(),
        "a certificate for another name is not accepted"
    );
}
