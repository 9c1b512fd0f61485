//! A dossier after the chat: the unit's desk (its list, the dossier, the downloads, the
//! states it records), the supervisors' overview and alert, and the person's follow-up with
//! their return code. Every read of a dossier's content and every download is audited; the
//! person never reads a unit's note, only a neutral stage.

use super::forwarding::part;
use super::*;
use ecoute_domain::{DossierState, PublicStage, UnitId, parse_unit_note};
use ecoute_store::{DossierChange, DossierRow, NewDossierEvent};

/// How many dossiers a list shows at most.
pub const DOSSIERS_LISTED: u32 = 500;

/// How long a follow-up pass lasts once the return code was checked.
pub const FOLLOW_UP_PASS: time::Duration = time::Duration::minutes(30);

/// One of a dossier's two files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DossierFile {
    /// The signed JSON.
    Json,
    /// The signed PDF/A.
    Pdf,
}

impl DossierFile {
    /// Its media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Pdf => "application/pdf",
        }
    }

    /// Its extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Pdf => "pdf",
        }
    }
}

/// A downloaded file.
pub struct Download {
    /// `EC-XXXX-XXXX.pdf`.
    pub file_name: String,
    /// Its media type.
    pub content_type: &'static str,
    /// The signed bytes.
    pub bytes: Vec<u8>,
}

/// One record on a dossier, opened, for the unit and the supervisors.
#[derive(Debug, Clone)]
pub struct DossierRecord {
    /// Its number on the dossier.
    pub seq: u64,
    /// The state recorded; `None` for a message from the person.
    pub state: Option<DossierState>,
    /// Who: the unit account's display name; `None` for the person.
    pub by: Option<String>,
    /// The unit's note, or the person's message.
    pub text: Option<String>,
    /// When.
    pub at: OffsetDateTime,
}

/// A dossier opened on a desk: where it stands, what it says, what was recorded on it.
pub struct OpenDossier {
    /// Where it stands.
    pub row: DossierRow,
    /// Its content, as signed.
    pub content: ecoute_dossier::Dossier,
    /// Everything recorded on it, in order.
    pub records: Vec<DossierRecord>,
}

/// What the person reads with their return code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    /// The dossier's public reference.
    pub reference: String,
    /// Where it stands, in neutral words.
    pub stage: PublicStage,
    /// Whether it is still open (a message may be added, consent withdrawn).
    pub open: bool,
    /// When it was forwarded.
    pub produced_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
    /// How many messages the person added.
    pub messages_sent: usize,
}

impl ChatService {
    /// A unit's dossiers: open ones first, then newest first.
    pub async fn unit_dossiers(&self, unit: &UnitId) -> Result<Vec<DossierRow>, ApiError> {
        Ok(self.store.dossiers(Some(unit), DOSSIERS_LISTED).await?)
    }

    /// Every dossier, for the supervisors.
    pub async fn all_dossiers(&self, supervisor: &User) -> Result<Vec<DossierRow>, ApiError> {
        require_supervisor(supervisor)?;
        Ok(self.store.dossiers(None, DOSSIERS_LISTED).await?)
    }

    /// How many dossiers wait for their unit's acknowledgement longer than allowed: the
    /// supervisors' board raises an alert while there is one.
    pub async fn overdue_dossiers(&self) -> Result<u64, ApiError> {
        Ok(self
            .store
            .count_unacknowledged(now() - self.ack_alert)
            .await?)
    }

    /// How long a dossier may wait for its unit's acknowledgement, in whole hours.
    pub fn dossier_ack_hours(&self) -> u64 {
        self.ack_alert.whole_hours().max(0) as u64
    }

    /// A unit's name as the directory gives it; its id when the directory no longer has it.
    pub async fn unit_name(&self, unit: &UnitId) -> Result<String, ApiError> {
        Ok(self
            .store
            .unit(unit)
            .await?
            .map_or_else(|| unit.as_str().to_string(), |u| u.name))
    }

    /// Whether a dossier has waited for its unit's acknowledgement longer than allowed.
    pub fn is_overdue(&self, d: &DossierRow, at: OffsetDateTime) -> bool {
        d.state == DossierState::Sent && at - d.produced_at > self.ack_alert
    }

    /// A dossier of `unit` (any unit for a supervisor: `unit` is `None`), or `not_found`: a unit
    /// is never told that another unit's dossier exists.
    async fn dossier_for(
        &self,
        unit: Option<&UnitId>,
        id: uuid::Uuid,
    ) -> Result<(DossierRow, Conversation), ApiError> {
        let row = self
            .store
            .dossier(id)
            .await?
            .filter(|d| unit.is_none_or(|u| &d.unit == u))
            .ok_or(ApiError::NotFound)?;
        let c = self
            .store
            .conversation(row.conversation)
            .await?
            .ok_or(ApiError::NotFound)?;
        Ok((row, c))
    }

