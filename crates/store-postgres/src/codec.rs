//! How values are stored, and rows read back: pure, no query here.

use crate::error::{R, corrupt};
use ecoute_domain::{
    Author, ConversationId, ConversationState, Departement, Intake, Language, Outcome, Priority,
    ReporterKind, RetentionPolicy, Role, Seq, Skills, StateName, UserId,
};
use ecoute_store::{
    AuditRecord, Conversation, Marks, NewAudit, PurgeCandidate, StoredMessage, StoredNote,
    StoredSigningKey, User,
};
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

pub(crate) use ecoute_store::stored::{
    PURGE_COLUMNS, USER_COLUMNS, conversation_query, force_row, from_millis, key_version,
    labels_from, millis, opt_force, opt_time, opt_unit_id, parse_uuid, raised,
};

pub(crate) fn opt_uuid(s: Option<String>) -> R<Option<Uuid>> {
    Ok(s.as_deref().map(parse_uuid).transpose()?)
}

/// A count or sequence number, never negative when the data is sound.
pub(crate) fn unsigned(stored: i64, what: &str) -> R<u64> {
    u64::try_from(stored).map_err(|_| corrupt(what))
}

pub(crate) fn opt_departement(stored: Option<String>) -> R<Option<Departement>> {
    stored
        .as_deref()
        .map(|d| Departement::parse(d).ok_or_else(|| corrupt("departement")))
        .transpose()
}

fn state_from(row: &PgRow) -> R<ConversationState> {
    let officer = opt_uuid(row.try_get("officer_id")?)?.map(UserId);
    let outcome: Option<String> = row.try_get("outcome")?;
    let outcome = outcome
        .as_deref()
        .map(|o| Outcome::parse(o).ok_or_else(|| corrupt("outcome")))
        .transpose()?;
    let name: String = row.try_get("state")?;
    let name = StateName::parse(&name).ok_or_else(|| corrupt("state"))?;
    ConversationState::from_parts(name, officer, outcome)
        .ok_or_else(|| corrupt("state does not match officer and outcome"))
}

pub(crate) fn conversation_from_row(row: &PgRow) -> R<Conversation> {
    let kind: String = row.try_get("kind")?;
    let id: String = row.try_get("id")?;
    let language: String = row.try_get("language")?;
    let seq = |column: &str| -> R<Seq> { unsigned(row.try_get(column)?, column) };
    Ok(Conversation {
        id: ConversationId(parse_uuid(&id)?),
        state: state_from(row)?,
        intake: Intake {
            kind: ReporterKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
            minor: row.try_get("minor")?,
            departement: opt_departement(row.try_get("departement")?)?,
            language: Language::parse(&language).ok_or_else(|| corrupt("language"))?,
            danger: row.try_get("danger")?,
        },
        wrapped_key: row.try_get("wrapped_key")?,
        key_version: key_version(row.try_get("key_version")?)?,
        last_seq: seq("last_seq")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        claimed_at: opt_time(row.try_get("claimed_at")?)?,
        visitor_left_at: opt_time(row.try_get("visitor_left_at")?)?,
        closed_at: opt_time(row.try_get("closed_at")?)?,
        officer_name: row.try_get("officer_name")?,
        force: opt_force(row.try_get("force")?)?,
        proposed_unit: opt_unit_id(row.try_get("proposed_unit")?)?,
        priority: Priority::from_rank(row.try_get("priority")?)
            .ok_or_else(|| corrupt("priority"))?,
        risk_flags: labels_from(&row.try_get::<String, _>("risk_flags")?),
        open_to_all_at: from_millis(row.try_get("open_to_all_at")?)?,
        handovers: u32::try_from(row.try_get::<i64, _>("handovers")?)
            .map_err(|_| corrupt("handovers"))?,
        visitor_marks: Marks {
            received: seq("visitor_received_seq")?,
            read: seq("visitor_read_seq")?,
        },
        officer_marks: Marks {
            received: seq("officer_received_seq")?,
            read: seq("officer_read_seq")?,
        },
    })
}

pub(crate) fn signing_key_from_row(row: &PgRow) -> R<StoredSigningKey> {
    Ok(StoredSigningKey {
        version: u32::try_from(row.try_get::<i64, _>("version")?)
            .map_err(|_| corrupt("signing key version"))?,
        public: ecoute_store::stored::public_key(row.try_get("public_key")?)?,
        sealed: row.try_get("sealed")?,
        key_version: key_version(row.try_get("key_version")?)?,
        created_at: from_millis(row.try_get("created_at")?)?,
        retired_at: opt_time(row.try_get("retired_at")?)?,
    })
}

pub(crate) fn user_from_row(row: &PgRow) -> R<User> {
    let id: String = row.try_get("id")?;
    let role: String = row.try_get("role")?;
    let languages: String = row.try_get("languages")?;
    Ok(User {
        id: UserId(parse_uuid(&id)?),
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).map_err(|_| corrupt("role"))?,
        unit: row
            .try_get::<Option<String>, _>("unit_id")?
            .map(|u| ecoute_domain::UnitId::parse(&u).ok_or_else(|| corrupt("unit id")))
            .transpose()?,
        totp_enrolled: row.try_get::<Option<Vec<u8>>, _>("totp_secret")?.is_some(),
        skills: Skills {
            force: opt_force(row.try_get("force")?)?,
            minors: row.try_get("minors")?,
            languages: Language::parse_list(&languages).ok_or_else(|| corrupt("languages"))?,
        },
        capacity: u32::try_from(row.try_get::<i64, _>("capacity")?)
            .map_err(|_| corrupt("capacity"))?,
    })
}

