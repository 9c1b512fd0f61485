//! Rules that only a shared database can break: several server nodes, each with its own pool
//! of connections, acting on the same rows at the same moment. Each `PgStore` below is one
//! node; they share one schema, as nodes share one database.

mod common;

use common::{fresh_schema, node, options_for};
use ecoute_domain::{
    Actor, ClientMessageId, ConversationId, Departement, Event, Intake, ReporterKind, Role, Seq,
    TransitionError, UserId,
};
use ecoute_store::{
    Applied, NewAudit, NewConversation, NewMessage, NewUser, Store, StoreError, User,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use time::OffsetDateTime;

fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond((t.nanosecond() / 1_000_000) * 1_000_000)
        .expect("valid nanosecond")
}

/// Two nodes on one fresh database.
async fn two_nodes() -> [Arc<dyn Store>; 2] {
    let schema = fresh_schema().await;
    [Arc::new(node(&schema).await), Arc::new(node(&schema).await)]
}

async fn waiting_chat(store: &dyn Store, at: OffsetDateTime) -> ConversationId {
    let mut token = [0u8; 32];
    token[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    store
        .create_conversation(NewConversation {
            id: ConversationId::new(),
            token_hash: token,
            intake: Intake::new(ReporterKind::Victim, false, Departement::parse("75")),
            wrapped_key: vec![1, 2, 3],
            key_version: 1,
            created_at: at,
            force: None,
            proposed_unit: None,
            open_to_all_at: at,
            return_code: None,
        })
        .await
        .expect("create conversation")
        .id
}

async fn officer(store: &dyn Store, name: &str, capacity: u32) -> User {
    let user = store
        .create_user(
            NewUser {
                id: UserId::new(),
                username: name.to_string(),
                display_name: format!("Agent {name}"),
                role: Role::Officer,
                unit: None,
                password_hash: "$argon2id$fake".into(),
                created_at: now(),
            },
            NewAudit::system("user_created", now()),
        )
        .await
        .expect("create user");
    assert!(
        store
            .set_capacity(
                user.id,
                capacity,
                NewAudit::system("capacity_changed", now())
            )
            .await
            .unwrap()
    );
    user
}

async fn append(
    store: &dyn Store,
    conversation: ConversationId,
    client_id: &str,
) -> ecoute_store::Appended {
    let cid = ClientMessageId::parse(client_id).expect("client id");
    let seal = |seq: Seq| format!("sealed-{seq}").into_bytes();
    store
        .append_message(NewMessage {
            conversation,
            actor: Actor::Visitor,
            client_id: cid.clone(),
            seal: Box::new(seal),
            now: now(),
            visitor_token: None,
        })
        .await
        .expect("store answers")
        .done()
        .expect("the visitor may write")
}

/// Twenty officers, half on each node, each asking for three chats at once: every chat taken
/// has exactly one owner, each officer ends with exactly their capacity, and the chats left
/// over are still waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn take_next_from_two_nodes_gives_each_chat_one_owner_and_nobody_goes_over_capacity() {
    let nodes = two_nodes().await;
    let t0 = now();
    for i in 0..50 {
        waiting_chat(&*nodes[0], t0 + time::Duration::milliseconds(i)).await;
    }
    let mut officers = Vec::new();
    for i in 0..20 {
        officers.push(officer(&*nodes[i % 2], &format!("o{i}"), 2).await);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(officers.len() * 3));
    let mut tasks = Vec::new();
    for (i, o) in officers.iter().enumerate() {
        for _ in 0..3 {
            let (store, barrier, o) = (nodes[i % 2].clone(), barrier.clone(), o.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                let taken = store
                    .take_next(o.id, now(), NewAudit::by(&o, "claim", now()))
                    .await
                    .expect("store answers");
                (o.id, taken)
            }));
        }
    }
    let mut owners: BTreeMap<ConversationId, Vec<UserId>> = BTreeMap::new();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            (o, Applied::Done(chat)) => {
                assert_eq!(chat.state.officer(), Some(o));
                owners.entry(chat.id).or_default().push(o);
            }
            (_, Applied::Refused(TransitionError::AtCapacity)) => refused += 1,
            (o, other) => panic!("officer {o:?}: unexpected {other:?}"),
        }
    }
    assert_eq!(owners.len(), 40, "20 officers × 2 places");
    assert!(owners.values().all(|o| o.len() == 1), "a chat taken twice");
    assert_eq!(refused, 20, "each officer's third request is refused");
    for o in &officers {
        for store in &nodes {
            assert_eq!(store.open_chats_of(o.id).await.unwrap().len(), 2);
        }
    }
    assert_eq!(nodes[1].count_waiting().await.unwrap(), 10);
}