    /// Opens a dossier on a desk: recorded in the audit log before anything of it is read.
    /// A unit's account reads only its unit's (`unit`); a supervisor any (`unit` is `None`).
    pub async fn open_dossier(
        &self,
        reader: &User,
        unit: Option<&UnitId>,
        id: uuid::Uuid,
    ) -> Result<OpenDossier, ApiError> {
        if unit.is_none() {
            require_supervisor(reader)?;
        }
        let (row, c) = self.dossier_for(unit, id).await?;
        let audit = NewAudit::by(reader, "dossier_read", now())
            .on(c.id)
            .detail(row.reference.clone());
        self.store.append_audit(audit).await?;
        let key = self.data_key(&c)?;
        let (json, _) = self.files(&row, &c, &key).await?;
        let content = ecoute_dossier::sign::parse_signed_json(&json).map_err(|e| {
            tracing::error!(dossier = %row.id, error = %e, "stored dossier does not parse");
            ApiError::Internal
        })?;
        let records = self.records(&row, &c, &key).await?;
        Ok(OpenDossier {
            row,
            content,
            records,
        })
    }

    /// Downloads one of a dossier's signed files; audited.
    pub async fn download_dossier(
        &self,
        reader: &User,
        unit: Option<&UnitId>,
        id: uuid::Uuid,
        which: DossierFile,
    ) -> Result<Download, ApiError> {
        if unit.is_none() {
            require_supervisor(reader)?;
        }
        let (row, c) = self.dossier_for(unit, id).await?;
        let audit = NewAudit::by(reader, "dossier_downloaded", now())
            .on(c.id)
            .detail(format!("{}.{}", row.reference, which.extension()));
        self.store.append_audit(audit).await?;
        let key = self.data_key(&c)?;
        let (json, pdf) = self.files(&row, &c, &key).await?;
        Ok(Download {
            file_name: format!("{}.{}", row.reference, which.extension()),
            content_type: which.content_type(),
            bytes: match which {
                DossierFile::Json => json,
                DossierFile::Pdf => pdf,
            },
        })
    }

    /// A unit's account records one of the unit's states, with its note; audited. The
    /// supervisors' board is told (its alert may end).
    pub async fn record_dossier_state(
        &self,
        clerk: &User,
        unit: &UnitId,
        id: uuid::Uuid,
        state: DossierState,
        note: &str,
    ) -> Result<DossierRow, ApiError> {
        let note = parse_unit_note(note)?;
        let (row, c) = self.dossier_for(Some(unit), id).await?;
        let key = self.data_key(&c)?;
        let at = now();
        let event = NewDossierEvent {
            change: DossierChange::Unit {
                by: clerk.id,
                state,
            },
            sealed_text: Some(key.seal_forwarding(c.id.0, part::EVENT, note.as_bytes())),
            at,
            statistics: self.statistics_row(&key, c.id).await?,
        };
        let audit = NewAudit::by(clerk, "dossier_state", at)
            .on(c.id)
            .detail(format!("{}: {}", row.reference, state.as_str()));
        let changed = self
            .store
            .record_dossier_event(id, event, audit)
            .await?
            .ok_or(ApiError::NotFound)??;
        self.bus.publish(Topic::Supervision, BusEvent::StaffChanged);
        Ok(changed)
    }

    async fn files(
        &self,
        row: &DossierRow,
        c: &Conversation,
        key: &DataKey,
    ) -> Result<(Vec<u8>, Vec<u8>), ApiError> {
        let (json, pdf) = self
            .store
            .dossier_files(row.id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let open = |which: &str, sealed: &[u8]| {
            key.open_forwarding(c.id.0, which, sealed).map_err(|_| {
                tracing::error!(dossier = %row.id, "stored dossier does not authenticate");
                ApiError::Internal
            })
        };
        Ok((open(part::JSON, &json)?, open(part::PDF, &pdf)?))
    }

    async fn records(
        &self,
        row: &DossierRow,
        c: &Conversation,
        key: &DataKey,
    ) -> Result<Vec<DossierRecord>, ApiError> {
        self.store
            .dossier_events(row.id)
            .await?
            .into_iter()
            .map(|e| {
                let text = e
                    .sealed_text
                    .map(|s| {
                        key.open_forwarding(c.id.0, part::EVENT, &s)
                            .map(|t| String::from_utf8_lossy(&t).into_owned())
                            .map_err(|_| ApiError::Internal)
                    })
                    .transpose()?;
                Ok(DossierRecord {
                    seq: e.seq,
                    state: e.state,
                    by: e.by.map(|_| e.by_name.unwrap_or_default()),
                    text,
                    at: e.at,
                })
            })
            .collect()
    }

    // ---- The person's follow-up, with their return code

    async fn follow_up_key(&self) -> Result<[u8; 32], ApiError> {
        let fresh = {
            use rand::RngCore;
            let mut k = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut k);
            k
        };
        Ok(self.store.install_secret("follow_up_pass", fresh).await?)
    }

