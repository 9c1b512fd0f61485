//! Presence spans (docs/SHIFTS.md): who was on duty when, one row per span of one staff
//! member's effective presence, written by the node that holds their console.

use ecoute_domain::UserId;
use time::OffsetDateTime;

/// How long an open span may go unconfirmed before any node closes it at its last
/// confirmation: its node died, or restarted and no longer knows the console.
pub const SPAN_LAPSES_AFTER: time::Duration = time::Duration::minutes(2);

/// One span of presence as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceSpan {
    /// The staff member.
    pub user: UserId,
    /// The presence's stable name (`available`, `paused`, or any state the router adds).
    pub state: String,
    /// When it began.
    pub started_at: OffsetDateTime,
    /// When it ended; `None` while it lasts.
    pub ended_at: Option<OffsetDateTime>,
}
