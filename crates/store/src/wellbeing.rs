//! Wellbeing's stored form (docs/WELLBEING.md), shared by both backends: the minutes each
//! officer held each chat, with the chat's facts then, and the breaks they took.
//!
//! A node samples every minute the chats held in it, one row per (chat, minute): the first node
//! to sample a minute writes it and any other finds the row there and writes nothing, so several
//! nodes never count a minute twice, and minutes keep counting across restarts. Each row is a
//! one-minute span for [`ecoute_domain::exposure`]. Rows are purged after two days, breaks after
//! 35 (`crates/server/src/purge.rs`).

use ecoute_domain::{ChatFacts, ConversationId, HeldSpan, UserId};
use time::{Duration, OffsetDateTime};

/// One minute an officer held a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExposureMinute {
    /// Who held it.
    pub officer: UserId,
    /// Which chat.
    pub conversation: ConversationId,
    /// Minutes since the Unix epoch (UTC).
    pub minute: i64,
    /// What the chat was about that minute.
    pub facts: ChatFacts,
}

impl ExposureMinute {
    /// The minute `at` falls in.
    pub fn minute_of(at: OffsetDateTime) -> i64 {
        at.unix_timestamp().div_euclid(60)
    }

    /// When minute `minute` starts.
    pub fn start_of(minute: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::minutes(minute)
    }

    /// The minute as a span held.
    pub fn span(&self) -> HeldSpan {
        let start = Self::start_of(self.minute);
        HeldSpan {
            officer: self.officer,
            conversation: self.conversation,
            facts: self.facts,
            start,
            end: Some(start + Duration::MINUTE),
        }
    }
}

/// A break, over or going on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredBreak {
    /// Who took it.
    pub officer: UserId,
    /// When it began.
    pub started_at: OffsetDateTime,
    /// When it ended; `None` while it goes on.
    pub ended_at: Option<OffsetDateTime>,
}

/// An exposure row read back; a value no writer produces is reported as corrupt.
pub fn exposure_row(
    conversation: &str,
    minute: i64,
    officer: &str,
    facts: ChatFacts,
) -> crate::StoreResult<ExposureMinute> {
    Ok(ExposureMinute {
        officer: UserId(crate::stored::parse_uuid(officer)?),
        conversation: ConversationId(crate::stored::parse_uuid(conversation)?),
        minute,
        facts,
    })
}

/// A break row read back.
pub fn break_row(
    officer: &str,
    started_at: i64,
    ended_at: Option<i64>,
) -> crate::StoreResult<StoredBreak> {
    Ok(StoredBreak {
        officer: UserId(crate::stored::parse_uuid(officer)?),
        started_at: crate::stored::from_millis(started_at)?,
        ended_at: crate::stored::opt_time(ended_at)?,
    })
}

/// The columns of `exposure_minutes` read back.
pub const EXPOSURE_COLUMNS: &str =
    "conversation_id, minute, user_id, danger, flagged, minor, grave";

/// Each officer's latest break.
pub const LAST_BREAKS: &str = "SELECT b.user_id, b.started_at, b.ended_at FROM breaks b \
     WHERE b.started_at = (SELECT MAX(started_at) FROM breaks l WHERE l.user_id = b.user_id) \
     ORDER BY b.user_id";
