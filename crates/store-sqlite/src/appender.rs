//! Group commit for messages, written by one task a whole batch at a time.
//!
//! A message is acknowledged only once its transaction is on disk (`synchronous = FULL`), and
//! one commit costs one wait for the disk whatever it holds. Callers hand their message to the
//! appender task and wait for its answer. The task takes every message waiting (up to
//! [`MAX_BATCH`]) and writes them together in one transaction with a fixed number of
//! statements, whatever the batch holds: the conversations, the resends already stored, one
//! insert of every new row, one update of every sequence number, the commit. Alone, a message
//! is committed at once; under load, the messages that arrived during one commit make the next
//! batch.
//!
//! sqlx runs each SQLite statement on the connection's own thread, and every statement is a
//! hand-off between threads: statements per batch rather than per message is what makes the
//! group commit cheap (docs/PERFORMANCE.md).
//!
//! Nobody is told "written" before the commit succeeded; if it fails, every message of the
//! batch fails and is sent again by its client (client ids make that idempotent). A refusal
//! (the rules, an unknown conversation, a revoked token) writes nothing.

use super::{WriteTx, conversation_from_row, err, message_from_row};
use ecoute_domain::{Author, ConversationId, Event, Seq, TransitionError};
use ecoute_store::stored::{CONVERSATION_COLUMNS, corrupt, from_millis, millis};
use ecoute_store::{
    Appended, Conversation, NewMessage, StoreError, StoreResult, StoredMessage, author_of,
};
use sqlx::{Row, SqlitePool};
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

/// The callers' side of the appender task.
pub(crate) struct Appender {
    queue: mpsc::Sender<Pending>,
}

