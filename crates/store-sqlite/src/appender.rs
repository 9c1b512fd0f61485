//! Group commit for messages, written by one thread a whole batch at a time.
//!
//! A message is acknowledged only once its transaction is on disk (`synchronous = FULL`), and
//! one commit costs one wait for the disk whatever it holds. Callers hand their message to the
//! appender and wait for its answer. The appender takes every message waiting (up to
//! [`MAX_BATCH`]) and writes them together in one transaction with a few statements, whatever
//! the batch holds: the conversations, the resends already stored, the insert of every new row,
//! the update of every sequence number, the commit (each statement cut into at most
//! [`WIDTHS`] power-of-two widths, all kept prepared). Alone, a message
//! is committed at once; under load, the messages that arrived during one commit make the next
//! batch.
//!
//! sqlx runs each SQLite statement on the connection's own thread, and each statement is a
//! hand-off between threads, which under load waits for the scheduler. The appender therefore
//! has a connection of its own (rusqlite, on the same file, with the writer's settings) and
//! runs the whole batch on its own thread: no hand-off at all between taking a batch and
//! answering it (docs/PERFORMANCE.md). Other writes (claims, transitions) go through sqlx's
//! writer connection; SQLite's write lock (`BEGIN IMMEDIATE`, with a busy timeout) makes the
//! two take turns, one transaction at a time.
//!
//! Nobody is told "written" before the commit succeeded; if it fails, every message of the
//! batch fails and is sent again by its client (client ids make that idempotent). A refusal
//! (the rules, an unknown conversation, a revoked token) writes nothing.
//!
//! Receipts ("reçu", "lu": [`Marks`]) take the same road. Every page sends one for nearly
//! every message it receives, so as transactions of their own they would double the commits;
//! here they ride in the batch, and a conversation's row is written once per batch with its
//! new last sequence number and its marks together.
//!
//! So do new conversations ([`Insert`]): during a storm of new visitors each start was a commit
//! of its own on sqlx's writer, and that writer, one wait for the disk per start, was what held
//! the storm back. An insert is a statement of its own within the batch's transaction: if it
//! is refused (a constraint), only it fails.

use ecoute_domain::{
    Actor, Author, ConversationId, ConversationState, Event, Seq, TransitionError, UserId,
};
use ecoute_store::stored::{corrupt, from_millis, millis, parse_uuid, state_from};
use ecoute_store::{
    AppendOutcome, Appended, Applied, Marks, MarksMoved, NewMessage, StoreError, StoreResult,
    StoredMessage, author_of,
};
use rusqlite::types::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Messages in one transaction, at most.
pub(crate) const MAX_BATCH: usize = 256;
// No spacing between commits: the next batch starts as soon as the last one is on disk, with
// whatever arrived meanwhile (up to MAX_BATCH). On an idle server a message is committed at
// once; under load, the messages that arrived during one commit make the next batch, so batches
// grow with the load by themselves. Commits were once spaced at least 2 ms apart to make the
// batches bigger under load (docs/PERFORMANCE.md, items 21 and 30); that spacing also added up
// to 2 ms to every message of a lightly loaded server, far above the disk's own wait (issue 23).
/// Messages waiting for the appender, at most; beyond, callers wait (back pressure).
const QUEUED: usize = 4 * MAX_BATCH;

/// What `append_message` answers.
pub(crate) type Answer = StoreResult<AppendOutcome>;
/// What `advance_marks` answers: the marks as they now stand, when they moved.
pub(crate) type MarksAnswer = StoreResult<Option<MarksMoved>>;

/// One side's device says how far it received and showed the other side's messages.
pub(crate) struct MarksUpdate {
    pub(crate) conversation: ConversationId,
    pub(crate) reader: Actor,
    pub(crate) marks: Marks,
}

/// One row of its own, written in the next batch's transaction: `sql` (a fixed text, so that it
/// stays prepared) with `values` bound in order. Nothing else in the batch depends on it.
/// Foreign keys are not checked on this connection (`open`): the caller makes sure the row
/// names only rows that exist (a new conversation names none; the touch of a staff session
/// updates one row by its key and changes no reference).
pub(crate) struct Insert {
    pub(crate) sql: &'static str,
    pub(crate) values: Vec<Value>,
}

