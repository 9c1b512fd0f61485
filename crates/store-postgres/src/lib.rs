//! The PostgreSQL backend, for several server nodes sharing one database.
//!
//! The database is the only arbiter between nodes: no rule relies on a lock or a cache in one
//! process. Every read-modify-write is one short transaction (READ COMMITTED) that first locks
//! the rows its decision depends on, then reads them again and writes:
//!
//! - a transition, a message, a note, a resume or a quick exit locks the conversation's row
//!   (`SELECT … FOR UPDATE`), so decisions on one chat are taken one at a time, and the next
//!   sequence number comes from `last_seq` under that lock (gap-free, never shared);
//! - messages are written in groups by each node's writer (`writer.rs`): one transaction for
//!   every message waiting, which locks all their conversations in the order of their ids (so
//!   two nodes' batches never wait for each other in a circle) and is committed before any of
//!   them is acknowledged;
//! - anything that can give an officer one more chat (claim, take-next, transfer, take-over)
//!   locks that officer's `users` row (`FOR NO KEY UPDATE`) before counting their open chats,
//!   so two nodes can never both let them pass their capacity;
//! - take-next walks the queue in order and locks the first chat that fits, waiting for a
//!   writer or another claimer to finish rather than skipping it (the queue's order is a
//!   safety rule: danger first); a chat taken meanwhile no longer matches and is passed;
//! - every audit entry locks the one row holding the head of the hash chain, so entries from
//!   every node form one chain;
//! - login throttling locks the username (a transaction-scoped advisory lock).
//!
//! A transaction that loses a race the database detects (serialization failure, deadlock) is
//! run again, a few times, after a short random pause. A message is acknowledged only once
//! its transaction is committed (PostgreSQL's `synchronous_commit`, on by default). Connection
//! failures are reported as [`StoreError::Unavailable`]; the pool tests connections before
//! handing them out and opens new ones, so the store recovers by itself when the database
//! comes back.
#![forbid(unsafe_code)]

mod codec;
mod error;

use async_trait::async_trait;
use codec::*;
use ecoute_domain::{
    Actor, CannedReply, ChatStatistics, ClosingFacts, ConversationId, ConversationState, Coverage,
    Departement, Ending, Event, Force, IsoWeek, Language, PostalCode, PresenceHour, PresenceSample,
    Priority, Resource, ResourceKind, RetentionPolicy, RetentionRule, Seq, Skills, TransitionError,
    Unit, UnitId, UserId,
};
use ecoute_store::statistics::{self, STATISTICS_COLUMNS, StoredStatistics};
use ecoute_store::steps::{self, Steps};
use ecoute_store::stored::{
    KeyRows, SIGNING_KEY_COLUMNS, UnitRow, signing_key_id, unit_query, units_from,
};
use ecoute_store::{
    AppendOutcome, Appended, Applied, AuditRecord, Conversation, DayFigures, KeyKind,
    LoginReservation, Marks, MarksMoved, NewAudit, NewConversation, NewMessage, NewSigningKey,
    NewUser, NoteKind, PendingTotp, PurgeCandidate, Purged, Reseal, SealedKey, SessionInfo,
    SigningRetirement, StaffLoad, StaffSession, Store, StoreError, StoreResult, StoredMessage,
    StoredNote, StoredReply, StoredSigningKey, StoredTotp, Transitioned, User, UserCredentials,
    author_of,
};
use ecoute_store::{
    DossierRow, NewDossier, NewDossierEvent, NotificationRecord, StoredConsent, StoredDossierEvent,
};
use error::{Fail, R, corrupt};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Postgres, Row, Transaction};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

/// How a [`PgStore`] sizes and waits on its pool of connections.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Connections this node opens at most.
    pub max_connections: u32,
    /// How long a call waits for a connection (and so for an unreachable database) before
    /// it fails as unavailable.
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(3),
        }
    }
}

/// The PostgreSQL store: a pool of connections to the one database every node shares.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// This node's message writer (group commit), shared by every clone of the store.
    writer: std::sync::Arc<writer::Writer>,
}

/// Times a transaction is run in all, when it keeps losing races.
const MAX_ATTEMPTS: u32 = 8;

/// A short random pause before running a transaction again, longer after each attempt.
async fn backoff(attempt: u32) {
    let ceiling_ms = 2u64 << attempt.min(6);
    let jitter = (Uuid::new_v4().as_u128() % u128::from(ceiling_ms)) as u64;
    tokio::time::sleep(Duration::from_millis(1 + jitter)).await;
}

/// Runs `$body` (an `async` block yielding `R<T>`) until it succeeds, fails for good, or has
/// lost [`MAX_ATTEMPTS`] races. Each run must begin and commit its own transaction: a run that
/// fails drops it, which rolls it back.
macro_rules! retrying {
    ($body:expr) => {{
        let mut attempt: u32 = 1;
        loop {
            match bounded(typed($body)).await {
                Err(e) if e.retryable() && attempt < MAX_ATTEMPTS => {
                    metrics::counter!("ecoute_store_retries_total").increment(1);
                    backoff(attempt).await;
                    attempt += 1;
                }
                outcome => break outcome,
            }
        }
    }};
}

/// How long one run of a transaction may take before the caller is told the database is
/// unavailable (a network that drops packets without a reset would otherwise hang it).
const CALL_LIMIT: Duration = Duration::from_secs(20);

async fn bounded<T>(run: impl std::future::Future<Output = R<T>>) -> R<T> {
    match tokio::time::timeout(CALL_LIMIT, run).await {
        Ok(outcome) => outcome,
        Err(_) => Err(Fail::Store(StoreError::Unavailable(format!(
            "the database did not answer within {} s",
            CALL_LIMIT.as_secs()
        )))),
    }
}

/// Server-side limits on every connection of the pool: a statement, a wait for a row lock,
/// and a transaction left idle (its node frozen or cut off while holding locks, which would
/// otherwise stall every node behind them) end with an error rather than hanging.
const SESSION_LIMITS: [(&str, &str); 3] = [
    ("statement_timeout", "15s"),
    ("lock_timeout", "5s"),
    ("idle_in_transaction_session_timeout", "15s"),
];

/// Gives an `async` block its error type (`?` and early returns inside it need one).
fn typed<T, F: std::future::Future<Output = R<T>>>(body: F) -> F {
    body
}

/// [`retrying!`], with the outcome reported as a [`StoreResult`].
macro_rules! transaction {
    ($body:expr) => {
        retrying!($body).map_err(Fail::into_store)
    };
}

type Tx = Transaction<'static, Postgres>;

// After the macros, which it uses.
mod accounts;
mod forwarding;
mod presence;
mod shifts;
mod wellbeing;
mod writer;

/// Commits, and records how long the commit took (the same metric as the SQLite backend).
async fn commit(tx: Transaction<'_, Postgres>) -> R<()> {
    let started = std::time::Instant::now();
    tx.commit().await?;
    metrics::histogram!("ecoute_commit_seconds").record(started.elapsed().as_secs_f64());
    Ok(())
}

/// Locks a conversation's row until the end of the transaction; `false` if there is none.
async fn lock_conversation(conn: &mut PgConnection, id: ConversationId) -> R<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// Reads a conversation as it is now. In a transaction that locked its row first, this is
/// the state no other transaction can change until commit (READ COMMITTED: each statement
/// sees what was committed before it started, hence a separate statement after the lock).
async fn load_conversation(conn: &mut PgConnection, id: ConversationId) -> R<Option<Conversation>> {
    sqlx::query(&conversation_query("WHERE c.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(conversation_from_row)
        .transpose()
}

/// Replaces an account's recovery codes with `hashes` (enrolment, renewal).
async fn write_recovery_codes(conn: &mut PgConnection, user: UserId, hashes: &[[u8; 32]]) -> R<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user.to_string())
            .bind(&hash[..])
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Writes one statistics row under a fresh random id (docs/STATISTICS.md).
async fn insert_statistics(
    conn: &mut PgConnection,
    row: &ChatStatistics,
    link: Option<(ConversationId, &ecoute_domain::StatisticsLink)>,
) -> R<()> {
    let id = link
        .map_or_else(uuid::Uuid::new_v4, |(_, l)| l.row)
        .to_string();
    let r = StoredStatistics::from(row);
    sqlx::query(&format!(
        "INSERT INTO chat_statistics (id, {STATISTICS_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
    ))
    .bind(&id)
    .bind(r.iso_week)
    .bind(r.hour_of_week)
    .bind(r.departement)
    .bind(r.force)
    .bind(r.unit_id)
    .bind(r.reporter)
    .bind(r.minor)
    .bind(r.language)
    .bind(r.facts)
    .bind(r.ending)
    .bind(r.wait)
    .bind(r.duration)
    .bind(r.handovers)
    .bind(r.quick_exit)
    .bind(r.left_before_answer)
    .bind(r.danger_path)
    .bind(r.risk_labels)
    .bind(r.dossier_state)
    .bind(r.first_contact)
    .execute(&mut *conn)
    .await?;
    if let Some((conversation, l)) = link {
        sqlx::query(
            "INSERT INTO statistics_links (conversation_id, sealed_statistics_id) VALUES ($1, $2)",
        )
        .bind(conversation.to_string())
        .bind(&l.sealed)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Before a chat is purged (its row locked): when it was never closed, its statistics row
/// (closed chats got theirs as they closed).
async fn record_if_unclosed(conn: &mut PgConnection, id: ConversationId) -> R<()> {
    let c = reload(conn, id).await?;
    if matches!(c.state, ConversationState::Closed { .. }) {
        return Ok(());
    }
    let row = statistics::record_of(&c, Ending::PurgedUnclosed, &ClosingFacts::default());
    insert_statistics(conn, &row, None).await
}

fn statistics_from_row(row: &sqlx::postgres::PgRow) -> R<ChatStatistics> {
    Ok(StoredStatistics {
        iso_week: row.try_get("iso_week")?,
        hour_of_week: row.try_get("hour_of_week")?,
        departement: row.try_get("departement")?,
        force: row.try_get("force")?,
        unit_id: row.try_get("unit_id")?,
        reporter: row.try_get("reporter")?,
        minor: row.try_get("minor")?,
        language: row.try_get("language")?,
        facts: row.try_get("facts")?,
        ending: row.try_get("ending")?,
        wait: row.try_get("wait")?,
        duration: row.try_get("duration")?,
        handovers: row.try_get("handovers")?,
        quick_exit: row.try_get("quick_exit")?,
        left_before_answer: row.try_get("left_before_answer")?,
        danger_path: row.try_get("danger_path")?,
        risk_labels: row.try_get("risk_labels")?,
        dossier_state: row.try_get("dossier_state")?,
        first_contact: row.try_get("first_contact")?,
    }
    .into_domain()?)
}

/// Locks a conversation's row and reads it.
async fn lock_and_load(conn: &mut PgConnection, id: ConversationId) -> R<Option<Conversation>> {
    if !lock_conversation(conn, id).await? {
        return Ok(None);
    }
    load_conversation(conn, id).await
}

/// Reads a conversation that must still exist (its row is locked by the caller).
async fn reload(conn: &mut PgConnection, id: ConversationId) -> R<Conversation> {
    load_conversation(conn, id)
        .await?
        .ok_or_else(|| corrupt("conversation vanished"))
}

/// Locks an officer's account, then reads it with the number of chats they hold. Every path
/// that gives an officer one more chat goes through here first, so their count cannot change
/// under the caller until it commits. `FOR NO KEY UPDATE` excludes the other such callers but
/// not the foreign-key checks of the officer's own messages and notes.
async fn lock_officer(conn: &mut PgConnection, officer: UserId) -> R<Option<(User, u32)>> {
    let found = sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE")
        .bind(officer.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_none() {
        return Ok(None);
    }
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS}, (SELECT COUNT(*) FROM conversations c WHERE c.officer_id = u.id \
         AND c.state IN ('active', 'visitor_left')) AS open FROM users u WHERE u.id = $1"
    ))
    .bind(officer.to_string())
    .fetch_one(conn)
    .await?;
    let open: i64 = row.try_get("open")?;
    Ok(Some((
        user_from_row(&row)?,
        u32::try_from(open).map_err(|_| corrupt("open chats"))?,
    )))
}

/// Appends to the hash chain. Locks the chain's head row until commit, so concurrent entries
/// (from any node) are chained one after the other. Called last in a transaction, after every
/// other lock it takes, so that holding the head never waits on anything else.
async fn insert_audit(conn: &mut PgConnection, audit: &NewAudit) -> R<()> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head FOR UPDATE")
        .fetch_one(&mut *conn)
        .await?;
    let last = unsigned(head.try_get("seq")?, "audit head")?;
    let prev: [u8; 32] = match head.try_get::<Option<Vec<u8>>, _>("hash")? {
        Some(hash) => hash.try_into().map_err(|_| corrupt("audit hash length"))?,
        None if last == 0 => ecoute_crypto::audit::GENESIS,
        None => return Err(corrupt("audit head without a hash")),
    };
    let seq = last + 1;
    let hash = audit.hash(seq, &prev);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, conversation_id, detail, \
         prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq as i64)
    .bind(millis(audit.at))
    .bind(audit.actor.map(|a| a.to_string()))
    .bind(&audit.actor_name)
    .bind(&audit.action)
    .bind(audit.conversation.map(|c| c.to_string()))
    .bind(&audit.detail)
    .bind(&prev[..])
    .bind(&hash[..])
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2")
        .bind(seq as i64)
        .bind(&hash[..])
        .execute(conn)
        .await?;
    Ok(())
}

