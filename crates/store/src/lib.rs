//! The storage contract of Écoute.
//!
//! Every backend (SQLite now, PostgreSQL later) implements [`Store`], and runs the
//! same [`conformance`] suite. The rules that decide a transition live in
//! `ecoute-domain`; a backend's job is to apply them atomically: it reads the
//! current state and writes the next one in one transaction, so two officers
//! racing for a chat can never both win.
#![forbid(unsafe_code)]

mod accounts;
pub mod conformance;
mod forwarding;
pub mod presence;
pub mod shifts;
pub mod statistics;
pub mod steps;
pub mod stored;
pub mod wellbeing;

pub use accounts::{
    ACCOUNT_LINK_LIFETIME, Account, AccountChange, AccountLink, AccountRefusal, Disabled,
    LinkPurpose, LinkRedemption, NewAccountLink, NewStaffAccount, account_query,
};
pub use forwarding::{
    DossierChange, DossierRow, DossierStep, NewDossier, NewDossierEvent, NotificationRecord,
    StoredConsent, StoredDossierEvent,
};

/// Note kinds are part of the shared vocabulary; re-exported for the store's callers.
pub use ecoute_domain::NoteKind;

use async_trait::async_trait;
use ecoute_domain::{
    Actor, Author, CannedReply, ChatStatistics, ClientMessageId, ClosingFacts, ConversationId,
    ConversationState, Coverage, Departement, Event, Force, Intake, IsoWeek, Need, PostalCode,
    PresenceHour, PresenceSample, Priority, PurgeDue, QueuedChat, Resource, RetentionPolicy, Role,
    Seq, Skills, TransitionError, Unit, UnitId, UserId,
};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// Failures of the storage layer itself (not refusals by the rules).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or did not answer in time. Retrying may work.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A unique value (such as a username) is already taken.
    #[error("already exists")]
    Conflict,
    /// Stored data does not make sense (a bug or tampering).
    #[error("corrupt data: {0}")]
    Corrupt(String),
}

/// Result of a storage call.
pub type StoreResult<T> = Result<T, StoreError>;

/// A staff account, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Stable id.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Name or pseudonym shown to visitors.
    pub display_name: String,
    /// What the account may do.
    pub role: Role,
    /// For a unit's account, its unit; `None` for every other role.
    pub unit: Option<UnitId>,
    /// Whether a TOTP authenticator is enrolled; until it is, the account may only enrol one.
    pub totp_enrolled: bool,
    /// What chats they can answer.
    pub skills: Skills,
    /// Most chats they may hold at once.
    pub capacity: u32,
}

/// A staff member's TOTP secret as stored: sealed with the master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTotp {
    /// The sealed secret.
    pub sealed: Vec<u8>,
    /// Which master key sealed it.
    pub key_version: u32,
    /// The last step a code was accepted for; no code of that step or earlier is accepted again.
    pub last_step: Option<u64>,
}

/// The authenticator secret offered to an account that has not enrolled one yet, sealed with
/// the master key: the same one is shown on every page until a code from it enrols it or it
/// expires, so that an app that scanned it keeps working across reloads and logins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTotp {
    /// The sealed secret.
    pub sealed: Vec<u8>,
    /// Which master key sealed it.
    pub key_version: u32,
    /// When it was first shown.
    pub issued_at: OffsetDateTime,
    /// After this, a new secret replaces it.
    pub expires_at: OffsetDateTime,
}

/// A staff account with its password hash, for logging in.
#[derive(Debug, Clone)]
pub struct UserCredentials {
    /// The account.
    pub user: User,
    /// argon2id PHC string.
    pub password_hash: String,
    /// The TOTP secret, once enrolled.
    pub totp: Option<StoredTotp>,
    /// Whether an administrator disabled the account: its login is refused.
    pub disabled: bool,
}

/// What is needed to create a staff account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Stable id.
    pub id: UserId,
    /// Login name, already validated.
    pub username: String,
    /// Name or pseudonym shown to visitors.
    pub display_name: String,
    /// What the account may do.
    pub role: Role,
    /// The unit of a unit's account (required for that role, refused for the others).
    pub unit: Option<UnitId>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// A staff login session, found by the hash of its cookie.
#[derive(Debug, Clone)]
pub struct StaffSession {
    /// Hash of the cookie value.
    pub token_hash: [u8; 32],
    /// Public id, to list and end it.
    pub id: String,
    /// Whose session.
    pub user: User,
    /// When it started (for the absolute timeout).
    pub created_at: OffsetDateTime,
    /// Last request seen (for the idle timeout).
    pub last_seen_at: OffsetDateTime,
}

/// What an audit entry records. Never message content, never an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAudit {
    /// When.
    pub at: OffsetDateTime,
    /// Who (none for the system or the command line).
    pub actor: Option<UserId>,
    /// Their login name at the time, or what was typed for a failed login.
    pub actor_name: Option<String>,
    /// What happened: a stable name such as `login`, `claim`, `read`.
    pub action: String,
    /// The conversation concerned.
    pub conversation: Option<ConversationId>,
    /// A few more words (an outcome, a role), never content.
    pub detail: Option<String>,
}

impl NewAudit {
    /// An entry about a staff member's action.
    pub fn by(user: &User, action: &str, at: OffsetDateTime) -> Self {
        Self {
            at,
            actor: Some(user.id),
            actor_name: Some(user.username.clone()),
            action: action.to_string(),
            conversation: None,
            detail: None,
        }
    }

    /// An entry about the system or the command line.
    pub fn system(action: &str, at: OffsetDateTime) -> Self {
        Self {
            at,
            actor: None,
            actor_name: None,
            action: action.to_string(),
            conversation: None,
            detail: None,
        }
    }

    /// About this conversation.
    pub fn on(mut self, conversation: ConversationId) -> Self {
        self.conversation = Some(conversation);
        self
    }

    /// With these words.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The fields in the order the hash chain covers them.
    pub fn chained_fields(&self, seq: u64) -> Vec<Vec<u8>> {
        let opt = |v: Option<String>| v.unwrap_or_default().into_bytes();
        vec![
            seq.to_be_bytes().to_vec(),
            ((self.at.unix_timestamp_nanos() / 1_000_000) as i64)
                .to_be_bytes()
                .to_vec(),
            opt(self.actor.map(|a| a.to_string())),
            opt(self.actor_name.clone()),
            self.action.clone().into_bytes(),
            opt(self.conversation.map(|c| c.to_string())),
            opt(self.detail.clone()),
        ]
    }

