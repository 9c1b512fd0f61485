//! The generator keeps working: a few seconds of each scenario against a real server (and the
//! built-in relay), asserting that nothing is lost or duplicated. No timing is asserted here:
//! speed is measured by benchmarks (docs/PERFORMANCE.md), never by tests.

use ecoute::config::{Limits, RoutingConfig, RoutingMode};
use ecoute::{Application, Config};
use ecoute_crypto::KeyFiles;
use ecoute_crypto::totp::TotpSecret;
use ecoute_domain::{Password, Role, UserId};
use ecoute_store::{NewAudit, NewUser, Store};
use ecoute_store_postgres::PgStore;
use ecoute_store_sqlite::SqliteStore;
use serde_json::Value;
use std::process::Command;

const PASSWORD: &str = "a long enough password";

struct Server {
    url: String,
    /// Where officers connect: another node, with two.
    officer_url: String,
    metrics: String,
    credentials: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// Where the servers keep their data.
enum Nodes {
    /// One server on SQLite.
    One,
    /// Two servers on a fresh PostgreSQL database (`ECOUTE_TEST_POSTGRES_URL`) and NATS
    /// (`ECOUTE_TEST_NATS_URL`).
    TwoOnPostgres,
}

async fn fresh_postgres_database() -> String {
    use sqlx::Connection;
    let admin = std::env::var("ECOUTE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let name = format!("ecoute_lg_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!("cannot reach PostgreSQL at {admin} ({e}); set ECOUTE_TEST_POSTGRES_URL")
        });
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

async fn server(officers: usize) -> Server {
    servers(officers, Nodes::One).await
}

async fn servers(officers: usize, nodes: Nodes) -> Server {
    servers_allowing(officers, nodes, 1_000_000).await
}

/// Servers whose sockets may send `messages_per_minute` messages (PROTOCOL.md §4).
async fn servers_allowing(officers: usize, nodes: Nodes, messages_per_minute: u32) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("master.key");
    let database = match nodes {
        Nodes::One => None,
        Nodes::TwoOnPostgres => Some(fresh_postgres_database().await),
    };
    let prefix = format!("smoke.{}", uuid::Uuid::new_v4().simple());
    let config = |node: &str| Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_listen: Some("127.0.0.1:0".parse().unwrap()),
        data_dir: dir.path().join(node),
        master_key_file: Some(key_file.clone()),
        log: "warn".into(),
        routing: RoutingConfig {
            mode: RoutingMode::Pull,
            ..Default::default()
        },
        limits: Limits {
            max_waiting: 100_000,
            starts_per_source_per_hour: 1_000_000,
            logins_per_source_per_quarter: 10_000,
            messages_per_minute,
            // Some starts take a code hashed ahead, the others hash their own.
            ready_return_codes: 4,
            ..Limits::default()
        },
        database_url: database
            .as_deref()
            .map(|url| ecoute::config::DatabaseUrl::parse(url).unwrap()),
        nats_url: database.as_ref().map(|_| {
            std::env::var("ECOUTE_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
        }),
        nats_prefix: prefix.clone(),
        ..Config::default()
    };
    let app = Application::build(config("a")).await.unwrap();
    let url = format!("http://{}", app.local_addr());
    let metrics = format!("http://{}/metrics", app.admin_addr().unwrap());
    tokio::spawn(app.run_until(std::future::pending()));
    let officer_url = if database.is_some() {
        let b = Application::build(config("b")).await.unwrap();
        let officer_url = format!("http://{}", b.local_addr());
        tokio::spawn(b.run_until(std::future::pending()));
        officer_url
    } else {
        url.clone()
    };
    let store: Box<dyn Store> = match &database {
        Some(url) => Box::new(PgStore::connect(url).await.unwrap()),
        None => Box::new(SqliteStore::open(&dir.path().join("a")).await.unwrap()),
    };
    let keys = KeyFiles::new(&key_file).load_or_create().unwrap();
    let hash = ecoute::auth::hash_password(Password::parse(PASSWORD.into(), &[]).unwrap())
        .await
        .unwrap();
    let mut lines = String::new();
    for i in 0..officers {
        let secret = TotpSecret::generate();
        let now = time::OffsetDateTime::now_utc();
        let user = store
            .create_user(
                NewUser {
                    id: UserId::new(),
                    username: format!("smoke.{i}"),
                    display_name: format!("Agent {i}"),
                    role: Role::Officer,
                    unit: None,
                    password_hash: hash.clone(),
                    created_at: now,
                },
                NewAudit::system("user_created", now),
            )
            .await
            .unwrap();
        let sealed = ecoute::auth::seal_totp(&keys, user.id, &secret);
        store
            .enrol_totp(user.id, sealed, Vec::new(), NewAudit::system("totp", now))
            .await
            .unwrap();
        // Twenty chats each, as `ecoute-loadgen` asks of the accounts it creates.
        store
            .set_capacity(user.id, 20, NewAudit::system("capacity", now))
            .await
            .unwrap();
        lines.push_str(&format!("smoke.{i} {} {PASSWORD}\n", secret.to_base32()));
    }
    let credentials = dir.path().join("officers.txt");
    std::fs::write(&credentials, lines).unwrap();
    Server {
        url,
        officer_url,
        metrics,
        credentials,
        _dir: dir,
    }
}

