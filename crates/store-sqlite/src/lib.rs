//! The embedded SQLite backend.
//!
//! WAL mode, `synchronous = FULL` (a commit is on disk before we acknowledge it, even if
//! the machine loses power), `secure_delete` (deleted rows are overwritten). Messages and
//! receipts are written by the appender on a connection of its own (group commit, see
//! `appender.rs`); every other write goes through sqlx's one writer connection. Both start
//! with `BEGIN IMMEDIATE`, so SQLite's single writer lock is taken up front: a
//! read-modify-write such as a claim is atomic and never fails with a late "database is
//! locked", and the two writers take turns. Reads use a separate pool and never wait for
//! writes.
//!
//! Purging deletes rows under `secure_delete`, then checkpoints the WAL and truncates it,
//! so that no copy of a purged page is left in either file.

mod accounts;
mod appender;
mod forwarding;
mod presence;
mod shifts;
mod wellbeing;
pub use appender::{APPENDER_NICE, WRITER_PRAGMAS};

use appender::Appender;
use async_trait::async_trait;
use ecoute_domain::{
    Actor, Author, CannedReply, ChatStatistics, ClosingFacts, ConversationId, ConversationState,
    Coverage, Departement, Ending, Event, Force, Intake, IsoWeek, Language, Outcome, PostalCode,
    PresenceHour, PresenceSample, Priority, ReporterKind, Resource, ResourceKind, RetentionPolicy,
    RetentionRule, Role, Seq, Skills, TransitionError, Unit, UnitId, UserId,
};
use ecoute_store::statistics::{self, STATISTICS_COLUMNS, StoredStatistics};
use ecoute_store::steps::{self, Steps};
use ecoute_store::stored::{
    KeyRows, PURGE_COLUMNS, SIGNING_KEY_COLUMNS, USER_COLUMNS, UnitRow, conversation_query,
    corrupt, force_row, from_millis, key_version, labels_from, millis, opt_force, opt_time,
    opt_unit_id, parse_uuid, public_key, raised, signing_key_id, state_from, unit_query,
    units_from,
};
use ecoute_store::{
    AppendOutcome, Applied, AuditRecord, Conversation, DayFigures, KeyKind, LoginReservation,
    Marks, MarksMoved, NewAudit, NewConversation, NewMessage, NewSigningKey, NewUser, NoteKind,
    PendingTotp, PurgeCandidate, Purged, Reseal, SealedKey, SessionInfo, SigningRetirement,
    StaffLoad, StaffSession, Store, StoreError, StoreResult, StoredMessage, StoredNote,
    StoredReply, StoredSigningKey, StoredTotp, Transitioned, User, UserCredentials,
};
use ecoute_store::{
    DossierRow, NewDossier, NewDossierEvent, NotificationRecord, StoredConsent, StoredDossierEvent,
};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, SqliteConnection};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

/// The database file's name in the data directory (with `-wal` and `-shm` beside it).
pub const DATABASE_FILE: &str = "ecoute.db";

/// The SQLite store: one writer connection, a pool of readers.
#[derive(Clone)]
pub struct SqliteStore {
    write: SqlitePool,
    read: SqlitePool,
    /// Writes messages in batches (group commit), started at the first message.
    appender: Arc<OnceLock<Appender>>,
    /// The database file, for the appender's own connection.
    path: Arc<PathBuf>,
    /// Set by the checkpointer when it has copied the WAL back: the appender then copies the
    /// little written since, so that its next batch starts the WAL over (see
    /// `spawn_checkpointer`).
    backfilled: Arc<AtomicBool>,
    read_only: bool,
    /// Dropped with the last clone of the store: the checkpointer then stops.
    _alive: Arc<()>,
}

/// Tries of a WAL truncation before a reader is taken to hold the log (40 ms apart).
const TRUNCATE_ATTEMPTS: usize = 25;

/// A WAL this long (in pages) after a round of the checkpointer is being written without a
/// pause: the appender finishes the round (`spawn_checkpointer`). SQLite's own threshold for
/// an automatic checkpoint.
const LONG_WAL_FRAMES: i64 = 1000;

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Checkpoints the WAL from a reading connection, beside the writer rather than inside one of
/// its commits (SQLite's automatic checkpoint runs in the commit that crosses 1,000 pages,
/// and every message of that batch waited for it). `PASSIVE`: a round never waits for, nor
/// holds up, the writer or a reader; what it cannot copy yet is copied on a later round.
///
/// Under a steady flow of messages, though, the appender adds frames while each round copies,
/// the WAL is never wholly copied back when a batch begins, and SQLite starts it over only
/// then: it grew by 130 MB a second at 9,000 msg/s, and every frame written to a growing file
/// cost the file system a new block (docs/PERFORMANCE.md). So when a round finds the WAL long,
/// a second one copies what came during the first; if that one copied everything it found, it
/// sets `backfilled`, and the appender, between two batches, copies the frames written since
/// (a few milliseconds' worth) on its own connection: its next batch writes the WAL from its
/// beginning again, over blocks already there. That is the one wait this adds to the writer.
fn spawn_checkpointer(read: SqlitePool, alive: std::sync::Weak<()>, backfilled: Arc<AtomicBool>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECKPOINT_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if alive.strong_count() == 0 || read.is_closed() {
                return;
            }
            match checkpoint_rounds(&read).await {
                Ok(true) => backfilled.store(true, Ordering::Release),
                Ok(false) => {}
                Err(_) if read.is_closed() => return,
                Err(e) => tracing::warn!(error = %e, "the WAL checkpoint failed; retried later"),
            }
        }
    });
}

/// One round, and a second one if the WAL is long; whether the appender should copy the rest.
async fn checkpoint_rounds(read: &SqlitePool) -> Result<bool, sqlx::Error> {
    // A short WAL is left to grow: it is started over whenever a batch begins after a round
    // copied it all, which happens as soon as writing pauses.
    if checkpoint_round(read).await?.frames < LONG_WAL_FRAMES {
        return Ok(false);
    }
    // A second round copies what was written during the first, so that what is left to the
    // appender is shorter still. If a reader holds an older snapshot, not everything can be
    // copied: the appender is not asked for a copy that would not let the WAL start over
    // either.
    Ok(checkpoint_round(read).await?.complete())
}

/// What a `PASSIVE` checkpoint reports.
struct Round {
    busy: bool,
    /// The WAL's length in pages when it began.
    frames: i64,
    /// Pages copied back, of those.
    copied: i64,
}

impl Round {
    /// Every page the WAL held when the round began is in the database file.
    fn complete(&self) -> bool {
        !self.busy && self.copied == self.frames
    }
}

/// One `PASSIVE` checkpoint.
async fn checkpoint_round(read: &SqlitePool) -> Result<Round, sqlx::Error> {
    let started = std::time::Instant::now();
    let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(read)
        .await?;
    metrics::histogram!("ecoute_checkpoint_seconds").record(started.elapsed().as_secs_f64());
    Ok(Round {
        busy: row.try_get::<i64, _>(0)? != 0,
        frames: row.try_get(1)?,
        copied: row.try_get(2)?,
    })
}

fn err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::TypeNotFound { .. } => StoreError::Corrupt(e.to_string()),
        _ => StoreError::Unavailable(e.to_string()),
    }
}

fn signing_key_from_row(row: &SqliteRow) -> StoreResult<StoredSigningKey> {
    let version: i64 = row.try_get("version").map_err(err)?;
    Ok(StoredSigningKey {
        version: u32::try_from(version).map_err(|_| corrupt("signing key version"))?,
        public: public_key(row.try_get("public_key").map_err(err)?)?,
        sealed: row.try_get("sealed").map_err(err)?,
        key_version: key_version(row.try_get("key_version").map_err(err)?)?,
        created_at: from_millis(row.try_get("created_at").map_err(err)?)?,
        retired_at: opt_time(row.try_get("retired_at").map_err(err)?)?,
    })
}

fn conversation_from_row(row: &SqliteRow) -> StoreResult<Conversation> {
    let officer: Option<String> = row.try_get("officer_id").map_err(err)?;
    let outcome: Option<String> = row.try_get("outcome").map_err(err)?;
    let state_name: String = row.try_get("state").map_err(err)?;
    let state = state_from(&state_name, officer.as_deref(), outcome.as_deref())?;
    let kind: String = row.try_get("kind").map_err(err)?;
    let departement: Option<String> = row.try_get("departement").map_err(err)?;
    let id: String = row.try_get("id").map_err(err)?;
    Ok(Conversation {
        id: ConversationId(parse_uuid(&id)?),
        state,
        intake: Intake {
            kind: ReporterKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
            minor: row.try_get::<i64, _>("minor").map_err(err)? != 0,
            departement: departement
                .as_deref()
                .map(|d| Departement::parse(d).ok_or_else(|| corrupt("departement")))
                .transpose()?,
            language: Language::parse(&row.try_get::<String, _>("language").map_err(err)?)
                .ok_or_else(|| corrupt("language"))?,
            danger: row.try_get::<i64, _>("danger").map_err(err)? != 0,
        },
        wrapped_key: row.try_get("wrapped_key").map_err(err)?,
        key_version: key_version(row.try_get("key_version").map_err(err)?)?,
        last_seq: row.try_get::<i64, _>("last_seq").map_err(err)? as Seq,
        created_at: from_millis(row.try_get("created_at").map_err(err)?)?,
        claimed_at: opt_time(row.try_get("claimed_at").map_err(err)?)?,
        visitor_left_at: opt_time(row.try_get("visitor_left_at").map_err(err)?)?,
        closed_at: opt_time(row.try_get("closed_at").map_err(err)?)?,
        officer_name: row.try_get("officer_name").map_err(err)?,
        force: opt_force(row.try_get("force").map_err(err)?)?,
        proposed_unit: opt_unit_id(row.try_get("proposed_unit").map_err(err)?)?,
        priority: Priority::from_rank(row.try_get("priority").map_err(err)?)
            .ok_or_else(|| corrupt("priority"))?,
        risk_flags: labels_from(&row.try_get::<String, _>("risk_flags").map_err(err)?),
        open_to_all_at: from_millis(row.try_get("open_to_all_at").map_err(err)?)?,
        handovers: row.try_get::<i64, _>("handovers").map_err(err)? as u32,
        visitor_marks: Marks {
            received: row.try_get::<i64, _>("visitor_received_seq").map_err(err)? as Seq,
            read: row.try_get::<i64, _>("visitor_read_seq").map_err(err)? as Seq,
        },
        officer_marks: Marks {
            received: row.try_get::<i64, _>("officer_received_seq").map_err(err)? as Seq,
            read: row.try_get::<i64, _>("officer_read_seq").map_err(err)? as Seq,
        },
    })
}

