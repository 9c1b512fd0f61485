//! The statistics record: one row per chat that ended, written when it closes (or when it is
//! purged without having been closed), that survives the purge and identifies nobody.
//!
//! Every field is coarse on purpose: a week and an hour of the week instead of a time, buckets
//! instead of durations, a capped count of handovers, labels instead of text. There is no
//! conversation id, no exact time, no text, no officer, no token and no code, so nothing links
//! a row back to a conversation or a person (docs/STATISTICS.md justifies each column).

use crate::{Departement, DossierState, Fact, Force, Language, Outcome, ReporterKind, UnitId};
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset, Weekday};

/// An ISO 8601 week (Monday to Sunday) of Paris local time, such as 2026-W03.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IsoWeek {
    year: i32,
    week: u8,
}

impl IsoWeek {
    /// The week `week` (1 to 52 or 53) of ISO year `year`; `None` when the year has no such week.
    pub fn new(year: i32, week: u8) -> Option<Self> {
        Date::from_iso_week_date(year, week, Weekday::Monday)
            .ok()
            .map(|_| Self { year, week })
    }

    /// The week of Paris local time in which `at` falls.
    pub fn of(at: OffsetDateTime) -> Self {
        let (year, week, _) = paris_time(at).date().to_iso_week_date();
        Self { year, week }
    }

    /// The ISO year (which may differ from the calendar year around New Year).
    pub fn year(self) -> i32 {
        self.year
    }

    /// The week number, 1 to 53.
    pub fn week(self) -> u8 {
        self.week
    }

    /// As stored: `year * 100 + week` (202603), which sorts like the weeks.
    pub fn key(self) -> i64 {
        i64::from(self.year) * 100 + i64::from(self.week)
    }

    /// The Monday that starts this week.
    pub fn monday(self) -> Date {
        Date::from_iso_week_date(self.year, self.week, Weekday::Monday)
            .expect("a week built by new or of exists")
    }

    /// The week of the date `day` (a calendar date, read as such).
    pub fn of_date(day: Date) -> Self {
        let (year, week, _) = day.to_iso_week_date();
        Self { year, week }
    }

    /// The week after this one; `None` past the last date `time` can hold.
    pub fn next(self) -> Option<Self> {
        self.monday()
            .checked_add(Duration::days(7))
            .map(Self::of_date)
    }

    /// The week of a stored key.
    pub fn from_key(key: i64) -> Option<Self> {
        let year = i32::try_from(key.div_euclid(100)).ok()?;
        let week = u8::try_from(key.rem_euclid(100)).ok()?;
        Self::new(year, week)
    }
}

impl std::fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

impl std::str::FromStr for IsoWeek {
    type Err = PeriodError;

    /// An ISO week (`2026-W03`) or a date (`2026-01-14`, read as the week it falls in).
    fn from_str(s: &str) -> Result<Self, PeriodError> {
        let bad = || PeriodError::Unreadable(s.chars().take(40).collect());
        let s = s.trim();
        if let Some((year, week)) = s.split_once("-W").or_else(|| s.split_once("-w")) {
            let year: i32 = year.parse().map_err(|_| bad())?;
            let week: u8 = week.parse().map_err(|_| bad())?;
            return Self::new(year, week).ok_or_else(bad);
        }
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(s, format).map(Self::of_date).map_err(|_| bad())
    }
}

/// The longest period the statistics read at once: two years of weeks.
pub const MAX_PERIOD_WEEKS: usize = 106;

/// Why a period was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Neither a week nor a date.
    #[error("{0:?} is neither a week like 2026-W03 nor a date like 2026-01-14")]
    Unreadable(String),
    /// The end comes before the start.
    #[error("the period ends ({to}) before it starts ({from})")]
    Reversed {
        /// The first week asked.
        from: IsoWeek,
        /// The last week asked.
        to: IsoWeek,
    },
    /// More weeks than [`MAX_PERIOD_WEEKS`].
    #[error("a period holds at most {MAX_PERIOD_WEEKS} weeks (two years); this one holds {0}")]
    TooLong(usize),
}

impl PeriodError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreadable(_) => "bad_period",
            Self::Reversed { .. } => "reversed_period",
            Self::TooLong(_) => "period_too_long",
        }
    }
}

/// Whole ISO weeks, from `from` to `to` included, at most [`MAX_PERIOD_WEEKS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    from: IsoWeek,
    to: IsoWeek,
}

