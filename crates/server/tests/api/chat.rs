//! A visitor and an officer talk; nothing is lost or duplicated through reconnects.

use crate::helpers::*;
use ecoute_store::Store;
use serde_json::json;

#[tokio::test]
async fn a_message_is_acknowledged_then_delivered_to_the_other_side() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("martin").await;
    let (mut v, welcome) = app.visitor_socket(&visitor, 0).await;
    assert_eq!(welcome["state"], "waiting");
    assert_eq!(welcome["conversation_id"], visitor.conversation_id.as_str());
    let queue = v.recv_type("queue").await;
    assert_eq!(queue["position"], 1);
    // No officer at a console yet: no number.
    assert_eq!(queue["estimate"], "no_one_available");
    assert!(queue["estimated_wait_secs"].is_null());

    let (mut o, _) = app.staff_socket(&officer).await;
    let q = o.recv_type("queue").await;
    assert_eq!(
        q["items"][0]["conversation_id"],
        visitor.conversation_id.as_str()
    );
    assert_eq!(q["items"][0]["kind"], "victim");
    assert_eq!(q["items"][0]["departement"], "69");
    o.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    let claimed = o.recv_type("claimed").await;
    assert_eq!(
        claimed["chat"]["conversation_id"],
        visitor.conversation_id.as_str()
    );
    let joined = v.recv_type("state").await;
    assert_eq!(joined["state"], "active");
    assert_eq!(joined["officer"]["name"], officer.display_name.as_str());

    v.send(json!({"type": "send", "client_id": "v-1", "body": "Bonjour, j'ai besoin d'aide"}))
        .await;
    let ack = v.recv_skipping_queue().await;
    assert_eq!(ack["type"], "ack");
    assert_eq!(ack["client_id"], "v-1");
    assert_eq!(ack["seq"], 1);

    let got = o.recv_type("message").await;
    assert_eq!(got["conversation_id"], visitor.conversation_id.as_str());
    assert_eq!(got["seq"], 1);
    assert_eq!(got["author"], "visitor");
    assert_eq!(got["body"], "Bonjour, j'ai besoin d'aide");

    o.send(
        json!({"type": "send", "conversation_id": visitor.conversation_id,
        "client_id": "o-1", "body": "Je suis là, je vous écoute."}),
    )
    .await;
    let ack = o.recv_type("ack").await;
    assert_eq!(ack["seq"], 2);
    assert_eq!(ack["conversation_id"], visitor.conversation_id.as_str());
    // The visitor's own message came back as its ack only: the next message is the reply.
    let reply = v.recv_type("message").await;
    assert_eq!(reply["seq"], 2);
    assert_eq!(reply["author"], "officer");
    assert_eq!(reply["officer_name"], officer.display_name.as_str());
    assert_eq!(reply["body"], "Je suis là, je vous écoute.");
    assert!(reply["sent_at"].as_str().unwrap().ends_with('Z'));
    assert!(
        reply.get("client_id").is_none(),
        "the officer's client id is not the visitor's to see"
    );
}