    /// This entry's hash after `prev`.
    pub fn hash(&self, seq: u64, prev: &[u8; 32]) -> [u8; 32] {
        let fields = self.chained_fields(seq);
        let refs: Vec<&[u8]> = fields.iter().map(|f| f.as_slice()).collect();
        ecoute_crypto::audit::entry_hash(prev, &refs)
    }
}

/// An audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// The entry.
    pub entry: NewAudit,
    /// The previous entry's hash.
    pub prev_hash: Vec<u8>,
    /// This entry's hash.
    pub hash: Vec<u8>,
}

/// A session as its owner sees it in the list of their sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Public id.
    pub id: String,
    /// Hash of the cookie, to tell the current one apart.
    pub token_hash: [u8; 32],
    /// When it started.
    pub created_at: OffsetDateTime,
    /// Last activity recorded.
    pub last_seen_at: OffsetDateTime,
}

/// What is needed to open a conversation.
#[derive(Debug, Clone)]
pub struct NewConversation {
    /// Random id.
    pub id: ConversationId,
    /// Hash of the visitor's token.
    pub token_hash: [u8; 32],
    /// What the visitor told us.
    pub intake: Intake,
    /// The conversation's data key, wrapped by the master key.
    pub wrapped_key: Vec<u8>,
    /// Which master key wrapped it.
    pub key_version: u32,
    /// When the visitor started.
    pub created_at: OffsetDateTime,
    /// The force of the visitor's postal code or département, if known.
    pub force: Option<Force>,
    /// The local unit proposed for forwarding, chosen at start from the postal code (which
    /// itself is not stored).
    pub proposed_unit: Option<UnitId>,
    /// From when any officer may take it, whatever their skills.
    pub open_to_all_at: OffsetDateTime,
    /// Its return code's lookup bucket and argon2id hash, stored with it in one write.
    pub return_code: Option<(u32, String)>,
}

/// A conversation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Random id.
    pub id: ConversationId,
    /// Where it stands.
    pub state: ConversationState,
    /// What the visitor told us.
    pub intake: Intake,
    /// The data key, wrapped by the master key.
    pub wrapped_key: Vec<u8>,
    /// Which master key wrapped it.
    pub key_version: u32,
    /// Highest sequence number stored (0 when empty).
    pub last_seq: Seq,
    /// When the visitor started.
    pub created_at: OffsetDateTime,
    /// When an officer claimed it.
    pub claimed_at: Option<OffsetDateTime>,
    /// When the visitor used the quick exit.
    pub visitor_left_at: Option<OffsetDateTime>,
    /// When it was closed.
    pub closed_at: Option<OffsetDateTime>,
    /// Display name of the officer who owns or owned it.
    pub officer_name: Option<String>,
    /// The force it needs (from its postal code or département; changed by a transfer to the
    /// other force).
    pub force: Option<Force>,
    /// The local unit proposed for forwarding, chosen at start; `None` when none covers it.
    pub proposed_unit: Option<UnitId>,
    /// How urgent it is.
    pub priority: Priority,
    /// Labels of the risk rules that matched what the visitor wrote, first match first.
    pub risk_flags: Vec<String>,
    /// From when any officer may take it, whatever their skills.
    pub open_to_all_at: OffsetDateTime,
    /// How many times it changed hands (transfer, take-over, back to the queue).
    pub handovers: u32,
    /// How far the visitor's device received and showed the officer's messages.
    pub visitor_marks: Marks,
    /// How far the officer's console received and showed the visitor's messages.
    pub officer_marks: Marks,
}

/// One side's marks once they moved, and the officer who holds the conversation (to be told).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarksMoved {
    /// The marks as they now stand.
    pub marks: Marks,
    /// The conversation's officer, if any.
    pub owner: Option<UserId>,
}

/// How far one side received and read the other side's messages (sequence numbers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    /// Highest sequence number received by the device.
    pub received: Seq,
    /// Highest sequence number shown to the person.
    pub read: Seq,
}

impl Conversation {
    /// What it needs from the officer who answers it.
    pub fn need(&self) -> Need {
        Need {
            force: self.force,
            minor: self.intake.minor,
            language: self.intake.language.clone(),
        }
    }

    /// As routing sees it in the queue.
    pub fn queued(&self) -> QueuedChat {
        QueuedChat {
            id: self.id,
            need: self.need(),
            priority: self.priority,
            waiting_since: self.created_at,
            open_to_all_at: self.open_to_all_at,
        }
    }
}

/// An account as routing and the supervisors' board see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffLoad {
    /// The account.
    pub user: User,
    /// Chats they hold now (active or visitor left).
    pub open: u32,
    /// When they last received a chat.
    pub last_assigned: Option<OffsetDateTime>,
}

/// A staff-only note as stored, its body sealed with the conversation's data key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNote {
    /// Its place among the conversation's notes (1, 2, 3…).
    pub seq: u64,
    /// What it is.
    pub kind: NoteKind,
    /// Who wrote it.
    pub author: Option<UserId>,
    /// Their display name.
    pub author_name: Option<String>,
    /// Sealed body.
    pub sealed_body: Vec<u8>,
    /// When.
    pub at: OffsetDateTime,
}

/// A canned reply as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReply {
    /// Stable id, to edit or delete it.
    pub id: uuid::Uuid,
    /// The reply.
    pub reply: CannedReply,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// The day's figures for the supervisors' board, since a given moment (midnight).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayFigures {
    /// Chats started since.
    pub started: u64,
    /// Chats waiting now.
    pub waiting: u64,
    /// Chats closed by an officer since.
    pub handled: u64,
    /// Visitors who left (quick exit) before any officer answered, since.
    pub left_unanswered: u64,
    /// Waits, in seconds, of the chats first claimed since, in no order.
    pub waits_secs: Vec<u64>,
}

/// Which kind of secret a master key protects. Each kind has its own rows, listed, counted and
/// sealed again by the same calls; a new kind is one more variant here and in each backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyKind {
    /// A conversation's data key, wrapped; its owner is the conversation.
    Data,
    /// A staff member's TOTP secret, sealed; its owner is the account. Only enrolled accounts
    /// have one.
    Totp,
    /// A dossier signing key's secret, sealed; its owner is the record id the seal is bound
    /// to ([`ecoute_crypto::signing::record_id`] of its version).
    Signing,
}