impl Period {
    /// The weeks from `from` to `to`.
    pub fn new(from: IsoWeek, to: IsoWeek) -> Result<Self, PeriodError> {
        if to < from {
            return Err(PeriodError::Reversed { from, to });
        }
        let weeks = ((to.monday() - from.monday()).whole_days() / 7 + 1) as usize;
        if weeks > MAX_PERIOD_WEEKS {
            return Err(PeriodError::TooLong(weeks));
        }
        Ok(Self { from, to })
    }

    /// Reads both ends, each a week or a date.
    pub fn parse(from: &str, to: &str) -> Result<Self, PeriodError> {
        Self::new(from.parse()?, to.parse()?)
    }

    /// The first week.
    pub fn from(self) -> IsoWeek {
        self.from
    }

    /// The last week.
    pub fn to(self) -> IsoWeek {
        self.to
    }
}

/// The hour of the week in Paris local time: 0 is Monday 00:00–00:59, 167 is Sunday 23:00–23:59.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HourOfWeek(u8);

impl HourOfWeek {
    /// The hour of the week of `at`, read on a Paris clock (CET in winter, CEST in summer).
    pub fn of(at: OffsetDateTime) -> Self {
        let local = paris_time(at);
        let day = local.weekday().number_days_from_monday();
        Self(day * 24 + local.hour())
    }

    /// An hour from 0 to 167.
    pub fn new(hour: u8) -> Option<Self> {
        (usize::from(hour) < crate::HOURS_PER_WEEK).then_some(Self(hour))
    }

    /// 0 to 167.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// The offset of mainland France at `at`: +2 from the last Sunday of March 01:00 UTC to the
/// last Sunday of October 01:00 UTC (the EU rule), +1 otherwise; no time-zone database is
/// needed for one zone. The one copy of the rule: the dossiers (`ecoute_dossier::paris`), the
/// staff pages and the board's day use it too.
pub fn paris_offset(at: OffsetDateTime) -> UtcOffset {
    fn last_sunday(year: i32, month: Month) -> Date {
        let mut d =
            Date::from_calendar_date(year, month, 31).expect("March and October have 31 days");
        while d.weekday() != Weekday::Sunday {
            d = d.previous_day().expect("a day in the same month");
        }
        d
    }
    let t = at.to_offset(UtcOffset::UTC);
    let change = |month| {
        last_sunday(t.year(), month)
            .with_hms(1, 0, 0)
            .expect("01:00 is a time")
            .assume_utc()
    };
    let hours = if t >= change(Month::March) && t < change(Month::October) {
        2
    } else {
        1
    };
    UtcOffset::from_hms(hours, 0, 0).expect("a small offset")
}

fn paris_time(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(paris_offset(at))
}

/// The wait before an officer took the chat (or, for a chat nobody took, before it ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WaitBucket {
    /// Under a minute.
    UnderOneMinute,
    /// From 1 to 5 minutes.
    OneToFive,
    /// From 5 to 15 minutes.
    FiveToFifteen,
    /// From 15 to 60 minutes.
    FifteenToSixty,
    /// An hour or more.
    OverAnHour,
}

impl WaitBucket {
    /// Every bucket, shortest first.
    pub const ALL: [WaitBucket; 5] = [
        Self::UnderOneMinute,
        Self::OneToFive,
        Self::FiveToFifteen,
        Self::FifteenToSixty,
        Self::OverAnHour,
    ];

    /// The bucket of a wait (a negative one, from a clock step, counts as none).
    pub fn of(wait: Duration) -> Self {
        let minutes = wait.whole_seconds() as f64 / 60.0;
        if minutes < 1.0 {
            Self::UnderOneMinute
        } else if minutes < 5.0 {
            Self::OneToFive
        } else if minutes < 15.0 {
            Self::FiveToFifteen
        } else if minutes < 60.0 {
            Self::FifteenToSixty
        } else {
            Self::OverAnHour
        }
    }

    /// Stable name used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnderOneMinute => "lt1m",
            Self::OneToFive => "1-5m",
            Self::FiveToFifteen => "5-15m",
            Self::FifteenToSixty => "15-60m",
            Self::OverAnHour => "ge60m",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// How long an officer held the chat, from taking it to closing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DurationBucket {
    /// Under 10 minutes.
    UnderTen,
    /// From 10 to 30 minutes.
    TenToThirty,
    /// From 30 to 60 minutes.
    ThirtyToSixty,
    /// From 1 to 2 hours.
    OneToTwoHours,
    /// Two hours or more.
    OverTwoHours,
}