/// A message comes back to the socket that sent it as its ack only (it has the text already),
/// while the same person's other tab or console gets the message itself.
#[tokio::test]
async fn the_sending_socket_gets_its_ack_and_the_same_sides_other_tabs_get_the_message() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("martin").await;
    let (mut o1, _) = app.staff_socket(&officer).await;
    o1.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    o1.recv_type("claimed").await;
    let (mut o2, _) = app.staff_socket(&officer).await;
    let (mut v1, _) = app.visitor_socket(&visitor, 0).await;
    let (mut v2, _) = app.visitor_socket(&visitor, 0).await;

    v1.send(json!({"type": "send", "client_id": "v-1", "body": "Depuis mon téléphone"}))
        .await;
    assert_eq!(v1.recv_type("ack").await["seq"], 1);
    let other_tab = v2.recv_type("message").await;
    assert_eq!(
        (other_tab["seq"].as_u64(), other_tab["client_id"].as_str()),
        (Some(1), Some("v-1"))
    );
    assert_eq!(other_tab["body"], "Depuis mon téléphone");

    o1.send(json!({"type": "send", "conversation_id": visitor.conversation_id, "client_id": "o-1", "body": "Bien reçu"}))
        .await;
    assert_eq!(o1.recv_type("ack").await["seq"], 2);
    let other_console = loop {
        let m = o2.recv_type("message").await;
        if m["seq"] == 2 {
            break m;
        }
    };
    assert_eq!(other_console["body"], "Bien reçu");

    // Each sender's next message frame is the other side's next message, not its own again.
    let on_v1 = v1.recv_type("message").await;
    assert_eq!(
        (on_v1["seq"].as_u64(), on_v1["author"].as_str()),
        (Some(2), Some("officer"))
    );
    v1.send(json!({"type": "send", "client_id": "v-2", "body": "Merci"}))
        .await;
    assert_eq!(v1.recv_type("ack").await["seq"], 3);
    let on_o1 = loop {
        let m = o1.recv_type("message").await;
        if m["seq"] != 1 {
            break m;
        }
    };
    assert_eq!(
        (on_o1["seq"].as_u64(), on_o1["author"].as_str()),
        (Some(3), Some("visitor"))
    );
    o1.send(json!({"type": "send", "conversation_id": visitor.conversation_id, "client_id": "o-2", "body": "Je reste là"}))
        .await;
    assert_eq!(o1.recv_type("ack").await["seq"], 4);
    let on_v1 = v1.recv_type("message").await;
    assert_eq!(on_v1["seq"], 4);
    v1.send(json!({"type": "send", "client_id": "v-3", "body": "D'accord"}))
        .await;
    assert_eq!(v1.recv_type("ack").await["seq"], 5);
    let on_o1 = o1.recv_type("message").await;
    assert_eq!(
        (on_o1["seq"].as_u64(), on_o1["author"].as_str()),
        (Some(5), Some("visitor")),
        "the console was not sent its own message 4 back"
    );
}

#[tokio::test]
async fn a_visitor_may_write_while_waiting_and_the_officer_reads_it_after_claiming() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    v.send(
        json!({"type": "send", "client_id": "early", "body": "Je suis en sécurité pour l'instant"}),
    )
    .await;
    assert_eq!(v.recv_type("ack").await["seq"], 1);

    let officer = app.officer("martin").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    o.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    let claimed = o.recv_type("claimed").await;
    assert_eq!(claimed["chat"]["last_seq"], 1);
    o.send(json!({"type": "sync", "conversation_id": visitor.conversation_id, "after_seq": 0}))
        .await;
    let m = o.recv_type("message").await;
    assert_eq!(m["body"], "Je suis en sécurité pour l'instant");
}

#[tokio::test]
async fn after_a_reconnect_the_visitor_gets_everything_missed_once_and_in_order() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("martin").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    o.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    o.recv_type("claimed").await;

    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    for i in 1..=2 {
        v.send(
            json!({"type": "send", "client_id": format!("v-{i}"), "body": format!("visitor {i}")}),
        )
        .await;
        v.recv_type("ack").await;
    }
    v.close().await;

    // The officer writes while the visitor's phone is offline.
    for i in 1..=3 {
        o.send(
            json!({"type": "send", "conversation_id": visitor.conversation_id,
            "client_id": format!("o-{i}"), "body": format!("officer {i}")}),
        )
        .await;
        o.recv_type("ack").await;
    }

    let (mut v, welcome) = app.visitor_socket(&visitor, 2).await;
    assert_eq!(welcome["last_seq"], 5);
    assert_eq!(welcome["state"], "active");
    let mut seen = Vec::new();
    for _ in 0..3 {
        let m = v.recv_type("message").await;
        seen.push((
            m["seq"].as_u64().unwrap(),
            m["body"].as_str().unwrap().to_string(),
        ));
    }
    assert_eq!(
        seen,
        vec![
            (3, "officer 1".to_string()),
            (4, "officer 2".to_string()),
            (5, "officer 3".to_string())
        ]
    );
    v.quiet().await;

    // A resend of a message already stored is acknowledged with its first number, not stored again.
    v.send(json!({"type": "send", "client_id": "v-2", "body": "visitor 2"}))
        .await;
    let ack = v.recv_type("ack").await;
    assert_eq!(ack["seq"], 2);
    v.quiet().await;
    let (mut again, welcome) = app.visitor_socket(&visitor, 0).await;
    assert_eq!(welcome["last_seq"], 5);
    let mut seqs = Vec::new();
    for _ in 0..5 {
        seqs.push(again.recv_type("message").await["seq"].as_u64().unwrap());
    }
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    again.quiet().await;
}

