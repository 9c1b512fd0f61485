//! Secrets stay secret: canaries sent through the real binary never reach its output.

use crate::helpers::{PASSWORD, Ws};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canaries_and_addresses_never_reach_the_logs_the_output_or_the_database_files_in_clear_even_at_trace_level()
 {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let mut add = Command::new(env!("CARGO_BIN_EXE_ecoute"))
        .args([
            "user",
            "add",
            "--display-name",
            "Agent Test",
            "--data-dir",
            &data,
            "--username",
            "alice",
            "--role",
            "officer",
            "--totp-uri",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(PASSWORD.as_bytes())
        .unwrap();
    let added = add.wait_with_output().unwrap();
    assert!(added.status.success());
    let uri = String::from_utf8(added.stdout).unwrap();
    let secret_text = uri
        .split("secret=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("the otpauth URI carries the secret")
        .to_string();
    let secret = ecoute_crypto::totp::TotpSecret::from_base32(&secret_text).unwrap();
    let code = secret.code_at(time::OffsetDateTime::now_utc().unix_timestamp() as u64);

    let mut server = Command::new(env!("CARGO_BIN_EXE_ecoute"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", &data])
        .env("ECOUTE_LOG", "trace")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _reap = crate::helpers::Reap(server.id());
    let output = Arc::new(Mutex::new(String::new()));
    let (addr_tx, addr_rx) = std::sync::mpsc::channel::<String>();
    let stderr = server.stderr.take().unwrap();
    let stdout = server.stdout.take().unwrap();
    let sink = output.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("address=").nth(1) {
                let _ = addr_tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
            sink.lock().unwrap().push_str(&line);
            sink.lock().unwrap().push('\n');
        }
    });
    let sink = output.clone();
    let reader_out = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&line);
        }
    });
    let addr = addr_rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the server says where it listens");
    let origin = format!("http://{addr}");
    // Every request claims, falsely, to come from this address: it must not be kept anywhere.
    let forged_ip = "203.0.113.77";
    let mut default_headers = reqwest::header::HeaderMap::new();
    default_headers.insert("x-forwarded-for", forged_ip.parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(default_headers)
        .build()
        .unwrap();

    // The most verbose level, and a plain request before anything else (libraries log each
    // connection they accept at trace level, with its peer's address).
    assert!(
        http.get(format!("{origin}/healthz"))
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let started: Value = http
        .post(format!("{origin}/api/visitor/conversations"))
        .json(&json!({"kind": "victim", "minor": false, "postal_code": "13001"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = started["token"].as_str().unwrap().to_string();
    let login = http
        .post(format!("{origin}/api/staff/login"))
        .header("origin", &origin)
        .json(&json!({"username": "alice", "password": PASSWORD, "code": code}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();

    let connect = |path: &str, cookie: Option<&str>| {
        let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(&origin).unwrap());
        request
            .headers_mut()
            .insert("x-forwarded-for", HeaderValue::from_static("203.0.113.77"));
        if let Some(c) = cookie {
            request
                .headers_mut()
                .insert("cookie", HeaderValue::from_str(c).unwrap());
        }
        tokio_tungstenite::connect_async(request)
    };
    let mut officer = Ws {
        stream: connect("/ws/staff", Some(&cookie)).await.unwrap().0,
    };
    officer.recv_type("welcome").await;
    officer
        .send(json!({"type": "claim", "conversation_id": started["conversation_id"]}))
        .await;
    officer.recv_type("claimed").await;
    let mut visitor = Ws {
        stream: connect("/ws/visitor", None).await.unwrap().0,
    };
    visitor
        .send(json!({"type": "hello", "token": token, "last_seq": 0}))
        .await;
    visitor.recv_type("welcome").await;
    let canary = "CANARYLOG-4411-il-est-la";
    visitor
        .send(json!({"type": "send", "client_id": "c1", "body": canary}))
        .await;
    visitor.recv_type("ack").await;
    officer.recv_type("message").await;
    visitor.send(json!({"type": "quick_exit"})).await;
    officer.recv_type("visitor_left").await;

    let _ = server.kill();
    let _ = server.wait();
    reader.join().unwrap();
    reader_out.join().unwrap();
    let logs = output.lock().unwrap().clone();
    assert!(
        logs.contains("visitor left by quick exit"),
        "the logs were captured"
    );
    // The server may say where it listens; it never names a peer. Every client here connects
    // from 127.0.0.1: apart from the listening address, that address appears nowhere.
    let without_own_address = logs.replace(&addr, "");
    assert!(
        !without_own_address.contains("127.0.0.1"),
        "a peer address appears in the logs:\n{}",
        without_own_address
            .lines()
            .filter(|l| l.contains("127.0.0.1"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let cookie_value = cookie.split_once('=').unwrap().1;
    for (what, secret) in [
        ("message body", canary),
        ("visitor token", token.as_str()),
        ("password", PASSWORD),
        ("session cookie", cookie_value),
        ("postal code", "13001"),
        ("TOTP secret", secret_text.as_str()),
        ("TOTP code", code.as_str()),
        ("forged client address", forged_ip),
    ] {
        assert!(!logs.contains(secret), "the {what} appears in the logs");
        // The database files, WAL included, hold none of them in clear either.
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "the {what} appears in {}",
                path.display()
            );
        }
    }
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(20).any(|w| w == secret.as_bytes()),
            "the raw TOTP secret is stored in clear"
        );
    }
}
