//! Group commit for messages, written by one thread a whole batch at a time.
//!
//! A message is acknowledged only once its transaction is on disk (`synchronous = FULL`), and
//! one commit costs one wait for the disk whatever it holds. Callers hand their message to the
//! appender and wait for its answer. The appender takes every message waiting (up to
//! [`MAX_BATCH`]) and writes them together in one transaction with a fixed number of
//! statements, whatever the batch holds: the conversations, the resends already stored, one
//! insert of every new row, one update of every sequence number, the commit. Alone, a message
//! is committed at once; under load, the messages that arrived during one commit make the next
//! batch.
//!
//! sqlx runs each SQLite statement on the connection's own thread, and each statement is a
//! hand-off between threads, which under load waits for the scheduler. The appender therefore
//! borrows the writer connection from sqlx for the length of a batch
//! ([`sqlx::SqliteConnection::lock_handle`]: sqlx's thread makes no call on it meanwhile) and
//! runs the whole batch on its own thread, through rusqlite on that same handle: one hand-off
//! per batch instead of one per statement (docs/PERFORMANCE.md). Other writes (claims,
//! transitions) still go through sqlx on that connection, one transaction at a time.
//!
//! Nobody is told "written" before the commit succeeded; if it fails, every message of the
//! batch fails and is sent again by its client (client ids make that idempotent). A refusal
//! (the rules, an unknown conversation, a revoked token) writes nothing.

use ecoute_domain::{
    Author, ConversationId, ConversationState, Event, Seq, TransitionError, UserId,
};
use ecoute_store::stored::{corrupt, from_millis, millis, parse_uuid, state_from};
use ecoute_store::{Appended, NewMessage, StoreError, StoreResult, StoredMessage, author_of};
use rusqlite::types::Value;
use sqlx::SqlitePool;
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

/// Messages in one transaction, at most.
pub(crate) const MAX_BATCH: usize = 256;
/// Messages waiting for the appender, at most; beyond, callers wait (back pressure).
const QUEUED: usize = 4 * MAX_BATCH;

/// What `append_message` answers.
pub(crate) type Answer = StoreResult<Option<Result<Appended, TransitionError>>>;

struct Pending {
    message: NewMessage,
    answer: oneshot::Sender<Answer>,
}

/// The callers' side of the appender.
pub(crate) struct Appender {
    queue: mpsc::Sender<Pending>,
}

impl Appender {
    /// Starts the thread that writes messages through `write` (a pool of one connection). It
    /// stops when the last store holding this appender is dropped.
    pub(crate) fn start(write: SqlitePool) -> StoreResult<Appender> {
        let (queue, waiting) = mpsc::channel(QUEUED);
        let runtime = tokio::runtime::Handle::current();
        std::thread::Builder::new()
            .name("ecoute-appender".into())
            .spawn(move || run(runtime, write, waiting))
            .map_err(|e| {
                StoreError::Unavailable(format!("cannot start the message writer: {e}"))
            })?;
        Ok(Appender { queue })
    }

    /// Appends one message; answered once its batch is committed (or refused).
    pub(crate) async fn append(&self, message: NewMessage) -> Answer {
        let answered = self.enqueue(message).await?;
        answered.await.map_err(|_| stopped())?
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
            .send(Pending { message, answer })
            .await
            .map_err(|_| stopped())?;
        Ok(answered)
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the message writer stopped".into())
}

fn run(runtime: tokio::runtime::Handle, write: SqlitePool, mut waiting: mpsc::Receiver<Pending>) {
    // sqlx returns a pooled connection from a task: the thread lends it the runtime.
    let _inside = runtime.enter();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while waiting.blocking_recv_many(&mut batch, MAX_BATCH) > 0 {
        // A caller that stopped waiting (its client left) was never acknowledged: its client
        // sends the message again if it comes back.
        batch.retain(|p: &Pending| !p.answer.is_closed());
        if batch.is_empty() {
            continue;
        }
        let members = std::mem::take(&mut batch);
        let (messages, answers): (Vec<NewMessage>, Vec<oneshot::Sender<Answer>>) =
            members.into_iter().map(|p| (p.message, p.answer)).unzip();
        metrics::histogram!("ecoute_commit_batch_size").record(messages.len() as f64);
        // A panic (in a sealer, say) fails this batch's callers, whose answers are dropped
        // unanswered, and not every message after it; the transaction was rolled back.
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write_batch(&runtime, &write, messages)
        }));
        let Ok(written) = written else {
            tracing::error!("a batch of messages panicked; its senders will send again");
            for answer in answers {
                let _ = answer.send(Err(StoreError::Unavailable(
                    "the batch failed and was rolled back".into(),
                )));
            }
            continue;
        };
        match written {
            Ok(decided) => {
                for (answer, decided) in answers.into_iter().zip(decided) {
                    let _ = answer.send(Ok(match decided {
                        Decided::Now(told) => told,
                        Decided::AfterCommit(appended) => Some(Ok(appended)),
                    }));
                }
            }
            Err(e) => {
                for answer in answers {
                    let _ = answer.send(Err(StoreError::Unavailable(format!(
                        "the batch was not committed: {e}"
                    ))));
                }
            }
        }
    }
}