fn user_from_row(row: &SqliteRow) -> StoreResult<User> {
    let id: String = row.try_get("id").map_err(err)?;
    let role: String = row.try_get("role").map_err(err)?;
    Ok(User {
        id: UserId(parse_uuid(&id)?),
        username: row.try_get("username").map_err(err)?,
        display_name: row.try_get("display_name").map_err(err)?,
        role: Role::parse(&role).map_err(|_| corrupt("role"))?,
        unit: row
            .try_get::<Option<String>, _>("unit_id")
            .map_err(err)?
            .map(|u| UnitId::parse(&u).ok_or_else(|| corrupt("unit id")))
            .transpose()?,
        totp_enrolled: row
            .try_get::<Option<Vec<u8>>, _>("totp_secret")
            .map_err(err)?
            .is_some(),
        skills: Skills {
            force: opt_force(row.try_get("force").map_err(err)?)?,
            minors: row.try_get::<i64, _>("minors").map_err(err)? != 0,
            languages: Language::parse_list(&row.try_get::<String, _>("languages").map_err(err)?)
                .ok_or_else(|| corrupt("languages"))?,
        },
        capacity: row.try_get::<i64, _>("capacity").map_err(err)? as u32,
    })
}

/// An officer's skills, capacity and open chats, read under the caller's write lock.
async fn load_officer(
    conn: &mut SqliteConnection,
    officer: UserId,
) -> StoreResult<Option<(User, u32)>> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS}, (SELECT COUNT(*) FROM conversations c WHERE c.officer_id = u.id \
         AND c.state IN ('active', 'visitor_left')) AS open FROM users u WHERE u.id = ?"
    ))
    .bind(officer.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(err)?;
    row.map(|row| {
        Ok((
            user_from_row(&row)?,
            row.try_get::<i64, _>("open").map_err(err)? as u32,
        ))
    })
    .transpose()
}

/// One row of [`unit_query`] as the shared reader takes it.
fn unit_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<UnitRow> {
    Ok(UnitRow {
        id: row.try_get("id").map_err(err)?,
        force: row.try_get("force").map_err(err)?,
        kind: row.try_get("kind").map_err(err)?,
        name: row.try_get("name").map_err(err)?,
        notify: row.try_get("notify").map_err(err)?,
        place: row.try_get("place").map_err(err)?,
    })
}

/// Appends to the hash chain inside the caller's write transaction.
async fn insert_audit(conn: &mut SqliteConnection, audit: &NewAudit) -> StoreResult<()> {
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await
        .map_err(err)?;
    let (seq, prev) = match last {
        Some(row) => {
            let seq: i64 = row.try_get("seq").map_err(err)?;
            let hash: Vec<u8> = row.try_get("hash").map_err(err)?;
            let prev: [u8; 32] = hash.try_into().map_err(|_| corrupt("audit hash length"))?;
            (seq as u64 + 1, prev)
        }
        None => (1, ecoute_crypto::audit::GENESIS),
    };
    let hash = audit.hash(seq, &prev);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, conversation_id, detail, \
         prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    .await
    .map_err(err)?;
    Ok(())
}

fn audit_from_row(row: &SqliteRow) -> StoreResult<AuditRecord> {
    let actor: Option<String> = row.try_get("actor_id").map_err(err)?;
    let conversation: Option<String> = row.try_get("conversation_id").map_err(err)?;
    Ok(AuditRecord {
        seq: row.try_get::<i64, _>("seq").map_err(err)? as u64,
        entry: NewAudit {
            at: from_millis(row.try_get("at").map_err(err)?)?,
            actor: actor.as_deref().map(parse_uuid).transpose()?.map(UserId),
            actor_name: row.try_get("actor_name").map_err(err)?,
            action: row.try_get("action").map_err(err)?,
            conversation: conversation
                .as_deref()
                .map(parse_uuid)
                .transpose()?
                .map(ConversationId),
            detail: row.try_get("detail").map_err(err)?,
        },
        prev_hash: row.try_get("prev_hash").map_err(err)?,
        hash: row.try_get("hash").map_err(err)?,
    })
}

async fn insert_user(conn: &mut SqliteConnection, user: &NewUser) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (id, username, display_name, role, unit_id, password_hash, \
         created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(user.id.to_string())
    .bind(&user.username)
    .bind(&user.display_name)
    .bind(user.role.as_str())
    .bind(user.unit.as_ref().map(UnitId::as_str))
    .bind(&user.password_hash)
    .bind(millis(user.created_at))
    .execute(&mut *conn)
    .await
    .map_err(err)?;
    Ok(())
}

fn message_from_row(row: &SqliteRow) -> StoreResult<StoredMessage> {
    let author: String = row.try_get("author").map_err(err)?;
    let officer: Option<String> = row.try_get("officer_id").map_err(err)?;
    Ok(StoredMessage {
        seq: row.try_get::<i64, _>("seq").map_err(err)? as Seq,
        author: Author::parse(&author).ok_or_else(|| corrupt("author"))?,
        officer_id: officer.as_deref().map(parse_uuid).transpose()?.map(UserId),
        officer_name: row.try_get("officer_name").map_err(err)?,
        client_id: row.try_get("client_id").map_err(err)?,
        sealed_body: row.try_get("body").map_err(err)?,
        sent_at: from_millis(row.try_get("sent_at").map_err(err)?)?,
    })
}