#[tokio::test]
async fn an_officer_who_reloads_the_console_finds_every_chat_and_message() {
    let app = spawn_app().await;
    let officer = app.officer("martin").await;
    let first = app.start_visitor().await;
    let second = app.start_visitor().await;
    let (mut o, _) = app.staff_socket(&officer).await;
    for v in [&first, &second] {
        o.send(json!({"type": "claim", "conversation_id": v.conversation_id}))
            .await;
        o.recv_type("claimed").await;
        let (mut vs, _) = app.visitor_socket(v, 0).await;
        vs.send(json!({"type": "send", "client_id": "hello", "body": format!("from {}", v.conversation_id)}))
            .await;
        vs.recv_type("ack").await;
    }
    o.close().await;

    let (mut o, welcome) = app.staff_socket(&officer).await;
    let chats = welcome["chats"].as_array().unwrap();
    assert_eq!(chats.len(), 2);
    for chat in chats {
        assert_eq!(chat["state"], "active");
        assert_eq!(chat["last_seq"], 1);
        o.send(json!({"type": "sync", "conversation_id": chat["conversation_id"], "after_seq": 0}))
            .await;
        let m = o.recv_type("message").await;
        assert_eq!(m["conversation_id"], chat["conversation_id"]);
        assert_eq!(
            m["body"].as_str().unwrap(),
            format!("from {}", chat["conversation_id"].as_str().unwrap())
        );
    }
}