/// Borrows the writer connection from sqlx and writes the batch on this thread.
fn write_batch(
    runtime: &tokio::runtime::Handle,
    write: &SqlitePool,
    messages: Vec<NewMessage>,
) -> StoreResult<Vec<Decided>> {
    let mut conn = runtime
        .block_on(write.acquire())
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let mut locked = runtime
        .block_on(conn.lock_handle())
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    // SAFETY: while `locked` lives (to the end of this function, after the last use of `db`),
    // sqlx's thread makes no call on this handle or its statements. `from_handle` does not
    // take ownership: dropping `db` finalizes only the statements prepared here and leaves
    // the connection open, for sqlx to use again once the lock is released.
    let db = unsafe { rusqlite::Connection::from_handle(locked.as_raw_handle().as_ptr()) }
        .map_err(sqlite)?;
    let decided = in_transaction(&db, messages);
    // A failed ROLLBACK (or a COMMIT that failed half-way) would leave a transaction open on
    // the connection, and every later write on it would fail: it is closed instead, and the
    // pool opens a new one.
    let still_open = !db.is_autocommit();
    drop(db);
    drop(locked);
    if still_open {
        tracing::error!("a message batch left its transaction open; the connection is replaced");
        conn.close_on_drop();
    }
    decided
}

/// `BEGIN IMMEDIATE`, the batch, `COMMIT`; rolled back on an error or a panic, so that the
/// connection goes back to sqlx with no transaction open.
fn in_transaction(
    db: &rusqlite::Connection,
    messages: Vec<NewMessage>,
) -> StoreResult<Vec<Decided>> {
    struct Open<'a>(Option<&'a rusqlite::Connection>);
    impl Drop for Open<'_> {
        fn drop(&mut self) {
            if let Some(db) = self.0 {
                let _ = db.execute_batch("ROLLBACK");
            }
        }
    }
    db.execute_batch("BEGIN IMMEDIATE").map_err(sqlite)?;
    let mut open = Open(Some(db));
    let (decided, wrote) = decide(db, messages)?;
    // With nothing new, the duplicates' originals were committed by earlier batches: the
    // guard rolls the empty transaction back.
    if wrote {
        let started = std::time::Instant::now();
        db.execute_batch("COMMIT").map_err(sqlite)?;
        open.0 = None;
        // The cost of durability: each commit waits for the disk (synchronous = FULL).
        metrics::histogram!("ecoute_commit_seconds").record(started.elapsed().as_secs_f64());
    }
    Ok(decided)
}

fn sqlite(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::IntegralValueOutOfRange(..) => StoreError::Corrupt(e.to_string()),
        _ => StoreError::Unavailable(e.to_string()),
    }
}

/// A conversation as the batch found it, and as it goes on while its messages are decided:
/// only what writing a message needs.
struct Found {
    state: ConversationState,
    last_seq: Seq,
    officer_name: Option<String>,
    token_hash: Option<Vec<u8>>,
}

/// What becomes of one message.
enum Decided {
    /// Refused by the rules, or the conversation unknown or closed to this device: nothing
    /// written.
    Now(Option<Result<Appended, TransitionError>>),
    /// Written, or found written already: answered once the commit succeeded.
    AfterCommit(Appended),
}

/// A row to insert.
struct NewRow {
    conversation: ConversationId,
    message: StoredMessage,
    now: i64,
}

/// Reads what the batch needs, decides each message in arrival order, writes the new rows.
/// Returns each member's fate, in order, and whether anything was inserted.
fn decide(
    db: &rusqlite::Connection,
    messages: Vec<NewMessage>,
) -> StoreResult<(Vec<Decided>, bool)> {
    let mut found = load_conversations(db, &messages)?;
    // Only messages whose conversation exists and opens for them can be resends.
    let candidates: Vec<&NewMessage> = messages
        .iter()
        .filter(|m| opens(found.get(&m.conversation), m))
        .collect();
    let mut stored = load_resends(db, &candidates)?;
    let mut rows: Vec<NewRow> = Vec::new();
    let mut decided = Vec::with_capacity(messages.len());
    for message in messages {
        decided.push(decide_one(db, &mut found, &mut stored, &mut rows, message)?);
    }
    insert_rows(db, &rows)?;
    update_last_seqs(db, &rows)?;
    Ok((decided, !rows.is_empty()))
}