/// What a caller hands the appender, and where its answer goes.
enum Pending {
    Message(NewMessage, oneshot::Sender<Answer>),
    Marks(MarksUpdate, oneshot::Sender<MarksAnswer>),
    Insert(Insert, oneshot::Sender<StoreResult<()>>),
    /// The store is closing: what came before is written, the connection closed, then told.
    Stop(oneshot::Sender<()>),
}

impl Pending {
    /// Its caller stopped waiting.
    fn abandoned(&self) -> bool {
        match self {
            Pending::Message(_, answer) => answer.is_closed(),
            Pending::Marks(_, answer) => answer.is_closed(),
            // A start whose request was cancelled: its visitor never got the token.
            Pending::Insert(_, answer) => answer.is_closed(),
            Pending::Stop(_) => false,
        }
    }
}

/// The callers' side of the appender.
pub(crate) struct Appender {
    queue: mpsc::Sender<Pending>,
    /// Batches holding messages written so far, one transaction each.
    batches: Arc<AtomicU64>,
}

impl Appender {
    /// Opens the appender's connection to the database at `path` and starts the thread that
    /// writes messages through it. It stops when the last store holding this appender is
    /// dropped. `read_only`: every write fails, as with the store's other connections.
    /// `backfilled`: set by the checkpointer when it has copied the WAL back (`finish_checkpoint`).
    pub(crate) fn start(
        path: &Path,
        read_only: bool,
        backfilled: Arc<AtomicBool>,
    ) -> StoreResult<Appender> {
        let db = open(path, read_only)
            .map_err(|e| StoreError::Unavailable(format!("cannot open the message writer: {e}")))?;
        let (queue, waiting) = mpsc::channel(QUEUED);
        let batches = Arc::new(AtomicU64::new(0));
        let counted = batches.clone();
        std::thread::Builder::new()
            .name("ecoute-appender".into())
            .spawn(move || run(db, waiting, &backfilled, &counted))
            .map_err(|e| {
                StoreError::Unavailable(format!("cannot start the message writer: {e}"))
            })?;
        Ok(Appender { queue, batches })
    }

    /// Batches holding messages written so far (each one transaction, answered once written).
    pub(crate) fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Appends one message; answered once its batch is committed (or refused).
    pub(crate) async fn append(&self, message: NewMessage) -> Answer {
        self.ask(|answer| Pending::Message(message, answer)).await
    }