#[tokio::test]
async fn quick_exit_revokes_the_token_marks_the_chat_and_alerts_the_officer() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("martin").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    o.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    o.recv_type("claimed").await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;

    v.send(json!({"type": "quick_exit"})).await;
    assert_eq!(v.closed().await, Some(normal_close()));

    let alert = o.recv_type("visitor_left").await;
    assert_eq!(alert["conversation_id"], visitor.conversation_id.as_str());

    // The token is refused from now on.
    let mut again = app.ws("/ws/visitor", None).await;
    again
        .send(json!({"type": "hello", "token": visitor.token, "last_seq": 0}))
        .await;
    let e = again.recv().await;
    assert_eq!(e["type"], "error");
    assert_eq!(e["code"], "invalid_token");
    assert_eq!(again.closed().await, Some(1008));

    // The officer may still leave a message (read only if the person comes back with their
    // code), then closes with an outcome.
    o.send(
        json!({"type": "send", "conversation_id": visitor.conversation_id,
        "client_id": "late", "body": "Vous êtes là ?"}),
    )
    .await;
    o.recv_type("ack").await;
    o.send(json!({"type": "close", "conversation_id": visitor.conversation_id, "outcome": "visitor_left"}))
        .await;
    let closed = o.recv_type("chat_closed").await;
    assert_eq!(closed["outcome"], "visitor_left");

    // A reload of the console no longer lists it.
    let (_, welcome) = app.staff_socket(&officer).await;
    assert!(welcome["chats"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn quick_exit_by_beacon_closes_the_open_socket_and_answers_the_same_for_any_token() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    let beacon = |body: String| {
        app.http
            .post(app.url("/api/visitor/quick-exit"))
            .header("content-type", "text/plain;charset=UTF-8")
            .body(body)
            .send()
    };
    let r = beacon(json!({"token": visitor.token}).to_string())
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(v.closed().await, Some(1008));
    // Unknown or repeated: the same answer, so nothing can be learnt.
    for body in [
        json!({"token": visitor.token}).to_string(),
        json!({"token": "nope"}).to_string(),
    ] {
        assert_eq!(beacon(body).await.unwrap().status(), 204);
    }
    // Not a token at all: a plain refusal, which says nothing about any conversation.
    assert_eq!(beacon("{".into()).await.unwrap().status(), 400);
    // Left while waiting: out of the queue.
    let officer = app.officer("martin").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    let q = o.recv_type("queue").await;
    assert!(q["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn closing_a_chat_tells_the_visitor_and_ends_their_socket() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("martin").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    o.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    o.recv_type("claimed").await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    o.send(json!({"type": "close", "conversation_id": visitor.conversation_id, "outcome": "information_given"}))
        .await;
    assert_eq!(
        o.recv_type("chat_closed").await["outcome"],
        "information_given"
    );
    let state = v.recv_type("state").await;
    assert_eq!(state["state"], "closed");
    assert_eq!(v.closed().await, Some(normal_close()));
}

#[tokio::test]
async fn message_bodies_are_encrypted_at_rest() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    let canary = "CANARY-7f3a9c-plaintext-must-not-be-on-disk";
    v.send(json!({"type": "send", "client_id": "c", "body": canary}))
        .await;
    v.recv_type("ack").await;
    for entry in std::fs::read_dir(app.data_dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "plaintext found in {}",
            path.display()
        );
        assert!(
            !bytes
                .windows(visitor.token.len())
                .any(|w| w == visitor.token.as_bytes()),
            "token found in {}",
            path.display()
        );
    }
}

#[tokio::test]
async fn a_stopping_server_tells_open_sockets_to_reconnect_with_1012() {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = spawn_app_until(async {
        let _ = stopped.await;
    })
    .await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("martin").await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    let (mut o, _) = app.staff_socket(&officer).await;
    stop.send(()).unwrap();
    assert_eq!(v.closed().await, Some(1012));
    assert_eq!(o.closed().await, Some(1012));
}

#[tokio::test]
async fn typing_and_received_and_read_marks_reach_the_other_side_only() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
    let officer = app.officer("olga").await;
    let (mut os, _) = app.staff_socket(&officer).await;
    let id = visitor.conversation_id.clone();
    os.send(serde_json::json!({"type": "claim", "conversation_id": id}))
        .await;
    os.recv_type("claimed").await;
    // Another chat, with its own visitor and officer, that must hear nothing of this one.
    let other = app.start_visitor().await;
    let (mut other_vs, _) = app.visitor_socket(&other, 0).await;
    let other_officer = app.officer("paul").await;
    let (mut other_os, _) = app.staff_socket(&other_officer).await;
    other_os
        .send(serde_json::json!({"type": "claim", "conversation_id": other.conversation_id}))
        .await;
    other_os.recv_type("claimed").await;
    other_vs.recv_type("state").await;

    vs.send(serde_json::json!({"type": "typing"})).await;
    assert_eq!(os.recv_type("typing").await["conversation_id"], id.as_str());
    os.send(serde_json::json!({"type": "typing", "conversation_id": id}))
        .await;
    vs.recv_type("typing").await;

    vs.send(serde_json::json!({"type": "send", "client_id": "v1", "body": "Bonjour"}))
        .await;
    vs.recv_type("ack").await;
    os.send(serde_json::json!({"type": "send", "conversation_id": id, "client_id": "o1", "body": "Je vous lis"}))
        .await;
    os.recv_type("ack").await;

    // The officer's console received and showed message 1: the visitor sees "lu".
    os.send(serde_json::json!({"type": "marks", "conversation_id": id, "received_seq": 1, "read_seq": 1}))
        .await;
    let m = vs.recv_type("marks").await;
    assert_eq!(
        (m["received_seq"].as_u64(), m["read_seq"].as_u64()),
        (Some(1), Some(1))
    );
    // The visitor's device received message 2 but the page was hidden: "reçu" only.
    vs.send(serde_json::json!({"type": "marks", "received_seq": 2, "read_seq": 0}))
        .await;
    let m = os.recv_type("marks").await;
    assert_eq!(
        (m["received_seq"].as_u64(), m["read_seq"].as_u64()),
        (Some(2), Some(0))
    );

    // Nothing of it reached the other chat, and nobody hears their own typing.
    other_vs.quiet().await;
    other_os.quiet().await;
    vs.quiet().await;

    // A reconnecting visitor gets the officer's marks in its welcome.
    let (_, welcome) = app.visitor_socket(&visitor, 2).await;
    assert_eq!(welcome["officer_read_seq"], 1);
}

