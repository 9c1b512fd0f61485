//! Messages written in groups (the node's message writer): one transaction for every message
//! waiting, nobody acknowledged before its commit, and a batch the database refuses written
//! again message by message so that one bad message fails alone. What another node sees (a
//! second `PgStore` on the same schema) is what was committed.

mod common;

use common::{fresh_schema, node, options_for};
use ecoute_domain::{
    Actor, ClientMessageId, ConversationId, Departement, Intake, ReporterKind, Seq, TransitionError,
};
use ecoute_store::{AppendOutcome, Applied, NewConversation, NewMessage, Store, StoreError};
use sqlx::ConnectOptions;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond((t.nanosecond() / 1_000_000) * 1_000_000)
        .expect("valid nanosecond")
}

async fn chat(store: &dyn Store, token: u8) -> ConversationId {
    let at = now();
    store
        .create_conversation(NewConversation {
            id: ConversationId::new(),
            token_hash: [token; 32],
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

/// A visitor's message, from a device holding `token` (or from the server's own tests,
/// without one).
fn visitor(conversation: ConversationId, client_id: &str, token: Option<u8>) -> NewMessage {
    NewMessage {
        conversation,
        actor: Actor::Visitor,
        client_id: ClientMessageId::parse(client_id).expect("client id"),
        seal: Box::new(|seq: Seq| format!("sealed-{seq}").into_bytes()),
        now: now(),
        visitor_token: token.map(|t| [t; 32]),
    }
}

/// Locks a conversation's row on a connection of its own, as a transaction of another node
/// would: the writer's batch that includes it waits until [`Blocker::release`].
struct Blocker(sqlx::PgConnection);

impl Blocker {
    async fn lock(schema: &str, conversation: ConversationId) -> Blocker {
        let mut conn = options_for(schema).connect().await.expect("connect");
        sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
        sqlx::query("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE")
            .bind(conversation.to_string())
            .execute(&mut conn)
            .await
            .unwrap();
        Blocker(conn)
    }

    async fn release(mut self) -> sqlx::PgConnection {
        sqlx::raw_sql("COMMIT").execute(&mut self.0).await.unwrap();
        self.0
    }
}

/// How many transactions wrote the messages stored (rows written by one transaction share
/// their `xmin`).
async fn transactions_that_wrote_messages(conn: &mut sqlx::PgConnection) -> i64 {
    sqlx::query_scalar("SELECT count(DISTINCT xmin::text) FROM messages")
        .fetch_one(conn)
        .await
        .unwrap()
}

/// Twenty visitors write while their batch cannot commit (another transaction holds their
/// chat's row): none is acknowledged and none is visible to another node meanwhile. Once it
/// can, every message is stored in at most two transactions (the one the writer had started,
/// and the one that gathered everything that arrived while it waited), and each message is
/// already visible to another node when its sender is told.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn messages_are_written_in_groups_and_acknowledged_only_once_committed() {
    let schema = fresh_schema().await;
    let store: Arc<dyn Store> = Arc::new(node(&schema).await);
    let other_node: Arc<dyn Store> = Arc::new(node(&schema).await);
    let conv = chat(&*store, 1).await;
    let blocker = Blocker::lock(&schema, conv).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        let other_node = other_node.clone();
        tasks.push(tokio::spawn(async move {
            let client_id = format!("m{i}");
            let appended = store
                .append_message(visitor(conv, &client_id, Some(1)))
                .await
                .expect("store answers")
                .done()
                .expect("the visitor may write");
            let seen = other_node.messages_after(conv, 0, 100).await.unwrap();
            assert!(
                seen.iter()
                    .any(|m| m.client_id == client_id && m.seq == appended.seq),
                "{client_id} was committed before its sender was told"
            );
            appended
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        tasks.iter().all(|t| !t.is_finished()),
        "nobody is acknowledged while the batch cannot commit"
    );
    assert!(
        other_node
            .messages_after(conv, 0, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let mut conn = blocker.release().await;
    let mut seqs = Vec::new();
    for t in tasks {
        let appended = t.await.unwrap();
        assert!(!appended.duplicate);
        seqs.push(appended.seq);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>());
    let transactions = transactions_that_wrote_messages(&mut conn).await;
    assert!(
        (1..=2).contains(&transactions),
        "twenty messages in {transactions} transactions"
    );
    assert_eq!(
        other_node
            .conversation(conv)
            .await
            .unwrap()
            .unwrap()
            .last_seq,
        20
    );
}

/// A function that refuses the message whose client id is `poison`.
const POISON: &str = "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN IF NEW.client_id = 'poison' THEN RAISE EXCEPTION 'a poisoned message'; END IF; \
     RETURN NEW; END $$;";

/// One batch holding every kind of answer, and one message the database refuses (by the
/// trigger `trigger`, when it is inserted or only at the commit): every other message gets
/// exactly the answer it would have got alone, every message acknowledged is stored, the
/// refused one is not, and it takes no sequence number.
async fn a_refused_message_fails_alone(trigger: &str) {
    let schema = fresh_schema().await;
    let store: Arc<dyn Store> = Arc::new(node(&schema).await);
    let primer = chat(&*store, 1).await;
    let written = chat(&*store, 2).await;
    let closed = chat(&*store, 3).await;
    let second = chat(&*store, 4).await;
    store.quick_exit([3; 32], now()).await.unwrap().unwrap();
    let before = store
        .append_message(visitor(written, "b0", Some(2)))
        .await
        .unwrap()
        .done()
        .unwrap();
    assert_eq!(before.seq, 1);
    let mut conn = options_for(&schema).connect().await.unwrap();
    sqlx::raw_sql(&format!("{POISON} {trigger}"))
        .execute(&mut conn)
        .await
        .unwrap();
    // The writer is held on a batch of its own, so that the whole plan below arrives meanwhile
    // and is written as one batch.
    let blocker = Blocker::lock(&schema, primer).await;
    let held = {
        let store = store.clone();
        tokio::spawn(async move { store.append_message(visitor(primer, "p", Some(1))).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let plan = vec![
        visitor(written, "b1", Some(2)),
        visitor(written, "poison", Some(2)),
        visitor(written, "b2", Some(2)),
        visitor(written, "b1", Some(2)),
        visitor(written, "b0", Some(2)),
        visitor(closed, "c1", None),
        visitor(written, "x", Some(9)),
        visitor(ConversationId::new(), "u", None),
        visitor(second, "d1", Some(4)),
    ];
    let answers = {
        let store = store.clone();
        tokio::spawn(async move { store.append_messages(plan).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    blocker.release().await;
    assert_eq!(held.await.unwrap().unwrap().done().unwrap().seq, 1);
    let answers = answers.await.unwrap();
    let seq = |a: &Result<AppendOutcome, StoreError>| match a {
        Ok(Applied::Done(appended)) => Some((appended.seq, appended.duplicate)),
        _ => None,
    };
    assert_eq!(seq(&answers[0]), Some((2, false)), "b1");
    assert!(
        matches!(answers[1], Err(StoreError::Unavailable(_))),
        "the poisoned message fails: {:?}",
        answers[1]
    );
    assert_eq!(
        seq(&answers[2]),
        Some((3, false)),
        "b2 takes the next number"
    );
    assert_eq!(seq(&answers[3]), Some((2, true)), "b1 sent again");
    assert_eq!(seq(&answers[4]), Some((1, true)), "b0, stored before");
    assert!(matches!(
        answers[5],
        Ok(Applied::Refused(TransitionError::Closed))
    ));
    assert!(matches!(answers[6], Ok(Applied::NotFound)), "another token");
    assert!(matches!(answers[7], Ok(Applied::NotFound)), "no such chat");
    assert_eq!(seq(&answers[8]), Some((1, false)), "d1");
    let stored: Vec<(u64, String)> = store
        .messages_after(written, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.seq, m.client_id))
        .collect();
    assert_eq!(
        stored,
        vec![(1, "b0".into()), (2, "b1".into()), (3, "b2".into())]
    );
    assert_eq!(
        store.conversation(written).await.unwrap().unwrap().last_seq,
        3
    );
    assert_eq!(store.messages_after(second, 0, 10).await.unwrap().len(), 1);
    assert!(
        store
            .messages_after(closed, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The poisoned message, sent again once the database accepts it, is stored after the others.
    sqlx::raw_sql("DROP FUNCTION refuse_poison() CASCADE")
        .execute(&mut conn)
        .await
        .unwrap();
    let again = store
        .append_message(visitor(written, "poison", Some(2)))
        .await
        .unwrap()
        .done()
        .unwrap();
    assert_eq!((again.seq, again.duplicate), (4, false));
}

/// The database refuses one row of the batch's insert.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_message_refused_by_the_insert_fails_alone_and_the_batch_loses_nothing() {
    a_refused_message_fails_alone(
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages FOR EACH ROW \
         EXECUTE FUNCTION refuse_poison();",
    )
    .await;
}

/// The database refuses the batch only at its commit: nothing of it was acknowledged, and
/// each message is written again on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_refused_at_its_commit_acknowledges_nothing_and_loses_nothing() {
    a_refused_message_fails_alone(
        "CREATE CONSTRAINT TRIGGER refuse_poison AFTER INSERT ON messages \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_poison();",
    )
    .await;
}

/// Two nodes write batches spanning the same ten chats, each batch naming them in another
/// order: their writers lock them in one order, so neither waits for the other in a circle,
/// and every message is stored once with gap-free numbers per chat.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_writing_batches_over_the_same_chats_keep_every_message_once() {
    let schema = fresh_schema().await;
    let nodes: [Arc<dyn Store>; 2] = [Arc::new(node(&schema).await), Arc::new(node(&schema).await)];
    let mut chats = Vec::new();
    for t in 0..10u8 {
        chats.push(chat(&*nodes[0], 10 + t).await);
    }
    let chats = Arc::new(chats);
    let mut tasks = Vec::new();
    for (n, store) in nodes.iter().enumerate() {
        for sender in 0..4 {
            let store = store.clone();
            let chats = chats.clone();
            tasks.push(tokio::spawn(async move {
                for round in 0..5 {
                    let mut order: Vec<usize> = (0..chats.len()).collect();
                    order.rotate_left((n * 4 + sender + round) % chats.len());
                    if (sender + round) % 2 == 1 {
                        order.reverse();
                    }
                    let batch = order
                        .iter()
                        .map(|&c| visitor(chats[c], &format!("n{n}s{sender}r{round}"), None))
                        .collect();
                    for answer in store.append_messages(batch).await {
                        let appended = answer.expect("store answers").done().expect("written");
                        assert!(!appended.duplicate);
                    }
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    for &c in chats.iter() {
        let stored = nodes[1].messages_after(c, 0, 100).await.unwrap();
        let seqs: Vec<u64> = stored.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
    }
}
