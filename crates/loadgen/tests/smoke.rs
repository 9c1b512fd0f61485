//! The generator keeps working: a few seconds of each scenario against a real server (and the
//! built-in relay), asserting that nothing is lost or duplicated. No timing is asserted here:
//! speed is measured by benchmarks (docs/PERFORMANCE.md), never by tests.

use ecoute::config::{Limits, RoutingConfig, RoutingMode};
use ecoute::{Application, Config};
use ecoute_crypto::KeyFiles;
use ecoute_crypto::totp::TotpSecret;
use ecoute_domain::{Password, Role, UserId};
use ecoute_store::{NewAudit, NewUser, Store};
use ecoute_store_sqlite::SqliteStore;
use serde_json::Value;
use std::process::Command;

const PASSWORD: &str = "a long enough password";

struct Server {
    url: String,
    metrics: String,
    credentials: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

async fn server(officers: usize) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_listen: Some("127.0.0.1:0".parse().unwrap()),
        data_dir: dir.path().to_path_buf(),
        log: "warn".into(),
        routing: RoutingConfig {
            mode: RoutingMode::Pull,
            ..Default::default()
        },
        limits: Limits {
            max_waiting: 100_000,
            starts_per_source_per_hour: 1_000_000,
            logins_per_source_per_quarter: 10_000,
            messages_per_minute: 1_000_000,
        },
        ..Config::default()
    };
    let app = Application::build(config).await.unwrap();
    let url = format!("http://{}", app.local_addr());
    let metrics = format!("http://{}/metrics", app.admin_addr().unwrap());
    tokio::spawn(app.run_until(std::future::pending()));

    // Officer accounts with a known TOTP secret, as `--officer-credentials` reads them.
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let keys = KeyFiles::new(dir.path().join("master.key"))
        .load_or_create()
        .unwrap();
    let hash = ecoute::auth::hash_password(Password::parse(PASSWORD.into()).unwrap())
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
    assert!(report["sent"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["delivered"], report["sent"], "{report}");
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
