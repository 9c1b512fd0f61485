//! What staff frames carry: accounts, chats, queue items, notes, colleagues and the board,
//! each built from what the service returns.

use super::*;

/// A staff account on the wire.
#[derive(Debug, Serialize)]
pub struct UserOut {
    /// Stable id.
    pub id: UserId,
    /// Login.
    pub username: String,
    /// Shown to visitors.
    pub display_name: String,
    /// Role.
    pub role: Role,
}

impl From<&User> for UserOut {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
        }
    }
}

/// A chat as the console lists it.
#[derive(Debug, Serialize)]
pub struct ChatOut {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Where it stands.
    pub state: StateName,
    /// Victim or witness.
    pub kind: ReporterKind,
    /// Under 18.
    pub minor: bool,
    /// Département, if given.
    pub departement: Option<Departement>,
    /// The local unit proposed for forwarding (chosen at start from the postal code), if any.
    pub proposed_unit: Option<UnitId>,
    /// When the visitor started.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was claimed.
    #[serde(with = "time::serde::rfc3339::option")]
    pub claimed_at: Option<OffsetDateTime>,
    /// When the visitor left by quick exit.
    #[serde(with = "time::serde::rfc3339::option")]
    pub visitor_left_at: Option<OffsetDateTime>,
    /// Highest sequence number.
    pub last_seq: Seq,
    /// How urgent it is.
    pub priority: Priority,
    /// Why the risk rules flagged it.
    pub labels: Vec<String>,
    /// The force it needs, if any.
    pub force: Option<Force>,
    /// The visitor's language.
    pub language: Language,
    /// The officer who owns it.
    pub officer_name: Option<String>,
    /// How far the visitor received your messages.
    pub visitor_received_seq: Seq,
    /// How far the visitor read your messages.
    pub visitor_read_seq: Seq,
}

impl From<&Conversation> for ChatOut {
    fn from(c: &Conversation) -> Self {
        Self {
            conversation_id: c.id,
            state: c.state.name(),
            kind: c.intake.kind,
            minor: c.intake.minor,
            departement: c.intake.departement.clone(),
            proposed_unit: c.proposed_unit.clone(),
            created_at: c.created_at,
            claimed_at: c.claimed_at,
            visitor_left_at: c.visitor_left_at,
            last_seq: c.last_seq,
            priority: c.priority,
            labels: c.risk_flags.clone(),
            force: c.force,
            language: c.intake.language.clone(),
            officer_name: c.officer_name.clone(),
            visitor_received_seq: c.visitor_marks.received,
            visitor_read_seq: c.visitor_marks.read,
        }
    }
}

/// A waiting chat as the console's queue shows it.
#[derive(Debug, Serialize)]
pub struct QueueItemOut {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Victim or witness.
    pub kind: ReporterKind,
    /// Under 18.
    pub minor: bool,
    /// Département, if given.
    pub departement: Option<Departement>,
    /// The local unit proposed for forwarding (chosen at start from the postal code), if any.
    pub proposed_unit: Option<UnitId>,
    /// When the visitor started waiting.
    #[serde(with = "time::serde::rfc3339")]
    pub waiting_since: OffsetDateTime,
    /// How urgent it is.
    pub priority: Priority,
    /// Why the risk rules flagged it (labels, never the words).
    pub labels: Vec<String>,
    /// The force it needs, if any.
    pub force: Option<Force>,
    /// The visitor's language.
    pub language: Language,
    /// Whether the reader may take it now (skills, or it has waited long enough).
    pub eligible: bool,
    /// It was handed over before (transfer, back to the queue).
    pub handed_over: bool,
    /// The visitor has their page open; `false`: they left a message and went away (they come
    /// back with their return code and read the answer).
    pub visitor_here: bool,
}