/// Runs the generator with `args` (plus --json) and returns its JSON report.
fn loadgen(args: &[&str]) -> Value {
    let out_dir = tempfile::tempdir().unwrap();
    let json = out_dir.path().join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_ecoute-loadgen"))
        .args(args)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("the generator runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "ecoute-loadgen {args:?} failed:\n{stdout}\n{stderr}"
    );
    println!("{stdout}");
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

fn assert_nothing_lost(report: &Value) {
    assert_eq!(report["lost"], 0, "{report}");
    assert_eq!(report["duplicated"], 0, "{report}");
    assert_eq!(report["unacked"], 0, "{report}");
    let sent = report["sent"].as_u64().unwrap();
    assert!(sent > 0, "{report}");
    // A message its page never wrote (it already held five waiting: PAGE_HOLDS) was never sent.
    let not_written = report["not_written"].as_u64().unwrap_or(0);
    assert_eq!(
        report["delivered"].as_u64().unwrap() + not_written,
        sent,
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_chat_run_loses_and_duplicates_nothing() {
    let s = server(2).await;
    let credentials = s.credentials.to_str().unwrap().to_string();
    let report = tokio::task::spawn_blocking(move || {
        loadgen(&[
            "chat",
            "--url",
            &s.url,
            "--officer-credentials",
            &credentials,
            "--visitors",
            "30",
            "--officers",
            "2",
            "--rate",
            "300",
            "--duration",
            "3",
            "--metrics-url",
            &s.metrics,
        ])
    })
    .await
    .unwrap();
    assert_eq!(report["scenario"], "chat");
    assert_nothing_lost(&report);
    assert_eq!(report["connections"], 32);
    assert!(report["server_rss_kib"].as_u64().unwrap() > 0);
    for key in ["p50_ms", "p99_ms", "p999_ms", "max_ms", "ack_p50_ms"] {
        assert!(report[key].as_f64().unwrap() > 0.0, "{key}: {report}");
    }
}

/// A visitor writing faster than its allowance is refused `rate_limited`; the generator sends
/// the refused messages again as the page does, in order, and in the end every message is
/// acknowledged and delivered once, in every phase of the overload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overload_run_sends_refused_messages_again_and_loses_nothing() {
    // 60 a minute: a visitor's socket takes a burst of 10 messages, then one a second; the
    // officer's twice that. The overload's second gives the visitor 15.
    let s = servers_allowing(1, Nodes::One, 60).await;
    let credentials = s.credentials.to_str().unwrap().to_string();
    let report = tokio::task::spawn_blocking(move || {
        loadgen(&[
            "overload",
            "--url",
            &s.url,
            "--officer-credentials",
            &credentials,
            "--visitors",
            "1",
            "--officers",
            "1",
            "--recovery-rate",
            "2",
            "--baseline-seconds",
            "1",
            "--rate",
            "30",
            "--duration",
            "1",
            "--recovery-seconds",
            "1",
            "--metrics-url",
            &s.metrics,
        ])
    })
    .await
    .unwrap();
    assert_eq!(report["scenario"], "overload");
    let phases: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases, ["baseline", "overload", "recovery"]);
    for phase in report["steps"].as_array().unwrap() {
        assert_nothing_lost(phase);
        assert_eq!(phase["held"], 0, "{phase}");
    }
    assert_nothing_lost(&report);
    assert!(
        report["refused"]["rate_limited"].as_u64().unwrap() > 0,
        "{report}"
    );
    assert!(report["resends"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["held"], 0, "{report}");
    assert_eq!(
        report["ack_from_send"]["count"], report["acked"],
        "{report}"
    );
    let series = report["overload"]["recovery_series"].as_array().unwrap();
    assert_eq!(series.len(), 1, "{report}");
    assert!(
        report["server_rss_max_kib"].as_u64().unwrap() > 0,
        "{report}"
    );
}

/// Visitors on one node and officers on another, on PostgreSQL and NATS: every message
/// crosses NATS, and none is lost or duplicated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_run_across_two_nodes_loses_and_duplicates_nothing() {
    let s = servers(2, Nodes::TwoOnPostgres).await;
    let credentials = s.credentials.to_str().unwrap().to_string();
    let report = tokio::task::spawn_blocking(move || {
        loadgen(&[
            "chat",
            "--url",
            &s.url,
            "--officer-url",
            &s.officer_url,
            "--officer-credentials",
            &credentials,
            "--visitors",
            "30",
            "--officers",
            "2",
            "--rate",
            "200",
            "--duration",
            "3",
            "--metrics-url",
            &s.metrics,
        ])
    })
    .await
    .unwrap();
    assert_nothing_lost(&report);
    assert_eq!(report["connections"], 32);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_ramp_steps_up_and_reports_a_knee() {
    let report = tokio::task::spawn_blocking(|| {
        loadgen(&[
            "relay",
            "--url",
            "http://127.0.0.1:0",
            "--visitors",
            "10",
            "--rate",
            "200",
            "--duration",
            "1",
            "--max-rate",
            "500",
            // No timing is asserted in CI: on a busy machine a step may pass 100 ms.
            "--knee-ms",
            "60000",
        ])
    })
    .await
    .unwrap();
    assert_eq!(report["scenario"], "relay");
    let steps = report["steps"].as_array().unwrap();
    assert!(steps.len() >= 2, "{report}");
    for step in steps {
        assert_nothing_lost(step);
    }
    assert!(report["knee_rate"].as_f64().is_some(), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_storm_open_every_connection_they_are_asked_for() {
    let s = server(0).await;
    let (url, metrics) = (s.url.clone(), s.metrics.clone());
    let idle = tokio::task::spawn_blocking(move || {
        loadgen(&[
            "idle",
            "--url",
            &url,
            "--visitors",
            "40",
            "--duration",
            "1",
            "--metrics-url",
            &metrics,
        ])
    })
    .await
    .unwrap();
    assert_eq!(idle["connections"], 40, "{idle}");
    assert!(idle["rss_per_connection_kib"].as_f64().is_some(), "{idle}");

    let url = s.url.clone();
    let storm = tokio::task::spawn_blocking(move || {
        loadgen(&["storm", "--url", &url, "--rate", "10", "--duration", "2"])
    })
    .await
    .unwrap();
    assert_eq!(storm["sent"], 20, "{storm}");
    assert_eq!(storm["delivered"], 20, "{storm}");
    assert_eq!(storm["connections"], 20, "{storm}");
}

#[test]
fn bad_arguments_are_refused_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_ecoute-loadgen"))
        .args(["chat", "--url", "http://127.0.0.1:1", "--visitors", "10"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--data-dir"), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_ecoute-loadgen"))
        .args(["chat", "--url", "ftp://x", "--rate", "-3"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// The disk's floor for a commit: the probe writes and syncs in the directory given, reports
/// each write's time, and leaves nothing behind.
#[test]
fn the_fsync_probe_reports_its_writes_and_leaves_the_directory_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let report = loadgen(&[
        "fsync",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--iterations",
        "50",
    ]);
    assert_eq!(report["scenario"], "fsync");
    assert_eq!(report["sent"], 50);
    for key in ["p50_ms", "p99_ms", "max_ms"] {
        assert!(report[key].as_f64().unwrap() > 0.0, "{key}: {report}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let out = Command::new(env!("CARGO_BIN_EXE_ecoute-loadgen"))
        .args(["fsync"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--data-dir"));
}
