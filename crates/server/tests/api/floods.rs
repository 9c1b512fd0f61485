//! Floods cannot bury real victims: caps, per-source and per-connection limits, blocking.

use crate::helpers::*;
use ecoute_store::Store;
use serde_json::{Value, json};

async fn start(app: &TestApp, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut r = app
        .http
        .post(app.url("/api/visitor/conversations"))
        .json(&json!({"kind": "victim", "minor": false}));
    if let Some(ip) = forwarded_for {
        r = r.header("x-forwarded-for", ip);
    }
    r.send().await.unwrap()
}

#[tokio::test]
async fn new_conversations_are_refused_while_the_waiting_queue_is_full() {
    let app = spawn_app_with(|c| c.limits.max_waiting = 2).await;
    let first: Value = start(&app, None).await.json().await.unwrap();
    assert_eq!(start(&app, None).await.status(), 201);
    let full = Some(start(&app, None).await).filter(|r| r.status() == 503);
    let full = full.expect("the third conversation is refused");
    let body: Value = full.json().await.unwrap();
    assert_eq!(body["error"], "queue_full");
    assert!(
        body["message"].as_str().unwrap().contains("17"),
        "the refusal gives the emergency numbers"
    );

    // Once an officer takes one, there is room again.
    let officer = app.officer("martin").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    o.send(json!({"type": "claim", "conversation_id": first["conversation_id"]}))
        .await;
    o.recv_type("claimed").await;
    assert_eq!(start(&app, None).await.status(), 201);
}

#[tokio::test]
async fn one_source_cannot_start_conversations_without_end_but_others_still_can() {
    let app = spawn_app_with(|c| {
        c.limits.starts_per_source_per_hour = 3;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    for _ in 0..3 {
        assert_eq!(start(&app, Some("198.51.100.1")).await.status(), 201);
    }
    let refused = start(&app, Some("198.51.100.1")).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(start(&app, Some("198.51.100.2")).await.status(), 201);
}

#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit() {
    let app = spawn_app_with(|c| c.limits.starts_per_source_per_hour = 3).await;
    for i in 0..3 {
        assert_eq!(
            start(&app, Some(&format!("203.0.113.{i}"))).await.status(),
            201
        );
    }
    assert_eq!(start(&app, Some("203.0.113.99")).await.status(), 429);
}

#[tokio::test]
async fn a_connection_sending_too_fast_is_refused_without_losing_what_was_stored() {
    let app = spawn_app_with(|c| c.limits.messages_per_minute = 6).await;
    let visitor = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    // The hello counted; a burst of two more passes, then the limit bites.
    let mut acked = 0;
    let mut limited = 0;
    for i in 0..6 {
        v.send(json!({"type": "send", "client_id": format!("m{i}"), "body": "spam"}))
            .await;
        loop {
            let f = v.recv_skipping_queue().await;
            match f["type"].as_str().unwrap() {
                "ack" => {
                    acked += 1;
                    break;
                }
                "error" => {
                    assert_eq!(f["code"], "rate_limited");
                    assert_eq!(f["client_id"], format!("m{i}"));
                    limited += 1;
                    break;
                }
                _ => continue,
            }
        }
    }
    assert!(
        acked >= 1 && limited >= 1,
        "acked {acked}, limited {limited}"
    );
    // The quick exit is never rate limited.
    v.send(json!({"type": "quick_exit"})).await;
    assert_eq!(v.closed().await, Some(normal_close()));
    let stored = app
        .store
        .messages_after(visitor.conversation_id.parse().unwrap(), 0, 100)
        .await
        .unwrap();
    assert_eq!(stored.len(), acked);
}

#[tokio::test]
async fn an_officer_blocks_a_chat_which_ends_it_and_revokes_its_token() {
    let app = spawn_app().await;
    let fake = app.start_visitor().await;
    let real = app.start_visitor().await;
    let alice = app.officer("alice").await;
    let bruno = app.officer("bruno").await;
    let (mut v, _) = app.visitor_socket(&fake, 0).await;
    let (mut a, _) = app.staff_socket(&alice).await;
    let (mut b, _) = app.staff_socket(&bruno).await;

    // Any officer may block a waiting chat, without taking it.
    b.send(json!({"type": "block", "conversation_id": fake.conversation_id}))
        .await;
    let e = v.recv_type("error").await;
    assert_eq!(e["code"], "invalid_token");
    assert_eq!(v.closed().await, Some(1008));
    let mut again = app.ws("/ws/visitor", None).await;
    again
        .send(json!({"type": "hello", "token": fake.token}))
        .await;
    assert_eq!(again.recv().await["code"], "invalid_token");
    // The queue every console sees drops it (the first frame may predate the block).
    loop {
        let q = a.recv_type("queue").await;
        let ids: Vec<_> = q["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["conversation_id"].clone())
            .collect();
        if !ids.contains(&json!(fake.conversation_id)) {
            assert!(ids.contains(&json!(real.conversation_id)));
            break;
        }
    }

    // A claimed chat: only its owner may block it.
    a.send(json!({"type": "claim", "conversation_id": real.conversation_id}))
        .await;
    a.recv_type("claimed").await;
    b.send(json!({"type": "block", "conversation_id": real.conversation_id}))
        .await;
    assert_eq!(b.recv_type("error").await["code"], "not_owner");
    a.send(json!({"type": "block", "conversation_id": real.conversation_id}))
        .await;
    assert_eq!(a.recv_type("chat_closed").await["outcome"], "blocked");

    let audit = app.store.audit_after(0, 100).await.unwrap();
    let blocks = audit.iter().filter(|r| r.entry.action == "block").count();
    assert_eq!(blocks, 2);
}
