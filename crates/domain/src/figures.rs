//! The figures of the statistics pages, counted from the rows of a period: pure arithmetic on
//! [`ChatStatistics`], so that the page, its CSV files and the open-data export count the same
//! way and the rules (what a day is, what a median wait bucket is, what a share is out of) are
//! tested without a server.
//!
//! A period ([`Period`]) is made of whole ISO weeks of Paris time, because a row keeps only the
//! week and the hour of the week a chat started in: a date that falls inside a week brings in
//! the whole week. This module gives it its calendar (days, Monday and Sunday) and reads the
//! page's query.

use crate::{
    COUNTED_FORCES, ChatStatistics, ContactBucket, Departement, Ending, Fact, Force, IsoWeek,
    MAX_PERIOD_WEEKS, Outcome, Period, PeriodError, UnitId, WaitBucket,
};
use time::{Date, Duration, OffsetDateTime};

/// The period shown when none is asked for: the last 8 full weeks.
pub const DEFAULT_PERIOD_WEEKS: usize = 8;

/// Why the period asked for was refused: an end that is neither a date nor a week (each said
/// apart, so that the page can point at its field), or the period's own fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AskedPeriodError {
    /// The start is neither a date (YYYY-MM-DD) nor a week (YYYY-Www).
    #[error("the start: {0}")]
    Start(PeriodError),
    /// The end is neither a date nor a week.
    #[error("the end: {0}")]
    End(PeriodError),
    /// Reversed, or too long.
    #[error("{0}")]
    Period(PeriodError),
}

impl Period {
    /// The `n` full weeks before the week of `now` (Paris time).
    pub fn last_full_weeks(now: OffsetDateTime, n: usize) -> Self {
        let n = n.clamp(1, MAX_PERIOD_WEEKS) as i64;
        let this_monday = IsoWeek::of(now).monday();
        let from = IsoWeek::of_date(this_monday - Duration::weeks(n));
        let to = IsoWeek::of_date(this_monday - Duration::days(1));
        Self::new(from, to).expect("at most MAX_PERIOD_WEEKS weeks, in order")
    }

    /// The period of a page's query: `from` and `to` are each a date (widened to its week) or
    /// a week, either may be missing or empty; a missing end is the default period's.
    pub fn asked(
        from: Option<&str>,
        to: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Self, AskedPeriodError> {
        fn given(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        let default = Self::last_full_weeks(now, DEFAULT_PERIOD_WEEKS);
        let from = match given(from) {
            Some(s) => s.parse().map_err(AskedPeriodError::Start)?,
            None => default.from(),
        };
        let to = match given(to) {
            Some(s) => s.parse().map_err(AskedPeriodError::End)?,
            None => default.to(),
        };
        Self::new(from, to).map_err(AskedPeriodError::Period)
    }

    /// The first week's Monday.
    pub fn start(&self) -> Date {
        self.from().monday()
    }

    /// The last week's Sunday.
    pub fn end(&self) -> Date {
        self.to().monday() + Duration::days(6)
    }

    /// Every week, in order.
    pub fn weeks(&self) -> Vec<IsoWeek> {
        crate::weeks(self.from(), self.to())
    }

    /// Every day, Monday of the first week to Sunday of the last.
    pub fn days(&self) -> Vec<Date> {
        let days = (self.end() - self.start()).whole_days() + 1;
        (0..days)
            .map(|d| self.start() + Duration::days(d))
            .collect()
    }

    /// Whether a week is inside.
    pub fn holds(&self, week: IsoWeek) -> bool {
        self.from() <= week && week <= self.to()
    }
}

/// The calendar day a row's chat started on (Paris time): its week's Monday plus the day of
/// its hour of the week.
pub fn day_of(row: &ChatStatistics) -> Date {
    row.week.monday() + Duration::days(i64::from(row.hour.get() / 24))
}

/// `part` out of `whole`, between 0 and 1; `None` when `whole` is zero (no share to give).
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Waits counted by bucket, with the buckets in which the median and the 90th percentile fall.
///
/// Waits are kept only as buckets (docs/STATISTICS.md), so a percentile is a bucket, not a
/// number of minutes: the bucket holding the wait of rank ⌈p·n⌉ once the n waits are sorted
/// (the nearest-rank definition, which always names a wait that happened).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waits {
    /// Chats per bucket, in [`WaitBucket::ALL`] order.
    pub counts: [u64; 5],
}

impl Waits {
    /// Adds one wait.
    pub fn add(&mut self, bucket: WaitBucket) {
        if let Some(i) = WaitBucket::ALL.iter().position(|b| *b == bucket) {
            self.counts[i] += 1;
        }
    }

