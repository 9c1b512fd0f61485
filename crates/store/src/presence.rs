//! The presence history's stored form, shared by both backends (docs/STATISTICS.md, "The
//! presence history").
//!
//! One row per (week, hour of the week), Paris time. A sample adds its officers to
//! `officer_minutes` and one to `minutes_sampled`, and sets its minute's bit in
//! `minute_mask`, in one upsert that applies only while that bit is clear: the first node to
//! sample a minute records it, any other finds the bit set and writes nothing. So several nodes
//! sampling the same officers never count them twice, and a minute is never counted twice by a
//! node whose clock goes back (the hour repeated when summer time ends keeps its first pass).

use crate::{StoreError, StoreResult};
use ecoute_domain::{HourOfWeek, IsoWeek, PresenceHour};

/// The columns of `presence_history` read back, in [`StoredPresence`] order.
pub const PRESENCE_COLUMNS: &str =
    "iso_week, hour_of_week, officer_minutes, minutes_sampled, minute_mask";

/// A row of `presence_history` as both backends store it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredPresence {
    /// `year * 100 + week`.
    pub iso_week: i64,
    /// 0 to 167.
    pub hour_of_week: i64,
    /// Officers available, summed over the minutes sampled.
    pub officer_minutes: i64,
    /// Minutes sampled, 0 to 60.
    pub minutes_sampled: i64,
    /// Bit `m` set when minute `m` was sampled.
    pub minute_mask: i64,
}

impl StoredPresence {
    /// The domain's row; a value no writer produces is reported as corrupt.
    pub fn into_domain(self) -> StoreResult<PresenceHour> {
        fn bad(what: &str) -> StoreError {
            StoreError::Corrupt(format!("presence history: bad {what}"))
        }
        let minutes_sampled = u32::try_from(self.minutes_sampled)
            .ok()
            .filter(|m| *m <= 60)
            .ok_or_else(|| bad("minutes sampled"))?;
        Ok(PresenceHour {
            week: IsoWeek::from_key(self.iso_week).ok_or_else(|| bad("week"))?,
            hour: u8::try_from(self.hour_of_week)
                .ok()
                .and_then(HourOfWeek::new)
                .ok_or_else(|| bad("hour"))?,
            officer_minutes: u64::try_from(self.officer_minutes)
                .map_err(|_| bad("officer-minutes"))?,
            minutes_sampled,
            minute_mask: self.minute_mask,
        })
    }
}
