//! A forwarded report's life after the chat: the visitor's consent that makes it leave the
//! platform, then the states the local unit records until it closes.
//!
//! ```text
//!   consent:  not asked ──ask(unit)──▶ asked ──yes──▶ given(unit) ──▶ the dossier is produced
//!                            ▲           │
//!                            └──ask again┴──no──▶ refused (nothing leaves)
//!
//!   dossier:  sent ──▶ received ──▶ contact attempted ⇄ could not reach
//!               │          │              │
//!               └──────────┴──────────────┴──▶ contacted ─▶ appointment set ─▶ complaint taken
//!                                                                                  │
//!   any open state ──unit: closed──▶ closed        any open state ──person: withdraw──▶ withdrawn
//! ```
//!
//! A unit records any of its states on an open dossier (a call may reach someone who could not
//! be reached before), "received" only while nothing else was recorded. Closed and withdrawn
//! are final. The person who wrote never sees a unit's notes, only a neutral stage.

use crate::Force;
use serde::{Deserialize, Serialize};

/// Where a forwarded report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierState {
    /// Produced and waiting for the unit to acknowledge it.
    Sent,
    /// The unit has it.
    Received,
    /// The unit tried to reach the person.
    ContactAttempted,
    /// The unit spoke with the person.
    Contacted,
    /// A meeting is set.
    AppointmentSet,
    /// The complaint was taken.
    ComplaintTaken,
    /// The unit could not reach the person.
    CouldNotReach,
    /// The unit closed the dossier.
    Closed,
    /// The person withdrew their consent; the dossier is closed.
    Withdrawn,
}

/// Every state, in the order a dossier usually goes through them.
pub const DOSSIER_STATES: [DossierState; 9] = [
    DossierState::Sent,
    DossierState::Received,
    DossierState::ContactAttempted,
    DossierState::Contacted,
    DossierState::AppointmentSet,
    DossierState::ComplaintTaken,
    DossierState::CouldNotReach,
    DossierState::Closed,
    DossierState::Withdrawn,
];

/// What the person who wrote is shown of a state: neutral words, the same for several states,
/// never what the unit wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicStage {
    /// "Votre signalement a été transmis."
    Transmitted,
    /// "Le service l'a bien reçu."
    ReceivedByUnit,
    /// "Le service a tenté de vous joindre."
    TriedToReach,
    /// "Le service a pris contact avec vous."
    InTouch,
    /// "Votre plainte a été enregistrée."
    ComplaintTaken,
    /// "Le suivi de votre signalement est terminé."
    Finished,
    /// "Vous avez retiré votre accord : le signalement est clos."
    Withdrawn,
}

/// Why a state cannot be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DossierError {
    /// The dossier is closed or withdrawn: nothing more is recorded.
    #[error("the dossier is closed")]
    Closed,
    /// "Sent" is the platform's, "withdrawn" the person's: a unit records neither.
    #[error("a unit cannot record this state")]
    NotTheUnits,
    /// "Received" acknowledges a new dossier, once, before anything else.
    #[error("the dossier was already acknowledged")]
    AlreadyReceived,
    /// A note is required with every state a unit records, and has a length limit.
    #[error("a note of 1 to 1000 characters is required")]
    Note,
}

impl DossierState {
    /// Stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Received => "received",
            Self::ContactAttempted => "contact_attempted",
            Self::Contacted => "contacted",
            Self::AppointmentSet => "appointment_set",
            Self::ComplaintTaken => "complaint_taken",
            Self::CouldNotReach => "could_not_reach",
            Self::Closed => "closed",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        DOSSIER_STATES.into_iter().find(|d| d.as_str() == s)
    }

    /// Whether nothing more may be recorded.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Closed | Self::Withdrawn)
    }

    /// Whether reaching this state means the unit has been in touch with the person: the first
    /// time is the dossier's "first contact", the figure supervisors watch.
    pub fn is_contact(self) -> bool {
        matches!(
            self,
            Self::Contacted | Self::AppointmentSet | Self::ComplaintTaken
        )
    }

    /// The states a unit may record, in the order its desk offers them.
    pub fn recorded_by_units() -> [DossierState; 7] {
        [
            Self::Received,
            Self::ContactAttempted,
            Self::Contacted,
            Self::AppointmentSet,
            Self::ComplaintTaken,
            Self::CouldNotReach,
            Self::Closed,
        ]
    }

    /// The state after a unit records `next` on a dossier in this state.
    pub fn unit_records(self, next: DossierState) -> Result<DossierState, DossierError> {
        if self.is_final() {
            return Err(DossierError::Closed);
        }
        match next {
            Self::Sent | Self::Withdrawn => Err(DossierError::NotTheUnits),
            Self::Received if self != Self::Sent => Err(DossierError::AlreadyReceived),
            next => Ok(next),
        }
    }

    /// The state after the person withdraws their consent.
    pub fn withdraw(self) -> Result<DossierState, DossierError> {
        if self.is_final() {
            return Err(DossierError::Closed);
        }
        Ok(Self::Withdrawn)
    }

    /// What the person is shown of this state.
    pub fn public_stage(self) -> PublicStage {
        match self {
            Self::Sent => PublicStage::Transmitted,
            Self::Received => PublicStage::ReceivedByUnit,
            // Not being reachable is not the person's failure: they read that someone tried.
            Self::ContactAttempted | Self::CouldNotReach => PublicStage::TriedToReach,
            Self::Contacted | Self::AppointmentSet => PublicStage::InTouch,
            Self::ComplaintTaken => PublicStage::ComplaintTaken,
            Self::Closed => PublicStage::Finished,
            Self::Withdrawn => PublicStage::Withdrawn,
        }
    }
}