impl KeyKind {
    /// Every kind, in the order a rotation handles them.
    pub const ALL: [Self; 3] = [Self::Data, Self::Totp, Self::Signing];
}

/// A new dossier signing key, to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSigningKey {
    /// Its version (1 for the first; the caller takes the next one).
    pub version: u32,
    /// The Ed25519 public key, 32 bytes.
    pub public: [u8; 32],
    /// The secret, sealed by a master key.
    pub sealed: Vec<u8>,
    /// Which master key sealed it.
    pub key_version: u32,
    /// When it was made.
    pub created_at: OffsetDateTime,
}

/// A dossier signing key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSigningKey {
    /// Its version.
    pub version: u32,
    /// The Ed25519 public key, 32 bytes.
    pub public: [u8; 32],
    /// The secret, sealed by a master key.
    pub sealed: Vec<u8>,
    /// Which master key sealed it.
    pub key_version: u32,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it was retired; until then it may sign.
    pub retired_at: Option<OffsetDateTime>,
}

/// What retiring a signing key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningRetirement {
    /// Retired now, with its audit entry.
    Retired,
    /// No key has this version.
    Unknown,
    /// It was retired already; nothing changed.
    AlreadyRetired,
    /// No newer key is in service: retiring it would leave nothing to sign with, or send the
    /// signing back to an older key. Nothing changed.
    NoNewer,
}

/// A secret sealed by a master key, as read for sealing again under a newer one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedKey {
    /// Whose secret: the conversation's id for [`KeyKind::Data`], the account's for
    /// [`KeyKind::Totp`].
    pub owner: uuid::Uuid,
    /// Which master key sealed it.
    pub key_version: u32,
    /// The secret, sealed (for a data key: wrapped).
    pub sealed: Vec<u8>,
}

/// One secret sealed again: a compare-and-set that applies only if the row still holds exactly
/// the version and sealed bytes it was read with, so a concurrent change (another rotation, a
/// new enrolment, a purge) is never overwritten. Nothing else in the row changes (a TOTP
/// secret's last step used stays).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reseal {
    /// Whose secret, as in [`SealedKey::owner`].
    pub owner: uuid::Uuid,
    /// The version read.
    pub from_version: u32,
    /// The sealed bytes read.
    pub from_sealed: Vec<u8>,
    /// The version of the master key that sealed it again.
    pub to_version: u32,
    /// The same secret, sealed again.
    pub sealed: Vec<u8>,
}

/// Seals a message body once its sequence number is known (inside the transaction; again if
/// the transaction is retried). Owned, so that a backend may hand the message to the task that
/// writes a whole batch at once.
pub type Sealer = Box<dyn Fn(Seq) -> Vec<u8> + Send + Sync>;

/// A message to append.
pub struct NewMessage {
    /// The conversation.
    pub conversation: ConversationId,
    /// Who writes: the visitor, or an officer by id.
    pub actor: Actor,
    /// The sender's id for this message, for idempotent resends.
    pub client_id: ClientMessageId,
    /// Produces the sealed body for the sequence number chosen.
    pub seal: Sealer,
    /// When the server received it.
    pub now: OffsetDateTime,
    /// For a visitor's device: the hash of its token. The message is written only while this
    /// token still opens the conversation, checked in the same transaction as the write (a
    /// device whose token was revoked by a quick exit or replaced by a return code writes
    /// nothing more); otherwise the answer is `None`, as for an unknown conversation.
    pub visitor_token: Option<[u8; 32]>,
}

/// A login attempt checked against the failure limit, before the password is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginReservation {
    /// Under the limit: counted as a failure in advance, under this id, until
    /// [`Store::clear_login_attempt`] says it succeeded.
    Reserved(i64),
    /// The limit is reached; the oldest failure counted, from which the caller can tell when
    /// the next attempt will be allowed.
    Refused {
        /// When the oldest failure counted happened.
        oldest: Option<OffsetDateTime>,
    },
}

impl LoginReservation {
    /// Whether the attempt may go on.
    pub fn is_reserved(&self) -> bool {
        matches!(self, Self::Reserved(_))
    }
}

/// What a call that applies the rules to one conversation gives back, once the store itself
/// has answered (its own failures are the outer [`StoreResult`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Applied<T> {
    /// The rules allowed it and it was written.
    Done(T),
    /// The rules refused it; nothing was written.
    Refused(TransitionError),
    /// The conversation does not exist (or the caller may not know it does).
    NotFound,
}

impl<T> From<Option<Result<T, TransitionError>>> for Applied<T> {
    fn from(found: Option<Result<T, TransitionError>>) -> Self {
        match found {
            Some(Ok(value)) => Self::Done(value),
            Some(Err(refused)) => Self::Refused(refused),
            None => Self::NotFound,
        }
    }
}

/// A conversation after a transition or a resume.
pub type Transitioned = Applied<Conversation>;

/// A message after an append.
pub type AppendOutcome = Applied<Appended>;

impl<T> Applied<T> {
    /// `None` when not found, else the rules' answer: the shape to test against.
    pub fn found(self) -> Option<Result<T, TransitionError>> {
        match self {
            Self::Done(value) => Some(Ok(value)),
            Self::Refused(refused) => Some(Err(refused)),
            Self::NotFound => None,
        }
    }

    /// The value when done; `None` when refused or not found.
    pub fn done(self) -> Option<T> {
        match self {
            Self::Done(value) => Some(value),
            _ => None,
        }
    }

    /// The value when done, else the refusal, or `not_found` when there was nothing to apply
    /// it to: for callers that answer both with an error of their own.
    pub fn or_not_found<E: From<TransitionError>>(self, not_found: E) -> Result<T, E> {
        match self {
            Self::Done(value) => Ok(value),
            Self::Refused(refused) => Err(refused.into()),
            Self::NotFound => Err(not_found),
        }
    }
}

/// The result of appending a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Its place in the conversation.
    pub seq: Seq,
    /// When it was first stored.
    pub sent_at: OffsetDateTime,
    /// True when this `client_id` was already stored: nothing new was written.
    pub duplicate: bool,
    /// The officer who owns the chat at that moment, if any.
    pub owner: Option<UserId>,
    /// The message as stored (the first one, for a duplicate), to announce without reading again.
    pub message: StoredMessage,
}

