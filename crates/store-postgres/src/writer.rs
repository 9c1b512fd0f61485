//! Group commit for messages: one transaction for every message waiting.
//!
//! A message is acknowledged only once its transaction is committed (`synchronous_commit`),
//! and a commit costs one wait for the database's disk whatever it holds. Callers hand their
//! message to this node's writer, a task of its own, and wait for its answer. The writer takes
//! every message waiting (up to [`MAX_BATCH`]) and writes them together, in arrival order, in
//! one transaction of a few statements whatever the batch holds: the lock on every
//! conversation of the batch (in the order of their ids, as every node's writer takes them),
//! the names of the officers writing, the resends already stored, then the insert of every
//! new row with the update of every sequence number, and the commit. As soon as a commit is
//! done the next batch starts with whatever arrived meanwhile: alone, a message is committed at
//! once; under load, batches grow by themselves.
//!
//! Each message is decided exactly as [`crate::append_in`] decides it alone (unknown or closed
//! to this device, a resend, the rules), against the conversation as the earlier messages of
//! the batch left it. Nobody is told anything before the commit succeeded. If the batch fails
//! for something the database refused (a statement, the commit), what it held is rolled back
//! and each message is written again on its own, a conversation's messages one after the
//! other in their order: one bad message fails alone and the others get the answers they
//! would have got alone. If the connection is lost, every message of the batch fails as
//! unavailable and is sent again by its client (client ids make that idempotent, even for a
//! commit whose answer was lost).

use crate::codec::{from_millis, millis, opt_uuid, unsigned};
use crate::error::{Fail, R, corrupt};
use crate::{MAX_ATTEMPTS, append_alone, backoff, bounded, commit};
use ecoute_domain::{Author, ConversationId, ConversationState, Event, Seq, UserId};
use ecoute_store::stored::state_from;
use ecoute_store::{
    AppendOutcome, Appended, Applied, NewMessage, StoreError, StoreResult, StoredMessage, author_of,
};
use futures_util::{FutureExt, StreamExt};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPool};
use sqlx::{Acquire, Postgres, Row};
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

/// Messages in one transaction, at most.
pub(crate) const MAX_BATCH: usize = 256;
/// Messages waiting for the writer, at most; beyond, callers wait (back pressure).
const QUEUED: usize = 4 * MAX_BATCH;
/// Conversations written again at once when a batch failed (each one's messages in order).
const FALLBACK_CONVERSATIONS: usize = 4;

/// What `append_message` answers.
type Answer = StoreResult<AppendOutcome>;

/// What a caller hands the writer, and where its answer goes.
enum Pending {
    Message(NewMessage, oneshot::Sender<Answer>),
    /// The store is closing: what came before is written, the connection given back, then told.
    Stop(oneshot::Sender<()>),
}

/// The callers' side of a node's message writer.
pub(crate) struct Writer {
    queue: mpsc::Sender<Pending>,
}

impl Writer {
    /// Starts the task that writes this node's messages through `pool`. It stops when the last
    /// store holding this writer is dropped, or at [`Writer::stop`].
    pub(crate) fn start(pool: PgPool) -> Writer {
        let (queue, waiting) = mpsc::channel(QUEUED);
        tokio::spawn(run(pool, waiting));
        Writer { queue }
    }

    /// Appends one message; answered once its batch is committed (or it is refused).
    pub(crate) async fn append(&self, message: NewMessage) -> Answer {
        match self.enqueue(message).await {
            Ok(answered) => answered.await.unwrap_or_else(|_| Err(stopped())),
            Err(e) => Err(e),
        }
    }

    /// Appends messages in order: all are queued before the first answer is awaited, so they
    /// go in the same batch (or consecutive ones), in this order.
    pub(crate) async fn append_all(&self, messages: Vec<NewMessage>) -> Vec<Answer> {
        let mut waiting = Vec::with_capacity(messages.len());
        for message in messages {
            waiting.push(self.enqueue(message).await);
        }
        let mut answers = Vec::with_capacity(waiting.len());
        for answer in waiting {
            answers.push(match answer {
                Ok(answered) => answered.await.unwrap_or_else(|_| Err(stopped())),
                Err(e) => Err(e),
            });
        }
        answers
    }

