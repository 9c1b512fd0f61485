//! More messages than the server answers quickly: the excess is refused at once with
//! `overloaded` (retryable, PROTOCOL.md §4), nothing later of the same chat is taken before the
//! refused one comes again, and what was taken is written, acknowledged and delivered in order.
//!
//! The server is made slow for real: the test holds SQLite's write lock, so the messages taken
//! wait for the disk as they would behind a slow one, and stay in flight meanwhile. A passing
//! stall is waited out (the gate's grace, 100 ms): messages are refused once the excess has
//! lasted longer than that.

use crate::helpers::*;
use serde_json::{Value, json};
use sqlx::{Connection, Executor};
use std::time::Duration;

/// Longer than the gate's grace (`service/gate.rs`).
const PAST_THE_GRACE: Duration = Duration::from_millis(150);

/// A visitor's message number `i`.
async fn visitor_says(vs: &mut Ws, i: usize) {
    vs.send(json!({"type": "send", "client_id": format!("v{i}"), "body": format!("message {i}")}))
        .await;
}

/// A server that takes two messages at once (its floor), with a chat claimed by an officer.
async fn two_at_once() -> (TestApp, Visitor, Ws, Ws) {
    let app = spawn_app_with(|c| {
        c.limits.messages_in_flight = 2;
        c.limits.messages_per_minute = 1_000_000;
    })
    .await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("octave").await;
    let (mut os, _) = app.staff_socket(&officer).await;
    os.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    os.recv_type("claimed").await;
    let (vs, _) = app.visitor_socket(&visitor, 0).await;
    (app, visitor, vs, os)
}

/// Holds the database's write lock until the returned connection commits.
async fn hold_the_disk(app: &TestApp) -> sqlx::SqliteConnection {
    let url = format!(
        "sqlite://{}",
        app.data_dir.path().join("ecoute.db").display()
    );
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    db.execute("BEGIN IMMEDIATE").await.unwrap();
    db
}

/// The next frame that is not a status update, a receipt or the chat's state.
async fn next_answer(ws: &mut Ws) -> Value {
    loop {
        let v = ws.recv_skipping_queue().await;
        if !matches!(v["type"].as_str(), Some("marks" | "state" | "typing")) {
            return v;
        }
    }
}

/// The messages `ws` receives from the other side until it has `n`, their bodies in order.
async fn bodies(ws: &mut Ws, author: &str, n: usize) -> Vec<String> {
    let mut got = Vec::new();
    while got.len() < n {
        let m = ws.recv_type("message").await;
        assert_eq!(m["author"], author, "only the other side's messages: {m}");
        got.push(m["body"].as_str().unwrap().to_string());
    }
    got
}

#[tokio::test]
async fn a_visitors_message_beyond_what_the_server_takes_at_once_is_refused_at_once_and_taken_in_order_when_sent_again()
 {
    let (app, _visitor, mut vs, mut os) = two_at_once().await;
    let disk = hold_the_disk(&app).await;
    // Two taken at once (the floor), and a third while the stall may still be passing.
    for i in 1..=3 {
        visitor_says(&mut vs, i).await;
    }
    tokio::time::sleep(PAST_THE_GRACE).await;
    for i in 4..=5 {
        visitor_says(&mut vs, i).await;
    }
    // The excess has lasted: the fourth is refused at once, with when to send it again.
    let refused = next_answer(&mut vs).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "overloaded");
    assert_eq!(refused["client_id"], "v4");
    let wait = refused["retry_after_ms"].as_u64().expect("retry_after_ms");
    assert!((500..=3000).contains(&wait), "retry_after_ms {wait}");
    // The fifth is not taken before the fourth.
    let later = next_answer(&mut vs).await;
    assert_eq!(later["code"], "out_of_order", "{later}");
    assert_eq!(later["client_id"], "v5");

    // The disk answers again: the three taken are written and acknowledged.
    disk.close().await.unwrap();
    for expected in ["v1", "v2", "v3"] {
        let ack = next_answer(&mut vs).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        assert_eq!(ack["client_id"], expected);
    }
    // Sent again, as the page does, the fourth and then the fifth are taken.
    for i in 4..=5 {
        visitor_says(&mut vs, i).await;
    }
    let mut seqs = Vec::new();
    for expected in ["v4", "v5"] {
        let ack = next_answer(&mut vs).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        assert_eq!(ack["client_id"], expected);
        seqs.push(ack["seq"].as_u64().unwrap());
    }
    assert_eq!(seqs, vec![4, 5]);
    // The officer reads the five once each, in the order they were written.
    let got = bodies(&mut os, "visitor", 5).await;
    let expected: Vec<String> = (1..=5).map(|i| format!("message {i}")).collect();
    assert_eq!(got, expected);
    vs.quiet().await;
}

