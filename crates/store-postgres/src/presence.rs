//! The presence history in PostgreSQL (`ecoute_store::presence` says how a minute is counted
//! once). One statement per sample: an upsert on the row's primary key makes nodes racing on one
//! hour wait for each other, and the second then finds the minute's bit set and writes nothing.

use super::{PgStore, db, decode_all};
use crate::error::R;
use ecoute_domain::{IsoWeek, PresenceHour, PresenceSample};
use ecoute_store::StoreResult;
use ecoute_store::presence::{PRESENCE_COLUMNS, StoredPresence};
use sqlx::Row;
use sqlx::postgres::PgRow;

fn presence_from_row(row: &PgRow) -> R<PresenceHour> {
    Ok(StoredPresence {
        iso_week: row.try_get("iso_week")?,
        hour_of_week: row.try_get("hour_of_week")?,
        officer_minutes: row.try_get("officer_minutes")?,
        minutes_sampled: row.try_get("minutes_sampled")?,
        minute_mask: row.try_get("minute_mask")?,
    }
    .into_domain()?)
}

impl PgStore {
    pub(crate) async fn do_record_presence(&self, sample: PresenceSample) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO presence_history \
             (iso_week, hour_of_week, officer_minutes, minutes_sampled, minute_mask) \
             VALUES ($1, $2, $3, 1, $4) \
             ON CONFLICT (iso_week, hour_of_week) DO UPDATE SET \
             officer_minutes = presence_history.officer_minutes + EXCLUDED.officer_minutes, \
             minutes_sampled = presence_history.minutes_sampled + 1, \
             minute_mask = presence_history.minute_mask | EXCLUDED.minute_mask \
             WHERE (presence_history.minute_mask & EXCLUDED.minute_mask) = 0",
        )
        .bind(sample.week.key())
        .bind(i64::from(sample.hour.get()))
        .bind(i64::from(sample.officers))
        .bind(sample.bit())
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn do_presence_history(
        &self,
        from: IsoWeek,
        to: IsoWeek,
    ) -> StoreResult<Vec<PresenceHour>> {
        let sql = format!(
            "SELECT {PRESENCE_COLUMNS} FROM presence_history \
             WHERE iso_week BETWEEN $1 AND $2 ORDER BY iso_week, hour_of_week"
        );
        let rows = sqlx::query(&sql)
            .bind(from.key())
            .bind(to.key())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        decode_all(&rows, presence_from_row)
    }
}