    /// Appends messages in order: all are queued before the first answer is awaited, so they
    /// go in the same batch (or consecutive ones), in this order.
    pub(crate) async fn append_all(&self, messages: Vec<NewMessage>) -> Vec<Answer> {
        let mut waiting = Vec::with_capacity(messages.len());
        for message in messages {
            waiting.push(
                self.enqueue(|answer| Pending::Message(message, answer))
                    .await,
            );
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

    /// Hands the appender what `pending` makes of an answer channel; returns where the answer
    /// will come.
    async fn enqueue<T>(
        &self,
        pending: impl FnOnce(oneshot::Sender<StoreResult<T>>) -> Pending,
    ) -> StoreResult<oneshot::Receiver<StoreResult<T>>> {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send(pending(answer))
            .await
            .map_err(|_| stopped())?;
        Ok(answered)
    }

    /// Hands the appender one thing and waits for its answer.
    async fn ask<T>(
        &self,
        pending: impl FnOnce(oneshot::Sender<StoreResult<T>>) -> Pending,
    ) -> StoreResult<T> {
        let answered = self.enqueue(pending).await?;
        answered.await.map_err(|_| stopped())?
    }

    /// Writes what was handed in before, closes the connection and stops the thread; later
    /// calls fail as "stopped". For the store's `close`, before its last checkpoint.
    pub(crate) async fn stop(&self) {
        let (told, stopped) = oneshot::channel();
        if self.queue.send(Pending::Stop(told)).await.is_ok() {
            let _ = stopped.await;
        }
    }

    /// Writes one row in the next batch; answered once its batch is committed.
    pub(crate) async fn insert(&self, insert: Insert) -> StoreResult<()> {
        self.ask(|answer| Pending::Insert(insert, answer)).await
    }

    /// Moves one side's marks forward (never back, never past the last message); answered
    /// once its batch is committed.
    pub(crate) async fn advance_marks(&self, update: MarksUpdate) -> MarksAnswer {
        self.ask(|answer| Pending::Marks(update, answer)).await
    }
}

/// Tells each caller that its batch failed, and why.
fn fail_all<T>(answers: Vec<oneshot::Sender<StoreResult<T>>>, why: &str) {
    for answer in answers {
        let _ = answer.send(Err(StoreError::Unavailable(why.to_string())));
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the message writer stopped".into())
}

/// The appender's connection: the same settings as sqlx's writer (`open_file` in lib.rs).
pub(crate) fn open(path: &Path, read_only: bool) -> rusqlite::Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db = rusqlite::Connection::open_with_flags(path, flags)?;
    // Another writer (sqlx's, for claims and transitions) may hold the write lock: wait for
    // it as sqlx's connections do.
    db.busy_timeout(Duration::from_secs(5))?;
    // Four kinds of statement, each in every width, and a few single-row inserts.
    db.set_prepared_statement_cache_capacity(4 * WIDTHS + 4);
    // Durable before acknowledged; deleted rows overwritten; the statement journal in memory;
    // a 32 MiB page cache; the WAL copied back by the checkpointer, never inside a commit.
    //
    // Foreign keys are not checked on this connection (sqlx's connections check them). With
    // them, SQLite looked up each message's conversation and officer again, and every
    // statement of several rows kept a copy of each page it changed in case it had to be
    // undone (a statement journal), because a foreign key could fail only at its end: a tenth
    // of this thread's time (docs/PERFORMANCE.md, item 32). What this connection writes holds
    // them by construction, within the transaction that writes it (`BEGIN IMMEDIATE`, so no
    // other writer meanwhile): a message goes only to a conversation read in that
    // transaction; its officer is the conversation's own, whose row checked that officer; a
    // new conversation names no officer; the updates change no key. The test
    // `messages_appended_while_their_chats_are_purged_leave_no_orphan` checks it.
    db.execute_batch(WRITER_PRAGMAS)?;
    Ok(db)
}

/// The settings of the message writer's connection (`open` says why each). Public for the
/// example that measures SQLite alone with them (`examples/write_floor.rs`).
pub const WRITER_PRAGMAS: &str = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF; \
     PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32768; \
     PRAGMA wal_autocheckpoint = 0;";

/// Copies back what was written since the checkpointer's last round, if it just made one
/// (`spawn_checkpointer` in lib.rs). This connection writes every message, and it writes none
/// meanwhile: the WAL is then wholly in the database file and SQLite starts it over at the next
/// transaction, writing over the same blocks rather than growing the file. (sqlx's writer, for
/// claims and transitions, may be that next transaction: it starts the WAL over just the same.)
/// Between two batches, after the last one was answered. `PASSIVE`: a reader that took its
/// snapshot before leaves this round unfinished, and the WAL goes on growing until a later one.
fn finish_checkpoint(db: &rusqlite::Connection, backfilled: &AtomicBool) {
    if !backfilled.swap(false, Ordering::Acquire) {
        return;
    }
    let started = std::time::Instant::now();
    match db.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        Ok(()) => metrics::histogram!("ecoute_checkpoint_tail_seconds")
            .record(started.elapsed().as_secs_f64()),
        Err(e) => tracing::warn!(error = %e, "the WAL's last frames were not copied back"),
    }
}

/// The appender's thread's nice value. Every message waits for this one thread, while the
/// runtime's threads share the work of the sockets: when the cores are all busy, it should be
/// the one that runs. At 8,000 msg/s on two cores it waited 3.8 s in 10 s for a core to be
/// free, 1.4 s at this value (docs/PERFORMANCE.md, item 33). It sleeps whenever no message
/// waits, so it takes nothing from the others then.
pub const APPENDER_NICE: i32 = -10;

/// Gives the calling thread (the appender's) [`APPENDER_NICE`]. Lowering a nice value needs
/// `CAP_SYS_NICE` or a nice limit (`RLIMIT_NICE`, systemd's `LimitNICE=`); without either,
/// the thread keeps the default and says so once.
#[allow(unsafe_code)]
fn run_ahead() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: neither call takes a pointer; on Linux the nice value is the thread's own,
        // and `gettid` names this thread.
        let refused = unsafe {
            let thread = libc::gettid() as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, thread, APPENDER_NICE) != 0
        };
        if refused {
            let error = std::io::Error::last_os_error();
            tracing::warn!(
                error = %error,
                nice = APPENDER_NICE,
                "the message writer keeps the default priority: under full load, messages \
                 wait longer (allow it with CAP_SYS_NICE or LimitNICE=, docs/DEPLOYMENT.md)"
            );
        }
    }
}

