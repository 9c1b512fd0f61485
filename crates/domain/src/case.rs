//! The officer's record of a chat: the qualification form (what happened, who is writing, how
//! much danger), and for a report forwarded to a local unit, the unit, the contact the visitor
//! chose to give, and whether they consented. Sealed with the chat's key before storage.

use crate::ReporterKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What happened, as the officer qualifies it (several may apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    /// Viol.
    Rape,
    /// Agression sexuelle.
    SexualAssault,
    /// Harcèlement sexuel.
    SexualHarassment,
    /// Harcèlement de rue, outrage sexiste.
    StreetHarassment,
    /// Exhibition sexuelle.
    Exhibitionism,
    /// Violences conjugales ou intrafamiliales.
    DomesticViolence,
    /// Cyberviolences (diffusion d'images, cyberharcèlement).
    CyberViolence,
    /// Inceste.
    Incest,
    /// Prostitution, proxénétisme.
    Prostitution,
    /// Autre.
    Other,
}

impl Fact {
    /// Every fact, in the order the form lists them.
    pub const ALL: [Fact; 10] = [
        Fact::Rape,
        Fact::SexualAssault,
        Fact::SexualHarassment,
        Fact::StreetHarassment,
        Fact::Exhibitionism,
        Fact::DomesticViolence,
        Fact::CyberViolence,
        Fact::Incest,
        Fact::Prostitution,
        Fact::Other,
    ];
}

/// How much danger the officer judges the person to be in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DangerLevel {
    /// No danger identified.
    None,
    /// A risk to follow.
    Moderate,
    /// Serious danger.
    Serious,
    /// Immediate danger: help must be sent.
    Immediate,
}

/// The qualification form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Qualification {
    /// What happened (at least one).
    pub facts: Vec<Fact>,
    /// Victim or witness, as the officer understood it.
    pub reporter: ReporterKind,
    /// The person concerned is a minor.
    pub minor: bool,
    /// The officer's judgement of the danger.
    pub danger: DangerLevel,
}

/// Why a record is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// No fact chosen.
    #[error("choose at least one kind of facts")]
    NoFact,
    /// The unit is missing or too long.
    #[error("name the local unit the report goes to (at most 200 characters)")]
    Unit,
    /// The contact is too long.
    #[error("the contact is at most 200 characters")]
    Contact,
    /// A contact without the visitor's consent.
    #[error("a contact can only be recorded with the person's consent")]
    ContactWithoutConsent,
    /// Closing as `report_forwarded` without saying where the report goes.
    #[error("a forwarded report needs the unit it goes to and the person's answer on consent")]
    ForwardingRequired,
}

impl CaseError {
    /// The stable error code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoFact => "no_fact",
            Self::Unit => "forwarding_unit_required",
            Self::Contact => "contact_too_long",
            Self::ContactWithoutConsent => "contact_without_consent",
            Self::ForwardingRequired => "forwarding_required",
        }
    }
}

impl Qualification {
    /// Checks the form: at least one fact, each once.
    pub fn check(mut self) -> Result<Self, CaseError> {
        let mut seen = Vec::new();
        self.facts.retain(|f| {
            let first = !seen.contains(f);
            seen.push(*f);
            first
        });
        if self.facts.is_empty() {
            return Err(CaseError::NoFact);
        }
        Ok(self)
    }
}

/// A report forwarded to a local unit so that a complaint can be taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Forwarding {
    /// The unit (commissariat, brigade) the report goes to.
    pub unit: String,
    /// How the unit may reach the person, only as they chose to give it.
    pub contact: Option<String>,
    /// The person agreed to the forwarding (and to the contact being passed on).
    pub consent: bool,
}

impl Forwarding {
    /// Checks and trims: a unit is required; a contact only with consent.
    pub fn parse(unit: &str, contact: Option<&str>, consent: bool) -> Result<Self, CaseError> {
        let unit = unit.trim();
        if unit.is_empty() || unit.chars().count() > 200 {
            return Err(CaseError::Unit);
        }
        let contact = contact.map(str::trim).filter(|c| !c.is_empty());
        if contact.is_some_and(|c| c.chars().count() > 200) {
            return Err(CaseError::Contact);
        }
        if contact.is_some() && !consent {
            return Err(CaseError::ContactWithoutConsent);
        }
        Ok(Self {
            unit: unit.to_string(),
            contact: contact.map(str::to_string),
            consent,
        })
    }
}

/// What is sealed and stored for a chat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseFile {
    /// The qualification form, once filled in.
    pub qualification: Option<Qualification>,
    /// The forwarding, for a chat closed as `report_forwarded`.
    pub forwarding: Option<Forwarding>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qualification_needs_a_fact_and_keeps_each_once() {
        let q = Qualification {
            facts: vec![Fact::Rape, Fact::Incest, Fact::Rape],
            reporter: ReporterKind::Victim,
            minor: true,
            danger: DangerLevel::Serious,
        }
        .check()
        .unwrap();
        assert_eq!(q.facts, [Fact::Rape, Fact::Incest]);
        let empty = Qualification { facts: vec![], ..q };
        assert_eq!(empty.check(), Err(CaseError::NoFact));
    }

    #[test]
    fn a_forwarding_names_its_unit_and_passes_a_contact_only_with_consent() {
        let f = Forwarding::parse(" Brigade de Mende ", Some("  "), false).unwrap();
        assert_eq!(f.unit, "Brigade de Mende");
        assert_eq!(f.contact, None);
        assert_eq!(Forwarding::parse("", None, true), Err(CaseError::Unit));
        assert_eq!(
            Forwarding::parse("Commissariat", Some("06 00 00 00 00"), false),
            Err(CaseError::ContactWithoutConsent)
        );
        let with = Forwarding::parse("Commissariat", Some("06 00 00 00 00"), true).unwrap();
        assert_eq!(with.contact.as_deref(), Some("06 00 00 00 00"));
    }
}