/// A stored message, still sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Its place in the conversation.
    pub seq: Seq,
    /// Visitor or officer.
    pub author: Author,
    /// The officer who wrote it.
    pub officer_id: Option<UserId>,
    /// That officer's display name.
    pub officer_name: Option<String>,
    /// The sender's id for this message.
    pub client_id: String,
    /// Nonce, ciphertext and tag.
    pub sealed_body: Vec<u8>,
    /// When it was stored.
    pub sent_at: OffsetDateTime,
}

/// A conversation whose retention period is over: what the purge needs to know, no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeCandidate {
    /// Random id.
    pub id: ConversationId,
    /// Where it stands.
    pub state: ConversationState,
    /// When the visitor started.
    pub created_at: OffsetDateTime,
    /// When it was closed, if it was.
    pub closed_at: Option<OffsetDateTime>,
    /// How many messages it holds (its sequence has no gap, so this is its last number).
    pub messages: u64,
    /// The rule that applies, and since when its period is over.
    pub due: PurgeDue,
}

/// What one call to [`Store::purge`] removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    /// The conversations deleted, with their wrapped data keys.
    pub conversations: Vec<ConversationId>,
    /// How many messages went with them.
    pub messages: u64,
    /// How many dossiers went with them (their files were sealed with the same data keys).
    pub dossiers: u64,
    /// Whether the deleted bytes are also gone from the database files. `Some(false)` when the
    /// backend could not finish erasing them yet (SQLite: a long reader kept the WAL from
    /// being truncated); the next purge tries again. `None` when the backend cannot erase them
    /// at all (PostgreSQL: dead rows stay in the table files until VACUUM reuses their space,
    /// and in the write-ahead log and backups): the wrapped data key went with the
    /// conversation, so what remains cannot be read.
    pub files_scrubbed: Option<bool>,
}

