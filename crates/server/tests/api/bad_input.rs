//! Every bad input gets a clear, documented error; nothing panics; nothing stored is lost.

use crate::helpers::*;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

async fn waiting_visitor(app: &TestApp) -> (Visitor, Ws) {
    let visitor = app.start_visitor().await;
    let (mut ws, _) = app.visitor_socket(&visitor, 0).await;
    ws.send(json!({"type": "send", "client_id": "kept", "body": "already stored"}))
        .await;
    assert_eq!(ws.recv_type("ack").await["seq"], 1);
    (visitor, ws)
}

async fn assert_still_stored(app: &TestApp, visitor: &Visitor) {
    let (mut ws, welcome) = app.visitor_socket(visitor, 0).await;
    assert_eq!(welcome["last_seq"], 1);
    assert_eq!(ws.recv_type("message").await["body"], "already stored");
}

#[tokio::test]
async fn malformed_frames_are_answered_with_bad_frame_and_the_socket_stays_open() {
    let app = spawn_app().await;
    let (visitor, mut ws) = waiting_visitor(&app).await;
    for raw in [
        "not json",
        "{}",
        r#"{"type":"dance"}"#,
        r#"{"type":"send","body":"no id"}"#,
        r#"{"type":"send","client_id":5,"body":"x"}"#,
        "[1,2,3]",
    ] {
        ws.send_raw(Message::Text(raw.into())).await;
        let e = ws.recv_skipping_queue().await;
        assert_eq!(e["type"], "error", "{raw}");
        assert_eq!(e["code"], "bad_frame", "{raw}");
    }
    ws.send_raw(binary()).await;
    assert_eq!(
        ws.recv_skipping_queue().await["code"],
        "binary_not_supported"
    );
    ws.send(json!({"type": "ping"})).await;
    assert_eq!(ws.recv_skipping_queue().await["type"], "pong");
    assert_still_stored(&app, &visitor).await;
}

#[tokio::test]
async fn invalid_messages_are_refused_with_their_own_code() {
    let app = spawn_app().await;
    let (visitor, mut ws) = waiting_visitor(&app).await;
    let cases = [
        (
            json!({"type": "send", "client_id": "a", "body": "   \n "}),
            "empty_message",
        ),
        (
            json!({"type": "send", "client_id": "b", "body": "x".repeat(4001)}),
            "message_too_long",
        ),
        (
            json!({"type": "send", "client_id": "with space", "body": "x"}),
            "invalid_client_id",
        ),
        (
            json!({"type": "send", "client_id": "", "body": "x"}),
            "invalid_client_id",
        ),
    ];
    for (frame, code) in cases {
        ws.send(frame).await;
        let e = ws.recv_skipping_queue().await;
        assert_eq!(e["code"], code);
    }
    ws.send(json!({"type": "send", "client_id": "ok", "body": "é".repeat(4000)}))
        .await;
    assert_eq!(ws.recv_type("ack").await["seq"], 2);
    drop(ws);
    let (_, welcome) = app.visitor_socket(&visitor, 0).await;
    assert_eq!(welcome["last_seq"], 2);
}

#[tokio::test]
async fn a_frame_over_64_kib_closes_the_socket_with_1009_and_loses_nothing() {
    let app = spawn_app().await;
    let (visitor, mut ws) = waiting_visitor(&app).await;
    let huge = json!({"type": "send", "client_id": "big", "body": "x".repeat(70 * 1024)});
    ws.send_raw(Message::Text(huge.to_string().into())).await;
    let mut code = None;
    loop {
        match ws.next().await {
            Next::Frame(v) => {
                if v["type"] == "error" {
                    assert_eq!(v["code"], "frame_too_large");
                }
            }
            Next::Closed(c) => {
                code = code.or(c);
                break;
            }
        }
    }
    assert_eq!(code, Some(1009));
    assert_still_stored(&app, &visitor).await;
}

#[tokio::test]
async fn invalid_utf8_is_a_protocol_error_that_closes_with_1007() {
    let app = spawn_app().await;
    let (visitor, mut ws) = waiting_visitor(&app).await;
    // A text frame whose payload is not UTF-8 can only be sent raw.
    let frame = tokio_tungstenite::tungstenite::protocol::frame::Frame::message(
        vec![0x7b, 0xff, 0xfe, 0x7d],
        tokio_tungstenite::tungstenite::protocol::frame::coding::OpCode::Data(
            tokio_tungstenite::tungstenite::protocol::frame::coding::Data::Text,
        ),
        true,
    );
    ws.send_raw(Message::Frame(frame)).await;
    let code = ws.closed().await;
    assert_eq!(code, Some(1007));
    assert_still_stored(&app, &visitor).await;
}

