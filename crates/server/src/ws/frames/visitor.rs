//! The visitor's frames, both ways.

use super::*;

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
    Ping,
}

/// An officer as the visitor sees them.
#[derive(Debug, Serialize)]
pub struct OfficerRef {
    /// Name or pseudonym.
    pub name: String,
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
