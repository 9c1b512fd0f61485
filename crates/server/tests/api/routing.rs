//! Routing through the real server: offers, presence, priority, skills, absence, transfers,
//! and the supervisors' board, monitoring, whispers and take-over.

use crate::helpers::*;
use ecoute::config::{RoutingConfig, RoutingMode};
use ecoute_domain::{Force, Language, Role, Skills, UserId};
use ecoute_store::{NewAudit, Store};
use serde_json::{Value, json};
use std::time::Duration;

fn offer_mode(timeout: u32) -> impl FnOnce(&mut ecoute::Config) {
    move |c| {
        c.routing = RoutingConfig {
            mode: RoutingMode::Offer,
            offer_timeout_secs: timeout,
            ..Default::default()
        }
    }
}

async fn set_skills(app: &TestApp, officer: &Officer, skills: Skills) {
    let id = UserId(officer.id.parse().unwrap());
    assert!(
        app.store
            .set_skills(
                id,
                &skills,
                NewAudit::system("skills_changed", time::OffsetDateTime::now_utc())
            )
            .await
            .unwrap()
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_goes_to_one_available_officer_and_moves_on_when_it_lapses() {
    let app = spawn_app_with(offer_mode(1)).await;
    let a = app.officer("anna").await;
    let b = app.officer("bruno").await;
    let (mut wa, welcome) = app.staff_socket(&a).await;
    assert_eq!(welcome["mode"], "offer");
    assert_eq!(welcome["presence"], "available");
    let (mut wb, _) = app.staff_socket(&b).await;
    let visitor = app.start_visitor().await;

    // Exactly one of the two gets it first.
    let first_a = tokio::select! {
        v = async { within(&mut wa, "offer", 5).await } => { v.expect("offer"); true }
        v = async { within(&mut wb, "offer", 5).await } => { v.expect("offer"); false }
    };
    let (first, second) = if first_a {
        (&mut wa, &mut wb)
    } else {
        (&mut wb, &mut wa)
    };
    // Not accepted within a second: withdrawn from the first, offered to the second.
    let withdrawn = within(first, "offer_withdrawn", 4)
        .await
        .expect("withdrawn");
    assert_eq!(
        withdrawn["conversation_id"],
        visitor.conversation_id.as_str()
    );
    let offer = within(second, "offer", 4).await.expect("moves on");
    assert_eq!(
        offer["chat"]["conversation_id"],
        visitor.conversation_id.as_str()
    );
    assert!(offer["expires_at"].is_string());

    // Accepting is claiming; the offer then ends.
    second
        .send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    second.recv_type("claimed").await;
    assert!(within(second, "offer_withdrawn", 4).await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_officer_gets_no_offer_and_a_declined_offer_moves_on() {
    let app = spawn_app_with(offer_mode(30)).await;
    let a = app.officer("anna").await;
    let (mut wa, _) = app.staff_socket(&a).await;
    wa.send(json!({"type": "presence", "status": "paused"}))
        .await;
    assert_eq!(wa.recv_type("presence").await["status"], "paused");
    let visitor = app.start_visitor().await;
    assert!(
        within(&mut wa, "offer", 2).await.is_none(),
        "a paused officer was offered a chat"
    );
    wa.send(json!({"type": "presence", "status": "available"}))
        .await;
    let offer = within(&mut wa, "offer", 3)
        .await
        .expect("offered once available");
    assert_eq!(
        offer["chat"]["conversation_id"],
        visitor.conversation_id.as_str()
    );

    let b = app.officer("bruno").await;
    let (mut wb, _) = app.staff_socket(&b).await;
    wa.send(json!({"type": "decline", "conversation_id": visitor.conversation_id}))
        .await;
    within(&mut wa, "offer_withdrawn", 3)
        .await
        .expect("declined");
    let offer = within(&mut wb, "offer", 3)
        .await
        .expect("goes to the next officer");
    assert_eq!(
        offer["chat"]["conversation_id"],
        visitor.conversation_id.as_str()
    );

    wa.send(json!({"type": "presence", "status": "away"})).await;
    let e = wa.recv_type("error").await;
    assert_eq!(e["code"], "invalid_presence");
}

#[tokio::test]
async fn take_next_serves_danger_first_then_risk_flags_then_the_longest_waiting() {
    let app = spawn_app().await;
    let oldest = app.start_visitor().await;
    let flagged = app.start_visitor().await;
    let (mut vf, _) = app.visitor_socket(&flagged, 0).await;
    vf.send(json!({"type": "send", "client_id": "f1", "body": "Il est là, derrière la porte"}))
        .await;
    vf.recv_type("ack").await;
    let danger = app
        .start_visitor_with(json!({"kind": "victim", "minor": false, "danger": true}))
        .await;

    let o = app.officer("olga").await;
    let (mut ws, _) = app.staff_socket(&o).await;
    // The queue shows why a chat was flagged, never what was written.
    let queue = loop {
        let q = ws.recv_type("queue").await;
        if q["items"].as_array().unwrap().len() == 3 && q["items"][1]["priority"] == "flagged" {
            break q;
        }
    };
    assert_eq!(queue["items"][0]["priority"], "danger");
    assert_eq!(
        queue["items"][1]["labels"][0],
        "Agresseur présent / aggressor present"
    );
    assert!(!queue.to_string().contains("derrière"));

    let mut order = Vec::new();
    for _ in 0..3 {
        ws.send(json!({"type": "take_next"})).await;
        let c = ws.recv_type("claimed").await;
        order.push(c["chat"]["conversation_id"].as_str().unwrap().to_string());
    }
    assert_eq!(
        order,
        [
            danger.conversation_id,
            flagged.conversation_id,
            oldest.conversation_id
        ]
    );
    ws.send(json!({"type": "take_next"})).await;
    assert_eq!(ws.recv_type("error").await["code"], "at_capacity");
}

#[tokio::test]
async fn a_flag_raised_during_the_chat_reaches_its_officer_as_labels_only() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let o = app.officer("olga").await;
    let (mut ws, _) = app.staff_socket(&o).await;
    ws.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    ws.recv_type("claimed").await;
    let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
    vs.send(json!({"type": "send", "client_id": "m1", "body": "He said he is going to kill me"}))
        .await;
    let flagged = ws.recv_type("flagged").await;
    assert_eq!(flagged["priority"], "flagged");
    assert_eq!(flagged["labels"][0], "Menace de mort / death threat");
    assert!(!flagged.to_string().contains("kill"));
}

#[tokio::test]
async fn a_chat_for_a_minor_waits_for_an_officer_trained_for_minors() {
    let app = spawn_app().await;
    let visitor = app
        .start_visitor_with(json!({"kind": "victim", "minor": true, "postal_code": "48000"}))
        .await;
    let untrained = app.officer("ugo").await;
    let trained = app.officer("tina").await;
    set_skills(
        &app,
        &trained,
        Skills {
            force: Some(Force::Gendarmerie),
            minors: true,
            languages: vec![Language::french()],
        },
    )
    .await;

    let (mut wu, _) = app.staff_socket(&untrained).await;
    let q = wu.recv_type("queue").await;
    assert_eq!(q["items"][0]["eligible"], false);
    assert_eq!(
        q["items"][0]["force"], "gendarmerie",
        "Lozère: shipped table"
    );
    wu.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    assert_eq!(wu.recv_type("error").await["code"], "not_eligible");
    wu.send(json!({"type": "take_next"})).await;
    assert_eq!(wu.recv_type("error").await["code"], "nothing_to_take");

    let (mut wt, _) = app.staff_socket(&trained).await;
    assert_eq!(wt.recv_type("queue").await["items"][0]["eligible"], true);
    wt.send(json!({"type": "take_next"})).await;
    let claimed = wt.recv_type("claimed").await;
    assert_eq!(
        claimed["chat"]["conversation_id"],
        visitor.conversation_id.as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absent_officer_is_paused_then_their_chat_goes_back_to_the_queue_with_its_history() {
    let app = spawn_app_with(|c| {
        c.routing.pause_after_secs = 1;
        c.routing.requeue_after_secs = 5;
    })
    .await;
    let visitor = app.start_visitor().await;
    let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
    let o = app.officer("olga").await;
    let (mut ws, _) = app.staff_socket(&o).await;
    ws.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    ws.recv_type("claimed").await;
    vs.send(json!({"type": "send", "client_id": "m1", "body": "Je suis encore là"}))
        .await;
    vs.recv_type("ack").await;
    ws.recv_type("message").await;
    ws.close().await;

    let supervisor = app.staff("sam", Role::Supervisor).await;
    let (mut board_ws, _) = app.staff_socket(&supervisor).await;
    let presence_of_olga = |board: &Value| {
        board["staff"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["display_name"] == "Agent olga")
            .map(|s| s["presence"].as_str().unwrap().to_string())
    };
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(12);
    while tokio::time::Instant::now() < deadline {
        if let Some(b) = within(&mut board_ws, "board", 3).await {
            let p = presence_of_olga(&b).unwrap();
            if seen.last() != Some(&p) {
                seen.push(p);
            }
            if seen.last().map(String::as_str) == Some("offline") {
                break;
            }
        }
    }
    assert!(seen.contains(&"paused".to_string()), "{seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some("offline"), "{seen:?}");

    // The visitor is told; another officer takes the chat and reads all of it.
    loop {
        let state = vs.recv_type("state").await;
        if state["state"] == "waiting" {
            break;
        }
    }
    let p = app.officer("paul").await;
    let (mut wp, _) = app.staff_socket(&p).await;
    wp.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    wp.recv_type("claimed").await;
    wp.send(json!({"type": "sync", "conversation_id": visitor.conversation_id, "after_seq": 0}))
        .await;
    let m = wp.recv_type("message").await;
    assert_eq!(m["body"], "Je suis encore là");
    let back = vs.recv_type("state").await;
    assert_eq!(back["state"], "active");
    assert_eq!(back["officer"]["name"], "Agent paul");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_visitors_and_officers_at_once_give_each_chat_one_owner_within_capacity() {
    let app = spawn_app().await;
    let mut visitors = Vec::new();
    for i in 0..30 {
        let danger = i % 5 == 0;
        visitors.push(
            app.start_visitor_with(json!({"kind": "victim", "minor": false, "danger": danger}))
                .await,
        );
    }
    let mut tasks = Vec::new();
    for i in 0..8 {
        let officer = app.officer(&format!("o{i}")).await;
        let (mut ws, _) = app.staff_socket(&officer).await;
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            // Each asks more often than it may hold; only capacity (3) succeeds.
            for _ in 0..5 {
                ws.send(json!({"type": "take_next"})).await;
                loop {
                    let v = ws.recv().await;
                    match v["type"].as_str().unwrap() {
                        "claimed" => {
                            mine.push(v["chat"]["conversation_id"].as_str().unwrap().to_string());
                            break;
                        }
                        "error" => {
                            assert_eq!(v["code"], "at_capacity", "{v}");
                            break;
                        }
                        _ => continue,
                    }
                }
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        let mine = t.await.unwrap();
        assert_eq!(mine.len(), 3, "each officer fills exactly their capacity");
        all.extend(mine);
    }
    assert_eq!(all.len(), 24);
    let mut distinct = all.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 24, "a chat was given to two officers");
    // The six danger chats were all taken before any normal one was left waiting.
    let left: Vec<_> = app
        .store
        .waiting_queue()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.priority)
        .collect();
    assert_eq!(left.len(), 6);
    assert!(left.iter().all(|p| *p == ecoute_domain::Priority::Normal));
}

#[tokio::test]
async fn a_transfer_hands_the_chat_and_its_note_to_the_colleague_and_the_visitor_is_told() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
    let a = app.officer("anna").await;
    let b = app.officer("bruno").await;
    let (mut wa, _) = app.staff_socket(&a).await;
    let (mut wb, _) = app.staff_socket(&b).await;
    wa.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    wa.recv_type("claimed").await;

    wa.send(json!({"type": "colleagues"})).await;
    let colleagues = wa.recv_type("colleagues").await;
    let bruno = colleagues["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["display_name"] == "Agent bruno")
        .expect("listed")
        .clone();
    assert_eq!(bruno["presence"], "available");

    // A transfer without a note is refused: the next officer must know what was said.
    wa.send(
        json!({"type": "transfer", "conversation_id": visitor.conversation_id,
        "to_officer": bruno["id"], "note": "  "}),
    )
    .await;
    let e = wa.recv_type("error").await;
    assert_eq!(e["code"], "handover_note_required");
    assert_eq!(
        e["frame"], "transfer",
        "the error names the frame it answers"
    );
    // Nor to a colleague who is not at a console: the chat would wait for nobody.
    let absent = app.officer("absent").await;
    wa.send(
        json!({"type": "transfer", "conversation_id": visitor.conversation_id,
        "to_officer": absent.id, "note": "x"}),
    )
    .await;
    assert_eq!(wa.recv_type("error").await["code"], "colleague_unavailable");

    wa.send(
        json!({"type": "transfer", "conversation_id": visitor.conversation_id,
        "to_officer": bruno["id"], "note": "Elle parle mieux anglais."}),
    )
    .await;
    let gone = wa.recv_type("handed_over").await;
    assert_eq!(gone["reason"], "transferred");
    let claimed = wb.recv_type("claimed").await;
    assert_eq!(
        claimed["chat"]["conversation_id"],
        visitor.conversation_id.as_str()
    );
    wb.send(json!({"type": "sync", "conversation_id": visitor.conversation_id, "after_seq": 0}))
        .await;
    let note = wb.recv_type("note").await;
    assert_eq!(note["kind"], "handover");
    assert_eq!(note["body"], "Elle parle mieux anglais.");
    assert_eq!(note["author_name"], "Agent anna");

    loop {
        let state = vs.recv_type("state").await;
        if state["officer"]["name"] == "Agent bruno" {
            break;
        }
        assert_eq!(state["officer"]["name"], "Agent anna");
    }
    // Anna may not write any more; Bruno may.
    wa.send(json!({"type": "send", "conversation_id": visitor.conversation_id, "client_id": "x", "body": "?"}))
        .await;
    assert_eq!(wa.recv_type("error").await["code"], "not_owner");

    // To the other force: back to the queue, for gendarmes only.
    wb.send(
        json!({"type": "transfer", "conversation_id": visitor.conversation_id,
        "to_force": "gendarmerie", "note": "Habite en zone gendarmerie."}),
    )
    .await;
    wb.recv_type("handed_over").await;
    let waiting = app.store.waiting_queue().await.unwrap();
    assert_eq!(waiting[0].force, Some(Force::Gendarmerie));
    assert_eq!(vs.recv_type("state").await["state"], "waiting");
}

#[tokio::test]
async fn a_supervisor_monitors_whispers_and_takes_over_and_the_visitor_never_sees_a_whisper() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
    let o = app.officer("olga").await;
    let (mut wo, _) = app.staff_socket(&o).await;
    wo.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    wo.recv_type("claimed").await;
    vs.send(json!({"type": "send", "client_id": "v1", "body": "Bonjour"}))
        .await;
    vs.recv_type("ack").await;

    // An officer may not monitor, whisper or take over.
    let peer = app.officer("pierre").await;
    let (mut wp, _) = app.staff_socket(&peer).await;
    let id = visitor.conversation_id.as_str();
    for frame in [
        json!({"type": "monitor", "conversation_id": id}),
        json!({"type": "whisper", "conversation_id": id, "body": "x"}),
        json!({"type": "take_over", "conversation_id": id}),
    ] {
        wp.send(frame.clone()).await;
        let e = wp.recv_type("error").await;
        assert_eq!(e["code"], "forbidden", "{frame}");
    }

    let sup = app.staff("sam", Role::Supervisor).await;
    let (mut ws, _) = app.staff_socket(&sup).await;
    ws.send(json!({"type": "monitor", "conversation_id": visitor.conversation_id}))
        .await;
    let mon = ws.recv_type("monitoring").await;
    assert_eq!(mon["chat"]["officer_name"], "Agent olga");
    assert_eq!(ws.recv_type("message").await["body"], "Bonjour");

    // Live messages follow, silently: the visitor and the officer learn nothing of it.
    wo.send(json!({"type": "send", "conversation_id": visitor.conversation_id, "client_id": "o1", "body": "Je vous écoute."}))
        .await;
    assert_eq!(ws.recv_type("message").await["body"], "Je vous écoute.");

    ws.send(
        json!({"type": "whisper", "conversation_id": visitor.conversation_id,
        "body": "WHISPER-CANARY: propose le 3919"}),
    )
    .await;
    let to_officer = wo.recv_type("note").await;
    assert_eq!(to_officer["kind"], "whisper");
    assert_eq!(to_officer["author_name"], "Agent sam");
    assert_eq!(ws.recv_type("note").await["kind"], "whisper");

    // A console that was away gets the whisper at its next sync, whatever seq it resumes from.
    let (mut again, _) = app.staff_socket(&o).await;
    again
        .send(json!({"type": "sync", "conversation_id": visitor.conversation_id, "after_seq": 99}))
        .await;
    let note = again.recv_type("note").await;
    assert_eq!(note["kind"], "whisper");
    again.close().await;

    ws.send(json!({"type": "take_over", "conversation_id": visitor.conversation_id}))
        .await;
    ws.recv_type("claimed").await;
    assert_eq!(wo.recv_type("handed_over").await["reason"], "taken_over");

    // Everything the visitor received, then a fresh resync of the whole chat.
    let mut seen = Vec::new();
    while let Ok(Next::Frame(v)) = tokio::time::timeout(Duration::from_millis(500), vs.next()).await
    {
        seen.push(v.to_string());
    }
    vs.close().await;
    let (mut again, _) = app.visitor_socket(&visitor, 0).await;
    while let Ok(Next::Frame(v)) =
        tokio::time::timeout(Duration::from_millis(500), again.next()).await
    {
        seen.push(v.to_string());
    }
    assert!(
        seen.iter().any(|f| f.contains("Agent sam")),
        "told of the new officer"
    );
    assert!(
        seen.iter().all(|f| !f.contains("WHISPER-CANARY")),
        "the visitor received a whisper"
    );

    let audit: Vec<String> = app
        .store
        .audit_page(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.action)
        .collect();
    for action in ["monitor", "whisper", "take_over"] {
        assert!(audit.iter().any(|a| a == action), "{action} not audited");
    }
}

#[tokio::test]
async fn the_board_shows_staff_presence_and_load_live_chats_and_the_days_figures() {
    let app = spawn_app().await;
    let answered = app.start_visitor().await;
    let _waiting = app.start_visitor().await;
    let left = app.start_visitor().await;
    let (mut lv, _) = app.visitor_socket(&left, 0).await;
    lv.send(json!({"type": "quick_exit"})).await;
    let o = app.officer("olga").await;
    let (mut wo, _) = app.staff_socket(&o).await;
    wo.send(json!({"type": "claim", "conversation_id": answered.conversation_id}))
        .await;
    wo.recv_type("claimed").await;

    let sup = app.staff("sam", Role::Supervisor).await;
    let (mut ws, _) = app.staff_socket(&sup).await;
    let board = loop {
        let b = within(&mut ws, "board", 5)
            .await
            .expect("a board every 2 s");
        if b["figures"]["left_unanswered"] == 1 {
            break b;
        }
    };
    let f = &board["figures"];
    assert_eq!(f["started"], 3);
    assert_eq!(f["waiting"], 1);
    assert_eq!(f["handled"], 0);
    assert!(f["median_wait_secs"].is_u64());
    assert!(f["longest_wait_secs"].is_u64());
    let olga = board["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["display_name"] == "Agent olga")
        .unwrap();
    assert_eq!(olga["presence"], "available");
    assert_eq!(olga["open"], 1);
    assert_eq!(olga["capacity"], 3);
    let chats = board["chats"].as_array().unwrap();
    assert_eq!(chats.len(), 2, "the chat the visitor left is not live");
    assert!(chats.iter().any(|c| c["officer_name"] == "Agent olga"));
    assert!(!board.to_string().contains("body"));

    // An officer gets no board.
    assert!(within(&mut wo, "board", 3).await.is_none());
}

#[tokio::test]
async fn skills_and_the_force_table_are_managed_from_the_command_line() {
    let app = spawn_app().await;
    let dir = app.data_dir.path().to_str().unwrap().to_string();
    let d = ["--data-dir", dir.as_str()];

    let (ok, _, err) = ecoute(
        &[
            "user",
            "add",
            "--display-name",
            "Agent Test",
            "--username",
            "gael",
            "--role",
            "officer",
            "--force",
            "gendarmerie",
            "--minors",
            "true",
            "--languages",
            "fr,ar",
            d[0],
            d[1],
        ],
        "a long enough password\n",
    );
    assert!(ok, "{err}");
    let user = app
        .store
        .user_credentials("gael")
        .await
        .unwrap()
        .unwrap()
        .user;
    assert_eq!(user.skills.force, Some(Force::Gendarmerie));
    assert!(user.skills.minors);
    assert_eq!(user.skills.languages.len(), 2);

    let (ok, out, err) = ecoute(
        &[
            "user",
            "set",
            "--username",
            "gael",
            "--capacity",
            "5",
            "--force",
            "any",
            d[0],
            d[1],
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("capacity 5, force any, minors yes, languages fr,ar"),
        "{out}"
    );
    let (ok, _, err) = ecoute(
        &[
            "user",
            "set",
            "--username",
            "gael",
            "--languages",
            "french",
            d[0],
            d[1],
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("--languages"), "{err}");
    let (ok, _, err) = ecoute(
        &[
            "user",
            "set",
            "--username",
            "nobody",
            "--capacity",
            "2",
            d[0],
            d[1],
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("no account named nobody"), "{err}");

    // A bad table is refused with its line, and the table in force stays.
    let bad = app.data_dir.path().join("bad.csv");
    std::fs::write(&bad, "75,police\n13,marine\n").unwrap();
    let (ok, _, err) = ecoute(&["forces", "load", bad.to_str().unwrap(), d[0], d[1]], "");
    assert!(!ok);
    assert!(err.contains("line 2") && err.contains("marine"), "{err}");
    let shipped = ecoute::forces::parse(ecoute::forces::SHIPPED).unwrap();
    assert_eq!(app.store.forces().await.unwrap().len(), shipped.len());

    let good = app.data_dir.path().join("good.csv");
    std::fs::write(
        &good,
        "# ours\nplace,force\n75,gendarmerie\n69,police\n69430,gendarmerie\n",
    )
    .unwrap();
    let (ok, out, err) = ecoute(&["forces", "load", good.to_str().unwrap(), d[0], d[1]], "");
    assert!(ok, "{err}");
    assert!(
        out.contains("loaded 2 départements and 1 postal code"),
        "{out}"
    );
    let (ok, out, _) = ecoute(&["forces", "show", d[0], d[1]], "");
    assert!(ok);
    assert_eq!(
        out,
        "place,force\n69,police\n69430,gendarmerie\n75,gendarmerie\n"
    );
    // The running server uses it for the next chat.
    let v = app
        .start_visitor_with(json!({"kind": "victim", "minor": false, "postal_code": "75011"}))
        .await;
    let c = app
        .store
        .conversation(v.conversation_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.force, Some(Force::Gendarmerie));
    let audit = app.store.audit_page(None, 50).await.unwrap();
    assert!(audit.iter().any(|r| {
        r.entry.action == "forces_loaded"
            && r.entry
                .detail
                .as_deref()
                .unwrap_or("")
                .contains("2 départements")
    }));

    let rules = app.data_dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nlabel = \"Arme\"\nphrases = [\"un couteau\"]\n",
    )
    .unwrap();
    let (ok, out, _) = ecoute(
        &[
            "risk",
            "check",
            rules.to_str().unwrap(),
            "--text",
            "Il a UN COUTEAU !",
        ],
        "",
    );
    assert!(ok);
    assert!(
        out.contains("1 rules, valid") && out.contains("matches: Arme"),
        "{out}"
    );
    std::fs::write(&rules, "[[rule]]\nlabel = \"Arme\"\nphrases = []\n").unwrap();
    let (ok, _, err) = ecoute(&["risk", "check", rules.to_str().unwrap()], "");
    assert!(!ok);
    assert!(err.contains("rule 1 (Arme): no phrase"), "{err}");
}

#[tokio::test]
async fn supervisors_write_canned_replies_that_officers_receive_with_the_directory() {
    let app = spawn_app().await;
    let officer = app.officer("olga").await;
    let sup = app.staff("sam", Role::Supervisor).await;
    let post = |cookie: &str, path: &str, form: &[(&str, &str)], origin: &str| {
        app.http
            .post(app.url(path))
            .header("cookie", cookie)
            .header("origin", origin)
            .form(form)
            .send()
    };
    let r = app
        .http
        .get(app.url("/console/replies"))
        .header("cookie", &officer.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "an officer may not manage canned replies");
    let r = post(
        &officer.cookie,
        "/console/replies",
        &[("shortcut", "x"), ("title", "x"), ("body", "x")],
        &app.origin,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);

    let form = [
        ("shortcut", "Plainte"),
        ("title", "Porter plainte"),
        (
            "body",
            "Je suis {agent}, dans le {departement} : {services}",
        ),
    ];
    let r = post(
        &sup.cookie,
        "/console/replies",
        &form,
        "https://evil.example",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403, "another site cannot post the form");
    let r = post(&sup.cookie, "/console/replies", &form, &app.origin)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Réponse /plainte enregistrée.")
    );
    let r = post(
        &sup.cookie,
        "/console/replies",
        &[
            ("shortcut", "plainte"),
            ("title", "Doublon"),
            ("body", "autre"),
        ],
        &app.origin,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 409);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("déjà utilisé") && page.contains("Doublon"),
        "the draft is kept"
    );
    let r = post(
        &sup.cookie,
        "/console/replies",
        &[
            ("shortcut", "x y"),
            ("title", "t"),
            ("body", "Bonjour {prenom}"),
        ],
        &app.origin,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("a-z, 0-9"));
    let r = post(
        &sup.cookie,
        "/console/replies",
        &[
            ("shortcut", "ok"),
            ("title", "t"),
            ("body", "Bonjour {prenom}"),
        ],
        &app.origin,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("{prenom}"));

    // The officer's console receives the replies, and the directory of a département.
    let (mut ws, _) = app.staff_socket(&officer).await;
    let canned = ws.recv_type("canned").await;
    assert_eq!(canned["items"][0]["shortcut"], "plainte");
    assert_eq!(
        canned["items"][0]["body"],
        "Je suis {agent}, dans le {departement} : {services}"
    );
    ws.send(json!({"type": "resources", "departement": "69"}))
        .await;
    let res = ws.recv_type("resources").await;
    let items = res["items"].as_array().unwrap();
    assert!(items[0]["departement"].is_null(), "national services first");
    assert!(
        items
            .iter()
            .any(|r| r["departement"] == "69" && r["sample"] == true)
    );
    assert!(
        items
            .iter()
            .all(|r| r["departement"].is_null() || r["departement"] == "69")
    );
    ws.send(json!({"type": "resources", "departement": "123"}))
        .await;
    assert_eq!(ws.recv_type("error").await["code"], "invalid_departement");

    let id = app.store.canned_replies().await.unwrap()[0].id.to_string();
    let r = post(
        &sup.cookie,
        "/console/replies/delete",
        &[("id", id.as_str())],
        &app.origin,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert!(app.store.canned_replies().await.unwrap().is_empty());
    let audit: Vec<String> = app
        .store
        .audit_page(None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.action)
        .collect();
    assert!(audit.contains(&"canned_reply_saved".to_string()));
    assert!(audit.contains(&"canned_reply_deleted".to_string()));
}

#[tokio::test]
async fn the_directory_is_loaded_from_the_command_line_and_a_bad_file_changes_nothing() {
    let app = spawn_app().await;
    let dir = app.data_dir.path().to_str().unwrap().to_string();
    let before = app.store.count_resources().await.unwrap();
    assert!(
        before > 0,
        "the sample directory is loaded on the first start"
    );
    let bad = app.data_dir.path().join("bad.toml");
    std::fs::write(&bad, "[[resource]]\nkind = \"medical\"\nname = \"A\"\n\n[[resource]]\nkind = \"spa\"\nname = \"B\"\n").unwrap();
    let (ok, _, err) = ecoute(
        &[
            "resources",
            "load",
            bad.to_str().unwrap(),
            "--data-dir",
            &dir,
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("resource 2 (B)"), "{err}");
    assert_eq!(app.store.count_resources().await.unwrap(), before);
    let good = app.data_dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[[resource]]\ndepartement = \"69\"\nkind = \"medical\"\nname = \"UMJ\"\nphone = \"04\"\n",
    )
    .unwrap();
    let (ok, out, err) = ecoute(
        &[
            "resources",
            "load",
            good.to_str().unwrap(),
            "--data-dir",
            &dir,
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(out.contains("loaded 1 entry"), "{out}");
    assert_eq!(app.store.count_resources().await.unwrap(), 1);
}

#[tokio::test]
async fn the_qualification_is_kept_sealed_with_the_chat_and_only_its_owner_writes_it() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let o = app.officer("olga").await;
    let (mut ws, _) = app.staff_socket(&o).await;
    let id = visitor.conversation_id.as_str();
    ws.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    ws.recv_type("claimed").await;

    ws.send(
        json!({"type": "qualify", "conversation_id": id, "qualification":
        {"facts": [], "reporter": "victim", "minor": false, "danger": "serious"}}),
    )
    .await;
    assert_eq!(ws.recv_type("error").await["code"], "no_fact");
    ws.send(json!({"type": "qualify", "conversation_id": id, "qualification":
        {"facts": ["domestic_violence", "sexual_assault"], "reporter": "victim", "minor": false, "danger": "serious"}}))
        .await;
    let case = ws.recv_type("case_file").await;
    assert_eq!(
        case["case"]["qualification"]["facts"][0],
        "domestic_violence"
    );
    assert_eq!(case["case"]["qualification"]["danger"], "serious");

    // Nobody else can write it.
    let p = app.officer("paul").await;
    let (mut wp, _) = app.staff_socket(&p).await;
    wp.send(
        json!({"type": "qualify", "conversation_id": id, "qualification":
        {"facts": ["other"], "reporter": "witness", "minor": true, "danger": "none"}}),
    )
    .await;
    assert_eq!(wp.recv_type("error").await["code"], "not_found");

    // A forwarded report needs the visitor's yes, given in the chat.
    ws.send(json!({"type": "close", "conversation_id": id, "outcome": "report_forwarded"}))
        .await;
    assert_eq!(ws.recv_type("error").await["code"], "no_consent");
    ws.send(json!({"type": "close", "conversation_id": id, "outcome": "information_given"}))
        .await;
    ws.recv_type("chat_closed").await;

    // Stored sealed: the database holds no word of it.
    let cid: ecoute_domain::ConversationId = id.parse().unwrap();
    let sealed = app.store.case_file(cid).await.unwrap().expect("saved");
    let text = String::from_utf8_lossy(&sealed);
    assert!(!text.contains("domestic"));
    let db = std::fs::read(app.data_dir.path().join("ecoute.db")).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains("domestic_violence"));
    let audit: Vec<String> = app
        .store
        .audit_page(None, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry.action)
        .collect();
    assert!(audit.contains(&"qualified".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_whose_console_just_closed_is_not_offered_a_chat() {
    let app = spawn_app_with(offer_mode(30)).await;
    // Several officers left a moment ago (still "available" during the grace period); one is here.
    for name in ["a1", "a2", "a3"] {
        let gone = app.officer(name).await;
        let (ws, _) = app.staff_socket(&gone).await;
        ws.close().await;
    }
    let here = app.officer("here").await;
    let (mut ws, _) = app.staff_socket(&here).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let visitor = app.start_visitor().await;
    let offer = within(&mut ws, "offer", 3)
        .await
        .expect("offered to the officer who is here");
    assert_eq!(
        offer["chat"]["conversation_id"],
        visitor.conversation_id.as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restart_the_chats_of_an_officer_who_never_comes_back_return_to_the_queue() {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut first = spawn_app_configured(tempfile::tempdir().unwrap(), |_| {}, async move {
        let _ = stopped.await;
    })
    .await;
    let visitor = first.start_visitor().await;
    let o = first.officer("olga").await;
    let (mut ws, _) = first.staff_socket(&o).await;
    ws.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    ws.recv_type("claimed").await;
    ws.close().await;
    stop.send(()).unwrap();
    (&mut first.server).await.unwrap().unwrap();

    let data_dir = std::mem::replace(&mut first.data_dir, tempfile::tempdir().unwrap());
    let second = spawn_app_configured(
        data_dir,
        |c| {
            c.routing.mode = RoutingMode::Pull;
            c.routing.pause_after_secs = 1;
            c.routing.requeue_after_secs = 2;
        },
        std::future::pending(),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    loop {
        let waiting = second.store.waiting_queue().await.unwrap();
        if waiting
            .iter()
            .any(|c| c.id.to_string() == visitor.conversation_id)
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the chat stayed with an officer who is not there"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_visitor_who_says_they_are_in_danger_during_the_chat_goes_first_and_the_officer_is_alerted()
 {
    let app = spawn_app().await;
    let earlier = app.start_visitor().await;
    let waiting = app.start_visitor().await;
    let (mut vw, _) = app.visitor_socket(&waiting, 0).await;
    vw.send(json!({"type": "danger"})).await;
    vw.recv_type("danger_noted").await;
    let queue = app.store.waiting_queue().await.unwrap();
    assert_eq!(
        queue[0].id.to_string(),
        waiting.conversation_id,
        "first in line"
    );
    assert_eq!(queue[1].id.to_string(), earlier.conversation_id);

    // During the chat: its officer is alerted at once.
    let o = app.officer("olga").await;
    let (mut wo, _) = app.staff_socket(&o).await;
    wo.send(json!({"type": "claim", "conversation_id": earlier.conversation_id}))
        .await;
    wo.recv_type("claimed").await;
    let (mut ve, _) = app.visitor_socket(&earlier, 0).await;
    ve.send(json!({"type": "danger"})).await;
    ve.recv_type("danger_noted").await;
    let flagged = wo.recv_type("flagged").await;
    assert_eq!(flagged["conversation_id"], earlier.conversation_id.as_str());
    assert_eq!(flagged["priority"], "danger");
    // Saying it again alerts the officer again: it may be worse now.
    ve.send(json!({"type": "danger"})).await;
    ve.recv_type("danger_noted").await;
    assert_eq!(wo.recv_type("flagged").await["priority"], "danger");
}

#[tokio::test]
async fn a_new_chat_counts_its_visitor_as_here_while_the_page_connects_and_as_away_if_it_never_does()
 {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    // The console opens two seconds later, within the five seconds a new chat is given (and
    // the next frame, three seconds on, within the harness's five-second wait).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let o = app.officer("olga").await;
    let (mut ws, _) = app.staff_socket(&o).await;
    let here = |q: &Value| {
        q["items"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .find(|i| i["conversation_id"] == visitor.conversation_id.as_str())
            })
            .and_then(|i| i["visitor_here"].as_bool())
    };
    let q = ws.recv_type("queue").await;
    assert_eq!(
        here(&q),
        Some(true),
        "a chat just started is not shown among those whose visitor went away: {q}"
    );
    // No page ever connects: once the five seconds are over, the console is told without
    // any other change to the queue.
    let q = ws.recv_type("queue").await;
    assert_eq!(here(&q), Some(false), "{q}");
}

#[tokio::test]
async fn the_queue_shows_apart_the_chats_whose_visitor_left_a_message_and_went_away() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
    vs.send(json!({"type": "send", "client_id": "m1", "body": "Je laisse un message"}))
        .await;
    vs.recv_type("ack").await;
    let o = app.officer("olga").await;
    let (mut ws, _) = app.staff_socket(&o).await;
    let here = |q: &Value| q["items"][0]["visitor_here"].as_bool();
    let mut q = ws.recv_type("queue").await;
    while here(&q) != Some(true) {
        q = ws.recv_type("queue").await;
    }
    vs.close().await;
    let q = loop {
        let q = ws.recv_type("queue").await;
        if here(&q) == Some(false) {
            break q;
        }
    };
    assert_eq!(
        q["items"][0]["conversation_id"],
        visitor.conversation_id.as_str()
    );
    // The officer answers anyway; it waits for the person's return.
    ws.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    ws.recv_type("claimed").await;
    ws.send(json!({"type": "send", "conversation_id": visitor.conversation_id, "client_id": "o1", "body": "Je vous ai lue."}))
        .await;
    ws.recv_type("ack").await;
}

#[tokio::test]
async fn a_message_saying_the_aggressor_is_there_is_flagged_in_every_language_of_the_pages() {
    let app = spawn_app().await;
    let mut written = Vec::new();
    for (language, body) in [
        ("fr", "Il est là, derrière la porte"),
        ("en", "He is here, outside the door"),
        ("es", "¡Está aquí, detrás de la puerta!"),
        ("ar", "إنه هنا، خلف الباب"),
    ] {
        let visitor = app
            .start_visitor_with(json!({"kind": "victim", "minor": false, "language": language}))
            .await;
        let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
        vs.send(json!({"type": "send", "client_id": "m1", "body": body}))
            .await;
        vs.recv_type("ack").await;
        written.push((language, visitor.conversation_id));
    }
    let o = app.officer("olga").await;
    let (mut ws, _) = app.staff_socket(&o).await;
    let queue = loop {
        let q = ws.recv_type("queue").await;
        let items = q["items"].as_array().unwrap();
        if items.len() == 4 && items.iter().all(|i| i["priority"] == "flagged") {
            break q;
        }
    };
    for (language, id) in &written {
        let item = queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["conversation_id"] == id.as_str())
            .unwrap();
        assert_eq!(
            item["labels"],
            json!(["Agresseur présent / aggressor present"]),
            "{language}"
        );
    }
}
