//! The service's time zone (`time_zone`, Europe/Paris by default): staff pages show times in it,
//! whatever the browser's or the server's zone. Times are stored in UTC; only the pages convert.

use anyhow::Context;
use time::{OffsetDateTime, UtcOffset};

/// The default zone: mainland France.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Paris";

/// An IANA time zone, from the database bundled in the binary.
#[derive(Clone)]
pub struct ServiceZone {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl ServiceZone {
    /// A zone by its IANA name (`Europe/Paris`, `America/Cayenne`, `Indian/Reunion`…).
    pub fn parse(name: &str) -> anyhow::Result<Self> {
        let name = name.trim();
        let tz = jiff::tz::db().get(name).with_context(|| {
            format!("`{name}` is not a time zone of the IANA database (for example Europe/Paris)")
        })?;
        Ok(Self {
            name: name.to_string(),
            tz,
        })
    }

    /// Its IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's offset from UTC at the instant `at` (summer time included).
    pub fn offset_at(&self, at: OffsetDateTime) -> UtcOffset {
        jiff::Timestamp::from_second(at.unix_timestamp())
            .ok()
            .and_then(|ts| UtcOffset::from_whole_seconds(self.tz.to_offset(ts).seconds()).ok())
            .unwrap_or(UtcOffset::UTC)
    }

    /// The instant `at` as the zone's clocks show it.
    pub fn local(&self, at: OffsetDateTime) -> OffsetDateTime {
        at.to_offset(self.offset_at(at))
    }

    /// `07/12/2026 18:56`: the day and the time, in the zone.
    pub fn day_time(&self, at: OffsetDateTime) -> String {
        self.local(at)
            .format(time::macros::format_description!(
                "[day]/[month]/[year] [hour]:[minute]"
            ))
            .unwrap_or_default()
    }
}

impl Default for ServiceZone {
    fn default() -> Self {
        Self::parse(DEFAULT_TIME_ZONE).expect("the bundled database knows Europe/Paris")
    }
}

impl std::fmt::Debug for ServiceZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServiceZone({})", self.name)
    }
}

impl PartialEq for ServiceZone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn paris_is_the_default_and_follows_summer_time_like_the_dossiers() {
        let zone = ServiceZone::default();
        assert_eq!(zone.name(), "Europe/Paris");
        for at in [
            datetime!(2026-01-10 23:30 UTC),
            datetime!(2026-03-29 0:59:59 UTC),
            datetime!(2026-03-29 1:00 UTC),
            datetime!(2026-07-14 12:00 UTC),
            datetime!(2026-10-25 0:59:59 UTC),
            datetime!(2026-10-25 1:00 UTC),
        ] {
            assert_eq!(zone.offset_at(at), ecoute_domain::paris_offset(at), "{at}");
        }
        assert_eq!(
            zone.day_time(datetime!(2026-12-07 17:56 UTC)),
            "07/12/2026 18:56"
        );
    }

    #[test]
    fn an_overseas_zone_is_shown_in_its_own_time_and_a_wrong_name_is_refused() {
        let reunion = ServiceZone::parse("Indian/Reunion").unwrap();
        assert_eq!(
            reunion.day_time(datetime!(2026-12-07 17:56 UTC)),
            "07/12/2026 21:56"
        );
        let cayenne = ServiceZone::parse(" America/Cayenne ").unwrap();
        assert_eq!(cayenne.name(), "America/Cayenne");
        assert_eq!(
            cayenne.day_time(datetime!(2026-07-01 02:00 UTC)),
            "30/06/2026 23:00"
        );
        let err = ServiceZone::parse("Europe/Lutece").unwrap_err().to_string();
        assert!(err.contains("Europe/Lutece"), "{err}");
    }
}