    /// How many waits.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The bucket of the wait of rank ⌈percent·n/100⌉; `None` when there is no wait.
    pub fn percentile(&self, percent: u64) -> Option<WaitBucket> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let rank = (n * percent.clamp(1, 100)).div_ceil(100);
        let mut seen = 0;
        for (bucket, count) in WaitBucket::ALL.iter().zip(self.counts) {
            seen += count;
            if seen >= rank {
                return Some(*bucket);
            }
        }
        None
    }

    /// The median's bucket.
    pub fn median(&self) -> Option<WaitBucket> {
        self.percentile(50)
    }

    /// The 90th percentile's bucket.
    pub fn p90(&self) -> Option<WaitBucket> {
        self.percentile(90)
    }
}

/// The figures of one week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekFigures {
    /// The week.
    pub week: IsoWeek,
    /// Chats that started in it.
    pub chats: u64,
    /// Of which an officer took.
    pub answered: u64,
    /// Of which the person left (or it was purged) before any officer took it.
    pub left_before_answer: u64,
    /// Of which the person left with the quick exit, at any moment.
    pub quick_exits: u64,
    /// The waits of the chats an officer took.
    pub waits: Waits,
}

/// Who wrote, over the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reporters {
    /// Every chat.
    pub chats: u64,
    /// The person said they are under 18.
    pub minors: u64,
    /// The person said they saw what happened to someone else.
    pub witnesses: u64,
}

/// Forwarded reports per force and per département.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForwardedReports {
    /// Every forwarded report.
    pub total: u64,
    /// Per force: police, gendarmerie, then unknown (`None`), each listed even at zero.
    pub by_force: Vec<(Option<Force>, u64)>,
    /// Per département, by code, then unknown (`None`); only those with a report.
    pub by_departement: Vec<(Option<Departement>, u64)>,
    /// Per unit the reports went to, by unit id (then reports with no unit).
    pub by_unit: Vec<UnitContacts>,
}

/// How soon a unit first reached the people whose reports it received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitContacts {
    /// The unit; `None` for reports recorded without one.
    pub unit: Option<UnitId>,
    /// Its reports.
    pub reports: u64,
    /// Reports whose first contact came within each bucket, in [`ContactBucket::ALL`] order.
    pub contacted: [u64; 4],
    /// Reports followed (their dossier has a state) with no contact yet.
    pub not_yet: u64,
    /// Reports whose dossier's later life is not in the record (closed before the record
    /// followed dossiers): whether they were contacted is unknown.
    pub unknown: u64,
}

/// Everything the statistics pages show for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodFigures {
    /// The period counted.
    pub period: Period,
    /// Every chat of the period.
    pub chats: u64,
    /// Chats per day, every day of the period (zeros included), in order.
    pub days: Vec<(Date, u64)>,
    /// Per week, every week of the period, in order.
    pub weeks: Vec<WeekFigures>,
    /// Chats per day of the week (Monday first) and hour of the day, Paris time.
    pub heat: [[u64; 24]; 7],
    /// The waits of the chats an officer took, over the whole period.
    pub waits: Waits,
    /// Chats per way of ending, every ending listed (outcomes in the form's order, then purged
    /// without being closed).
    pub endings: Vec<(Ending, u64)>,
    /// Chats per kind of fact, in the form's order; a chat with several facts counts in each.
    pub facts: Vec<(Fact, u64)>,
    /// Chats qualified with at least one fact: what the facts' shares are out of.
    pub qualified: u64,
    /// Minors and witnesses.
    pub people: Reporters,
    /// Forwarded reports.
    pub forwarded: ForwardedReports,
}