impl Appender {
    /// Starts the task that writes messages through `write` (a pool of one connection).
    pub(crate) fn start(write: SqlitePool) -> Appender {
        let (queue, waiting) = mpsc::channel(QUEUED);
        tokio::spawn(run(write, waiting));
        Appender { queue }
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

async fn run(write: SqlitePool, mut waiting: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // A caller that stopped waiting (its client left) was never acknowledged: its client
        // sends the message again if it comes back.
        batch.retain(|p: &Pending| !p.answer.is_closed());
        if batch.is_empty() {
            continue;
        }
        // Each batch runs as a task of its own, so that a panic (in a sealer, say) fails that
        // batch's callers, whose answers are dropped, and not every message after it.
        let write = write.clone();
        let members = std::mem::take(&mut batch);
        let _ = tokio::spawn(async move { write_batch(&write, members).await }).await;
    }
}

/// A conversation as the batch found it, and as it goes on while its messages are decided.
struct Found {
    conversation: Conversation,
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

async fn write_batch(write: &SqlitePool, members: Vec<Pending>) {
    metrics::histogram!("ecoute_commit_batch_size").record(members.len() as f64);
    let (messages, answers): (Vec<NewMessage>, Vec<oneshot::Sender<Answer>>) =
        members.into_iter().map(|p| (p.message, p.answer)).unzip();
    let written = async {
        let mut tx = WriteTx::begin(write).await?;
        let (decided, wrote) = decide(&mut tx, messages).await?;
        // With nothing new, the duplicates' originals were committed by earlier batches, and
        // dropping the transaction rolls it back.
        if wrote {
            tx.commit().await?;
        }
        Ok::<_, StoreError>(decided)
    }
    .await;
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

/// Reads what the batch needs, decides each message in arrival order, writes the new rows.
/// Returns each member's fate, in order, and whether anything was inserted.
async fn decide(tx: &mut WriteTx, messages: Vec<NewMessage>) -> StoreResult<(Vec<Decided>, bool)> {
    let mut found = load_conversations(tx, &messages).await?;
    // Only messages whose conversation exists and opens for them can be resends.
    let candidates: Vec<&NewMessage> = messages
        .iter()
        .filter(|m| opens(found.get(&m.conversation), m))
        .collect();
    let mut stored = load_resends(tx, &candidates).await?;
    let mut rows: Vec<NewRow> = Vec::new();
    let mut decided = Vec::with_capacity(messages.len());
    for message in messages {
        decided.push(decide_one(tx, &mut found, &mut stored, &mut rows, message).await?);
    }
    insert_rows(tx, &rows).await?;
    update_last_seqs(tx, &rows).await?;
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
async fn decide_one(
    tx: &mut WriteTx,
    found: &mut HashMap<ConversationId, Found>,
    stored: &mut HashMap<ResendKey, StoredMessage>,
    rows: &mut Vec<NewRow>,
    message: NewMessage,
) -> StoreResult<Decided> {
    if !opens(found.get(&message.conversation), &message) {
        return Ok(Decided::Now(None));
    }
    let current = &mut found
        .get_mut(&message.conversation)
        .expect("checked above")
        .conversation;
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
        Some(o) => sqlx::query_scalar("SELECT display_name FROM users WHERE id = ?")
            .bind(o.to_string())
            .fetch_optional(&mut **tx)
            .await
            .map_err(err)?,
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

/// The batch's conversations, with their token hash, in one statement.
async fn load_conversations(
    tx: &mut WriteTx,
    messages: &[NewMessage],
) -> StoreResult<HashMap<ConversationId, Found>> {
    let mut ids: Vec<String> = messages
        .iter()
        .map(|m| m.conversation.to_string())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let sql = format!(
        "SELECT {CONVERSATION_COLUMNS}, c.token_hash FROM conversations c \
         LEFT JOIN users u ON u.id = c.officer_id WHERE c.id IN ({})",
        vec!["?"; ids.len()].join(", ")
    );
    let mut query = sqlx::query(&sql).persistent(false);
    for id in &ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&mut **tx).await.map_err(err)?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in &rows {
        let conversation = conversation_from_row(row)?;
        let token_hash: Option<Vec<u8>> = row.try_get("token_hash").map_err(err)?;
        found.insert(
            conversation.id,
            Found {
                conversation,
                token_hash,
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
async fn load_resends(
    tx: &mut WriteTx,
    candidates: &[&NewMessage],
) -> StoreResult<HashMap<ResendKey, StoredMessage>> {
    if candidates.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = resends_query(candidates.len());
    let mut query = sqlx::query(&sql).persistent(false);
    for message in candidates {
        let (author, _) = author_of(message.actor);
        query = query
            .bind(message.conversation.to_string())
            .bind(author.as_str())
            .bind(message.client_id.as_str());
    }
    let rows = query.fetch_all(&mut **tx).await.map_err(err)?;
    let mut stored = HashMap::with_capacity(rows.len());
    for row in &rows {
        let message = message_from_row(row)?;
        let conversation: String = row.try_get("conversation_id").map_err(err)?;
        let conversation = ConversationId(ecoute_store::stored::parse_uuid(&conversation)?);
        stored.insert(
            (conversation, message.author, message.client_id.clone()),
            message,
        );
    }
    Ok(stored)
}

/// Every new row of the batch in one statement.
async fn insert_rows(tx: &mut WriteTx, rows: &[NewRow]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO messages (conversation_id, seq, author, officer_id, client_id, body, \
         sent_at) VALUES {}",
        placeholders(rows.len(), 7)
    );
    let mut query = sqlx::query(&sql).persistent(false);
    for row in rows {
        let m = &row.message;
        query = query
            .bind(row.conversation.to_string())
            .bind(m.seq as i64)
            .bind(m.author.as_str())
            .bind(m.officer_id.map(|o| o.to_string()))
            .bind(m.client_id.as_str())
            .bind(m.sealed_body.as_slice())
            .bind(row.now);
    }
    query.execute(&mut **tx).await.map_err(err)?;
    Ok(())
}

/// Every conversation's new last sequence number in one statement.
async fn update_last_seqs(tx: &mut WriteTx, rows: &[NewRow]) -> StoreResult<()> {
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
    let mut query = sqlx::query(&sql).persistent(false);
    for (id, seq) in &last {
        query = query.bind(id.to_string()).bind(*seq as i64);
    }
    let done = query.execute(&mut **tx).await.map_err(err)?;
    if done.rows_affected() != last.len() as u64 {
        return Err(corrupt("a conversation vanished during its batch"));
    }
    Ok(())
}