    /// The person gives their return code: if it belongs to a forwarded report, a pass to
    /// follow it for [`FOLLOW_UP_PASS`]. Any code that opens no dossier answers as unknown,
    /// whatever it opens otherwise.
    pub async fn open_follow_up(
        &self,
        code: &ecoute_domain::ReturnCode,
    ) -> Result<(String, FollowUp), ApiError> {
        let conversation = self.conversation_of_code(code).await?;
        let row = self
            .store
            .dossier_of(conversation)
            .await?
            .ok_or(ApiError::UnknownReturnCode)?;
        let audit = NewAudit::system("follow_up_opened", now())
            .on(conversation)
            .detail(row.reference.clone());
        self.store.append_audit(audit).await?;
        let expires = (now() + FOLLOW_UP_PASS).unix_timestamp();
        let pass = ecoute_crypto::follow_up::issue(&self.follow_up_key().await?, row.id, expires);
        let view = self.follow_up_view(&row).await?;
        Ok((pass, view))
    }

    /// The dossier a pass opens, or `unauthenticated` (forged, altered, expired).
    async fn followed(&self, pass: &str) -> Result<DossierRow, ApiError> {
        let key = self.follow_up_key().await?;
        let id = ecoute_crypto::follow_up::check(&key, pass, now().unix_timestamp())
            .ok_or(ApiError::Unauthenticated)?;
        self.store
            .dossier(id)
            .await?
            .ok_or(ApiError::Unauthenticated)
    }

    /// Where the report stands, in neutral words.
    pub async fn follow_up(&self, pass: &str) -> Result<FollowUp, ApiError> {
        let row = self.followed(pass).await?;
        self.follow_up_view(&row).await
    }

    async fn follow_up_view(&self, row: &DossierRow) -> Result<FollowUp, ApiError> {
        let events = self.store.dossier_events(row.id).await?;
        Ok(FollowUp {
            reference: row.reference.clone(),
            stage: row.state.public_stage(),
            open: !row.state.is_final(),
            produced_at: row.produced_at,
            updated_at: row.updated_at,
            messages_sent: events
                .iter()
                .filter(|e| e.state.is_none() && e.by.is_none())
                .count(),
        })
    }

    /// The person adds a message for the unit and the platform; audited (not its text).
    pub async fn follow_up_message(
        &self,
        pass: &str,
        text: &MessageBody,
    ) -> Result<FollowUp, ApiError> {
        let row = self.followed(pass).await?;
        self.person_records(row, DossierChange::PersonMessage, Some(text.as_str()))
            .await
    }

    /// The person withdraws their consent: the dossier closes, and its unit reads it on its
    /// desk. Audited.
    pub async fn withdraw_consent(&self, pass: &str) -> Result<FollowUp, ApiError> {
        let row = self.followed(pass).await?;
        self.person_records(row, DossierChange::Withdraw, None)
            .await
    }

    async fn person_records(
        &self,
        row: DossierRow,
        change: DossierChange,
        text: Option<&str>,
    ) -> Result<FollowUp, ApiError> {
        let c = self
            .store
            .conversation(row.conversation)
            .await?
            .ok_or(ApiError::NotFound)?;
        let key = self.data_key(&c)?;
        let at = now();
        let action = match change {
            DossierChange::Withdraw => "consent_withdrawn",
            _ => "follow_up_message",
        };
        let event = NewDossierEvent {
            change,
            sealed_text: text.map(|t| key.seal_forwarding(c.id.0, part::EVENT, t.as_bytes())),
            at,
            statistics: self.statistics_row(&key, c.id).await?,
        };
        let audit = NewAudit::system(action, at)
            .on(c.id)
            .detail(format!("{}, by the person", row.reference));
        let changed = self
            .store
            .record_dossier_event(row.id, event, audit)
            .await?
            .ok_or(ApiError::NotFound)??;
        self.bus.publish(Topic::Supervision, BusEvent::StaffChanged);
        // The unit is told that something changed on its desk (never what).
        if let Some(unit) = self.store.unit(&changed.unit).await? {
            self.tell_unit(changed.id, unit, crate::notify::Notice::Update);
        }
        self.follow_up_view(&changed).await
    }
}

fn require_supervisor(user: &User) -> Result<(), ApiError> {
    if super::supervision::supervises(user.role) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}
