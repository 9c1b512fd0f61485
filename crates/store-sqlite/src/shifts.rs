//! Presence spans in SQLite (`ecoute_store::shifts`). The single writer's `BEGIN IMMEDIATE`
//! makes closing the open span and opening the next one one step for every other writer.

use super::{SqliteStore, WriteTx, err};
use ecoute_domain::UserId;
use ecoute_store::StoreResult;
use ecoute_store::shifts::PresenceSpan;
use ecoute_store::stored::{from_millis, millis, opt_time, parse_uuid};
use sqlx::Row;
use time::OffsetDateTime;

impl SqliteStore {
    pub(crate) async fn do_record_presence_span(
        &self,
        user: UserId,
        state: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut tx = WriteTx::begin(&self.write).await?;
        sqlx::query(
            "UPDATE presence_spans SET ended_at = MAX(?1, started_at) \
             WHERE user_id = ?2 AND ended_at IS NULL AND (?3 IS NULL OR state <> ?3)",
        )
        .bind(millis(at))
        .bind(user.0.to_string())
        .bind(state)
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        if let Some(state) = state {
            sqlx::query(
                "INSERT INTO presence_spans (user_id, state, started_at, seen_at) \
                 VALUES (?1, ?2, ?3, ?3) \
                 ON CONFLICT (user_id) WHERE ended_at IS NULL \
                 DO UPDATE SET seen_at = MAX(presence_spans.seen_at, excluded.seen_at)",
            )
            .bind(user.0.to_string())
            .bind(state)
            .bind(millis(at))
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        }
        tx.commit().await
    }

    pub(crate) async fn do_confirm_presence_spans(
        &self,
        users: &[UserId],
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        if users.is_empty() {
            return Ok(());
        }
        let mut tx = WriteTx::begin(&self.write).await?;
        for user in users {
            sqlx::query(
                "UPDATE presence_spans SET seen_at = MAX(seen_at, ?1) \
                 WHERE user_id = ?2 AND ended_at IS NULL",
            )
            .bind(millis(at))
            .bind(user.0.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        }
        tx.commit().await
    }

    pub(crate) async fn do_close_lapsed_presence_spans(
        &self,
        before: OffsetDateTime,
    ) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE presence_spans SET ended_at = seen_at \
             WHERE ended_at IS NULL AND seen_at < ?1",
        )
        .bind(millis(before))
        .execute(&self.write)
        .await
        .map_err(err)?;
        Ok(done.rows_affected())
    }

    pub(crate) async fn do_presence_spans(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> StoreResult<Vec<PresenceSpan>> {
        sqlx::query(
            "SELECT user_id, state, started_at, ended_at FROM presence_spans \
             WHERE started_at < ?2 AND (ended_at IS NULL OR ended_at > ?1) \
             ORDER BY user_id, started_at, id",
        )
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(|row| {
            Ok(PresenceSpan {
                user: UserId(parse_uuid(
                    &row.try_get::<String, _>("user_id").map_err(err)?,
                )?),
                state: row.try_get("state").map_err(err)?,
                started_at: from_millis(row.try_get("started_at").map_err(err)?)?,
                ended_at: opt_time(row.try_get("ended_at").map_err(err)?)?,
            })
        })
        .collect()
    }

    pub(crate) async fn do_purge_presence_spans(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let done =
            sqlx::query("DELETE FROM presence_spans WHERE ended_at IS NOT NULL AND ended_at < ?1")
                .bind(millis(before))
                .execute(&self.write)
                .await
                .map_err(err)?;
        Ok(done.rows_affected())
    }
}