/// The storage contract. Every method is atomic.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    // ---- The database itself
    /// Answers when the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Finishes what is in flight and closes the connections (at shutdown). Nothing may be
    /// called after it.
    async fn close(&self) {}

    // ---- Staff accounts, their skills and capacity
    /// Number of staff accounts.
    async fn count_users(&self) -> StoreResult<u64>;
    /// Creates a staff account and records it in the audit log, in one transaction;
    /// [`StoreError::Conflict`] if the username is taken.
    async fn create_user(&self, user: NewUser, audit: NewAudit) -> StoreResult<User>;
    /// Creates a staff account whole (its capacity, skills, and the authenticator and link
    /// given) and appends `audits` in their order, in one transaction: a failure writes
    /// nothing. [`StoreError::Conflict`] (and nothing written) if the username is taken.
    async fn create_account(
        &self,
        account: NewStaffAccount,
        audits: Vec<NewAudit>,
    ) -> StoreResult<User>;
    /// Finds an account and its password hash by login name.
    async fn user_credentials(&self, username: &str) -> StoreResult<Option<UserCredentials>>;
    /// Sets how many chats an officer may hold at once (1 to [`ecoute_domain::MAX_CAPACITY`]),
    /// audited; `false` if there is no such account.
    async fn set_capacity(&self, user: UserId, capacity: u32, audit: NewAudit)
    -> StoreResult<bool>;
    /// Sets an account's skills, audited; `false` if there is no such account.
    async fn set_skills(&self, user: UserId, skills: &Skills, audit: NewAudit)
    -> StoreResult<bool>;
    /// Every staff account with its load.
    async fn staff_loads(&self) -> StoreResult<Vec<StaffLoad>>;

    // ---- The département → force table, with its commune (postal code) rows
    /// Replaces the force table (département and postal code rows), audited, in one
    /// transaction. Returns its size; [`StoreError::Conflict`] (and nothing changed) if a place
    /// is listed twice.
    async fn load_forces(&self, table: &[(Coverage, Force)], audit: NewAudit) -> StoreResult<u64>;
    /// The force that answers a place: the postal code's row if the table has one, else the
    /// département's; `None` if the table lists neither.
    async fn force_of(
        &self,
        postal_code: Option<&PostalCode>,
        departement: &Departement,
    ) -> StoreResult<Option<Force>>;
    /// The whole table, by place code.
    async fn forces(&self) -> StoreResult<Vec<(Coverage, Force)>>;

    // ---- The directory of local units that receive forwarded reports
    /// Replaces the whole directory of local units, with the places each covers, and appends
    /// its audit entry, in one transaction. Returns how many units. [`StoreError::Conflict`]
    /// (and nothing changed) if an id is listed twice.
    async fn load_units(&self, units: &[Unit], audit: NewAudit) -> StoreResult<u64>;
    /// Every unit, by id, each with its places in the order they were loaded.
    async fn units(&self) -> StoreResult<Vec<Unit>>;
    /// One unit; `None` if the directory does not list it.
    async fn unit(&self, id: &UnitId) -> StoreResult<Option<Unit>>;

    // ---- Authenticators and login attempts
    /// Enrols a TOTP secret (sealed) with fresh recovery codes, only if the account has none
    /// yet (two enrolments racing: one wins); `false` when it already had one.
    async fn enrol_totp(
        &self,
        user: UserId,
        totp: StoredTotp,
        recovery_hashes: Vec<[u8; 32]>,
        audit: NewAudit,
    ) -> StoreResult<bool>;
    /// The authenticator secret offered to an account and not yet enrolled, expired or not.
    async fn pending_totp(&self, user: UserId) -> StoreResult<Option<PendingTotp>>;
    /// Offers `fresh` to an account that has no pending secret, and returns the one it has
    /// afterwards: `fresh`, or the one another request offered first (two pages loaded at once
    /// show one secret).
    async fn offer_pending_totp(
        &self,
        user: UserId,
        fresh: PendingTotp,
    ) -> StoreResult<PendingTotp>;
    /// Forgets an account's pending secret (enrolled, expired, or no longer opening).
    async fn clear_pending_totp(&self, user: UserId) -> StoreResult<()>;
    /// Replaces an account's password hash and appends its audit entry, in one transaction.
    async fn set_password(&self, user: UserId, hash: &str, audit: NewAudit) -> StoreResult<()>;
    /// Replaces all of an account's recovery codes (spent or not) with fresh ones and appends
    /// its audit entry, in one transaction: the old codes stop working at once.
    async fn replace_recovery_codes(
        &self,
        user: UserId,
        recovery_hashes: Vec<[u8; 32]>,
        audit: NewAudit,
    ) -> StoreResult<()>;
    /// Records that a TOTP step was used; `false` if that step (or a later one) already was.
    async fn use_totp_step(&self, user: UserId, step: u64) -> StoreResult<bool>;
    /// Spends a recovery code; `false` if it is unknown or already spent.
    async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<bool>;
    /// Number of recovery codes not yet spent.
    async fn recovery_codes_left(&self, user: UserId) -> StoreResult<u64>;
    /// Failed logins for this username since `since`, and when the oldest of them happened.
    async fn login_failures_since(
        &self,
        username: &str,
        since: OffsetDateTime,
    ) -> StoreResult<(u64, Option<OffsetDateTime>)>;
    /// Before checking a login: in one transaction, forgets failures before `since`, counts this
    /// username's failures since `since`, and, when fewer than `max`, records this attempt as a
    /// failure in advance (so that attempts checked at the same time cannot all slip under the
    /// limit). See [`LoginReservation`].
    async fn reserve_login_attempt(
        &self,
        username: &str,
        since: OffsetDateTime,
        at: OffsetDateTime,
        max: u64,
    ) -> StoreResult<LoginReservation>;
    /// Removes a reserved attempt that turned out to be a success.
    async fn clear_login_attempt(&self, id: i64) -> StoreResult<()>;
    /// Records a failed login (and forgets failures older than `forget_before`), audited.
    async fn record_login_failure(
        &self,
        username: &str,
        forget_before: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<()>;

    // ---- The audit log
    /// Appends an entry to the audit log on its own (for actions that write nothing else,
    /// such as a read).
    async fn append_audit(&self, audit: NewAudit) -> StoreResult<()>;
    /// Audit entries with a sequence below `before` (or the newest, when `None`), newest first.
    async fn audit_page(&self, before: Option<u64>, limit: u32) -> StoreResult<Vec<AuditRecord>>;
    /// Audit entries after `after`, oldest first, for verifying the chain.
    async fn audit_after(&self, after: u64, limit: u32) -> StoreResult<Vec<AuditRecord>>;

    // ---- The first administrator and staff sessions
    /// Records a one-time code that allows creating the first administrator, and withdraws
    /// every earlier unused one: only the link printed last works.
    async fn create_setup_code(
        &self,
        code_hash: [u8; 32],
        expires_at: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Creates the first administrator if the code is valid, unexpired and unused and no
    /// account exists yet; consumes the code. `None` when refused.
    async fn redeem_setup_code(
        &self,
        code_hash: [u8; 32],
        now: OffsetDateTime,
        admin: NewUser,
        audit: NewAudit,
    ) -> StoreResult<Option<User>>;

    /// Starts a staff session, audited as a login.
    async fn create_session(
        &self,
        token_hash: [u8; 32],
        id: &str,
        user: UserId,
        now: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<()>;
    /// A user's sessions, most recent first.
    async fn sessions_of(&self, user: UserId) -> StoreResult<Vec<SessionInfo>>;
    /// Finds a session by the hash of its cookie.
    async fn session(&self, token_hash: [u8; 32]) -> StoreResult<Option<StaffSession>>;
    /// Records activity on a session.
    async fn touch_session(&self, token_hash: [u8; 32], now: OffsetDateTime) -> StoreResult<()>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: [u8; 32]) -> StoreResult<()>;

    // ---- Conversations and the queue
    /// Opens a conversation in the waiting state.
    async fn create_conversation(&self, new: NewConversation) -> StoreResult<Conversation>;
    /// Finds a conversation by id.
    async fn conversation(&self, id: ConversationId) -> StoreResult<Option<Conversation>>;
    /// Finds the conversation of a visitor token, unless the token has been revoked.
    async fn conversation_by_token(
        &self,
        token_hash: [u8; 32],
    ) -> StoreResult<Option<Conversation>>;
    /// Waiting conversations in queue order ([`ecoute_domain::queue_order`]): priority, then
    /// waiting time.
    async fn waiting_queue(&self) -> StoreResult<Vec<Conversation>>;
    /// How many conversations are waiting (cheap: for the flood cap).
    async fn count_waiting(&self) -> StoreResult<u64>;
    /// The chats an officer owns and has not closed yet.
    async fn open_chats_of(&self, officer: UserId) -> StoreResult<Vec<Conversation>>;
    /// Closed conversations, most recently closed first: closed by `officer` when given, by
    /// anyone otherwise; closed at or after `since`; at most `limit`. Purged ones are gone.
    async fn closed_conversations(
        &self,
        officer: Option<UserId>,
        since: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>>;

    // ---- What happens to a conversation: the rules applied, the case file
    /// Applies a transition if the rules allow it, atomically. The outer error is a storage
    /// failure; the inner one a refusal by the rules. `None` when the conversation does not exist.
    /// A release to another force also restarts the chat's overflow period, from now, with its
    /// original length.
    /// When the transition closes the chat, its statistics row is written in the same
    /// transaction, without facts (see [`Store::transition_closing`]).
    async fn transition(
        &self,
        id: ConversationId,
        actor: Actor,
        event: Event,
        now: OffsetDateTime,
        audit: Option<NewAudit>,
    ) -> StoreResult<Transitioned> {
        self.transition_closing(id, actor, event, now, audit, ClosingFacts::default())
            .await
    }

    /// Replaces a chat's sealed case file, only while `officer` owns the open chat; audited.
    /// `Ok(false)` when they do not (someone else's chat, closed, unknown).
    async fn save_case_file(
        &self,
        id: ConversationId,
        officer: UserId,
        sealed: &[u8],
        audit: NewAudit,
    ) -> StoreResult<bool>;
    /// A chat's sealed case file, if one was saved.
    async fn case_file(&self, id: ConversationId) -> StoreResult<Option<Vec<u8>>>;

    // ---- Return codes and coming back
    /// The installation secret called `name`: `fresh` is stored the first time, and the stored
    /// one is returned ever after (two first calls racing agree on one).
    async fn install_secret(&self, name: &str, fresh: [u8; 32]) -> StoreResult<[u8; 32]>;
    /// Records a conversation's return code: its lookup bucket and its argon2id hash.
    async fn set_return_code(&self, id: ConversationId, bucket: u32, hash: &str)
    -> StoreResult<()>;
    /// Conversations whose return code falls in `bucket`, with the code's hash; blocked ones
    /// are left out.
    async fn return_code_candidates(
        &self,
        bucket: u32,
    ) -> StoreResult<Vec<(ConversationId, String)>>;
    /// The visitor came back with the code: applies [`Event::Return`] and gives the
    /// conversation a new token (the old one stops working), in one transaction. `None` when the
    /// conversation does not exist or was blocked.
    async fn resume(
        &self,
        id: ConversationId,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<Transitioned>;

    // ---- Read marks
    /// Moves one side's marks forward (never back; read implies received; at most the last
    /// sequence number). An officer's marks count only while the conversation is theirs.
    /// Returns the marks when they moved, with who holds the conversation; `None` when nothing
    /// changed, the conversation does not exist or is not this officer's.
    async fn advance_marks(
        &self,
        id: ConversationId,
        reader: Actor,
        marks: Marks,
    ) -> StoreResult<Option<MarksMoved>>;

    // ---- Canned replies and the directory of support services
    /// Every canned reply, by shortcut.
    async fn canned_replies(&self) -> StoreResult<Vec<StoredReply>>;
    /// Creates (`id` `None`) or replaces a canned reply, audited. `Ok(None)` when `id` is
    /// unknown; [`StoreError::Conflict`] when another reply has this shortcut.
    async fn save_canned_reply(
        &self,
        id: Option<uuid::Uuid>,
        reply: &CannedReply,
        now: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<Option<StoredReply>>;
    /// Deletes a canned reply, audited; `false` when unknown.
    async fn delete_canned_reply(&self, id: uuid::Uuid, audit: NewAudit) -> StoreResult<bool>;
    /// Replaces the whole directory of support services, audited, in one transaction.
    async fn load_resources(&self, resources: &[Resource], audit: NewAudit) -> StoreResult<u64>;
    /// The national services, then those of `departement`, in file order.
    async fn resources_for(&self, departement: Option<&Departement>) -> StoreResult<Vec<Resource>>;
    /// How many entries the directory holds.
    async fn count_resources(&self) -> StoreResult<u64>;

    // ---- Routing, priority, language, staff notes and supervision
    /// Pull mode: claims for `officer`, atomically, the first waiting chat in queue order that
    /// they may serve (see [`ecoute_domain::check_claim`]). [`Applied::NotFound`] when none
    /// fits; refused with `AtCapacity` when they hold as many chats as they may. `audit` is
    /// completed with the chat's id.
    async fn take_next(
        &self,
        officer: UserId,
        now: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<Applied<Conversation>>;

    /// Raises a chat's priority (never lowers it) and adds risk labels not yet there. Returns
    /// the conversation when something changed.
    async fn raise_priority(
        &self,
        id: ConversationId,
        priority: Priority,
        labels: &[String],
    ) -> StoreResult<Option<Conversation>>;

    /// The visitor now reads in another language: the chat's language (what the officer sees,
    /// and what routing needs while it waits) becomes this one. Returns the conversation when
    /// it changed; `None` when it was already so, or the conversation is unknown or closed.
    async fn set_language(
        &self,
        id: ConversationId,
        language: &ecoute_domain::Language,
    ) -> StoreResult<Option<Conversation>>;

    /// Adds a staff-only note, its body sealed by `seal` with its sequence number. A note or a
    /// handover note only by the officer who holds the open chat; a whisper only to an open
    /// chat that an officer holds. `None` when the conversation does not exist or this rule
    /// refuses.
    async fn add_note(
        &self,
        id: ConversationId,
        kind: NoteKind,
        author: Option<UserId>,
        seal: &(dyn Fn(u64) -> Vec<u8> + Send + Sync),
        now: OffsetDateTime,
        audit: Option<NewAudit>,
    ) -> StoreResult<Option<StoredNote>>;
    /// A conversation's staff-only notes, in order.
    async fn notes(&self, id: ConversationId) -> StoreResult<Vec<StoredNote>>;

    /// Every conversation not closed (waiting, active, visitor left), oldest first.
    async fn live_conversations(&self) -> StoreResult<Vec<Conversation>>;
    /// The figures of the day since `since`.
    async fn day_figures(&self, since: OffsetDateTime) -> StoreResult<DayFigures>;

    // ---- The quick exit
    /// The visitor's quick exit: revokes the token and applies [`Event::QuickExit`] in one
    /// transaction. `None` when the token is unknown or already revoked.
    async fn quick_exit(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<Option<Conversation>>;

    // ---- Messages
    /// Appends a message if the rules allow `actor` to write now; a known `client_id` returns
    /// the original sequence number without writing. `None` when the conversation does not
    /// exist, or when [`NewMessage::visitor_token`] no longer opens it.
    async fn append_message(&self, message: NewMessage) -> StoreResult<AppendOutcome>;

    /// Appends several messages in the order given, each as [`Self::append_message`] would,
    /// and answers in that order. One sender's messages waiting together (a console that
    /// writes in many chats at once) then need not wait for each other's commits: a backend
    /// may write them all in one transaction.
    async fn append_messages(&self, messages: Vec<NewMessage>) -> Vec<StoreResult<AppendOutcome>> {
        let mut answers = Vec::with_capacity(messages.len());
        for message in messages {
            answers.push(self.append_message(message).await);
        }
        answers
    }

    /// Messages with a sequence number above `after`, in order, at most `limit`.
    async fn messages_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        limit: u32,
    ) -> StoreResult<Vec<StoredMessage>>;

    // ---- Retention
    /// Conversations whose retention period under `policy` is over at `now`, at most `limit`,
    /// ordered by rule (in [`ecoute_domain::RetentionRule::all`] order), then start of period,
    /// then id. A page resumes after `after`, the last candidate of the previous page. Cheap
    /// when nothing is due: one indexed range scan per rule.
    async fn purge_candidates(
        &self,
        policy: &RetentionPolicy,
        now: OffsetDateTime,
        after: Option<&PurgeCandidate>,
        limit: u32,
    ) -> StoreResult<Vec<PurgeCandidate>>;

    /// Deletes, in one transaction, those of `ids` that are still due at `now` under `policy`
    /// (checked again inside the transaction, so a chat closed meanwhile is kept): their
    /// messages and their row, which holds the wrapped data key, so nothing of them can ever
    /// be decrypted again (crypto-shredding). Then erases the deleted bytes from the files.
    /// Unknown ids and ids not due are skipped.
    async fn purge(
        &self,
        ids: &[ConversationId],
        policy: &RetentionPolicy,
        now: OffsetDateTime,
    ) -> StoreResult<Purged>;

    // ---- Statistics
    /// [`Store::transition`], and when it closes the chat (an officer's close or block), the
    /// chat's statistics row written with `closing` (what only the service knows: the facts of
    /// the sealed qualification, the unit of a forwarded report) in the same transaction, so
    /// no chat ends without its row and no row exists for a close that was rolled back. A chat
    /// that ends by the visitor's quick exit while waiting, or that is purged without having
    /// been closed, gets its row in that transaction too, without facts.
    async fn transition_closing(
        &self,
        id: ConversationId,
        actor: Actor,
        event: Event,
        now: OffsetDateTime,
        audit: Option<NewAudit>,
        closing: ClosingFacts,
    ) -> StoreResult<Transitioned>;

    /// The statistics rows of the chats that started in the weeks `from` to `to` (both
    /// included), ordered by week and hour of the week (never in the order they were written).
    async fn statistics(&self, from: IsoWeek, to: IsoWeek) -> StoreResult<Vec<ChatStatistics>>;

    // Wellbeing (docs/WELLBEING.md, crate::wellbeing).

    /// Records minutes officers held chats; a (chat, minute) already recorded is left as it is.
    /// Returns how many were new.
    async fn record_exposure(&self, minutes: &[wellbeing::ExposureMinute]) -> StoreResult<u64>;

    /// The minutes recorded from minute `since` on, of one officer or of everyone, in order
    /// of minute.
    async fn exposure_minutes(
        &self,
        officer: Option<UserId>,
        since: i64,
    ) -> StoreResult<Vec<wellbeing::ExposureMinute>>;

    /// An officer begins a break at `at` (a break of theirs still open ends then), with its
    /// audit.
    async fn start_break(
        &self,
        officer: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<()>;

    /// An officer's open break ends at `at`, with its audit; `false` (and no audit) when none
    /// was open.
    async fn end_break(
        &self,
        officer: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<bool>;

    /// The breaks of one officer or of everyone that began at or after `since` or are still
    /// open, oldest first.
    async fn breaks_since(
        &self,
        officer: Option<UserId>,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<wellbeing::StoredBreak>>;

    /// Each officer's latest break.
    async fn last_breaks(&self) -> StoreResult<Vec<wellbeing::StoredBreak>>;

    /// Deletes the exposure minutes before minute `minutes_before` and the breaks ended
    /// before `breaks_before`; returns how many rows went.
    async fn purge_wellbeing(
        &self,
        minutes_before: i64,
        breaks_before: OffsetDateTime,
    ) -> StoreResult<u64>;

    // ---- The presence history, for the staffing plan (docs/STATISTICS.md)
    /// Adds one minute to its hour: `sample.officers` officers available then. A minute is
    /// counted once, however many nodes sample it: `false` (nothing written) when that minute
    /// of that hour of that week is recorded already.
    async fn record_presence(&self, sample: PresenceSample) -> StoreResult<bool>;

    /// The presence history of the weeks `from` to `to` (both included), by week and hour.
    async fn presence_history(&self, from: IsoWeek, to: IsoWeek) -> StoreResult<Vec<PresenceHour>>;

    // ---- Dossier signing keys
    /// Stores a new signing key and its audit entry, in one transaction.
    /// [`StoreError::Conflict`] when its version is taken (another node or command made it).
    async fn add_signing_key(&self, key: NewSigningKey, audit: NewAudit) -> StoreResult<()>;

    /// The key that signs now: the highest version not retired.
    async fn current_signing_key(&self) -> StoreResult<Option<StoredSigningKey>>;

    /// Every signing key, retired ones included, by version.
    async fn signing_keys(&self) -> StoreResult<Vec<StoredSigningKey>>;

    /// Retires a version with its audit entry, only while a newer version is not retired: the
    /// key that signs never changes by a retirement, and there is always one once there was.
    async fn retire_signing_key(
        &self,
        version: u32,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<SigningRetirement>;

    // ---- Forwarding: the visitor's consent, the dossiers, what units and persons record
    /// The officer who holds the open chat asks the visitor whether the report may go to
    /// `unit`, replacing any earlier question and answer (a yes is to one unit); audited.
    /// `Ok(false)` when they do not hold it (someone else's chat, closed, unknown).
    async fn ask_consent(
        &self,
        id: ConversationId,
        officer: UserId,
        unit: &UnitId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<bool>;

    /// Records the visitor's answer to the pending question about `unit`, with its sealed
    /// details; audited. `Ok(false)` when no question about that unit waits for an answer in
    /// an open chat (already answered, another unit asked since, closed).
    async fn answer_consent(
        &self,
        id: ConversationId,
        unit: &UnitId,
        yes: bool,
        sealed: &[u8],
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<bool>;

    /// A chat's consent question and answer, if it was ever asked.
    async fn consent(&self, id: ConversationId) -> StoreResult<Option<StoredConsent>>;

    /// Stores a dossier in state `sent`, with its audit entry. `Ok(false)` (and nothing
    /// written) when the chat already has one.
    async fn create_dossier(&self, dossier: NewDossier, audit: NewAudit) -> StoreResult<bool>;

    /// Chats closed as forwarded that have no dossier yet (a production interrupted by a
    /// crash), oldest first, at most `limit`.
    async fn forwarded_without_dossier(&self, limit: u32) -> StoreResult<Vec<ConversationId>>;

    /// One dossier, where it stands.
    async fn dossier(&self, id: uuid::Uuid) -> StoreResult<Option<DossierRow>>;

    /// The dossier of a chat, if it has one.
    async fn dossier_of(&self, conversation: ConversationId) -> StoreResult<Option<DossierRow>>;

    /// The sealed link of a forwarded chat to its statistics row, if it has one.
    async fn statistics_link(&self, conversation: ConversationId) -> StoreResult<Option<Vec<u8>>>;

    /// Dossiers, of one unit or of all: open ones first, then newest first; at most `limit`.
    async fn dossiers(&self, unit: Option<&UnitId>, limit: u32) -> StoreResult<Vec<DossierRow>>;

    /// How many dossiers produced before `before` are still waiting for their unit's
    /// acknowledgement (state `sent`).
    async fn count_unacknowledged(&self, before: OffsetDateTime) -> StoreResult<u64>;

    /// A dossier's two sealed files: the JSON, then the PDF.
    async fn dossier_files(&self, id: uuid::Uuid) -> StoreResult<Option<(Vec<u8>, Vec<u8>)>>;

    /// Records a change on a dossier if the domain's rules allow it
    /// ([`ecoute_domain::DossierState::unit_records`], `withdraw`; a message from the person
    /// leaves the state as it is but is refused once the dossier is final), with its audit
    /// entry, atomically. `None` when the dossier does not exist; the inner error is the rules'.
    async fn record_dossier_event(
        &self,
        id: uuid::Uuid,
        event: NewDossierEvent,
        audit: NewAudit,
    ) -> StoreResult<Option<Result<DossierRow, ecoute_domain::DossierError>>>;

    /// Everything recorded on a dossier, in order.
    async fn dossier_events(&self, id: uuid::Uuid) -> StoreResult<Vec<StoredDossierEvent>>;

    /// Keeps what became of a notification e-mail (no address, no content).
    async fn log_notification(&self, record: NotificationRecord) -> StoreResult<()>;

    /// The notifications about one dossier, oldest first.
    async fn notifications(&self, dossier: uuid::Uuid) -> StoreResult<Vec<NotificationRecord>>;

    // ---- Key rotation
    /// At most `limit` secrets of `kind` sealed by a master key older than `version`, oldest
    /// version first (then by owner): the work a key rotation has left.
    async fn keys_below_version(
        &self,
        kind: KeyKind,
        version: u32,
        limit: u32,
    ) -> StoreResult<Vec<SealedKey>>;

    /// Applies secrets of `kind` sealed again, in one transaction, each only if its row still
    /// holds the version and sealed bytes it was read with. Returns how many rows changed.
    async fn reseal_keys(&self, kind: KeyKind, reseals: Vec<Reseal>) -> StoreResult<u64>;

    /// How many secrets of `kind` each master key version seals (versions in use only).
    async fn key_version_counts(&self, kind: KeyKind) -> StoreResult<BTreeMap<u32, u64>>;

    /// One secret of `kind` sealed by master key `version`, if there is one: something to try
    /// a key on.
    async fn sealed_key_at_version(
        &self,
        kind: KeyKind,
        version: u32,
    ) -> StoreResult<Option<SealedKey>>;

    // ---- Master key checks
    /// The key check value recorded for each master key version.
    async fn key_checks(&self) -> StoreResult<BTreeMap<u32, Vec<u8>>>;

    /// Records `check` as master key `version`'s check value unless one is recorded already,
    /// and returns the one recorded: of two first calls racing (two nodes starting together),
    /// both get the winner's.
    async fn record_key_check(
        &self,
        version: u32,
        check: &[u8],
        at: OffsetDateTime,
    ) -> StoreResult<Vec<u8>>;

    // ---- Account administration (docs/ADMINISTRATION.md)
    /// Every account with its state, by display name.
    async fn accounts(&self) -> StoreResult<Vec<Account>>;

    /// One account with its state; `None` when unknown.
    async fn account(&self, user: UserId) -> StoreResult<Option<Account>>;

    /// Disables an account, audited, in one transaction that also deletes every one of its
    /// sessions (returned, to close their sockets). Refused with
    /// [`AccountRefusal::LastAdmin`] (nothing changed) when it is the last enabled
    /// administrator. An account disabled already stays so, from the first time.
    async fn disable_account(
        &self,
        user: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<Result<Disabled, AccountRefusal>>;

    /// Enables a disabled account again, audited (an enabled one stays as it is).
    async fn enable_account(&self, user: UserId, audit: NewAudit) -> StoreResult<AccountChange>;

    /// Gives an account another platform role (officer, supervisor, admin), audited. Refused
    /// with [`AccountRefusal::LastAdmin`] when it would demote the last enabled administrator,
    /// and with [`AccountRefusal::UnitRole`] when the account is a unit's or `role` is
    /// [`Role::Unit`] (a unit's account is tied to its unit from its creation).
    async fn set_role(
        &self,
        user: UserId,
        role: Role,
        audit: NewAudit,
    ) -> StoreResult<AccountChange>;

    /// Changes the name shown to visitors, audited.
    async fn set_display_name(
        &self,
        user: UserId,
        display_name: &str,
        audit: NewAudit,
    ) -> StoreResult<AccountChange>;

    /// Stores a one-time link, audited; every earlier link of that account not yet used stops
    /// working in the same transaction. `false` (nothing written) when the account is unknown.
    async fn create_account_link(&self, link: NewAccountLink, audit: NewAudit)
    -> StoreResult<bool>;

    /// The link of this token hash if it may still be used at `now`: unused, unexpired, its
    /// account enabled.
    async fn account_link(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<Option<AccountLink>>;

    /// Spends a link and writes what its holder chose, audited, in one transaction: the new
    /// password, or the new authenticator and its recovery codes (the old ones stop working),
    /// and every session of the account ends (returned, to close their sockets). Of two
    /// redemptions racing, one wins. `None` (nothing written) when the link is unknown, used,
    /// expired, its account disabled, or the redemption does not carry what its purpose asks.
    async fn redeem_account_link(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        redemption: LinkRedemption,
        audit: NewAudit,
    ) -> StoreResult<Option<(User, Vec<[u8; 32]>)>>;
    // ---- Shifts: presence spans (docs/SHIFTS.md)
    /// `user`'s effective presence is `state` from `at` (`None`: offline). The open span is
    /// closed at `at` if its state differs, and a new one opened; the same state only confirms
    /// the open span. Two nodes writing the same change open one span.
    async fn record_presence_span(
        &self,
        user: UserId,
        state: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()>;

    /// Confirms at `at` the open spans of `users` (those whose console this node holds).
    async fn confirm_presence_spans(&self, users: &[UserId], at: OffsetDateTime)
    -> StoreResult<()>;

    /// Closes, at their last confirmation, the open spans not confirmed since `before` (their
    /// node died or forgot them). Returns how many.
    async fn close_lapsed_presence_spans(&self, before: OffsetDateTime) -> StoreResult<u64>;

    /// The spans that overlap `from`..`to`, by person then start.
    async fn presence_spans(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> StoreResult<Vec<shifts::PresenceSpan>>;

    /// Deletes the spans that ended before `before`. Returns how many.
    async fn purge_presence_spans(&self, before: OffsetDateTime) -> StoreResult<u64>;
}

/// What a visitor token's author is, for messages: helper used by backends.
pub fn author_of(actor: Actor) -> (Author, Option<UserId>) {
    match actor {
        Actor::Visitor => (Author::Visitor, None),
        Actor::Officer(id) => (Author::Officer, Some(id)),
    }
}
