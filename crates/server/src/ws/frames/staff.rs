//! The staff console's frames, both ways.

use super::*;

/// What a staff console sends. Frames without fields are empty structs, so that a field they
/// do not have is refused like anywhere else.
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
        /// Highest sequence number already shown (0 for none); required.
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
        /// One of the outcome names. `report_forwarded` needs the visitor's yes to the unit
        /// proposed with `ask_consent` (`no_consent` otherwise).
        outcome: String,
    },
    /// Ask the visitor, in the chat and in their language, whether the report may go to this
    /// local unit (its id in the directory). Asking again, or about another unit, forgets the
    /// earlier answer.
    AskConsent {
        /// Which chat (one you own, the visitor present).
        conversation_id: ConversationId,
        /// The unit's id.
        unit: String,
    },
    /// Fill in the qualification form of a chat you own.
    Qualify {
        /// Which chat.
        conversation_id: ConversationId,
        /// The form.
        qualification: ecoute_domain::Qualification,
    },
    /// Take the first waiting chat you may serve.
    TakeNext {},
    /// You are typing in a chat you own (send at most every few seconds).
    Typing {
        /// Which chat.
        conversation_id: ConversationId,
    },
    /// The visitor's messages this console received, and showed to you.
    Marks {
        /// Which chat.
        conversation_id: ConversationId,
        /// Highest sequence number received (required, like `read_seq`).
        received_seq: Seq,
        /// Highest sequence number shown.
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
    Colleagues {},
    /// The canned replies.
    Canned {},
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
    Unmonitor {},
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
    Ping {},
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
            Self::AskConsent { .. } => "ask_consent",
            Self::Qualify { .. } => "qualify",
            Self::TakeNext {} => "take_next",
            Self::Typing { .. } => "typing",
            Self::Marks { .. } => "marks",
            Self::Decline { .. } => "decline",
            Self::Presence { .. } => "presence",
            Self::Transfer { .. } => "transfer",
            Self::Note { .. } => "note",
            Self::Colleagues {} => "colleagues",
            Self::Canned {} => "canned",
            Self::Resources { .. } => "resources",
            Self::Monitor { .. } => "monitor",
            Self::Unmonitor {} => "unmonitor",
            Self::Whisper { .. } => "whisper",
            Self::TakeOver { .. } => "take_over",
            Self::Ping {} => "ping",
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
            | Self::AskConsent {
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
            Self::TakeNext {}
            | Self::Presence { .. }
            | Self::Colleagues {}
            | Self::Canned {}
            | Self::Resources { .. }
            | Self::Unmonitor {}
            | Self::Ping {} => None,
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
    /// Where a chat's consent question stands (after a full sync, and after each change).
    Consent {
        /// Which chat.
        conversation_id: ConversationId,
        /// The unit proposed.
        unit: String,
        /// Its name.
        unit_name: String,
        /// The question as the visitor reads it.
        question: String,
        /// `null` while unanswered.
        answer: Option<bool>,
        /// With a yes: how the unit may get in touch (`{"contact": "instructions", "text": …}`
        /// or `{"contact": "do_not_contact"}`).
        contact: Option<ecoute_domain::SafeContact>,
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
    /// Your exposure within the window and your break (docs/WELLBEING.md): over the threshold,
    /// the console invites you to take a break.
    Wellbeing(WellbeingOut),
    /// Supervisors: each officer's exposure, longest without a break first.
    WellbeingBoard {
        /// One line per officer.
        officers: Vec<WellbeingLineOut>,
    },
}

/// An officer's own exposure, as their console shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WellbeingOut {
    /// Weighted minutes within the window.
    pub weighted_minutes: i64,
    /// The threshold, in weighted minutes.
    pub threshold: i64,
    /// The window, in minutes.
    pub window_mins: i64,
    /// The threshold is reached: a break is suggested.
    pub over: bool,
    /// The break going on, since when.
    #[serde(with = "time::serde::rfc3339::option")]
    pub break_since: Option<OffsetDateTime>,
}

/// One officer on the supervisors' wellbeing panel.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WellbeingLineOut {
    /// Who.
    pub id: UserId,
    /// Their name.
    pub display_name: String,
    /// Where they stand now.
    pub presence: Presence,
    /// Weighted minutes within the window.
    pub weighted_minutes: i64,
    /// Minutes in chats within the window.
    pub chat_minutes: i64,
    /// Reached the threshold.
    pub over: bool,
    /// The break going on, since when.
    #[serde(with = "time::serde::rfc3339::option")]
    pub on_break_since: Option<OffsetDateTime>,
    /// When their latest break ended; none within the 35 days kept if absent.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_break_ended: Option<OffsetDateTime>,
}

/// The presence a console chose, from its wire name (`available`, `paused` or `break`).
pub fn presence(status: &str) -> Option<ecoute_domain::Presence> {
    match status {
        "available" => Some(ecoute_domain::Presence::Available),
        "paused" => Some(ecoute_domain::Presence::Paused),
        "break" => Some(ecoute_domain::Presence::Break),
        _ => None,
    }
}