/// A new account as [`ecoute_store::Store::create_user`] returns it: the schema's defaults.
pub(crate) fn new_account(user: ecoute_store::NewUser) -> User {
    User {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        unit: user.unit,
        totp_enrolled: false,
        skills: Skills::default(),
        capacity: 3,
    }
}

pub(crate) fn audit_from_row(row: &PgRow) -> R<AuditRecord> {
    Ok(AuditRecord {
        seq: unsigned(row.try_get("seq")?, "audit seq")?,
        entry: NewAudit {
            at: from_millis(row.try_get("at")?)?,
            actor: opt_uuid(row.try_get("actor_id")?)?.map(UserId),
            actor_name: row.try_get("actor_name")?,
            action: row.try_get("action")?,
            conversation: opt_uuid(row.try_get("conversation_id")?)?.map(ConversationId),
            detail: row.try_get("detail")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// The message columns [`message_from_row`] reads, for `messages m` joined to `users u`.
pub(crate) const MESSAGE_QUERY: &str = "SELECT m.seq, m.author, m.officer_id, \
     u.display_name AS officer_name, m.client_id, m.body, m.sent_at \
     FROM messages m LEFT JOIN users u ON u.id = m.officer_id";

pub(crate) fn message_from_row(row: &PgRow) -> R<StoredMessage> {
    let author: String = row.try_get("author")?;
    Ok(StoredMessage {
        seq: unsigned(row.try_get("seq")?, "message seq")?,
        author: Author::parse(&author).ok_or_else(|| corrupt("author"))?,
        officer_id: opt_uuid(row.try_get("officer_id")?)?.map(UserId),
        officer_name: row.try_get("officer_name")?,
        client_id: row.try_get("client_id")?,
        sealed_body: row.try_get("body")?,
        sent_at: from_millis(row.try_get("sent_at")?)?,
    })
}

pub(crate) fn note_from_row(row: &PgRow) -> R<StoredNote> {
    let kind: String = row.try_get("kind")?;
    Ok(StoredNote {
        seq: unsigned(row.try_get("seq")?, "note seq")?,
        kind: ecoute_store::NoteKind::parse(&kind).ok_or_else(|| corrupt("note kind"))?,
        author: opt_uuid(row.try_get("author_id")?)?.map(UserId),
        author_name: row.try_get("display_name")?,
        sealed_body: row.try_get("body")?,
        at: from_millis(row.try_get("at")?)?,
    })
}

pub(crate) fn purge_candidate_from_row(row: &PgRow, policy: &RetentionPolicy) -> R<PurgeCandidate> {
    let id: String = row.try_get("id")?;
    let state = state_from(row)?;
    let created_at = from_millis(row.try_get("created_at")?)?;
    let closed_at = opt_time(row.try_get("closed_at")?)?;
    Ok(PurgeCandidate {
        id: ConversationId(parse_uuid(&id)?),
        state,
        created_at,
        closed_at,
        messages: unsigned(row.try_get("last_seq")?, "last_seq")?,
        due: policy.due(&state, created_at, closed_at),
    })
}

/// What a change of state writes besides the state itself.
pub(crate) struct StateChange {
    /// First answer by an officer (claimed_at is kept once set).
    pub claimed: bool,
    /// The visitor left (quick exit), now.
    pub left: bool,
    /// Closed, now.
    pub closed: bool,
    /// Its return code is forgotten: the chat is over and cannot be reopened with it.
    pub forget_code: bool,
    /// Its token stops working at once (blocked).
    pub revoke_token: bool,
}

impl StateChange {
    /// What moving from `before` to `after` implies.
    pub(crate) fn between(before: ConversationState, after: ConversationState) -> Self {
        let left_unanswered = ConversationState::Closed {
            outcome: Outcome::VisitorLeft,
            officer: None,
        };
        let closed = matches!(after, ConversationState::Closed { .. });
        Self {
            claimed: matches!(after, ConversationState::Active { .. })
                && matches!(before, ConversationState::Waiting),
            left: matches!(after, ConversationState::VisitorLeft { .. })
                || (before == ConversationState::Waiting && after == left_unanswered),
            closed,
            // The domain says which closed chats keep their code (left unread, forwarded).
            forget_code: closed && !after.keeps_return_code(),
            revoke_token: matches!(
                after,
                ConversationState::Closed {
                    outcome: Outcome::Blocked,
                    ..
                }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quick_exit_while_waiting_keeps_the_return_code_and_a_block_revokes_the_token() {
        let officer = UserId::new();
        let left = StateChange::between(
            ConversationState::Waiting,
            ConversationState::Closed {
                outcome: Outcome::VisitorLeft,
                officer: None,
            },
        );
        assert!(left.left && left.closed && !left.forget_code && !left.revoke_token);
        let blocked = StateChange::between(
            ConversationState::Active { officer },
            ConversationState::Closed {
                outcome: Outcome::Blocked,
                officer: Some(officer),
            },
        );
        assert!(blocked.closed && blocked.forget_code && blocked.revoke_token && !blocked.left);
        let claimed = StateChange::between(
            ConversationState::Waiting,
            ConversationState::Active { officer },
        );
        assert!(claimed.claimed && !claimed.closed);
    }
}
