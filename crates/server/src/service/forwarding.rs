//! A report forwarded to a local unit, inside the chat: the officer proposes a unit, the
//! visitor answers in their language (with how they may be contacted), and once the chat is
//! closed as forwarded, the signed dossier is produced, stored sealed with the chat's key, and
//! its unit told by e-mail (no content). docs/DOSSIER.md tells the whole story.

use super::*;
use crate::i18n::{Locale, Tr};
use ecoute_domain::{ConsentError, Fact, ReporterKind, SafeContact, Unit, UnitId};
use ecoute_dossier::model as doc;
use ecoute_store::{DossierRow, NewDossier, NotificationRecord};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What a sealed consent answer holds: the question exactly as the visitor saw it, in which
/// language, and how the unit may get in touch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ConsentDetails {
    pub language: String,
    pub question: String,
    pub contact: Option<SafeContact>,
}

/// Where the consent question of a chat stands, for the visitor and the officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentView {
    /// The unit proposed.
    pub unit: UnitId,
    /// Its name.
    pub unit_name: String,
    /// The question, in the visitor's language.
    pub question: String,
    /// `None` while unanswered.
    pub answer: Option<bool>,
    /// How the visitor may be contacted, once they said yes.
    pub contact: Option<SafeContact>,
}

/// The sealed parts of a forwarded report, each bound to what it is.
pub(super) mod part {
    pub const CONSENT: &str = "consent";
    pub const JSON: &str = "dossier.json";
    pub const PDF: &str = "dossier.pdf";
    pub const EVENT: &str = "dossier-event";
    pub const STATISTICS: &str = "statistics-link";
}

impl ChatService {
    /// A new link from a forwarded chat to its statistics row: the row's id, and that id
    /// sealed with the chat's key for the store to keep beside the chat (docs/STATISTICS.md).
    pub(super) fn new_statistics_link(
        key: &DataKey,
        conversation: ConversationId,
    ) -> ecoute_domain::StatisticsLink {
        let row = uuid::Uuid::new_v4();
        ecoute_domain::StatisticsLink {
            row,
            sealed: key.seal_forwarding(conversation.0, part::STATISTICS, row.as_bytes()),
        }
    }

    /// The statistics row of a forwarded chat, opened from its sealed link; `None` for a chat
    /// closed before links existed. A link that does not open is logged and skipped: the
    /// figures lose one update, the dossier loses nothing.
    pub(super) async fn statistics_row(
        &self,
        key: &DataKey,
        conversation: ConversationId,
    ) -> Result<Option<uuid::Uuid>, ApiError> {
        let Some(sealed) = self.store.statistics_link(conversation).await? else {
            return Ok(None);
        };
        let row = key
            .open_forwarding(conversation.0, part::STATISTICS, &sealed)
            .ok()
            .and_then(|bytes| uuid::Uuid::from_slice(&bytes).ok());
        if row.is_none() {
            tracing::error!(%conversation, "a statistics link does not open");
        }
        Ok(row)
    }
}

/// The locale of a visitor's language, French when the interface does not offer it.
pub(super) fn visitor_locale(language: &Language) -> Locale {
    Locale::parse(language.as_str()).unwrap_or(Locale::Fr)
}

/// The consent question, in the visitor's words.
fn question(language: &Language, unit_name: &str) -> String {
    Tr::visitor(visitor_locale(language)).a("consent-question", "unit", unit_name)
}

impl ChatService {
    /// The officer holding the open chat proposes a unit: the visitor is asked, in their
    /// language, whether the report may go to it. Asking again (or about another unit) forgets
    /// any earlier answer. Audited.
    pub async fn ask_consent(
        &self,
        officer: &User,
        conversation: ConversationId,
        unit: &UnitId,
    ) -> Result<ConsentView, ApiError> {
        let found = self.store.unit(unit).await?.ok_or(ApiError::UnknownUnit)?;
        let at = now();
        let audit = NewAudit::by(officer, "consent_asked", at)
            .on(conversation)
            .detail(unit.as_str());
        if !self
            .store
            .ask_consent(conversation, officer.id, unit, at, audit)
            .await?
        {
            return Err(ApiError::NotFound);
        }
        self.consent_changed(conversation, Some(officer.id));
        let c = self
            .store
            .conversation(conversation)
            .await?
            .ok_or(ApiError::NotFound)?;
        Ok(ConsentView {
            unit: unit.clone(),
            question: question(&c.intake.language, &found.name),
            unit_name: found.name,
            answer: None,
            contact: None,
        })
    }

