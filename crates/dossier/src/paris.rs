//! Times as a unit reads them: in UTC, and in the legal time of mainland France.

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};

/// An instant, given both in UTC and in Paris local time (CET/CEST), so that a reader never has
/// to work out the offset, and a machine can still compare instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    /// The instant in UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub utc: OffsetDateTime,
    /// The same instant with the Paris offset of that moment.
    #[serde(with = "time::serde::rfc3339")]
    pub paris: OffsetDateTime,
}

impl Moment {
    /// The instant `at`, whatever offset it was given in, truncated to the second (the
    /// dossier's precision; RFC 3339 with fractions would make two writers disagree).
    pub fn new(at: OffsetDateTime) -> Self {
        let utc = at
            .to_offset(UtcOffset::UTC)
            .replace_nanosecond(0)
            .expect("0 is a valid nanosecond");
        Self {
            utc,
            paris: utc.to_offset(paris_offset(utc)),
        }
    }
}

/// The offset of mainland France at `at` (CET/CEST, the EU rule): written once, in the domain,
/// for the dossiers, the statistics, the staff pages and the board's day alike.
pub use ecoute_domain::paris_offset;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn paris_is_one_hour_ahead_in_winter_and_two_in_summer() {
        let winter = Moment::new(datetime!(2026-01-10 23:30:15.5 UTC));
        assert_eq!(winter.paris, datetime!(2026-01-11 0:30:15 +1));
        assert_eq!(winter.utc, datetime!(2026-01-10 23:30:15 UTC));
        assert_eq!(
            Moment::new(datetime!(2026-07-14 12:00 UTC)).paris,
            datetime!(2026-07-14 14:00 +2)
        );
    }

    #[test]
    fn the_clock_changes_at_one_in_the_morning_utc_on_the_last_sundays() {
        assert_eq!(
            paris_offset(datetime!(2026-03-29 0:59:59 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            paris_offset(datetime!(2026-03-29 1:00 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            paris_offset(datetime!(2026-10-25 0:59:59 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            paris_offset(datetime!(2026-10-25 1:00 UTC)).whole_hours(),
            1
        );
        // Given in another offset, the same instant gets the same answer.
        assert_eq!(paris_offset(datetime!(2026-03-29 3:00 +2)).whole_hours(), 2);
    }
}
