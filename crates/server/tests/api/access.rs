//! Nobody reads or writes what is not theirs.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn a_visitor_token_opens_its_own_conversation_only() {
    let app = spawn_app().await;
    let mine = app.start_visitor().await;
    let other = app.start_visitor().await;
    let (mut other_ws, _) = app.visitor_socket(&other, 0).await;
    other_ws
        .send(json!({"type": "send", "client_id": "secret", "body": "not for you"}))
        .await;
    other_ws.recv_type("ack").await;

    let (mut ws, welcome) = app.visitor_socket(&mine, 0).await;
    assert_eq!(welcome["conversation_id"], mine.conversation_id.as_str());
    assert_eq!(welcome["last_seq"], 0);
    // Naming another conversation is not part of the visitor's vocabulary at all.
    ws.send(json!({"type": "send", "client_id": "x", "body": "hi",
        "conversation_id": other.conversation_id}))
        .await;
    assert_eq!(ws.recv_skipping_queue().await["code"], "bad_frame");
    // A message sent on my socket lands in my conversation.
    ws.send(json!({"type": "send", "client_id": "x", "body": "hi"}))
        .await;
    assert_eq!(ws.recv_type("ack").await["seq"], 1);
    let (_, welcome) = app.visitor_socket(&other, 0).await;
    assert_eq!(
        welcome["last_seq"], 1,
        "the other conversation is untouched"
    );
}

#[tokio::test]
async fn an_unknown_token_is_refused_and_the_socket_closed() {
    let app = spawn_app().await;
    let mut ws = app.ws("/ws/visitor", None).await;
    ws.send(json!({"type": "hello", "token": "made-up-token", "last_seq": 0}))
        .await;
    let e = ws.recv().await;
    assert_eq!(e["code"], "invalid_token");
    assert_eq!(ws.closed().await, Some(1008));
}

#[tokio::test]
async fn an_officer_cannot_read_write_or_close_another_officers_chat() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let owner = app.officer("alice").await;
    let intruder = app.officer("bruno").await;
    let (mut wa, _) = app.staff_socket(&owner).await;
    wa.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    wa.recv_type("claimed").await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    v.send(json!({"type": "send", "client_id": "p", "body": "private"}))
        .await;
    v.recv_type("ack").await;

    let (mut wb, welcome) = app.staff_socket(&intruder).await;
    assert!(welcome["chats"].as_array().unwrap().is_empty());
    wb.send(json!({"type": "sync", "conversation_id": visitor.conversation_id, "after_seq": 0}))
        .await;
    let e = wb.recv_type("error").await;
    assert_eq!(e["code"], "not_found");
    wb.send(
        json!({"type": "send", "conversation_id": visitor.conversation_id,
        "client_id": "b", "body": "hello"}),
    )
    .await;
    assert_eq!(wb.recv_type("error").await["code"], "not_owner");
    wb.send(
        json!({"type": "close", "conversation_id": visitor.conversation_id,
        "outcome": "information_given"}),
    )
    .await;
    assert_eq!(wb.recv_type("error").await["code"], "not_owner");
    // Nothing of the chat ever reached the intruder.
    wb.quiet().await;
    // And the owner's chat is intact.
    wa.send(json!({"type": "sync", "conversation_id": visitor.conversation_id, "after_seq": 0}))
        .await;
    assert_eq!(wa.recv_type("message").await["body"], "private");
}

#[tokio::test]
async fn the_staff_socket_needs_a_session_and_our_own_origin() {
    let app = spawn_app().await;
    let officer = app.officer("alice").await;
    let no_cookie = app.try_ws("/ws/staff", None, Some(&app.origin)).await;
    assert!(
        matches!(no_cookie, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 401)
    );
    let forged = app
        .try_ws(
            "/ws/staff",
            Some("ecoute_session=forged"),
            Some(&app.origin),
        )
        .await;
    assert!(
        matches!(forged, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 401)
    );
    let foreign = app
        .try_ws(
            "/ws/staff",
            Some(&officer.cookie),
            Some("https://evil.example"),
        )
        .await;
    assert!(
        matches!(foreign, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 403)
    );
    let none = app.try_ws("/ws/staff", Some(&officer.cookie), None).await;
    assert!(
        matches!(none, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 403)
    );
    let visitor_foreign = app
        .try_ws("/ws/visitor", None, Some("https://evil.example"))
        .await;
    assert!(
        matches!(visitor_foreign, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 403)
    );
}

#[tokio::test]
async fn logging_out_ends_the_session_and_closes_its_sockets() {
    let app = spawn_app().await;
    let officer = app.officer("alice").await;
    let (mut ws, _) = app.staff_socket(&officer).await;
    let r = app
        .http
        .post(app.url("/api/staff/logout"))
        .header("origin", &app.origin)
        .header("cookie", &officer.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(ws.closed().await, Some(1008));
    let me = app
        .http
        .get(app.url("/api/staff/me"))
        .header("cookie", &officer.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
}

#[tokio::test]
async fn an_expired_session_closes_its_sockets_within_a_second_or_two() {
    let app = spawn_app().await;
    let officer = app.officer("alice").await;
    let (mut ws, _) = app.staff_socket(&officer).await;
    let value = officer.cookie.split_once('=').unwrap().1;
    let hash = ecoute_crypto::hash_token(value);
    // Sixteen minutes without activity, as if the officer had walked away.
    let long_ago = time::OffsetDateTime::now_utc() - time::Duration::minutes(16);
    ecoute_store::Store::touch_session(&app.store, hash, long_ago)
        .await
        .unwrap();
    let closed = tokio::time::timeout(std::time::Duration::from_millis(2500), ws.closed())
        .await
        .expect("the socket closes within the second after expiry");
    assert_eq!(closed, Some(1008));
    let me = app
        .http
        .get(app.url("/api/staff/me"))
        .header("cookie", &officer.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
}