impl QueueItemOut {
    /// A waiting chat as `skills` see it at `now`.
    pub fn for_reader(
        c: &Conversation,
        skills: &ecoute_domain::Skills,
        now: OffsetDateTime,
        visitor_here: bool,
    ) -> Self {
        Self {
            conversation_id: c.id,
            kind: c.intake.kind,
            minor: c.intake.minor,
            departement: c.intake.departement.clone(),
            proposed_unit: c.proposed_unit.clone(),
            waiting_since: c.created_at,
            priority: c.priority,
            labels: c.risk_flags.clone(),
            force: c.force,
            language: c.intake.language.clone(),
            eligible: ecoute_domain::may_serve(skills, &c.need(), now >= c.open_to_all_at),
            handed_over: c.handovers > 0,
            visitor_here,
        }
    }
}

/// A staff-only note on the wire (staff sockets only).
#[derive(Debug, Serialize)]
pub struct NoteOut {
    /// Which chat.
    pub conversation_id: ConversationId,
    /// Its place among the notes.
    pub seq: u64,
    /// `note`, `handover` or `whisper`.
    pub kind: &'static str,
    /// Who wrote it.
    pub author_name: Option<String>,
    /// The text.
    pub body: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl From<PlainNote> for NoteOut {
    fn from(n: PlainNote) -> Self {
        Self {
            conversation_id: n.conversation,
            seq: n.seq,
            kind: n.kind,
            author_name: n.author_name,
            body: n.body,
            at: n.at,
        }
    }
}

/// A staff member as the board and the transfer list show them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ColleagueOut {
    /// Stable id.
    pub id: UserId,
    /// Shown name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Their force, if one.
    pub force: Option<Force>,
    /// Trained for minors.
    pub minors: bool,
    /// Languages.
    pub languages: Vec<Language>,
    /// Available, paused, offline.
    pub presence: Presence,
    /// Chats in hand.
    pub open: u32,
    /// Most chats at once.
    pub capacity: u32,
}

/// The day's figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FiguresOut {
    /// Since when (local midnight).
    #[serde(with = "time::serde::rfc3339")]
    pub since: OffsetDateTime,
    /// Chats started.
    pub started: u64,
    /// Waiting now.
    pub waiting: u64,
    /// Closed by an officer.
    pub handled: u64,
    /// Visitors who left before any answer.
    pub left_unanswered: u64,
    /// Longest wait before an answer, seconds.
    pub longest_wait_secs: Option<u64>,
    /// Median wait before an answer, seconds.
    pub median_wait_secs: Option<u64>,
}

/// What supervisors see.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BoardOut {
    /// Staff with presence and load.
    pub staff: Vec<ColleagueOut>,
    /// Every chat not closed (waiting, active, visitor left), oldest first.
    pub chats: Vec<BoardChatOut>,
    /// The day's figures.
    pub figures: FiguresOut,
    /// Dossiers waiting for their unit's acknowledgement longer than `dossier_ack_hours`:
    /// the board shows an alert while there is one.
    pub dossiers_overdue: u64,
    /// How long a dossier may wait for that acknowledgement, in hours.
    pub dossier_ack_hours: u64,
}

/// A live chat on the board (no content).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BoardChatOut {
    /// Which chat.
    pub conversation_id: ConversationId,
    /// Where it stands.
    pub state: StateName,
    /// Its officer.
    pub officer_name: Option<String>,
    /// When it started.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was first answered.
    #[serde(with = "time::serde::rfc3339::option")]
    pub claimed_at: Option<OffsetDateTime>,
    /// How urgent.
    pub priority: Priority,
    /// Risk labels.
    pub labels: Vec<String>,
    /// Under 18.
    pub minor: bool,
    /// Département.
    pub departement: Option<Departement>,
    /// The local unit proposed for forwarding, if any.
    pub proposed_unit: Option<UnitId>,
    /// Messages so far.
    pub messages: Seq,
}

impl From<&Conversation> for BoardChatOut {
    fn from(c: &Conversation) -> Self {
        Self {
            conversation_id: c.id,
            state: c.state.name(),
            officer_name: c.officer_name.clone(),
            created_at: c.created_at,
            claimed_at: c.claimed_at,
            priority: c.priority,
            labels: c.risk_flags.clone(),
            minor: c.intake.minor,
            departement: c.intake.departement.clone(),
            proposed_unit: c.proposed_unit.clone(),
            messages: c.last_seq,
        }
    }
}
