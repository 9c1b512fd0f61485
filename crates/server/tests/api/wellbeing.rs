//! Officer wellbeing through the real server (docs/WELLBEING.md): exposure recorded while an
//! officer holds a chat, the break presence, rule 5 of the routing rules in offer mode, and
//! "Mon service".

use crate::helpers::*;
use ecoute::config::{RoutingConfig, RoutingMode, WellbeingConfig};
use ecoute_domain::{ChatFacts, ConversationId, Role, Skills, UserId};
use ecoute_store::wellbeing::ExposureMinute;
use ecoute_store::{NewAudit, Store};
use serde_json::{Value, json};
use std::time::Duration;
use time::OffsetDateTime;

/// Offer mode, exposure sampled every second, over exposure from `threshold` weighted minutes.
fn configured(threshold: u32) -> impl FnOnce(&mut ecoute::Config) {
    move |c| {
        c.routing = RoutingConfig {
            mode: RoutingMode::Offer,
            offer_timeout_secs: 30,
            ..Default::default()
        };
        c.wellbeing = WellbeingConfig {
            threshold,
            sample_secs: 1,
            support_contact: "Psychologue de permanence : poste 4421".into(),
            ..Default::default()
        };
    }
}

fn id_of(officer: &Officer) -> UserId {
    UserId(officer.id.parse().unwrap())
}

/// Records that `officer` held a chat with `facts` during each of the `minutes` minutes before
/// this one, as the sampler would have.
async fn held_before(app: &TestApp, officer: &Officer, minutes: i64, facts: ChatFacts) {
    let now = ExposureMinute::minute_of(OffsetDateTime::now_utc());
    let chat = ConversationId::new();
    let rows: Vec<ExposureMinute> = (1..=minutes)
        .map(|m| ExposureMinute {
            officer: id_of(officer),
            conversation: chat,
            minute: now - m,
            facts,
        })
        .collect();
    assert_eq!(
        app.store.record_exposure(&rows).await.unwrap(),
        minutes as u64
    );
}

/// Reads frames until one of `kind` passes `test`, within `secs`.
async fn until(ws: &mut Ws, kind: &str, secs: u64, test: impl Fn(&Value) -> bool) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Err(_) => return None,
            Ok(Next::Frame(v)) if v["type"] == kind && test(&v) => return Some(v),
            Ok(Next::Frame(_)) => continue,
            Ok(Next::Closed(code)) => panic!("socket closed ({code:?}) waiting for {kind}"),
        }
    }
}