    /// The visitor answers the question about `unit`. A yes says how the unit may get in touch
    /// (instructions, or "do not contact me"); a no forwards nothing. Audited; the officer is
    /// told at once.
    pub async fn answer_consent(
        &self,
        conversation: &Conversation,
        unit: &UnitId,
        yes: bool,
        contact: Option<SafeContact>,
    ) -> Result<(), ApiError> {
        if yes && contact.is_none() {
            return Err(ApiError::ContactRequired);
        }
        let asked = self
            .store
            .consent(conversation.id)
            .await?
            .filter(|c| c.answer.is_none() && &c.unit == unit)
            .ok_or(ConsentError::NotAsked)?;
        let unit_name = self.unit_name(&asked.unit).await?;
        let language = &conversation.intake.language;
        let details = ConsentDetails {
            language: language.as_str().to_string(),
            question: question(language, &unit_name),
            contact: if yes { contact } else { None },
        };
        let key = self.data_key(conversation)?;
        let plain = serde_json::to_vec(&details).map_err(|_| ApiError::Internal)?;
        let sealed = key.seal_forwarding(conversation.id.0, part::CONSENT, &plain);
        let at = now();
        let audit = NewAudit::system("consent_answered", at)
            .on(conversation.id)
            .detail(format!(
                "{} to {}, by the visitor",
                if yes { "yes" } else { "no" },
                unit.as_str()
            ));
        if !self
            .store
            .answer_consent(conversation.id, unit, yes, &sealed, at, audit)
            .await?
        {
            return Err(ConsentError::NotAsked.into());
        }
        self.consent_changed(conversation.id, conversation.state.officer());
        Ok(())
    }

    /// Where a chat's consent question stands; `None` if it was never asked.
    pub async fn consent_view(
        &self,
        conversation: &Conversation,
    ) -> Result<Option<ConsentView>, ApiError> {
        let Some(stored) = self.store.consent(conversation.id).await? else {
            return Ok(None);
        };
        let unit_name = self.unit_name(&stored.unit).await?;
        let details = match &stored.sealed {
            Some(sealed) => Some(self.consent_details(conversation, sealed)?),
            None => None,
        };
        Ok(Some(ConsentView {
            question: details.as_ref().map_or_else(
                || question(&conversation.intake.language, &unit_name),
                |d| d.question.clone(),
            ),
            unit: stored.unit,
            unit_name,
            answer: stored.answer,
            contact: details.and_then(|d| d.contact),
        }))
    }

    fn consent_details(
        &self,
        conversation: &Conversation,
        sealed: &[u8],
    ) -> Result<ConsentDetails, ApiError> {
        let key = self.data_key(conversation)?;
        let plain = key
            .open_forwarding(conversation.id.0, part::CONSENT, sealed)
            .map_err(|_| {
                tracing::error!(conversation = %conversation.id, "consent does not authenticate");
                ApiError::Internal
            })?;
        serde_json::from_slice(&plain).map_err(|_| ApiError::Internal)
    }

    fn consent_changed(&self, conversation: ConversationId, owner: Option<UserId>) {
        let event = BusEvent::ConsentChanged { conversation };
        if let Some(owner) = owner {
            self.bus.publish(Topic::Officer(owner), event.clone());
        }
        self.bus.publish(Topic::Conversation(conversation), event);
    }

    /// The unit a forwarded chat may go to: the one the visitor said yes to.
    pub(super) async fn consented_unit(
        &self,
        conversation: ConversationId,
    ) -> Result<UnitId, ApiError> {
        match self.store.consent(conversation).await? {
            Some(c) if c.answer == Some(true) => Ok(c.unit),
            _ => Err(ConsentError::NoConsent.into()),
        }
    }

