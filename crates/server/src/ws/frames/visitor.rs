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
    },
    /// Something was refused.
    Error(ErrorOut),
    /// Answer to ping.
    Pong,
}
