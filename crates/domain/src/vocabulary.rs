//! Words the store, the bus and the consoles share: what a staff note is, why a chat changed
//! hands. Each has one stable name, used in storage, on the bus between nodes and in the
//! consoles' frames; the serde names are those same names.

use serde::{Deserialize, Serialize};

/// What a staff-only note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// The owner's private note.
    Note,
    /// Written by the officer handing the chat over, for the next one.
    Handover,
    /// A supervisor's advice, for the officer only.
    Whisper,
}

impl NoteKind {
    /// Every kind.
    pub const ALL: [Self; 3] = [Self::Note, Self::Handover, Self::Whisper];

    /// Stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Handover => "handover",
            Self::Whisper => "whisper",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s)
    }
}

/// Why a chat left its officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverReason {
    /// They transferred it to another officer or force.
    Transferred,
    /// A supervisor took it over.
    TakenOver,
    /// It went back to the queue.
    Requeued,
}

impl HandoverReason {
    /// Every reason.
    pub const ALL: [Self; 3] = [Self::Transferred, Self::TakenOver, Self::Requeued];

    /// Stable name used on the wire and in the consoles' frames.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transferred => "transferred",
            Self::TakenOver => "taken_over",
            Self::Requeued => "requeued",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The serde names are the stable names: a console or a stored value reads the same.
    #[test]
    fn serde_names_are_the_stable_names() {
        for kind in NoteKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(NoteKind::parse(kind.as_str()), Some(kind));
        }
        for reason in HandoverReason::ALL {
            let json = serde_json::to_string(&reason).unwrap();
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
            assert_eq!(HandoverReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(NoteKind::parse("gossip"), None);
        assert_eq!(HandoverReason::parse("REQUEUED"), None);
    }
}