    /// Produces, signs, seals and stores the dossier of a chat closed as forwarded, then tells
    /// its unit (in the background). Does nothing if it already has one. Audited.
    pub async fn produce_dossier(
        &self,
        conversation: ConversationId,
    ) -> Result<Option<DossierRow>, ApiError> {
        if let Some(existing) = self.store.dossier_of(conversation).await? {
            return Ok(Some(existing));
        }
        let c = self
            .store
            .conversation(conversation)
            .await?
            .ok_or(ApiError::NotFound)?;
        let ConversationState::Closed {
            outcome: Outcome::ReportForwarded,
            officer,
        } = c.state
        else {
            return Ok(None);
        };
        let consent = self
            .store
            .consent(conversation)
            .await?
            .filter(|s| s.answer == Some(true))
            .ok_or(ConsentError::NoConsent)?;
        let unit = self
            .store
            .unit(&consent.unit)
            .await?
            .ok_or(ApiError::UnknownUnit)?;
        let details =
            self.consent_details(&c, consent.sealed.as_deref().ok_or(ApiError::Internal)?)?;
        let key = self.data_key(&c)?;
        let staff: HashMap<UserId, (String, String)> = self
            .store
            .staff_loads()
            .await?
            .into_iter()
            .map(|l| (l.user.id, (l.user.username, l.user.display_name)))
            .collect();
        let officer_of = |id: Option<UserId>, fallback: Option<&str>| doc::Officer {
            id: id
                .and_then(|id| staff.get(&id).map(|s| s.0.clone()))
                .unwrap_or_else(|| "inconnu".into()),
            name: id
                .and_then(|id| staff.get(&id).map(|s| s.1.clone()))
                .or(fallback.map(str::to_string))
                .unwrap_or_else(|| "inconnu".into()),
        };
        let mut messages = Vec::new();
        let mut after = 0;
        loop {
            let page = self.store.messages_after(conversation, after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for m in page {
                let text = key
                    .open_message(conversation.0, m.seq, &m.sealed_body)
                    .map_err(|_| ApiError::Internal)?;
                messages.push((m.seq, m.officer_id, m.officer_name, m.sent_at, text));
            }
        }
        let notes: Vec<(Option<UserId>, PlainNote)> = self
            .store
            .notes(conversation)
            .await?
            .into_iter()
            .filter(|n| n.kind == NoteKind::Handover)
            .map(|n| Ok((n.author, open_note(conversation, &key, n)?)))
            .collect::<Result<_, ApiError>>()?;
        let case = self.case_file(conversation, &key).await?;
        let produced_at = now();
        let by = officer_of(officer, None);
        let handovers = notes
            .iter()
            .map(|(from_id, n)| {
                // The officer who took it: the next one to write after the note, or whoever
                // closed the chat.
                let to = messages
                    .iter()
                    .find(|m| m.3 >= n.at && m.1.is_some() && m.1 != *from_id)
                    .map(|m| officer_of(m.1, m.2.as_deref()))
                    .unwrap_or_else(|| by.clone());
                doc::Handover {
                    from: officer_of(*from_id, n.author_name.as_deref()),
                    to,
                    reason: n.body.clone(),
                    at: ecoute_dossier::Moment::new(n.at),
                }
            })
            .collect();
        let qualification = match &case.qualification {
            Some(q) => doc::Qualification {
                facts: format!(
                    "{} — niveau de danger : {}",
                    q.facts
                        .iter()
                        .map(|f: &Fact| f.french())
                        .collect::<Vec<_>>()
                        .join(", "),
                    q.danger.french()
                ),
                standing: match q.reporter {
                    ReporterKind::Victim => doc::Standing::Victim,
                    ReporterKind::Witness => doc::Standing::Witness,
                },
                minor: q.minor,
            },
            None => doc::Qualification {
                facts: "Non qualifié par l'agent".into(),
                standing: match c.intake.kind {
                    ReporterKind::Victim => doc::Standing::Victim,
                    ReporterKind::Witness => doc::Standing::Witness,
                },
                minor: c.intake.minor,
            },
        };
        let dossier = ecoute_dossier::Dossier {
            format: doc::FORMAT.into(),
            reference: new_reference(),
            unit: doc::Unit {
                name: unit.name.clone(),
                force: match unit.force {
                    Force::Police => doc::Force::Police,
                    Force::Gendarmerie => doc::Force::Gendarmerie,
                },
            },
            departement: c
                .intake
                .departement
                .as_ref()
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
            qualification,
            consent: doc::Consent {
                at: ecoute_dossier::Moment::new(consent.answered_at.unwrap_or(produced_at)),
                language: details.language,
                question: details.question,
            },
            contact: match details.contact {
                Some(SafeContact::Instructions { text }) => doc::SafeContact::Instructions { text },
                _ => doc::SafeContact::DoNotContact,
            },
            messages: messages
                .iter()
                .map(|(seq, officer_id, officer_name, at, text)| doc::Message {
                    seq: *seq,
                    author: match officer_id {
                        Some(id) => {
                            doc::Author::Officer(officer_of(Some(*id), officer_name.as_deref()))
                        }
                        None => doc::Author::Visitor,
                    },
                    at: ecoute_dossier::Moment::new(*at),
                    text: String::from_utf8_lossy(text).into_owned(),
                })
                .collect(),
            handovers,
            produced: doc::Production {
                at: ecoute_dossier::Moment::new(produced_at),
                by,
            },
        };
        let signing = crate::signing::current(&*self.store, &self.keys.ring())
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "no signing key to sign a dossier");
                ApiError::Internal
            })?
            .ok_or(ApiError::Internal)?;
        let sign_error = |e: ecoute_dossier::DossierError| {
            tracing::error!(error = %e, "the dossier could not be produced");
            ApiError::Internal
        };
        let json = ecoute_dossier::signed_json(&dossier, &signing).map_err(sign_error)?;
        let pdf = ecoute_dossier::signed_pdf(&dossier, &signing).map_err(sign_error)?;
        let digest = ecoute_dossier::sha256_hex(&dossier).map_err(sign_error)?;
        let row = NewDossier {
            id: uuid::Uuid::new_v4(),
            conversation,
            reference: dossier.reference.clone(),
            unit: unit.id.clone(),
            produced_at,
            sealed_json: key.seal_forwarding(conversation.0, part::JSON, &json),
            sealed_pdf: key.seal_forwarding(conversation.0, part::PDF, &pdf),
            digest,
            signed_by: signing.version(),
            statistics: self.statistics_row(&key, conversation).await?,
        };
        let audit = NewAudit::system("dossier_produced", produced_at)
            .on(conversation)
            .detail(format!("{} for {}", row.reference, unit.id.as_str()));
        let id = row.id;
        if self.store.create_dossier(row, audit).await? {
            metrics::counter!("ecoute_dossiers_produced_total").increment(1);
            self.notify_unit(id, unit);
        }
        self.bus.publish(Topic::Supervision, BusEvent::StaffChanged);
        Ok(self.store.dossier_of(conversation).await?)
    }

    /// Produces the dossiers that a crash or a failure left unproduced (run at start and by the
    /// upkeep); returns how many were made.
    pub async fn produce_missing_dossiers(&self) -> Result<u64, ApiError> {
        let mut made = 0;
        for id in self.store.forwarded_without_dossier(100).await? {
            match self.produce_dossier(id).await {
                Ok(Some(_)) => made += 1,
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(conversation = %id, error = %e, "dossier not produced yet")
                }
            }
        }
        Ok(made)
    }

    /// Tells a unit that a dossier waits, in the background, and keeps what became of it.
    fn notify_unit(&self, dossier: uuid::Uuid, unit: Unit) {
        self.tell_unit(dossier, unit, crate::notify::Notice::NewDossier);
    }

    /// Tells a unit `notice` about one of its dossiers, in the background, and keeps what
    /// became of it (no address, no content).
    pub(super) fn tell_unit(&self, dossier: uuid::Uuid, unit: Unit, notice: crate::notify::Notice) {
        let Some(notifier) = self.notifier.clone() else {
            tracing::info!(
                unit = unit.id.as_str(),
                "no [smtp]: the unit finds the dossier on its desk"
            );
            return;
        };
        let store = self.store.clone();
        tokio::spawn(async move {
            let log = notifier
                .notify_unit_of(&unit.id, &unit.notify, notice)
                .await;
            let record = NotificationRecord {
                dossier,
                unit: log.unit,
                at: log.at,
                outcome: log.outcome.as_str().to_string(),
                attempts: log.attempts,
            };
            if let Err(e) = store.log_notification(record).await {
                tracing::warn!(error = %e, "the notification could not be logged");
            }
        });
    }
}

/// A short public reference, easy to read out on the phone: `EC-` and two groups of four
/// characters without look-alikes (no 0/O, 1/I/L).
fn new_reference() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::thread_rng();
    let mut group = || -> String {
        (0..4)
            .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
            .collect()
    };
    format!("EC-{}-{}", group(), group())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_short_and_free_of_look_alikes() {
        for _ in 0..100 {
            let r = new_reference();
            assert_eq!(r.len(), 12);
            assert!(r.starts_with("EC-"));
            assert!(!r[3..].contains(['0', 'O', '1', 'I', 'L']));
        }
    }
}
