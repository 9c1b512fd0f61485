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

/// Reads frames until the answer to the `send` of `client_id` (its `ack` or an `error` naming
/// it), skipping everything else.
async fn answer_to(ws: &mut Ws, client_id: &str) -> Value {
    loop {
        let f = ws.recv_skipping_queue().await;
        let kind = f["type"].as_str().unwrap_or_default();
        if (kind == "ack" || kind == "error") && f["client_id"] == client_id {
            return f;
        }
    }
}

/// Sends each message of `ids` after the previous one's `ack`, waiting `retry_after_ms` and
/// sending the same one again whenever it is refused as too fast: what a well-behaved page does.
async fn send_one_at_a_time(ws: &mut Ws, ids: &[String], conversation: Option<&str>) {
    for id in ids {
        loop {
            let mut frame = json!({"type": "send", "client_id": id, "body": format!("body {id}")});
            if let Some(c) = conversation {
                frame["conversation_id"] = json!(c);
            }
            ws.send(frame).await;
            let f = answer_to(ws, id).await;
            if f["type"] == "ack" {
                break;
            }
            assert_eq!(f["code"], "rate_limited", "{f}");
            let wait = f["retry_after_ms"]
                .as_u64()
                .expect("a refusal says how long to wait");
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
        }
    }
}

async fn stored_client_ids(app: &TestApp, conversation: &str) -> Vec<String> {
    app.store
        .messages_after(conversation.parse().unwrap(), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.client_id)
        .collect()
}

/// Pipelines `ids` without waiting, then reads every answer: the ids stored at once, the
/// first one refused as too fast, and checks that nothing after it was taken.
async fn pipeline_past_the_limit(ws: &mut Ws, ids: &[String], conversation: Option<&str>) -> usize {
    for id in ids {
        let mut frame = json!({"type": "send", "client_id": id, "body": format!("body {id}")});
        if let Some(c) = conversation {
            frame["conversation_id"] = json!(c);
        }
        ws.send(frame).await;
    }
    // Acks come once committed, refusals at once: read them all before judging.
    let mut answers = std::collections::HashMap::new();
    while answers.len() < ids.len() {
        let f = ws.recv_skipping_queue().await;
        if matches!(f["type"].as_str(), Some("ack" | "error")) {
            answers.insert(f["client_id"].as_str().unwrap().to_string(), f);
        }
    }
    let mut first_refused = None;
    for (i, id) in ids.iter().enumerate() {
        let f = &answers[id];
        match (first_refused, f["type"].as_str().unwrap()) {
            (None, "ack") => {}
            (None, _) => {
                assert_eq!(f["code"], "rate_limited", "{f}");
                assert!(f["retry_after_ms"].as_u64().unwrap() > 0);
                first_refused = Some(i);
            }
            (Some(_), "error") => {
                assert_eq!(
                    f["code"], "out_of_order",
                    "a message after a refused one is not taken: {f}"
                );
                assert!(f.get("retry_after_ms").is_none());
            }
            (Some(r), _) => panic!("{id} was stored after {} was refused", ids[r]),
        }
    }
    first_refused.expect("the burst ran out")
}

#[tokio::test]
async fn a_message_sent_after_a_refused_one_is_refused_until_the_refused_one_comes_again() {
    // 600 a minute: bursts of 100, then one every 100 ms.
    let app = spawn_app_with(|c| c.limits.messages_per_minute = 600).await;
    let visitor = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    let written: Vec<String> = (0..130).map(|i| format!("m{i:03}")).collect();

    let refused = pipeline_past_the_limit(&mut v, &written, None).await;
    assert!(
        (100..=110).contains(&refused),
        "the burst is about 100: {refused}"
    );
    // A later message still cannot overtake, whatever time passed: only the refused one is
    // awaited.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    v.send(json!({"type": "send", "client_id": written[refused + 1], "body": "x"}))
        .await;
    assert_eq!(
        answer_to(&mut v, &written[refused + 1]).await["code"],
        "out_of_order"
    );
    send_one_at_a_time(&mut v, &written[refused..], None).await;

    assert_eq!(
        stored_client_ids(&app, &visitor.conversation_id).await,
        written
    );
    // The quick exit is never rate limited, even right after a refusal.
    v.send(json!({"type": "quick_exit"})).await;
    assert_eq!(v.closed().await, Some(normal_close()));
}

#[tokio::test]
async fn typing_marks_and_pings_do_not_eat_the_message_allowance() {
    // 60 a minute: bursts of 10 messages; other frames have 240 a minute in bursts of 60.
    let app = spawn_app_with(|c| c.limits.messages_per_minute = 60).await;
    let visitor = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    for _ in 0..25 {
        v.send(json!({"type": "typing"})).await;
        v.send(json!({"type": "marks", "received_seq": 0, "read_seq": 0}))
            .await;
    }
    let ids: Vec<String> = (0..10).map(|i| format!("m{i}")).collect();
    for id in &ids {
        v.send(json!({"type": "send", "client_id": id, "body": "hello"}))
            .await;
        assert_eq!(answer_to(&mut v, id).await["type"], "ack", "{id}");
    }
    assert_eq!(stored_client_ids(&app, &visitor.conversation_id).await, ids);
}

#[tokio::test]
async fn a_console_message_sent_after_a_refused_one_is_refused_but_other_chats_go_on() {
    // Staff connections have twice the visitor's allowance: 600 a minute, bursts of 100.
    let app = spawn_app_with(|c| c.limits.messages_per_minute = 300).await;
    let one = app.start_visitor().await;
    let two = app.start_visitor().await;
    let officer = app.officer("martin").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    for chat in [&one, &two] {
        o.send(json!({"type": "claim", "conversation_id": chat.conversation_id}))
            .await;
        o.recv_type("claimed").await;
    }
    let written: Vec<String> = (0..130).map(|i| format!("o{i:03}")).collect();
    let refused = pipeline_past_the_limit(&mut o, &written, Some(&one.conversation_id)).await;

    // The other chat is not held up by the first one's refused message (only by the allowance).
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    o.send(json!({"type": "send", "conversation_id": two.conversation_id, "client_id": "other", "body": "hi"}))
        .await;
    assert_eq!(answer_to(&mut o, "other").await["type"], "ack");

    send_one_at_a_time(&mut o, &written[refused..], Some(&one.conversation_id)).await;
    assert_eq!(stored_client_ids(&app, &one.conversation_id).await, written);
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
        .send(json!({"type": "hello", "token": fake.token, "last_seq": 0}))
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
