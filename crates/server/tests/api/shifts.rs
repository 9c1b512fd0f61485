//! Shifts (docs/SHIFTS.md): ending one hands each chat to a colleague with a note, to the
//! queue, or to the supervisors, then the officer is off duty; a chat the visitor left is
//! never put in the queue; supervisors start paused; the board shows who is on duty and the
//! day's presence.

use crate::helpers::*;
use ecoute::config::{RoutingConfig, RoutingMode};
use ecoute_domain::{ConversationId, Role, StateName, UserId};
use ecoute_store::{NewAudit, Store};
use serde_json::{Value, json};
use std::time::Duration;

fn offer_mode(c: &mut ecoute::Config) {
    c.routing = RoutingConfig {
        mode: RoutingMode::Offer,
        offer_timeout_secs: 30,
        ..Default::default()
    };
}

/// Reads frames until one of `kind` arrives, within `secs`; `None` if none came.
async fn within(ws: &mut Ws, kind: &str, secs: u64) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Err(_) => return None,
            Ok(Next::Frame(v)) if v["type"] == kind => return Some(v),
            Ok(Next::Frame(_)) => continue,
            Ok(Next::Closed(code)) => panic!("socket closed ({code:?}) waiting for {kind}"),
        }
    }
}

async fn claim(ws: &mut Ws, visitor: &Visitor) {
    ws.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    ws.recv_type("claimed").await;
}

async fn end_shift(app: &TestApp, who: &Officer, handovers: Value) -> reqwest::Response {
    app.http
        .post(app.url("/api/staff/shift/end"))
        .header("cookie", &who.cookie)
        .header("origin", &app.origin)
        .json(&json!({ "handovers": handovers }))
        .send()
        .await
        .unwrap()
}

async fn state_of(app: &TestApp, visitor: &Visitor) -> ecoute_domain::ConversationState {
    let id = ConversationId(visitor.conversation_id.parse().unwrap());
    app.store.conversation(id).await.unwrap().unwrap().state
}

fn uid(o: &Officer) -> UserId {
    UserId(o.id.parse().unwrap())
}