const DANGER: ChatFacts = ChatFacts {
    danger: true,
    flagged: true,
    minor: false,
    grave: false,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exposure_is_recorded_while_an_officer_holds_a_minor_chat_and_past_the_threshold_the_console_invites_a_break()
 {
    let app = spawn_app_with(configured(10)).await;
    let a = app.officer("anna").await;
    assert!(
        app.store
            .set_skills(
                id_of(&a),
                &Skills {
                    minors: true,
                    ..Skills::default()
                },
                NewAudit::system("skills_changed", OffsetDateTime::now_utc()),
            )
            .await
            .unwrap()
    );
    let (mut ws, _) = app.staff_socket(&a).await;
    let first = until(&mut ws, "wellbeing", 5, |_| true)
        .await
        .expect("wellbeing");
    assert_eq!(first["over"], false);
    assert_eq!(first["threshold"], 10);
    assert_eq!(first["window_mins"], 240);

    let visitor = app
        .start_visitor_with(json!({"kind": "victim", "minor": true}))
        .await;
    until(&mut ws, "offer", 5, |_| true).await.expect("offer");
    ws.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    ws.recv_type("claimed").await;

    // The sampler records the minute she holds it, with its facts.
    let conversation = ConversationId(visitor.conversation_id.parse().unwrap());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let held = loop {
        let rows = app
            .store
            .exposure_minutes(Some(id_of(&a)), 0)
            .await
            .unwrap();
        if let Some(row) = rows.into_iter().find(|r| r.conversation == conversation) {
            break row;
        }
        assert!(tokio::time::Instant::now() < deadline, "no minute recorded");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(held.facts.minor && !held.facts.danger);
    assert_eq!(held.facts.weight(), 2);

    // Five minutes more with a minor earlier in the window: 10 weighted minutes, the threshold.
    held_before(
        &app,
        &a,
        5,
        ChatFacts {
            minor: true,
            ..ChatFacts::default()
        },
    )
    .await;
    let over = until(&mut ws, "wellbeing", 8, |f| f["over"] == true)
        .await
        .expect("over the threshold");
    assert!(over["weighted_minutes"].as_i64().unwrap() >= 10);
    assert!(over["break_since"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_break_stops_offers_shows_its_start_and_is_on_the_board() {
    let app = spawn_app_with(configured(1000)).await;
    let a = app.officer("anna").await;
    let (mut wa, _) = app.staff_socket(&a).await;
    wa.send(json!({"type": "presence", "status": "break"}))
        .await;
    assert_eq!(wa.recv_type("presence").await["status"], "break");
    let mine = until(&mut wa, "wellbeing", 5, |f| f["break_since"].is_string())
        .await
        .expect("the break's start");
    assert!(mine["break_since"].as_str().unwrap().ends_with('Z'));

    let visitor = app.start_visitor().await;
    assert!(
        until(&mut wa, "offer", 2, |_| true).await.is_none(),
        "an officer on break was offered a chat"
    );

    let sup = app.staff("sam", Role::Supervisor).await;
    let (mut ws, _) = app.staff_socket(&sup).await;
    let board = until(&mut ws, "wellbeing_board", 6, |_| true)
        .await
        .expect("the wellbeing panel");
    let officers = board["officers"].as_array().unwrap();
    let anna = officers
        .iter()
        .find(|o| o["display_name"] == "Agent anna")
        .expect("anna on the panel");
    assert_eq!(anna["presence"], "break");
    assert!(anna["on_break_since"].is_string());
    // Sam never took a break: he comes first, longest without one.
    assert_eq!(officers[0]["display_name"], "Agent sam");
    assert!(officers[0]["last_break_ended"].is_null());

    // Back: the break ends, offers come again.
    wa.send(json!({"type": "presence", "status": "available"}))
        .await;
    let offer = until(&mut wa, "offer", 5, |_| true).await.expect("offered");
    assert_eq!(
        offer["chat"]["conversation_id"],
        visitor.conversation_id.as_str()
    );
    let breaks = app
        .store
        .breaks_since(
            Some(id_of(&a)),
            OffsetDateTime::now_utc() - time::Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(breaks.len(), 1);
    assert!(breaks[0].ended_at.is_some());
    let board = until(&mut ws, "wellbeing_board", 6, |b| {
        b["officers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["display_name"] == "Agent anna" && o["last_break_ended"].is_string())
    })
    .await
    .expect("the break's end on the panel");
    assert!(board["officers"][0]["display_name"] == "Agent sam");

    // A presence nobody knows is refused with its code, and nothing changes.
    wa.send(json!({"type": "presence", "status": "asleep"}))
        .await;
    let e = wa.recv_type("error").await;
    assert_eq!(e["code"], "invalid_presence");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_over_exposure_is_not_offered_a_danger_chat_a_colleague_can_take_but_is_when_nobody_else_can()
 {
    let app = spawn_app_with(configured(20)).await;
    let a = app.officer("anna").await;
    let b = app.officer("bruno").await;
    // Anna heard ten minutes of danger chats (40 weighted minutes): over the threshold.
    held_before(&app, &a, 10, DANGER).await;

    // Bruno takes a plain chat first, so that Anna (no chat) would be the best placed.
    let (mut wb, _) = app.staff_socket(&b).await;
    let plain = app.start_visitor().await;
    until(&mut wb, "offer", 5, |_| true).await.expect("offer");
    wb.send(json!({"type": "claim", "conversation_id": plain.conversation_id}))
        .await;
    wb.recv_type("claimed").await;
    let (mut wa, _) = app.staff_socket(&a).await;
    until(&mut wa, "wellbeing", 5, |f| f["over"] == true)
        .await
        .expect("anna over exposure");

    let danger = app
        .start_visitor_with(json!({"kind": "victim", "minor": false, "danger": true}))
        .await;
    let offer = until(&mut wb, "offer", 5, |_| true)
        .await
        .expect("bruno, under the threshold, is offered it");
    assert_eq!(
        offer["chat"]["conversation_id"],
        danger.conversation_id.as_str()
    );
    assert!(
        until(&mut wa, "offer", 1, |_| true).await.is_none(),
        "anna was offered the danger chat while bruno could take it"
    );

    // Bruno pauses: nobody under the threshold can take it, so Anna is offered it.
    wb.send(json!({"type": "presence", "status": "paused"}))
        .await;
    let offer = until(&mut wa, "offer", 5, |_| true)
        .await
        .expect("anna is offered it when nobody else can");
    assert_eq!(
        offer["chat"]["conversation_id"],
        danger.conversation_id.as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mon_service_shows_the_logged_in_staff_members_own_figures_only() {
    let app = spawn_app_with(configured(15)).await;
    let a = app.officer("anna").await;
    let b = app.officer("bruno").await;
    held_before(
        &app,
        &a,
        12,
        ChatFacts {
            minor: true,
            ..ChatFacts::default()
        },
    )
    .await;
    // A break taken and ended.
    let (mut wa, _) = app.staff_socket(&a).await;
    wa.send(json!({"type": "presence", "status": "break"}))
        .await;
    assert_eq!(wa.recv_type("presence").await["status"], "break");
    wa.send(json!({"type": "presence", "status": "available"}))
        .await;
    assert_eq!(wa.recv_type("presence").await["status"], "available");

    let page = get_as(&app, &a, "/console/service").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Mon service</h1>"), "{html}");
    // 12 minutes with a minor: 24 weighted minutes, over the threshold of 15.
    assert!(html.contains("<strong>24</strong> / 15"), "{html}");
    assert!(html.contains("id=\"service-over\""));
    assert!(html.contains("<th scope=\"row\">dont avec un mineur</th><td>12 min</td>"));
    assert!(html.contains("<th scope=\"row\">Minutes pondérées</th><td>24 min</td>"));
    assert!(
        html.contains("<dd id=\"service-breaks-today\">1</dd>"),
        "{html}"
    );
    assert!(
        html.contains("<dd id=\"service-since-break\">0 min</dd>"),
        "{html}"
    );
    assert!(html.contains("Psychologue de permanence : poste 4421"));

    // Bruno's page is his own: nothing of Anna's.
    let other = get_as(&app, &b, "/console/service")
        .await
        .text()
        .await
        .unwrap();
    assert!(other.contains("<strong>0</strong> / 15"), "{other}");
    assert!(!other.contains("id=\"service-over\""));
    assert!(other.contains("aucune pause enregistrée"));
    assert!(!other.contains("Agent anna"));

    // Nobody logged in: the login page.
    let anonymous = app
        .http
        .get(app.url("/console/service"))
        .send()
        .await
        .unwrap();
    assert!(anonymous.status().is_redirection());
    assert_eq!(anonymous.headers()["location"], "/console/login");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_break_left_open_ends_when_the_console_opens_in_another_presence() {
    let app = spawn_app_with(configured(1000)).await;
    let a = app.officer("anna").await;
    // A break begun on a node that has since restarted: still open in the store.
    let long_ago = OffsetDateTime::now_utc() - time::Duration::hours(2);
    app.store
        .start_break(
            id_of(&a),
            long_ago,
            NewAudit::system("break_started", long_ago),
        )
        .await
        .unwrap();
    let (mut ws, welcome) = app.staff_socket(&a).await;
    assert_eq!(welcome["presence"], "available");
    let mine = until(&mut ws, "wellbeing", 5, |_| true)
        .await
        .expect("wellbeing");
    assert!(mine["break_since"].is_null());
    let breaks = app
        .store
        .breaks_since(Some(id_of(&a)), long_ago)
        .await
        .unwrap();
    assert_eq!(breaks.len(), 1);
    assert!(breaks[0].ended_at.is_some(), "the stale break was ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_pull_mode_an_officer_over_exposure_taking_the_next_chat_gets_the_plain_one_while_a_colleague_could_take_the_danger_one()
 {
    let app = spawn_app_with(|c: &mut ecoute::Config| {
        configured(20)(c);
        c.routing.mode = RoutingMode::Pull;
    })
    .await;
    let a = app.officer("anna").await;
    let b = app.officer("bruno").await;
    held_before(&app, &a, 10, DANGER).await;
    let (mut wb, _) = app.staff_socket(&b).await;
    let (mut wa, _) = app.staff_socket(&a).await;
    until(&mut wa, "wellbeing", 5, |f| f["over"] == true)
        .await
        .expect("anna over exposure");

    // The danger chat waits first in the queue, the plain one after it.
    let danger = app
        .start_visitor_with(json!({"kind": "victim", "minor": false, "danger": true}))
        .await;
    let plain = app.start_visitor().await;

    // Bruno, under the threshold, is available with room: Anna is given the plain chat.
    wa.send(json!({"type": "take_next"})).await;
    let claimed = wa.recv_type("claimed").await;
    assert_eq!(
        claimed["chat"]["conversation_id"],
        plain.conversation_id.as_str(),
        "the danger chat is left to a colleague under the threshold"
    );

    // Bruno pauses: nobody under the threshold can take it, so Anna gets the danger chat.
    wb.send(json!({"type": "presence", "status": "paused"}))
        .await;
    assert_eq!(wb.recv_type("presence").await["status"], "paused");
    wa.send(json!({"type": "take_next"})).await;
    let claimed = wa.recv_type("claimed").await;
    assert_eq!(
        claimed["chat"]["conversation_id"],
        danger.conversation_id.as_str()
    );
}
