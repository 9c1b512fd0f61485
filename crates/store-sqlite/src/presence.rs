//! The presence history in SQLite (`ecoute_store::presence` says how a minute is counted once).

use super::{SqliteStore, err};
use ecoute_domain::{IsoWeek, PresenceHour, PresenceSample};
use ecoute_store::StoreResult;
use ecoute_store::presence::{PRESENCE_COLUMNS, StoredPresence};
use sqlx::Row;

impl SqliteStore {
    pub(crate) async fn do_record_presence(&self, sample: PresenceSample) -> StoreResult<bool> {
        // One statement: SQLite runs it under the writer's lock, so two samples of one minute
        // cannot both find its bit clear.
        let done = sqlx::query(
            "INSERT INTO presence_history \
             (iso_week, hour_of_week, officer_minutes, minutes_sampled, minute_mask) \
             VALUES (?, ?, ?, 1, ?) \
             ON CONFLICT (iso_week, hour_of_week) DO UPDATE SET \
             officer_minutes = presence_history.officer_minutes + excluded.officer_minutes, \
             minutes_sampled = presence_history.minutes_sampled + 1, \
             minute_mask = presence_history.minute_mask | excluded.minute_mask \
             WHERE (presence_history.minute_mask & excluded.minute_mask) = 0",
        )
        .bind(sample.week.key())
        .bind(i64::from(sample.hour.get()))
        .bind(i64::from(sample.officers))
        .bind(sample.bit())
        .execute(&self.write)
        .await
        .map_err(err)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn do_presence_history(
        &self,
        from: IsoWeek,
        to: IsoWeek,
    ) -> StoreResult<Vec<PresenceHour>> {
        sqlx::query(&format!(
            "SELECT {PRESENCE_COLUMNS} FROM presence_history \
             WHERE iso_week BETWEEN ? AND ? ORDER BY iso_week, hour_of_week"
        ))
        .bind(from.key())
        .bind(to.key())
        .fetch_all(&self.read)
        .await
        .map_err(err)?
        .iter()
        .map(|row| {
            StoredPresence {
                iso_week: row.try_get("iso_week").map_err(err)?,
                hour_of_week: row.try_get("hour_of_week").map_err(err)?,
                officer_minutes: row.try_get("officer_minutes").map_err(err)?,
                minutes_sampled: row.try_get("minutes_sampled").map_err(err)?,
                minute_mask: row.try_get("minute_mask").map_err(err)?,
            }
            .into_domain()
        })
        .collect()
    }
}
