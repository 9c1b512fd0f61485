//! Presence spans in PostgreSQL (`ecoute_store::shifts`). Two nodes recording the same
//! change race on the partial unique index of open spans: the second confirms the span the
//! first opened instead of opening another.

use super::{MAX_ATTEMPTS, PgStore, backoff, bounded, commit, db, typed};
use crate::error::{Fail, R};
use ecoute_domain::UserId;
use ecoute_store::StoreResult;
use ecoute_store::shifts::PresenceSpan;
use ecoute_store::stored::{from_millis, millis, opt_time, parse_uuid};
use sqlx::Row;
use time::OffsetDateTime;

impl PgStore {
    pub(crate) async fn do_record_presence_span(
        &self,
        user: UserId,
        state: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        transaction!(async {
            let mut tx = self.begin().await?;
            sqlx::query(
                "UPDATE presence_spans SET ended_at = GREATEST($1, started_at) \
                 WHERE user_id = $2 AND ended_at IS NULL \
                 AND ($3::TEXT IS NULL OR state <> $3::TEXT)",
            )
            .bind(millis(at))
            .bind(user.0.to_string())
            .bind(state)
            .execute(&mut *tx)
            .await?;
            if let Some(state) = state {
                sqlx::query(
                    "INSERT INTO presence_spans (user_id, state, started_at, seen_at) \
                     VALUES ($1, $2, $3, $3) \
                     ON CONFLICT (user_id) WHERE ended_at IS NULL \
                     DO UPDATE SET seen_at = GREATEST(presence_spans.seen_at, EXCLUDED.seen_at)",
                )
                .bind(user.0.to_string())
                .bind(state)
                .bind(millis(at))
                .execute(&mut *tx)
                .await?;
            }
            commit(tx).await
        })
    }

    pub(crate) async fn do_confirm_presence_spans(
        &self,
        users: &[UserId],
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        if users.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = users.iter().map(|u| u.0.to_string()).collect();
        sqlx::query(
            "UPDATE presence_spans SET seen_at = GREATEST(seen_at, $1) \
             WHERE user_id = ANY($2) AND ended_at IS NULL",
        )
        .bind(millis(at))
        .bind(&ids)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    pub(crate) async fn do_close_lapsed_presence_spans(
        &self,
        before: OffsetDateTime,
    ) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE presence_spans SET ended_at = seen_at \
             WHERE ended_at IS NULL AND seen_at < $1",
        )
        .bind(millis(before))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }

    pub(crate) async fn do_presence_spans(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> StoreResult<Vec<PresenceSpan>> {
        let rows = sqlx::query(
            "SELECT user_id, state, started_at, ended_at FROM presence_spans \
             WHERE started_at < $2 AND (ended_at IS NULL OR ended_at > $1) \
             ORDER BY user_id, started_at, id",
        )
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| -> R<PresenceSpan> {
                Ok(PresenceSpan {
                    user: UserId(parse_uuid(&row.try_get::<String, _>("user_id")?)?),
                    state: row.try_get("state")?,
                    started_at: from_millis(row.try_get("started_at")?)?,
                    ended_at: opt_time(row.try_get("ended_at")?)?,
                })
            })
            .collect::<R<Vec<_>>>()
            .map_err(Fail::into_store)
    }

    pub(crate) async fn do_purge_presence_spans(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let done =
            sqlx::query("DELETE FROM presence_spans WHERE ended_at IS NOT NULL AND ended_at < $1")
                .bind(millis(before))
                .execute(&self.pool)
                .await
                .map_err(db)?;
        Ok(done.rows_affected())
    }
}