/// The conversation exists and, for a visitor's device, its token still opens it.
fn opens(found: Option<&Found>, message: &NewMessage) -> bool {
    match (found, &message.visitor_token) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(f), Some(token)) => f.token_hash.as_deref() == Some(token.as_slice()),
    }
}

/// The key of a message for resends: its conversation, its side, its client id.
type ResendKey = (ConversationId, Author, String);

fn resend_key(message: &NewMessage) -> ResendKey {
    let (author, _) = author_of(message.actor);
    (
        message.conversation,
        author,
        message.client_id.as_str().to_string(),
    )
}

/// One message, decided against the conversation as the earlier messages of the batch left it.
fn decide_one(
    db: &rusqlite::Connection,
    found: &mut HashMap<ConversationId, Found>,
    stored: &mut HashMap<ResendKey, StoredMessage>,
    rows: &mut Vec<NewRow>,
    message: NewMessage,
) -> StoreResult<Decided> {
    if !opens(found.get(&message.conversation), &message) {
        return Ok(Decided::Now(None));
    }
    let current = found.get_mut(&message.conversation).expect("checked above");
    let owner = current.state.officer();
    let key = resend_key(&message);
    // Sent before, in an earlier batch or earlier in this one.
    if let Some(original) = stored.get(&key) {
        let appended = Appended {
            seq: original.seq,
            sent_at: original.sent_at,
            duplicate: true,
            owner,
            message: original.clone(),
        };
        return Ok(Decided::AfterCommit(appended));
    }
    if let Err(refused) = current.state.apply(message.actor, Event::Write) {
        return Ok(Decided::Now(Some(Err(refused))));
    }
    let (author, officer) = author_of(message.actor);
    let seq = current.last_seq + 1;
    current.last_seq = seq;
    let officer_name = match officer {
        // The rules let only the owner write: the conversation already carries their name.
        Some(o) if owner == Some(o) => current.officer_name.clone(),
        Some(o) => db
            .query_row(
                "SELECT display_name FROM users WHERE id = ?1",
                [o.to_string()],
                |row| row.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(sqlite(e)),
            })?,
        None => None,
    };
    let sent_at = from_millis(millis(message.now))?;
    let stored_message = StoredMessage {
        seq,
        author,
        officer_id: officer,
        officer_name,
        client_id: message.client_id.as_str().to_string(),
        sealed_body: (message.seal)(seq),
        sent_at,
    };
    stored.insert(key, stored_message.clone());
    rows.push(NewRow {
        conversation: message.conversation,
        message: stored_message.clone(),
        now: millis(message.now),
    });
    let appended = Appended {
        seq,
        sent_at,
        duplicate: false,
        owner,
        message: stored_message,
    };
    Ok(Decided::AfterCommit(appended))
}

/// `n` groups of `width` placeholders: `(?, ?), (?, ?)`.
pub(crate) fn placeholders(n: usize, width: usize) -> String {
    let group = format!("({})", vec!["?"; width].join(", "));
    vec![group; n].join(", ")
}

/// Runs `sql` with `values` bound in order.
fn bound<'a>(
    db: &'a rusqlite::Connection,
    sql: &str,
    values: &[Value],
) -> StoreResult<rusqlite::Statement<'a>> {
    let mut statement = db.prepare(sql).map_err(sqlite)?;
    for (i, value) in values.iter().enumerate() {
        statement.raw_bind_parameter(i + 1, value).map_err(sqlite)?;
    }
    Ok(statement)
}

/// The batch's conversations, with their token hash, in one statement.
fn load_conversations(
    db: &rusqlite::Connection,
    messages: &[NewMessage],
) -> StoreResult<HashMap<ConversationId, Found>> {
    let mut ids: Vec<String> = messages
        .iter()
        .map(|m| m.conversation.to_string())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let sql = format!(
        "SELECT c.id, c.state, c.officer_id, c.outcome, c.last_seq, c.token_hash, \
         u.display_name FROM conversations c LEFT JOIN users u ON u.id = c.officer_id \
         WHERE c.id IN ({})",
        vec!["?"; ids.len()].join(", ")
    );
    let values: Vec<Value> = ids.into_iter().map(Value::Text).collect();
    let mut statement = bound(db, &sql, &values)?;
    let mut rows = statement.raw_query();
    let mut found = HashMap::new();
    while let Some(row) = rows.next().map_err(sqlite)? {
        let id: String = row.get(0).map_err(sqlite)?;
        let state: String = row.get(1).map_err(sqlite)?;
        let officer: Option<String> = row.get(2).map_err(sqlite)?;
        let outcome: Option<String> = row.get(3).map_err(sqlite)?;
        let last_seq: i64 = row.get(4).map_err(sqlite)?;
        let state = state_from(&state, officer.as_deref(), outcome.as_deref())?;
        found.insert(
            ConversationId(parse_uuid(&id)?),
            Found {
                state,
                last_seq: u64::try_from(last_seq).map_err(|_| corrupt("last_seq"))?,
                token_hash: row.get(5).map_err(sqlite)?,
                officer_name: row.get(6).map_err(sqlite)?,
            },
        );
    }
    Ok(found)
}

