//! The JSON frames of the WebSocket protocol (docs/PROTOCOL.md). One enum per direction
//! and side, so that an unknown or mistyped frame is refused by the decoder itself.

use crate::chat::PlainMessage;
use ecoute_domain::{
    Author, ConversationId, Departement, Outcome, ReporterKind, Role, Seq, StateName, UserId,
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
}

impl From<&Conversation> for QueueItemOut {
    fn from(c: &Conversation) -> Self {
        Self {
            conversation_id: c.id,
            kind: c.intake.kind,
            minor: c.intake.minor,
            departement: c.intake.departement.clone(),
            waiting_since: c.created_at,
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
    },
    /// The whole waiting queue.
    Queue {
        /// In order.
        items: Vec<QueueItemOut>,
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
    /// Something was refused.
    Error(ErrorOut),
    /// Answer to ping.
    Pong,
}
