//! Wellbeing in SQLite (`ecoute_store::wellbeing` says what is kept and why).

use super::{SqliteStore, WriteTx, err, insert_audit};
use ecoute_domain::{ChatFacts, UserId};
use ecoute_store::stored::millis;
use ecoute_store::wellbeing::{
    EXPOSURE_COLUMNS, ExposureMinute, LAST_BREAKS, StoredBreak, break_row, exposure_row,
};
use ecoute_store::{NewAudit, StoreResult};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;

fn minute_of_row(row: &SqliteRow) -> StoreResult<ExposureMinute> {
    let conversation: String = row.try_get("conversation_id").map_err(err)?;
    let user: String = row.try_get("user_id").map_err(err)?;
    let facts = ChatFacts {
        danger: row.try_get("danger").map_err(err)?,
        flagged: row.try_get("flagged").map_err(err)?,
        minor: row.try_get("minor").map_err(err)?,
        grave: row.try_get("grave").map_err(err)?,
    };
    exposure_row(
        &conversation,
        row.try_get("minute").map_err(err)?,
        &user,
        facts,
    )
}

fn break_of_row(row: &SqliteRow) -> StoreResult<StoredBreak> {
    let user: String = row.try_get("user_id").map_err(err)?;
    break_row(
        &user,
        row.try_get("started_at").map_err(err)?,
        row.try_get("ended_at").map_err(err)?,
    )
}

impl SqliteStore {
    pub(crate) async fn do_record_exposure(&self, minutes: &[ExposureMinute]) -> StoreResult<u64> {
        if minutes.is_empty() {
            return Ok(0);
        }
        let mut tx = WriteTx::begin(&self.write).await?;
        let mut written = 0;
        for m in minutes {
            written += sqlx::query(
                "INSERT INTO exposure_minutes \
                 (conversation_id, minute, user_id, danger, flagged, minor, grave) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(m.conversation.to_string())
            .bind(m.minute)
            .bind(m.officer.to_string())
            .bind(m.facts.danger)
            .bind(m.facts.flagged)
            .bind(m.facts.minor)
            .bind(m.facts.grave)
            .execute(&mut *tx)
            .await
            .map_err(err)?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }

    pub(crate) async fn do_exposure_minutes(
        &self,
        officer: Option<UserId>,
        since: i64,
    ) -> StoreResult<Vec<ExposureMinute>> {
        sqlx::query(&format!(
            "SELECT {EXPOSURE_COLUMNS} FROM exposure_minutes \
             WHERE minute >= ? AND (? IS NULL OR user_id = ?) ORDER BY minute, conversation_id"
        ))
        .bind(since)
        .bind(officer.map(|o| o.to_string()))
        .bind(officer.map(|o| o.to_string()))
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(minute_of_row)
        .collect()
    }

    pub(crate) async fn do_start_break(
        &self,
        officer: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<()> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query(
            "UPDATE breaks SET ended_at = MAX(started_at, ?) WHERE user_id = ? AND ended_at IS NULL",
        )
        .bind(millis(at))
        .bind(officer.to_string())
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        sqlx::query(
            "INSERT INTO breaks (user_id, started_at, ended_at) VALUES (?, ?, NULL) \
             ON CONFLICT (user_id, started_at) DO UPDATE SET ended_at = NULL",
        )
        .bind(officer.to_string())
        .bind(millis(at))
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await
    }

    pub(crate) async fn do_end_break(
        &self,
        officer: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let ended = sqlx::query(
            "UPDATE breaks SET ended_at = MAX(started_at, ?) WHERE user_id = ? AND ended_at IS NULL",
        )
        .bind(millis(at))
        .bind(officer.to_string())
        .execute(&mut *tx)
        .await
        .map_err(err)?
        .rows_affected();
        if ended == 0 {
            return Ok(false);
        }
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn do_breaks_since(
        &self,
        officer: Option<UserId>,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<StoredBreak>> {
        sqlx::query(
            "SELECT user_id, started_at, ended_at FROM breaks \
             WHERE (started_at >= ? OR ended_at IS NULL OR ended_at >= ?) \
             AND (? IS NULL OR user_id = ?) ORDER BY started_at, user_id",
        )
        .bind(millis(since))
        .bind(millis(since))
        .bind(officer.map(|o| o.to_string()))
        .bind(officer.map(|o| o.to_string()))
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(break_of_row)
        .collect()
    }

    pub(crate) async fn do_last_breaks(&self) -> StoreResult<Vec<StoredBreak>> {
        sqlx::query(LAST_BREAKS)
            .fetch_all(&self.read)
            .await
            .map_err(err)?
            .iter()
            .map(break_of_row)
            .collect()
    }

    pub(crate) async fn do_purge_wellbeing(
        &self,
        minutes_before: i64,
        breaks_before: OffsetDateTime,
    ) -> StoreResult<u64> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let minutes = sqlx::query("DELETE FROM exposure_minutes WHERE minute < ?")
            .bind(minutes_before)
            .execute(&mut *tx)
            .await
            .map_err(err)?
            .rows_affected();
        let breaks = sqlx::query("DELETE FROM breaks WHERE ended_at IS NOT NULL AND ended_at < ?")
            .bind(millis(breaks_before))
            .execute(&mut *tx)
            .await
            .map_err(err)?
            .rows_affected();
        tx.commit().await?;
        Ok(minutes + breaks)
    }
}
