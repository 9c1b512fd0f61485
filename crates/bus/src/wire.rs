//! How a [`Topic`] and a [`BusEvent`] travel between nodes.
//!
//! A frame is one version byte ([`WIRE_VERSION`]) followed by the
//! [postcard](https://docs.rs/postcard) encoding of `(topic, event)` as mirrored by the
//! private types below. Postcard is compact (varints, no field names) and has a stable
//! specification; it writes enum variants by their index, so:
//!
//! - the variants of the mirror types here are **append only**: never reorder or remove one
//!   without bumping [`WIRE_VERSION`];
//! - the same holds for the domain enums carried inside (`Author`, `StateName`, `Outcome`,
//!   `Priority`, `Presence`): reordering their variants is a wire change. The pinned
//!   encodings in the tests catch the common cases.
//!
//! Nodes of different wire versions refuse each other's frames (logged and dropped), so a
//! rolling upgrade that bumps the version degrades to "each node only sees its own events"
//! until all nodes run the new version; clients then resync from the store as on any gap.
//!
//! Sealed bodies travel exactly as they are on the bus: ciphertext. Nothing here ever adds
//! plaintext. Note kinds and hand-over reasons travel as their stable names (text, as the first
//! version of the format wrote them, not as variant indexes) and are parsed back; an unknown
//! name is refused.

use crate::{BusEvent, MessageEvent, NoteEvent, Topic};
use ecoute_domain::{
    Author, ConversationId, HandoverReason, Language, NoteKind, Outcome, Presence, Priority, Seq,
    StateName, UserId,
};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use time::OffsetDateTime;

/// The version byte that starts every frame.
pub const WIRE_VERSION: u8 = 1;

/// Why a frame could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Zero bytes.
    #[error("empty frame")]
    Empty,
    /// Written by a node speaking another version of the format.
    #[error("unsupported wire version {0} (this node speaks {WIRE_VERSION})")]
    UnsupportedVersion(u8),
    /// Not a valid encoding of a topic and an event.
    #[error("malformed frame: {0}")]
    Malformed(String),
    /// A valid event followed by more bytes.
    #[error("{0} unexpected bytes after the event")]
    TrailingBytes(usize),
    /// A note kind outside [`NoteKind::ALL`].
    #[error("unknown note kind {0:?}")]
    UnknownNoteKind(String),
    /// A hand-over reason outside [`HandoverReason::ALL`].
    #[error("unknown hand-over reason {0:?}")]
    UnknownHandoverReason(String),
}

/// Encodes a topic and an event into one frame.
///
/// Fails only if postcard cannot write it (it writes into memory, so it does not).
pub fn encode(topic: Topic, event: &BusEvent) -> Result<Vec<u8>, WireError> {
    let frame = Frame {
        topic: topic.into(),
        event: WireEvent::from_event(event)?,
    };
    let mut out = vec![WIRE_VERSION];
    postcard::to_io(&frame, &mut out).map_err(|e| WireError::Malformed(e.to_string()))?;
    Ok(out)
}

/// Decodes one frame, refusing anything that is not exactly a frame of this version.
pub fn decode(bytes: &[u8]) -> Result<(Topic, BusEvent), WireError> {
    let (&version, rest) = bytes.split_first().ok_or(WireError::Empty)?;
    if version != WIRE_VERSION {
        return Err(WireError::UnsupportedVersion(version));
    }
    let (frame, trailing): (Frame<'_>, _) =
        postcard::take_from_bytes(rest).map_err(|e| WireError::Malformed(e.to_string()))?;
    if !trailing.is_empty() {
        return Err(WireError::TrailingBytes(trailing.len()));
    }
    Ok((frame.topic.into(), frame.event.into_event()?))
}

fn note_kind(s: &str) -> Result<NoteKind, WireError> {
    NoteKind::parse(s).ok_or_else(|| WireError::UnknownNoteKind(s.to_owned()))
}

fn handover_reason(s: &str) -> Result<HandoverReason, WireError> {
    HandoverReason::parse(s).ok_or_else(|| WireError::UnknownHandoverReason(s.to_owned()))
}

#[derive(Serialize, Deserialize)]
struct Frame<'a> {
    topic: WireTopic,
    event: WireEvent<'a>,
}

/// Append only (see the module's documentation).
#[derive(Serialize, Deserialize)]
enum WireTopic {
    Conversation(ConversationId),
    Officer(UserId),
    Queue,
    Supervision,
    Desk,
}

impl From<Topic> for WireTopic {
    fn from(topic: Topic) -> Self {
        match topic {
            Topic::Conversation(id) => Self::Conversation(id),
            Topic::Officer(id) => Self::Officer(id),
            Topic::Queue => Self::Queue,
            Topic::Supervision => Self::Supervision,
            Topic::Desk => Self::Desk,
        }
    }
}