async fn insert_user(conn: &mut PgConnection, user: &NewUser) -> R<()> {
    sqlx::query(
        "INSERT INTO users (id, username, display_name, role, unit_id, password_hash, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user.id.to_string())
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(user.role.as_str())
    .bind(user.unit.as_ref().map(UnitId::as_str))
    .bind(&user.password_hash)
    .bind(millis(user.created_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Serializes the login checks of one username, across nodes, until commit. The key space is
/// the pair (this constant, a hash of the name): names that share a hash only wait on each
/// other a moment longer.
async fn lock_username(conn: &mut PgConnection, username: &str) -> R<()> {
    /// "Écoute, login throttling", as the first half of the advisory lock's key.
    const LOGIN_LOCKS: i32 = 0x0EC0_0001;
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind(LOGIN_LOCKS)
        .bind(username)
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes a change of state decided by the domain's rules, with what it implies.
async fn save_state(
    conn: &mut PgConnection,
    id: ConversationId,
    before: ConversationState,
    after: ConversationState,
    now: OffsetDateTime,
) -> R<()> {
    if before == after {
        return Ok(());
    }
    let change = StateChange::between(before, after);
    let outcome = match after {
        ConversationState::Closed { outcome, .. } => Some(outcome.as_str()),
        _ => None,
    };
    let officer = after.officer().map(|o| o.to_string());
    sqlx::query(
        "UPDATE conversations SET state = $1, officer_id = $2, outcome = $3, \
         claimed_at = CASE WHEN $4 THEN COALESCE(claimed_at, $5) ELSE claimed_at END, \
         assigned_at = CASE WHEN officer_id IS DISTINCT FROM $2 THEN $5 ELSE assigned_at END, \
         visitor_left_at = CASE WHEN $6 THEN $5 ELSE visitor_left_at END, \
         closed_at = CASE WHEN $7 THEN $5 ELSE closed_at END, \
         code_bucket = CASE WHEN $8 THEN NULL ELSE code_bucket END, \
         code_hash = CASE WHEN $8 THEN NULL ELSE code_hash END, \
         token_hash = CASE WHEN $9 THEN NULL ELSE token_hash END \
         WHERE id = $10",
    )
    .bind(after.name().as_str())
    .bind(officer)
    .bind(outcome)
    .bind(change.claimed)
    .bind(millis(now))
    .bind(change.left)
    .bind(change.closed)
    .bind(change.forget_code)
    .bind(change.revoke_token)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// The query for one retention rule's candidates, a range scan on that rule's partial index,
/// resuming after a cursor when `resume` is set. Parameters, in order: the outcome (closed
/// rules only), the cutoff, the cursor's time and id (when resuming), the limit.
fn candidates_query(rule: RetentionRule, resume: bool) -> String {
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    let (filter, start) = match rule {
        RetentionRule::Closed(_) => (
            format!("state = 'closed' AND outcome = {}", next()),
            "closed_at",
        ),
        RetentionRule::Unclosed => ("state <> 'closed'".to_string(), "created_at"),
    };
    let cutoff = next();
    let after = if resume {
        format!(" AND ({start}, id) > ({}, {})", next(), next())
    } else {
        String::new()
    };
    let limit = next();
    format!(
        "SELECT {PURGE_COLUMNS} FROM conversations WHERE {filter} AND {start} <= {cutoff}{after} \
         ORDER BY {start}, id LIMIT {limit}"
    )
}

/// One message: the idempotent resend, the rules, the next sequence number, the sealed body.
async fn append_in(conn: &mut PgConnection, message: &NewMessage) -> R<AppendOutcome> {
    let (author, officer) = author_of(message.actor);
    let id = message.conversation.to_string();
    let Some(current) = lock_and_load(conn, message.conversation).await? else {
        return Ok(Applied::NotFound);
    };
    // A visitor's device writes only while its token opens the conversation: checked under
    // the row's lock, which a quick exit or a return code also takes to change the token.
    if let Some(token) = &message.visitor_token {
        let opens = sqlx::query("SELECT 1 FROM conversations WHERE id = $1 AND token_hash = $2")
            .bind(&id)
            .bind(token.as_slice())
            .fetch_optional(&mut *conn)
            .await?
            .is_some();
        if !opens {
            return Ok(Applied::NotFound);
        }
    }
    // Under the conversation's lock: a resend racing its original finds it here.
    let existing = sqlx::query(&format!(
        "{MESSAGE_QUERY} WHERE m.conversation_id = $1 AND m.author = $2 AND m.client_id = $3"
    ))
    .bind(&id)
    .bind(author.as_str())
    .bind(message.client_id.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = existing {
        let stored = message_from_row(&row)?;
        return Ok(Applied::Done(Appended {
            seq: stored.seq,
            sent_at: stored.sent_at,
            duplicate: true,
            owner: current.state.officer(),
            message: stored,
        }));
    }
    if let Err(refused) = current.state.apply(message.actor, Event::Write) {
        return Ok(Applied::Refused(refused));
    }
    let seq = current.last_seq + 1;
    let sealed = (message.seal)(seq);
    let sent_at = from_millis(millis(message.now))?;
    sqlx::query("UPDATE conversations SET last_seq = $1 WHERE id = $2")
        .bind(seq as i64)
        .bind(&id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO messages (conversation_id, seq, author, officer_id, client_id, body, \
         sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(seq as i64)
    .bind(author.as_str())
    .bind(officer.map(|o| o.to_string()))
    .bind(message.client_id.as_str())
    .bind(&sealed)
    .bind(millis(message.now))
    .execute(&mut *conn)
    .await?;
    let officer_name = match officer {
        // The rules let only the owner write: the conversation already carries their name.
        Some(o) if current.state.officer() == Some(o) => current.officer_name.clone(),
        Some(o) => {
            sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
                .bind(o.to_string())
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    Ok(Applied::Done(Appended {
        seq,
        sent_at,
        duplicate: false,
        owner: current.state.officer(),
        message: StoredMessage {
            seq,
            author,
            officer_id: officer,
            officer_name,
            client_id: message.client_id.as_str().to_string(),
            sealed_body: sealed,
            sent_at,
        },
    }))
}

/// One message in a transaction of its own, as the message writer writes each of a batch the
/// database refused (`writer.rs`): a refusal or a duplicate writes nothing; a new message is
/// acknowledged only once its commit is done.
async fn append_alone(pool: &PgPool, message: &NewMessage) -> StoreResult<AppendOutcome> {
    transaction!(async {
        let mut tx = pool.begin().await?;
        let outcome = append_in(&mut tx, message).await?;
        if matches!(
            outcome,
            Applied::Done(Appended {
                duplicate: false,
                ..
            })
        ) {
            commit(tx).await?;
        }
        Ok(outcome)
    })
}

/// What [`take_in`] found.
enum Taken {
    /// Refused for the officer (unknown, at capacity).
    Refused(TransitionError),
    /// Claimed, audited.
    Chat(Box<Conversation>),
    /// Nothing in the queue fits.
    Nothing,
}

/// Take-next inside one transaction. The first chat in queue order that the officer may serve
/// is locked with a plain `FOR UPDATE`: if a visitor is writing in it, or another officer is
/// claiming it, this waits the few milliseconds that takes rather than skipping it, so a chat
/// in danger whose visitor is typing is never passed over for a later one. Taken meanwhile,
/// it no longer matches `state = 'waiting'` and the walk goes on.
async fn take_in(
    conn: &mut PgConnection,
    officer: UserId,
    now: OffsetDateTime,
    audit: &NewAudit,
) -> R<Taken> {
    let Some((user, open)) = lock_officer(conn, officer).await? else {
        return Ok(Taken::Refused(TransitionError::NotAllowed));
    };
    if let Err(refused) = ecoute_domain::may_take_another(open, user.capacity) {
        return Ok(Taken::Refused(refused));
    }
    // In queue order; the first the officer may serve and nobody else holds wins.
    let waiting: Vec<Conversation> = sqlx::query(&conversation_query(
        "WHERE c.state = 'waiting' ORDER BY c.priority DESC, c.created_at, c.id",
    ))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(conversation_from_row)
    .collect::<R<_>>()?;
    for candidate in waiting {
        if !ecoute_domain::may_serve(
            &user.skills,
            &candidate.need(),
            now >= candidate.open_to_all_at,
        ) {
            continue;
        }
        let locked = sqlx::query(
            "SELECT 1 FROM conversations WHERE id = $1 AND state = 'waiting' FOR UPDATE",
        )
        .bind(candidate.id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        if locked.is_none() {
            continue;
        }
        // Read again under the lock: its needs may have changed since the listing.
        let current = reload(conn, candidate.id).await?;
        let next = match current.state.apply(Actor::Officer(officer), Event::Claim) {
            Ok(t)
                if ecoute_domain::may_serve(
                    &user.skills,
                    &current.need(),
                    now >= current.open_to_all_at,
                ) =>
            {
                t.next
            }
            _ => continue,
        };
        save_state(conn, current.id, current.state, next, now).await?;
        insert_audit(conn, &audit.clone().on(current.id)).await?;
        return Ok(Taken::Chat(Box::new(reload(conn, current.id).await?)));
    }
    Ok(Taken::Nothing)
}

/// The shared steps of [`steps`] on one of this backend's transactions: the conversation's row and the officer's are locked as the module's
/// documentation says, before they are read.
struct PgSteps<'a>(&'a mut PgConnection);

#[async_trait]
impl Steps for PgSteps<'_> {
    type Error = Fail;

    async fn lock_conversation(&mut self, id: ConversationId) -> R<Option<Conversation>> {
        lock_and_load(self.0, id).await
    }

    async fn lock_officer(&mut self, officer: UserId) -> R<Option<(User, u32)>> {
        lock_officer(self.0, officer).await
    }

    async fn reload(&mut self, id: ConversationId) -> R<Conversation> {
        reload(self.0, id).await
    }

    async fn save_state(
        &mut self,
        id: ConversationId,
        before: ConversationState,
        after: ConversationState,
        now: OffsetDateTime,
    ) -> R<()> {
        save_state(self.0, id, before, after, now).await
    }

    async fn hand_over(
        &mut self,
        id: ConversationId,
        to_force: Option<Force>,
        now: OffsetDateTime,
    ) -> R<()> {
        sqlx::query(
            "UPDATE conversations SET handovers = handovers + 1, \
             force = COALESCE($1, force), \
             open_to_all_at = CASE WHEN $1 IS NULL THEN open_to_all_at \
               ELSE $2 + GREATEST(open_to_all_at - created_at, 0) END \
             WHERE id = $3",
        )
        .bind(to_force.map(Force::as_str))
        .bind(millis(now))
        .bind(id.to_string())
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn reopen(&mut self, id: ConversationId, now: OffsetDateTime) -> R<()> {
        sqlx::query(
            "UPDATE conversations SET closed_at = NULL, \
             open_to_all_at = $1 + GREATEST(open_to_all_at - created_at, 0), \
             created_at = $1 WHERE id = $2",
        )
        .bind(millis(now))
        .bind(id.to_string())
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn lock_by_token(&mut self, token_hash: [u8; 32]) -> R<Option<Conversation>> {
        // Locked by its token: if another exit revoked it meanwhile, the row no longer matches
        // once the lock is ours, and nothing is found.
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE token_hash = $1 FOR UPDATE")
                .bind(&token_hash[..])
                .fetch_optional(&mut *self.0)
                .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        Ok(Some(
            reload(self.0, ConversationId(parse_uuid(&id)?)).await?,
        ))
    }

    async fn revoke_token(&mut self, id: ConversationId) -> R<()> {
        sqlx::query("UPDATE conversations SET token_hash = NULL WHERE id = $1")
            .bind(id.to_string())
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn set_token(&mut self, id: ConversationId, token_hash: [u8; 32]) -> R<()> {
        sqlx::query("UPDATE conversations SET token_hash = $1 WHERE id = $2")
            .bind(&token_hash[..])
            .bind(id.to_string())
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn next_note_seq(&mut self, id: ConversationId) -> R<u64> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM staff_notes WHERE conversation_id = $1")
                .bind(id.to_string())
                .fetch_one(&mut *self.0)
                .await?;
        Ok(unsigned(last.unwrap_or(0), "note seq")? + 1)
    }

    async fn insert_note(&mut self, id: ConversationId, note: &StoredNote) -> R<()> {
        sqlx::query(
            "INSERT INTO staff_notes (conversation_id, seq, kind, author_id, body, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(note.seq as i64)
        .bind(note.kind.as_str())
        .bind(note.author.map(|a| a.to_string()))
        .bind(&note.sealed_body)
        .bind(millis(note.at))
        .execute(&mut *self.0)
        .await?;
        Ok(())
    }

    async fn display_name(&mut self, user: UserId) -> R<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
                .bind(user.to_string())
                .fetch_optional(&mut *self.0)
                .await?,
        )
    }

    async fn insert_statistics(
        &mut self,
        row: &ChatStatistics,
        link: Option<(ConversationId, &ecoute_domain::StatisticsLink)>,
    ) -> R<()> {
        insert_statistics(self.0, row, link).await
    }

    async fn insert_audit(&mut self, audit: &NewAudit) -> R<()> {
        insert_audit(self.0, audit).await
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://…`) and applies pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url).map_err(error::from_sqlx)?;
        Self::connect_with(options).await
    }

    /// Connects with these options and the default pool, and applies pending migrations.
    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        Self::connect_with_settings(options, PoolSettings::default()).await
    }

    /// Connects with these options and pool settings, and applies pending migrations. Nodes
    /// starting at once are safe: the migrator holds a database-wide lock while it works.
    pub async fn connect_with_settings(
        options: PgConnectOptions,
        settings: PoolSettings,
    ) -> StoreResult<Self> {
        // Migrations run on a connection of their own, without the limits: building an index
        // on a large table may take longer than any request should.
        {
            use sqlx::Connection;
            let mut conn = PgConnection::connect_with(&options)
                .await
                .map_err(error::from_sqlx)?;
            let migrated = sqlx::migrate!("./migrations").run(&mut conn).await;
            let _ = conn.close().await;
            migrated.map_err(|e| StoreError::Unavailable(format!("migrations: {e}")))?;
        }
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            // A connection broken while the database was away is found and replaced here,
            // rather than failing the next call.
            .test_before_acquire(true)
            .connect_with(options.options(SESSION_LIMITS))
            .await
            .map_err(error::from_sqlx)?;
        let writer = std::sync::Arc::new(writer::Writer::start(pool.clone()));
        Ok(Self { pool, writer })
    }

    /// Writes the messages handed in before, stops the message writer, then closes every
    /// connection.
    pub async fn close(&self) {
        self.writer.stop().await;
        self.pool.close().await;
    }

    async fn begin(&self) -> R<Tx> {
        Ok(self.pool.begin().await?)
    }

    /// Every conversation a filter without parameters selects.
    async fn conversations_where(&self, filter: &str) -> StoreResult<Vec<Conversation>> {
        self.fetch_conversations(sqlx::query(&conversation_query(filter)))
            .await
    }

    async fn fetch_conversations(
        &self,
        query: sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments>,
    ) -> StoreResult<Vec<Conversation>> {
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(error::from_sqlx)?;
        rows.iter()
            .map(conversation_from_row)
            .collect::<R<_>>()
            .map_err(Fail::into_store)
    }

    async fn count(&self, sql: &str) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(sql)
            .fetch_one(&self.pool)
            .await
            .map_err(error::from_sqlx)?;
        Ok(n.max(0) as u64)
    }
}

/// Reads rows with `decode`, reporting failures as the store does.
fn decode_all<T>(
    rows: &[sqlx::postgres::PgRow],
    decode: impl Fn(&sqlx::postgres::PgRow) -> R<T>,
) -> StoreResult<Vec<T>> {
    rows.iter()
        .map(decode)
        .collect::<R<_>>()
        .map_err(Fail::into_store)
}

/// Counts per master key version, from rows of (version, count).
fn version_counts(rows: &[sqlx::postgres::PgRow], column: &str) -> StoreResult<BTreeMap<u32, u64>> {
    rows.iter()
        .map(|row| -> R<(u32, u64)> {
            let version = key_version(row.try_get(column)?)?;
            Ok((version, unsigned(row.try_get("n")?, "count")?))
        })
        .collect::<R<_>>()
        .map_err(Fail::into_store)
}

/// One row of [`unit_query`] as the shared reader takes it.
fn unit_row(row: &sqlx::postgres::PgRow) -> R<UnitRow> {
    Ok(UnitRow {
        id: row.try_get("id")?,
        force: row.try_get("force")?,
        kind: row.try_get("kind")?,
        name: row.try_get("name")?,
        notify: row.try_get("notify")?,
        place: row.try_get("place")?,
    })
}

fn db(e: sqlx::Error) -> StoreError {
    error::from_sqlx(e)
}

#[async_trait]
impl Store for PgStore {
    async fn close(&self) {
        PgStore::close(self).await;
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn count_users(&self) -> StoreResult<u64> {
        self.count("SELECT COUNT(*) FROM users").await
    }

    async fn create_user(&self, user: NewUser, audit: NewAudit) -> StoreResult<User> {
        transaction!(async {
            let mut tx = self.begin().await?;
            insert_user(&mut tx, &user).await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await
        })?;
        Ok(new_account(user))
    }

    async fn create_account(
        &self,
        account: ecoute_store::NewStaffAccount,
        audits: Vec<NewAudit>,
    ) -> StoreResult<User> {
        self.do_create_account(account, audits).await
    }

    async fn user_credentials(&self, username: &str) -> StoreResult<Option<UserCredentials>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, u.password_hash, u.totp_key_version, u.totp_last_step, \
             u.disabled_at FROM users u WHERE u.username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|row| -> R<UserCredentials> {
            let sealed: Option<Vec<u8>> = row.try_get("totp_secret")?;
            let version: Option<i64> = row.try_get("totp_key_version")?;
            let last: Option<i64> = row.try_get("totp_last_step")?;
            Ok(UserCredentials {
                user: user_from_row(&row)?,
                password_hash: row.try_get("password_hash")?,
                totp: match sealed {
                    Some(sealed) => Some(StoredTotp {
                        sealed,
                        key_version: key_version(version.unwrap_or(1))?,
                        last_step: last.map(|l| unsigned(l, "totp step")).transpose()?,
                    }),
                    None => None,
                },
                disabled: row.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
            })
        })
        .transpose()
        .map_err(Fail::into_store)
    }

    async fn set_capacity(
        &self,
        user: UserId,
        capacity: u32,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        let capacity = capacity.clamp(1, ecoute_domain::MAX_CAPACITY);
        transaction!(async {
            let mut tx = self.begin().await?;
            let changed = sqlx::query("UPDATE users SET capacity = $1 WHERE id = $2")
                .bind(i64::from(capacity))
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Ok(false);
            }
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(true)
        })
    }

    async fn set_skills(
        &self,
        user: UserId,
        skills: &Skills,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        let languages: Vec<&str> = skills.languages.iter().map(Language::as_str).collect();
        let languages = languages.join(",");
        transaction!(async {
            let mut tx = self.begin().await?;
            let changed = sqlx::query(
                "UPDATE users SET force = $1, minors = $2, languages = $3 WHERE id = $4",
            )
            .bind(skills.force.map(Force::as_str))
            .bind(skills.minors)
            .bind(&languages)
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Ok(false);
            }
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(true)
        })
    }

    async fn staff_loads(&self) -> StoreResult<Vec<StaffLoad>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, \
             (SELECT COUNT(*) FROM conversations c WHERE c.officer_id = u.id \
              AND c.state IN ('active', 'visitor_left')) AS open, \
             (SELECT MAX(c.assigned_at) FROM conversations c WHERE c.officer_id = u.id) \
              AS last_assigned \
             FROM users u WHERE u.disabled_at IS NULL ORDER BY u.display_name, u.id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        decode_all(&rows, |row| {
            Ok(StaffLoad {
                user: user_from_row(row)?,
                open: u32::try_from(row.try_get::<i64, _>("open")?)
                    .map_err(|_| corrupt("open chats"))?,
                last_assigned: opt_time(row.try_get("last_assigned")?)?,
            })
        })
    }

    async fn load_forces(&self, table: &[(Coverage, Force)], audit: NewAudit) -> StoreResult<u64> {
        transaction!(async {
            let mut tx = self.begin().await?;
            // Two loads at once (two nodes) apply one after the other, rather than mixing
            // their rows or failing on each other's keys. Reads go on meanwhile.
            sqlx::query("LOCK TABLE forces IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM forces").execute(&mut *tx).await?;
            for (place, force) in table {
                sqlx::query("INSERT INTO forces (place, force) VALUES ($1, $2)")
                    .bind(place.as_str())
                    .bind(force.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await
        })?;
        Ok(table.len() as u64)
    }

    async fn force_of(
        &self,
        postal_code: Option<&PostalCode>,
        departement: &Departement,
    ) -> StoreResult<Option<Force>> {
        // The postal code's row first, the département's as fallback, in one read.
        let force: Option<String> = sqlx::query_scalar(
            "SELECT COALESCE((SELECT force FROM forces WHERE place = $1), \
                             (SELECT force FROM forces WHERE place = $2))",
        )
        .bind(postal_code.map(PostalCode::as_str))
        .bind(departement.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        opt_force(force)
    }

    async fn forces(&self) -> StoreResult<Vec<(Coverage, Force)>> {
        let rows = sqlx::query("SELECT place, force FROM forces ORDER BY place")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        decode_all(&rows, |row| {
            let place: String = row.try_get("place")?;
            let force: String = row.try_get("force")?;
            Ok(force_row(&place, &force)?)
        })
    }

    async fn load_units(&self, units: &[Unit], audit: NewAudit) -> StoreResult<u64> {
        transaction!(async {
            let mut tx = self.begin().await?;
            // As for the force table: two loads at once apply one after the other, and reads
            // go on meanwhile (they see the old directory or the new one, never a mix).
            sqlx::query("LOCK TABLE units IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM unit_coverage")
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM units").execute(&mut *tx).await?;
            for unit in units {
                sqlx::query(
                    "INSERT INTO units (id, force, kind, name, notify) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(unit.id.as_str())
                .bind(unit.force.as_str())
                .bind(unit.kind.as_str())
                .bind(&unit.name)
                .bind(&unit.notify)
                .execute(&mut *tx)
                .await?;
                for (position, place) in unit.covers.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO unit_coverage (unit_id, position, place) VALUES ($1, $2, $3)",
                    )
                    .bind(unit.id.as_str())
                    .bind(position as i32)
                    .bind(place.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await
        })?;
        Ok(units.len() as u64)
    }

    async fn units(&self) -> StoreResult<Vec<Unit>> {
        let rows = sqlx::query(&unit_query(""))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        units_from(decode_all(&rows, unit_row)?)
    }

    async fn unit(&self, id: &UnitId) -> StoreResult<Option<Unit>> {
        let rows = sqlx::query(&unit_query("WHERE u.id = $1"))
            .bind(id.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(units_from(decode_all(&rows, unit_row)?)?.into_iter().next())
    }

    async fn enrol_totp(
        &self,
        user: UserId,
        totp: StoredTotp,
        recovery_hashes: Vec<[u8; 32]>,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        transaction!(async {
            let mut tx = self.begin().await?;
            // Two enrolments racing: the second waits for the row, then finds a secret.
            let enrolled = sqlx::query(
                "UPDATE users SET totp_secret = $1, totp_key_version = $2, totp_last_step = $3 \
                 WHERE id = $4 AND totp_secret IS NULL",
            )
            .bind(&totp.sealed)
            .bind(i64::from(totp.key_version))
            .bind(totp.last_step.map(|s| s as i64))
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if enrolled == 0 {
                return Ok(false);
            }
            write_recovery_codes(&mut tx, user, &recovery_hashes).await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(true)
        })
    }

    async fn pending_totp(&self, user: UserId) -> StoreResult<Option<PendingTotp>> {
        let row = sqlx::query(
            "SELECT sealed, key_version, issued_at, expires_at FROM pending_totp WHERE user_id = $1",
        )
        .bind(user.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|row| {
            Ok(PendingTotp {
                sealed: row.try_get("sealed").map_err(db)?,
                key_version: ecoute_store::stored::key_version(
                    row.try_get("key_version").map_err(db)?,
                )?,
                issued_at: ecoute_store::stored::from_millis(
                    row.try_get("issued_at").map_err(db)?,
                )?,
                expires_at: ecoute_store::stored::from_millis(
                    row.try_get("expires_at").map_err(db)?,
                )?,
            })
        })
        .transpose()
    }

    async fn offer_pending_totp(
        &self,
        user: UserId,
        fresh: PendingTotp,
    ) -> StoreResult<PendingTotp> {
        sqlx::query(
            "INSERT INTO pending_totp (user_id, sealed, key_version, issued_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(user.to_string())
        .bind(&fresh.sealed)
        .bind(fresh.key_version as i64)
        .bind(ecoute_store::stored::millis(fresh.issued_at))
        .bind(ecoute_store::stored::millis(fresh.expires_at))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        self.pending_totp(user)
            .await?
            .ok_or_else(|| ecoute_store::stored::corrupt("pending_totp"))
    }

    async fn clear_pending_totp(&self, user: UserId) -> StoreResult<()> {
        sqlx::query("DELETE FROM pending_totp WHERE user_id = $1")
            .bind(user.to_string())
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn set_password(&self, user: UserId, hash: &str, audit: NewAudit) -> StoreResult<()> {
        transaction!(async {
            let mut tx = self.begin().await?;
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(hash)
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(())
        })
    }

    async fn replace_recovery_codes(
        &self,
        user: UserId,
        recovery_hashes: Vec<[u8; 32]>,
        audit: NewAudit,
    ) -> StoreResult<()> {
        transaction!(async {
            let mut tx = self.begin().await?;
            write_recovery_codes(&mut tx, user, &recovery_hashes).await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(())
        })
    }

    async fn use_totp_step(&self, user: UserId, step: u64) -> StoreResult<bool> {
        // One statement: the row lock and the re-check of the condition make it atomic.
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1 \
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step as i64)
        .bind(user.to_string())
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 \
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(millis(now))
        .bind(user.to_string())
        .bind(&code_hash[..])
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.max(0) as u64)
    }

    async fn login_failures_since(
        &self,
        username: &str,
        since: OffsetDateTime,
    ) -> StoreResult<(u64, Option<OffsetDateTime>)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures \
             WHERE username = $1 AND at >= $2",
        )
        .bind(username)
        .bind(millis(since))
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        (|| -> R<(u64, Option<OffsetDateTime>)> {
            let n: i64 = row.try_get("n")?;
            Ok((n.max(0) as u64, opt_time(row.try_get("oldest")?)?))
        })()
        .map_err(Fail::into_store)
    }

    async fn reserve_login_attempt(
        &self,
        username: &str,
        since: OffsetDateTime,
        at: OffsetDateTime,
        max: u64,
    ) -> StoreResult<LoginReservation> {
        transaction!(async {
            let mut tx = self.begin().await?;
            // Attempts checked at the same time on any node are counted one after the other.
            lock_username(&mut tx, username).await?;
            sqlx::query("DELETE FROM login_failures WHERE at < $1")
                .bind(millis(since))
                .execute(&mut *tx)
                .await?;
            let row = sqlx::query(
                "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE username = $1",
            )
            .bind(username)
            .fetch_one(&mut *tx)
            .await?;
            let n: i64 = row.try_get("n")?;
            if n.max(0) as u64 >= max {
                let oldest = opt_time(row.try_get("oldest")?)?;
                commit(tx).await?;
                return Ok(LoginReservation::Refused { oldest });
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO login_failures (username, at) VALUES ($1, $2) RETURNING id",
            )
            .bind(username)
            .bind(millis(at))
            .fetch_one(&mut *tx)
            .await?;
            commit(tx).await?;
            Ok(LoginReservation::Reserved(id))
        })
    }

    async fn clear_login_attempt(&self, id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn record_login_failure(
        &self,
        username: &str,
        forget_before: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<()> {
        transaction!(async {
            let mut tx = self.begin().await?;
            lock_username(&mut tx, username).await?;
            sqlx::query("DELETE FROM login_failures WHERE at < $1")
                .bind(millis(forget_before))
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO login_failures (username, at) VALUES ($1, $2)")
                .bind(username)
                .bind(millis(audit.at))
                .execute(&mut *tx)
                .await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await
        })
    }

    async fn append_audit(&self, audit: NewAudit) -> StoreResult<()> {
        transaction!(async {
            let mut tx = self.begin().await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await
        })
    }

    async fn audit_page(&self, before: Option<u64>, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2")
            .bind(before.map_or(i64::MAX, |b| b.min(i64::MAX as u64) as i64))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        decode_all(&rows, audit_from_row)
    }

    async fn audit_after(&self, after: u64, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after.min(i64::MAX as u64) as i64)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        decode_all(&rows, audit_from_row)
    }

    async fn create_setup_code(
        &self,
        code_hash: [u8; 32],
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        transaction!(async {
            let mut tx = self.begin().await?;
            // Nodes starting together take turns, so the last one's code is the only one left.
            sqlx::query("LOCK TABLE setup_codes IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM setup_codes WHERE used_at IS NULL")
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO setup_codes (code_hash, expires_at) VALUES ($1, $2)")
                .bind(&code_hash[..])
                .bind(millis(expires_at))
                .execute(&mut *tx)
                .await?;
            commit(tx).await?;
            Ok(())
        })
    }

    async fn redeem_setup_code(
        &self,
        code_hash: [u8; 32],
        now: OffsetDateTime,
        admin: NewUser,
        audit: NewAudit,
    ) -> StoreResult<Option<User>> {
        let created = transaction!(async {
            let mut tx = self.begin().await?;
            // "Only while no account exists": two codes redeemed at once on two nodes must not
            // both see an empty table. This mode lets reads through but no other writer of
            // `users`, and is taken by one redeemer at a time. Setup happens once.
            sqlx::query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
            let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(&mut *tx)
                .await?;
            let used = sqlx::query(
                "UPDATE setup_codes SET used_at = $1 \
                 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1",
            )
            .bind(millis(now))
            .bind(&code_hash[..])
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if users > 0 || used != 1 {
                return Ok(false);
            }
            insert_user(&mut tx, &admin).await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(true)
        })?;
        Ok(created.then(|| new_account(admin)))
    }

    async fn create_session(
        &self,
        token_hash: [u8; 32],
        id: &str,
        user: UserId,
        now: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<()> {
        transaction!(async {
            let mut tx = self.begin().await?;
            // A disabled account gets no session, even from a login checked just before it
            // was disabled (the row lock orders this after a disable committing meanwhile);
            // the login's time is what the administrators' list shows.
            let enabled = sqlx::query(
                "UPDATE users SET last_login_at = $1 WHERE id = $2 AND disabled_at IS NULL",
            )
            .bind(millis(now))
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if enabled == 0 {
                return Err(Fail::Store(StoreError::Conflict));
            }
            sqlx::query(
                "INSERT INTO staff_sessions (token_hash, id, user_id, created_at, last_seen_at) \
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(&token_hash[..])
            .bind(id)
            .bind(user.to_string())
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await
        })
    }

    async fn sessions_of(&self, user: UserId) -> StoreResult<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "SELECT id, token_hash, created_at, last_seen_at FROM staff_sessions \
             WHERE user_id = $1 ORDER BY last_seen_at DESC",
        )
        .bind(user.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        decode_all(&rows, |row| {
            let hash: Vec<u8> = row.try_get("token_hash")?;
            let id: Option<String> = row.try_get("id")?;
            Ok(SessionInfo {
                id: id.unwrap_or_default(),
                token_hash: hash.try_into().map_err(|_| corrupt("session hash"))?,
                created_at: from_millis(row.try_get("created_at")?)?,
                last_seen_at: from_millis(row.try_get("last_seen_at")?)?,
            })
        })
    }

    async fn session(&self, token_hash: [u8; 32]) -> StoreResult<Option<StaffSession>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.id AS session_id, s.created_at, s.last_seen_at \
             FROM staff_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 \
             AND u.disabled_at IS NULL"
        ))
        .bind(&token_hash[..])
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|row| -> R<StaffSession> {
            Ok(StaffSession {
                token_hash,
                id: row
                    .try_get::<Option<String>, _>("session_id")?
                    .unwrap_or_default(),
                user: user_from_row(&row)?,
                created_at: from_millis(row.try_get("created_at")?)?,
                last_seen_at: from_millis(row.try_get("last_seen_at")?)?,
            })
        })
        .transpose()
        .map_err(Fail::into_store)
    }

    async fn touch_session(&self, token_hash: [u8; 32], now: OffsetDateTime) -> StoreResult<()> {
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(millis(now))
            .bind(&token_hash[..])
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: [u8; 32]) -> StoreResult<()> {
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
            .bind(&token_hash[..])
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn create_conversation(&self, new: NewConversation) -> StoreResult<Conversation> {
        let priority = if new.intake.danger {
            Priority::Danger
        } else {
            Priority::Normal
        };
        sqlx::query(
            "INSERT INTO conversations (id, token_hash, kind, minor, departement, state, \
             wrapped_key, key_version, created_at, force, language, danger, priority, \
             open_to_all_at, code_bucket, code_hash, proposed_unit) \
             VALUES ($1, $2, $3, $4, $5, 'waiting', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             $16)",
        )
        .bind(new.id.to_string())
        .bind(&new.token_hash[..])
        .bind(new.intake.kind.as_str())
        .bind(new.intake.minor)
        .bind(new.intake.departement.as_ref().map(|d| d.as_str()))
        .bind(&new.wrapped_key)
        .bind(i64::from(new.key_version))
        .bind(millis(new.created_at))
        .bind(new.force.map(Force::as_str))
        .bind(new.intake.language.as_str())
        .bind(new.intake.danger)
        .bind(priority.rank())
        .bind(millis(new.open_to_all_at))
        .bind(
            new.return_code
                .as_ref()
                .map(|(bucket, _)| i64::from(*bucket)),
        )
        .bind(new.return_code.as_ref().map(|(_, hash)| hash.as_str()))
        .bind(new.proposed_unit.as_ref().map(UnitId::as_str))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(Conversation {
            id: new.id,
            state: ConversationState::Waiting,
            intake: new.intake,
            wrapped_key: new.wrapped_key,
            key_version: new.key_version,
            last_seq: 0,
            created_at: new.created_at,
            claimed_at: None,
            visitor_left_at: None,
            closed_at: None,
            officer_name: None,
            force: new.force,
            proposed_unit: new.proposed_unit,
            priority,
            risk_flags: Vec::new(),
            open_to_all_at: new.open_to_all_at,
            handovers: 0,
            visitor_marks: Marks::default(),
            officer_marks: Marks::default(),
        })
    }

    async fn conversation(&self, id: ConversationId) -> StoreResult<Option<Conversation>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        load_conversation(&mut conn, id)
            .await
            .map_err(Fail::into_store)
    }

    async fn conversation_by_token(
        &self,
        token_hash: [u8; 32],
    ) -> StoreResult<Option<Conversation>> {
        let found = self
            .fetch_conversations(
                sqlx::query(&conversation_query("WHERE c.token_hash = $1")).bind(&token_hash[..]),
            )
            .await?;
        Ok(found.into_iter().next())
    }

    async fn waiting_queue(&self) -> StoreResult<Vec<Conversation>> {
        self.conversations_where(
            "WHERE c.state = 'waiting' ORDER BY c.priority DESC, c.created_at, c.id",
        )
        .await
    }

    async fn count_waiting(&self) -> StoreResult<u64> {
        self.count("SELECT COUNT(*) FROM conversations WHERE state = 'waiting'")
            .await
    }

    async fn open_chats_of(&self, officer: UserId) -> StoreResult<Vec<Conversation>> {
        self.fetch_conversations(
            sqlx::query(&conversation_query(
                "WHERE c.officer_id = $1 AND c.state IN ('active', 'visitor_left') \
                 ORDER BY c.claimed_at, c.id",
            ))
            .bind(officer.to_string()),
        )
        .await
    }

    async fn closed_conversations(
        &self,
        officer: Option<UserId>,
        since: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        self.fetch_conversations(
            sqlx::query(&conversation_query(
                "WHERE c.state = 'closed' AND c.closed_at >= $1 \
                 AND ($2::text IS NULL OR c.officer_id = $2) \
                 ORDER BY c.closed_at DESC, c.id LIMIT $3",
            ))
            .bind(millis(since))
            .bind(officer.map(|o| o.to_string()))
            .bind(i64::from(limit)),
        )
        .await
    }

    async fn transition_closing(
        &self,
        id: ConversationId,
        actor: Actor,
        event: Event,
        now: OffsetDateTime,
        audit: Option<NewAudit>,
        closing: ClosingFacts,
    ) -> StoreResult<Transitioned> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let steps = &mut PgSteps(&mut tx);
            let applied =
                steps::transition(steps, id, actor, event, now, audit.as_ref(), &closing).await?;
            if matches!(applied, Applied::Done(_)) {
                commit(tx).await?;
            }
            Ok(applied)
        })
    }

    async fn save_case_file(
        &self,
        id: ConversationId,
        officer: UserId,
        sealed: &[u8],
        audit: NewAudit,
    ) -> StoreResult<bool> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let changed = sqlx::query(
                "UPDATE conversations SET case_file = $1 WHERE id = $2 AND officer_id = $3 \
                 AND state IN ('active', 'visitor_left')",
            )
            .bind(sealed)
            .bind(id.to_string())
            .bind(officer.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Ok(false);
            }
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(true)
        })
    }

    async fn case_file(&self, id: ConversationId) -> StoreResult<Option<Vec<u8>>> {
        let sealed: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT case_file FROM conversations WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        Ok(sealed.flatten())
    }

    async fn install_secret(&self, name: &str, fresh: [u8; 32]) -> StoreResult<[u8; 32]> {
        let value: Vec<u8> = transaction!(async {
            let mut tx = self.begin().await?;
            // A first call racing on another node: this insert waits for it, then does nothing.
            sqlx::query(
                "INSERT INTO install_secrets (name, value) VALUES ($1, $2) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(&fresh[..])
            .execute(&mut *tx)
            .await?;
            let value: Vec<u8> =
                sqlx::query_scalar("SELECT value FROM install_secrets WHERE name = $1")
                    .bind(name)
                    .fetch_one(&mut *tx)
                    .await?;
            commit(tx).await?;
            Ok(value)
        })?;
        value
            .try_into()
            .map_err(|_| StoreError::Corrupt("installation secret".into()))
    }

    async fn set_return_code(
        &self,
        id: ConversationId,
        bucket: u32,
        hash: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE conversations SET code_bucket = $1, code_hash = $2 WHERE id = $3")
            .bind(i64::from(bucket))
            .bind(hash)
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn return_code_candidates(
        &self,
        bucket: u32,
    ) -> StoreResult<Vec<(ConversationId, String)>> {
        let rows = sqlx::query(
            "SELECT id, code_hash FROM conversations WHERE code_bucket = $1 \
             AND code_hash IS NOT NULL AND (outcome IS NULL OR outcome <> 'blocked')",
        )
        .bind(i64::from(bucket))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        decode_all(&rows, |row| {
            let id: String = row.try_get("id")?;
            Ok((ConversationId(parse_uuid(&id)?), row.try_get("code_hash")?))
        })
    }

    async fn resume(
        &self,
        id: ConversationId,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<Transitioned> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let applied = steps::resume(&mut PgSteps(&mut tx), id, token_hash, now).await?;
            if matches!(applied, Applied::Done(_)) {
                commit(tx).await?;
            }
            Ok(applied)
        })
    }

    async fn advance_marks(
        &self,
        id: ConversationId,
        reader: Actor,
        marks: Marks,
    ) -> StoreResult<Option<MarksMoved>> {
        let ((received, read), officer) = match reader {
            Actor::Visitor => (("visitor_received_seq", "visitor_read_seq"), None),
            Actor::Officer(o) => (
                ("officer_received_seq", "officer_read_seq"),
                Some(o.to_string()),
            ),
        };
        let received_seq = marks.received.max(marks.read).min(i64::MAX as u64) as i64;
        let read_seq = marks.read.min(i64::MAX as u64) as i64;
        // One statement: forward only, bounded by what exists; the row lock it takes and the
        // re-check of its condition make concurrent calls apply one after the other.
        let row = sqlx::query(&format!(
            "UPDATE conversations SET \
             {received} = LEAST(last_seq, GREATEST({received}, $1)), \
             {read} = LEAST(last_seq, GREATEST({read}, $2)) \
             WHERE id = $3 AND ($4::text IS NULL OR officer_id = $4) \
               AND (LEAST(last_seq, GREATEST({received}, $1)) <> {received} \
               OR LEAST(last_seq, GREATEST({read}, $2)) <> {read}) \
             RETURNING {received} AS received, {read} AS read, officer_id"
        ))
        .bind(received_seq)
        .bind(read_seq)
        .bind(id.to_string())
        .bind(officer)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|row| -> R<MarksMoved> {
            let owner = opt_uuid(row.try_get("officer_id")?)?;
            Ok(MarksMoved {
                marks: Marks {
                    received: unsigned(row.try_get("received")?, "mark")?,
                    read: unsigned(row.try_get("read")?, "mark")?,
                },
                owner: owner.map(UserId),
            })
        })
        .transpose()
        .map_err(Fail::into_store)
    }

    async fn canned_replies(&self) -> StoreResult<Vec<StoredReply>> {
        let rows = sqlx::query(
            "SELECT id, shortcut, title, body, updated_at FROM canned_replies ORDER BY shortcut",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        decode_all(&rows, |row| {
            let id: String = row.try_get("id")?;
            let shortcut: String = row.try_get("shortcut")?;
            let title: String = row.try_get("title")?;
            let body: String = row.try_get("body")?;
            Ok(StoredReply {
                id: parse_uuid(&id)?,
                reply: CannedReply::parse(&shortcut, &title, &body)
                    .map_err(|_| corrupt("canned reply"))?,
                updated_at: from_millis(row.try_get("updated_at")?)?,
            })
        })
    }

    async fn save_canned_reply(
        &self,
        id: Option<Uuid>,
        reply: &CannedReply,
        now: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<Option<StoredReply>> {
        let fresh = Uuid::new_v4();
        let saved = transaction!(async {
            let mut tx = self.begin().await?;
            let id = match id {
                Some(id) => {
                    let changed = sqlx::query(
                        "UPDATE canned_replies SET shortcut = $1, title = $2, body = $3, \
                         updated_at = $4 WHERE id = $5",
                    )
                    .bind(&reply.shortcut)
                    .bind(&reply.title)
                    .bind(&reply.body)
                    .bind(millis(now))
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed == 0 {
                        return Ok(None);
                    }
                    id
                }
                None => {
                    sqlx::query(
                        "INSERT INTO canned_replies (id, shortcut, title, body, updated_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(fresh.to_string())
                    .bind(&reply.shortcut)
                    .bind(&reply.title)
                    .bind(&reply.body)
                    .bind(millis(now))
                    .execute(&mut *tx)
                    .await?;
                    fresh
                }
            };
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(Some(id))
        })?;
        Ok(saved.map(|id| StoredReply {
            id,
            reply: reply.clone(),
            updated_at: now,
        }))
    }

    async fn delete_canned_reply(&self, id: Uuid, audit: NewAudit) -> StoreResult<bool> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let gone = sqlx::query("DELETE FROM canned_replies WHERE id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if gone == 0 {
                return Ok(false);
            }
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(true)
        })
    }

    async fn load_resources(&self, resources: &[Resource], audit: NewAudit) -> StoreResult<u64> {
        transaction!(async {
            let mut tx = self.begin().await?;
            // As for the force table: concurrent loads apply one after the other.
            sqlx::query("LOCK TABLE resources IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM resources")
                .execute(&mut *tx)
                .await?;
            for (i, r) in resources.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO resources (position, departement, kind, name, phone, address, \
                     hours, url, sample) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(i as i64)
                .bind(r.departement.as_ref().map(Departement::as_str))
                .bind(r.kind.as_str())
                .bind(&r.name)
                .bind(&r.phone)
                .bind(&r.address)
                .bind(&r.hours)
                .bind(&r.url)
                .bind(r.sample)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await
        })?;
        Ok(resources.len() as u64)
    }

    async fn resources_for(&self, departement: Option<&Departement>) -> StoreResult<Vec<Resource>> {
        let rows = sqlx::query(
            "SELECT departement, kind, name, phone, address, hours, url, sample FROM resources \
             WHERE departement IS NULL OR departement = $1 \
             ORDER BY departement IS NOT NULL, position",
        )
        .bind(departement.map(Departement::as_str))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        decode_all(&rows, |row| {
            let kind: String = row.try_get("kind")?;
            Ok(Resource {
                departement: opt_departement(row.try_get("departement")?)?,
                kind: ResourceKind::parse(&kind).map_err(|_| corrupt("resource kind"))?,
                name: row.try_get("name")?,
                phone: row.try_get("phone")?,
                address: row.try_get("address")?,
                hours: row.try_get("hours")?,
                url: row.try_get("url")?,
                sample: row.try_get("sample")?,
            })
        })
    }

    async fn count_resources(&self) -> StoreResult<u64> {
        self.count("SELECT COUNT(*) FROM resources").await
    }

    async fn take_next(
        &self,
        officer: UserId,
        now: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<Applied<Conversation>> {
        let taken = retrying!(async {
            let mut tx = self.begin().await?;
            let taken = take_in(&mut tx, officer, now, &audit).await?;
            match &taken {
                Taken::Chat(_) => commit(tx).await?,
                // Nothing written: dropping the transaction rolls it back.
                Taken::Refused(_) | Taken::Nothing => {}
            }
            Ok(taken)
        });
        match taken {
            Ok(Taken::Chat(chat)) => Ok(Applied::Done(*chat)),
            Ok(Taken::Refused(refused)) => Ok(Applied::Refused(refused)),
            Ok(Taken::Nothing) => Ok(Applied::NotFound),
            Err(e) => Err(e.into_store()),
        }
    }

    async fn raise_priority(
        &self,
        id: ConversationId,
        priority: Priority,
        labels: &[String],
    ) -> StoreResult<Option<Conversation>> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let Some(current) = lock_and_load(&mut tx, id).await? else {
                return Ok(None);
            };
            let Some((priority, flags)) = raised(&current, priority, labels) else {
                return Ok(None);
            };
            sqlx::query("UPDATE conversations SET priority = $1, risk_flags = $2 WHERE id = $3")
                .bind(priority.rank())
                .bind(flags.join("\n"))
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            let after = reload(&mut tx, id).await?;
            commit(tx).await?;
            Ok(Some(after))
        })
    }

    async fn set_language(
        &self,
        id: ConversationId,
        language: &Language,
    ) -> StoreResult<Option<Conversation>> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let changed = sqlx::query(
                "UPDATE conversations SET language = $1 \
                 WHERE id = $2 AND language <> $1 AND closed_at IS NULL",
            )
            .bind(language.as_str())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Ok(None);
            }
            let after = reload(&mut tx, id).await?;
            commit(tx).await?;
            Ok(Some(after))
        })
    }

    async fn add_note(
        &self,
        id: ConversationId,
        kind: NoteKind,
        author: Option<UserId>,
        seal: &(dyn Fn(u64) -> Vec<u8> + Send + Sync),
        now: OffsetDateTime,
        audit: Option<NewAudit>,
    ) -> StoreResult<Option<StoredNote>> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let steps = &mut PgSteps(&mut tx);
            let note = steps::add_note(steps, id, kind, author, seal, now, audit.as_ref()).await?;
            if note.is_some() {
                commit(tx).await?;
            }
            Ok(note)
        })
    }

    async fn notes(&self, id: ConversationId) -> StoreResult<Vec<StoredNote>> {
        let rows = sqlx::query(
            "SELECT n.seq, n.kind, n.author_id, u.display_name, n.body, n.at FROM staff_notes n \
             LEFT JOIN users u ON u.id = n.author_id WHERE n.conversation_id = $1 \
             ORDER BY n.seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        decode_all(&rows, note_from_row)
    }

    async fn live_conversations(&self) -> StoreResult<Vec<Conversation>> {
        self.conversations_where("WHERE c.state <> 'closed' ORDER BY c.created_at, c.id")
            .await
    }

    async fn day_figures(&self, since: OffsetDateTime) -> StoreResult<DayFigures> {
        let since = millis(since);
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM conversations WHERE created_at >= $1) AS started, \
             (SELECT COUNT(*) FROM conversations WHERE state = 'waiting') AS waiting, \
             (SELECT COUNT(*) FROM conversations WHERE state = 'closed' AND closed_at >= $1 \
              AND officer_id IS NOT NULL) AS handled, \
             (SELECT COUNT(*) FROM conversations WHERE state = 'closed' AND closed_at >= $1 \
              AND officer_id IS NULL AND outcome = 'visitor_left') AS left_unanswered",
        )
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        let waits: Vec<i64> = sqlx::query_scalar(
            "SELECT claimed_at - created_at FROM conversations \
             WHERE claimed_at IS NOT NULL AND claimed_at >= $1",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let count = |column: &str| -> StoreResult<u64> {
            let n: i64 = row.try_get(column).map_err(db)?;
            Ok(n.max(0) as u64)
        };
        Ok(DayFigures {
            started: count("started")?,
            waiting: count("waiting")?,
            handled: count("handled")?,
            left_unanswered: count("left_unanswered")?,
            waits_secs: waits
                .into_iter()
                .map(|ms| (ms.max(0) / 1000) as u64)
                .collect(),
        })
    }

    async fn quick_exit(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<Option<Conversation>> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let after = steps::quick_exit(&mut PgSteps(&mut tx), token_hash, now).await?;
            if after.is_some() {
                commit(tx).await?;
            }
            Ok(after)
        })
    }

    async fn append_message(&self, message: NewMessage) -> StoreResult<AppendOutcome> {
        self.writer.append(message).await
    }

    async fn append_messages(&self, messages: Vec<NewMessage>) -> Vec<StoreResult<AppendOutcome>> {
        self.writer.append_all(messages).await
    }

    async fn messages_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        limit: u32,
    ) -> StoreResult<Vec<StoredMessage>> {
        let rows = sqlx::query(&format!(
            "{MESSAGE_QUERY} WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
        ))
        .bind(conversation.to_string())
        .bind(after.min(i64::MAX as u64) as i64)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        decode_all(&rows, message_from_row)
    }

    async fn purge_candidates(
        &self,
        policy: &RetentionPolicy,
        now: OffsetDateTime,
        after: Option<&PurgeCandidate>,
        limit: u32,
    ) -> StoreResult<Vec<PurgeCandidate>> {
        let mut found = Vec::new();
        // Rules before the cursor's were exhausted by earlier pages.
        let rules =
            RetentionRule::all().skip_while(|rule| after.is_some_and(|a| a.due.rule != *rule));
        for rule in rules {
            let remaining = (limit as usize).saturating_sub(found.len());
            if remaining == 0 {
                break;
            }
            let resume = after.filter(|a| a.due.rule == rule);
            let sql = candidates_query(rule, resume.is_some());
            let mut query = sqlx::query(&sql);
            if let RetentionRule::Closed(outcome) = rule {
                query = query.bind(outcome.as_str());
            }
            query = query.bind(millis(policy.cutoff(rule, now)));
            if let Some(a) = resume {
                query = query
                    .bind(millis(a.due.counted_from))
                    .bind(a.id.to_string());
            }
            let rows = query
                .bind(remaining as i64)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
            for row in &rows {
                let candidate = purge_candidate_from_row(row, policy).map_err(Fail::into_store)?;
                // The query and the domain's policy must agree; the policy has the last word.
                if candidate.due.rule == rule && candidate.due.is_due(now) {
                    found.push(candidate);
                }
            }
        }
        Ok(found)
    }

    async fn purge(
        &self,
        ids: &[ConversationId],
        policy: &RetentionPolicy,
        now: OffsetDateTime,
    ) -> StoreResult<Purged> {
        if ids.is_empty() {
            return Ok(Purged {
                files_scrubbed: Some(true),
                ..Purged::default()
            });
        }
        // Rows are locked in one order whatever the caller's, so that purges running on two
        // nodes at once wait for each other instead of deadlocking.
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let (conversations, messages, dossiers) = transaction!(async {
            let mut tx = self.begin().await?;
            let mut gone = Vec::new();
            let mut messages = 0;
            let mut dossiers = 0;
            for &id in &ids {
                if !lock_conversation(&mut tx, id).await? {
                    continue;
                }
                let row = sqlx::query(&format!(
                    "SELECT {PURGE_COLUMNS} FROM conversations WHERE id = $1"
                ))
                .bind(id.to_string())
                .fetch_one(&mut *tx)
                .await?;
                // Checked again under the lock: a chat closed since it was listed now counts
                // from its closing and must be kept.
                if !purge_candidate_from_row(&row, policy)?.due.is_due(now) {
                    continue;
                }
                record_if_unclosed(&mut tx, id).await?;
                dossiers += forwarding::purge_forwarding(&mut tx, id).await?;
                sqlx::query("DELETE FROM staff_notes WHERE conversation_id = $1")
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                messages += sqlx::query("DELETE FROM messages WHERE conversation_id = $1")
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                // The row holds the wrapped data key: deleting it is what makes any copy of
                // the messages (a backup, a dead tuple, a WAL segment) undecryptable.
                sqlx::query("DELETE FROM conversations WHERE id = $1")
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                gone.push(id);
            }
            commit(tx).await?;
            Ok((gone, messages, dossiers))
        })?;
        // PostgreSQL keeps deleted rows in its table files until VACUUM reuses their space, and
        // in its write-ahead log until the segments are recycled; no statement of ours can
        // erase them. Crypto-shredding (the wrapped key is gone) is what protects them, and we
        // say plainly that the bytes are not scrubbed yet.
        let files_scrubbed = conversations.is_empty().then_some(true);
        Ok(Purged {
            conversations,
            messages,
            dossiers,
            files_scrubbed,
        })
    }

    async fn add_signing_key(&self, key: NewSigningKey, audit: NewAudit) -> StoreResult<()> {
        transaction!(async {
            let mut tx = self.begin().await?;
            sqlx::query(
                "INSERT INTO signing_keys (id, version, public_key, sealed, key_version, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(signing_key_id(key.version))
            .bind(i64::from(key.version))
            .bind(&key.public[..])
            .bind(&key.sealed)
            .bind(i64::from(key.key_version))
            .bind(millis(key.created_at))
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(())
        })
    }

    async fn current_signing_key(&self) -> StoreResult<Option<StoredSigningKey>> {
        let sql = format!(
            "SELECT {SIGNING_KEY_COLUMNS} FROM signing_keys WHERE retired_at IS NULL \
             ORDER BY version DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref()
            .map(signing_key_from_row)
            .transpose()
            .map_err(Fail::into_store)
    }

    async fn statistics(&self, from: IsoWeek, to: IsoWeek) -> StoreResult<Vec<ChatStatistics>> {
        let sql = format!(
            "SELECT {STATISTICS_COLUMNS} FROM chat_statistics \
             WHERE iso_week BETWEEN $1 AND $2 ORDER BY iso_week, hour_of_week, id"
        );
        let rows = sqlx::query(&sql)
            .bind(from.key())
            .bind(to.key())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        decode_all(&rows, statistics_from_row)
    }

    async fn record_exposure(
        &self,
        minutes: &[ecoute_store::wellbeing::ExposureMinute],
    ) -> StoreResult<u64> {
        self.do_record_exposure(minutes).await
    }

    async fn exposure_minutes(
        &self,
        officer: Option<UserId>,
        since: i64,
    ) -> StoreResult<Vec<ecoute_store::wellbeing::ExposureMinute>> {
        self.do_exposure_minutes(officer, since).await
    }

    async fn start_break(
        &self,
        officer: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<()> {
        self.do_start_break(officer, at, audit).await
    }

    async fn end_break(
        &self,
        officer: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        self.do_end_break(officer, at, audit).await
    }

    async fn breaks_since(
        &self,
        officer: Option<UserId>,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<ecoute_store::wellbeing::StoredBreak>> {
        self.do_breaks_since(officer, since).await
    }

    async fn last_breaks(&self) -> StoreResult<Vec<ecoute_store::wellbeing::StoredBreak>> {
        self.do_last_breaks().await
    }

    async fn purge_wellbeing(
        &self,
        minutes_before: i64,
        breaks_before: OffsetDateTime,
    ) -> StoreResult<u64> {
        self.do_purge_wellbeing(minutes_before, breaks_before).await
    }

    async fn record_presence(&self, sample: PresenceSample) -> StoreResult<bool> {
        self.do_record_presence(sample).await
    }

    async fn presence_history(&self, from: IsoWeek, to: IsoWeek) -> StoreResult<Vec<PresenceHour>> {
        self.do_presence_history(from, to).await
    }

    async fn record_presence_span(
        &self,
        user: UserId,
        state: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.do_record_presence_span(user, state, at).await
    }

    async fn confirm_presence_spans(
        &self,
        users: &[UserId],
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.do_confirm_presence_spans(users, at).await
    }

    async fn close_lapsed_presence_spans(&self, before: OffsetDateTime) -> StoreResult<u64> {
        self.do_close_lapsed_presence_spans(before).await
    }

    async fn presence_spans(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> StoreResult<Vec<ecoute_store::shifts::PresenceSpan>> {
        self.do_presence_spans(from, to).await
    }

    async fn purge_presence_spans(&self, before: OffsetDateTime) -> StoreResult<u64> {
        self.do_purge_presence_spans(before).await
    }

    async fn signing_keys(&self) -> StoreResult<Vec<StoredSigningKey>> {
        let sql = format!("SELECT {SIGNING_KEY_COLUMNS} FROM signing_keys ORDER BY version");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await.map_err(db)?;
        decode_all(&rows, signing_key_from_row)
    }

    async fn retire_signing_key(
        &self,
        version: u32,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<SigningRetirement> {
        transaction!(async {
            let mut tx = self.begin().await?;
            // The row locked: a second retirement of the same version waits, then sees it
            // retired. The newest key in service is never retired, so the newer one found here
            // stays in service whatever else commits meanwhile.
            let retired_at: Option<Option<i64>> = sqlx::query_scalar(
                "SELECT retired_at FROM signing_keys WHERE version = $1 FOR UPDATE",
            )
            .bind(i64::from(version))
            .fetch_optional(&mut *tx)
            .await?;
            let newer: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM signing_keys \
                 WHERE version > $1 AND retired_at IS NULL)",
            )
            .bind(i64::from(version))
            .fetch_one(&mut *tx)
            .await?;
            let outcome = match retired_at {
                None => SigningRetirement::Unknown,
                Some(Some(_)) => SigningRetirement::AlreadyRetired,
                Some(None) if !newer => SigningRetirement::NoNewer,
                Some(None) => {
                    sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE version = $2")
                        .bind(millis(at))
                        .bind(i64::from(version))
                        .execute(&mut *tx)
                        .await?;
                    insert_audit(&mut tx, &audit).await?;
                    SigningRetirement::Retired
                }
            };
            commit(tx).await?;
            Ok(outcome)
        })
    }

    async fn ask_consent(
        &self,
        id: ConversationId,
        officer: UserId,
        unit: &UnitId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        self.do_ask_consent(id, officer, unit, at, audit).await
    }

    async fn answer_consent(
        &self,
        id: ConversationId,
        unit: &UnitId,
        yes: bool,
        sealed: &[u8],
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        self.do_answer_consent(id, unit, yes, sealed, at, audit)
            .await
    }

    async fn consent(&self, id: ConversationId) -> StoreResult<Option<StoredConsent>> {
        self.do_consent(id).await
    }

    async fn create_dossier(&self, dossier: NewDossier, audit: NewAudit) -> StoreResult<bool> {
        self.do_create_dossier(dossier, audit).await
    }

    async fn forwarded_without_dossier(&self, limit: u32) -> StoreResult<Vec<ConversationId>> {
        self.do_forwarded_without_dossier(limit).await
    }

    async fn dossier(&self, id: Uuid) -> StoreResult<Option<DossierRow>> {
        self.do_dossier_where("id", id.to_string()).await
    }

    async fn dossier_of(&self, conversation: ConversationId) -> StoreResult<Option<DossierRow>> {
        self.do_dossier_where("conversation_id", conversation.to_string())
            .await
    }

    async fn statistics_link(&self, conversation: ConversationId) -> StoreResult<Option<Vec<u8>>> {
        self.do_statistics_link(conversation).await
    }

    async fn dossiers(&self, unit: Option<&UnitId>, limit: u32) -> StoreResult<Vec<DossierRow>> {
        self.do_dossiers(unit, limit).await
    }

    async fn count_unacknowledged(&self, before: OffsetDateTime) -> StoreResult<u64> {
        self.do_count_unacknowledged(before).await
    }

    async fn dossier_files(&self, id: Uuid) -> StoreResult<Option<(Vec<u8>, Vec<u8>)>> {
        self.do_dossier_files(id).await
    }

    async fn record_dossier_event(
        &self,
        id: Uuid,
        event: NewDossierEvent,
        audit: NewAudit,
    ) -> StoreResult<Option<Result<DossierRow, ecoute_domain::DossierError>>> {
        self.do_record_dossier_event(id, event, audit).await
    }

    async fn dossier_events(&self, id: Uuid) -> StoreResult<Vec<StoredDossierEvent>> {
        self.do_dossier_events(id).await
    }

    async fn log_notification(&self, record: NotificationRecord) -> StoreResult<()> {
        self.do_log_notification(record).await
    }

    async fn notifications(&self, dossier: Uuid) -> StoreResult<Vec<NotificationRecord>> {
        self.do_notifications(dossier).await
    }

    async fn keys_below_version(
        &self,
        kind: KeyKind,
        version: u32,
        limit: u32,
    ) -> StoreResult<Vec<SealedKey>> {
        let sql = KeyRows::of(kind).below(["$1", "$2"]);
        let found = sqlx::query(&sql)
            .bind(i64::from(version))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        decode_all(&found, |row| {
            let id: String = row.try_get("id")?;
            Ok(SealedKey {
                owner: parse_uuid(&id)?,
                key_version: key_version(row.try_get("key_version")?)?,
                sealed: row.try_get("sealed")?,
            })
        })
    }

    async fn reseal_keys(&self, kind: KeyKind, mut reseals: Vec<Reseal>) -> StoreResult<u64> {
        if reseals.is_empty() {
            return Ok(0);
        }
        // One locking order for every caller: concurrent rotations cannot deadlock.
        reseals.sort_by_key(|r| r.owner);
        let sql = KeyRows::of(kind).reseal(["$1", "$2", "$3", "$4", "$5"]);
        transaction!(async {
            let mut tx = self.begin().await?;
            let mut updated = 0;
            for r in &reseals {
                // A compare-and-set: the row lock and the re-check of the condition make a
                // concurrent change (another rotation, a purge, an enrolment) win or lose as a
                // whole.
                updated += sqlx::query(&sql)
                    .bind(&r.sealed)
                    .bind(i64::from(r.to_version))
                    .bind(r.owner.to_string())
                    .bind(i64::from(r.from_version))
                    .bind(&r.from_sealed)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            commit(tx).await?;
            Ok(updated)
        })
    }

    async fn key_version_counts(&self, kind: KeyKind) -> StoreResult<BTreeMap<u32, u64>> {
        let sql = KeyRows::of(kind).counts();
        let found = sqlx::query(&sql).fetch_all(&self.pool).await.map_err(db)?;
        version_counts(&found, "key_version")
    }

    async fn sealed_key_at_version(
        &self,
        kind: KeyKind,
        version: u32,
    ) -> StoreResult<Option<SealedKey>> {
        let sql = KeyRows::of(kind).one_at("$1");
        let found = sqlx::query(&sql)
            .bind(i64::from(version))
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let found: Vec<_> = found.into_iter().collect();
        Ok(decode_all(&found, |row| {
            let id: String = row.try_get("id")?;
            Ok(SealedKey {
                owner: parse_uuid(&id)?,
                key_version: key_version(row.try_get("key_version")?)?,
                sealed: row.try_get("sealed")?,
            })
        })?
        .pop())
    }

    async fn key_checks(&self) -> StoreResult<BTreeMap<u32, Vec<u8>>> {
        let found = sqlx::query("SELECT version, sealed FROM master_key_checks")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(decode_all(&found, |row| {
            Ok((
                key_version(row.try_get("version")?)?,
                row.try_get::<Vec<u8>, _>("sealed")?,
            ))
        })?
        .into_iter()
        .collect())
    }

    async fn record_key_check(
        &self,
        version: u32,
        check: &[u8],
        at: OffsetDateTime,
    ) -> StoreResult<Vec<u8>> {
        transaction!(async {
            let mut tx = self.begin().await?;
            // A first call racing on another node: this insert waits for it, then does nothing.
            sqlx::query(
                "INSERT INTO master_key_checks (version, sealed, created_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (version) DO NOTHING",
            )
            .bind(i64::from(version))
            .bind(check)
            .bind(millis(at))
            .execute(&mut *tx)
            .await?;
            let recorded: Vec<u8> =
                sqlx::query_scalar("SELECT sealed FROM master_key_checks WHERE version = $1")
                    .bind(i64::from(version))
                    .fetch_one(&mut *tx)
                    .await?;
            commit(tx).await?;
            Ok(recorded)
        })
    }

    async fn accounts(&self) -> StoreResult<Vec<ecoute_store::Account>> {
        self.do_accounts().await
    }

    async fn account(&self, user: UserId) -> StoreResult<Option<ecoute_store::Account>> {
        self.do_account(user).await
    }

    async fn disable_account(
        &self,
        user: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<Result<ecoute_store::Disabled, ecoute_store::AccountRefusal>> {
        self.do_disable_account(user, at, audit).await
    }

    async fn enable_account(
        &self,
        user: UserId,
        audit: NewAudit,
    ) -> StoreResult<ecoute_store::AccountChange> {
        self.do_enable_account(user, audit).await
    }

    async fn set_role(
        &self,
        user: UserId,
        role: ecoute_domain::Role,
        audit: NewAudit,
    ) -> StoreResult<ecoute_store::AccountChange> {
        self.do_set_role(user, role, audit).await
    }

    async fn set_display_name(
        &self,
        user: UserId,
        display_name: &str,
        audit: NewAudit,
    ) -> StoreResult<ecoute_store::AccountChange> {
        self.do_set_display_name(user, display_name, audit).await
    }

    async fn create_account_link(
        &self,
        link: ecoute_store::NewAccountLink,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        self.do_create_account_link(link, audit).await
    }

    async fn account_link(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<Option<ecoute_store::AccountLink>> {
        self.do_account_link(token_hash, now).await
    }

    async fn redeem_account_link(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        redemption: ecoute_store::LinkRedemption,
        audit: NewAudit,
    ) -> StoreResult<Option<(User, Vec<[u8; 32]>)>> {
        self.do_redeem_account_link(token_hash, now, redemption, audit)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecoute_domain::Outcome;

    #[test]
    fn purge_candidate_queries_number_their_parameters_in_binding_order() {
        let closed = candidates_query(RetentionRule::Closed(Outcome::Blocked), true);
        assert!(closed.contains("outcome = $1"), "{closed}");
        assert!(closed.contains("closed_at <= $2"), "{closed}");
        assert!(closed.contains("(closed_at, id) > ($3, $4)"), "{closed}");
        assert!(closed.ends_with("LIMIT $5"), "{closed}");
        let unclosed = candidates_query(RetentionRule::Unclosed, false);
        assert!(unclosed.contains("created_at <= $1"), "{unclosed}");
        assert!(unclosed.ends_with("LIMIT $2"), "{unclosed}");
    }
}
