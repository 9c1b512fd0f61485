//! The JSON frames of the WebSocket protocol (docs/PROTOCOL.md). One enum per direction
//! and side, so that an unknown or mistyped frame is refused by the decoder itself.

mod staff;
mod views;
mod visitor;

pub use staff::*;
pub use views::*;
pub use visitor::*;

use crate::service::PlainMessage;
use crate::service::PlainNote;
use ecoute_domain::{
    Author, ConversationId, Departement, Force, Language, Outcome, Presence, Priority,
    ReporterKind, Role, Seq, StateName, UnitId, UserId,
};
use ecoute_store::{Conversation, User};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

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
