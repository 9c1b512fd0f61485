//! Claiming is atomic: whatever the timing, one owner.

use crate::helpers::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_officers_claiming_one_chat_at_once_give_exactly_one_owner() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let mut officers = Vec::new();
    for i in 0..20 {
        officers.push(app.officer(&format!("officer{i:02}")).await);
    }
    let mut sockets = Vec::new();
    for officer in &officers {
        let (mut ws, _) = app.staff_socket(officer).await;
        ws.recv_type("queue").await;
        sockets.push(ws);
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(sockets.len()));
    let mut tasks = Vec::new();
    for (mut ws, officer) in sockets
        .into_iter()
        .zip(officers.iter().map(|o| o.id.clone()))
    {
        let barrier = barrier.clone();
        let id = visitor.conversation_id.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            ws.send(json!({"type": "claim", "conversation_id": id}))
                .await;
            loop {
                let v = ws.recv().await;
                match v["type"].as_str().unwrap() {
                    "queue" => continue,
                    "claimed" => return Ok(officer),
                    "error" => {
                        assert_eq!(v["code"], "already_claimed");
                        assert_eq!(v["conversation_id"], id.as_str());
                        return Err(());
                    }
                    other => panic!("unexpected {other}"),
                }
            }
        }));
    }
    let mut owners = Vec::new();
    for t in tasks {
        if let Ok(owner) = t.await.unwrap() {
            owners.push(owner);
        }
    }
    assert_eq!(owners.len(), 1, "exactly one officer owns the chat");

    // The visitor is told the name of that one officer, and the store agrees.
    let (_, welcome) = app.visitor_socket(&visitor, 0).await;
    assert_eq!(welcome["state"], "active");
    let winner = officers.iter().find(|o| o.id == owners[0]).unwrap();
    assert_eq!(welcome["officer"]["name"], winner.display_name.as_str());
}

#[tokio::test]
async fn a_claimed_chat_leaves_every_console_queue() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let a = app.officer("alice").await;
    let b = app.officer("bruno").await;
    let (mut wa, _) = app.staff_socket(&a).await;
    let (mut wb, _) = app.staff_socket(&b).await;
    assert_eq!(
        wb.recv_type("queue").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    wa.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    wa.recv_type("claimed").await;
    let q = wb.recv_type("queue").await;
    assert!(q["items"].as_array().unwrap().is_empty());
    wb.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    let e = wb.recv_type("error").await;
    assert_eq!(e["code"], "already_claimed");
}

#[tokio::test]
async fn an_officer_at_capacity_is_told_and_the_chat_stays_in_the_queue() {
    let app = spawn_app().await;
    let officer = app.officer("martin").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    let mut visitors = Vec::new();
    for _ in 0..4 {
        visitors.push(app.start_visitor().await);
    }
    for v in &visitors[..3] {
        o.send(json!({"type": "claim", "conversation_id": v.conversation_id}))
            .await;
        o.recv_type("claimed").await;
    }
    o.send(json!({"type": "claim", "conversation_id": visitors[3].conversation_id}))
        .await;
    let e = o.recv_type("error").await;
    assert_eq!(e["code"], "at_capacity");
    assert_eq!(e["conversation_id"], visitors[3].conversation_id.as_str());
    let (_, welcome) = app.visitor_socket(&visitors[3], 0).await;
    assert_eq!(welcome["state"], "waiting");
}
