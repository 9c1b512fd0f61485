//! The JSON frames of the WebSocket protocol (docs/PROTOCOL.md). One enum per direction
//! and side, so that an unknown or mistyped frame is refused by the decoder itself.

use crate::service::PlainMessage;
use crate::service::PlainNote;
use ecoute_domain::{
    Author, ConversationId, Departement, Force, Language, Outcome, Presence, Priority,
    ReporterKind, Role, Seq, StateName, UserId,
};
use ecoute_store::{Conversation, User};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What a visitor sends.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum VisitorIn {
    /// Must be the first frame.
    Hello {
        /// The conversation's token.
        token: String,
        /// Highest sequence number already shown.
        #[serde(default)]
        last_seq: Seq,
    },
    /// Write a message.
    Send {
        /// Sender's id for idempotent resends.
        client_id: String,
        /// The text.
        body: String,
    },
    /// Leave now.
    QuickExit,
    /// "I am in danger now": the chat goes to the top of the queue and its officer is alerted.
    Danger,
    /// The visitor is typing (send at most every few seconds).
    Typing,
    /// The visitor now reads the page in this language (ISO 639-1); the officer is told.
    Language {
        /// The language code, e.g. "ar".
        language: Language,
    },
    /// The officer's messages this device received, and showed to the person.
    Marks {
        /// Highest sequence number received.
        #[serde(default)]
        received_seq: Seq,
        /// Highest sequence number shown.
        #[serde(default)]
        read_seq: Seq,
    },
    /// Keep-alive.
    Ping,
}

/// What a staff console sends.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum StaffIn {
    /// Take a waiting chat.
    Claim {
        /// Which.
        conversation_id: ConversationId,
    },
    /// Write in a chat you own.
    Send {
        /// Which chat.
        conversation_id: ConversationId,
        /// Sender's id for idempotent resends.
        client_id: String,
        /// The text.
        body: String,
    },
    /// Read what you missed.
    Sync {
        /// Which chat.
        conversation_id: ConversationId,
        /// Highest sequence number already shown.
        #[serde(default)]
        after_seq: Seq,
    },
    /// Block an abusive chat: a waiting one, or one you own.
    Block {
        /// Which.
        conversation_id: ConversationId,
    },
    /// End a chat you own.
    Close {
        /// Which chat.
        conversation_id: ConversationId,
        /// One of the outcome names.
        outcome: String,
        /// Required for `report_forwarded`: where the report goes.
        #[serde(default)]
        forwarding: Option<ForwardingIn>,
    },
    /// Fill in the qualification form of a chat you own.
    Qualify {
        /// Which chat.
        conversation_id: ConversationId,
        /// The form.
        qualification: ecoute_domain::Qualification,
    },
    /// Take the first waiting chat you may serve.
    TakeNext,
    /// You are typing in a chat you own (send at most every few seconds).
    Typing {
        /// Which chat.
        conversation_id: ConversationId,
    },
    /// The visitor's messages this console received, and showed to you.
    Marks {
        /// Which chat.
        conversation_id: ConversationId,
        /// Highest sequence number received.
        #[serde(default)]
        received_seq: Seq,
        /// Highest sequence number shown.
        #[serde(default)]
        read_seq: Seq,
    },
    /// Say no to the chat offered to you; it goes to the next officer.
    Decline {
        /// Which chat.
        conversation_id: ConversationId,
    },
    /// Become available or paused.
    Presence {
        /// `available` or `paused`.
        status: String,
    },
    /// Hand a chat you own to another officer, or to the other force through the queue.
    Transfer {
        /// Which chat.
        conversation_id: ConversationId,
        /// The officer who takes it over.
        #[serde(default)]
        to_officer: Option<UserId>,
        /// The force whose officers take it from the queue.
        #[serde(default)]
        to_force: Option<Force>,
        /// What the next officer must know (required).
        note: String,
    },
    /// A private note on a chat you own (never shown to the visitor).
    Note {
        /// Which chat.
        conversation_id: ConversationId,
        /// The text.
        body: String,
    },
    /// The staff who answer, with their presence and load (to choose whom to transfer to).
    Colleagues,
    /// The canned replies.
    Canned,
    /// The support services for a département (and the national ones).
    Resources {
        /// Département code; absent for the national services only.
        #[serde(default)]
        departement: Option<String>,
    },
    /// Supervisors: follow a chat silently (one at a time; another replaces it).
    Monitor {
        /// Which chat.
        conversation_id: ConversationId,
    },
    /// Supervisors: stop following.
    Unmonitor,
    /// Supervisors: advice that only the chat's officer sees.
    Whisper {
        /// Which chat.
        conversation_id: ConversationId,
        /// The text.
        body: String,
    },
    /// Supervisors: take a chat over from its officer.
    TakeOver {
        /// Which chat.
        conversation_id: ConversationId,
    },
    /// Keep-alive.
    Ping,
}

/// Where a forwarded report goes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardingIn {
    /// The local unit.
    pub unit: String,
    /// The contact the person chose to give, if any.
    #[serde(default)]
    pub contact: Option<String>,
    /// The person's answer: they agree to the forwarding.
    pub consent: bool,
}