fn run(
    db: rusqlite::Connection,
    mut waiting: mpsc::Receiver<Pending>,
    backfilled: &AtomicBool,
    batches: &AtomicU64,
) {
    run_ahead();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut stop = None;
    while stop.is_none() {
        finish_checkpoint(&db, backfilled);
        // Everything waiting, at once: the first to arrive is never held for others.
        if waiting.blocking_recv_many(&mut batch, MAX_BATCH) == 0 {
            break;
        }
        // What came after a stop is dropped unanswered: its callers are told "stopped".
        if let Some(at) = batch.iter().position(|p| matches!(p, Pending::Stop(_)))
            && let Some(Pending::Stop(told)) = batch.drain(at..).next()
        {
            stop = Some(told);
        }
        // A caller that stopped waiting (its client left) was never acknowledged: its client
        // sends the message again if it comes back.
        batch.retain(|p: &Pending| !p.abandoned());
        if batch.is_empty() {
            continue;
        }
        let mut messages = Vec::with_capacity(batch.len());
        let mut answers = Vec::with_capacity(batch.len());
        let mut marks = Vec::new();
        let mut marks_answers = Vec::new();
        let mut inserts = Vec::new();
        let mut insert_answers = Vec::new();
        for pending in batch.drain(..) {
            match pending {
                Pending::Message(message, answer) => {
                    messages.push(message);
                    answers.push(answer);
                }
                Pending::Marks(update, answer) => {
                    marks.push(update);
                    marks_answers.push(answer);
                }
                Pending::Insert(insert, answer) => {
                    inserts.push(insert);
                    insert_answers.push(answer);
                }
                Pending::Stop(_) => unreachable!("taken out above"),
            }
        }
        let with_messages = !messages.is_empty();
        if with_messages {
            metrics::histogram!("ecoute_commit_batch_size").record(messages.len() as f64);
        }
        // A panic (in a sealer, say) fails this batch's callers, whose answers are dropped
        // unanswered, and not every message after it; the transaction was rolled back.
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write_batch(&db, messages, &marks, &inserts)
        }));
        let failed = |why: String,
                      answers: Vec<oneshot::Sender<Answer>>,
                      marks_answers: Vec<oneshot::Sender<MarksAnswer>>,
                      insert_answers: Vec<oneshot::Sender<StoreResult<()>>>| {
            fail_all(answers, &why);
            fail_all(marks_answers, &why);
            fail_all(insert_answers, &why);
        };
        let Ok(written) = written else {
            tracing::error!("a batch of messages panicked; its senders will send again");
            let why = "the batch failed and was rolled back".to_string();
            failed(why, answers, marks_answers, insert_answers);
            continue;
        };
        match written {
            Ok(Written {
                decided,
                marks,
                inserted,
            }) => {
                if with_messages {
                    batches.fetch_add(1, Ordering::Relaxed);
                }
                for (answer, decided) in answers.into_iter().zip(decided) {
                    let _ = answer.send(Ok(match decided {
                        Decided::Now(told) => told,
                        Decided::AfterCommit(appended) => Applied::Done(appended),
                    }));
                }
                for (answer, moved) in marks_answers.into_iter().zip(marks) {
                    let _ = answer.send(Ok(moved));
                }
                for (answer, inserted) in insert_answers.into_iter().zip(inserted) {
                    let _ = answer.send(inserted);
                }
            }
            Err(e) => failed(
                format!("the batch was not committed: {e}"),
                answers,
                marks_answers,
                insert_answers,
            ),
        }
    }
    // The connection is closed before the store's last checkpoint goes on.
    drop(db);
    waiting.close();
    if let Some(told) = stop {
        let _ = told.send(());
    }
}

/// What a committed batch answers: each message's fate, each marks update's result and each
/// insert's, in the order they were handed in.
pub(crate) struct Written {
    decided: Vec<Decided>,
    marks: Vec<Option<MarksMoved>>,
    pub(crate) inserted: Vec<StoreResult<()>>,
}

/// Writes the batch on this thread, in one transaction.
fn write_batch(
    db: &rusqlite::Connection,
    messages: Vec<NewMessage>,
    marks: &[MarksUpdate],
    inserts: &[Insert],
) -> StoreResult<Written> {
    let writing = std::time::Instant::now();
    let decided = in_transaction(db, messages, marks, inserts);
    metrics::histogram!("ecoute_batch_write_seconds").record(writing.elapsed().as_secs_f64());
    // A failed ROLLBACK (or a COMMIT that failed half-way) would leave a transaction open on
    // the connection, and every later batch would fail: a last attempt to end it.
    if !db.is_autocommit() {
        tracing::error!("a message batch left its transaction open; rolling back again");
        let _ = db.execute_batch("ROLLBACK");
    }
    decided
}