/// One officer claiming many chats at once through both nodes gets exactly their capacity.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claims_from_two_nodes_never_take_an_officer_over_capacity() {
    let nodes = two_nodes().await;
    let alice = officer(&*nodes[0], "alice", 3).await;
    let mut chats = Vec::new();
    for _ in 0..12 {
        chats.push(waiting_chat(&*nodes[1], now()).await);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(chats.len()));
    let mut tasks = Vec::new();
    for (i, &chat) in chats.iter().enumerate() {
        let (store, barrier) = (nodes[i % 2].clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store
                .transition(chat, Actor::Officer(alice.id), Event::Claim, now(), None)
                .await
                .expect("store answers")
                .found()
                .expect("exists")
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(e) => assert_eq!(e, TransitionError::AtCapacity),
        }
    }
    assert_eq!(won, 3);
    assert_eq!(nodes[0].open_chats_of(alice.id).await.unwrap().len(), 3);
}

/// Both nodes writing to one conversation at once: the sequence has no gap and no number
/// twice, and a message resent through the other node at the same moment is stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn appends_from_two_nodes_to_one_conversation_get_gap_free_unique_sequence_numbers() {
    let nodes = two_nodes().await;
    let conv = waiting_chat(&*nodes[0], now()).await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let store = nodes[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            append(&*store, conv, &format!("m{i}")).await
        }));
    }
    // The same client id through both nodes: one message, one number.
    for store in &nodes {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            append(&*store, conv, "resent").await
        }));
    }
    let mut appended = Vec::new();
    for t in tasks {
        appended.push(t.await.unwrap());
    }
    let resent: Vec<_> = appended
        .iter()
        .filter(|a| a.message.client_id == "resent")
        .collect();
    assert_eq!(resent[0].seq, resent[1].seq);
    assert_eq!(resent.iter().filter(|a| a.duplicate).count(), 1);
    let seqs: BTreeSet<Seq> = appended.iter().map(|a| a.seq).collect();
    assert_eq!(seqs, (1..=61).collect());
    let stored = nodes[1].messages_after(conv, 0, 1000).await.unwrap();
    let stored_seqs: Vec<Seq> = stored.iter().map(|m| m.seq).collect();
    assert_eq!(stored_seqs, (1..=61).collect::<Vec<_>>());
    for m in &stored {
        assert_eq!(m.sealed_body, format!("sealed-{}", m.seq).into_bytes());
    }
    assert_eq!(
        nodes[0].conversation(conv).await.unwrap().unwrap().last_seq,
        61
    );
}

/// Audit entries written through both nodes at once form one chain: numbers 1, 2, 3… and
/// each entry's hash covers the previous one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn audit_entries_from_two_nodes_form_one_unbroken_hash_chain() {
    let nodes = two_nodes().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = nodes[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            store
                .append_audit(NewAudit::system("read", now()).detail(format!("entry {i}")))
                .await
                .unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let chain = nodes[0].audit_after(0, 100).await.unwrap();
    assert_eq!(chain.len(), 40);
    let mut prev = ecoute_crypto::audit::GENESIS;
    for (i, record) in chain.iter().enumerate() {
        assert_eq!(record.seq, i as u64 + 1);
        assert_eq!(record.prev_hash, prev);
        assert_eq!(record.hash, record.entry.hash(record.seq, &prev));
        prev = record.hash.clone().try_into().unwrap();
    }
}

/// Login attempts for one username checked on both nodes at once never pass the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn login_attempts_from_two_nodes_never_pass_the_failure_limit() {
    let nodes = two_nodes().await;
    let t0 = now();
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = nodes[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            store
                .reserve_login_attempt("alice", t0 - time::Duration::hours(1), t0, 10)
                .await
                .unwrap()
        }));
    }
    let mut allowed = 0;
    for t in tasks {
        allowed += usize::from(t.await.unwrap().is_reserved());
    }
    assert_eq!(allowed, 10);
}

/// A TCP relay standing for the network between a node and the database, which the test can
/// cut and restore.
mod relay {
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::task::JoinHandle;

    pub struct Relay {
        pub port: u16,
        upstream: SocketAddr,
        tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    }

