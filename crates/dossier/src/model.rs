//! What a dossier says: plain data, serialised as the dossier's JSON form.
//!
//! The field names are a contract with the units that receive the files: change them only
//! with a new [`FORMAT`]. The types are the document's own, not the domain's, so that a
//! change inside the service does not silently change a signed document's shape.

use crate::paris::Moment;
use serde::{Deserialize, Serialize};

/// The version of the document's shape, written in every dossier.
pub const FORMAT: &str = "ecoute-dossier/1";

/// Everything a unit receives about one forwarded chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    /// Always [`FORMAT`].
    pub format: String,
    /// The chat's short public reference (never its internal id).
    pub reference: String,
    /// The unit the chat was forwarded to.
    pub unit: Unit,
    /// The département code the visitor gave (`75`, `2A`, `971`).
    pub departement: String,
    /// What the officer recorded about the facts.
    pub qualification: Qualification,
    /// The visitor's consent to the forwarding.
    pub consent: Consent,
    /// How the unit may, or may not, get in touch with the visitor.
    pub contact: SafeContact,
    /// Every message of the chat, in order.
    pub messages: Vec<Message>,
    /// Every handover of the chat between officers, in order.
    pub handovers: Vec<Handover>,
    /// When and by whom this dossier was produced.
    pub produced: Production,
}

/// A local police or gendarmerie unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Its name, as the forces' directory gives it.
    pub name: String,
    /// Which force it belongs to.
    pub force: Force,
}

/// The two forces that receive dossiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Force {
    /// Police nationale.
    Police,
    /// Gendarmerie nationale.
    Gendarmerie,
}

/// The officer's qualification of the facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualification {
    /// The facts, in the officer's words.
    pub facts: String,
    /// Whether the visitor is the victim or a witness.
    pub standing: Standing,
    /// Whether the victim is a minor.
    pub minor: bool,
}

/// Who the visitor is in the facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// The visitor is the victim.
    Victim,
    /// The visitor saw or knows of the facts.
    Witness,
}

/// The visitor's consent to the forwarding, as it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// When the visitor said yes.
    pub at: Moment,
    /// The language the question was shown in (ISO 639 code).
    pub language: String,
    /// The question exactly as it was shown.
    pub question: String,
}

/// How the unit may get in touch with the visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SafeContact {
    /// The visitor's own instructions (when and how it is safe to call, say).
    Instructions {
        /// The instructions, in the visitor's words.
        text: String,
    },
    /// The visitor asked not to be contacted.
    DoNotContact,
}

/// One message of the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Its number in the chat, from 1, without gaps.
    pub seq: u64,
    /// Who wrote it.
    pub author: Author,
    /// When it was committed.
    pub at: Moment,
    /// Its text.
    pub text: String,
}

/// The author of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Author {
    /// The anonymous visitor.
    Visitor,
    /// An officer of the service.
    Officer(Officer),
}

/// An officer, as the unit may name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    /// Their stable identifier in the service (their login name).
    pub id: String,
    /// The name or pseudonym they show to visitors.
    pub name: String,
}

/// A chat passed from one officer to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    /// Who held the chat.
    pub from: Officer,
    /// Who took it.
    pub to: Officer,
    /// Why, in the words of whoever handed it over.
    pub reason: String,
    /// When.
    pub at: Moment,
}

/// When and by whom a dossier was produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Production {
    /// When the file was made.
    pub at: Moment,
    /// The officer who forwarded the chat.
    pub by: Officer,
}