impl StaffIn {
    /// The frame's `type`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Claim { .. } => "claim",
            Self::Send { .. } => "send",
            Self::Sync { .. } => "sync",
            Self::Block { .. } => "block",
            Self::Close { .. } => "close",
            Self::Qualify { .. } => "qualify",
            Self::TakeNext => "take_next",
            Self::Typing { .. } => "typing",
            Self::Marks { .. } => "marks",
            Self::Decline { .. } => "decline",
            Self::Presence { .. } => "presence",
            Self::Transfer { .. } => "transfer",
            Self::Note { .. } => "note",
            Self::Colleagues => "colleagues",
            Self::Canned => "canned",
            Self::Resources { .. } => "resources",
            Self::Monitor { .. } => "monitor",
            Self::Unmonitor => "unmonitor",
            Self::Whisper { .. } => "whisper",
            Self::TakeOver { .. } => "take_over",
            Self::Ping => "ping",
        }
    }

    /// The chat the frame is about, if any.
    pub fn conversation(&self) -> Option<ConversationId> {
        match self {
            Self::Claim { conversation_id }
            | Self::Send {
                conversation_id, ..
            }
            | Self::Sync {
                conversation_id, ..
            }
            | Self::Block { conversation_id }
            | Self::Close {
                conversation_id, ..
            }
            | Self::Qualify {
                conversation_id, ..
            }
            | Self::Decline { conversation_id }
            | Self::Transfer {
                conversation_id, ..
            }
            | Self::Note {
                conversation_id, ..
            }
            | Self::Monitor { conversation_id }
            | Self::Whisper {
                conversation_id, ..
            }
            | Self::TakeOver { conversation_id }
            | Self::Typing { conversation_id }
            | Self::Marks {
                conversation_id, ..
            } => Some(*conversation_id),
            Self::TakeNext
            | Self::Presence { .. }
            | Self::Colleagues
            | Self::Canned
            | Self::Resources { .. }
            | Self::Unmonitor
            | Self::Ping => None,
        }
    }
}

/// An officer as the visitor sees them.
#[derive(Debug, Serialize)]
pub struct OfficerRef {
    /// Name or pseudonym.
    pub name: String,
}

/// A message frame's content, shared by both sides.
#[derive(Debug, Serialize)]
pub struct MessageOut {
    /// Present on staff frames only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
    /// Its place.
    pub seq: Seq,
    /// Who wrote it.
    pub author: Author,
    /// The officer's name, for officer messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub officer_name: Option<String>,
    /// The text.
    pub body: String,
    /// When it was stored.
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    /// The sender's id; on the visitor's socket, only for the visitor's own messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

impl MessageOut {
    /// For the visitor (no conversation id; the officer's client id is not theirs to see).
    pub fn for_visitor(m: PlainMessage) -> Self {
        let client_id = match m.author {
            Author::Visitor => Some(m.client_id),
            Author::Officer => None,
        };
        Self {
            conversation_id: None,
            seq: m.seq,
            author: m.author,
            officer_name: m.officer_name,
            body: m.body,
            sent_at: m.sent_at,
            client_id,
        }
    }

    /// For the console.
    pub fn for_staff(m: PlainMessage) -> Self {
        Self {
            conversation_id: Some(m.conversation),
            seq: m.seq,
            author: m.author,
            officer_name: m.officer_name,
            body: m.body,
            sent_at: m.sent_at,
            client_id: Some(m.client_id),
        }
    }
}

/// What the server sends a visitor.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VisitorOut {
    /// Authenticated.
    Welcome {
        /// The conversation.
        conversation_id: ConversationId,
        /// Where it stands.
        state: StateName,
        /// The officer, once one has joined.
        officer: Option<OfficerRef>,
        /// Highest sequence number on the server.
        last_seq: Seq,
        /// How far the officer received and read your messages.
        officer_received_seq: Seq,
        /// See `officer_received_seq`.
        officer_read_seq: Seq,
    },
    /// One message.
    Message(MessageOut),
    /// Your message is committed.
    Ack {
        /// Yours.
        client_id: String,
        /// Its place.
        seq: Seq,
        /// When it was stored.
        #[serde(with = "time::serde::rfc3339")]
        sent_at: OffsetDateTime,
    },
    /// The officer is typing.
    Typing,
    /// How far the officer received and read your messages.
    Marks {
        /// Highest sequence number received.
        received_seq: Seq,
        /// Highest sequence number read.
        read_seq: Seq,
    },
    /// Your "I am in danger now" reached the service: the chat is first in line and its
    /// officer, if any, is alerted.
    DangerNoted,
    /// Your place in the queue.
    Queue {
        /// 1 = next.
        position: usize,
        /// Rough estimate.
        estimated_wait_secs: u64,
    },
    /// The conversation changed state.
    State {
        /// The new state.
        state: StateName,
        /// The officer, when one owns it.
        officer: Option<OfficerRef>,
    },
    /// Something was refused.
    Error(ErrorOut),
    /// Answer to ping.
    Pong,
}