    impl Relay {
        /// Relays a local port (0: any free one) to `upstream`.
        pub async fn start(port: u16, upstream: SocketAddr) -> Self {
            let listener = TcpListener::bind(("127.0.0.1", port))
                .await
                .expect("bind the relay");
            let port = listener.local_addr().unwrap().port();
            let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
            let registry = tasks.clone();
            let accept = tokio::spawn(async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    let link = tokio::spawn(async move {
                        if let Ok(mut server) = TcpStream::connect(upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                    registry.lock().unwrap().push(link);
                }
            });
            tasks.lock().unwrap().push(accept);
            Self {
                port,
                upstream,
                tasks,
            }
        }

        /// Cuts every connection and refuses new ones.
        pub fn cut(&self) {
            for task in self.tasks.lock().unwrap().drain(..) {
                task.abort();
            }
        }

        /// Relays again, on the same port.
        pub async fn restore(&self) -> Self {
            Self::start(self.port, self.upstream).await
        }
    }
}

/// While the database cannot be reached, calls fail quickly as unavailable (the server
/// answers 503) instead of hanging or panicking; once it is back, the same store works again
/// without being rebuilt, and nothing committed before was lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_is_unavailable_while_the_database_is_unreachable_and_recovers_by_itself() {
    let schema = fresh_schema().await;
    let server = common::server();
    let upstream = tokio::net::lookup_host((server.get_host(), server.get_port()))
        .await
        .unwrap()
        .next()
        .expect("the test server's address");
    let relay = relay::Relay::start(0, upstream).await;
    let store = ecoute_store_postgres::PgStore::connect_with_settings(
        options_for(&schema).host("127.0.0.1").port(relay.port),
        ecoute_store_postgres::PoolSettings {
            max_connections: 2,
            acquire_timeout: std::time::Duration::from_secs(2),
        },
    )
    .await
    .expect("connect through the relay");
    let conv = waiting_chat(&store, now()).await;
    assert_eq!(append(&store, conv, "before").await.seq, 1);

    relay.cut();
    let deadline = std::time::Duration::from_secs(15);
    let ping = tokio::time::timeout(deadline, store.ping()).await;
    assert!(
        matches!(ping, Ok(Err(StoreError::Unavailable(_)))),
        "ping while cut off: {ping:?}"
    );
    let cid = ClientMessageId::parse("during").unwrap();
    let seal = |_: Seq| b"sealed".to_vec();
    let write = tokio::time::timeout(
        deadline,
        store.append_message(NewMessage {
            conversation: conv,
            actor: Actor::Visitor,
            client_id: cid.clone(),
            seal: Box::new(seal),
            now: now(),
            visitor_token: None,
        }),
    )
    .await;
    assert!(
        matches!(write, Ok(Err(StoreError::Unavailable(_)))),
        "write while cut off: {:?}",
        write.map(|r| r.map(|_| ()))
    );

    let _restored = relay.restore().await;
    store
        .ping()
        .await
        .expect("answers again once the database is back");
    assert_eq!(append(&store, conv, "after").await.seq, 2);
    let stored = store.messages_after(conv, 0, 10).await.unwrap();
    let ids: Vec<_> = stored.iter().map(|m| m.client_id.as_str()).collect();
    assert_eq!(ids, ["before", "after"]);
}

/// Starting a node while the database is down fails as unavailable, promptly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connecting_to_an_unreachable_database_fails_as_unavailable() {
    // A port nobody listens on: bind one, then let it go.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let started = std::time::Instant::now();
    let outcome = ecoute_store_postgres::PgStore::connect_with_settings(
        common::server().host("127.0.0.1").port(port),
        ecoute_store_postgres::PoolSettings {
            max_connections: 1,
            acquire_timeout: std::time::Duration::from_secs(1),
        },
    )
    .await;
    assert!(
        matches!(outcome, Err(StoreError::Unavailable(_))),
        "{:?}",
        outcome.err()
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

/// The first chat in the queue is taken first even while its row is held for a moment (its
/// visitor writing, someone else claiming): take-next waits rather than passing it over.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn take_next_waits_for_the_first_chat_while_it_is_written_to_rather_than_passing_it_over() {
    use sqlx::Connection;
    let schema = fresh_schema().await;
    let store: Arc<dyn Store> = Arc::new(node(&schema).await);
    let t0 = now();
    let first = waiting_chat(&*store, t0).await;
    waiting_chat(&*store, t0 + time::Duration::milliseconds(1)).await;
    let o = officer(&*store, "taker", 3).await;

    let mut holder = sqlx::PgConnection::connect_with(&options_for(&schema))
        .await
        .unwrap();
    let mut held = holder.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE")
        .bind(first.to_string())
        .execute(&mut *held)
        .await
        .unwrap();
    let taking = tokio::spawn({
        let (store, o) = (store.clone(), o.clone());
        async move {
            store
                .take_next(o.id, now(), NewAudit::by(&o, "claim", now()))
                .await
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!taking.is_finished(), "take-next waits for the row");
    held.rollback().await.unwrap();
    let taken = taking
        .await
        .unwrap()
        .expect("store answers")
        .done()
        .expect("a chat, allowed");
    assert_eq!(taken.id, first, "the first in the queue, not the next one");
}
