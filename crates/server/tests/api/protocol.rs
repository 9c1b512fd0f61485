//! The rules of docs/PROTOCOL.md that a client speaking only the document relies on, each
//! proved against the server: what a frame must carry, what is refused and how.

use crate::helpers::*;
use ecoute_store::Store;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server with one chat, claimed by the officer Alice on the staff socket returned.
async fn a_chat_claimed_by_alice() -> (TestApp, Visitor, Ws) {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("alice").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    o.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    o.recv_type("claimed").await;
    (app, visitor, o)
}

/// Whether an upgrade was refused with this status and this error code.
fn refused_with(
    result: Result<Ws, tokio_tungstenite::tungstenite::Error>,
    status: u16,
    code: &str,
) -> bool {
    match result {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            let body: Value =
                serde_json::from_slice(r.body().as_deref().unwrap_or_default()).unwrap_or_default();
            r.status() == status && body["error"] == code
        }
        _ => false,
    }
}

#[tokio::test]
async fn the_visitor_socket_and_the_staff_login_are_refused_bad_origin_without_an_origin() {
    let app = spawn_app().await;
    assert!(refused_with(
        app.try_ws("/ws/visitor", None, None).await,
        403,
        "bad_origin"
    ));
    app.create_user("alice", ecoute_domain::Role::Officer).await;
    let r = app
        .http
        .post(app.url("/api/staff/login"))
        .json(&json!({"username": "alice", "password": PASSWORD, "code": app.code("alice")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "bad_origin");
}

/// Sends `count` frames at once and counts how many are taken before the first refusal.
async fn taken_before_refusal(ws: &mut Ws, frames: impl Iterator<Item = Value>) -> usize {
    let frames: Vec<Value> = frames.collect();
    for f in &frames {
        ws.send(f.clone()).await;
    }
    let mut taken = 0;
    let mut refusal = None;
    for _ in 0..frames.len() {
        let f = ws.recv_skipping_queue().await;
        match f["type"].as_str() {
            // Acks come once committed, refusals at once: count them all.
            Some("ack" | "pong") => taken += 1,
            Some("error") if refusal.is_none() => {
                assert_eq!(f["code"], "rate_limited", "{f}");
                assert!(f["retry_after_ms"].as_u64().unwrap() > 0, "{f}");
                refusal = Some(f);
            }
            // Behind a refused message, the later ones wait their turn (§4).
            Some("error") => assert!(
                matches!(f["code"].as_str(), Some("rate_limited" | "out_of_order")),
                "{f}"
            ),
            _ => {}
        }
    }
    assert!(refusal.is_some(), "the burst ran out after {taken}");
    taken
}

#[tokio::test]
async fn by_default_a_visitor_socket_takes_bursts_of_twenty_messages_and_of_120_other_frames() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    let messages =
        (0..30).map(|i| json!({"type": "send", "client_id": format!("m{i}"), "body": "vite"}));
    let taken = taken_before_refusal(&mut v, messages).await;
    assert!(
        (20..=21).contains(&taken),
        "a burst of 20 messages: {taken}"
    );

    // Every other frame has an allowance of its own, untouched by the messages.
    let (mut v, _) = app.visitor_socket(&visitor, 20).await;
    let pings = (0..140).map(|_| json!({"type": "ping"}));
    let taken = taken_before_refusal(&mut v, pings).await;
    assert!(
        (120..=123).contains(&taken),
        "a burst of 120 frames: {taken}"
    );
}

#[tokio::test]
async fn a_close_with_the_outcome_blocked_is_refused_since_only_block_sets_it() {
    let (app, visitor, mut o) = a_chat_claimed_by_alice().await;
    let id = visitor.conversation_id.clone();

    o.send(json!({"type": "close", "conversation_id": id, "outcome": "blocked"}))
        .await;
    let e = o.recv_type("error").await;
    assert_eq!(e["code"], "invalid_outcome");
    assert_eq!(e["frame"], "close");
    // The chat is still open: its visitor still connects and writes.
    let (mut v, welcome) = app.visitor_socket(&visitor, 0).await;
    assert_eq!(welcome["state"], "active");
    v.send(json!({"type": "send", "client_id": "a", "body": "toujours là"}))
        .await;
    v.recv_type("ack").await;
}

#[tokio::test]
async fn a_sync_without_after_seq_is_a_bad_frame() {
    let (_app, visitor, mut o) = a_chat_claimed_by_alice().await;
    let id = visitor.conversation_id.clone();

    o.send(json!({"type": "sync", "conversation_id": id})).await;
    assert_eq!(o.recv_skipping_queue().await["code"], "bad_frame");
    // With it, the same frame is answered, and the socket went on.
    o.send(json!({"type": "sync", "conversation_id": id, "after_seq": 0}))
        .await;
    o.send(json!({"type": "ping"})).await;
    o.recv_type("pong").await;
}

#[tokio::test]
async fn marks_carry_both_received_seq_and_read_seq_or_are_a_bad_frame() {
    let (app, visitor, mut o) = a_chat_claimed_by_alice().await;
    let id = visitor.conversation_id.clone();
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;

    v.send(json!({"type": "marks", "received_seq": 1})).await;
    assert_eq!(v.recv_skipping_queue().await["code"], "bad_frame");
    v.send(json!({"type": "marks", "read_seq": 1})).await;
    assert_eq!(v.recv_skipping_queue().await["code"], "bad_frame");
    o.send(json!({"type": "marks", "conversation_id": id, "received_seq": 1}))
        .await;
    assert_eq!(o.recv_skipping_queue().await["code"], "bad_frame");
    // Whole marks still go through, and no half one moved anything.
    v.send(json!({"type": "send", "client_id": "v1", "body": "Bonjour"}))
        .await;
    v.recv_type("ack").await;
    o.recv_type("message").await;
    o.send(json!({"type": "marks", "conversation_id": id, "received_seq": 1, "read_seq": 0}))
        .await;
    let m = v.recv_type("marks").await;
    assert_eq!(
        (m["received_seq"].as_u64(), m["read_seq"].as_u64()),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn a_hello_that_is_malformed_or_lacks_last_seq_is_a_bad_frame_that_closes_with_1008() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    for hello in [
        json!({"type": "hello", "token": visitor.token}),
        json!({"type": "hello", "token": visitor.token, "last_seq": "three"}),
        json!({"type": "hello", "token": visitor.token, "last_seq": -1}),
        json!({"type": "hello", "token": visitor.token, "last_seq": 0, "device": "phone"}),
    ] {
        let mut ws = app.ws("/ws/visitor", None).await;
        ws.send(hello.clone()).await;
        assert_eq!(ws.recv().await["code"], "bad_frame", "{hello}");
        assert_eq!(ws.closed().await, Some(1008), "{hello}");
    }
    // The token was not spent by any of them.
    let (_, welcome) = app.visitor_socket(&visitor, 0).await;
    assert_eq!(welcome["state"], "waiting");
}

#[tokio::test]
async fn unknown_fields_are_refused_as_bad_frame_on_sockets_and_invalid_request_over_rest() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    v.send(json!({"type": "ping", "extra": 1})).await;
    assert_eq!(v.recv_skipping_queue().await["code"], "bad_frame");
    v.send(json!({"type": "send", "client_id": "a", "body": "x", "urgent": true}))
        .await;
    assert_eq!(v.recv_skipping_queue().await["code"], "bad_frame");
    // The socket stays open.
    v.send(json!({"type": "ping"})).await;
    assert_eq!(v.recv_skipping_queue().await["type"], "pong");
    // A call for safety is never refused for carrying more.
    v.send(json!({"type": "danger", "from": "button"})).await;
    assert_eq!(v.recv_type("danger_noted").await["type"], "danger_noted");

    let officer = app.officer("alice").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    o.send(json!({"type": "take_next", "force": "police"}))
        .await;
    assert_eq!(o.recv_type("error").await["code"], "bad_frame");
    o.send(json!({"type": "ping"})).await;
    o.recv_type("pong").await;

    let r = app
        .http
        .post(app.url("/api/visitor/conversations"))
        .json(&json!({"kind": "victim", "minor": false, "name": "Camille"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    let r = app
        .http
        .post(app.url("/api/staff/login"))
        .header("origin", &app.origin)
        .json(&json!({"username": "alice", "password": PASSWORD, "code": app.code("alice"), "remember": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");

    // The quick exit alone takes any object with a token: an exit is never refused for more.
    let r = app
        .http
        .post(app.url("/api/visitor/quick-exit"))
        .body(json!({"token": visitor.token, "at": "now"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    drop(v);
    let mut again = app.ws("/ws/visitor", None).await;
    again
        .send(json!({"type": "hello", "token": visitor.token, "last_seq": 0}))
        .await;
    assert_eq!(
        again.recv().await["code"],
        "invalid_token",
        "the exit was taken"
    );
}

#[tokio::test]
async fn declining_a_chat_never_offered_answers_offer_withdrawn_and_changes_nothing() {
    let app = spawn_app().await;
    let officer = app.officer("alice").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    o.send(json!({"type": "presence", "status": "paused"}))
        .await;
    o.recv_type("presence").await;
    let visitor = app.start_visitor().await;
    let id = visitor.conversation_id.clone();
    let ghost = "00000000-0000-4000-8000-000000000000";
    for declined in [id.as_str(), ghost] {
        o.send(json!({"type": "decline", "conversation_id": declined}))
            .await;
        let f = o.recv_type("offer_withdrawn").await;
        assert_eq!(f["conversation_id"], declined);
    }
    // The chat still waits, and may still be taken.
    let (_, welcome) = app.visitor_socket(&visitor, 0).await;
    assert_eq!(welcome["state"], "waiting");
    o.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    o.recv_type("claimed").await;
}

/// Sends a raw HTTP/1.1 request and reads the answer until the server ends it or `wait` passes.
async fn raw_request(app: &TestApp, head: &str, body: &[u8], wait: Duration) -> String {
    let mut tcp = tokio::net::TcpStream::connect(app.addr.as_str())
        .await
        .unwrap();
    tcp.write_all(head.as_bytes()).await.unwrap();
    // The server may answer, and close, before the body is all sent.
    let _ = tcp.write_all(body).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(wait, async {
        let mut chunk = [0u8; 4096];
        loop {
            match tcp.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            }
            if answer.ends_with(b"}") {
                break;
            }
        }
    })
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn assert_json_payload_too_large(answer: &str) {
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let lower = answer.to_ascii_lowercase();
    assert!(lower.contains("content-type: application/json"), "{answer}");
    assert!(
        answer.contains(r#""error":"payload_too_large""#),
        "{answer}"
    );
}

#[tokio::test]
async fn a_body_over_64_kib_is_refused_with_the_json_error_every_other_refusal_uses() {
    let app = spawn_app().await;
    // Announced: refused as it is.
    let r = app
        .http
        .post(app.url("/api/visitor/quick-exit"))
        .header("content-type", "text/plain")
        .body("x".repeat(70 * 1000))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "payload_too_large"
    );

    // Not announced (chunked): refused once the limit is crossed, with the same answer.
    let chunk = "x".repeat(70 * 1000);
    let head = format!(
        "POST /api/visitor/quick-exit HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
        app.addr
    );
    let body = format!("{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len());
    let answer = raw_request(&app, &head, body.as_bytes(), Duration::from_secs(5)).await;
    assert_json_payload_too_large(&answer);

    // A form page's body too.
    let r = app
        .http
        .post(app.url("/console/login"))
        .header("origin", &app.origin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username={}", "x".repeat(70 * 1000)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "payload_too_large"
    );
}

#[tokio::test]
async fn an_announced_length_over_the_limit_is_refused_before_any_of_the_body_arrives() {
    let app = spawn_app().await;
    let head = format!(
        "POST /api/visitor/quick-exit HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain\r\nContent-Length: 10000000000\r\n\r\n",
        app.addr
    );
    let started = std::time::Instant::now();
    let answer = raw_request(&app, &head, b"", Duration::from_secs(5)).await;
    assert_json_payload_too_large(&answer);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_capacity_is_one_to_twenty_chats() {
    let app = spawn_app().await;
    app.create_user("alice", ecoute_domain::Role::Officer).await;
    let dir = app.data_dir.path();
    let env = [("USER", "ops")];
    for refused in ["0", "21"] {
        let ran = ecoute_in(dir, &["user", "set", "alice", "--capacity", refused], &env).await;
        assert!(!ran.success, "capacity {refused} was accepted");
    }
    let ran = ecoute_in(dir, &["user", "set", "alice", "--capacity", "20"], &env).await;
    assert!(ran.success, "{}", ran.stderr);
    let account = app.store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(account.user.capacity, 20);
}

#[tokio::test]
async fn a_websocket_level_violation_drops_the_connection_without_a_close_frame() {
    let app = spawn_app().await;
    let mut tcp = tokio::net::TcpStream::connect(app.addr.as_str())
        .await
        .unwrap();
    let upgrade = format!(
        "GET /ws/visitor HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        app.addr, app.origin
    );
    tcp.write_all(upgrade.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tcp.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"));
    // A text frame "hi" without the mask every client frame must have.
    tcp.write_all(&[0x81, 0x02, b'h', b'i']).await.unwrap();
    let mut rest = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut rest)).await;
    assert!(ended.is_ok(), "the connection is dropped at once");
    assert!(
        rest.is_empty(),
        "no close frame, nothing at all was sent: {rest:?}"
    );
}
