//! Closed chats read again: the officer who closed one, for `reread_days`; supervisors, any
//! chat still kept; nobody else, and every reading audited.

use crate::helpers::*;
use ecoute_domain::Role;
use ecoute_store::Store;
use serde_json::json;

/// A chat that `officer` claims, answers and closes; returns its id and the words exchanged.
async fn closed_chat(app: &TestApp, officer: &Officer) -> (String, String, String) {
    let visitor = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    let (mut o, _) = app.staff_socket(officer).await;
    let id = visitor.conversation_id.clone();
    let (said, answered) = (
        format!("je voudrais parler {}", &id[..8]),
        format!("je vous écoute {}", &id[..8]),
    );
    v.send(json!({"type": "send", "client_id": "v1", "body": said}))
        .await;
    v.recv_type("ack").await;
    o.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    o.recv_type("claimed").await;
    o.send(json!({"type": "send", "conversation_id": id, "client_id": "o1", "body": answered}))
        .await;
    o.recv_type("ack").await;
    o.send(json!({"type": "close", "conversation_id": id, "outcome": "information_given"}))
        .await;
    o.recv_type("chat_closed").await;
    (id, said, answered)
}

async fn get(app: &TestApp, who: &Officer, path: &str) -> (u16, String) {
    let r = app
        .http
        .get(app.url(path))
        .header("cookie", &who.cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn closed_reads_of(app: &TestApp, id: &str) -> usize {
    app.store
        .audit_page(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.entry.action == "read"
                && r.entry.detail.as_deref() == Some("closed chat")
                && r.entry.conversation.map(|c| c.to_string()).as_deref() == Some(id)
        })
        .count()
}

#[tokio::test]
async fn the_officer_who_closed_a_chat_reads_it_again_and_the_reading_is_audited() {
    let app = spawn_app().await;
    let alice = app.officer("alice").await;
    let (id, said, answered) = closed_chat(&app, &alice).await;

    let (status, list) = get(&app, &alice, "/console/history").await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("/console/history/{id}")), "{list}");
    assert_eq!(closed_reads_of(&app, &id).await, 0, "listing reads nothing");

    let (status, page) = get(&app, &alice, &format!("/console/history/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&said) && page.contains(&answered), "{page}");
    assert!(page.contains("Information donnée"), "the outcome is shown");
    assert_eq!(closed_reads_of(&app, &id).await, 1);
}

#[tokio::test]
async fn another_officer_cannot_read_a_closed_chat_and_does_not_see_it_listed() {
    let app = spawn_app().await;
    let alice = app.officer("alice").await;
    let bruno = app.officer("bruno").await;
    let (id, said, _) = closed_chat(&app, &alice).await;

    let (status, page) = get(&app, &bruno, &format!("/console/history/{id}")).await;
    assert_eq!(status, 404);
    assert!(!page.contains(&said));
    let (_, list) = get(&app, &bruno, "/console/history").await;
    assert!(!list.contains(&id));
    assert_eq!(
        closed_reads_of(&app, &id).await,
        0,
        "a refused reading reads nothing"
    );
}

#[tokio::test]
async fn a_supervisor_reads_any_closed_chat_still_kept() {
    let app = spawn_app().await;
    let alice = app.officer("alice").await;
    let chief = app.staff("chef", Role::Supervisor).await;
    let (id, said, _) = closed_chat(&app, &alice).await;
    let (_, list) = get(&app, &chief, "/console/history").await;
    assert!(list.contains(&id));
    let (status, page) = get(&app, &chief, &format!("/console/history/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&said));
    assert_eq!(closed_reads_of(&app, &id).await, 1);
}

#[tokio::test]
async fn past_reread_days_the_officer_no_longer_reads_their_closed_chat() {
    let app = spawn_app_with(|c| c.reread_days = 0).await;
    let alice = app.officer("alice").await;
    let (id, _, _) = closed_chat(&app, &alice).await;
    // Zero days: closed a moment ago is already past.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, _) = get(&app, &alice, &format!("/console/history/{id}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_open_chat_or_a_made_up_id_is_not_read_through_the_history() {
    let app = spawn_app().await;
    let alice = app.officer("alice").await;
    let visitor = app.start_visitor().await;
    let (mut o, _) = app.staff_socket(&alice).await;
    o.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    o.recv_type("claimed").await;
    for path in [
        format!("/console/history/{}", visitor.conversation_id),
        "/console/history/00000000-0000-4000-8000-000000000000".to_string(),
        "/console/history/not-an-id".to_string(),
    ] {
        assert_eq!(get(&app, &alice, &path).await.0, 404, "{path}");
    }
    let anonymous = app
        .http
        .get(app.url("/console/history"))
        .send()
        .await
        .unwrap();
    assert_ne!(anonymous.status(), 200, "the page needs a session");
}
