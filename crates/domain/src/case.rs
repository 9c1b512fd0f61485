//! The officer's record of a chat: the qualification form (what happened, who is writing, how
//! much danger). Sealed with the chat's key before storage. Forwarding to a local unit is not
//! the officer's record but the visitor's answer (`dossier.rs`, the store's consent).

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

    /// Stable name used in storage (the same as on the wire).
    pub fn as_str(self) -> &'static str {
        match self {
            Fact::Rape => "rape",
            Fact::SexualAssault => "sexual_assault",
            Fact::SexualHarassment => "sexual_harassment",
            Fact::StreetHarassment => "street_harassment",
            Fact::Exhibitionism => "exhibitionism",
            Fact::DomesticViolence => "domestic_violence",
            Fact::CyberViolence => "cyber_violence",
            Fact::Incest => "incest",
            Fact::Prostitution => "prostitution",
            Fact::Other => "other",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Its name in French, as a unit reads it in a dossier.
    pub fn french(self) -> &'static str {
        match self {
            Fact::Rape => "Viol",
            Fact::SexualAssault => "Agression sexuelle",
            Fact::SexualHarassment => "Harcèlement sexuel",
            Fact::StreetHarassment => "Harcèlement de rue, outrage sexiste",
            Fact::Exhibitionism => "Exhibition sexuelle",
            Fact::DomesticViolence => "Violences conjugales ou intrafamiliales",
            Fact::CyberViolence => "Cyberviolences",
            Fact::Incest => "Inceste",
            Fact::Prostitution => "Prostitution, proxénétisme",
            Fact::Other => "Autre",
        }
    }
}

impl DangerLevel {
    /// Its name in French, as a unit reads it in a dossier.
    pub fn french(self) -> &'static str {
        match self {
            DangerLevel::None => "aucun danger identifié",
            DangerLevel::Moderate => "risque à suivre",
            DangerLevel::Serious => "danger grave",
            DangerLevel::Immediate => "danger immédiat",
        }
    }
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
}

impl CaseError {
    /// The stable error code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoFact => "no_fact",
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

/// What is sealed and stored for a chat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseFile {
    /// The qualification form, once filled in.
    pub qualification: Option<Qualification>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_facts_stored_name_is_its_wire_name() {
        for fact in Fact::ALL {
            let wire = serde_json::to_string(&fact).unwrap();
            assert_eq!(wire, format!("\"{}\"", fact.as_str()));
            assert_eq!(Fact::parse(fact.as_str()), Some(fact));
        }
    }

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
}
