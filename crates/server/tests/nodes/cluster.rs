//! Three nodes on one PostgreSQL database and one NATS server.

use crate::harness::{Cluster, Officer, Visitor, Ws};
use crate::talk::{Traffic, assert_all_kept, assert_shown_once, shown_on};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use std::time::Duration;

const A: usize = 0;
const B: usize = 1;
const C: usize = 2;

async fn three_nodes() -> Cluster {
    let mut cluster = Cluster::postgres(3).await;
    for node in [A, B, C] {
        cluster.start(node).await;
    }
    cluster
}

/// Reads staff frames until one of `kind` about `conversation`.
async fn staff_frame(ws: &mut Ws, kind: &str, conversation: &str) -> Value {
    loop {
        let frame = ws.recv_type(kind).await;
        let about = frame["conversation_id"]
            .as_str()
            .or_else(|| frame["chat"]["conversation_id"].as_str())
            .or_else(|| frame["chat"]["id"].as_str());
        if about == Some(conversation) {
            return frame;
        }
    }
}

async fn claim(ws: &mut Ws, visitor: &Visitor) {
    ws.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    let frame = ws.next(Duration::from_secs(15)).await.expect("open");
    let frame = if frame["type"] == "claimed" || frame["type"] == "error" {
        frame
    } else {
        loop {
            let f = ws.next(Duration::from_secs(15)).await.expect("open");
            if f["type"] == "claimed" || f["type"] == "error" {
                break f;
            }
        }
    };
    assert_eq!(frame["type"], "claimed", "{frame}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_during_traffic_loses_no_acknowledged_message_and_its_visitors_resume_on_another()
 {
    let cluster = three_nodes().await;
    let on_b = cluster.officer(B, "b.one", 3).await;
    let on_c = cluster.officer(C, "c.one", 3).await;
    let (mut staff_b, _) = cluster.staff_socket(B, &on_b).await;
    let (mut staff_c, _) = cluster.staff_socket(C, &on_c).await;
    let mut visitors = Vec::new();
    for _ in 0..4 {
        visitors.push(cluster.start_visitor(A).await);
    }
    for (i, v) in visitors.iter().enumerate() {
        claim(if i < 2 { &mut staff_b } else { &mut staff_c }, v).await;
    }

    // Both ways across nodes, through NATS: the visitor on A, the officer on C.
    let v = &visitors[2];
    let (mut visitor_ws, _) = cluster.visitor_socket(A, v, 0).await;
    staff_c
        .send(json!({"type": "send", "conversation_id": v.conversation_id, "client_id": "o-1", "body": "Je vous écoute."}))
        .await;
    let m = visitor_ws.recv_type("message").await;
    assert_eq!(
        (m["author"].as_str(), m["body"].as_str()),
        (Some("officer"), Some("Je vous écoute."))
    );
    visitor_ws
        .send(json!({"type": "send", "client_id": "v-0", "body": "Bonjour"}))
        .await;
    // The officer's own message comes back to their console first.
    let m = loop {
        let m = staff_frame(&mut staff_c, "message", &v.conversation_id).await;
        if m["author"] == "visitor" {
            break m;
        }
    };
    assert_eq!(m["body"], "Bonjour");
    drop(visitor_ws);

    // Traffic on A, then A dies: the visitors are sent to B, as a reverse proxy would.
    let traffic = Traffic::start(cluster, &visitors, A);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    traffic.cluster.write().await.kill(A);
    traffic.route.node.store(B, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (cluster, results) = traffic.stop().await;
    for (v, (acks, reconnects)) in visitors.iter().zip(&results) {
        assert!(acks.len() >= 5, "traffic flowed: {} messages", acks.len());
        assert!(*reconnects >= 2, "the visitor reconnected after A died");
        assert_all_kept(&cluster, &v.conversation_id, acks).await;
        // And on B, where they resumed, the whole conversation shows each one once.
        assert_shown_once(&shown_on(&cluster, B, v).await, acks);
    }

    // After the failover, B and C still talk through NATS.
    let (mut visitor_ws, welcome) = cluster.visitor_socket(B, v, 0).await;
    let stored_last = results[2].0.values().max().copied().unwrap();
    assert!(welcome["last_seq"].as_u64().unwrap() >= stored_last);
    visitor_ws
        .send(json!({"type": "send", "client_id": "after-failover", "body": "Toujours là ?"}))
        .await;
    loop {
        let m = staff_frame(&mut staff_c, "message", &v.conversation_id).await;
        if m["client_id"] == "after-failover" {
            break;
        }
    }
    cluster.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_officer_at_a_console_on_one_node_is_present_on_every_node_and_keeps_their_chats() {
    let mut cluster = Cluster::postgres(3).await;
    // Officers away for 10 s (the least with several nodes) lose their chats: a node that did
    // not know of the console on another would give this one back to the queue.
    cluster.routing = "pause_after_secs = 1\nrequeue_after_secs = 10".into();
    for node in [A, B, C] {
        cluster.start(node).await;
    }
    let holder = cluster.officer(B, "b.holder", 3).await;
    let colleague = cluster.officer(C, "c.colleague", 3).await;
    let (mut staff_b, _) = cluster.staff_socket(B, &holder).await;
    let (mut staff_c, _) = cluster.staff_socket(C, &colleague).await;
    let kept = cluster.start_visitor(A).await;
    claim(&mut staff_b, &kept).await;
    let moved = cluster.start_visitor(A).await;
    claim(&mut staff_c, &moved).await;

    // The colleague on C sees the holder on B available.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        staff_c.send(json!({"type": "colleagues"})).await;
        let list = staff_c.recv_type("colleagues").await;
        let seen = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == holder.id.as_str())
            .map(|c| c["presence"].clone());
        if seen == Some(json!("available")) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the holder is still {seen:?} on node C"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // And can hand a chat over to them across nodes.
    staff_c
        .send(json!({"type": "transfer", "conversation_id": moved.conversation_id, "to_officer": holder.id, "note": "Elle préfère parler à un collègue."}))
        .await;
    staff_frame(&mut staff_c, "handed_over", &moved.conversation_id).await;
    staff_frame(&mut staff_b, "claimed", &moved.conversation_id).await;

    // Past the requeue delay, no node gave the holder's chats back.
    tokio::time::sleep(Duration::from_secs(12)).await;
    for visitor in [&kept, &moved] {
        let stored = cluster
            .store
            .conversation(ecoute_domain::ConversationId(
                visitor.conversation_id.parse().unwrap(),
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.state.officer().map(|o| o.to_string()),
            Some(holder.id.clone()),
            "the chat stays with its officer"
        );
    }

    // Once the holder's node dies and they do not come back, their chats return to the queue.
    drop(staff_b);
    let mut cluster = cluster;
    cluster.kill(B);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    loop {
        let stored = cluster
            .store
            .conversation(ecoute_domain::ConversationId(
                kept.conversation_id.parse().unwrap(),
            ))
            .await
            .unwrap()
            .unwrap();
        if stored.state.officer().is_none() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the chat of an officer whose node died never went back to the queue"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    cluster.shut_down().await;
}

/// Waits for a queue frame in which `conversation`'s `visitor_here` is `here`.
async fn queue_shows(ws: &mut Ws, conversation: &str, here: bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        assert!(
            !remaining.is_zero(),
            "the queue never showed {conversation} with visitor_here = {here}"
        );
        let Some(frame) = ws.next(remaining).await else {
            panic!("the console's socket closed");
        };
        if frame["type"] != "queue" {
            continue;
        }
        let item = frame["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["conversation_id"] == conversation)
            .cloned();
        if item.is_some_and(|i| i["visitor_here"] == here) {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_console_on_one_node_sees_whether_a_waiting_visitor_on_another_has_the_page_open() {
    let cluster = three_nodes().await;
    let officer = cluster.officer(B, "b.queue", 3).await;
    let (mut staff, _) = cluster.staff_socket(B, &officer).await;
    let visitor = cluster.start_visitor(A).await;
    let (page, _) = cluster.visitor_socket(A, &visitor, 0).await;
    queue_shows(&mut staff, &visitor.conversation_id, true).await;
    drop(page);
    queue_shows(&mut staff, &visitor.conversation_id, false).await;
    cluster.shut_down().await;
}

/// Three nodes, the third of which hears nothing the others announce (as when NATS loses
/// events): what it shows must still follow the database.
async fn with_a_deaf_node() -> Cluster {
    let mut cluster = Cluster::postgres(3).await;
    cluster.deaf = Some(C);
    for node in [A, B, C] {
        cluster.start(node).await;
    }
    cluster
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_that_missed_a_quick_exit_shows_no_more_of_the_officers_words_on_that_device() {
    let cluster = with_a_deaf_node().await;
    let officer = cluster.officer(C, "c.deaf", 3).await;
    let (mut staff, _) = cluster.staff_socket(C, &officer).await;
    let visitor = cluster.start_visitor(A).await;
    claim(&mut staff, &visitor).await;
    let (mut on_a, _) = cluster.visitor_socket(A, &visitor, 0).await;
    let (mut on_c, _) = cluster.visitor_socket(C, &visitor, 0).await;
    on_a.send(json!({"type": "quick_exit"})).await;
    on_a.closed(Duration::from_secs(3)).await;
    // Node C never heard of it; the officer, on C, writes.
    staff
        .send(json!({"type": "send", "conversation_id": visitor.conversation_id, "client_id": "o-after", "body": "Vous êtes toujours là ?"}))
        .await;
    loop {
        let Some(frame) = on_c.next(Duration::from_secs(5)).await else {
            break;
        };
        assert_ne!(
            frame["type"], "message",
            "an officer's message reached a device after its quick exit: {frame}"
        );
        if frame["type"] == "error" {
            assert_eq!(frame["code"], "invalid_token");
        }
    }
    cluster.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_console_that_missed_a_take_over_on_another_node_reloads_its_chats() {
    let cluster = with_a_deaf_node().await;
    let officer = cluster.officer(C, "c.holder", 3).await;
    let supervisor = cluster
        .staff(A, "a.supervisor", ecoute_domain::Role::Supervisor, 3)
        .await;
    let (mut staff, _) = cluster.staff_socket(C, &officer).await;
    let (mut boss, _) = cluster.staff_socket(A, &supervisor).await;
    let visitor = cluster.start_visitor(A).await;
    claim(&mut staff, &visitor).await;
    boss.send(json!({"type": "take_over", "conversation_id": visitor.conversation_id}))
        .await;
    staff_frame(&mut boss, "claimed", &visitor.conversation_id).await;
    // The officer's console on C never hears of it, but within seconds it reloads, and its
    // fresh welcome no longer holds the chat.
    assert_eq!(staff.closed(Duration::from_secs(15)).await, Some(1012));
    let (_, welcome) = cluster.staff_socket(C, &officer).await;
    assert!(
        welcome["chats"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["conversation_id"] != visitor.conversation_id.as_str()),
        "{welcome}"
    );
    cluster.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_quick_exit_on_one_node_closes_the_visitors_sockets_on_the_others_at_once() {
    let cluster = three_nodes().await;
    let officer = cluster.officer(C, "c.two", 3).await;
    let (mut staff, _) = cluster.staff_socket(C, &officer).await;
    let visitor = cluster.start_visitor(A).await;
    claim(&mut staff, &visitor).await;
    let (mut on_a, _) = cluster.visitor_socket(A, &visitor, 0).await;
    let (mut on_b, _) = cluster.visitor_socket(B, &visitor, 0).await;
    on_a.send(json!({"type": "quick_exit"})).await;
    // The socket on B closes without waiting for anything else.
    on_b.closed(Duration::from_secs(3)).await;
    let left = staff_frame(&mut staff, "visitor_left", &visitor.conversation_id).await;
    assert_eq!(left["conversation_id"], visitor.conversation_id.as_str());
    // And the token is refused everywhere.
    let mut again = cluster.try_ws(C, "/ws/visitor", None).await.unwrap();
    again
        .send(json!({"type": "hello", "token": visitor.token, "last_seq": 0}))
        .await;
    let refused = again.recv_type("error").await;
    assert_eq!(refused["code"], "invalid_token");
    cluster.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_stopping_tells_its_clients_to_reconnect_and_loses_nothing() {
    let cluster = three_nodes().await;
    let officer = cluster.officer(B, "b.three", 3).await;
    let (mut staff, _) = cluster.staff_socket(B, &officer).await;
    let visitor = cluster.start_visitor(A).await;
    claim(&mut staff, &visitor).await;
    let (mut watcher, _) = cluster.visitor_socket(A, &visitor, 0).await;

    let traffic = Traffic::start(cluster, std::slice::from_ref(&visitor), A);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    traffic.route.node.store(B, Ordering::SeqCst);
    let status = traffic.cluster.write().await.stop(A).await;
    assert!(status.success(), "a stop on SIGTERM is clean: {status}");
    assert_eq!(
        watcher.closed(Duration::from_secs(5)).await,
        Some(1012),
        "clients are told to reconnect (1012 service restart)"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (cluster, mut results) = traffic.stop().await;
    let (acks, reconnects) = results.remove(0);
    assert!(reconnects >= 2 && acks.len() >= 5);
    assert_all_kept(&cluster, &visitor.conversation_id, &acks).await;
    cluster.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_officers_on_three_nodes_claiming_the_same_chats_give_each_one_owner_and_nobody_over_capacity()
 {
    const CAPACITY: u32 = 2;
    let cluster = three_nodes().await;
    let mut chats = Vec::new();
    for i in 0..12 {
        chats.push(cluster.start_visitor(i % 3).await);
    }
    let mut officers: Vec<(usize, Officer)> = Vec::new();
    for i in 0..20 {
        let node = i % 3;
        officers.push((
            node,
            cluster
                .officer(node, &format!("claimer.{i}"), CAPACITY)
                .await,
        ));
    }
    // Each officer has a console on two nodes and asks for half the chats on each, all at once:
    // their own claims race across nodes too. Every claim is answered on its console, by an
    // error, or by `claimed`, which every console of that officer receives.
    let ids: Vec<String> = chats.iter().map(|c| c.conversation_id.clone()).collect();
    let mut tasks = Vec::new();
    for (i, (node, officer)) in officers.iter().enumerate() {
        let mut first = cluster.staff_socket(*node, officer).await.0;
        let mut second = cluster.staff_socket((*node + 1) % 3, officer).await.0;
        let ids = ids.clone();
        tasks.push(tokio::spawn(async move {
            for (k, id) in ids.iter().enumerate() {
                let ws = if k % 2 == 0 { &mut first } else { &mut second };
                ws.send(json!({"type": "claim", "conversation_id": id}))
                    .await;
            }
            let mut won = std::collections::BTreeSet::new();
            let mut refused = Vec::new();
            while won.len() + refused.len() < ids.len() {
                let frame = tokio::select! {
                    f = first.next(Duration::from_secs(30)) => f,
                    f = second.next(Duration::from_secs(30)) => f,
                }
                .expect("open");
                match frame["type"].as_str() {
                    Some("claimed") => {
                        won.insert(
                            frame["chat"]["conversation_id"]
                                .as_str()
                                .unwrap()
                                .to_string(),
                        );
                    }
                    Some("error") if frame["frame"] == "claim" => {
                        refused.push(frame["code"].as_str().unwrap().to_string())
                    }
                    _ => {}
                }
            }
            (i, won, refused)
        }));
    }
    let mut owners: std::collections::HashMap<String, usize> = Default::default();
    for t in tasks {
        let (i, won, refused) = t.await.unwrap();
        assert!(
            won.len() <= CAPACITY as usize,
            "officer {i} holds {} chats",
            won.len()
        );
        for id in won {
            *owners.entry(id).or_default() += 1;
        }
        for code in refused {
            assert!(
                ["already_claimed", "at_capacity"].contains(&code.as_str()),
                "refused as {code}"
            );
        }
    }
    for id in &ids {
        assert_eq!(owners.get(id), Some(&1), "chat {id} has exactly one owner");
        let stored = cluster
            .store
            .conversation(ecoute_domain::ConversationId(id.parse().unwrap()))
            .await
            .unwrap()
            .unwrap();
        assert!(stored.state.officer().is_some());
    }
    for (_, officer) in &officers {
        let open = cluster
            .store
            .open_chats_of(ecoute_domain::UserId(officer.id.parse().unwrap()))
            .await
            .unwrap();
        assert!(open.len() <= CAPACITY as usize);
    }
    cluster.shut_down().await;
}
