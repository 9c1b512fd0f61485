//! Forwarded reports in PostgreSQL: the consent question and answer, the dossiers, what units
//! and persons record on them, the notification log. A rule checked here is checked on a row
//! locked until the commit (`FOR UPDATE`), so two nodes cannot both apply it.

use super::{MAX_ATTEMPTS, PgStore, Tx, backoff, bounded, commit, db, insert_audit, typed};
use crate::error::{Fail, R, corrupt};
use ecoute_domain::{ContactBucket, ConversationId, DossierError, DossierState, UnitId, UserId};
use ecoute_store::stored::{DOSSIER_COLUMNS, from_millis, millis, opt_time, parse_uuid};
use ecoute_store::{
    DossierChange, DossierRow, DossierStep, NewAudit, NewDossier, NewDossierEvent,
    NotificationRecord, StoreResult, StoredConsent, StoredDossierEvent,
};
use sqlx::Row;
use sqlx::postgres::PgRow;
use time::OffsetDateTime;
use uuid::Uuid;

fn unit_id(s: String) -> R<UnitId> {
    UnitId::parse(&s).ok_or_else(|| corrupt("unit id"))
}

fn dossier_from_row(row: &PgRow) -> R<DossierRow> {
    let id: String = row.try_get("id")?;
    let conversation: String = row.try_get("conversation_id")?;
    let state: String = row.try_get("state")?;
    Ok(DossierRow {
        id: parse_uuid(&id)?,
        conversation: ConversationId(parse_uuid(&conversation)?),
        reference: row.try_get("reference")?,
        unit: unit_id(row.try_get("unit_id")?)?,
        state: DossierState::parse(&state).ok_or_else(|| corrupt("dossier state"))?,
        produced_at: from_millis(row.try_get("produced_at")?)?,
        acknowledged_at: opt_time(row.try_get("acknowledged_at")?)?,
        first_contact_at: opt_time(row.try_get("first_contact_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
        digest: row.try_get("digest")?,
        signed_by: u32::try_from(row.try_get::<i64, _>("signed_by")?)
            .map_err(|_| corrupt("signed_by"))?,
    })
}

fn store<T>(r: R<T>) -> StoreResult<T> {
    r.map_err(Fail::into_store)
}

impl PgStore {
    pub(crate) async fn do_ask_consent(
        &self,
        id: ConversationId,
        officer: UserId,
        unit: &UnitId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let holds = sqlx::query(
                "SELECT 1 FROM conversations WHERE id = $1 AND officer_id = $2 \
                 AND state = 'active' FOR UPDATE",
            )
            .bind(id.to_string())
            .bind(officer.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
            if !holds {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO consents (conversation_id, unit_id, asked_by, asked_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (conversation_id) DO UPDATE SET \
                 unit_id = excluded.unit_id, asked_by = excluded.asked_by, \
                 asked_at = excluded.asked_at, answer = NULL, answered_at = NULL, sealed = NULL",
            )
            .bind(id.to_string())
            .bind(unit.as_str())
            .bind(officer.to_string())
            .bind(millis(at))
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(true)
        })
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
        transaction!(async {
            let mut tx = self.begin().await?;
            // The chat's row first, as every write on a chat locks it: the question cannot be
            // replaced, nor the chat closed, while the answer is written.
            let open = sqlx::query(
                "SELECT 1 FROM conversations WHERE id = $1 AND state = 'active' FOR UPDATE",
            )
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
            if !open {
                return Ok(false);
            }
            let changed = sqlx::query(
                "UPDATE consents SET answer = $1, answered_at = $2, sealed = $3 \
                 WHERE conversation_id = $4 AND unit_id = $5 AND answer IS NULL",
            )
            .bind(yes)
            .bind(millis(at))
            .bind(sealed)
            .bind(id.to_string())
            .bind(unit.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Ok(false);
            }
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(true)
        })
    }

    pub(crate) async fn do_consent(
        &self,
        id: ConversationId,
    ) -> StoreResult<Option<StoredConsent>> {
        let row = sqlx::query(
            "SELECT unit_id, asked_by, asked_at, answer, answered_at, sealed FROM consents \
             WHERE conversation_id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        store(
            row.map(|row| -> R<StoredConsent> {
                let asked_by: String = row.try_get("asked_by")?;
                Ok(StoredConsent {
                    unit: unit_id(row.try_get("unit_id")?)?,
                    asked_by: UserId(parse_uuid(&asked_by)?),
                    asked_at: from_millis(row.try_get("asked_at")?)?,
                    answer: row.try_get("answer")?,
                    answered_at: opt_time(row.try_get("answered_at")?)?,
                    sealed: row.try_get("sealed")?,
                })
            })
            .transpose(),
        )
    }

    pub(crate) async fn do_create_dossier(
        &self,
        d: NewDossier,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO dossiers (id, conversation_id, reference, unit_id, state, \
                 produced_at, updated_at, digest, signed_by, sealed_json, sealed_pdf) \
                 VALUES ($1, $2, $3, $4, 'sent', $5, $5, $6, $7, $8, $9) \
                 ON CONFLICT (conversation_id) DO NOTHING",
            )
            .bind(d.id.to_string())
            .bind(d.conversation.to_string())
            .bind(&d.reference)
            .bind(d.unit.as_str())
            .bind(millis(d.produced_at))
            .bind(&d.digest)
            .bind(i64::from(d.signed_by))
            .bind(&d.sealed_json)
            .bind(&d.sealed_pdf)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            update_statistics(&mut tx, d.statistics, DossierState::Sent, None).await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(true)
        })
    }

    pub(crate) async fn do_forwarded_without_dossier(
        &self,
        limit: u32,
    ) -> StoreResult<Vec<ConversationId>> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT c.id FROM conversations c WHERE c.state = 'closed' \
             AND c.outcome = 'report_forwarded' \
             AND NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.conversation_id = c.id) \
             ORDER BY c.closed_at, c.id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
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
            "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE {column} = $1"
        ))
        .bind(value)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        store(row.as_ref().map(dossier_from_row).transpose())
    }

    pub(crate) async fn do_dossiers(
        &self,
        unit: Option<&UnitId>,
        limit: u32,
    ) -> StoreResult<Vec<DossierRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE ($1::TEXT IS NULL OR unit_id = $1) \
             ORDER BY closed_at IS NOT NULL, produced_at DESC, id LIMIT $2"
        ))
        .bind(unit.map(UnitId::as_str))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        store(rows.iter().map(dossier_from_row).collect())
    }

    pub(crate) async fn do_count_unacknowledged(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM dossiers WHERE state = 'sent' AND produced_at < $1",
        )
        .bind(millis(before))
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(n as u64)
    }

    pub(crate) async fn do_dossier_files(
        &self,
        id: Uuid,
    ) -> StoreResult<Option<(Vec<u8>, Vec<u8>)>> {
        let row = sqlx::query("SELECT sealed_json, sealed_pdf FROM dossiers WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|row| {
            Ok((
                row.try_get("sealed_json").map_err(db)?,
                row.try_get("sealed_pdf").map_err(db)?,
            ))
        })
        .transpose()
    }

    pub(crate) async fn do_statistics_link(
        &self,
        conversation: ConversationId,
    ) -> StoreResult<Option<Vec<u8>>> {
        sqlx::query_scalar(
            "SELECT sealed_statistics_id FROM statistics_links WHERE conversation_id = $1",
        )
        .bind(conversation.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)
    }

    pub(crate) async fn do_record_dossier_event(
        &self,
        id: Uuid,
        event: NewDossierEvent,
        audit: NewAudit,
    ) -> StoreResult<Option<Result<DossierRow, DossierError>>> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let row = sqlx::query(&format!(
                "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE id = $1 FOR UPDATE"
            ))
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
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
            write_event(&mut tx, id, &event, step).await?;
            let contact = step
                .first_contact
                .then(|| ContactBucket::of(event.at - dossier.produced_at));
            update_statistics(&mut tx, event.statistics, step.state, contact).await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            dossier.state = step.state;
            dossier.updated_at = event.at;
            if step.acknowledges {
                dossier.acknowledged_at = Some(event.at);
            }
            if step.first_contact {
                dossier.first_contact_at = Some(event.at);
            }
            Ok(Some(Ok(dossier)))
        })
    }

    pub(crate) async fn do_dossier_events(&self, id: Uuid) -> StoreResult<Vec<StoredDossierEvent>> {
        let rows = sqlx::query(
            "SELECT e.seq, e.state, e.by_user, u.display_name, e.sealed_text, e.at \
             FROM dossier_events e LEFT JOIN users u ON u.id = e.by_user \
             WHERE e.dossier_id = $1 ORDER BY e.seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        store(
            rows.iter()
                .map(|row| -> R<StoredDossierEvent> {
                    let state: Option<String> = row.try_get("state")?;
                    let by: Option<String> = row.try_get("by_user")?;
                    Ok(StoredDossierEvent {
                        seq: u64::try_from(row.try_get::<i64, _>("seq")?)
                            .map_err(|_| corrupt("seq"))?,
                        state: state
                            .map(|s| {
                                DossierState::parse(&s).ok_or_else(|| corrupt("dossier state"))
                            })
                            .transpose()?,
                        by: by.as_deref().map(parse_uuid).transpose()?.map(UserId),
                        by_name: row.try_get("display_name")?,
                        sealed_text: row.try_get("sealed_text")?,
                        at: from_millis(row.try_get("at")?)?,
                    })
                })
                .collect(),
        )
    }

    pub(crate) async fn do_log_notification(&self, r: NotificationRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO dossier_notifications (dossier_id, unit_id, at, outcome, attempts) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(r.dossier.to_string())
        .bind(r.unit.as_str())
        .bind(millis(r.at))
        .bind(&r.outcome)
        .bind(i64::from(r.attempts))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    pub(crate) async fn do_notifications(
        &self,
        dossier: Uuid,
    ) -> StoreResult<Vec<NotificationRecord>> {
        let rows = sqlx::query(
            "SELECT unit_id, at, outcome, attempts FROM dossier_notifications \
             WHERE dossier_id = $1 ORDER BY at, ctid",
        )
        .bind(dossier.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        store(
            rows.iter()
                .map(|row| -> R<NotificationRecord> {
                    Ok(NotificationRecord {
                        dossier,
                        unit: unit_id(row.try_get("unit_id")?)?,
                        at: from_millis(row.try_get("at")?)?,
                        outcome: row.try_get("outcome")?,
                        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?)
                            .map_err(|_| corrupt("attempts"))?,
                    })
                })
                .collect(),
        )
    }
}

