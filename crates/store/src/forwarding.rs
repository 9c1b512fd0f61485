//! What the store keeps of a forwarded report: the consent question put to the visitor and
//! their answer, the signed dossier, what the unit and the person record on it afterwards,
//! and the log of the e-mails that told a unit a dossier waits (no content).

use ecoute_domain::{ConversationId, DossierState, UnitId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

/// A chat's consent question and the visitor's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConsent {
    /// The unit the report would go to.
    pub unit: UnitId,
    /// The officer who asked.
    pub asked_by: UserId,
    /// When they asked.
    pub asked_at: OffsetDateTime,
    /// `None` while the visitor has not answered; `Some(true)` for yes.
    pub answer: Option<bool>,
    /// When the visitor answered.
    pub answered_at: Option<OffsetDateTime>,
    /// The question as shown and the answer's details (language, contact instructions), sealed
    /// with the chat's key; `None` until answered.
    pub sealed: Option<Vec<u8>>,
}

/// A dossier to store: its two signed files, sealed with the chat's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDossier {
    /// Its id.
    pub id: Uuid,
    /// The chat it comes from (one dossier per chat).
    pub conversation: ConversationId,
    /// Its short public reference, printed on the document.
    pub reference: String,
    /// The unit it goes to.
    pub unit: UnitId,
    /// When it was produced.
    pub produced_at: OffsetDateTime,
    /// The signed JSON, sealed.
    pub sealed_json: Vec<u8>,
    /// The signed PDF, sealed.
    pub sealed_pdf: Vec<u8>,
    /// The SHA-256 of the JSON, in hexadecimal (printed on every page; not content).
    pub digest: String,
    /// The version of the signing key.
    pub signed_by: u32,
    /// The chat's statistics row, whose state the dossier keeps up to date (opened by the
    /// service from the chat's sealed link; `None` for a chat closed before links existed).
    pub statistics: Option<Uuid>,
}

/// A dossier as listed: where it stands, no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierRow {
    /// Its id.
    pub id: Uuid,
    /// The chat it comes from.
    pub conversation: ConversationId,
    /// Its short public reference.
    pub reference: String,
    /// The unit it went to.
    pub unit: UnitId,
    /// Where it stands.
    pub state: DossierState,
    /// When it was produced.
    pub produced_at: OffsetDateTime,
    /// When the unit first recorded anything on it (its acknowledgement).
    pub acknowledged_at: Option<OffsetDateTime>,
    /// When the unit first recorded a contact with the person.
    pub first_contact_at: Option<OffsetDateTime>,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
    /// The SHA-256 of its JSON, in hexadecimal.
    pub digest: String,
    /// The version of the key that signed it.
    pub signed_by: u32,
}

/// Who changes a dossier, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DossierChange {
    /// A unit's account records one of the unit's states (with a note).
    Unit {
        /// The account.
        by: UserId,
        /// The state recorded.
        state: DossierState,
    },
    /// The person, with their return code, withdraws their consent.
    Withdraw,
    /// The person, with their return code, writes to the unit and the platform.
    PersonMessage,
}

/// One change to record on a dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDossierEvent {
    /// What happens.
    pub change: DossierChange,
    /// Its text (the unit's note, the person's message), sealed with the chat's key.
    pub sealed_text: Option<Vec<u8>>,
    /// When.
    pub at: OffsetDateTime,
    /// The chat's statistics row, brought up to date in the same transaction (see
    /// [`NewDossier::statistics`]).
    pub statistics: Option<Uuid>,
}

/// What was recorded on a dossier, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDossierEvent {
    /// Its number on the dossier, from 1.
    pub seq: u64,
    /// The state recorded, or `None` for a message from the person.
    pub state: Option<DossierState>,
    /// The unit's account that recorded it; `None` for the person.
    pub by: Option<UserId>,
    /// That account's display name, when there is one.
    pub by_name: Option<String>,
    /// The note or message, sealed with the chat's key.
    pub sealed_text: Option<Vec<u8>>,
    /// When.
    pub at: OffsetDateTime,
}

/// One e-mail that told a unit a dossier waits: who, when, and whether the server took it.
/// Neither the address nor any content is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    /// The dossier it was about.
    pub dossier: Uuid,
    /// The unit told.
    pub unit: UnitId,
    /// When the last attempt ended.
    pub at: OffsetDateTime,
    /// `delivered`, or the class of failure (`address`, `refused`, `unreachable`…).
    pub outcome: String,
    /// Attempts made.
    pub attempts: u32,
}

/// What recording `change` on a dossier in state `from` writes, as the domain's rules decide:
/// the same for every backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DossierStep {
    /// The state after the change.
    pub state: DossierState,
    /// The unit acknowledges the dossier now (its first record of any state).
    pub acknowledges: bool,
    /// The unit reaches the person for the first time now.
    pub first_contact: bool,
    /// The dossier closes now.
    pub closes: bool,
}

impl DossierStep {
    /// Applies the rules; `acknowledged` and `contacted` say whether it already happened.
    pub fn decide(
        from: DossierState,
        change: DossierChange,
        acknowledged: bool,
        contacted: bool,
    ) -> Result<Self, ecoute_domain::DossierError> {
        let (state, by_unit) = match change {
            DossierChange::Unit { state, .. } => (from.unit_records(state)?, true),
            DossierChange::Withdraw => (from.withdraw()?, false),
            DossierChange::PersonMessage if from.is_final() => {
                return Err(ecoute_domain::DossierError::Closed);
            }
            DossierChange::PersonMessage => (from, false),
        };
        Ok(Self {
            state,
            acknowledges: by_unit && !acknowledged,
            first_contact: by_unit && !contacted && state.is_contact(),
            closes: state.is_final() && !from.is_final(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecoute_domain::DossierError;

    #[test]
    fn a_units_first_record_acknowledges_and_its_first_contact_is_dated_once() {
        let unit = DossierChange::Unit {
            by: UserId::new(),
            state: DossierState::Contacted,
        };
        let step = DossierStep::decide(DossierState::Sent, unit, false, false).unwrap();
        assert_eq!(step.state, DossierState::Contacted);
        assert!(step.acknowledges && step.first_contact && !step.closes);
        let again = DossierStep::decide(DossierState::CouldNotReach, unit, true, true).unwrap();
        assert!(!again.acknowledges && !again.first_contact);
    }

    #[test]
    fn the_persons_withdrawal_closes_and_their_message_changes_no_state() {
        let w = DossierStep::decide(DossierState::Received, DossierChange::Withdraw, true, false)
            .unwrap();
        assert_eq!(w.state, DossierState::Withdrawn);
        assert!(w.closes && !w.acknowledges);
        let m = DossierStep::decide(
            DossierState::Received,
            DossierChange::PersonMessage,
            true,
            false,
        )
        .unwrap();
        assert_eq!(m.state, DossierState::Received);
        assert!(!m.closes);
        assert_eq!(
            DossierStep::decide(
                DossierState::Closed,
                DossierChange::PersonMessage,
                true,
                false
            ),
            Err(DossierError::Closed)
        );
    }
}