impl PeriodFigures {
    /// Counts the rows of `period`; a row from outside it (which the store does not return) is
    /// left out rather than counted on a day the page does not show.
    pub fn of(period: Period, rows: &[ChatStatistics]) -> Self {
        let days = period.days();
        let mut per_day = vec![0u64; days.len()];
        let mut weeks: Vec<WeekFigures> = period
            .weeks()
            .into_iter()
            .map(|week| WeekFigures {
                week,
                chats: 0,
                answered: 0,
                left_before_answer: 0,
                quick_exits: 0,
                waits: Waits::default(),
            })
            .collect();
        let endings_order = Ending::all();
        let mut endings = vec![0u64; endings_order.len()];
        let mut facts = [0u64; Fact::ALL.len()];
        let mut heat = [[0u64; 24]; 7];
        let mut waits = Waits::default();
        let mut people = Reporters::default();
        let mut qualified = 0;
        let mut by_force = [0u64; 3];
        let mut by_departement: std::collections::BTreeMap<Option<String>, u64> =
            Default::default();
        let mut by_unit: std::collections::BTreeMap<Option<UnitId>, UnitContacts> =
            Default::default();
        let mut forwarded = 0;
        let mut chats = 0;

        for row in rows.iter().filter(|r| period.holds(r.week)) {
            chats += 1;
            let day = (day_of(row) - period.start()).whole_days();
            if let Some(slot) = usize::try_from(day).ok().and_then(|d| per_day.get_mut(d)) {
                *slot += 1;
            }
            let hour = usize::from(row.hour.get());
            heat[hour / 24][hour % 24] += 1;

            let week = (row.week.monday() - period.start()).whole_weeks();
            if let Some(w) = usize::try_from(week).ok().and_then(|i| weeks.get_mut(i)) {
                w.chats += 1;
                if row.left_before_answer {
                    w.left_before_answer += 1;
                } else {
                    w.answered += 1;
                    if let Some(bucket) = row.wait {
                        w.waits.add(bucket);
                        waits.add(bucket);
                    }
                }
                if row.quick_exit {
                    w.quick_exits += 1;
                }
            }

            if let Some(i) = endings_order.iter().position(|e| *e == row.ending) {
                endings[i] += 1;
            }
            if !row.facts.is_empty() {
                qualified += 1;
            }
            for (i, fact) in Fact::ALL.iter().enumerate() {
                if row.facts.contains(fact) {
                    facts[i] += 1;
                }
            }
            people.chats += 1;
            people.minors += u64::from(row.minor);
            people.witnesses += u64::from(row.reporter == crate::ReporterKind::Witness);

            if row.ending == Ending::Closed(Outcome::ReportForwarded) {
                forwarded += 1;
                if let Some(i) = COUNTED_FORCES.iter().position(|f| *f == row.force) {
                    by_force[i] += 1;
                }
                *by_departement
                    .entry(row.departement.as_ref().map(|d| d.as_str().to_string()))
                    .or_default() += 1;
                let unit = by_unit.entry(row.unit.clone()).or_default();
                unit.reports += 1;
                match (row.first_contact, row.dossier_state) {
                    (Some(bucket), _) => {
                        if let Some(i) = ContactBucket::ALL.iter().position(|b| *b == bucket) {
                            unit.contacted[i] += 1;
                        }
                    }
                    (None, Some(_)) => unit.not_yet += 1,
                    (None, None) => unit.unknown += 1,
                }
            }
        }

        // Known départements by code, then the unknown ones.
        let mut by_departement: Vec<(Option<Departement>, u64)> = by_departement
            .into_iter()
            .map(|(code, n)| (code.as_deref().and_then(Departement::parse), n))
            .collect();
        by_departement.sort_by_key(|(d, _)| d.is_none());

        PeriodFigures {
            period,
            chats,
            days: days.into_iter().zip(per_day).collect(),
            weeks,
            heat,
            waits,
            endings: endings_order.into_iter().zip(endings).collect(),
            facts: Fact::ALL.into_iter().zip(facts).collect(),
            qualified,
            people,
            forwarded: ForwardedReports {
                total: forwarded,
                by_force: COUNTED_FORCES.into_iter().zip(by_force).collect(),
                by_departement,
                // Units by id, then reports without a unit.
                by_unit: {
                    let mut units: Vec<UnitContacts> = by_unit
                        .into_iter()
                        .map(|(unit, counts)| UnitContacts { unit, ..counts })
                        .collect();
                    units.sort_by_key(|u| u.unit.is_none());
                    units
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DossierState, ReporterKind};
    use time::macros::{date, datetime};

    fn week(year: i32, n: u8) -> IsoWeek {
        IsoWeek::new(year, n).unwrap()
    }

    /// A chat answered in under a minute and closed with information given, in `hour` of
    /// `week`; tests change what they look at.
    fn row(week: IsoWeek, hour: u8) -> ChatStatistics {
        ChatStatistics::example(week, hour)
    }

    fn period(from: Date, to: Date) -> Period {
        Period::new(IsoWeek::of_date(from), IsoWeek::of_date(to)).unwrap()
    }

    #[test]
    fn a_period_is_made_of_the_whole_weeks_its_dates_fall_in() {
        // Wednesday 7 January 2026 to Tuesday 13 January 2026: weeks 2 and 3, whole.
        let p = period(date!(2026 - 01 - 07), date!(2026 - 01 - 13));
        assert_eq!((p.from(), p.to()), (week(2026, 2), week(2026, 3)));
        assert_eq!(p.start(), date!(2026 - 01 - 05));
        assert_eq!(p.end(), date!(2026 - 01 - 18));
        assert_eq!(p.weeks(), [week(2026, 2), week(2026, 3)]);
        assert_eq!(p.days().len(), 14);
        assert!(p.holds(week(2026, 3)) && !p.holds(week(2026, 4)));
        // Across New Year: 2026 has 53 ISO weeks.
        let p = period(date!(2026 - 12 - 28), date!(2027 - 01 - 05));
        assert_eq!(p.weeks(), [week(2026, 53), week(2027, 1)]);
    }

    #[test]
    fn a_reversed_unreadable_or_too_long_period_asked_is_refused_saying_which_end() {
        let now = datetime!(2026-03-04 10:00 UTC);
        let q = |from: &str, to: &str| Period::asked(Some(from), Some(to), now);
        assert!(matches!(
            q("2026-02-01", "2026-01-01"),
            Err(AskedPeriodError::Period(PeriodError::Reversed { .. }))
        ));
        assert!(matches!(
            q("2026-02-30", "2026-03-01"),
            Err(AskedPeriodError::Start(PeriodError::Unreadable(_)))
        ));
        assert!(matches!(
            q("2026-01-01", "demain"),
            Err(AskedPeriodError::End(PeriodError::Unreadable(_)))
        ));
        assert_eq!(
            q("2024-01-01", "2026-01-31"),
            Err(AskedPeriodError::Period(PeriodError::TooLong(109)))
        );
        // Two calendar years fit.
        assert_eq!(q("2024-01-01", "2025-12-31").unwrap().weeks().len(), 105);
        // A single day is its week; a week may be given as such.
        assert_eq!(q("2026-01-07", "2026-01-07").unwrap().weeks().len(), 1);
        assert_eq!(q("2026-W02", "2026-01-13").unwrap().weeks().len(), 2);
    }

    #[test]
    fn without_dates_the_period_is_the_last_eight_full_weeks() {
        // Wednesday 4 March 2026 is in week 10: weeks 2 to 9.
        let now = datetime!(2026-03-04 10:00 UTC);
        let p = Period::asked(None, Some(""), now).unwrap();
        assert_eq!((p.from(), p.to()), (week(2026, 2), week(2026, 9)));
        // A missing end is the default's end.
        let p = Period::asked(Some("2026-02-10"), None, now).unwrap();
        assert_eq!((p.from(), p.to()), (week(2026, 7), week(2026, 9)));
    }

    #[test]
    fn every_day_of_the_period_is_counted_even_with_no_chat() {
        let p = period(date!(2026 - 01 - 05), date!(2026 - 01 - 18));
        // Tuesday of week 2 at 10:00, twice; Sunday of week 3 at 23:00.
        let rows = [
            row(week(2026, 2), 24 + 10),
            row(week(2026, 2), 24 + 10),
            row(week(2026, 3), 167),
        ];
        let f = PeriodFigures::of(p, &rows);
        assert_eq!(f.days.len(), 14);
        assert_eq!(f.days[0], (date!(2026 - 01 - 05), 0));
        assert_eq!(f.days[1], (date!(2026 - 01 - 06), 2));
        assert_eq!(f.days[13], (date!(2026 - 01 - 18), 1));
        assert_eq!(f.days.iter().map(|(_, n)| n).sum::<u64>(), 3);
        assert_eq!(f.days.iter().filter(|(_, n)| *n == 0).count(), 12);
        assert_eq!(f.weeks.iter().map(|w| w.chats).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(f.heat[1][10], 2);
        assert_eq!(f.heat[6][23], 1);
        assert_eq!(f.chats, 3);
    }

    #[test]
    fn a_period_with_no_row_gives_zeros_and_no_percentile() {
        let p = period(date!(2026 - 01 - 05), date!(2026 - 01 - 11));
        let f = PeriodFigures::of(p, &[]);
        assert_eq!(f.chats, 0);
        assert!(f.days.iter().all(|(_, n)| *n == 0));
        assert_eq!(f.waits.median(), None);
        assert_eq!(f.waits.p90(), None);
        assert_eq!(share(f.people.minors, f.people.chats), None);
        assert_eq!(f.endings.len(), Outcome::ALL.len() + 1);
        assert_eq!(f.facts.len(), Fact::ALL.len());
        assert_eq!(f.forwarded.by_force.len(), 3);
    }

    #[test]
    fn the_median_and_the_90th_percentile_are_the_buckets_of_the_nearest_rank() {
        let mut w = Waits::default();
        // 10 waits: 5 under a minute, 4 from 1 to 5, 1 from 15 to 60.
        for (bucket, n) in [
            (WaitBucket::UnderOneMinute, 5),
            (WaitBucket::OneToFive, 4),
            (WaitBucket::FifteenToSixty, 1),
        ] {
            for _ in 0..n {
                w.add(bucket);
            }
        }
        // Rank 5 is the last under a minute; rank 9 the last from 1 to 5.
        assert_eq!(w.median(), Some(WaitBucket::UnderOneMinute));
        assert_eq!(w.p90(), Some(WaitBucket::OneToFive));
        assert_eq!(w.percentile(100), Some(WaitBucket::FifteenToSixty));
        // One more long wait moves the 90th percentile (rank ⌈9.9⌉ = 10 of 11).
        w.add(WaitBucket::OverAnHour);
        assert_eq!(w.p90(), Some(WaitBucket::FifteenToSixty));
        // A single wait is its own median and 90th percentile.
        let mut one = Waits::default();
        one.add(WaitBucket::FiveToFifteen);
        assert_eq!(one.median(), Some(WaitBucket::FiveToFifteen));
        assert_eq!(one.p90(), Some(WaitBucket::FiveToFifteen));
    }

    #[test]
    fn waits_count_only_chats_an_officer_took() {
        let p = period(date!(2026 - 01 - 05), date!(2026 - 01 - 11));
        let answered = row(week(2026, 2), 10);
        let left = ChatStatistics {
            left_before_answer: true,
            quick_exit: true,
            wait: Some(WaitBucket::OverAnHour),
            ending: Ending::Closed(Outcome::VisitorLeft),
            ..row(week(2026, 2), 11)
        };
        let purged_waiting = ChatStatistics {
            left_before_answer: true,
            wait: None,
            ending: Ending::PurgedUnclosed,
            ..row(week(2026, 2), 12)
        };
        let f = PeriodFigures::of(p, &[answered, left, purged_waiting]);
        let w = &f.weeks[0];
        assert_eq!((w.chats, w.answered, w.left_before_answer), (3, 1, 2));
        assert_eq!(w.quick_exits, 1);
        assert_eq!(w.waits.total(), 1);
        assert_eq!(w.waits.p90(), Some(WaitBucket::UnderOneMinute));
        assert_eq!(share(w.left_before_answer, w.chats), Some(2.0 / 3.0));
        let ending = |e| f.endings.iter().find(|(x, _)| *x == e).unwrap().1;
        assert_eq!(ending(Ending::Closed(Outcome::VisitorLeft)), 1);
        assert_eq!(ending(Ending::PurgedUnclosed), 1);
    }

    #[test]
    fn a_chat_with_several_facts_counts_once_in_each_and_once_among_the_qualified() {
        let p = period(date!(2026 - 01 - 05), date!(2026 - 01 - 11));
        let rows = [
            ChatStatistics {
                facts: vec![Fact::Rape, Fact::DomesticViolence],
                ..row(week(2026, 2), 1)
            },
            ChatStatistics {
                facts: vec![Fact::DomesticViolence],
                ..row(week(2026, 2), 2)
            },
            row(week(2026, 2), 3),
        ];
        let f = PeriodFigures::of(p, &rows);
        let fact = |x| f.facts.iter().find(|(y, _)| *y == x).unwrap().1;
        assert_eq!(fact(Fact::Rape), 1);
        assert_eq!(fact(Fact::DomesticViolence), 2);
        assert_eq!(fact(Fact::Incest), 0);
        assert_eq!(f.qualified, 2);
        // Shares of the facts are out of the qualified chats and may add up to more than 1.
        let total: f64 = f
            .facts
            .iter()
            .filter_map(|(_, n)| share(*n, f.qualified))
            .sum();
        assert!((total - 1.5).abs() < 1e-9);
    }

    #[test]
    fn shares_of_minors_and_witnesses_are_out_of_every_chat() {
        let p = period(date!(2026 - 01 - 05), date!(2026 - 01 - 11));
        let rows = [
            ChatStatistics {
                minor: true,
                ..row(week(2026, 2), 1)
            },
            ChatStatistics {
                minor: true,
                reporter: ReporterKind::Witness,
                ..row(week(2026, 2), 2)
            },
            row(week(2026, 2), 3),
            row(week(2026, 2), 4),
        ];
        let f = PeriodFigures::of(p, &rows);
        assert_eq!(share(f.people.minors, f.people.chats), Some(0.5));
        assert_eq!(share(f.people.witnesses, f.people.chats), Some(0.25));
    }

    #[test]
    fn forwarded_reports_are_counted_per_force_and_departement() {
        let p = period(date!(2026 - 01 - 05), date!(2026 - 01 - 11));
        let fwd = |dept: Option<&str>, force| ChatStatistics {
            ending: Ending::Closed(Outcome::ReportForwarded),
            departement: dept.and_then(Departement::parse),
            force,
            ..row(week(2026, 2), 5)
        };
        let rows = [
            fwd(Some("69"), Some(Force::Police)),
            fwd(Some("2A"), Some(Force::Gendarmerie)),
            fwd(Some("69"), Some(Force::Gendarmerie)),
            fwd(None, None),
            row(week(2026, 2), 6),
        ];
        let f = PeriodFigures::of(p, &rows);
        assert_eq!(f.forwarded.total, 4);
        assert_eq!(
            f.forwarded.by_force,
            [
                (Some(Force::Police), 1),
                (Some(Force::Gendarmerie), 2),
                (None, 1)
            ]
        );
        assert_eq!(
            f.forwarded.by_departement,
            [
                (Departement::parse("2A"), 1),
                (Departement::parse("69"), 2),
                (None, 1)
            ]
        );
    }

    #[test]
    fn each_units_reports_are_counted_by_time_to_first_contact_and_not_yet() {
        let p = period(date!(2026 - 01 - 05), date!(2026 - 01 - 11));
        let fwd = |unit: &str, state, contact| ChatStatistics {
            ending: Ending::Closed(Outcome::ReportForwarded),
            unit: UnitId::parse(unit),
            dossier_state: state,
            first_contact: contact,
            ..row(week(2026, 2), 5)
        };
        let rows = [
            fwd(
                "commissariat-lyon",
                Some(DossierState::Contacted),
                Some(ContactBucket::UnderADay),
            ),
            fwd(
                "commissariat-lyon",
                Some(DossierState::ComplaintTaken),
                Some(ContactBucket::ThreeToSevenDays),
            ),
            fwd("commissariat-lyon", Some(DossierState::Received), None),
            fwd("bta-mende", Some(DossierState::Sent), None),
            // Closed before the record followed dossiers: its later life is unknown.
            fwd("bta-mende", None, None),
            // Not forwarded: no unit counts it.
            row(week(2026, 2), 6),
        ];
        let f = PeriodFigures::of(p, &rows);
        let units: Vec<_> = f.forwarded.by_unit.iter().map(|u| u.unit.clone()).collect();
        assert_eq!(
            units,
            [
                UnitId::parse("bta-mende"),
                UnitId::parse("commissariat-lyon")
            ]
        );
        let mende = &f.forwarded.by_unit[0];
        assert_eq!((mende.reports, mende.not_yet, mende.unknown), (2, 1, 1));
        assert_eq!(mende.contacted, [0; 4]);
        let lyon = &f.forwarded.by_unit[1];
        assert_eq!((lyon.reports, lyon.not_yet, lyon.unknown), (3, 1, 0));
        assert_eq!(lyon.contacted, [1, 0, 1, 0]);
    }

    #[test]
    fn a_row_from_outside_the_period_is_left_out() {
        let p = period(date!(2026 - 01 - 05), date!(2026 - 01 - 11));
        let f = PeriodFigures::of(p, &[row(week(2026, 3), 0), row(week(2026, 2), 0)]);
        assert_eq!(f.chats, 1);
        assert_eq!(f.days.iter().map(|(_, n)| n).sum::<u64>(), 1);
    }
}
