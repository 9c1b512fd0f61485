//! Forwarded reports in SQLite: the consent question and answer, the dossiers, what units and
//! persons record on them, the notification log. Every write takes the writer lock up front
//! (`BEGIN IMMEDIATE`), so a rule checked here cannot be overtaken by another write.

use super::{SqliteStore, WriteTx, err, insert_audit};
use ecoute_domain::{ContactBucket, ConversationId, DossierError, DossierState, UnitId, UserId};
use ecoute_store::stored::{DOSSIER_COLUMNS, corrupt, from_millis, millis, opt_time, parse_uuid};
use ecoute_store::{
    DossierChange, DossierRow, DossierStep, NewAudit, NewDossier, NewDossierEvent,
    NotificationRecord, StoreResult, StoredConsent, StoredDossierEvent,
};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;
use uuid::Uuid;

fn unit_id(s: String) -> StoreResult<UnitId> {
    UnitId::parse(&s).ok_or_else(|| corrupt("unit id"))
}

fn dossier_from_row(row: &SqliteRow) -> StoreResult<DossierRow> {
    let id: String = row.try_get("id").map_err(err)?;
    let conversation: String = row.try_get("conversation_id").map_err(err)?;
    let state: String = row.try_get("state").map_err(err)?;
    Ok(DossierRow {
        id: parse_uuid(&id)?,
        conversation: ConversationId(parse_uuid(&conversation)?),
        reference: row.try_get("reference").map_err(err)?,
        unit: unit_id(row.try_get("unit_id").map_err(err)?)?,
        state: DossierState::parse(&state).ok_or_else(|| corrupt("dossier state"))?,
        produced_at: from_millis(row.try_get("produced_at").map_err(err)?)?,
        acknowledged_at: opt_time(row.try_get("acknowledged_at").map_err(err)?)?,
        first_contact_at: opt_time(row.try_get("first_contact_at").map_err(err)?)?,
        updated_at: from_millis(row.try_get("updated_at").map_err(err)?)?,
        digest: row.try_get("digest").map_err(err)?,
        signed_by: row.try_get::<i64, _>("signed_by").map_err(err)? as u32,
    })
}