#[tokio::test]
async fn a_consoles_message_beyond_what_the_server_takes_at_once_is_refused_for_its_chat_and_sent_again_in_order()
 {
    let (app, visitor, mut vs, mut os) = two_at_once().await;
    let chat = visitor.conversation_id.clone();
    let disk = hold_the_disk(&app).await;
    let reply = |i: usize| {
        json!({"type": "send", "conversation_id": chat, "client_id": format!("o{i}"),
            "body": format!("réponse {i}")})
    };
    for i in 1..=3 {
        os.send(reply(i)).await;
    }
    tokio::time::sleep(PAST_THE_GRACE).await;
    os.send(reply(4)).await;
    let refused = next_answer(&mut os).await;
    assert_eq!(refused["code"], "overloaded", "{refused}");
    assert_eq!(refused["client_id"], "o4");
    assert_eq!(refused["conversation_id"], chat.as_str());
    assert_eq!(refused["frame"], "send");
    assert!(refused["retry_after_ms"].as_u64().is_some());
    disk.close().await.unwrap();
    for expected in ["o1", "o2", "o3"] {
        let ack = next_answer(&mut os).await;
        assert_eq!(ack["client_id"], expected, "{ack}");
    }
    os.send(reply(4)).await;
    assert_eq!(next_answer(&mut os).await["client_id"], "o4");
    let got = bodies(&mut vs, "officer", 4).await;
    let expected: Vec<String> = (1..=4).map(|i| format!("réponse {i}")).collect();
    assert_eq!(got, expected);
    // The console was never sent its own messages back.
    os.quiet().await;
}

#[tokio::test]
async fn the_call_for_help_and_the_quick_exit_are_taken_while_messages_are_refused_as_overloaded() {
    let (app, _visitor, mut vs, mut os) = two_at_once().await;
    let disk = hold_the_disk(&app).await;
    for i in 1..=3 {
        visitor_says(&mut vs, i).await;
    }
    tokio::time::sleep(PAST_THE_GRACE).await;
    visitor_says(&mut vs, 4).await;
    assert_eq!(next_answer(&mut vs).await["code"], "overloaded");
    // Three messages still in flight, the gate refusing: the call for help goes through all
    // the same (it waits for the disk like anything written, and is never refused).
    vs.send(json!({"type": "danger"})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    disk.close().await.unwrap();
    let mut answers = Vec::new();
    while answers.len() < 4 {
        let v = next_answer(&mut vs).await;
        assert_ne!(v["type"], "error", "{v}");
        answers.push(v["type"].as_str().unwrap().to_string());
    }
    assert!(answers.contains(&"danger_noted".to_string()), "{answers:?}");
    os.recv_type("flagged").await;
    // And the quick exit, with messages refused again behind a held disk (the refused fourth
    // first, as the page sends it again).
    let disk = hold_the_disk(&app).await;
    for i in 4..=6 {
        visitor_says(&mut vs, i).await;
    }
    tokio::time::sleep(PAST_THE_GRACE).await;
    visitor_says(&mut vs, 7).await;
    assert_eq!(next_answer(&mut vs).await["code"], "overloaded");
    vs.send(json!({"type": "quick_exit"})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    disk.close().await.unwrap();
    assert_eq!(vs.closed().await, Some(1000), "closed by the quick exit");
}

#[tokio::test]
async fn a_passing_stall_is_waited_out_without_refusing_anything() {
    let (app, _visitor, mut vs, mut os) = two_at_once().await;
    let disk = hold_the_disk(&app).await;
    // Four times the floor arrive during a short stall: all taken, none refused.
    for i in 1..=8 {
        visitor_says(&mut vs, i).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    disk.close().await.unwrap();
    for i in 1..=8 {
        let ack = next_answer(&mut vs).await;
        assert_eq!(ack["type"], "ack", "{ack}");
        assert_eq!(ack["client_id"], format!("v{i}"));
    }
    assert_eq!(bodies(&mut os, "visitor", 8).await.len(), 8);
}
