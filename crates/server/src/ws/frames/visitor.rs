//! The visitor's frames, both ways.

use super::*;

/// What a visitor sends. Frames without fields are empty structs, so that a field they do not
/// have is refused like anywhere else; only `quick_exit` and `danger` take anything alongside,
/// never refused for more than they need.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum VisitorIn {
    /// Must be the first frame.
    Hello {
        /// The conversation's token.
        token: String,
        /// Highest sequence number already shown (0 for none); required.
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
    Typing {},
    /// The visitor now reads the page in this language (ISO 639-1); the officer is told.
    Language {
        /// The language code, e.g. "ar".
        language: Language,
    },
    /// The officer's messages this device received, and showed to the person.
    Marks {
        /// Highest sequence number received (required, like `read_seq`).
        received_seq: Seq,
        /// Highest sequence number shown.
        read_seq: Seq,
    },
    /// The answer to the question "may your report go to this unit?" (`consent` frame).
    ConsentAnswer {
        /// The unit the question was about, as the `consent` frame named it.
        unit: String,
        /// Yes or no.
        yes: bool,
        /// With a yes: when and how the unit may get in touch, what to say if someone else
        /// answers (at most 1000 characters). Required with a yes unless `do_not_contact`.
        #[serde(default)]
        instructions: Option<String>,
        /// With a yes: "do not contact me, I will come back with my code".
        #[serde(default)]
        do_not_contact: bool,
    },
    /// Keep-alive.
    Ping {},
}

/// An officer as the visitor sees them.
#[derive(Debug, Serialize)]
pub struct OfficerRef {
    /// Name or pseudonym.
    pub name: String,
}

/// What the waiting room's estimate says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitKind {
    /// `estimated_wait_secs` holds a number of seconds.
    Seconds,
    /// No officer who may answer this chat is available now (none at a console, or all
    /// paused): `estimated_wait_secs` is `null`, and no number should be shown.
    NoOneAvailable,
}

impl VisitorOut {
    /// The `queue` frame for a place and an estimate.
    pub fn queue(position: usize, estimate: ecoute_domain::WaitEstimate) -> Self {
        match estimate {
            ecoute_domain::WaitEstimate::Seconds(secs) => Self::Queue {
                position,
                estimated_wait_secs: Some(secs),
                estimate: WaitKind::Seconds,
            },
            ecoute_domain::WaitEstimate::NoOneAvailable => Self::Queue {
                position,
                estimated_wait_secs: None,
                estimate: WaitKind::NoOneAvailable,
            },
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
        /// Rough estimate, in seconds; `null` when no number can be given (see `estimate`).
        estimated_wait_secs: Option<u64>,
        /// What kind of estimate this is.
        estimate: WaitKind,
    },
    /// The conversation changed state.
    State {
        /// The new state.
        state: StateName,
        /// The officer, when one owns it.
        officer: Option<OfficerRef>,
        /// Why it closed, once closed (`report_forwarded`: the person follows it with their
        /// return code).
        #[serde(skip_serializing_if = "Option::is_none")]
        outcome: Option<ecoute_domain::Outcome>,
    },
    /// The officer asks whether the report may go to a local unit; sent again whenever it
    /// changes, and on connecting while a question stands.
    Consent {
        /// The unit's id, to give back in `consent_answer`.
        unit: String,
        /// Its name.
        unit_name: String,
        /// The question, in the person's language.
        question: String,
        /// `null` while unanswered; the answer given otherwise.
        answer: Option<bool>,
    },
    /// Something was refused.
    Error(ErrorOut),
    /// Answer to ping.
    Pong,
}