impl From<WireTopic> for Topic {
    fn from(topic: WireTopic) -> Self {
        match topic {
            WireTopic::Conversation(id) => Self::Conversation(id),
            WireTopic::Officer(id) => Self::Officer(id),
            WireTopic::Queue => Self::Queue,
            WireTopic::Supervision => Self::Supervision,
            WireTopic::Desk => Self::Desk,
        }
    }
}

/// Mirrors [`BusEvent`], borrowing when encoding. Append only (see the module's
/// documentation).
#[derive(Serialize, Deserialize)]
enum WireEvent<'a> {
    Message {
        conversation: ConversationId,
        seq: Seq,
        author: Author,
        officer_name: Option<Cow<'a, str>>,
        client_id: Cow<'a, str>,
        sealed_body: Cow<'a, [u8]>,
        sent_at: OffsetDateTime,
    },
    StateChanged {
        conversation: ConversationId,
        state: StateName,
        officer_name: Option<Cow<'a, str>>,
        outcome: Option<Outcome>,
    },
    Claimed {
        conversation: ConversationId,
    },
    VisitorLeft {
        conversation: ConversationId,
        at: OffsetDateTime,
    },
    TokenRevoked {
        conversation: ConversationId,
    },
    SessionEnded {
        session: [u8; 32],
    },
    QueueChanged,
    Offered {
        conversation: ConversationId,
        expires_at: OffsetDateTime,
    },
    OfferWithdrawn {
        conversation: ConversationId,
    },
    Flagged {
        conversation: ConversationId,
        priority: Priority,
        labels: Cow<'a, [String]>,
    },
    Note {
        conversation: ConversationId,
        seq: u64,
        kind: Cow<'a, str>,
        author_name: Option<Cow<'a, str>>,
        sealed_body: Cow<'a, [u8]>,
        at: OffsetDateTime,
    },
    HandedOver {
        conversation: ConversationId,
        reason: Cow<'a, str>,
    },
    StaffChanged,
    VisitorBack {
        conversation: ConversationId,
    },
    LanguageChanged {
        conversation: ConversationId,
        language: Cow<'a, Language>,
    },
    Typing {
        conversation: ConversationId,
        who: Author,
    },
    Marks {
        conversation: ConversationId,
        reader: Author,
        received: Seq,
        read: Seq,
    },
    PresenceChosen {
        status: Presence,
    },
    Desk {
        node: uuid::Uuid,
        seats: Vec<(UserId, Presence, u32)>,
        visitors: Cow<'a, [ConversationId]>,
    },
    // New variants go last: a variant's place is its tag on the wire.
    ConsentChanged {
        conversation: ConversationId,
    },
}

fn borrowed(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(Cow::Borrowed)
}

fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

impl<'a> WireEvent<'a> {
    fn from_event(event: &'a BusEvent) -> Result<Self, WireError> {
        Ok(match event {
            BusEvent::Message(m) => Self::Message {
                conversation: m.conversation,
                seq: m.seq,
                author: m.author,
                officer_name: borrowed(&m.officer_name),
                client_id: Cow::Borrowed(&m.client_id),
                sealed_body: Cow::Borrowed(&m.sealed_body),
                sent_at: m.sent_at,
            },
            BusEvent::StateChanged {
                conversation,
                state,
                officer_name,
                outcome,
            } => Self::StateChanged {
                conversation: *conversation,
                state: *state,
                officer_name: borrowed(officer_name),
                outcome: *outcome,
            },
            BusEvent::Claimed { conversation } => Self::Claimed {
                conversation: *conversation,
            },
            BusEvent::VisitorLeft { conversation, at } => Self::VisitorLeft {
                conversation: *conversation,
                at: *at,
            },
            BusEvent::TokenRevoked { conversation } => Self::TokenRevoked {
                conversation: *conversation,
            },
            BusEvent::SessionEnded { session } => Self::SessionEnded { session: *session },
            BusEvent::QueueChanged => Self::QueueChanged,
            BusEvent::Offered {
                conversation,
                expires_at,
            } => Self::Offered {
                conversation: *conversation,
                expires_at: *expires_at,
            },
            BusEvent::OfferWithdrawn { conversation } => Self::OfferWithdrawn {
                conversation: *conversation,
            },
            BusEvent::Flagged {
                conversation,
                priority,
                labels,
            } => Self::Flagged {
                conversation: *conversation,
                priority: *priority,
                labels: Cow::Borrowed(labels),
            },
            BusEvent::Note(n) => Self::Note {
                conversation: n.conversation,
                seq: n.seq,
                kind: Cow::Borrowed(n.kind.as_str()),
                author_name: borrowed(&n.author_name),
                sealed_body: Cow::Borrowed(&n.sealed_body),
                at: n.at,
            },
            BusEvent::HandedOver {
                conversation,
                reason,
            } => Self::HandedOver {
                conversation: *conversation,
                reason: Cow::Borrowed(reason.as_str()),
            },
            BusEvent::StaffChanged => Self::StaffChanged,
            BusEvent::VisitorBack { conversation } => Self::VisitorBack {
                conversation: *conversation,
            },
            BusEvent::ConsentChanged { conversation } => Self::ConsentChanged {
                conversation: *conversation,
            },
            BusEvent::LanguageChanged {
                conversation,
                language,
            } => Self::LanguageChanged {
                conversation: *conversation,
                language: Cow::Borrowed(language),
            },
            BusEvent::Typing { conversation, who } => Self::Typing {
                conversation: *conversation,
                who: *who,
            },
            BusEvent::Marks {
                conversation,
                reader,
                received,
                read,
            } => Self::Marks {
                conversation: *conversation,
                reader: *reader,
                received: *received,
                read: *read,
            },
            BusEvent::PresenceChosen { status } => Self::PresenceChosen { status: *status },
            BusEvent::Desk(report) => Self::Desk {
                node: report.node,
                seats: report
                    .seats
                    .iter()
                    .map(|s| (s.officer, s.presence, s.consoles))
                    .collect(),
                visitors: Cow::Borrowed(&report.visitors),
            },
        })
    }