/// Writes a dossier's new state and the event that changed it.
async fn write_event(tx: &mut Tx, id: Uuid, event: &NewDossierEvent, step: DossierStep) -> R<()> {
    let at = millis(event.at);
    sqlx::query(
        "UPDATE dossiers SET state = $1, updated_at = $2, \
         acknowledged_at = CASE WHEN $3 THEN $2 ELSE acknowledged_at END, \
         first_contact_at = CASE WHEN $4 THEN $2 ELSE first_contact_at END, \
         closed_at = CASE WHEN $5 THEN $2 ELSE closed_at END WHERE id = $6",
    )
    .bind(step.state.as_str())
    .bind(at)
    .bind(step.acknowledges)
    .bind(step.first_contact)
    .bind(step.closes)
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    let (state, by) = match event.change {
        DossierChange::Unit { by, state } => (Some(state), Some(by)),
        DossierChange::Withdraw => (Some(DossierState::Withdrawn), None),
        DossierChange::PersonMessage => (None, None),
    };
    sqlx::query(
        "INSERT INTO dossier_events (dossier_id, seq, state, by_user, sealed_text, at) \
         VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM dossier_events \
                      WHERE dossier_id = $1), $2, $3, $4, $5)",
    )
    .bind(id.to_string())
    .bind(state.map(DossierState::as_str))
    .bind(by.map(|b| b.to_string()))
    .bind(&event.sealed_text)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes a purged chat's consent and dossier (events, notifications) inside the purge's
/// transaction; returns how many dossiers went.
pub(crate) async fn purge_forwarding(tx: &mut Tx, id: ConversationId) -> R<u64> {
    let id = id.to_string();
    for sql in [
        "DELETE FROM dossier_events WHERE dossier_id IN \
         (SELECT id FROM dossiers WHERE conversation_id = $1)",
        "DELETE FROM dossier_notifications WHERE dossier_id IN \
         (SELECT id FROM dossiers WHERE conversation_id = $1)",
        "DELETE FROM consents WHERE conversation_id = $1",
        "DELETE FROM statistics_links WHERE conversation_id = $1",
    ] {
        sqlx::query(sql).bind(&id).execute(&mut **tx).await?;
    }
    Ok(
        sqlx::query("DELETE FROM dossiers WHERE conversation_id = $1")
            .bind(&id)
            .execute(&mut **tx)
            .await?
            .rows_affected(),
    )
}

/// Brings a forwarded chat's statistics row `statistics` up to date with its dossier: its latest
/// state and, the first time the unit reaches the person, how long that took
/// (docs/STATISTICS.md). Nothing for a chat closed before the rows were linked.
async fn update_statistics(
    conn: &mut sqlx::PgConnection,
    statistics: Option<Uuid>,
    state: DossierState,
    first_contact: Option<ContactBucket>,
) -> R<()> {
    let Some(statistics) = statistics else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE chat_statistics SET dossier_state = $1, \
         first_contact = COALESCE(first_contact, $2) WHERE id = $3",
    )
    .bind(state.as_str())
    .bind(first_contact.map(ContactBucket::as_str))
    .bind(statistics.to_string())
    .execute(conn)
    .await?;
    Ok(())
}