async fn resume(app: &TestApp, code: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/visitor/resume"))
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_return_code_reopens_the_chat_from_another_device_and_the_officer_is_told() {
    let app = spawn_app().await;
    let r = app
        .http
        .post(app.url("/api/visitor/conversations"))
        .json(&serde_json::json!({"kind": "victim", "minor": false}))
        .send()
        .await
        .unwrap();
    let started: serde_json::Value = r.json().await.unwrap();
    let code = started["return_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 23, "16 digits by pairs: {code}");
    let first = Visitor {
        conversation_id: started["conversation_id"].as_str().unwrap().to_string(),
        token: started["token"].as_str().unwrap().to_string(),
        return_code: code.clone(),
    };
    // The code is kept only hashed: neither the database file nor its write-ahead log holds it.
    for file in ["ecoute.db", "ecoute.db-wal"] {
        let bytes = std::fs::read(app.data_dir.path().join(file)).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&code.replace(' ', "")),
            "{file}"
        );
    }

    let officer = app.officer("olga").await;
    let (mut os, _) = app.staff_socket(&officer).await;
    os.send(serde_json::json!({"type": "claim", "conversation_id": first.conversation_id}))
        .await;
    os.recv_type("claimed").await;
    let (mut old_device, _) = app.visitor_socket(&first, 0).await;
    old_device
        .send(serde_json::json!({"type": "quick_exit"}))
        .await;
    os.recv_type("visitor_left").await;
    // They come back from another device with the code, typed any way.
    let r = resume(&app, &code.replace(' ', "-")).await;
    assert_eq!(r.status(), 200);
    let back: serde_json::Value = r.json().await.unwrap();
    assert_eq!(back["conversation_id"], first.conversation_id.as_str());
    let again = Visitor {
        conversation_id: first.conversation_id.clone(),
        token: back["token"].as_str().unwrap().to_string(),
        return_code: code.clone(),
    };
    assert_eq!(
        os.recv_type("visitor_back").await["conversation_id"],
        first.conversation_id.as_str()
    );
    os.send(serde_json::json!({"type": "send", "conversation_id": first.conversation_id, "client_id": "o1", "body": "Je suis toujours là."}))
        .await;
    os.recv_type("ack").await;
    let (mut new_device, welcome) = app.visitor_socket(&again, 0).await;
    assert_eq!(welcome["state"], "active");
    assert_eq!(
        new_device.recv_type("message").await["body"],
        "Je suis toujours là."
    );
    new_device
        .send(serde_json::json!({"type": "send", "client_id": "v2", "body": "Merci"}))
        .await;
    new_device.recv_type("ack").await;

    // The old token is dead; a second resume kicks the device that used the first one.
    let r = app.ws("/ws/visitor", None).await;
    let mut r = r;
    r.send(serde_json::json!({"type": "hello", "token": first.token, "last_seq": 0}))
        .await;
    assert_eq!(r.recv_type("error").await["code"], "invalid_token");
    let r = resume(&app, &code).await;
    assert_eq!(r.status(), 200);
    assert_eq!(new_device.recv_type("error").await["code"], "invalid_token");
}