async fn load_conversation(
    conn: &mut SqliteConnection,
    id: ConversationId,
) -> StoreResult<Option<Conversation>> {
    sqlx::query(&conversation_query("WHERE c.id = ?"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await
        .map_err(err)?
        .as_ref()
        .map(conversation_from_row)
        .transpose()
}

async fn save_state(
    conn: &mut SqliteConnection,
    id: ConversationId,
    before: ConversationState,
    after: ConversationState,
    now: OffsetDateTime,
) -> StoreResult<()> {
    if before == after {
        return Ok(());
    }
    let outcome = match after {
        ConversationState::Closed { outcome, .. } => Some(outcome.as_str()),
        _ => None,
    };
    let now = millis(now);
    let claimed = matches!(after, ConversationState::Active { .. })
        && matches!(before, ConversationState::Waiting);
    let left = matches!(
        (before, after),
        (_, ConversationState::VisitorLeft { .. })
            | (
                ConversationState::Waiting,
                ConversationState::Closed {
                    outcome: Outcome::VisitorLeft,
                    officer: None
                }
            )
    );
    let closed = matches!(after, ConversationState::Closed { .. });
    sqlx::query(
        "UPDATE conversations SET state = ?, officer_id = ?, outcome = ?, \
         claimed_at = CASE WHEN ? THEN COALESCE(claimed_at, ?) ELSE claimed_at END, \
         assigned_at = CASE WHEN officer_id IS NOT ? THEN ? ELSE assigned_at END, \
         visitor_left_at = CASE WHEN ? THEN ? ELSE visitor_left_at END, \
         closed_at = CASE WHEN ? THEN ? ELSE closed_at END \
         WHERE id = ?",
    )
    .bind(after.name().as_str())
    .bind(after.officer().map(|o| o.to_string()))
    .bind(outcome)
    .bind(claimed)
    .bind(now)
    .bind(after.officer().map(|o| o.to_string()))
    .bind(now)
    .bind(left)
    .bind(now)
    .bind(closed)
    .bind(now)
    .bind(id.to_string())
    .execute(&mut *conn)
    .await
    .map_err(err)?;
    // A chat that is over can no longer be reopened by its return code: the code is forgotten,
    // and answers like any unknown code. The domain names the exceptions: a chat left while
    // still waiting, and a forwarded report, which the person follows with the code.
    if matches!(after, ConversationState::Closed { .. }) && !after.keeps_return_code() {
        sqlx::query("UPDATE conversations SET code_bucket = NULL, code_hash = NULL WHERE id = ?")
            .bind(id.to_string())
            .execute(&mut *conn)
            .await
            .map_err(err)?;
    }
    if matches!(
        after,
        ConversationState::Closed {
            outcome: Outcome::Blocked,
            ..
        }
    ) {
        // A blocked chat's token stops working at once, in the same transaction.
        sqlx::query("UPDATE conversations SET token_hash = NULL WHERE id = ?")
            .bind(id.to_string())
            .execute(&mut *conn)
            .await
            .map_err(err)?;
    }
    Ok(())
}

fn purge_candidate_from_row(
    row: &SqliteRow,
    policy: &RetentionPolicy,
) -> StoreResult<PurgeCandidate> {
    let id: String = row.try_get("id").map_err(err)?;
    let officer: Option<String> = row.try_get("officer_id").map_err(err)?;
    let outcome: Option<String> = row.try_get("outcome").map_err(err)?;
    let state_name: String = row.try_get("state").map_err(err)?;
    let state = state_from(&state_name, officer.as_deref(), outcome.as_deref())?;
    let created_at = from_millis(row.try_get("created_at").map_err(err)?)?;
    let closed_at = opt_time(row.try_get("closed_at").map_err(err)?)?;
    Ok(PurgeCandidate {
        id: ConversationId(parse_uuid(&id)?),
        state,
        created_at,
        closed_at,
        messages: row.try_get::<i64, _>("last_seq").map_err(err)? as u64,
        due: policy.due(&state, created_at, closed_at),
    })
}

/// The query for one rule's candidates: a range scan on that rule's partial index (see
/// `migrations/0004_retention.sql`), resuming after a cursor when `resume` is set.
fn candidates_query(rule: RetentionRule, resume: bool) -> String {
    let (filter, start) = match rule {
        RetentionRule::Closed(_) => ("state = 'closed' AND outcome = ?", "closed_at"),
        RetentionRule::Unclosed => ("state <> 'closed'", "created_at"),
    };
    let after = if resume {
        format!(" AND ({start}, id) > (?, ?)")
    } else {
        String::new()
    };
    format!(
        "SELECT {PURGE_COLUMNS} FROM conversations WHERE {filter} AND {start} <= ?{after} \
         ORDER BY {start}, id LIMIT ?"
    )
}

/// A write transaction started with `BEGIN IMMEDIATE`, which sqlx 0.8 cannot issue itself.
/// Dropped without [`WriteTx::commit`] (an early return, a refusal, a cancelled future), it
/// rolls back before its connection can be used again.
struct WriteTx {
    conn: Option<PoolConnection<Sqlite>>,
}

impl WriteTx {
    async fn begin(pool: &SqlitePool) -> StoreResult<Self> {
        // The guard exists before BEGIN is sent: if this future is dropped while BEGIN runs (a
        // client gone, a timeout), the guard still rolls back before the connection is reused.
        let mut tx = Self {
            conn: Some(pool.acquire().await.map_err(err)?),
        };
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        Ok(tx)
    }

    async fn commit(mut self) -> StoreResult<()> {
        let mut conn = self.conn.take().expect("transaction still open");
        let started = std::time::Instant::now();
        if let Err(e) = sqlx::query("COMMIT").execute(&mut *conn).await {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            return Err(err(e));
        }
        // The cost of durability: each commit waits for the disk (synchronous = FULL).
        metrics::histogram!("ecoute_commit_seconds").record(started.elapsed().as_secs_f64());
        Ok(())
    }
}

/// The shared steps of [`steps`]: the write transaction
/// (`BEGIN IMMEDIATE`) already excludes every other writer, so reading is locking.
#[async_trait]
impl Steps for WriteTx {
    type Error = StoreError;

    async fn lock_conversation(&mut self, id: ConversationId) -> StoreResult<Option<Conversation>> {
        load_conversation(self, id).await
    }

    async fn lock_officer(&mut self, officer: UserId) -> StoreResult<Option<(User, u32)>> {
        load_officer(self, officer).await
    }

    async fn reload(&mut self, id: ConversationId) -> StoreResult<Conversation> {
        load_conversation(self, id)
            .await?
            .ok_or_else(|| corrupt("conversation vanished"))
    }

    async fn save_state(
        &mut self,
        id: ConversationId,
        before: ConversationState,
        after: ConversationState,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        save_state(self, id, before, after, now).await
    }

    async fn hand_over(
        &mut self,
        id: ConversationId,
        to_force: Option<Force>,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE conversations SET handovers = handovers + 1, \
             force = COALESCE(?1, force), \
             open_to_all_at = CASE WHEN ?1 IS NULL THEN open_to_all_at \
               ELSE ?2 + MAX(open_to_all_at - created_at, 0) END \
             WHERE id = ?3",
        )
        .bind(to_force.map(Force::as_str))
        .bind(millis(now))
        .bind(id.to_string())
        .execute(&mut **self)
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn reopen(&mut self, id: ConversationId, now: OffsetDateTime) -> StoreResult<()> {
        sqlx::query(
            "UPDATE conversations SET closed_at = NULL, \
             open_to_all_at = ?1 + MAX(open_to_all_at - created_at, 0), created_at = ?1 \
             WHERE id = ?2",
        )
        .bind(millis(now))
        .bind(id.to_string())
        .execute(&mut **self)
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn lock_by_token(&mut self, token_hash: [u8; 32]) -> StoreResult<Option<Conversation>> {
        sqlx::query(&conversation_query("WHERE c.token_hash = ?"))
            .bind(&token_hash[..])
            .fetch_optional(&mut **self)
            .await
            .map_err(err)?
            .as_ref()
            .map(conversation_from_row)
            .transpose()
    }

    async fn revoke_token(&mut self, id: ConversationId) -> StoreResult<()> {
        sqlx::query("UPDATE conversations SET token_hash = NULL WHERE id = ?")
            .bind(id.to_string())
            .execute(&mut **self)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn set_token(&mut self, id: ConversationId, token_hash: [u8; 32]) -> StoreResult<()> {
        sqlx::query("UPDATE conversations SET token_hash = ? WHERE id = ?")
            .bind(&token_hash[..])
            .bind(id.to_string())
            .execute(&mut **self)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn next_note_seq(&mut self, id: ConversationId) -> StoreResult<u64> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM staff_notes WHERE conversation_id = ?")
                .bind(id.to_string())
                .fetch_one(&mut **self)
                .await
                .map_err(err)?;
        Ok(last.unwrap_or(0) as u64 + 1)
    }

    async fn insert_note(&mut self, id: ConversationId, note: &StoredNote) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO staff_notes (conversation_id, seq, kind, author_id, body, at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(note.seq as i64)
        .bind(note.kind.as_str())
        .bind(note.author.map(|a| a.to_string()))
        .bind(&note.sealed_body)
        .bind(millis(note.at))
        .execute(&mut **self)
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn display_name(&mut self, user: UserId) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT display_name FROM users WHERE id = ?")
            .bind(user.to_string())
            .fetch_optional(&mut **self)
            .await
            .map_err(err)
    }

    async fn insert_statistics(
        &mut self,
        row: &ChatStatistics,
        link: Option<(ConversationId, &ecoute_domain::StatisticsLink)>,
    ) -> StoreResult<()> {
        insert_statistics(self, row, link).await
    }

    async fn insert_audit(&mut self, audit: &NewAudit) -> StoreResult<()> {
        insert_audit(self, audit).await
    }
}

/// Before a chat is purged: when it was never closed, its statistics row (closed chats got
/// theirs as they closed).
async fn record_if_unclosed(tx: &mut WriteTx, id: ConversationId) -> StoreResult<()> {
    let Some(c) = load_conversation(tx, id).await? else {
        return Ok(());
    };
    if matches!(c.state, ConversationState::Closed { .. }) {
        return Ok(());
    }
    let row = statistics::record_of(&c, Ending::PurgedUnclosed, &ClosingFacts::default());
    insert_statistics(tx, &row, None).await
}

/// Replaces an account's recovery codes with `hashes` (enrolment, renewal).
async fn write_recovery_codes(
    conn: &mut SqliteConnection,
    user: UserId,
    hashes: &[[u8; 32]],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = ?")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await
        .map_err(err)?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)")
            .bind(user.to_string())
            .bind(&hash[..])
            .execute(&mut *conn)
            .await
            .map_err(err)?;
    }
    Ok(())
}

/// Writes one statistics row under a fresh random id (docs/STATISTICS.md).
async fn insert_statistics(
    conn: &mut SqliteConnection,
    row: &ChatStatistics,
    link: Option<(ConversationId, &ecoute_domain::StatisticsLink)>,
) -> StoreResult<()> {
    let id = link
        .map_or_else(uuid::Uuid::new_v4, |(_, l)| l.row)
        .to_string();
    let r = StoredStatistics::from(row);
    sqlx::query(&format!(
        "INSERT INTO chat_statistics (id, {STATISTICS_COLUMNS}) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
    .await
    .map_err(err)?;
    if let Some((conversation, l)) = link {
        sqlx::query(
            "INSERT INTO statistics_links (conversation_id, sealed_statistics_id) VALUES (?, ?)",
        )
        .bind(conversation.to_string())
        .bind(&l.sealed)
        .execute(conn)
        .await
        .map_err(err)?;
    }
    Ok(())
}

fn statistics_from_row(row: &SqliteRow) -> StoreResult<ChatStatistics> {
    let flag =
        |name: &str| -> StoreResult<bool> { Ok(row.try_get::<i64, _>(name).map_err(err)? != 0) };
    StoredStatistics {
        iso_week: row.try_get("iso_week").map_err(err)?,
        hour_of_week: row.try_get("hour_of_week").map_err(err)?,
        departement: row.try_get("departement").map_err(err)?,
        force: row.try_get("force").map_err(err)?,
        unit_id: row.try_get("unit_id").map_err(err)?,
        reporter: row.try_get("reporter").map_err(err)?,
        minor: flag("minor")?,
        language: row.try_get("language").map_err(err)?,
        facts: row.try_get("facts").map_err(err)?,
        ending: row.try_get("ending").map_err(err)?,
        wait: row.try_get("wait").map_err(err)?,
        duration: row.try_get("duration").map_err(err)?,
        handovers: row.try_get("handovers").map_err(err)?,
        quick_exit: flag("quick_exit")?,
        left_before_answer: flag("left_before_answer")?,
        danger_path: flag("danger_path")?,
        risk_labels: row.try_get("risk_labels").map_err(err)?,
        dossier_state: row.try_get("dossier_state").map_err(err)?,
        first_contact: row.try_get("first_contact").map_err(err)?,
    }
    .into_domain()
}

impl std::ops::Deref for WriteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        self.conn.as_ref().expect("transaction still open")
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn.as_mut().expect("transaction still open")
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            // The connection goes back to the pool only once the rollback has run.
            match tokio::runtime::Handle::try_current() {
                Ok(rt) => {
                    rt.spawn(async move {
                        match sqlx::query("ROLLBACK").execute(&mut *conn).await {
                            Ok(_) => {}
                            // BEGIN never ran: nothing to undo, the connection is clean.
                            Err(e) if e.to_string().contains("no transaction is active") => {}
                            Err(e) => {
                                tracing::error!(error = %e, "rollback failed; closing the connection");
                                drop(conn.detach());
                            }
                        }
                    });
                }
                Err(_) => drop(conn.detach()),
            }
        }
    }
}

impl SqliteStore {
    /// Opens (creating if needed) `ecoute.db` in `dir` and applies pending migrations.
    pub async fn open(dir: &Path) -> StoreResult<Self> {
        Self::open_file(&dir.join(DATABASE_FILE)).await
    }

    /// Opens the existing `ecoute.db` in `dir` read-only, without migrations: for previews
    /// that must change nothing, not even a byte of the files. Every write fails.
    pub async fn open_read_only(dir: &Path) -> StoreResult<Self> {
        Self::open_file_read_only(&dir.join(DATABASE_FILE)).await
    }

    /// Opens an existing database file read-only, without migrations (a backup being
    /// checked, say). Every write fails.
    pub async fn open_file_read_only(path: &Path) -> StoreResult<Self> {
        let path = path.to_path_buf();
        if !path.is_file() {
            return Err(StoreError::Unavailable(format!(
                "no database at {}",
                path.display()
            )));
        }
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .read_only(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let read = SqlitePoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(err)?;
        Ok(Self {
            write: read.clone(),
            read,
            appender: Arc::default(),
            path: Arc::new(path),
            backfilled: Arc::default(),
            read_only: true,
            _alive: Arc::new(()),
        })
    }

    /// Opens (creating if needed) the database file at `path` and applies pending migrations.
    pub async fn open_file(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .pragma("secure_delete", "ON")
            // A statement's undo pages (SQLite's statement journal, written for every page a
            // batch of messages touches) stay in memory rather than going to a temporary file.
            .pragma("temp_store", "MEMORY");
        // The writer keeps the pages it works on (32 MiB at most, allocated as used), and
        // leaves copying the WAL back into the database file to the checkpointer, so that
        // the one connection every write waits for does only the writes.
        let writer = options
            .clone()
            .pragma("cache_size", "-32768")
            .pragma("wal_autocheckpoint", "0");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            // A file on this machine: no network to check before each transaction (the check
            // is a round trip to the connection's thread that every write waited for).
            .test_before_acquire(false)
            .connect_with(writer)
            .await
            .map_err(err)?;
        sqlx::migrate!("./migrations")
            .run(&write)
            .await
            .map_err(|e| StoreError::Unavailable(format!("migrations: {e}")))?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(err)?;
        let alive = Arc::new(());
        let backfilled = Arc::<AtomicBool>::default();
        spawn_checkpointer(read.clone(), Arc::downgrade(&alive), backfilled.clone());
        Ok(Self {
            write,
            read,
            appender: Arc::default(),
            path: Arc::new(path.to_path_buf()),
            backfilled,
            read_only: false,
            _alive: alive,
        })
    }

    /// Batches of messages the message writer has written since this store opened, each one
    /// transaction answered once committed: how many commits the messages took, for tests and
    /// diagnostics (`ecoute_commit_batch_size` gives the same to Prometheus).
    pub fn message_batches(&self) -> u64 {
        self.appender.get().map_or(0, Appender::batches)
    }

    fn appender(&self) -> StoreResult<&Appender> {
        if let Some(appender) = self.appender.get() {
            return Ok(appender);
        }
        let started = Appender::start(&self.path, self.read_only, self.backfilled.clone())?;
        // Two first messages at once: one appender is kept, the other's thread stops at once
        // (its queue is dropped unused).
        Ok(self.appender.get_or_init(|| started))
    }

    /// Copies every page of the WAL into the database file and truncates the WAL to zero
    /// bytes. With `secure_delete`, the pages in the database file no longer hold deleted
    /// rows; this removes the older copies of those pages still sitting in the WAL. Returns
    /// `false` when a reader kept the checkpoint from finishing within the busy timeout.
    ///
    /// The checkpointer (or another process's) may be copying pages at that moment, which
    /// makes the truncation report busy at once: it is tried again for about a second before
    /// giving up on a reader that really holds the log.
    async fn truncate_wal(&self) -> StoreResult<bool> {
        for attempt in 0..TRUNCATE_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.write)
                .await
                .map_err(err)?;
            let busy: i64 = row.try_get(0).map_err(err)?;
            if busy == 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Every conversation a filter without parameters selects, on the read pool.
    async fn conversations_where(&self, filter: &str) -> StoreResult<Vec<Conversation>> {
        sqlx::query(&conversation_query(filter))
            .fetch_all(&self.read)
            .await
            .map_err(err)?
            .iter()
            .map(conversation_from_row)
            .collect()
    }

    /// Writes the database as it is at one instant into `target`, a file that must be absent
    /// or empty, with `VACUUM INTO`. The copy is made in one read transaction: writers go on
    /// meanwhile (WAL), and nothing committed after it began is in the copy. It holds the
    /// live rows only, packed (no free page, no WAL), in one file. SQLite does not sync it:
    /// the caller does before trusting it.
    pub async fn copy_into(&self, target: &Path) -> StoreResult<()> {
        let target = target.to_str().ok_or_else(|| {
            StoreError::Unavailable(format!(
                "{} is not a UTF-8 path, which SQLite needs",
                target.display()
            ))
        })?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&self.read)
            .await
            .map_err(err)?;
        Ok(())
    }

    /// The bytes of the pages that hold data, about what [`SqliteStore::copy_into`] writes.
    pub async fn used_bytes(&self) -> StoreResult<u64> {
        let (pages, free, size): (i64, i64, i64) = sqlx::query_as(
            "SELECT page_count, freelist_count, page_size \
             FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()",
        )
        .fetch_one(&self.read)
        .await
        .map_err(err)?;
        let [pages, free, size] = [pages, free, size].map(|n| u64::try_from(n).unwrap_or(0));
        Ok(pages.saturating_sub(free) * size)
    }

    /// Checks the structure of the database file (`PRAGMA quick_check`): every page and
    /// every index readable and consistent. [`StoreError::Corrupt`] names what is wrong.
    pub async fn quick_check(&self) -> StoreResult<()> {
        let found: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_all(&self.read)
            .await
            .map_err(err)?;
        match found.as_slice() {
            [ok] if ok == "ok" => Ok(()),
            problems => Err(StoreError::Corrupt(problems.join("; "))),
        }
    }

    /// Closes every connection, checkpointing the WAL.
    pub async fn close(&self) {
        // Messages and receipts already handed in are written, then the appender's own
        // connection closes; any later one fails as "stopped".
        if let Some(appender) = self.appender.get() {
            appender.stop().await;
        }
        self.read.close().await;
        // Explicitly, rather than leaving it to the last connection's close, which sqlx runs
        // on its worker thread after `close` has returned. Readers closing on their own threads
        // may still hold a snapshot for a moment: retry while the checkpoint reports busy.
        for _ in 0..50 {
            match sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.write)
                .await
            {
                Ok(row) if row.try_get::<i64, _>(0).unwrap_or(1) == 0 => break,
                Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                Err(_) => break,
            }
        }
        self.write.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn close(&self) {
        // The inherent method: it checkpoints the log before the pools close.
        SqliteStore::close(self).await;
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn count_users(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.read)
            .await
            .map_err(err)?;
        Ok(n as u64)
    }

    async fn create_user(&self, user: NewUser, audit: NewAudit) -> StoreResult<User> {
        let mut tx = WriteTx::begin(&self.write).await?;
        insert_user(&mut tx, &user).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(User {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role: user.role,
            unit: user.unit,
            totp_enrolled: false,
            skills: Skills::default(),
            capacity: 3,
        })
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
             u.disabled_at FROM users u WHERE u.username = ?"
        ))
        .bind(username)
        .fetch_optional(&self.read)
        .await
        .map_err(err)?;
        row.map(|row| {
            let sealed: Option<Vec<u8>> = row.try_get("totp_secret").map_err(err)?;
            let version: Option<i64> = row.try_get("totp_key_version").map_err(err)?;
            let last: Option<i64> = row.try_get("totp_last_step").map_err(err)?;
            Ok(UserCredentials {
                user: user_from_row(&row)?,
                password_hash: row.try_get("password_hash").map_err(err)?,
                totp: sealed.map(|sealed| StoredTotp {
                    sealed,
                    key_version: version.unwrap_or(1) as u32,
                    last_step: last.map(|l| l as u64),
                }),
                disabled: row
                    .try_get::<Option<i64>, _>("disabled_at")
                    .map_err(err)?
                    .is_some(),
            })
        })
        .transpose()
    }

    async fn set_capacity(
        &self,
        user: UserId,
        capacity: u32,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        let capacity = capacity.clamp(1, ecoute_domain::MAX_CAPACITY);
        let mut tx = WriteTx::begin(&self.write).await?;
        let changed = sqlx::query("UPDATE users SET capacity = ? WHERE id = ?")
            .bind(capacity as i64)
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err)?
            .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn enrol_totp(
        &self,
        user: UserId,
        totp: StoredTotp,
        recovery_hashes: Vec<[u8; 32]>,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let enrolled = sqlx::query(
            "UPDATE users SET totp_secret = ?, totp_key_version = ?, totp_last_step = ? \
             WHERE id = ? AND totp_secret IS NULL",
        )
        .bind(&totp.sealed)
        .bind(totp.key_version as i64)
        .bind(totp.last_step.map(|s| s as i64))
        .bind(user.to_string())
        .execute(&mut *tx)
        .await
        .map_err(err)?
        .rows_affected();
        if enrolled == 0 {
            return Ok(false);
        }
        write_recovery_codes(&mut tx, user, &recovery_hashes).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn pending_totp(&self, user: UserId) -> StoreResult<Option<PendingTotp>> {
        let row = sqlx::query(
            "SELECT sealed, key_version, issued_at, expires_at FROM pending_totp WHERE user_id = ?",
        )
        .bind(user.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(err)?;
        row.map(|row| {
            Ok(PendingTotp {
                sealed: row.try_get("sealed").map_err(err)?,
                key_version: ecoute_store::stored::key_version(
                    row.try_get("key_version").map_err(err)?,
                )?,
                issued_at: ecoute_store::stored::from_millis(
                    row.try_get("issued_at").map_err(err)?,
                )?,
                expires_at: ecoute_store::stored::from_millis(
                    row.try_get("expires_at").map_err(err)?,
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
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(user.to_string())
        .bind(&fresh.sealed)
        .bind(fresh.key_version as i64)
        .bind(ecoute_store::stored::millis(fresh.issued_at))
        .bind(ecoute_store::stored::millis(fresh.expires_at))
        .execute(&self.write)
        .await
        .map_err(err)?;
        self.pending_totp(user)
            .await?
            .ok_or_else(|| ecoute_store::stored::corrupt("pending_totp"))
    }

    async fn clear_pending_totp(&self, user: UserId) -> StoreResult<()> {
        sqlx::query("DELETE FROM pending_totp WHERE user_id = ?")
            .bind(user.to_string())
            .execute(&self.write)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn set_password(&self, user: UserId, hash: &str, audit: NewAudit) -> StoreResult<()> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(hash)
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn replace_recovery_codes(
        &self,
        user: UserId,
        recovery_hashes: Vec<[u8; 32]>,
        audit: NewAudit,
    ) -> StoreResult<()> {
        let mut tx = WriteTx::begin(&self.write).await?;
        write_recovery_codes(&mut tx, user, &recovery_hashes).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_totp_step(&self, user: UserId, step: u64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = ? \
             WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .bind(step as i64)
        .bind(user.to_string())
        .bind(step as i64)
        .execute(&self.write)
        .await
        .map_err(err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = ? \
             WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
        )
        .bind(millis(now))
        .bind(user.to_string())
        .bind(&code_hash[..])
        .execute(&self.write)
        .await
        .map_err(err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
        )
        .bind(user.to_string())
        .fetch_one(&self.read)
        .await
        .map_err(err)?;
        Ok(n as u64)
    }

    async fn login_failures_since(
        &self,
        username: &str,
        since: OffsetDateTime,
    ) -> StoreResult<(u64, Option<OffsetDateTime>)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures \
             WHERE username = ? AND at >= ?",
        )
        .bind(username)
        .bind(millis(since))
        .fetch_one(&self.read)
        .await
        .map_err(err)?;
        let n: i64 = row.try_get("n").map_err(err)?;
        let oldest: Option<i64> = row.try_get("oldest").map_err(err)?;
        Ok((n as u64, opt_time(oldest)?))
    }

    async fn reserve_login_attempt(
        &self,
        username: &str,
        since: OffsetDateTime,
        at: OffsetDateTime,
        max: u64,
    ) -> StoreResult<LoginReservation> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query("DELETE FROM login_failures WHERE at < ?")
            .bind(millis(since))
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE username = ?",
        )
        .bind(username)
        .fetch_one(&mut *tx)
        .await
        .map_err(err)?;
        let n: i64 = row.try_get("n").map_err(err)?;
        if n as u64 >= max {
            let oldest: Option<i64> = row.try_get("oldest").map_err(err)?;
            tx.commit().await?;
            return Ok(LoginReservation::Refused {
                oldest: opt_time(oldest)?,
            });
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO login_failures (username, at) VALUES (?, ?) RETURNING rowid",
        )
        .bind(username)
        .bind(millis(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(err)?;
        tx.commit().await?;
        Ok(LoginReservation::Reserved(id))
    }

    async fn clear_login_attempt(&self, id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE rowid = ?")
            .bind(id)
            .execute(&self.write)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn record_login_failure(
        &self,
        username: &str,
        forget_before: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<()> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query("DELETE FROM login_failures WHERE at < ?")
            .bind(millis(forget_before))
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        sqlx::query("INSERT INTO login_failures (username, at) VALUES (?, ?)")
            .bind(username)
            .bind(millis(audit.at))
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn append_audit(&self, audit: NewAudit) -> StoreResult<()> {
        let mut tx = WriteTx::begin(&self.write).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn audit_page(&self, before: Option<u64>, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        sqlx::query("SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?")
            .bind(before.map(|b| b as i64).unwrap_or(i64::MAX))
            .bind(limit as i64)
            .fetch_all(&self.read)
            .await
            .map_err(err)?
            .iter()
            .map(audit_from_row)
            .collect()
    }

    async fn audit_after(&self, after: u64, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        sqlx::query("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?")
            .bind(after as i64)
            .bind(limit as i64)
            .fetch_all(&self.read)
            .await
            .map_err(err)?
            .iter()
            .map(audit_from_row)
            .collect()
    }

    async fn create_setup_code(
        &self,
        code_hash: [u8; 32],
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query("DELETE FROM setup_codes WHERE used_at IS NULL")
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        sqlx::query("INSERT INTO setup_codes (code_hash, expires_at) VALUES (?, ?)")
            .bind(&code_hash[..])
            .bind(millis(expires_at))
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        tx.commit().await?;
        Ok(())
    }

    async fn redeem_setup_code(
        &self,
        code_hash: [u8; 32],
        now: OffsetDateTime,
        admin: NewUser,
        audit: NewAudit,
    ) -> StoreResult<Option<User>> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *tx)
            .await
            .map_err(err)?;
        let used = sqlx::query(
            "UPDATE setup_codes SET used_at = ? \
             WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
        )
        .bind(millis(now))
        .bind(&code_hash[..])
        .bind(millis(now))
        .execute(&mut *tx)
        .await
        .map_err(err)?
        .rows_affected();
        if users > 0 || used != 1 {
            return Ok(None);
        }
        insert_user(&mut tx, &admin).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(Some(User {
            id: admin.id,
            username: admin.username,
            display_name: admin.display_name,
            role: admin.role,
            unit: admin.unit,
            totp_enrolled: false,
            skills: Skills::default(),
            capacity: 3,
        }))
    }

    async fn create_session(
        &self,
        token_hash: [u8; 32],
        id: &str,
        user: UserId,
        now: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<()> {
        let mut tx = WriteTx::begin(&self.write).await?;
        // A disabled account gets no session, even from a login checked just before it was
        // disabled; the login's time is what the administrators' list shows.
        let enabled =
            sqlx::query("UPDATE users SET last_login_at = ? WHERE id = ? AND disabled_at IS NULL")
                .bind(millis(now))
                .bind(user.to_string())
                .execute(&mut *tx)
                .await
                .map_err(err)?
                .rows_affected();
        if enabled == 0 {
            return Err(StoreError::Conflict);
        }
        sqlx::query(
            "INSERT INTO staff_sessions (token_hash, id, user_id, created_at, last_seen_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&token_hash[..])
        .bind(id)
        .bind(user.to_string())
        .bind(millis(now))
        .bind(millis(now))
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    async fn sessions_of(&self, user: UserId) -> StoreResult<Vec<SessionInfo>> {
        let rows = sqlx::query(
            "SELECT id, token_hash, created_at, last_seen_at FROM staff_sessions \
             WHERE user_id = ? ORDER BY last_seen_at DESC",
        )
        .bind(user.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(err)?;
        rows.iter()
            .map(|row| {
                let hash: Vec<u8> = row.try_get("token_hash").map_err(err)?;
                let id: Option<String> = row.try_get("id").map_err(err)?;
                Ok(SessionInfo {
                    id: id.unwrap_or_default(),
                    token_hash: hash.try_into().map_err(|_| corrupt("session hash"))?,
                    created_at: from_millis(row.try_get("created_at").map_err(err)?)?,
                    last_seen_at: from_millis(row.try_get("last_seen_at").map_err(err)?)?,
                })
            })
            .collect()
    }

    async fn session(&self, token_hash: [u8; 32]) -> StoreResult<Option<StaffSession>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.id AS session_id, s.created_at, s.last_seen_at \
                 FROM staff_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? \
                 AND u.disabled_at IS NULL"
        ))
        .bind(&token_hash[..])
        .fetch_optional(&self.read)
        .await
        .map_err(err)?;
        row.map(|row| {
            Ok(StaffSession {
                token_hash,
                id: row
                    .try_get::<Option<String>, _>("session_id")
                    .map_err(err)?
                    .unwrap_or_default(),
                user: user_from_row(&row)?,
                created_at: from_millis(row.try_get("created_at").map_err(err)?)?,
                last_seen_at: from_millis(row.try_get("last_seen_at").map_err(err)?)?,
            })
        })
        .transpose()
    }

    async fn touch_session(&self, token_hash: [u8; 32], now: OffsetDateTime) -> StoreResult<()> {
        use rusqlite::types::Value;
        // With the messages' group commit, not on sqlx's writer: under load the appender
        // commits batch after batch, and a write waiting for SQLite's lock between them waited
        // more than a second (docs/PERFORMANCE.md, issue 23). It rides the next batch instead.
        self.appender()?
            .insert(appender::Insert {
                sql: "UPDATE staff_sessions SET last_seen_at = ? WHERE token_hash = ?",
                values: vec![
                    Value::Integer(millis(now)),
                    Value::Blob(token_hash.to_vec()),
                ],
            })
            .await
    }

    async fn delete_session(&self, token_hash: [u8; 32]) -> StoreResult<()> {
        sqlx::query("DELETE FROM staff_sessions WHERE token_hash = ?")
            .bind(&token_hash[..])
            .execute(&self.write)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn create_conversation(&self, new: NewConversation) -> StoreResult<Conversation> {
        let priority = if new.intake.danger {
            Priority::Danger
        } else {
            Priority::Normal
        };
        use rusqlite::types::Value;
        let text = |s: Option<&str>| s.map_or(Value::Null, |s| Value::Text(s.to_string()));
        // With the messages' group commit: in a storm of new visitors, one commit per start
        // was what held them back (docs/PERFORMANCE.md).
        self.appender()?
            .insert(appender::Insert {
                sql: "INSERT INTO conversations (id, token_hash, kind, minor, departement, \
                      state, wrapped_key, key_version, created_at, force, language, danger, \
                      priority, open_to_all_at, code_bucket, code_hash, proposed_unit) \
                      VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values: vec![
                    Value::Text(new.id.to_string()),
                    Value::Blob(new.token_hash.to_vec()),
                    Value::Text(new.intake.kind.as_str().to_string()),
                    Value::Integer(new.intake.minor.into()),
                    text(new.intake.departement.as_ref().map(|d| d.as_str())),
                    Value::Blob(new.wrapped_key.clone()),
                    Value::Integer(new.key_version as i64),
                    Value::Integer(millis(new.created_at)),
                    text(new.force.map(Force::as_str)),
                    Value::Text(new.intake.language.as_str().to_string()),
                    Value::Integer(new.intake.danger.into()),
                    Value::Integer(priority.rank()),
                    Value::Integer(millis(new.open_to_all_at)),
                    new.return_code
                        .as_ref()
                        .map_or(Value::Null, |(bucket, _)| Value::Integer(*bucket as i64)),
                    text(new.return_code.as_ref().map(|(_, hash)| hash.as_str())),
                    text(new.proposed_unit.as_ref().map(UnitId::as_str)),
                ],
            })
            .await?;
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
        let mut conn = self.read.acquire().await.map_err(err)?;
        load_conversation(&mut conn, id).await
    }

    async fn conversation_by_token(
        &self,
        token_hash: [u8; 32],
    ) -> StoreResult<Option<Conversation>> {
        sqlx::query(&conversation_query("WHERE c.token_hash = ?"))
            .bind(&token_hash[..])
            .fetch_optional(&self.read)
            .await
            .map_err(err)?
            .as_ref()
            .map(conversation_from_row)
            .transpose()
    }

    async fn waiting_queue(&self) -> StoreResult<Vec<Conversation>> {
        self.conversations_where(
            "WHERE c.state = 'waiting' ORDER BY c.priority DESC, c.created_at, c.id",
        )
        .await
    }

    async fn count_waiting(&self) -> StoreResult<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE state = 'waiting'")
                .fetch_one(&self.read)
                .await
                .map_err(err)?;
        Ok(n as u64)
    }

    async fn open_chats_of(&self, officer: UserId) -> StoreResult<Vec<Conversation>> {
        sqlx::query(&conversation_query(
            "WHERE c.officer_id = ? AND c.state IN ('active', 'visitor_left') \
             ORDER BY c.claimed_at, c.id",
        ))
        .bind(officer.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(conversation_from_row)
        .collect()
    }

    async fn closed_conversations(
        &self,
        officer: Option<UserId>,
        since: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        sqlx::query(&conversation_query(
            "WHERE c.state = 'closed' AND c.closed_at >= ?1 \
             AND (?2 IS NULL OR c.officer_id = ?2) \
             ORDER BY c.closed_at DESC, c.id LIMIT ?3",
        ))
        .bind(millis(since))
        .bind(officer.map(|o| o.to_string()))
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(conversation_from_row)
        .collect()
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
        let mut tx = WriteTx::begin(&self.write).await?;
        let applied =
            steps::transition(&mut tx, id, actor, event, now, audit.as_ref(), &closing).await?;
        if matches!(applied, Applied::Done(_)) {
            tx.commit().await?;
        }
        Ok(applied)
    }

    async fn quick_exit(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<Option<Conversation>> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let after = steps::quick_exit(&mut tx, token_hash, now).await?;
        if after.is_some() {
            tx.commit().await?;
        }
        Ok(after)
    }

    async fn append_message(&self, message: NewMessage) -> StoreResult<AppendOutcome> {
        self.appender()?.append(message).await
    }

    async fn append_messages(&self, messages: Vec<NewMessage>) -> Vec<StoreResult<AppendOutcome>> {
        match self.appender() {
            Ok(appender) => appender.append_all(messages).await,
            Err(e) => messages
                .iter()
                .map(|_| Err(StoreError::Unavailable(e.to_string())))
                .collect(),
        }
    }

    async fn messages_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        limit: u32,
    ) -> StoreResult<Vec<StoredMessage>> {
        let rows = sqlx::query(
            "SELECT m.seq, m.author, m.officer_id, u.display_name AS officer_name, m.client_id, \
             m.body, m.sent_at FROM messages m LEFT JOIN users u ON u.id = m.officer_id \
             WHERE m.conversation_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?",
        )
        .bind(conversation.to_string())
        .bind(after as i64)
        .bind(limit as i64)
        .fetch_all(&self.read)
        .await
        .map_err(err)?;
        rows.iter().map(message_from_row).collect()
    }

    async fn purge_candidates(
        &self,
        policy: &RetentionPolicy,
        now: OffsetDateTime,
        after: Option<&PurgeCandidate>,
        limit: u32,
    ) -> StoreResult<Vec<PurgeCandidate>> {
        let mut found = Vec::new();
        let mut conn = self.read.acquire().await.map_err(err)?;
        // Rules before the cursor's were exhausted by earlier pages.
        let rules =
            RetentionRule::all().skip_while(|rule| after.is_some_and(|a| a.due.rule != *rule));
        for rule in rules {
            let remaining = limit as usize - found.len();
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
                .fetch_all(&mut *conn)
                .await
                .map_err(err)?;
            for row in &rows {
                let candidate = purge_candidate_from_row(row, policy)?;
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
        let mut purged = Purged {
            files_scrubbed: Some(true),
            ..Purged::default()
        };
        if ids.is_empty() {
            return Ok(purged);
        }
        let mut tx = WriteTx::begin(&self.write).await?;
        for &id in ids {
            let row = sqlx::query(&format!(
                "SELECT {PURGE_COLUMNS} FROM conversations WHERE id = ?"
            ))
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(err)?;
            let Some(row) = row else { continue };
            // Checked again under the write lock: a chat closed since it was listed now counts
            // from its closing and must be kept.
            if !purge_candidate_from_row(&row, policy)?.due.is_due(now) {
                continue;
            }
            record_if_unclosed(&mut tx, id).await?;
            purged.dossiers += forwarding::purge_forwarding(&mut tx, id).await?;
            sqlx::query("DELETE FROM staff_notes WHERE conversation_id = ?")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(err)?;
            let messages = sqlx::query("DELETE FROM messages WHERE conversation_id = ?")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(err)?
                .rows_affected();
            // The row holds the wrapped data key: deleting it is what makes any copy of the
            // messages (a backup, a stray page) undecryptable.
            sqlx::query("DELETE FROM conversations WHERE id = ?")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(err)?;
            purged.conversations.push(id);
            purged.messages += messages;
        }
        tx.commit().await?;
        if !purged.conversations.is_empty() {
            purged.files_scrubbed = Some(self.truncate_wal().await?);
        }
        Ok(purged)
    }

    async fn statistics(&self, from: IsoWeek, to: IsoWeek) -> StoreResult<Vec<ChatStatistics>> {
        sqlx::query(&format!(
            "SELECT {STATISTICS_COLUMNS} FROM chat_statistics \
             WHERE iso_week BETWEEN ? AND ? ORDER BY iso_week, hour_of_week, id"
        ))
        .bind(from.key())
        .bind(to.key())
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(statistics_from_row)
        .collect()
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

    async fn add_signing_key(&self, key: NewSigningKey, audit: NewAudit) -> StoreResult<()> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query(
            "INSERT INTO signing_keys (id, version, public_key, sealed, key_version, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(signing_key_id(key.version))
        .bind(i64::from(key.version))
        .bind(&key.public[..])
        .bind(&key.sealed)
        .bind(i64::from(key.key_version))
        .bind(millis(key.created_at))
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn current_signing_key(&self) -> StoreResult<Option<StoredSigningKey>> {
        let sql = format!(
            "SELECT {SIGNING_KEY_COLUMNS} FROM signing_keys WHERE retired_at IS NULL \
             ORDER BY version DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .fetch_optional(&self.read)
            .await
            .map_err(err)?;
        row.as_ref().map(signing_key_from_row).transpose()
    }

    async fn signing_keys(&self) -> StoreResult<Vec<StoredSigningKey>> {
        let sql = format!("SELECT {SIGNING_KEY_COLUMNS} FROM signing_keys ORDER BY version");
        let rows = sqlx::query(&sql).fetch_all(&self.read).await.map_err(err)?;
        rows.iter().map(signing_key_from_row).collect()
    }

    async fn retire_signing_key(
        &self,
        version: u32,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<SigningRetirement> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let retired_at: Option<Option<i64>> =
            sqlx::query_scalar("SELECT retired_at FROM signing_keys WHERE version = ?")
                .bind(i64::from(version))
                .fetch_optional(&mut *tx)
                .await
                .map_err(err)?;
        let newer: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM signing_keys WHERE version > ? AND retired_at IS NULL)",
        )
        .bind(i64::from(version))
        .fetch_one(&mut *tx)
        .await
        .map_err(err)?;
        let outcome = match retired_at {
            None => SigningRetirement::Unknown,
            Some(Some(_)) => SigningRetirement::AlreadyRetired,
            Some(None) if !newer => SigningRetirement::NoNewer,
            Some(None) => {
                sqlx::query("UPDATE signing_keys SET retired_at = ? WHERE version = ?")
                    .bind(millis(at))
                    .bind(i64::from(version))
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                insert_audit(&mut tx, &audit).await?;
                SigningRetirement::Retired
            }
        };
        tx.commit().await?;
        Ok(outcome)
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
        let sql = KeyRows::of(kind).below(["?"; 2]);
        let found = sqlx::query(&sql)
            .bind(version as i64)
            .bind(limit as i64)
            .fetch_all(&self.read)
            .await
            .map_err(err)?;
        found
            .iter()
            .map(|row| {
                let id: String = row.try_get("id").map_err(err)?;
                Ok(SealedKey {
                    owner: parse_uuid(&id)?,
                    key_version: key_version(row.try_get("key_version").map_err(err)?)?,
                    sealed: row.try_get("sealed").map_err(err)?,
                })
            })
            .collect()
    }

    async fn reseal_keys(&self, kind: KeyKind, reseals: Vec<Reseal>) -> StoreResult<u64> {
        if reseals.is_empty() {
            return Ok(0);
        }
        let sql = KeyRows::of(kind).reseal(["?"; 5]);
        let mut tx = WriteTx::begin(&self.write).await?;
        let mut updated = 0;
        for r in &reseals {
            updated += sqlx::query(&sql)
                .bind(&r.sealed)
                .bind(r.to_version as i64)
                .bind(r.owner.to_string())
                .bind(r.from_version as i64)
                .bind(&r.from_sealed)
                .execute(&mut *tx)
                .await
                .map_err(err)?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(updated)
    }

    async fn key_version_counts(&self, kind: KeyKind) -> StoreResult<BTreeMap<u32, u64>> {
        let sql = KeyRows::of(kind).counts();
        let found = sqlx::query(&sql).fetch_all(&self.read).await.map_err(err)?;
        found
            .iter()
            .map(|row| {
                let version = key_version(row.try_get("key_version").map_err(err)?)?;
                let n: i64 = row.try_get("n").map_err(err)?;
                Ok((version, n as u64))
            })
            .collect()
    }

    async fn sealed_key_at_version(
        &self,
        kind: KeyKind,
        version: u32,
    ) -> StoreResult<Option<SealedKey>> {
        let sql = KeyRows::of(kind).one_at("?");
        let found = sqlx::query(&sql)
            .bind(version as i64)
            .fetch_optional(&self.read)
            .await
            .map_err(err)?;
        found
            .map(|row| {
                let id: String = row.try_get("id").map_err(err)?;
                Ok(SealedKey {
                    owner: parse_uuid(&id)?,
                    key_version: key_version(row.try_get("key_version").map_err(err)?)?,
                    sealed: row.try_get("sealed").map_err(err)?,
                })
            })
            .transpose()
    }

    async fn key_checks(&self) -> StoreResult<BTreeMap<u32, Vec<u8>>> {
        let found = sqlx::query("SELECT version, sealed FROM master_key_checks")
            .fetch_all(&self.read)
            .await
            .map_err(err)?;
        found
            .iter()
            .map(|row| {
                let version = key_version(row.try_get("version").map_err(err)?)?;
                Ok((version, row.try_get("sealed").map_err(err)?))
            })
            .collect()
    }

    async fn record_key_check(
        &self,
        version: u32,
        check: &[u8],
        at: OffsetDateTime,
    ) -> StoreResult<Vec<u8>> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query(
            "INSERT INTO master_key_checks (version, sealed, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (version) DO NOTHING",
        )
        .bind(version as i64)
        .bind(check)
        .bind(millis(at))
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        let recorded: Vec<u8> =
            sqlx::query_scalar("SELECT sealed FROM master_key_checks WHERE version = ?")
                .bind(version as i64)
                .fetch_one(&mut *tx)
                .await
                .map_err(err)?;
        tx.commit().await?;
        Ok(recorded)
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
        role: Role,
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

    async fn set_skills(
        &self,
        user: UserId,
        skills: &Skills,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        let languages: Vec<&str> = skills.languages.iter().map(Language::as_str).collect();
        let mut tx = WriteTx::begin(&self.write).await?;
        let changed =
            sqlx::query("UPDATE users SET force = ?, minors = ?, languages = ? WHERE id = ?")
                .bind(skills.force.map(Force::as_str))
                .bind(skills.minors)
                .bind(languages.join(","))
                .bind(user.to_string())
                .execute(&mut *tx)
                .await
                .map_err(err)?
                .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn staff_loads(&self) -> StoreResult<Vec<StaffLoad>> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, \
             (SELECT COUNT(*) FROM conversations c WHERE c.officer_id = u.id \
              AND c.state IN ('active', 'visitor_left')) AS open, \
             (SELECT MAX(c.assigned_at) FROM conversations c WHERE c.officer_id = u.id) \
              AS last_assigned \
             FROM users u WHERE u.disabled_at IS NULL ORDER BY u.display_name, u.id"
        ))
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(|row| {
            Ok(StaffLoad {
                user: user_from_row(row)?,
                open: row.try_get::<i64, _>("open").map_err(err)? as u32,
                last_assigned: opt_time(row.try_get("last_assigned").map_err(err)?)?,
            })
        })
        .collect()
    }

    async fn load_forces(&self, table: &[(Coverage, Force)], audit: NewAudit) -> StoreResult<u64> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query("DELETE FROM forces")
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        for (place, force) in table {
            sqlx::query("INSERT INTO forces (place, force) VALUES (?, ?)")
                .bind(place.as_str())
                .bind(force.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
                    e => err(e),
                })?;
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(table.len() as u64)
    }

    async fn force_of(
        &self,
        postal_code: Option<&PostalCode>,
        departement: &Departement,
    ) -> StoreResult<Option<Force>> {
        // The postal code's row first, the département's as fallback, in one read.
        let force: Option<String> = sqlx::query_scalar(
            "SELECT COALESCE((SELECT force FROM forces WHERE place = ?), \
                             (SELECT force FROM forces WHERE place = ?))",
        )
        .bind(postal_code.map(PostalCode::as_str))
        .bind(departement.as_str())
        .fetch_one(&self.read)
        .await
        .map_err(err)?;
        opt_force(force)
    }

    async fn forces(&self) -> StoreResult<Vec<(Coverage, Force)>> {
        sqlx::query("SELECT place, force FROM forces ORDER BY place")
            .fetch_all(&self.read)
            .await
            .map_err(err)?
            .iter()
            .map(|row| {
                let place: String = row.try_get("place").map_err(err)?;
                let force: String = row.try_get("force").map_err(err)?;
                force_row(&place, &force)
            })
            .collect()
    }

    async fn load_units(&self, units: &[Unit], audit: NewAudit) -> StoreResult<u64> {
        let mut tx = WriteTx::begin(&self.write).await?;
        // Places first, so that emptying the directory does not depend on the cascade.
        for table in ["unit_coverage", "units"] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        let conflict = |e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
            e => err(e),
        };
        for unit in units {
            sqlx::query("INSERT INTO units (id, force, kind, name, notify) VALUES (?, ?, ?, ?, ?)")
                .bind(unit.id.as_str())
                .bind(unit.force.as_str())
                .bind(unit.kind.as_str())
                .bind(&unit.name)
                .bind(&unit.notify)
                .execute(&mut *tx)
                .await
                .map_err(conflict)?;
            for (position, place) in unit.covers.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO unit_coverage (unit_id, position, place) VALUES (?, ?, ?)",
                )
                .bind(unit.id.as_str())
                .bind(position as i64)
                .bind(place.as_str())
                .execute(&mut *tx)
                .await
                .map_err(conflict)?;
            }
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(units.len() as u64)
    }

    async fn units(&self) -> StoreResult<Vec<Unit>> {
        let rows = sqlx::query(&unit_query(""))
            .fetch_all(&self.read)
            .await
            .map_err(err)?;
        units_from(rows.iter().map(unit_row).collect::<StoreResult<_>>()?)
    }

    async fn unit(&self, id: &UnitId) -> StoreResult<Option<Unit>> {
        let rows = sqlx::query(&unit_query("WHERE u.id = ?"))
            .bind(id.as_str())
            .fetch_all(&self.read)
            .await
            .map_err(err)?;
        let units = units_from(rows.iter().map(unit_row).collect::<StoreResult<_>>()?)?;
        Ok(units.into_iter().next())
    }

    async fn install_secret(&self, name: &str, fresh: [u8; 32]) -> StoreResult<[u8; 32]> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query(
            "INSERT INTO install_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(&fresh[..])
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        let value: Vec<u8> = sqlx::query_scalar("SELECT value FROM install_secrets WHERE name = ?")
            .bind(name)
            .fetch_one(&mut *tx)
            .await
            .map_err(err)?;
        tx.commit().await?;
        value.try_into().map_err(|_| corrupt("installation secret"))
    }

    async fn set_return_code(
        &self,
        id: ConversationId,
        bucket: u32,
        hash: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE conversations SET code_bucket = ?, code_hash = ? WHERE id = ?")
            .bind(bucket as i64)
            .bind(hash)
            .bind(id.to_string())
            .execute(&self.write)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn return_code_candidates(
        &self,
        bucket: u32,
    ) -> StoreResult<Vec<(ConversationId, String)>> {
        sqlx::query(
            "SELECT id, code_hash FROM conversations WHERE code_bucket = ? \
             AND code_hash IS NOT NULL AND (outcome IS NULL OR outcome <> 'blocked')",
        )
        .bind(bucket as i64)
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(|row| {
            let id: String = row.try_get("id").map_err(err)?;
            Ok((
                ConversationId(parse_uuid(&id)?),
                row.try_get("code_hash").map_err(err)?,
            ))
        })
        .collect()
    }

    async fn resume(
        &self,
        id: ConversationId,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<Transitioned> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let applied = steps::resume(&mut tx, id, token_hash, now).await?;
        if matches!(applied, Applied::Done(_)) {
            tx.commit().await?;
        }
        Ok(applied)
    }

    async fn advance_marks(
        &self,
        id: ConversationId,
        reader: Actor,
        marks: Marks,
    ) -> StoreResult<Option<MarksMoved>> {
        // With the messages' group commit: receipts come with nearly every message.
        self.appender()?
            .advance_marks(appender::MarksUpdate {
                conversation: id,
                reader,
                marks,
            })
            .await
    }

    async fn save_case_file(
        &self,
        id: ConversationId,
        officer: UserId,
        sealed: &[u8],
        audit: NewAudit,
    ) -> StoreResult<bool> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let changed = sqlx::query(
            "UPDATE conversations SET case_file = ? WHERE id = ? AND officer_id = ? \
             AND state IN ('active', 'visitor_left')",
        )
        .bind(sealed)
        .bind(id.to_string())
        .bind(officer.to_string())
        .execute(&mut *tx)
        .await
        .map_err(err)?
        .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn case_file(&self, id: ConversationId) -> StoreResult<Option<Vec<u8>>> {
        let sealed: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT case_file FROM conversations WHERE id = ?")
                .bind(id.to_string())
                .fetch_optional(&self.read)
                .await
                .map_err(err)?;
        Ok(sealed.flatten())
    }

    async fn canned_replies(&self) -> StoreResult<Vec<StoredReply>> {
        sqlx::query(
            "SELECT id, shortcut, title, body, updated_at FROM canned_replies ORDER BY shortcut",
        )
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(|row| {
            let id: String = row.try_get("id").map_err(err)?;
            let shortcut: String = row.try_get("shortcut").map_err(err)?;
            let title: String = row.try_get("title").map_err(err)?;
            let body: String = row.try_get("body").map_err(err)?;
            Ok(StoredReply {
                id: parse_uuid(&id)?,
                reply: CannedReply::parse(&shortcut, &title, &body)
                    .map_err(|_| corrupt("canned reply"))?,
                updated_at: from_millis(row.try_get("updated_at").map_err(err)?)?,
            })
        })
        .collect()
    }

    async fn save_canned_reply(
        &self,
        id: Option<Uuid>,
        reply: &CannedReply,
        now: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<Option<StoredReply>> {
        let conflict = |e: sqlx::Error| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
            e => err(e),
        };
        let mut tx = WriteTx::begin(&self.write).await?;
        let id = match id {
            Some(id) => {
                let changed = sqlx::query(
                    "UPDATE canned_replies SET shortcut = ?, title = ?, body = ?, updated_at = ? \
                     WHERE id = ?",
                )
                .bind(&reply.shortcut)
                .bind(&reply.title)
                .bind(&reply.body)
                .bind(millis(now))
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(conflict)?
                .rows_affected();
                if changed == 0 {
                    return Ok(None);
                }
                id
            }
            None => {
                let id = Uuid::new_v4();
                sqlx::query(
                    "INSERT INTO canned_replies (id, shortcut, title, body, updated_at) \
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(id.to_string())
                .bind(&reply.shortcut)
                .bind(&reply.title)
                .bind(&reply.body)
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .map_err(conflict)?;
                id
            }
        };
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(Some(StoredReply {
            id,
            reply: reply.clone(),
            updated_at: now,
        }))
    }

    async fn delete_canned_reply(&self, id: Uuid, audit: NewAudit) -> StoreResult<bool> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let gone = sqlx::query("DELETE FROM canned_replies WHERE id = ?")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err)?
            .rows_affected();
        if gone == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn load_resources(&self, resources: &[Resource], audit: NewAudit) -> StoreResult<u64> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query("DELETE FROM resources")
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        for (i, r) in resources.iter().enumerate() {
            sqlx::query(
                "INSERT INTO resources (position, departement, kind, name, phone, address, \
                 hours, url, sample) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            .await
            .map_err(err)?;
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(resources.len() as u64)
    }

    async fn resources_for(&self, departement: Option<&Departement>) -> StoreResult<Vec<Resource>> {
        sqlx::query(
            "SELECT departement, kind, name, phone, address, hours, url, sample FROM resources \
             WHERE departement IS NULL OR departement = ? \
             ORDER BY departement IS NOT NULL, position",
        )
        .bind(departement.map(Departement::as_str))
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(|row| {
            let d: Option<String> = row.try_get("departement").map_err(err)?;
            let kind: String = row.try_get("kind").map_err(err)?;
            Ok(Resource {
                departement: d
                    .as_deref()
                    .map(|d| Departement::parse(d).ok_or_else(|| corrupt("departement")))
                    .transpose()?,
                kind: ResourceKind::parse(&kind).map_err(|_| corrupt("resource kind"))?,
                name: row.try_get("name").map_err(err)?,
                phone: row.try_get("phone").map_err(err)?,
                address: row.try_get("address").map_err(err)?,
                hours: row.try_get("hours").map_err(err)?,
                url: row.try_get("url").map_err(err)?,
                sample: row.try_get::<i64, _>("sample").map_err(err)? != 0,
            })
        })
        .collect()
    }

    async fn count_resources(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM resources")
            .fetch_one(&self.read)
            .await
            .map_err(err)?;
        Ok(n as u64)
    }

    async fn take_next(
        &self,
        officer: UserId,
        now: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<Applied<Conversation>> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let Some((user, open)) = load_officer(&mut tx, officer).await? else {
            return Ok(Applied::Refused(TransitionError::NotAllowed));
        };
        if let Err(refused) = ecoute_domain::may_take_another(open, user.capacity) {
            return Ok(Applied::Refused(refused));
        }
        // In queue order (the index's order); the first the officer may serve wins.
        let waiting: Vec<Conversation> = sqlx::query(&conversation_query(
            "WHERE c.state = 'waiting' ORDER BY c.priority DESC, c.created_at, c.id",
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?
        .iter()
        .map(conversation_from_row)
        .collect::<StoreResult<_>>()?;
        let Some(chosen) = waiting
            .into_iter()
            .find(|c| ecoute_domain::may_serve(&user.skills, &c.need(), now >= c.open_to_all_at))
        else {
            return Ok(Applied::NotFound);
        };
        let next = match chosen.state.apply(Actor::Officer(officer), Event::Claim) {
            Ok(t) => t.next,
            Err(refused) => return Ok(Applied::Refused(refused)),
        };
        save_state(&mut tx, chosen.id, chosen.state, next, now).await?;
        insert_audit(&mut tx, &audit.on(chosen.id)).await?;
        let after = load_conversation(&mut tx, chosen.id)
            .await?
            .ok_or_else(|| corrupt("conversation vanished"))?;
        tx.commit().await?;
        Ok(Applied::Done(after))
    }

    async fn raise_priority(
        &self,
        id: ConversationId,
        priority: Priority,
        labels: &[String],
    ) -> StoreResult<Option<Conversation>> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let Some(current) = load_conversation(&mut tx, id).await? else {
            return Ok(None);
        };
        let Some((raised, flags)) = raised(&current, priority, labels) else {
            return Ok(None);
        };
        sqlx::query("UPDATE conversations SET priority = ?, risk_flags = ? WHERE id = ?")
            .bind(raised.rank())
            .bind(flags.join("\n"))
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        let after = load_conversation(&mut tx, id)
            .await?
            .ok_or_else(|| corrupt("conversation vanished"))?;
        tx.commit().await?;
        Ok(Some(after))
    }

    async fn set_language(
        &self,
        id: ConversationId,
        language: &Language,
    ) -> StoreResult<Option<Conversation>> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let changed = sqlx::query(
            "UPDATE conversations SET language = ? \
             WHERE id = ? AND language <> ? AND closed_at IS NULL",
        )
        .bind(language.as_str())
        .bind(id.to_string())
        .bind(language.as_str())
        .execute(&mut *tx)
        .await
        .map_err(err)?
        .rows_affected();
        if changed == 0 {
            return Ok(None);
        }
        let after = load_conversation(&mut tx, id)
            .await?
            .ok_or_else(|| corrupt("conversation vanished"))?;
        tx.commit().await?;
        Ok(Some(after))
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
        let mut tx = WriteTx::begin(&self.write).await?;
        let note = steps::add_note(&mut tx, id, kind, author, seal, now, audit.as_ref()).await?;
        if note.is_some() {
            tx.commit().await?;
        }
        Ok(note)
    }

    async fn notes(&self, id: ConversationId) -> StoreResult<Vec<StoredNote>> {
        sqlx::query(
            "SELECT n.seq, n.kind, n.author_id, u.display_name, n.body, n.at FROM staff_notes n \
             LEFT JOIN users u ON u.id = n.author_id WHERE n.conversation_id = ? ORDER BY n.seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(|row| {
            let kind: String = row.try_get("kind").map_err(err)?;
            let author: Option<String> = row.try_get("author_id").map_err(err)?;
            Ok(StoredNote {
                seq: row.try_get::<i64, _>("seq").map_err(err)? as u64,
                kind: NoteKind::parse(&kind).ok_or_else(|| corrupt("note kind"))?,
                author: author.as_deref().map(parse_uuid).transpose()?.map(UserId),
                author_name: row.try_get("display_name").map_err(err)?,
                sealed_body: row.try_get("body").map_err(err)?,
                at: from_millis(row.try_get("at").map_err(err)?)?,
            })
        })
        .collect()
    }

    async fn live_conversations(&self) -> StoreResult<Vec<Conversation>> {
        self.conversations_where("WHERE c.state <> 'closed' ORDER BY c.created_at, c.id")
            .await
    }

    async fn day_figures(&self, since: OffsetDateTime) -> StoreResult<DayFigures> {
        let since = millis(since);
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM conversations WHERE created_at >= ?1) AS started, \
             (SELECT COUNT(*) FROM conversations WHERE state = 'waiting') AS waiting, \
             (SELECT COUNT(*) FROM conversations WHERE state = 'closed' AND closed_at >= ?1 \
              AND officer_id IS NOT NULL) AS handled, \
             (SELECT COUNT(*) FROM conversations WHERE state = 'closed' AND closed_at >= ?1 \
              AND officer_id IS NULL AND outcome = 'visitor_left') AS left_unanswered",
        )
        .bind(since)
        .fetch_one(&self.read)
        .await
        .map_err(err)?;
        let waits: Vec<i64> = sqlx::query_scalar(
            "SELECT claimed_at - created_at FROM conversations \
             WHERE claimed_at IS NOT NULL AND claimed_at >= ?",
        )
        .bind(since)
        .fetch_all(&self.read)
        .await
        .map_err(err)?;
        Ok(DayFigures {
            started: row.try_get::<i64, _>("started").map_err(err)? as u64,
            waiting: row.try_get::<i64, _>("waiting").map_err(err)? as u64,
            handled: row.try_get::<i64, _>("handled").map_err(err)? as u64,
            left_unanswered: row.try_get::<i64, _>("left_unanswered").map_err(err)? as u64,
            waits_secs: waits
                .into_iter()
                .map(|ms| (ms.max(0) / 1000) as u64)
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch looks its resends up by their keys: each key is a search of the messages'
    /// unique index, whatever the table holds, never a scan of the messages.
    #[tokio::test]
    async fn a_batch_finds_resends_by_index_search_not_by_scanning_the_messages() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        for n in [1, 3, appender::MAX_BATCH] {
            let sql = format!("EXPLAIN QUERY PLAN {}", appender::resends_query(n));
            let mut query = sqlx::query(&sql);
            for i in 0..n {
                query = query
                    .bind(format!("c{i}"))
                    .bind("visitor")
                    .bind(format!("m{i}"));
            }
            let plan: Vec<String> = query
                .fetch_all(&store.read)
                .await
                .unwrap()
                .iter()
                .map(|row| row.get::<String, _>("detail"))
                .collect();
            assert!(
                plan.iter()
                    .any(|step| step.starts_with("SEARCH m USING INDEX")
                        && step.contains("client_id=?")),
                "{n} keys: {plan:?}"
            );
            assert!(
                !plan.iter().any(|step| step.starts_with("SCAN m")),
                "{n} keys scan the messages: {plan:?}"
            );
        }
    }

    #[test]
    fn placeholders_make_groups_of_the_width_asked() {
        assert_eq!(appender::placeholders(1, 1), "(?)");
        assert_eq!(appender::placeholders(2, 3), "(?, ?, ?), (?, ?, ?)");
    }

    #[test]
    fn a_batch_is_cut_into_power_of_two_chunks_that_cover_every_value_once() {
        use rusqlite::types::Value;
        let values: Vec<Value> = (0..37 * 3).map(Value::Integer).collect();
        let mut sizes = Vec::new();
        let mut seen = Vec::new();
        appender::in_chunks(&values, 3, |k, chunk| {
            assert_eq!(chunk.len(), k * 3);
            sizes.push(k);
            seen.extend_from_slice(chunk);
            Ok(())
        })
        .unwrap();
        assert_eq!(sizes, vec![32, 4, 1]);
        assert_eq!(seen, values);
        // Never wider than a batch: at most one prepared statement per width.
        let most: Vec<Value> = (0..appender::MAX_BATCH as i64)
            .map(Value::Integer)
            .collect();
        let mut widths = Vec::new();
        appender::in_chunks(&most, 1, |k, _| {
            widths.push(k);
            Ok(())
        })
        .unwrap();
        assert_eq!(widths, vec![appender::MAX_BATCH]);
        assert_eq!(1 << (appender::WIDTHS - 1), appender::MAX_BATCH);
    }

    #[tokio::test]
    async fn an_insert_refused_in_a_batch_fails_alone_and_the_others_are_committed() {
        use rusqlite::types::Value;
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let db = appender::open(&store.path, false).unwrap();
        db.execute_batch("CREATE TABLE scratch (k INTEGER PRIMARY KEY)")
            .unwrap();
        let insert = |k: i64| appender::Insert {
            sql: "INSERT INTO scratch (k) VALUES (?)",
            values: vec![Value::Integer(k)],
        };
        let written =
            appender::in_transaction(&db, Vec::new(), &[], &[insert(1), insert(1), insert(2)])
                .unwrap();
        assert!(written.inserted[0].is_ok());
        assert!(matches!(written.inserted[1], Err(StoreError::Conflict)));
        assert!(written.inserted[2].is_ok());
        assert!(db.is_autocommit(), "committed, no transaction left open");
        let kept: i64 = db
            .query_row("SELECT count(*) FROM scratch", [], |row| row.get(0))
            .unwrap();
        assert_eq!(kept, 2);
    }

    /// The purge job runs every hour on a table that only grows: each of its queries must be
    /// a range scan on an index, never a scan of the whole table.
    #[tokio::test]
    async fn purge_candidate_queries_are_index_range_scans_not_table_scans() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        for rule in RetentionRule::all() {
            for resume in [false, true] {
                let sql = format!("EXPLAIN QUERY PLAN {}", candidates_query(rule, resume));
                let mut query = sqlx::query(&sql);
                if let RetentionRule::Closed(outcome) = rule {
                    query = query.bind(outcome.as_str());
                }
                query = query.bind(0_i64);
                if resume {
                    query = query.bind(0_i64).bind("");
                }
                let plan: Vec<String> = query
                    .bind(10_i64)
                    .fetch_all(&store.read)
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| row.get::<String, _>("detail"))
                    .collect();
                let index = match rule {
                    RetentionRule::Closed(_) => "conversations_closed_by_outcome",
                    RetentionRule::Unclosed => "conversations_unclosed_by_age",
                };
                assert!(
                    plan.iter()
                        .any(|step| step.contains(index) && step.contains('<')),
                    "{rule:?} (resume: {resume}) should range-scan {index}: {plan:?}"
                );
                assert!(
                    !plan.iter().any(|step| step.starts_with("SCAN")),
                    "{rule:?} (resume: {resume}) scans a table: {plan:?}"
                );
            }
        }
    }
}