impl SqliteStore {
    pub(crate) async fn do_ask_consent(
        &self,
        id: ConversationId,
        officer: UserId,
        unit: &UnitId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let holds: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM conversations WHERE id = ? AND officer_id = ? \
             AND state = 'active')",
        )
        .bind(id.to_string())
        .bind(officer.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(err)?;
        if !holds {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO consents (conversation_id, unit_id, asked_by, asked_at) \
             VALUES (?, ?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET \
             unit_id = excluded.unit_id, asked_by = excluded.asked_by, \
             asked_at = excluded.asked_at, answer = NULL, answered_at = NULL, sealed = NULL",
        )
        .bind(id.to_string())
        .bind(unit.as_str())
        .bind(officer.to_string())
        .bind(millis(at))
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn do_answer_consent(
        &self,
        id: ConversationId,
        unit: &UnitId,
        yes: bool,
        sealed: &[u8],
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let changed = sqlx::query(
            "UPDATE consents SET answer = ?, answered_at = ?, sealed = ? \
             WHERE conversation_id = ? AND unit_id = ? AND answer IS NULL \
             AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = consents.conversation_id \
                         AND c.state = 'active')",
        )
        .bind(i64::from(yes))
        .bind(millis(at))
        .bind(sealed)
        .bind(id.to_string())
        .bind(unit.as_str())
        .execute(&mut *tx)
        .await
        .map_err(err)?
        .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn do_consent(
        &self,
        id: ConversationId,
    ) -> StoreResult<Option<StoredConsent>> {
        let row = sqlx::query(
            "SELECT unit_id, asked_by, asked_at, answer, answered_at, sealed FROM consents \
             WHERE conversation_id = ?",
        )
        .bind(id.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(err)?;
        row.map(|row| {
            let asked_by: String = row.try_get("asked_by").map_err(err)?;
            Ok(StoredConsent {
                unit: unit_id(row.try_get("unit_id").map_err(err)?)?,
                asked_by: UserId(parse_uuid(&asked_by)?),
                asked_at: from_millis(row.try_get("asked_at").map_err(err)?)?,
                answer: row
                    .try_get::<Option<i64>, _>("answer")
                    .map_err(err)?
                    .map(|a| a != 0),
                answered_at: opt_time(row.try_get("answered_at").map_err(err)?)?,
                sealed: row.try_get("sealed").map_err(err)?,
            })
        })
        .transpose()
    }

    pub(crate) async fn do_create_dossier(
        &self,
        d: NewDossier,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let inserted = sqlx::query(
            "INSERT INTO dossiers (id, conversation_id, reference, unit_id, state, produced_at, \
             updated_at, digest, signed_by, sealed_json, sealed_pdf) \
             VALUES (?, ?, ?, ?, 'sent', ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (conversation_id) DO NOTHING",
        )
        .bind(d.id.to_string())
        .bind(d.conversation.to_string())
        .bind(&d.reference)
        .bind(d.unit.as_str())
        .bind(millis(d.produced_at))
        .bind(millis(d.produced_at))
        .bind(&d.digest)
        .bind(i64::from(d.signed_by))
        .bind(&d.sealed_json)
        .bind(&d.sealed_pdf)
        .execute(&mut *tx)
        .await
        .map_err(err)?
        .rows_affected();
        if inserted == 0 {
            return Ok(false);
        }
        update_statistics(&mut tx, d.statistics, DossierState::Sent, None).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn do_forwarded_without_dossier(
        &self,
        limit: u32,
    ) -> StoreResult<Vec<ConversationId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT c.id FROM conversations c WHERE c.state = 'closed' \
             AND c.outcome = 'report_forwarded' \
             AND NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.conversation_id = c.id) \
             ORDER BY c.closed_at, c.id LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await
        .map_err(err)?;
        ids.iter()
            .map(|id| parse_uuid(id).map(ConversationId))
            .collect()
    }

    pub(crate) async fn do_dossier_where(
        &self,
        column: &str,
        value: String,
    ) -> StoreResult<Option<DossierRow>> {
        let row = sqlx::query(&format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE {column} = ?"
        ))
        .bind(value)
        .fetch_optional(&self.read)
        .await
        .map_err(err)?;
        row.as_ref().map(dossier_from_row).transpose()
    }

    pub(crate) async fn do_dossiers(
        &self,
        unit: Option<&UnitId>,
        limit: u32,
    ) -> StoreResult<Vec<DossierRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE (? IS NULL OR unit_id = ?) \
             ORDER BY closed_at IS NOT NULL, produced_at DESC, id LIMIT ?"
        ))
        .bind(unit.map(UnitId::as_str))
        .bind(unit.map(UnitId::as_str))
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await
        .map_err(err)?;
        rows.iter().map(dossier_from_row).collect()
    }

    pub(crate) async fn do_count_unacknowledged(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM dossiers WHERE state = 'sent' AND produced_at < ?",
        )
        .bind(millis(before))
        .fetch_one(&self.read)
        .await
        .map_err(err)?;
        Ok(n as u64)
    }

    pub(crate) async fn do_dossier_files(
        &self,
        id: Uuid,
    ) -> StoreResult<Option<(Vec<u8>, Vec<u8>)>> {
        let row = sqlx::query("SELECT sealed_json, sealed_pdf FROM dossiers WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await
            .map_err(err)?;
        row.map(|row| {
            Ok((
                row.try_get("sealed_json").map_err(err)?,
                row.try_get("sealed_pdf").map_err(err)?,
            ))
        })
        .transpose()
    }

    pub(crate) async fn do_statistics_link(
        &self,
        conversation: ConversationId,
    ) -> StoreResult<Option<Vec<u8>>> {
        sqlx::query_scalar(
            "SELECT sealed_statistics_id FROM statistics_links WHERE conversation_id = ?",
        )
        .bind(conversation.to_string())
        .fetch_optional(&self.read)
        .await
        .map_err(err)
    }

    pub(crate) async fn do_record_dossier_event(
        &self,
        id: Uuid,
        event: NewDossierEvent,
        audit: NewAudit,
    ) -> StoreResult<Option<Result<DossierRow, DossierError>>> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let row = sqlx::query(&format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(err)?;
        let Some(row) = row else { return Ok(None) };
        let mut dossier = dossier_from_row(&row)?;
        let step = match DossierStep::decide(
            dossier.state,
            event.change,
            dossier.acknowledged_at.is_some(),
            dossier.first_contact_at.is_some(),
        ) {
            Ok(step) => step,
            Err(e) => return Ok(Some(Err(e))),
        };
        let at = millis(event.at);
        sqlx::query(
            "UPDATE dossiers SET state = ?, updated_at = ?, \
             acknowledged_at = CASE WHEN ? THEN ? ELSE acknowledged_at END, \
             first_contact_at = CASE WHEN ? THEN ? ELSE first_contact_at END, \
             closed_at = CASE WHEN ? THEN ? ELSE closed_at END WHERE id = ?",
        )
        .bind(step.state.as_str())
        .bind(at)
        .bind(step.acknowledges)
        .bind(at)
        .bind(step.first_contact)
        .bind(at)
        .bind(step.closes)
        .bind(at)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        let (state, by) = match event.change {
            DossierChange::Unit { by, state } => (Some(state), Some(by)),
            DossierChange::Withdraw => (Some(DossierState::Withdrawn), None),
            DossierChange::PersonMessage => (None, None),
        };
        sqlx::query(
            "INSERT INTO dossier_events (dossier_id, seq, state, by_user, sealed_text, at) \
             VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM dossier_events \
                         WHERE dossier_id = ?), ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(id.to_string())
        .bind(state.map(DossierState::as_str))
        .bind(by.map(|b| b.to_string()))
        .bind(&event.sealed_text)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        let contact = step
            .first_contact
            .then(|| ContactBucket::of(event.at - dossier.produced_at));
        update_statistics(&mut tx, event.statistics, step.state, contact).await?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        dossier.state = step.state;
        dossier.updated_at = event.at;
        if step.acknowledges {
            dossier.acknowledged_at = Some(event.at);
        }
        if step.first_contact {
            dossier.first_contact_at = Some(event.at);
        }
        Ok(Some(Ok(dossier)))
    }

    pub(crate) async fn do_dossier_events(&self, id: Uuid) -> StoreResult<Vec<StoredDossierEvent>> {
        let rows = sqlx::query(
            "SELECT e.seq, e.state, e.by_user, u.display_name, e.sealed_text, e.at \
             FROM dossier_events e LEFT JOIN users u ON u.id = e.by_user \
             WHERE e.dossier_id = ? ORDER BY e.seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(err)?;
        rows.iter()
            .map(|row| {
                let state: Option<String> = row.try_get("state").map_err(err)?;
                let by: Option<String> = row.try_get("by_user").map_err(err)?;
                Ok(StoredDossierEvent {
                    seq: row.try_get::<i64, _>("seq").map_err(err)? as u64,
                    state: state
                        .map(|s| DossierState::parse(&s).ok_or_else(|| corrupt("dossier state")))
                        .transpose()?,
                    by: by.as_deref().map(parse_uuid).transpose()?.map(UserId),
                    by_name: row.try_get("display_name").map_err(err)?,
                    sealed_text: row.try_get("sealed_text").map_err(err)?,
                    at: from_millis(row.try_get("at").map_err(err)?)?,
                })
            })
            .collect()
    }

    pub(crate) async fn do_log_notification(&self, r: NotificationRecord) -> StoreResult<()> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query(
            "INSERT INTO dossier_notifications (dossier_id, unit_id, at, outcome, attempts) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(r.dossier.to_string())
        .bind(r.unit.as_str())
        .bind(millis(r.at))
        .bind(&r.outcome)
        .bind(i64::from(r.attempts))
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        tx.commit().await
    }

    pub(crate) async fn do_notifications(
        &self,
        dossier: Uuid,
    ) -> StoreResult<Vec<NotificationRecord>> {
        let rows = sqlx::query(
            "SELECT unit_id, at, outcome, attempts FROM dossier_notifications \
             WHERE dossier_id = ? ORDER BY at, rowid",
        )
        .bind(dossier.to_string())
        .fetch_all(&self.read)
        .await
        .map_err(err)?;
        rows.iter()
            .map(|row| {
                Ok(NotificationRecord {
                    dossier,
                    unit: unit_id(row.try_get("unit_id").map_err(err)?)?,
                    at: from_millis(row.try_get("at").map_err(err)?)?,
                    outcome: row.try_get("outcome").map_err(err)?,
                    attempts: row.try_get::<i64, _>("attempts").map_err(err)? as u32,
                })
            })
            .collect()
    }
}

/// Deletes a purged chat's consent and dossier (events, notifications) inside the purge's
/// transaction; returns how many dossiers went.
pub(crate) async fn purge_forwarding(
    conn: &mut sqlx::SqliteConnection,
    id: ConversationId,
) -> StoreResult<u64> {
    let id = id.to_string();
    for sql in [
        "DELETE FROM dossier_events WHERE dossier_id IN \
         (SELECT id FROM dossiers WHERE conversation_id = ?)",
        "DELETE FROM dossier_notifications WHERE dossier_id IN \
         (SELECT id FROM dossiers WHERE conversation_id = ?)",
        "DELETE FROM consents WHERE conversation_id = ?",
        "DELETE FROM statistics_links WHERE conversation_id = ?",
    ] {
        sqlx::query(sql)
            .bind(&id)
            .execute(&mut *conn)
            .await
            .map_err(err)?;
    }
    Ok(
        sqlx::query("DELETE FROM dossiers WHERE conversation_id = ?")
            .bind(&id)
            .execute(&mut *conn)
            .await
            .map_err(err)?
            .rows_affected(),
    )
}

/// Brings a forwarded chat's statistics row `statistics` up to date with its dossier: its latest
/// state and, the first time the unit reaches the person, how long that took
/// (docs/STATISTICS.md). Nothing for a chat closed before the rows were linked.
async fn update_statistics(
    conn: &mut sqlx::SqliteConnection,
    statistics: Option<Uuid>,
    state: DossierState,
    first_contact: Option<ContactBucket>,
) -> StoreResult<()> {
    let Some(statistics) = statistics else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE chat_statistics SET dossier_state = ?, \
         first_contact = COALESCE(first_contact, ?) WHERE id = ?",
    )
    .bind(state.as_str())
    .bind(first_contact.map(ContactBucket::as_str))
    .bind(statistics.to_string())
    .execute(conn)
    .await
    .map_err(err)?;
    Ok(())
}