/// `BEGIN IMMEDIATE`, the batch, `COMMIT`; rolled back on an error or a panic, so that the
/// connection is left with no transaction open.
pub(crate) fn in_transaction(
    db: &rusqlite::Connection,
    messages: Vec<NewMessage>,
    marks: &[MarksUpdate],
    inserts: &[Insert],
) -> StoreResult<Written> {
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
    let inserted = insert_each(db, inserts)?;
    let (mut decided, wrote) = decide(db, messages, marks)?;
    let wrote = wrote || inserted.iter().any(|i| i.is_ok());
    decided.inserted = inserted;
    // With nothing new, the duplicates' originals were committed by earlier batches (and the
    // marks had not moved): the guard rolls the empty transaction back.
    if wrote {
        let started = std::time::Instant::now();
        db.execute_batch("COMMIT").map_err(sqlite)?;
        open.0 = None;
        // The cost of durability: each commit waits for the disk (synchronous = FULL).
        metrics::histogram!("ecoute_commit_seconds").record(started.elapsed().as_secs_f64());
    }
    Ok(decided)
}

/// Each insert as a statement of its own: one that a constraint refuses fails alone (SQLite
/// undoes that statement only). An error that ended the whole transaction fails the batch.
fn insert_each(db: &rusqlite::Connection, inserts: &[Insert]) -> StoreResult<Vec<StoreResult<()>>> {
    let mut inserted = Vec::with_capacity(inserts.len());
    for insert in inserts {
        let done = bound(db, insert.sql, &insert.values)
            .and_then(|mut statement| statement.raw_execute().map_err(refused));
        if done.is_err() && db.is_autocommit() {
            return Err(StoreError::Unavailable(
                "an insert ended the batch's transaction".into(),
            ));
        }
        inserted.push(done.map(|_| ()));
    }
    Ok(inserted)
}

/// A refused statement: a row that already exists is a conflict, as on sqlx's connections.
fn refused(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation
                && matches!(
                    f.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
        {
            StoreError::Conflict
        }
        _ => sqlite(e),
    }
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
    /// The visitor's marks, then the officer's.
    marks: [Marks; 2],
    /// Its row must be written back (a message or a mark moved).
    changed: bool,
}

impl Found {
    fn marks_of(&mut self, reader: Author) -> &mut Marks {
        match reader {
            Author::Visitor => &mut self.marks[0],
            Author::Officer => &mut self.marks[1],
        }
    }
}

/// What becomes of one message.
enum Decided {
    /// Refused by the rules, or the conversation unknown or closed to this device: nothing
    /// written.
    Now(AppendOutcome),
    /// Written, or found written already: answered once the commit succeeded.
    AfterCommit(Appended),
}

/// A row to insert.
struct NewRow {
    conversation: ConversationId,
    message: StoredMessage,
    now: i64,
}

/// Reads what the batch needs, decides each message in arrival order, then each marks update,
/// writes the new rows and the conversations that moved. Returns each member's fate, in
/// order, and whether anything was written.
fn decide(
    db: &rusqlite::Connection,
    messages: Vec<NewMessage>,
    marks: &[MarksUpdate],
) -> StoreResult<(Written, bool)> {
    let ids = messages
        .iter()
        .map(|m| m.conversation)
        .chain(marks.iter().map(|u| u.conversation));
    let mut found = load_conversations(db, ids)?;
    // Only messages whose conversation exists and opens for them can be resends.
    let candidates: Vec<&NewMessage> = messages
        .iter()
        .filter(|m| opens(found.get(&m.conversation), m))
        .collect();
    let mut stored = load_resends(db, &candidates)?;
    let mut rows: Vec<NewRow> = Vec::new();
    let mut decided = Vec::with_capacity(messages.len());
    for message in messages {
        decided.push(decide_one(&mut found, &mut stored, &mut rows, message)?);
    }
    // Marks come from pages that received messages, which were committed before they were
    // sent out: they are decided after the batch's messages, against its last sequence.
    let marks: Vec<Option<MarksMoved>> = marks
        .iter()
        .map(|u| found.get_mut(&u.conversation).and_then(|f| advance(f, u)))
        .collect();
    insert_rows(db, &rows)?;
    let updated = update_conversations(db, &found)?;
    Ok((
        Written {
            decided,
            marks,
            inserted: Vec::new(),
        },
        !rows.is_empty() || updated,
    ))
}