impl DurationBucket {
    /// Every bucket, shortest first.
    pub const ALL: [DurationBucket; 5] = [
        Self::UnderTen,
        Self::TenToThirty,
        Self::ThirtyToSixty,
        Self::OneToTwoHours,
        Self::OverTwoHours,
    ];

    /// The bucket of a duration (a negative one counts as none).
    pub fn of(duration: Duration) -> Self {
        let minutes = duration.whole_seconds() as f64 / 60.0;
        if minutes < 10.0 {
            Self::UnderTen
        } else if minutes < 30.0 {
            Self::TenToThirty
        } else if minutes < 60.0 {
            Self::ThirtyToSixty
        } else if minutes < 120.0 {
            Self::OneToTwoHours
        } else {
            Self::OverTwoHours
        }
    }

    /// Stable name used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnderTen => "lt10m",
            Self::TenToThirty => "10-30m",
            Self::ThirtyToSixty => "30-60m",
            Self::OneToTwoHours => "60-120m",
            Self::OverTwoHours => "ge120m",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// How long a forwarded report waited, from the dossier's production, for the unit to reach
/// the person for the first time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContactBucket {
    /// Within a day.
    UnderADay,
    /// From 1 to 3 days.
    OneToThreeDays,
    /// From 3 to 7 days.
    ThreeToSevenDays,
    /// A week or more.
    WeekOrMore,
}

impl ContactBucket {
    /// Every bucket, shortest first.
    pub const ALL: [ContactBucket; 4] = [
        Self::UnderADay,
        Self::OneToThreeDays,
        Self::ThreeToSevenDays,
        Self::WeekOrMore,
    ];

    /// The bucket of a delay (a negative one, from a clock step, counts as none).
    pub fn of(delay: Duration) -> Self {
        let hours = delay.whole_seconds() as f64 / 3600.0;
        if hours < 24.0 {
            Self::UnderADay
        } else if hours < 72.0 {
            Self::OneToThreeDays
        } else if hours < 168.0 {
            Self::ThreeToSevenDays
        } else {
            Self::WeekOrMore
        }
    }

    /// Stable name used in storage and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnderADay => "lt1d",
            Self::OneToThreeDays => "1-3d",
            Self::ThreeToSevenDays => "3-7d",
            Self::WeekOrMore => "ge7d",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// The number of times a chat changed hands, capped: 0, 1, 2, or 3 and more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handovers(u8);

impl Handovers {
    /// The cap: 3 stands for "3 or more".
    pub const CAP: u8 = 3;

    /// The capped count of `n` handovers.
    pub fn of(n: u32) -> Self {
        Self(n.min(u32::from(Self::CAP)) as u8)
    }

    /// 0 to [`Self::CAP`].
    pub fn get(self) -> u8 {
        self.0
    }
}

/// How a chat ended, for the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ending {
    /// Closed with this outcome.
    Closed(Outcome),
    /// Purged at the end of its retention period without ever being closed.
    PurgedUnclosed,
}

impl Ending {
    /// Stable name used in storage: the outcome's, or `purged_unclosed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed(outcome) => outcome.as_str(),
            Self::PurgedUnclosed => "purged_unclosed",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "purged_unclosed" => Some(Self::PurgedUnclosed),
            _ => Outcome::parse(s).map(Self::Closed),
        }
    }

    /// Every ending, in the order the figures list them: the outcomes in the form's order,
    /// then purged without being closed.
    pub fn all() -> Vec<Self> {
        Outcome::ALL
            .into_iter()
            .map(Self::Closed)
            .chain([Self::PurgedUnclosed])
            .collect()
    }
}

/// The forces as the figures and the open-data export count a row's: police, gendarmerie,
/// then none recorded.
pub const COUNTED_FORCES: [Option<Force>; 3] =
    [Some(Force::Police), Some(Force::Gendarmerie), None];

/// What only the service knows at close, passed into the closing transaction: the facts of the
/// qualification (sealed in the case file, which the store cannot open) and the unit the report
/// was forwarded to.
/// A forwarded chat's statistics row id, drawn by the service, and the same id sealed with the
/// chat's own data key, which the store keeps beside the chat so that the dossier's later
/// states reach the row. Only the master key's holder can follow it (docs/STATISTICS.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsLink {
    /// The id the row is written under.
    pub row: uuid::Uuid,
    /// That id, sealed with the chat's data key.
    pub sealed: Vec<u8>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClosingFacts {
    /// The facts of the qualification; empty when the chat was not qualified.
    pub facts: Vec<Fact>,
    /// The unit the report was forwarded to (kept only when the outcome is a forwarded report).
    pub unit: Option<UnitId>,
    /// For a forwarded report, the row's id and its sealed copy (ignored for other outcomes).
    pub link: Option<StatisticsLink>,
}