    async fn enqueue(&self, message: NewMessage) -> StoreResult<oneshot::Receiver<Answer>> {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send(Pending::Message(message, answer))
            .await
            .map_err(|_| stopped())?;
        Ok(answered)
    }

    /// Writes what was handed in before, gives the connection back to the pool and stops the
    /// task; later calls fail as "stopped". For the store's `close`, before the pool's.
    pub(crate) async fn stop(&self) {
        let (told, stopped) = oneshot::channel();
        if self.queue.send(Pending::Stop(told)).await.is_ok() {
            let _ = stopped.await;
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the message writer stopped".into())
}

async fn run(pool: PgPool, mut waiting: mpsc::Receiver<Pending>) {
    // The writer keeps its connection from one batch to the next: taking one from the pool
    // would cost a round trip to test it each time.
    let mut held: Option<PoolConnection<Postgres>> = None;
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut stop = None;
    while stop.is_none() {
        if waiting.recv_many(&mut batch, MAX_BATCH).await == 0 {
            break;
        }
        // What came after a stop is dropped unanswered: its callers are told "stopped".
        if let Some(at) = batch.iter().position(|p| matches!(p, Pending::Stop(_)))
            && let Some(Pending::Stop(told)) = batch.drain(at..).next()
        {
            stop = Some(told);
        }
        let mut messages = Vec::with_capacity(batch.len());
        let mut answers = Vec::with_capacity(batch.len());
        for pending in batch.drain(..) {
            if let Pending::Message(message, answer) = pending {
                // A caller that stopped waiting (its client left) was never acknowledged: its
                // client sends the message again if it comes back.
                if !answer.is_closed() {
                    messages.push(message);
                    answers.push(answer);
                }
            }
        }
        if messages.is_empty() {
            continue;
        }
        metrics::histogram!("ecoute_commit_batch_size").record(messages.len() as f64);
        // A panic (a bug) fails this batch's callers, whose answers are dropped unanswered,
        // and not every message after it; its transaction was rolled back with its connection.
        let written = std::panic::AssertUnwindSafe(write_group(&pool, &mut held, &messages))
            .catch_unwind()
            .await;
        let Ok(outcomes) = written else {
            tracing::error!("a batch of messages panicked; its senders will send again");
            held = None;
            continue;
        };
        for (answer, outcome) in answers.into_iter().zip(outcomes) {
            let _ = answer.send(outcome);
        }
    }
    drop(held);
    waiting.close();
    if let Some(told) = stop {
        let _ = told.send(());
    }
}

/// Writes a batch, once more after a lost race, on a fresh connection if the one kept from
/// before was found broken, or each message on its own if the database refused the batch.
/// One answer per message, in order.
async fn write_group(
    pool: &PgPool,
    held: &mut Option<PoolConnection<Postgres>>,
    messages: &[NewMessage],
) -> Vec<Answer> {
    let started = std::time::Instant::now();
    let mut attempt: u32 = 1;
    let mut reconnected = false;
    let outcome = loop {
        let kept = held.is_some();
        let mut conn = match held.take() {
            Some(conn) => conn,
            None => match pool.acquire().await {
                Ok(conn) => conn,
                Err(e) => break Err(Fail::Db(e)),
            },
        };
        match bounded(write_batch(&mut conn, messages)).await {
            Ok(outcomes) => {
                *held = Some(conn);
                break Ok(outcomes);
            }
            Err(e) if !refused_by_the_database(&e) => {
                // The connection is lost, or in a state nobody knows (a call cut short): it
                // is closed rather than given back. One kept idle since the last batch may
                // simply have died meanwhile: the batch is tried once on a fresh one.
                conn.close_on_drop();
                drop(conn);
                if kept && !reconnected {
                    reconnected = true;
                    continue;
                }
                break Err(e);
            }
            Err(e) => {
                // The failed transaction was dropped, which only queues its `ROLLBACK`: sent
                // now, so that its locks (held by PostgreSQL until then, even after an error)
                // do not stall the other transactions until the next batch.
                if sqlx::Connection::ping(&mut *conn).await.is_err() {
                    conn.close_on_drop();
                    break Err(e);
                }
                *held = Some(conn);
                if e.retryable() && attempt < MAX_ATTEMPTS {
                    metrics::counter!("ecoute_store_retries_total").increment(1);
                    backoff(attempt).await;
                    attempt += 1;
                    continue;
                }
                break Err(e);
            }
        }
    };
    metrics::histogram!("ecoute_batch_write_seconds").record(started.elapsed().as_secs_f64());
    match outcome {
        Ok(outcomes) => outcomes,
        Err(e) if refused_by_the_database(&e) && messages.len() > 1 => {
            tracing::warn!(
                error = ?e,
                messages = messages.len(),
                "a batch of messages was refused; each is written on its own"
            );
            metrics::counter!("ecoute_batch_fallbacks_total").increment(1);
            each_alone(pool, messages).await
        }
        Err(e) => {
            let e = e.into_store();
            let why = e.to_string();
            let mut answers: Vec<Answer> = (1..messages.len())
                .map(|_| Err(StoreError::Unavailable(why.clone())))
                .collect();
            answers.insert(0, Err(e));
            answers
        }
    }
}

/// A failure the database answered (a statement or the commit refused, data that does not
/// decode), as opposed to a connection lost or a call cut short: one of the batch's messages
/// may be the cause, so each is worth writing on its own.
fn refused_by_the_database(e: &Fail) -> bool {
    match e {
        Fail::Db(
            sqlx::Error::Database(_)
            | sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::Decode(_)
            | sqlx::Error::ColumnNotFound(_)
            | sqlx::Error::TypeNotFound { .. },
        ) => true,
        Fail::Db(_) => false,
        Fail::Store(StoreError::Unavailable(_)) => false,
        Fail::Store(StoreError::Corrupt(_) | StoreError::Conflict) => true,
    }
}

/// Each message as [`crate::append_alone`] writes it: a conversation's messages one after the
/// other in the batch's order, a few conversations at a time. One answer per message, in order.
async fn each_alone(pool: &PgPool, messages: &[NewMessage]) -> Vec<Answer> {
    let mut groups: Vec<(ConversationId, Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<ConversationId, usize> = HashMap::new();
    for (i, message) in messages.iter().enumerate() {
        let g = *group_of.entry(message.conversation).or_insert_with(|| {
            groups.push((message.conversation, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(i);
    }
    let answered: Vec<Vec<(usize, Answer)>> = futures_util::stream::iter(groups)
        .map(|(_, members)| async move {
            let mut answers = Vec::with_capacity(members.len());
            for i in members {
                answers.push((i, append_alone(pool, &messages[i]).await));
            }
            answers
        })
        .buffer_unordered(FALLBACK_CONVERSATIONS)
        .collect()
        .await;
    let mut answers: Vec<Option<Answer>> = (0..messages.len()).map(|_| None).collect();
    for (i, answer) in answered.into_iter().flatten() {
        answers[i] = Some(answer);
    }
    answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Err(stopped())))
        .collect()
}

/// A conversation as the batch found it under its lock, and as it goes on while the batch's
/// messages are decided: only what writing a message needs.
struct Found {
    state: ConversationState,
    last_seq: Seq,
    token_hash: Option<Vec<u8>>,
    /// A message of the batch moved its last sequence number.
    changed: bool,
}

/// The key of a message for resends: its conversation, its side, its client id.
type ResendKey = (ConversationId, Author, String);

/// A row to insert.
struct NewRow {
    conversation: ConversationId,
    message: StoredMessage,
    now: i64,
}

/// The batch in one transaction: each message's answer, in order, once committed.
async fn write_batch(conn: &mut PgConnection, messages: &[NewMessage]) -> R<Vec<Answer>> {
    let mut tx = conn.begin().await?;
    let mut found = lock_conversations(&mut tx, messages).await?;
    let names = officer_names(&mut tx, messages).await?;
    let candidates: Vec<&NewMessage> = messages
        .iter()
        .filter(|m| opens(found.get(&m.conversation), m))
        .collect();
    let mut stored = load_resends(&mut tx, &candidates).await?;
    let mut rows = Vec::new();
    let answers: Vec<Answer> = messages
        .iter()
        .map(|m| decide(&mut found, &mut stored, &names, &mut rows, m))
        .collect::<R<_>>()?;
    if rows.is_empty() {
        // Nothing new (refusals, duplicates whose originals were committed before): nothing
        // to commit, and the locks are let go now rather than at the next batch.
        tx.rollback().await?;
    } else {
        insert_rows(&mut tx, &rows, &found).await?;
        commit(tx).await?;
    }
    Ok(answers)
}

/// The conversation exists and, for a visitor's device, its token still opens it.
fn opens(found: Option<&Found>, message: &NewMessage) -> bool {
    match (found, &message.visitor_token) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(f), Some(token)) => f.token_hash.as_deref() == Some(token.as_slice()),
    }
}

/// Locks every conversation of the batch, in the order of their ids (every node's writer
/// takes them in that order, so two batches never wait for each other in a circle), and reads
/// them. `FOR UPDATE` under READ COMMITTED returns a row as it is once the lock is taken.
async fn lock_conversations(
    conn: &mut PgConnection,
    messages: &[NewMessage],
) -> R<HashMap<ConversationId, Found>> {
    let mut ids: Vec<String> = messages
        .iter()
        .map(|m| m.conversation.to_string())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let rows = sqlx::query(
        "SELECT id, state, officer_id, outcome, last_seq, token_hash FROM conversations \
         WHERE id = ANY($1) ORDER BY id FOR UPDATE",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get("id")?;
        let state: String = row.try_get("state")?;
        let officer: Option<String> = row.try_get("officer_id")?;
        let outcome: Option<String> = row.try_get("outcome")?;
        found.insert(
            ConversationId(ecoute_store::stored::parse_uuid(&id)?),
            Found {
                state: state_from(&state, officer.as_deref(), outcome.as_deref())?,
                last_seq: unsigned(row.try_get("last_seq")?, "last_seq")?,
                token_hash: row.try_get("token_hash")?,
                changed: false,
            },
        );
    }
    Ok(found)
}

/// The display names of the officers writing in the batch (the rules let only a chat's own
/// officer write in it, so it is also the name its conversation carries).
async fn officer_names(
    conn: &mut PgConnection,
    messages: &[NewMessage],
) -> R<HashMap<UserId, String>> {
    let mut ids: Vec<String> = messages
        .iter()
        .filter_map(|m| author_of(m.actor).1)
        .map(|o| o.to_string())
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    ids.sort_unstable();
    ids.dedup();
    let rows = sqlx::query("SELECT id, display_name FROM users WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await?;
    let mut names = HashMap::with_capacity(rows.len());
    for row in rows {
        let id: Option<String> = row.try_get("id")?;
        if let Some(id) = opt_uuid(id)? {
            names.insert(UserId(id), row.try_get("display_name")?);
        }
    }
    Ok(names)
}

/// Messages of the batch already stored under the same client id, read after the locks: a
/// resend racing its original on another node finds it here.
async fn load_resends(
    conn: &mut PgConnection,
    candidates: &[&NewMessage],
) -> R<HashMap<ResendKey, StoredMessage>> {
    let mut stored = HashMap::new();
    if candidates.is_empty() {
        return Ok(stored);
    }
    let mut conversations = Vec::with_capacity(candidates.len());
    let mut authors = Vec::with_capacity(candidates.len());
    let mut client_ids = Vec::with_capacity(candidates.len());
    for message in candidates {
        conversations.push(message.conversation.to_string());
        authors.push(author_of(message.actor).0.as_str());
        client_ids.push(message.client_id.as_str());
    }
    let rows = sqlx::query(
        "SELECT m.conversation_id, m.seq, m.author, m.officer_id, \
         u.display_name AS officer_name, m.client_id, m.body, m.sent_at \
         FROM UNNEST($1::text[], $2::text[], $3::text[]) AS k (conversation_id, author, client_id) \
         JOIN messages m ON m.conversation_id = k.conversation_id AND m.author = k.author \
         AND m.client_id = k.client_id \
         LEFT JOIN users u ON u.id = m.officer_id",
    )
    .bind(&conversations)
    .bind(&authors)
    .bind(&client_ids)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let conversation: String = row.try_get("conversation_id")?;
        let message = crate::codec::message_from_row(&row)?;
        let conversation = ConversationId(ecoute_store::stored::parse_uuid(&conversation)?);
        stored.insert(
            (conversation, message.author, message.client_id.clone()),
            message,
        );
    }
    Ok(stored)
}

/// One message, decided as [`crate::append_in`] decides it alone, against the conversation as
/// the earlier messages of the batch left it.
fn decide(
    found: &mut HashMap<ConversationId, Found>,
    stored: &mut HashMap<ResendKey, StoredMessage>,
    names: &HashMap<UserId, String>,
    rows: &mut Vec<NewRow>,
    message: &NewMessage,
) -> R<Answer> {
    if !opens(found.get(&message.conversation), message) {
        return Ok(Ok(Applied::NotFound));
    }
    let current = found
        .get_mut(&message.conversation)
        .ok_or_else(|| corrupt("conversation"))?;
    let owner = current.state.officer();
    let (author, officer) = author_of(message.actor);
    let key = (
        message.conversation,
        author,
        message.client_id.as_str().to_string(),
    );
    // Sent before, in an earlier transaction or earlier in this batch.
    if let Some(original) = stored.get(&key) {
        return Ok(Ok(Applied::Done(Appended {
            seq: original.seq,
            sent_at: original.sent_at,
            duplicate: true,
            owner,
            message: original.clone(),
        })));
    }
    if let Err(refused) = current.state.apply(message.actor, Event::Write) {
        return Ok(Ok(Applied::Refused(refused)));
    }
    let seq = current.last_seq + 1;
    // A sealer that panics fails its own message, which takes no sequence number.
    let sealed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (message.seal)(seq)));
    let Ok(sealed) = sealed else {
        tracing::error!("sealing a message panicked; it is refused alone");
        return Ok(Err(StoreError::Unavailable(
            "the message could not be sealed".into(),
        )));
    };
    current.last_seq = seq;
    current.changed = true;
    let sent_at = from_millis(millis(message.now))?;
    let written = StoredMessage {
        seq,
        author,
        officer_id: officer,
        officer_name: officer.and_then(|o| names.get(&o).cloned()),
        client_id: key.2.clone(),
        sealed_body: sealed,
        sent_at,
    };
    stored.insert(key, written.clone());
    rows.push(NewRow {
        conversation: message.conversation,
        message: written.clone(),
        now: millis(message.now),
    });
    Ok(Ok(Applied::Done(Appended {
        seq,
        sent_at,
        duplicate: false,
        owner,
        message: written,
    })))
}

/// Every new row of the batch and every conversation's new last sequence number, in one
/// statement.
async fn insert_rows(
    conn: &mut PgConnection,
    rows: &[NewRow],
    found: &HashMap<ConversationId, Found>,
) -> R<()> {
    let n = rows.len();
    let (mut conversations, mut seqs, mut authors, mut officers) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut client_ids, mut bodies, mut sent) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for row in rows {
        let m = &row.message;
        conversations.push(row.conversation.to_string());
        seqs.push(m.seq as i64);
        authors.push(m.author.as_str());
        officers.push(m.officer_id.map(|o| o.to_string()));
        client_ids.push(m.client_id.as_str());
        bodies.push(m.sealed_body.as_slice());
        sent.push(row.now);
    }
    let (mut moved, mut last) = (Vec::new(), Vec::new());
    for (id, f) in found.iter().filter(|(_, f)| f.changed) {
        moved.push(id.to_string());
        last.push(f.last_seq as i64);
    }
    let updated = sqlx::query(
        "WITH inserted AS (INSERT INTO messages \
         (conversation_id, seq, author, officer_id, client_id, body, sent_at) \
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], \
         $6::bytea[], $7::bigint[])) \
         UPDATE conversations c SET last_seq = v.last_seq \
         FROM UNNEST($8::text[], $9::bigint[]) AS v (id, last_seq) WHERE c.id = v.id",
    )
    .bind(&conversations)
    .bind(&seqs)
    .bind(&authors)
    .bind(&officers)
    .bind(&client_ids)
    .bind(&bodies)
    .bind(&sent)
    .bind(&moved)
    .bind(&last)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated != moved.len() as u64 {
        return Err(corrupt("a conversation vanished during its batch"));
    }
    Ok(())
}