/// One side's marks, moved forward and never past the last message; `None` if they stay, or
/// if an officer's conversation is not theirs (any more).
fn advance(found: &mut Found, update: &MarksUpdate) -> Option<MarksMoved> {
    let owner = found.state.officer();
    let reader = match update.reader {
        Actor::Visitor => Author::Visitor,
        Actor::Officer(officer) if owner == Some(officer) => Author::Officer,
        Actor::Officer(_) => return None,
    };
    let last = found.last_seq;
    let now = found.marks_of(reader);
    let received = last.min(
        now.received
            .max(update.marks.received.max(update.marks.read)),
    );
    let read = last.min(now.read.max(update.marks.read));
    if received == now.received && read == now.read {
        return None;
    }
    let moved = Marks { received, read };
    *now = moved;
    found.changed = true;
    Some(MarksMoved {
        marks: moved,
        owner,
    })
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
    found: &mut HashMap<ConversationId, Found>,
    stored: &mut HashMap<ResendKey, StoredMessage>,
    rows: &mut Vec<NewRow>,
    message: NewMessage,
) -> StoreResult<Decided> {
    if !opens(found.get(&message.conversation), &message) {
        return Ok(Decided::Now(Applied::NotFound));
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
        return Ok(Decided::Now(Applied::Refused(refused)));
    }
    let (author, officer) = author_of(message.actor);
    // The rules let only the conversation's officer write: its row names them (sqlx's writer
    // checked that they exist), and it already carries their name. This is also what keeps a
    // message's `officer_id` pointing at a user, which this connection does not have SQLite
    // check (`open`): were the rules ever to let another officer through, the message is
    // refused here rather than written.
    if officer.is_some() && officer != owner {
        return Ok(Decided::Now(Applied::Refused(TransitionError::NotOwner)));
    }
    let officer_name = officer.and_then(|_| current.officer_name.clone());
    let seq = current.last_seq + 1;
    current.last_seq = seq;
    current.changed = true;
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

/// Runs `sql` with `values` bound in order. Statements are kept prepared: parsing the SQL
/// of every statement of every batch was a sixth of the appender's time.
fn bound<'a>(
    db: &'a rusqlite::Connection,
    sql: &str,
    values: &[Value],
) -> StoreResult<rusqlite::CachedStatement<'a>> {
    let mut statement = db.prepare_cached(sql).map_err(sqlite)?;
    for (i, value) in values.iter().enumerate() {
        statement.raw_bind_parameter(i + 1, value).map_err(sqlite)?;
    }
    Ok(statement)
}

/// Statement widths kept prepared, per kind of statement: 1, 2, 4 … up to [`MAX_BATCH`].
pub(crate) const WIDTHS: usize = MAX_BATCH.ilog2() as usize + 1;

/// Runs `run(k, values)` over `values` (groups of `width` values) in chunks of a power of two
/// groups, largest first: every statement of a batch has one of [`WIDTHS`] sizes, so each is
/// prepared once and then reused, whatever the size of the batch.
pub(crate) fn in_chunks(
    values: &[Value],
    width: usize,
    mut run: impl FnMut(usize, &[Value]) -> StoreResult<()>,
) -> StoreResult<()> {
    let mut rest = values;
    while !rest.is_empty() {
        let groups = rest.len() / width;
        let k = 1usize << groups.ilog2();
        let (chunk, tail) = rest.split_at(k * width);
        run(k, chunk)?;
        rest = tail;
    }
    Ok(())
}