async fn actions_of(app: &TestApp, who: &Officer) -> Vec<(String, Option<String>)> {
    let me = uid(who);
    app.store
        .audit_page(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .filter(|r| r.entry.actor == Some(me))
        .map(|r| {
            (
                r.entry.action.clone(),
                r.entry.conversation.map(|c| c.to_string()),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ending_a_shift_hands_a_chat_to_a_colleague_with_its_note_and_another_to_the_queue_then_no_offer_comes()
 {
    let app = spawn_app_with(offer_mode).await;
    let anna = app.officer("anna").await;
    let bruno = app.officer("bruno").await;
    let (mut wa, _) = app.staff_socket(&anna).await;
    let (mut wb, _) = app.staff_socket(&bruno).await;
    // Bruno is at his console but paused: a chat may still be handed to him, and nothing is
    // offered to him, so what the queue does next is visible.
    wb.send(json!({"type": "presence", "status": "paused"}))
        .await;
    assert_eq!(wb.recv_type("presence").await["status"], "paused");
    let first = app.start_visitor().await;
    let second = app.start_visitor().await;
    claim(&mut wa, &first).await;
    claim(&mut wa, &second).await;

    // The dialog lists both chats and Bruno, who may take one.
    let view: Value = get_as(&app, &anna, "/api/staff/shift")
        .await
        .json()
        .await
        .unwrap();
    let chats: Vec<&str> = view["chats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["conversation_id"].as_str().unwrap())
        .collect();
    assert_eq!(chats.len(), 2);
    assert!(chats.contains(&first.conversation_id.as_str()));
    let b = view["colleagues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["display_name"] == "Agent bruno")
        .expect("Bruno is listed");
    assert_eq!(b["may_take"], true);
    assert_eq!(b["presence"], "paused");

    let r = end_shift(
        &app,
        &anna,
        json!([
            {"conversation_id": first.conversation_id, "to": "colleague",
             "colleague_id": bruno.id, "note": "Elle attend un appel à 18 h."},
            {"conversation_id": second.conversation_id, "to": "queue"},
        ]),
    )
    .await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["ended"], true, "{done}");
    assert_eq!(done["presence"], "offline");
    assert!(
        done["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["ok"] == true)
    );
    assert!(done["remaining"].as_array().unwrap().is_empty());

    // Anna's console: both chats leave, and the shift is over.
    let mut handed = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, wa.next()).await {
            Ok(Next::Frame(v)) if v["type"] == "handed_over" => handed += 1,
            Ok(Next::Frame(v)) if v["type"] == "presence" && v["status"] == "offline" => break,
            Ok(Next::Frame(_)) => {}
            Ok(Next::Closed(code)) => panic!("Anna's console closed ({code:?})"),
            Err(_) => panic!("Anna's console never showed her shift over"),
        }
    }
    assert_eq!(
        handed, 2,
        "both chats leave Anna's console before her shift ends"
    );

    // Bruno has the first chat, and reads the note first.
    let claimed = within(&mut wb, "claimed", 3).await.expect("Bruno's chat");
    assert_eq!(
        claimed["chat"]["conversation_id"],
        first.conversation_id.as_str()
    );
    wb.send(json!({"type": "sync", "conversation_id": first.conversation_id, "after_seq": 0}))
        .await;
    let note = wb.recv_type("note").await;
    assert_eq!(note["kind"], "handover");
    assert_eq!(note["body"], "Elle attend un appel à 18 h.");
    assert_eq!(note["author_name"], "Agent anna");

    // The second waits in the queue.
    assert_eq!(
        state_of(&app, &second).await,
        ecoute_domain::ConversationState::Waiting
    );

    // Audited: one entry per chat handed, then the end of the shift.
    let actions = actions_of(&app, &anna).await;
    let tail: Vec<&str> = actions
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(|(a, _)| a.as_str())
        .collect();
    assert_eq!(
        tail,
        ["transfer", "handed_back", "shift_ended"],
        "{actions:?}"
    );

    // Off duty: no offer comes to Anna, and no chat can be handed to her.
    let third = app.start_visitor().await;
    assert!(
        within(&mut wa, "offer", 3).await.is_none(),
        "an officer whose shift ended was offered a chat"
    );
    wb.send(
        json!({"type": "transfer", "conversation_id": first.conversation_id,
        "to_officer": anna.id, "note": "Retour ?"}),
    )
    .await;
    assert_eq!(wb.recv_type("error").await["code"], "colleague_unavailable");
    // Bruno available: the queue is offered to him, so the offers were running all along.
    wb.send(json!({"type": "presence", "status": "available"}))
        .await;
    let offer = within(&mut wb, "offer", 4).await.expect("offered to Bruno");
    let offered = offer["chat"]["conversation_id"].as_str().unwrap();
    assert!(offered == second.conversation_id || offered == third.conversation_id);

    // Starting again puts her back on duty.
    let r = app
        .http
        .post(app.url("/api/staff/shift/start"))
        .header("cookie", &anna.cookie)
        .header("origin", &app.origin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["presence"], "available");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_handover_keeps_the_chat_with_its_officer_and_the_shift_goes_on() {
    let app = spawn_app().await;
    let anna = app.officer("anna").await;
    let bruno = app.officer("bruno").await;
    let (mut wa, _) = app.staff_socket(&anna).await;
    let (mut wb, _) = app.staff_socket(&bruno).await;
    // Bruno may hold one chat, and holds one.
    app.store
        .set_capacity(
            uid(&bruno),
            1,
            NewAudit::system("capacity_changed", time::OffsetDateTime::now_utc()),
        )
        .await
        .unwrap();
    let his = app.start_visitor().await;
    claim(&mut wb, &his).await;
    let live = app.start_visitor().await;
    let left = app.start_visitor().await;
    claim(&mut wa, &live).await;
    claim(&mut wa, &left).await;
    let (mut vs, _) = app.visitor_socket(&left, 0).await;
    vs.send(json!({"type": "quick_exit"})).await;
    wa.recv_type("visitor_left").await;

    // Bad requests change nothing.
    for bad in [
        json!([{"conversation_id": live.conversation_id, "to": "colleague", "note": "x"}]),
        json!([{"conversation_id": live.conversation_id, "to": "queue", "colleague_id": bruno.id}]),
        json!([{"conversation_id": live.conversation_id, "to": "queue"},
               {"conversation_id": live.conversation_id, "to": "queue"}]),
        json!([{"conversation_id": live.conversation_id, "to": "home"}]),
        json!([{"conversation_id": live.conversation_id, "to": "queue", "note": "x".repeat(4001)}]),
    ] {
        let r = end_shift(&app, &anna, bad.clone()).await;
        assert_eq!(r.status(), 400, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].is_string(), "{body}");
    }
    let r = app
        .http
        .post(app.url("/api/staff/shift/end"))
        .header("cookie", &anna.cookie)
        .json(&json!({"handovers": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no origin: refused");
    assert!(matches!(
        state_of(&app, &live).await,
        ecoute_domain::ConversationState::Active { .. }
    ));

    // Bruno is full; a chat the visitor left cannot go to the queue; a colleague needs a note.
    let r = end_shift(
        &app,
        &anna,
        json!([
            {"conversation_id": live.conversation_id, "to": "colleague",
             "colleague_id": bruno.id, "note": "Elle a peur de rentrer."},
            {"conversation_id": left.conversation_id, "to": "queue"},
        ]),
    )
    .await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["ended"], false);
    let codes: Vec<&str> = done["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["error"].as_str().unwrap_or("ok"))
        .collect();
    assert_eq!(codes, ["at_capacity", "visitor_left_not_queued"]);
    assert_eq!(done["remaining"].as_array().unwrap().len(), 2);
    // Nothing lost: both chats are still hers, and she is paused, not off duty.
    assert_eq!(state_of(&app, &live).await.officer(), Some(uid(&anna)));
    assert_eq!(state_of(&app, &left).await.name(), StateName::VisitorLeft);
    assert_eq!(done["presence"], "paused");

    // Bruno goes away: a chat cannot go to him any more.
    wb.close().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = end_shift(
        &app,
        &anna,
        json!([{"conversation_id": live.conversation_id, "to": "colleague",
                "colleague_id": bruno.id, "note": "Elle a peur de rentrer."}]),
    )
    .await;
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["results"][0]["error"], "colleague_unavailable");
    assert_eq!(done["ended"], false);

    // Handed right, the shift ends: the live chat to the queue, the left one to the
    // supervisors with a note.
    let r = end_shift(
        &app,
        &anna,
        json!([
            {"conversation_id": live.conversation_id, "to": "queue", "note": "Elle a peur de rentrer."},
            {"conversation_id": left.conversation_id, "to": "wrap_up", "note": "Partie en urgence, rien dit du danger."},
        ]),
    )
    .await;
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["ended"], true, "{done}");
    let actions = actions_of(&app, &anna).await;
    assert!(actions.contains(&("left_to_wrap_up".into(), Some(left.conversation_id.clone()))));
    assert_eq!(actions.last().unwrap().0, "shift_ended");
    // The supervisors see it to wrap up.
    let sam = app.staff("sam", Role::Supervisor).await;
    let duty: Value = get_as(&app, &sam, "/api/staff/shifts/today")
        .await
        .json()
        .await
        .unwrap();
    let wrap: Vec<&str> = duty["wrap_up"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["conversation_id"].as_str().unwrap())
        .collect();
    assert_eq!(wrap, [left.conversation_id.as_str()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_chat_the_visitor_left_waits_for_a_supervisor_when_its_officer_is_gone_while_a_live_one_goes_back_to_the_queue()
 {
    let app = spawn_app_with(|c| {
        c.routing.pause_after_secs = 1;
        c.routing.requeue_after_secs = 3;
    })
    .await;
    let olga = app.officer("olga").await;
    let (mut wo, _) = app.staff_socket(&olga).await;
    let live = app.start_visitor().await;
    let left = app.start_visitor().await;
    claim(&mut wo, &live).await;
    claim(&mut wo, &left).await;
    let (mut vs, _) = app.visitor_socket(&left, 0).await;
    vs.send(json!({"type": "quick_exit"})).await;
    wo.recv_type("visitor_left").await;
    wo.close().await;

    let sam = app.staff("sam", Role::Supervisor).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(12);
    loop {
        let live_waits = state_of(&app, &live).await == ecoute_domain::ConversationState::Waiting;
        let duty: Value = get_as(&app, &sam, "/api/staff/shifts/today")
            .await
            .json()
            .await
            .unwrap();
        let wrap: Vec<String> = duty["wrap_up"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["conversation_id"].as_str().unwrap().to_string())
            .collect();
        if live_waits && wrap == [left.conversation_id.clone()] {
            assert_eq!(duty["wrap_up"][0]["officer"], "Agent olga");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "live chat waiting: {live_waits}, to wrap up: {wrap:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // The chat the visitor left is still Olga's, never put in the queue.
    assert_eq!(
        state_of(&app, &left).await,
        ecoute_domain::ConversationState::VisitorLeft {
            officer: uid(&olga)
        }
    );

    // A supervisor takes it over and closes it; it leaves the list.
    let (mut ws, _) = app.staff_socket(&sam).await;
    ws.send(json!({"type": "take_over", "conversation_id": left.conversation_id}))
        .await;
    within(&mut ws, "claimed", 3).await.expect("taken over");
    ws.send(
        json!({"type": "close", "conversation_id": left.conversation_id,
        "outcome": "visitor_left"}),
    )
    .await;
    within(&mut ws, "chat_closed", 3).await.expect("closed");
    let duty: Value = get_as(&app, &sam, "/api/staff/shifts/today")
        .await
        .json()
        .await
        .unwrap();
    assert!(duty["wrap_up"].as_array().unwrap().is_empty(), "{duty}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_with_a_console_open_is_offered_no_chat_until_they_choose_available() {
    let app = spawn_app_with(offer_mode).await;
    let sam = app.staff("sam", Role::Supervisor).await;
    let (mut ws, welcome) = app.staff_socket(&sam).await;
    assert_eq!(welcome["presence"], "paused");
    let visitor = app.start_visitor().await;
    assert!(
        within(&mut ws, "offer", 3).await.is_none(),
        "a supervisor was offered a chat before choosing to be available"
    );
    // The wait estimate does not count them either: the visitor is told nobody is available.
    let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
    let q = within(&mut vs, "queue", 3).await.expect("a queue frame");
    assert_eq!(q["estimate"], "no_one_available", "{q}");

    ws.send(json!({"type": "presence", "status": "available"}))
        .await;
    let offer = within(&mut ws, "offer", 4)
        .await
        .expect("offered once available");
    assert_eq!(
        offer["chat"]["conversation_id"],
        visitor.conversation_id.as_str()
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let q = within(&mut vs, "queue", 5).await.expect("a queue frame");
        if q["estimate"] == "seconds" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "still {q}");
    }

    // An administrator starts paused too; an officer available, as before.
    let ada = app.staff("ada", Role::Admin).await;
    let (_wa, welcome) = app.staff_socket(&ada).await;
    assert_eq!(welcome["presence"], "paused");
    let olga = app.officer("olga").await;
    let (_wo, welcome) = app.staff_socket(&olga).await;
    assert_eq!(welcome["presence"], "available");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_shows_who_is_on_duty_and_each_span_of_the_days_presence() {
    let app = spawn_app().await;
    let anna = app.officer("anna").await;
    let (mut wa, _) = app.staff_socket(&anna).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    wa.send(json!({"type": "presence", "status": "paused"}))
        .await;
    wa.recv_type("presence").await;
    let sam = app.staff("sam", Role::Supervisor).await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    let duty = loop {
        let duty: Value = get_as(&app, &sam, "/api/staff/shifts/today")
            .await
            .json()
            .await
            .unwrap();
        let spans: Vec<String> = duty["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["display_name"] == "Agent anna")
            .flat_map(|p| p["spans"].as_array().unwrap().clone())
            .map(|s| s["state"].as_str().unwrap().to_string())
            .collect();
        if spans == ["available", "paused"] {
            break duty;
        }
        assert!(tokio::time::Instant::now() < deadline, "{duty}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let on = duty["on_duty"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["display_name"] == "Agent anna")
        .expect("Anna on duty")
        .clone();
    assert_eq!(on["presence"], "paused");
    assert!(on["since"].is_string(), "{on}");

    // The page says the same in words, with the drawing beside.
    let r = get_as(&app, &sam, "/console/shifts").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Agent anna"));
    assert!(html.contains("class=\"tl-available\""), "{html}");
    assert!(
        html.contains("Disponible "),
        "the text alternative names the state"
    );
    // An officer has no access to it.
    assert_eq!(
        get_as(&app, &anna, "/api/staff/shifts/today")
            .await
            .status(),
        403
    );
    assert_eq!(
        get_as(&app, &anna, "/console/shifts/duty").await.status(),
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purge_job_deletes_presence_spans_ended_more_than_35_days_ago() {
    let app = spawn_app_with(|c| c.retention.purge_interval = Duration::from_secs(1)).await;
    app.create_user("olga", Role::Officer).await;
    let olga = app
        .store
        .staff_loads()
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.user.username == "olga")
        .unwrap()
        .user
        .id;
    let now = time::OffsetDateTime::now_utc();
    let day = time::Duration::days;
    for (state, at) in [
        (Some("available"), now - day(40)),
        (Some("paused"), now - day(36)),
        (Some("available"), now - day(34)),
        (None, now - day(33)),
    ] {
        app.store
            .record_presence_span(olga, state, at)
            .await
            .unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = app.store.presence_spans(now - day(60), now).await.unwrap();
        let states: Vec<&str> = left.iter().map(|s| s.state.as_str()).collect();
        // The first span ended 36 days ago: deleted. The pause ended 34 days ago: kept.
        if states == ["paused", "available"] {
            assert_eq!(
                left[0].started_at.unix_timestamp(),
                (now - day(36)).unix_timestamp()
            );
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{states:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