/// An error frame.
#[derive(Debug, Serialize)]
pub struct ErrorOut {
    /// Stable code.
    pub code: &'static str,
    /// For people.
    pub message: String,
    /// The chat concerned, on staff frames.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
    /// The message concerned, when about a `send`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// On staff frames: the type of the frame this error answers (absent for errors about
    /// events, and for a frame that could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<&'static str>,
    /// On `rate_limited` and `unavailable`: how long to wait before sending the same frame
    /// again, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

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
            messages: c.last_seq,
        }
    }
}

/// What the server sends a console.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StaffOut {
    /// Connected.
    Welcome {
        /// Who you are.
        user: UserOut,
        /// Your open chats.
        chats: Vec<ChatOut>,
        /// Available or paused.
        presence: Presence,
        /// `offer` or `pull`.
        mode: &'static str,
    },
    /// The head of the waiting queue.
    Queue {
        /// In order, at most [`QUEUE_SHOWN`](super::staff::QUEUE_SHOWN).
        items: Vec<QueueItemOut>,
        /// How many chats wait in all.
        total: usize,
    },
    /// You own this chat now.
    Claimed {
        /// The chat.
        chat: ChatOut,
    },
    /// One message.
    Message(MessageOut),
    /// Your message is committed.
    Ack {
        /// Which chat.
        conversation_id: ConversationId,
        /// Yours.
        client_id: String,
        /// Its place.
        seq: Seq,
        /// When it was stored.
        #[serde(with = "time::serde::rfc3339")]
        sent_at: OffsetDateTime,
    },
    /// The visitor used the quick exit.
    VisitorLeft {
        /// Which chat.
        conversation_id: ConversationId,
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The chat is closed.
    ChatClosed {
        /// Which chat.
        conversation_id: ConversationId,
        /// Why.
        outcome: Option<Outcome>,
    },
    /// A chat is offered to you until `expires_at`: `claim` it or `decline` it.
    Offer {
        /// The chat.
        chat: QueueItemOut,
        /// When it moves on.
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
    },
    /// The offer is over (you or someone took it, it lapsed, you declined).
    OfferWithdrawn {
        /// Which chat.
        conversation_id: ConversationId,
    },
    /// Your presence.
    Presence {
        /// Available, paused or offline.
        status: Presence,
    },
    /// The risk rules flagged one of your chats (labels only, never the words).
    Flagged {
        /// Which chat.
        conversation_id: ConversationId,
        /// Its priority now.
        priority: Priority,
        /// Every label matched.
        labels: Vec<String>,
    },
    /// A staff-only note: yours, a handover note, or a supervisor's whisper.
    Note(NoteOut),
    /// The chat is no longer yours.
    HandedOver {
        /// Which chat.
        conversation_id: ConversationId,
        /// `transferred`, `taken_over` or `requeued`.
        reason: &'static str,
    },
    /// The canned replies (variables are filled in by the console).
    Canned {
        /// By shortcut.
        items: Vec<ecoute_domain::CannedReply>,
    },
    /// Support services: national ones first, then the département's.
    Resources {
        /// As asked.
        departement: Option<Departement>,
        /// In directory order.
        items: Vec<ecoute_domain::Resource>,
    },
    /// A chat's case file (after a full sync, and after each change).
    CaseFile {
        /// Which chat.
        conversation_id: ConversationId,
        /// The file.
        case: ecoute_domain::CaseFile,
    },
    /// The staff who answer, for a transfer.
    Colleagues {
        /// Everyone but you.
        items: Vec<ColleagueOut>,
    },
    /// The visitor is typing.
    Typing {
        /// Which chat.
        conversation_id: ConversationId,
    },
    /// The visitor came back with their return code: they read what was written meanwhile and
    /// can write again (a chat they had left by quick exit is open again).
    VisitorBack {
        /// Which chat.
        conversation_id: ConversationId,
    },
    /// The visitor now reads the page in another language.
    VisitorLanguage {
        /// Which chat.
        conversation_id: ConversationId,
        /// The language code, e.g. "ar".
        language: Language,
    },
    /// How far the visitor received and read your messages.
    Marks {
        /// Which chat.
        conversation_id: ConversationId,
        /// Highest sequence number received.
        received_seq: Seq,
        /// Highest sequence number read.
        read_seq: Seq,
    },
    /// Supervisors: the live board.
    Board(BoardOut),
    /// Supervisors: you now follow this chat; its messages and notes follow.
    Monitoring {
        /// The chat.
        chat: ChatOut,
    },
    /// Supervisors: the followed chat changed state.
    MonitorState {
        /// Which chat.
        conversation_id: ConversationId,
        /// Its new state.
        state: StateName,
        /// Its officer.
        officer_name: Option<String>,
    },
    /// Something was refused.
    Error(ErrorOut),
    /// Answer to ping.
    Pong,
}

/// The presence a console chose, from its wire name (`available` or `paused`).
pub fn presence(status: &str) -> Option<ecoute_domain::Presence> {
    match status {
        "available" => Some(ecoute_domain::Presence::Available),
        "paused" => Some(ecoute_domain::Presence::Paused),
        _ => None,
    }
}