    fn into_event(self) -> Result<BusEvent, WireError> {
        Ok(match self {
            Self::Message {
                conversation,
                seq,
                author,
                officer_name,
                client_id,
                sealed_body,
                sent_at,
            } => BusEvent::Message(MessageEvent {
                conversation,
                seq,
                author,
                officer_name: owned(officer_name),
                client_id: client_id.into_owned(),
                sealed_body: sealed_body.into_owned(),
                sent_at,
            }),
            Self::StateChanged {
                conversation,
                state,
                officer_name,
                outcome,
            } => BusEvent::StateChanged {
                conversation,
                state,
                officer_name: owned(officer_name),
                outcome,
            },
            Self::Claimed { conversation } => BusEvent::Claimed { conversation },
            Self::VisitorLeft { conversation, at } => BusEvent::VisitorLeft { conversation, at },
            Self::TokenRevoked { conversation } => BusEvent::TokenRevoked { conversation },
            Self::SessionEnded { session } => BusEvent::SessionEnded { session },
            Self::QueueChanged => BusEvent::QueueChanged,
            Self::Offered {
                conversation,
                expires_at,
            } => BusEvent::Offered {
                conversation,
                expires_at,
            },
            Self::OfferWithdrawn { conversation } => BusEvent::OfferWithdrawn { conversation },
            Self::Flagged {
                conversation,
                priority,
                labels,
            } => BusEvent::Flagged {
                conversation,
                priority,
                labels: labels.into_owned(),
            },
            Self::Note {
                conversation,
                seq,
                kind,
                author_name,
                sealed_body,
                at,
            } => BusEvent::Note(NoteEvent {
                conversation,
                seq,
                kind: note_kind(&kind)?,
                author_name: owned(author_name),
                sealed_body: sealed_body.into_owned(),
                at,
            }),
            Self::HandedOver {
                conversation,
                reason,
            } => BusEvent::HandedOver {
                conversation,
                reason: handover_reason(&reason)?,
            },
            Self::StaffChanged => BusEvent::StaffChanged,
            Self::VisitorBack { conversation } => BusEvent::VisitorBack { conversation },
            Self::ConsentChanged { conversation } => BusEvent::ConsentChanged { conversation },
            Self::LanguageChanged {
                conversation,
                language,
            } => BusEvent::LanguageChanged {
                conversation,
                language: language.into_owned(),
            },
            Self::Typing { conversation, who } => BusEvent::Typing { conversation, who },
            Self::Marks {
                conversation,
                reader,
                received,
                read,
            } => BusEvent::Marks {
                conversation,
                reader,
                received,
                read,
            },
            Self::PresenceChosen { status } => BusEvent::PresenceChosen { status },
            Self::Desk {
                node,
                seats,
                visitors,
            } => BusEvent::Desk(crate::DeskReport {
                node,
                seats: seats
                    .into_iter()
                    .map(|(officer, presence, consoles)| crate::DeskSeat {
                        officer,
                        presence,
                        consoles,
                    })
                    .collect(),
                visitors: visitors.into_owned(),
            }),
        })
    }
}

#[cfg(test)]
mod tests;