/// The statement that finds resends already stored, for `n` keys: the keys drive the join,
/// so each one is a search of the messages' unique index, never a scan of the table.
pub(crate) fn resends_query(n: usize) -> String {
    format!(
        "SELECT m.conversation_id, m.seq, m.author, m.officer_id, \
         u.display_name AS officer_name, m.client_id, m.body, m.sent_at \
         FROM (VALUES {}) AS k \
         JOIN messages m ON m.conversation_id = k.column1 AND m.author = k.column2 \
         AND m.client_id = k.column3 \
         LEFT JOIN users u ON u.id = m.officer_id",
        placeholders(n, 3)
    )
}

/// Messages of the batch already stored under the same client id, in one statement.
fn load_resends(
    db: &rusqlite::Connection,
    candidates: &[&NewMessage],
) -> StoreResult<HashMap<ResendKey, StoredMessage>> {
    let mut stored = HashMap::new();
    if candidates.is_empty() {
        return Ok(stored);
    }
    let mut values = Vec::with_capacity(candidates.len() * 3);
    for message in candidates {
        let (author, _) = author_of(message.actor);
        values.push(Value::Text(message.conversation.to_string()));
        values.push(Value::Text(author.as_str().to_string()));
        values.push(Value::Text(message.client_id.as_str().to_string()));
    }
    let mut statement = bound(db, &resends_query(candidates.len()), &values)?;
    let mut rows = statement.raw_query();
    while let Some(row) = rows.next().map_err(sqlite)? {
        let conversation: String = row.get(0).map_err(sqlite)?;
        let seq: i64 = row.get(1).map_err(sqlite)?;
        let author: String = row.get(2).map_err(sqlite)?;
        let officer: Option<String> = row.get(3).map_err(sqlite)?;
        let sent_at: i64 = row.get(7).map_err(sqlite)?;
        let message = StoredMessage {
            seq: u64::try_from(seq).map_err(|_| corrupt("seq"))?,
            author: Author::parse(&author).ok_or_else(|| corrupt("author"))?,
            officer_id: officer.as_deref().map(parse_uuid).transpose()?.map(UserId),
            officer_name: row.get(4).map_err(sqlite)?,
            client_id: row.get(5).map_err(sqlite)?,
            sealed_body: row.get(6).map_err(sqlite)?,
            sent_at: from_millis(sent_at)?,
        };
        let conversation = ConversationId(parse_uuid(&conversation)?);
        stored.insert(
            (conversation, message.author, message.client_id.clone()),
            message,
        );
    }
    Ok(stored)
}

/// Every new row of the batch in one statement.
fn insert_rows(db: &rusqlite::Connection, rows: &[NewRow]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO messages (conversation_id, seq, author, officer_id, client_id, body, \
         sent_at) VALUES {}",
        placeholders(rows.len(), 7)
    );
    let mut values = Vec::with_capacity(rows.len() * 7);
    for row in rows {
        let m = &row.message;
        values.push(Value::Text(row.conversation.to_string()));
        values.push(Value::Integer(m.seq as i64));
        values.push(Value::Text(m.author.as_str().to_string()));
        values.push(
            m.officer_id
                .map_or(Value::Null, |o| Value::Text(o.to_string())),
        );
        values.push(Value::Text(m.client_id.clone()));
        values.push(Value::Blob(m.sealed_body.clone()));
        values.push(Value::Integer(row.now));
    }
    bound(db, &sql, &values)?.raw_execute().map_err(sqlite)?;
    Ok(())
}

/// Every conversation's new last sequence number in one statement.
fn update_last_seqs(db: &rusqlite::Connection, rows: &[NewRow]) -> StoreResult<()> {
    let mut last: HashMap<ConversationId, Seq> = HashMap::new();
    for row in rows {
        let seq = last.entry(row.conversation).or_default();
        *seq = (*seq).max(row.message.seq);
    }
    if last.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE conversations SET last_seq = v.column2 FROM (VALUES {}) AS v \
         WHERE conversations.id = v.column1",
        placeholders(last.len(), 2)
    );
    let mut values = Vec::with_capacity(last.len() * 2);
    for (id, seq) in &last {
        values.push(Value::Text(id.to_string()));
        values.push(Value::Integer(*seq as i64));
    }
    let updated = bound(db, &sql, &values)?.raw_execute().map_err(sqlite)?;
    if updated != last.len() {
        return Err(corrupt("a conversation vanished during its batch"));
    }
    Ok(())
}