/// One ended chat, as the statistics keep it. See the module doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatStatistics {
    /// The week the chat started in (Paris time).
    pub week: IsoWeek,
    /// The hour of the week the chat started in (Paris time).
    pub hour: HourOfWeek,
    /// The visitor's département, if given.
    pub departement: Option<Departement>,
    /// The force that answered (after any transfer), if known.
    pub force: Option<Force>,
    /// The unit the report was forwarded to, only for a forwarded report.
    pub unit: Option<UnitId>,
    /// Victim or witness, as the visitor said.
    pub reporter: ReporterKind,
    /// The visitor said they are under 18.
    pub minor: bool,
    /// The chat's language.
    pub language: Language,
    /// The facts of the qualification (empty when not qualified), each once, in form order.
    pub facts: Vec<Fact>,
    /// How it ended.
    pub ending: Ending,
    /// The wait before an officer took it or, when nobody did, before it ended; `None` when
    /// it was purged while still waiting (its end is unknown).
    pub wait: Option<WaitBucket>,
    /// From an officer taking it to its close; `None` when nobody took it or it never closed.
    pub duration: Option<DurationBucket>,
    /// How many times it changed hands, capped.
    pub handovers: Handovers,
    /// The visitor left with the quick exit.
    pub quick_exit: bool,
    /// The visitor left (or the chat was purged) before any officer took it.
    pub left_before_answer: bool,
    /// The visitor said "I am in danger now".
    pub danger_path: bool,
    /// Labels of the risk rules that fired, sorted and each once (the order of firing would
    /// say more than needed).
    pub risk_labels: Vec<String>,
    /// For a forwarded report, the dossier's latest state, kept up to date while the chat
    /// exists (`None` until the dossier is produced, and for every other outcome).
    pub dossier_state: Option<DossierState>,
    /// For a forwarded report, how long the unit took to reach the person for the first time;
    /// `None` while it has not.
    pub first_contact: Option<ContactBucket>,
}

#[cfg(test)]
impl ChatStatistics {
    /// A row for the tests: a French-speaking adult victim from the Rhône, answered by the
    /// police in under a minute, closed with information given, unqualified; in `hour` of
    /// `week`. Tests change what they look at.
    pub(crate) fn example(week: IsoWeek, hour: u8) -> Self {
        Self {
            week,
            hour: HourOfWeek::new(hour).expect("an hour of the week"),
            departement: Departement::parse("69"),
            force: Some(Force::Police),
            unit: None,
            reporter: ReporterKind::Victim,
            minor: false,
            language: Language::french(),
            facts: Vec::new(),
            ending: Ending::Closed(Outcome::InformationGiven),
            wait: Some(WaitBucket::UnderOneMinute),
            duration: None,
            handovers: Handovers::of(0),
            quick_exit: false,
            left_before_answer: false,
            danger_path: false,
            risk_labels: Vec::new(),
            dossier_state: None,
            first_contact: None,
        }
    }
}

/// The times of a chat the record is derived from (never stored themselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatTimes {
    /// When the visitor started (or came back to a chat left while waiting).
    pub created_at: OffsetDateTime,
    /// When an officer first took it.
    pub claimed_at: Option<OffsetDateTime>,
    /// When the visitor used the quick exit.
    pub visitor_left_at: Option<OffsetDateTime>,
    /// When it closed; `None` for a chat purged without being closed.
    pub closed_at: Option<OffsetDateTime>,
}

impl ChatTimes {
    /// The wait's bucket: until taken; when never taken, until the visitor left or it closed.
    pub fn wait(&self) -> Option<WaitBucket> {
        let end = self
            .claimed_at
            .or(self.visitor_left_at)
            .or(self.closed_at)?;
        Some(WaitBucket::of(end - self.created_at))
    }

    /// The duration's bucket: from taken to closed.
    pub fn duration(&self) -> Option<DurationBucket> {
        Some(DurationBucket::of(self.closed_at? - self.claimed_at?))
    }
}

