//! Two nodes (two `LocalBus`, each with its own bridge) against the real NATS server at
//! `ECOUTE_TEST_NATS_URL` (default `nats://127.0.0.1:4222`). Each test uses its own subject
//! prefix, so tests can share the server and run in parallel.

use ecoute_bus::nats::NODE_HEADER;
use ecoute_bus::{
    BusError, BusEvent, LocalBus, NatsBridge, NatsOptions, Subscription, Topic, connect_nats,
    connect_nats_with, wire,
};
use ecoute_domain::{Author, ConversationId, UserId};
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn nats_url() -> String {
    std::env::var("ECOUTE_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

fn unique_prefix() -> String {
    format!("ecoute-test.{}", uuid::Uuid::new_v4().simple())
}

async fn node(bus: &LocalBus, prefix: &str, name: &str) -> NatsBridge {
    let url = nats_url();
    match connect_nats_with(bus, NatsOptions::new(&url, name).prefix(prefix)).await {
        Ok(bridge) => bridge,
        Err(e) => panic!(
            "these tests need a NATS server: {e}. Start one (nats-server -js) or point \
             ECOUTE_TEST_NATS_URL at one (now {url:?})"
        ),
    }
}

/// Two nodes on a fresh prefix.
async fn two_nodes() -> (LocalBus, NatsBridge, LocalBus, NatsBridge, String) {
    let prefix = unique_prefix();
    let a = LocalBus::new();
    let b = LocalBus::new();
    let bridge_a = node(&a, &prefix, "node-a").await;
    let bridge_b = node(&b, &prefix, "node-b").await;
    (a, bridge_a, b, bridge_b, prefix)
}

async fn next(sub: &mut Subscription) -> Arc<BusEvent> {
    tokio::time::timeout(WAIT, sub.recv())
        .await
        .expect("no event within 10 s")
        .expect("receiver lagged or closed")
}

fn revoked(c: ConversationId) -> BusEvent {
    BusEvent::TokenRevoked { conversation: c }
}

#[tokio::test]
async fn an_event_published_on_one_node_reaches_the_listeners_of_its_topic_on_another() {
    let (a, _bridge_a, b, bridge_b, _) = two_nodes().await;
    let c1 = ConversationId::new();
    let c2 = ConversationId::new();
    let mut b_on_c1 = b.subscribe(Topic::Conversation(c1));
    let mut b_on_c2 = b.subscribe(Topic::Conversation(c2));
    let typing = BusEvent::Typing {
        conversation: c1,
        who: Author::Officer,
    };
    a.publish(Topic::Conversation(c1), typing.clone());
    assert_eq!(*next(&mut b_on_c1).await, typing);

    // Same publisher, so NATS keeps the order: when the marker arrives on c2, anything
    // wrongly routed to c2 before it would already be there.
    a.publish(Topic::Conversation(c2), BusEvent::QueueChanged);
    assert_eq!(*next(&mut b_on_c2).await, BusEvent::QueueChanged);
    assert!(b_on_c1.try_recv().is_err(), "nothing else on c1");
    assert!(b_on_c2.try_recv().is_err(), "the c1 event never reached c2");
    assert_eq!(bridge_b.status().received, 2);
}

#[tokio::test]
async fn the_publishing_node_delivers_its_own_event_exactly_once() {
    let (a, bridge_a, b, _bridge_b, _) = two_nodes().await;
    let c = ConversationId::new();
    let mut a_sub = a.subscribe(Topic::Conversation(c));
    let mut b_sub = b.subscribe(Topic::Conversation(c));
    a.publish(Topic::Conversation(c), revoked(c));
    assert_eq!(
        *a_sub.try_recv().unwrap(),
        revoked(c),
        "delivered locally at once"
    );
    assert_eq!(*next(&mut b_sub).await, revoked(c));

    // B answers on the same topic after it saw A's event: an echo of A's event would reach
    // A before B's answer.
    b.publish(Topic::Conversation(c), BusEvent::QueueChanged);
    assert_eq!(*next(&mut a_sub).await, BusEvent::QueueChanged);
    assert!(a_sub.try_recv().is_err());
    // And B's own listener got its answer once, locally, not back from NATS.
    assert_eq!(*b_sub.try_recv().unwrap(), BusEvent::QueueChanged);
    assert!(b_sub.try_recv().is_err());
    let status = bridge_a.status();
    assert_eq!((status.sent, status.received, status.echoes), (1, 1, 0));
}

#[tokio::test]
async fn events_from_another_node_are_never_published_again() {
    let prefix = unique_prefix();
    let (a, b, c) = (LocalBus::new(), LocalBus::new(), LocalBus::new());
    let _ba = node(&a, &prefix, "node-a").await;
    let bb = node(&b, &prefix, "node-b").await;
    let _bc = node(&c, &prefix, "node-c").await;
    let mut on_c = c.subscribe(Topic::Queue);
    let _on_b = b.subscribe(Topic::Queue);
    a.publish(Topic::Queue, BusEvent::QueueChanged);
    assert_eq!(*next(&mut on_c).await, BusEvent::QueueChanged);
    a.publish(Topic::Queue, BusEvent::StaffChanged);
    assert_eq!(*next(&mut on_c).await, BusEvent::StaffChanged);
    // Had B re-published A's first event, C would have seen it twice before the second.
    assert!(on_c.try_recv().is_err());
    assert_eq!(bb.status().sent, 0);
}

#[tokio::test]
async fn a_revoked_token_closes_the_visitor_sockets_on_every_node() {
    let (a, _bridge_a, b, _bridge_b, _) = two_nodes().await;
    let c = ConversationId::new();
    let officer = UserId(uuid::Uuid::new_v4());
    let mut visitor_socket_on_b = b.subscribe(Topic::Conversation(c));
    let mut staff_socket_on_b = b.subscribe(Topic::Officer(officer));
    let started = std::time::Instant::now();
    a.publish(Topic::Conversation(c), revoked(c));
    assert_eq!(*next(&mut visitor_socket_on_b).await, revoked(c));
    let session = BusEvent::SessionEnded { session: [3; 32] };
    a.publish(Topic::Officer(officer), session.clone());
    assert_eq!(*next(&mut staff_socket_on_b).await, session);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "revocations must cross at once, took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_burst_crosses_in_order_per_topic_with_none_lost() {
    const PER_TOPIC: u64 = 2_500;
    let (a, bridge_a, b, bridge_b, _) = two_nodes().await;
    let c = ConversationId::new();
    let topics = [
        Topic::Officer(UserId(uuid::Uuid::new_v4())),
        Topic::Officer(UserId(uuid::Uuid::new_v4())),
        Topic::Queue,
        Topic::Supervision,
    ];
    // Each of these channels holds 4,096 events, more than one topic's share of the burst,
    // so even a reader that never runs during the burst lags on none.
    let mut subs: Vec<Subscription> = topics.iter().map(|t| b.subscribe(*t)).collect();
    for i in 0..PER_TOPIC {
        for topic in topics {
            a.publish(
                topic,
                BusEvent::Marks {
                    conversation: c,
                    reader: Author::Visitor,
                    received: i,
                    read: i,
                },
            );
        }
    }
    for (topic, sub) in topics.iter().zip(&mut subs) {
        for i in 0..PER_TOPIC {
            match &*next(sub).await {
                BusEvent::Marks { received, .. } => {
                    assert_eq!(*received, i, "out of order or lost on {topic:?}")
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    let total = PER_TOPIC * topics.len() as u64;
    let (sa, sb) = (bridge_a.status(), bridge_b.status());
    assert_eq!((sa.sent, sa.dropped), (total, 0));
    assert_eq!((sb.received, sb.rejected), (total, 0));
}

#[tokio::test]
async fn a_full_outbox_drops_and_counts_without_blocking_the_publisher() {
    let prefix = unique_prefix();
    let a = LocalBus::new();
    let bridge = connect_nats_with(
        &a,
        NatsOptions::new(nats_url(), "node-a")
            .prefix(&prefix)
            .outbox_capacity(1),
    )
    .await
    .expect("NATS at ECOUTE_TEST_NATS_URL");
    let mut local = a.subscribe(Topic::Queue);
    // Publishing never awaits, so the publisher task cannot run in between on this
    // single-threaded test runtime: one event fits, the rest is dropped.
    for _ in 0..100 {
        a.publish(Topic::Queue, BusEvent::QueueChanged);
    }
    for _ in 0..100 {
        assert_eq!(*local.try_recv().unwrap(), BusEvent::QueueChanged);
    }
    assert_eq!(bridge.status().dropped, 99);
    assert_eq!(a.bridge_status().unwrap().dropped, 99);
}

#[tokio::test]
async fn malformed_or_foreign_frames_are_dropped_and_the_node_goes_on() {
    let (a, _bridge_a, b, bridge_b, prefix) = two_nodes().await;
    let raw = async_nats::connect(nats_url())
        .await
        .expect("NATS at ECOUTE_TEST_NATS_URL");
    let subject = format!("{prefix}.queue");
    let mut on_b = b.subscribe(Topic::Queue);
    let tagged = |node: &str| {
        let mut h = async_nats::HeaderMap::new();
        h.insert(NODE_HEADER, node);
        h
    };
    // Garbage, an unknown version, no node header, and a topic that disagrees with the
    // subject.
    raw.publish_with_headers(subject.clone(), tagged("intruder"), "garbage".into())
        .await
        .unwrap();
    raw.publish_with_headers(subject.clone(), tagged("intruder"), vec![9, 2, 6].into())
        .await
        .unwrap();
    let valid = wire::encode(Topic::Queue, &BusEvent::QueueChanged).unwrap();
    raw.publish(subject.clone(), valid.into()).await.unwrap();
    let elsewhere = wire::encode(Topic::Supervision, &BusEvent::StaffChanged).unwrap();
    raw.publish_with_headers(subject.clone(), tagged("intruder"), elsewhere.into())
        .await
        .unwrap();
    // A valid frame tagged with B's own id: an echo, dropped.
    let echo = wire::encode(Topic::Queue, &BusEvent::QueueChanged).unwrap();
    raw.publish_with_headers(subject.clone(), tagged("node-b"), echo.into())
        .await
        .unwrap();
    raw.flush().await.unwrap();
    // Then a good event from A still arrives.
    a.publish(Topic::Queue, BusEvent::StaffChanged);
    assert_eq!(*next(&mut on_b).await, BusEvent::StaffChanged);
    assert!(on_b.try_recv().is_err());
    // The raw frames were sent before A's event, but on another connection: wait for them.
    tokio::time::timeout(WAIT, async {
        while bridge_b.status().rejected < 4 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("4 frames rejected");
    tokio::time::timeout(WAIT, async {
        while bridge_b.status().echoes < 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the frame tagged node-b dropped as an echo");
    assert!(on_b.try_recv().is_err());
    let status = bridge_b.status();
    assert_eq!((status.received, status.rejected, status.echoes), (1, 4, 1));
}

#[test]
fn the_bus_and_the_bridge_can_be_shared_between_tasks() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<LocalBus>();
    send_sync::<NatsBridge>();
    send::<Subscription>();
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error() {
    let bus = LocalBus::new();
    let err = connect_nats(&bus, "nats://user:pw@127.0.0.1:1", "node-a")
        .await
        .expect_err("nothing listens on port 1");
    let shown = err.to_string();
    assert!(matches!(err, BusError::Connect { .. }), "{err:?}");
    assert!(shown.contains("127.0.0.1:1"), "{shown}");
    assert!(!shown.contains("pw"), "no credentials in errors: {shown}");
    assert!(bus.bridge_status().is_none());
    // The bus still works alone.
    let mut sub = bus.subscribe(Topic::Queue);
    bus.publish(Topic::Queue, BusEvent::QueueChanged);
    assert_eq!(*sub.try_recv().unwrap(), BusEvent::QueueChanged);
}

#[tokio::test]
async fn a_bus_takes_one_bridge_and_is_alone_again_once_it_is_dropped() {
    let prefix = unique_prefix();
    let (a, b) = (LocalBus::new(), LocalBus::new());
    let bridge_a = node(&a, &prefix, "node-a").await;
    let _bridge_b = node(&b, &prefix, "node-b").await;
    assert!(matches!(
        connect_nats_with(&a, NatsOptions::new(nats_url(), "again").prefix(&prefix)).await,
        Err(BusError::AlreadyBridged)
    ));
    assert!(a.bridge_status().unwrap().connected);
    assert!(bridge_a.is_connected());

    drop(bridge_a);
    assert!(a.bridge_status().is_none());
    let mut on_a = a.subscribe(Topic::Queue);
    let mut on_b = b.subscribe(Topic::Queue);
    a.publish(Topic::Queue, BusEvent::QueueChanged);
    assert_eq!(*on_a.try_recv().unwrap(), BusEvent::QueueChanged);
    b.publish(Topic::Queue, BusEvent::StaffChanged);
    assert_eq!(*on_b.try_recv().unwrap(), BusEvent::StaffChanged);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(on_a.try_recv().is_err(), "A no longer receives");
    assert!(on_b.try_recv().is_err(), "B never got A's event");
}

#[tokio::test]
async fn shutdown_lets_queued_events_leave_first() {
    let (a, bridge_a, b, _bridge_b, _) = two_nodes().await;
    let mut on_b = b.subscribe(Topic::Supervision);
    for _ in 0..500 {
        a.publish(Topic::Supervision, BusEvent::StaffChanged);
    }
    bridge_a.shutdown().await;
    for _ in 0..500 {
        assert_eq!(*next(&mut on_b).await, BusEvent::StaffChanged);
    }
}
