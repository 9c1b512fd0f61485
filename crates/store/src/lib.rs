//! The storage contract of Écoute.
//!
//! Every backend (SQLite now, PostgreSQL later) implements [`Store`], and runs the
//! same [`conformance`] suite. The rules that decide a transition live in
//! `ecoute-domain`; a backend's job is to apply them atomically: it reads the
//! current state and writes the next one in one transaction, so two officers
//! racing for a chat can never both win.

pub mod conformance;

use async_trait::async_trait;
use ecoute_domain::{
    Actor, Author, ClientMessageId, ConversationId, ConversationState, Event, Intake, Role, Seq,
    TransitionError, UserId,
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
}

/// A staff account with its password hash, for logging in.
#[derive(Debug, Clone)]
pub struct UserCredentials {
    /// The account.
    pub user: User,
    /// argon2id PHC string.
    pub password_hash: String,
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
    /// Whose session.
    pub user: User,
    /// When it started (for the absolute timeout).
    pub created_at: OffsetDateTime,
    /// Last request seen (for the idle timeout).
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
}

/// A conversation's wrapped data key, as read for re-wrapping under a newer master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationKey {
    /// The conversation.
    pub id: ConversationId,
    /// Which master key wrapped it.
    pub key_version: u32,
    /// The data key, wrapped.
    pub wrapped_key: Vec<u8>,
}

/// One re-wrapped data key: a compare-and-set that applies only if the row still holds exactly
/// the version and wrapped key it was read with, so a concurrent change is never overwritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrap {
    /// The conversation.
    pub id: ConversationId,
    /// The version read.
    pub from_version: u32,
    /// The wrapped key read.
    pub from_wrapped: Vec<u8>,
    /// The version of the master key that wrapped it again.
    pub to_version: u32,
    /// The same data key, wrapped again.
    pub wrapped: Vec<u8>,
}

/// Seals a message body once its sequence number is known (inside the transaction).
pub type Sealer<'a> = &'a (dyn Fn(Seq) -> Vec<u8> + Send + Sync);

/// A message to append.
pub struct NewMessage<'a> {
    /// The conversation.
    pub conversation: ConversationId,
    /// Who writes: the visitor, or an officer by id.
    pub actor: Actor,
    /// The sender's id for this message, for idempotent resends.
    pub client_id: &'a ClientMessageId,
    /// Produces the sealed body for the sequence number chosen.
    pub seal: Sealer<'a>,
    /// When the server received it.
    pub now: OffsetDateTime,
}

/// The result of appending a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Its place in the conversation.
    pub seq: Seq,
    /// When it was first stored.
    pub sent_at: OffsetDateTime,
    /// True when this `client_id` was already stored: nothing new was written.
    pub duplicate: bool,
    /// The officer who owns the chat at that moment, if any.
    pub owner: Option<UserId>,
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

/// The storage contract. Every method is atomic.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Answers when the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Number of staff accounts.
    async fn count_users(&self) -> StoreResult<u64>;
    /// Creates a staff account; [`StoreError::Conflict`] if the username is taken.
    async fn create_user(&self, user: NewUser) -> StoreResult<User>;
    /// Finds an account and its password hash by login name.
    async fn user_credentials(&self, username: &str) -> StoreResult<Option<UserCredentials>>;

    /// Records a one-time code that allows creating the first administrator.
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
    ) -> StoreResult<Option<User>>;

    /// Starts a staff session.
    async fn create_session(
        &self,
        token_hash: [u8; 32],
        user: UserId,
        now: OffsetDateTime,
    ) -> StoreResult<()>;
    /// Finds a session by the hash of its cookie.
    async fn session(&self, token_hash: [u8; 32]) -> StoreResult<Option<StaffSession>>;
    /// Records activity on a session.
    async fn touch_session(&self, token_hash: [u8; 32], now: OffsetDateTime) -> StoreResult<()>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: [u8; 32]) -> StoreResult<()>;

    /// Opens a conversation in the waiting state.
    async fn create_conversation(&self, new: NewConversation) -> StoreResult<Conversation>;
    /// Finds a conversation by id.
    async fn conversation(&self, id: ConversationId) -> StoreResult<Option<Conversation>>;
    /// Finds the conversation of a visitor token, unless the token has been revoked.
    async fn conversation_by_token(
        &self,
        token_hash: [u8; 32],
    ) -> StoreResult<Option<Conversation>>;
    /// Waiting conversations, first to be served first.
    async fn waiting_queue(&self) -> StoreResult<Vec<Conversation>>;
    /// The chats an officer owns and has not closed yet.
    async fn open_chats_of(&self, officer: UserId) -> StoreResult<Vec<Conversation>>;

    /// Applies a transition if the rules allow it, atomically. The outer error is a storage
    /// failure; the inner one a refusal by the rules. `None` when the conversation does not exist.
    async fn transition(
        &self,
        id: ConversationId,
        actor: Actor,
        event: Event,
        now: OffsetDateTime,
    ) -> StoreResult<Option<Result<Conversation, TransitionError>>>;

    /// The visitor's quick exit: revokes the token and applies [`Event::QuickExit`] in one
    /// transaction. `None` when the token is unknown or already revoked.
    async fn quick_exit(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<Option<Conversation>>;

    /// Appends a message if the rules allow `actor` to write now; a known `client_id` returns
    /// the original sequence number without writing. `None` when the conversation does not exist.
    async fn append_message(
        &self,
        message: NewMessage<'_>,
    ) -> StoreResult<Option<Result<Appended, TransitionError>>>;

    /// Messages with a sequence number above `after`, in order, at most `limit`.
    async fn messages_after(
        &self,
        conversation: ConversationId,
        after: Seq,
        limit: u32,
    ) -> StoreResult<Vec<StoredMessage>>;

    /// At most `limit` conversations whose data key is wrapped by a master key older than
    /// `version`, oldest version first: the work a key rotation has left.
    async fn conversations_below_key_version(
        &self,
        version: u32,
        limit: u32,
    ) -> StoreResult<Vec<ConversationKey>>;

    /// Applies re-wrapped keys in one transaction, each only if its row still holds the version
    /// and wrapped key it was read with. Returns how many rows changed.
    async fn rewrap_keys(&self, rewraps: Vec<Rewrap>) -> StoreResult<u64>;

    /// How many conversations each master key version wraps (versions in use only).
    async fn key_version_counts(&self) -> StoreResult<BTreeMap<u32, u64>>;
}

/// What a visitor token's author is, for messages: helper used by backends.
pub fn author_of(actor: Actor) -> (Author, Option<UserId>) {
    match actor {
        Actor::Visitor => (Author::Visitor, None),
        Actor::Officer(id) => (Author::Officer, Some(id)),
    }
}