/// The facts each once, in the form's order (the order the officer ticked them is not kept).
pub fn normalise_facts(facts: &[Fact]) -> Vec<Fact> {
    Fact::ALL
        .into_iter()
        .filter(|f| facts.contains(f))
        .collect()
}

/// Risk labels sorted, each once.
pub fn normalise_labels(labels: &[String]) -> Vec<String> {
    let mut out = labels.to_vec();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_hour_of_the_week_counts_from_monday_midnight_in_paris() {
        // Monday 5 January 2026, 00:30 in Paris is Sunday 23:30 UTC.
        assert_eq!(HourOfWeek::of(datetime!(2026-01-04 23:30 UTC)).get(), 0);
        assert_eq!(HourOfWeek::of(datetime!(2026-01-04 22:59 UTC)).get(), 167);
        // Wednesday 14:10 in winter (13:10 UTC).
        assert_eq!(
            HourOfWeek::of(datetime!(2026-01-07 13:10 UTC)).get(),
            2 * 24 + 14
        );
    }

    #[test]
    fn the_hour_of_the_week_follows_summer_time() {
        // The same UTC hour is 14:00 in Paris in winter, 15:00 in summer.
        assert_eq!(
            HourOfWeek::of(datetime!(2026-07-08 13:00 UTC)).get(),
            2 * 24 + 15
        );
        // 29 March 2026, clocks go from 02:00 to 03:00: 00:59 UTC is 01:59 CET, 01:00 UTC is
        // 03:00 CEST; there is no hour 2 that Sunday.
        assert_eq!(
            HourOfWeek::of(datetime!(2026-03-29 0:59 UTC)).get(),
            6 * 24 + 1
        );
        assert_eq!(
            HourOfWeek::of(datetime!(2026-03-29 1:00 UTC)).get(),
            6 * 24 + 3
        );
        // 25 October 2026, clocks go back from 03:00 to 02:00: hour 2 happens twice.
        assert_eq!(
            HourOfWeek::of(datetime!(2026-10-25 0:30 UTC)).get(),
            6 * 24 + 2
        );
        assert_eq!(
            HourOfWeek::of(datetime!(2026-10-25 1:30 UTC)).get(),
            6 * 24 + 2
        );
    }

    #[test]
    fn the_week_is_the_iso_week_of_the_paris_date() {
        // 31 December 2025 23:30 UTC is Thursday 1 January 2026 00:30 in Paris: 2026-W01.
        let w = IsoWeek::of(datetime!(2025-12-31 23:30 UTC));
        assert_eq!((w.year(), w.week()), (2026, 1));
        assert_eq!(w.to_string(), "2026-W01");
        // Sunday 3 January 2027 belongs to the last week of ISO year 2026 (53 weeks).
        let w = IsoWeek::of(datetime!(2027-01-03 12:00 UTC));
        assert_eq!((w.year(), w.week()), (2026, 53));
        assert_eq!(IsoWeek::from_key(w.key()), Some(w));
        assert_eq!(IsoWeek::new(2025, 53), None);
        assert!(IsoWeek::new(2026, 1).unwrap() < IsoWeek::new(2026, 2).unwrap());
    }

    #[test]
    fn waits_fall_in_coarse_buckets_with_closed_lower_bounds() {
        let b = |s: i64| WaitBucket::of(Duration::seconds(s));
        assert_eq!(b(-5), WaitBucket::UnderOneMinute);
        assert_eq!(b(59), WaitBucket::UnderOneMinute);
        assert_eq!(b(60), WaitBucket::OneToFive);
        assert_eq!(b(299), WaitBucket::OneToFive);
        assert_eq!(b(300), WaitBucket::FiveToFifteen);
        assert_eq!(b(900), WaitBucket::FifteenToSixty);
        assert_eq!(b(3599), WaitBucket::FifteenToSixty);
        assert_eq!(b(3600), WaitBucket::OverAnHour);
        for w in WaitBucket::ALL {
            assert_eq!(WaitBucket::parse(w.as_str()), Some(w));
        }
    }

    #[test]
    fn a_period_reads_weeks_or_dates_and_refuses_reversed_or_too_long_ones() {
        let p = Period::parse("2026-W03", "2026-02-01").unwrap();
        assert_eq!(
            (p.from().to_string(), p.to().to_string()),
            ("2026-W03".into(), "2026-W05".into())
        );
        // A date around New Year belongs to the ISO week that holds it.
        assert_eq!(
            "2027-01-03".parse::<IsoWeek>().unwrap().to_string(),
            "2026-W53"
        );
        assert!(matches!(
            Period::parse("2026-W10", "2026-W09"),
            Err(PeriodError::Reversed { .. })
        ));
        assert_eq!(
            Period::parse("2024-W01", "2026-W10").unwrap_err(),
            PeriodError::TooLong(114)
        );
        assert!(Period::parse("2024-W01", "2026-W02").is_ok());
        for bad in ["", "2026-W54", "2026-13-01", "last week", "2026-W"] {
            assert!(
                matches!(bad.parse::<IsoWeek>(), Err(PeriodError::Unreadable(_))),
                "{bad}"
            );
        }
        let w = IsoWeek::new(2026, 52).unwrap();
        assert_eq!(w.next().unwrap().to_string(), "2026-W53");
        assert_eq!(w.next().unwrap().next().unwrap().to_string(), "2027-W01");
    }

    #[test]
    fn the_time_to_first_contact_falls_in_day_buckets() {
        let b = |h: i64| ContactBucket::of(Duration::hours(h));
        assert_eq!(b(-1), ContactBucket::UnderADay);
        assert_eq!(b(23), ContactBucket::UnderADay);
        assert_eq!(b(24), ContactBucket::OneToThreeDays);
        assert_eq!(b(71), ContactBucket::OneToThreeDays);
        assert_eq!(b(72), ContactBucket::ThreeToSevenDays);
        assert_eq!(b(167), ContactBucket::ThreeToSevenDays);
        assert_eq!(b(168), ContactBucket::WeekOrMore);
        for c in ContactBucket::ALL {
            assert_eq!(ContactBucket::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn durations_fall_in_coarse_buckets() {
        let b = |m: i64| DurationBucket::of(Duration::minutes(m));
        assert_eq!(b(9), DurationBucket::UnderTen);
        assert_eq!(b(10), DurationBucket::TenToThirty);
        assert_eq!(b(30), DurationBucket::ThirtyToSixty);
        assert_eq!(b(60), DurationBucket::OneToTwoHours);
        assert_eq!(b(120), DurationBucket::OverTwoHours);
        assert_eq!(b(100_000), DurationBucket::OverTwoHours);
        for d in DurationBucket::ALL {
            assert_eq!(DurationBucket::parse(d.as_str()), Some(d));
        }
    }

    #[test]
    fn handovers_are_capped_at_three_or_more() {
        assert_eq!(Handovers::of(0).get(), 0);
        assert_eq!(Handovers::of(2).get(), 2);
        assert_eq!(Handovers::of(3).get(), 3);
        assert_eq!(Handovers::of(40).get(), 3);
    }

    #[test]
    fn wait_and_duration_come_from_the_chats_times() {
        let start = datetime!(2026-02-02 10:00 UTC);
        let answered = ChatTimes {
            created_at: start,
            claimed_at: Some(start + Duration::minutes(7)),
            visitor_left_at: None,
            closed_at: Some(start + Duration::minutes(52)),
        };
        assert_eq!(answered.wait(), Some(WaitBucket::FiveToFifteen));
        assert_eq!(answered.duration(), Some(DurationBucket::ThirtyToSixty));
        let left_waiting = ChatTimes {
            claimed_at: None,
            visitor_left_at: Some(start + Duration::seconds(30)),
            closed_at: Some(start + Duration::seconds(30)),
            ..answered
        };
        assert_eq!(left_waiting.wait(), Some(WaitBucket::UnderOneMinute));
        assert_eq!(left_waiting.duration(), None);
        let purged_waiting = ChatTimes {
            claimed_at: None,
            visitor_left_at: None,
            closed_at: None,
            ..answered
        };
        assert_eq!(purged_waiting.wait(), None);
        assert_eq!(purged_waiting.duration(), None);
    }

    #[test]
    fn endings_and_facts_and_labels_have_one_stored_form() {
        for outcome in Outcome::ALL {
            let e = Ending::Closed(outcome);
            assert_eq!(Ending::parse(e.as_str()), Some(e));
        }
        assert_eq!(
            Ending::parse("purged_unclosed"),
            Some(Ending::PurgedUnclosed)
        );
        assert_eq!(
            normalise_facts(&[Fact::Incest, Fact::Rape, Fact::Incest]),
            [Fact::Rape, Fact::Incest]
        );
        assert_eq!(
            normalise_labels(&["suicide".into(), "arme".into(), "suicide".into()]),
            ["arme", "suicide"]
        );
    }
}
