//! Wellbeing in PostgreSQL (`ecoute_store::wellbeing` says what is kept and why). A (chat,
//! minute) is written once: nodes sampling the same minute meet on the primary key and the later
//! one writes nothing. Break changes lock the officer's account row, so that two consoles
//! choosing at once apply one after the other.

use super::{MAX_ATTEMPTS, PgStore, backoff, bounded, commit, db, decode_all, insert_audit, typed};
use crate::error::{Fail, R};
use ecoute_domain::{ChatFacts, UserId};
use ecoute_store::stored::millis;
use ecoute_store::wellbeing::{
    EXPOSURE_COLUMNS, ExposureMinute, LAST_BREAKS, StoredBreak, break_row, exposure_row,
};
use ecoute_store::{NewAudit, StoreResult};
use sqlx::Row;
use sqlx::postgres::{PgConnection, PgRow};
use time::OffsetDateTime;

fn minute_of_row(row: &PgRow) -> R<ExposureMinute> {
    let conversation: String = row.try_get("conversation_id")?;
    let user: String = row.try_get("user_id")?;
    let facts = ChatFacts {
        danger: row.try_get("danger")?,
        flagged: row.try_get("flagged")?,
        minor: row.try_get("minor")?,
        grave: row.try_get("grave")?,
    };
    Ok(exposure_row(
        &conversation,
        row.try_get("minute")?,
        &user,
        facts,
    )?)
}

fn break_of_row(row: &PgRow) -> R<StoredBreak> {
    let user: String = row.try_get("user_id")?;
    Ok(break_row(
        &user,
        row.try_get("started_at")?,
        row.try_get("ended_at")?,
    )?)
}

/// Ends the officer's open break at `at` (never before it began); `true` if there was one.
async fn close_open_break(conn: &mut PgConnection, officer: UserId, at: i64) -> R<bool> {
    sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
        .bind(officer.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(sqlx::query(
        "UPDATE breaks SET ended_at = GREATEST(started_at, $1) \
         WHERE user_id = $2 AND ended_at IS NULL",
    )
    .bind(at)
    .bind(officer.to_string())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        > 0)
}

impl PgStore {
    pub(crate) async fn do_record_exposure(&self, minutes: &[ExposureMinute]) -> StoreResult<u64> {
        if minutes.is_empty() {
            return Ok(0);
        }
        transaction!(async {
            let mut tx = self.begin().await?;
            let mut written = 0;
            for m in minutes {
                written += sqlx::query(
                    "INSERT INTO exposure_minutes \
                     (conversation_id, minute, user_id, danger, flagged, minor, grave) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                )
                .bind(m.conversation.to_string())
                .bind(m.minute)
                .bind(m.officer.to_string())
                .bind(m.facts.danger)
                .bind(m.facts.flagged)
                .bind(m.facts.minor)
                .bind(m.facts.grave)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            commit(tx).await?;
            Ok(written)
        })
    }

    pub(crate) async fn do_exposure_minutes(
        &self,
        officer: Option<UserId>,
        since: i64,
    ) -> StoreResult<Vec<ExposureMinute>> {
        let rows = sqlx::query(&format!(
            "SELECT {EXPOSURE_COLUMNS} FROM exposure_minutes \
             WHERE minute >= $1 AND ($2::TEXT IS NULL OR user_id = $2) \
             ORDER BY minute, conversation_id"
        ))
        .bind(since)
        .bind(officer.map(|o| o.to_string()))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        decode_all(&rows, minute_of_row)
    }

    pub(crate) async fn do_start_break(
        &self,
        officer: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<()> {
        transaction!(async {
            let mut tx = self.begin().await?;
            close_open_break(&mut tx, officer, millis(at)).await?;
            sqlx::query(
                "INSERT INTO breaks (user_id, started_at, ended_at) VALUES ($1, $2, NULL) \
                 ON CONFLICT (user_id, started_at) DO UPDATE SET ended_at = NULL",
            )
            .bind(officer.to_string())
            .bind(millis(at))
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await
        })
    }

    pub(crate) async fn do_end_break(
        &self,
        officer: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        transaction!(async {
            let mut tx = self.begin().await?;
            if !close_open_break(&mut tx, officer, millis(at)).await? {
                return Ok(false);
            }
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(true)
        })
    }

    pub(crate) async fn do_breaks_since(
        &self,
        officer: Option<UserId>,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<StoredBreak>> {
        let rows = sqlx::query(
            "SELECT user_id, started_at, ended_at FROM breaks \
             WHERE (started_at >= $1 OR ended_at IS NULL OR ended_at >= $1) \
             AND ($2::TEXT IS NULL OR user_id = $2) ORDER BY started_at, user_id",
        )
        .bind(millis(since))
        .bind(officer.map(|o| o.to_string()))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        decode_all(&rows, break_of_row)
    }

    pub(crate) async fn do_last_breaks(&self) -> StoreResult<Vec<StoredBreak>> {
        let rows = sqlx::query(LAST_BREAKS)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        decode_all(&rows, break_of_row)
    }

    pub(crate) async fn do_purge_wellbeing(
        &self,
        minutes_before: i64,
        breaks_before: OffsetDateTime,
    ) -> StoreResult<u64> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let minutes = sqlx::query("DELETE FROM exposure_minutes WHERE minute < $1")
                .bind(minutes_before)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let breaks =
                sqlx::query("DELETE FROM breaks WHERE ended_at IS NOT NULL AND ended_at < $1")
                    .bind(millis(breaks_before))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            commit(tx).await?;
            Ok(minutes + breaks)
        })
    }
}