#[tokio::test]
async fn the_first_visitor_frame_must_be_hello() {
    let app = spawn_app().await;
    let mut ws = app.ws("/ws/visitor", None).await;
    ws.send(json!({"type": "send", "client_id": "a", "body": "hi"}))
        .await;
    assert_eq!(ws.recv().await["code"], "hello_required");
    assert_eq!(ws.closed().await, Some(1008));
}

#[tokio::test]
async fn staff_mistakes_are_named_precisely() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("alice").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    let id = visitor.conversation_id.clone();
    let ghost = "00000000-0000-4000-8000-000000000000";

    o.send(json!({"type": "send", "conversation_id": id, "client_id": "a", "body": "hi"}))
        .await;
    assert_eq!(o.recv_type("error").await["code"], "not_claimed");
    o.send(json!({"type": "close", "conversation_id": id, "outcome": "information_given"}))
        .await;
    assert_eq!(o.recv_type("error").await["code"], "not_claimed");
    o.send(json!({"type": "claim", "conversation_id": ghost}))
        .await;
    assert_eq!(o.recv_type("error").await["code"], "not_found");
    o.send(json!({"type": "claim", "conversation_id": "not-a-uuid"}))
        .await;
    assert_eq!(o.recv_type("error").await["code"], "bad_frame");

    o.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    o.recv_type("claimed").await;
    o.send(json!({"type": "close", "conversation_id": id, "outcome": "lunch"}))
        .await;
    assert_eq!(o.recv_type("error").await["code"], "invalid_outcome");
    o.send(json!({"type": "close", "conversation_id": id, "outcome": "referred_to_support"}))
        .await;
    o.recv_type("chat_closed").await;
    o.send(json!({"type": "send", "conversation_id": id, "client_id": "b", "body": "hi"}))
        .await;
    assert_eq!(o.recv_type("error").await["code"], "conversation_closed");
    o.send(json!({"type": "close", "conversation_id": id, "outcome": "information_given"}))
        .await;
    assert_eq!(o.recv_type("error").await["code"], "conversation_closed");
    // A closed chat's token no longer opens it.
    let mut v = app.ws("/ws/visitor", None).await;
    v.send(json!({"type": "hello", "token": visitor.token, "last_seq": 0}))
        .await;
    assert_eq!(v.recv().await["code"], "invalid_token");
}

#[tokio::test]
async fn rest_inputs_are_checked_with_clear_codes() {
    let app = spawn_app().await;
    let post = |body: String, ctype: &'static str| {
        app.http
            .post(app.url("/api/visitor/conversations"))
            .header("content-type", ctype)
            .body(body)
            .send()
    };
    let cases = [
        ("{".to_string(), "application/json", 400, "invalid_request"),
        (
            r#"{"kind":"victim"}"#.to_string(),
            "application/json",
            400,
            "invalid_request",
        ),
        (
            r#"{"kind":"bystander","minor":false}"#.to_string(),
            "application/json",
            400,
            "invalid_request",
        ),
        (
            r#"{"kind":"victim","minor":false,"postal_code":"123"}"#.to_string(),
            "application/json",
            400,
            "invalid_postal_code",
        ),
        (
            r#"{"kind":"victim","minor":false}"#.to_string(),
            "text/plain",
            400,
            "invalid_request",
        ),
        (
            format!(
                r#"{{"kind":"victim","minor":false,"postal_code":"{}"}}"#,
                "9".repeat(70_000)
            ),
            "application/json",
            413,
            "payload_too_large",
        ),
    ];
    for (body, ctype, status, code) in cases {
        let r = post(body.clone(), ctype).await.unwrap();
        assert_eq!(r.status(), status, "{}", &body[..body.len().min(60)]);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"], code);
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
    // An empty postal code is simply no postal code.
    let ok = post(
        r#"{"kind":"witness","minor":true,"postal_code":""}"#.into(),
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), 201);
    let v: serde_json::Value = ok.json().await.unwrap();
    assert!(v["departement"].is_null());
}