#[tokio::test]
async fn a_wrong_code_says_nothing_and_attempts_are_limited() {
    let app = spawn_app().await;
    let r = resume(&app, "12 34 56 78 90 12 34 56").await;
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "unknown_return_code");
    let r = resume(&app, "1234").await;
    assert_eq!(r.status(), 400);
    // Ten attempts an hour from one address; the eleventh is refused before any work.
    for _ in 0..8 {
        resume(&app, "00 00 00 00 00 00 00 01").await;
    }
    let r = resume(&app, "00 00 00 00 00 00 00 02").await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn a_blocked_chats_code_opens_nothing() {
    let app = spawn_app().await;
    let r = app
        .http
        .post(app.url("/api/visitor/conversations"))
        .json(&serde_json::json!({"kind": "victim", "minor": false}))
        .send()
        .await
        .unwrap();
    let started: serde_json::Value = r.json().await.unwrap();
    let officer = app.officer("olga").await;
    let (mut os, _) = app.staff_socket(&officer).await;
    os.send(serde_json::json!({"type": "block", "conversation_id": started["conversation_id"]}))
        .await;
    os.recv_type("queue").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let r = resume(&app, started["return_code"].as_str().unwrap()).await;
    assert_eq!(
        r.status(),
        404,
        "blocked: the same answer as for a code that never existed"
    );
}

#[tokio::test]
async fn a_visitor_who_comes_back_while_their_officer_is_away_goes_to_someone_who_is_there() {
    let app = spawn_app().await;
    let r = app
        .http
        .post(app.url("/api/visitor/conversations"))
        .json(&serde_json::json!({"kind": "victim", "minor": false}))
        .send()
        .await
        .unwrap();
    let started: serde_json::Value = r.json().await.unwrap();
    let id = started["conversation_id"].as_str().unwrap().to_string();
    let first = Visitor {
        conversation_id: id.clone(),
        token: started["token"].as_str().unwrap().to_string(),
        return_code: started["return_code"].as_str().unwrap().to_string(),
    };
    let officer = app.officer("olga").await;
    let (mut os, _) = app.staff_socket(&officer).await;
    os.send(serde_json::json!({"type": "claim", "conversation_id": id}))
        .await;
    os.recv_type("claimed").await;
    let (mut vs, _) = app.visitor_socket(&first, 0).await;
    vs.send(serde_json::json!({"type": "quick_exit"})).await;
    os.recv_type("visitor_left").await;
    os.close().await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let r = resume(&app, started["return_code"].as_str().unwrap()).await;
    assert_eq!(r.status(), 200);
    let waiting = app.store.waiting_queue().await.unwrap();
    assert!(
        waiting.iter().any(|c| c.id.to_string() == id),
        "back in the queue, not with an officer who is not there"
    );
}

/// A console that sends far more messages than its writer queues, before reading anything,
/// gets every one acknowledged in order and still receives what the visitor writes: the
/// session never waits on its writer while the writer waits on it.
#[tokio::test]
async fn a_burst_of_messages_from_one_console_is_acknowledged_in_order_and_delivery_goes_on() {
    let app = spawn_app_with(|c| c.limits.messages_per_minute = 1_000_000).await;
    let visitor = app.start_visitor().await;
    let officer = app.officer("olga").await;
    let (mut os, _) = app.staff_socket(&officer).await;
    os.send(serde_json::json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    os.recv_type("claimed").await;
    let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
    for i in 0..300 {
        os.send(
            serde_json::json!({"type": "send", "conversation_id": visitor.conversation_id,
            "client_id": format!("burst{i}"), "body": format!("message {i}")}),
        )
        .await;
    }
    let mut seqs = Vec::new();
    while seqs.len() < 300 {
        let ack = os.recv_type("ack").await;
        assert_eq!(
            ack["client_id"],
            format!("burst{}", seqs.len()),
            "acks come in order"
        );
        seqs.push(ack["seq"].as_u64().unwrap());
    }
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    vs.send(serde_json::json!({"type": "send", "client_id": "v1", "body": "Toujours là ?"}))
        .await;
    vs.recv_type("ack").await;
    loop {
        let m = os.recv_type("message").await;
        if m["author"] == "visitor" {
            assert_eq!(m["body"], "Toujours là ?");
            break;
        }
    }
}