/// A unit's note on a state it records: required, short, plain text.
pub fn parse_unit_note(note: &str) -> Result<String, DossierError> {
    let note = note.trim();
    let n = note.chars().count();
    if n == 0 || n > 1000 {
        return Err(DossierError::Note);
    }
    Ok(note.to_string())
}

/// A local unit's stable identifier, as written in the units file ("cgd-villefranche").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitId(String);

impl UnitId {
    /// Accepts 2 to 64 characters among a-z, 0-9 and '-', not starting or ending with '-'.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = (2..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        ok.then(|| Self(s.to_string()))
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where the visitor's consent to forwarding stands in a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "consent", rename_all = "snake_case")]
pub enum Consent {
    /// Nobody asked.
    NotAsked,
    /// The officer proposed this unit; the visitor has not answered.
    Asked {
        /// The unit proposed.
        unit: UnitId,
    },
    /// The visitor said yes to this unit.
    Given {
        /// The unit the visitor agreed to.
        unit: UnitId,
    },
    /// The visitor said no: nothing leaves the platform.
    Refused,
}

/// Why consent cannot move that way, or why a forwarding is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    /// An answer with no question pending.
    #[error("the visitor was not asked")]
    NotAsked,
    /// Forwarding needs the visitor's yes to that very unit.
    #[error("the visitor has not agreed that the report goes to this unit")]
    NoConsent,
}

impl Consent {
    /// The officer proposes `unit` (again, or another one): any earlier answer no longer
    /// counts, since the person agrees to a unit, not to forwarding in general.
    pub fn ask(&self, unit: UnitId) -> Consent {
        Consent::Asked { unit }
    }

    /// The visitor answers the pending question.
    pub fn answer(&self, yes: bool) -> Result<Consent, ConsentError> {
        match self {
            Consent::Asked { unit } if yes => Ok(Consent::Given { unit: unit.clone() }),
            Consent::Asked { .. } => Ok(Consent::Refused),
            _ => Err(ConsentError::NotAsked),
        }
    }

    /// Whether the report may go to `unit` now: only after the visitor's yes to it.
    pub fn allows(&self, unit: &UnitId) -> Result<(), ConsentError> {
        match self {
            Consent::Given { unit: agreed } if agreed == unit => Ok(()),
            _ => Err(ConsentError::NoConsent),
        }
    }
}

/// How the person may be contacted, as they said it in the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "contact", rename_all = "snake_case")]
pub enum SafeContact {
    /// How and when to call or write, and what to say if someone else answers.
    Instructions {
        /// In the person's words, at most 1000 characters.
        text: String,
    },
    /// "Do not contact me, I will come back with my code."
    DoNotContact,
}

impl SafeContact {
    /// Instructions in the person's words: not blank, at most 1000 characters.
    pub fn instructions(text: &str) -> Option<SafeContact> {
        let text = text.trim();
        let n = text.chars().count();
        (1..=1000).contains(&n).then(|| SafeContact::Instructions {
            text: text.to_string(),
        })
    }
}