/// The batch's conversations, with their token hash, in one statement.
fn load_conversations(
    db: &rusqlite::Connection,
    ids: impl Iterator<Item = ConversationId>,
) -> StoreResult<HashMap<ConversationId, Found>> {
    let mut ids: Vec<String> = ids.map(|id| id.to_string()).collect();
    ids.sort_unstable();
    ids.dedup();
    let values: Vec<Value> = ids.into_iter().map(Value::Text).collect();
    let mut found = HashMap::new();
    in_chunks(&values, 1, |k, values| {
        let sql = format!(
            "SELECT c.id, c.state, c.officer_id, c.outcome, c.last_seq, c.token_hash, \
             u.display_name, c.visitor_received_seq, c.visitor_read_seq, \
             c.officer_received_seq, c.officer_read_seq \
             FROM conversations c LEFT JOIN users u ON u.id = c.officer_id \
             WHERE c.id IN ({})",
            vec!["?"; k].join(", ")
        );
        let mut statement = bound(db, &sql, values)?;
        let mut rows = statement.raw_query();
        while let Some(row) = rows.next().map_err(sqlite)? {
            let id: String = row.get(0).map_err(sqlite)?;
            let state: String = row.get(1).map_err(sqlite)?;
            let officer: Option<String> = row.get(2).map_err(sqlite)?;
            let outcome: Option<String> = row.get(3).map_err(sqlite)?;
            let last_seq: i64 = row.get(4).map_err(sqlite)?;
            let state = state_from(&state, officer.as_deref(), outcome.as_deref())?;
            let seq = |i: usize| -> StoreResult<Seq> {
                let v: i64 = row.get(i).map_err(sqlite)?;
                u64::try_from(v).map_err(|_| corrupt("marks"))
            };
            let marks = [
                Marks {
                    received: seq(7)?,
                    read: seq(8)?,
                },
                Marks {
                    received: seq(9)?,
                    read: seq(10)?,
                },
            ];
            found.insert(
                ConversationId(parse_uuid(&id)?),
                Found {
                    state,
                    last_seq: u64::try_from(last_seq).map_err(|_| corrupt("last_seq"))?,
                    token_hash: row.get(5).map_err(sqlite)?,
                    officer_name: row.get(6).map_err(sqlite)?,
                    marks,
                    changed: false,
                },
            );
        }
        Ok(())
    })?;
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

/// Messages of the batch already stored under the same client id.
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
    in_chunks(&values, 3, |k, values| {
        let mut statement = bound(db, &resends_query(k), values)?;
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
        Ok(())
    })?;
    Ok(stored)
}

/// Every new row of the batch.
fn insert_rows(db: &rusqlite::Connection, rows: &[NewRow]) -> StoreResult<()> {
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
    in_chunks(&values, 7, |k, values| {
        // `OR ROLLBACK`: a row refused ends the whole transaction at once, which is what
        // the batch does anyway (every message fails and is sent again); SQLite then keeps
        // no copy of the pages this statement changes. Without that copy, an error that is
        // not a constraint (a value too big, say) leaves the statement's first rows in the
        // transaction: it is the error returned here, failing the whole batch and rolling it
        // back (`in_transaction`), that keeps them from being committed.
        let sql = format!(
            "INSERT OR ROLLBACK INTO messages (conversation_id, seq, author, officer_id, \
             client_id, body, sent_at) VALUES {}",
            placeholders(k, 7)
        );
        bound(db, &sql, values)?.raw_execute().map_err(sqlite)?;
        Ok(())
    })
}

/// Every conversation that moved, its last sequence number and marks. Whether there was any.
fn update_conversations(
    db: &rusqlite::Connection,
    found: &HashMap<ConversationId, Found>,
) -> StoreResult<bool> {
    let changed: Vec<(&ConversationId, &Found)> = found.iter().filter(|(_, f)| f.changed).collect();
    if changed.is_empty() {
        return Ok(false);
    }
    let mut values = Vec::with_capacity(changed.len() * 6);
    for (id, f) in &changed {
        values.push(Value::Text(id.to_string()));
        for seq in [
            f.last_seq,
            f.marks[0].received,
            f.marks[0].read,
            f.marks[1].received,
            f.marks[1].read,
        ] {
            values.push(Value::Integer(seq as i64));
        }
    }
    let mut updated = 0;
    in_chunks(&values, 6, |k, values| {
        // `OR ROLLBACK`, as for the inserts.
        let sql = format!(
            "UPDATE OR ROLLBACK conversations SET last_seq = v.column2, \
             visitor_received_seq = v.column3, visitor_read_seq = v.column4, \
             officer_received_seq = v.column5, \
             officer_read_seq = v.column6 FROM (VALUES {}) AS v \
             WHERE conversations.id = v.column1",
            placeholders(k, 6)
        );
        updated += bound(db, &sql, values)?.raw_execute().map_err(sqlite)?;
        Ok(())
    })?;
    if updated != changed.len() {
        return Err(corrupt("a conversation vanished during its batch"));
    }
    Ok(true)
}