/// A local unit that receives forwarded reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitSummary {
    /// Its identifier.
    pub id: UnitId,
    /// "Brigade de gendarmerie de Villefranche-sur-Saône".
    pub name: String,
    /// Police or gendarmerie.
    pub force: Force,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(s: &str) -> UnitId {
        UnitId::parse(s).unwrap()
    }

    #[test]
    fn nothing_is_forwarded_without_the_visitors_yes_to_that_unit() {
        let lyon = unit("commissariat-lyon-3");
        let villefranche = unit("cgd-villefranche");
        let none = Consent::NotAsked;
        assert_eq!(none.allows(&lyon), Err(ConsentError::NoConsent));
        assert_eq!(none.answer(true), Err(ConsentError::NotAsked));

        let asked = none.ask(lyon.clone());
        assert_eq!(
            asked.allows(&lyon),
            Err(ConsentError::NoConsent),
            "asked is not yes"
        );
        let refused = asked.answer(false).unwrap();
        assert_eq!(refused, Consent::Refused);
        assert_eq!(refused.allows(&lyon), Err(ConsentError::NoConsent));

        let given = refused.ask(lyon.clone()).answer(true).unwrap();
        assert_eq!(given.allows(&lyon), Ok(()));
        assert_eq!(
            given.allows(&villefranche),
            Err(ConsentError::NoConsent),
            "a yes is to one unit"
        );
        // Proposing another unit asks again: the earlier yes no longer counts.
        let changed = given.ask(villefranche.clone());
        assert_eq!(changed.allows(&lyon), Err(ConsentError::NoConsent));
        assert_eq!(changed.allows(&villefranche), Err(ConsentError::NoConsent));
        assert_eq!(changed.answer(true).unwrap().allows(&villefranche), Ok(()));
    }

    #[test]
    fn a_unit_records_its_states_on_an_open_dossier_and_nothing_after_it_closes() {
        use DossierState::*;
        assert_eq!(Sent.unit_records(Received), Ok(Received));
        assert_eq!(
            Sent.unit_records(Contacted),
            Ok(Contacted),
            "a call may come first"
        );
        assert_eq!(
            Received.unit_records(Received),
            Err(DossierError::AlreadyReceived)
        );
        assert_eq!(
            Contacted.unit_records(Received),
            Err(DossierError::AlreadyReceived)
        );
        assert_eq!(CouldNotReach.unit_records(Contacted), Ok(Contacted));
        assert_eq!(
            ContactAttempted.unit_records(ContactAttempted),
            Ok(ContactAttempted)
        );
        assert_eq!(Received.unit_records(Sent), Err(DossierError::NotTheUnits));
        assert_eq!(
            Received.unit_records(Withdrawn),
            Err(DossierError::NotTheUnits)
        );
        assert_eq!(ComplaintTaken.unit_records(Closed), Ok(Closed));
        for state in DossierState::recorded_by_units() {
            assert_eq!(Closed.unit_records(state), Err(DossierError::Closed));
            assert_eq!(Withdrawn.unit_records(state), Err(DossierError::Closed));
        }
    }

    #[test]
    fn the_person_may_withdraw_an_open_dossier_which_closes_it() {
        use DossierState::*;
        for state in DOSSIER_STATES {
            match state.withdraw() {
                Ok(next) => {
                    assert!(!state.is_final());
                    assert_eq!(next, Withdrawn);
                    assert!(next.is_final());
                }
                Err(e) => {
                    assert!(state.is_final(), "{state:?}");
                    assert_eq!(e, DossierError::Closed);
                }
            }
        }
    }

    #[test]
    fn the_person_reads_neutral_words_and_could_not_reach_reads_as_tried() {
        use DossierState::*;
        assert_eq!(
            CouldNotReach.public_stage(),
            ContactAttempted.public_stage()
        );
        assert_eq!(Sent.public_stage(), PublicStage::Transmitted);
        assert_eq!(Withdrawn.public_stage(), PublicStage::Withdrawn);
        // First contact: the states that mean the unit spoke with the person.
        let contact: Vec<_> = DOSSIER_STATES
            .into_iter()
            .filter(|s| s.is_contact())
            .collect();
        assert_eq!(contact, vec![Contacted, AppointmentSet, ComplaintTaken]);
    }

    #[test]
    fn states_keep_their_stable_names() {
        for state in DOSSIER_STATES {
            assert_eq!(DossierState::parse(state.as_str()), Some(state));
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
        assert_eq!(DossierState::parse("lost"), None);
    }

    #[test]
    fn notes_unit_ids_and_contact_instructions_are_checked_once() {
        assert_eq!(
            parse_unit_note("  Appelée à 14 h  ").unwrap(),
            "Appelée à 14 h"
        );
        assert_eq!(parse_unit_note("   "), Err(DossierError::Note));
        assert_eq!(parse_unit_note(&"x".repeat(1001)), Err(DossierError::Note));
        assert!(UnitId::parse("cgd-villefranche").is_some());
        for bad in ["", "a", "-x", "x-", "Brigade", "mpf_lyon", &"a".repeat(65)] {
            assert!(UnitId::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(SafeContact::instructions("  "), None);
        assert!(matches!(
            SafeContact::instructions("Le matin seulement, dire que c'est la mutuelle"),
            Some(SafeContact::Instructions { .. })
        ));
    }
}
