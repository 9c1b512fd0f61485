//! The staffing plan from what was recorded: for each hour of the week, the demand measured
//! over the last weeks (from the statistics record), the officers it needs (through the
//! queueing model of [`crate::staffing`]), and the officers who were actually present (from
//! the presence history). docs/STAFFING.md explains each estimator.
//!
//! # Estimators
//!
//! - **Arrivals per hour** of hour `h`: the chats that started in hour `h` of the weeks
//!   observed, divided by the number of weeks observed. A week is observed when it holds any
//!   record at all (a chat's row or a minute of presence): a week before the service opened, or
//!   one during which no node ran, says nothing and would drag the mean down. Every chat counts
//!   as an arrival, answered or not: Erlang C staffs so that people need not leave.
//! - **Handling time**: the record keeps a chat's duration only as a bucket; each handled chat
//!   counts for its bucket's midpoint ([`handling_minutes`]) and the hour's handling time is
//!   their mean. An hour with fewer than [`MIN_HANDLED_PER_HOUR`] handled chats takes the mean
//!   over every hour instead ([`HandlingBasis::AllHours`]); when no chat at all was handled in
//!   the weeks observed, the wait estimate's default of 20 minutes stands in
//!   ([`HandlingBasis::Assumed`]), and the plan says so.
//! - **Officers present**: the presence history's officer-minutes of hour `h` over the weeks
//!   observed, divided by the minutes sampled: the mean number of officers available in that
//!   hour, counting only the minutes a node was running to see them.

use crate::staffing::{Demand, HOURS_PER_WEEK, HourPlan, ServiceTarget, StaffingError, plan_hour};
use crate::statistics::{ChatStatistics, DurationBucket, HourOfWeek, IsoWeek};
use std::collections::BTreeSet;
use time::{Date, Duration, OffsetDateTime, Weekday};

/// An hour with fewer handled chats than this over the weeks observed takes the handling time
/// of all hours: five durations, each only known to a bucket, say little about a mean.
pub const MIN_HANDLED_PER_HOUR: u64 = 5;

/// The minutes of an hour, each sampled at most once.
pub const MINUTES_PER_HOUR: u8 = 60;

/// What the plan takes of a chat's statistics row: when it started, and how long an officer
/// held it (`None` when nobody did).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatDemand {
    /// The week it started in (Paris time).
    pub week: IsoWeek,
    /// The hour of the week it started in (Paris time).
    pub hour: HourOfWeek,
    /// From an officer taking it to its close, in buckets.
    pub duration: Option<DurationBucket>,
}

impl From<&ChatStatistics> for ChatDemand {
    fn from(row: &ChatStatistics) -> Self {
        Self {
            week: row.week,
            hour: row.hour,
            duration: row.duration,
        }
    }
}

/// One minute of the presence history: how many officers were available, in which minute of
/// which hour of which week (Paris time). Says nobody's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresenceSample {
    /// The week (Paris time).
    pub week: IsoWeek,
    /// The hour of the week (Paris time).
    pub hour: HourOfWeek,
    /// The minute of the hour, 0 to 59.
    pub minute: u8,
    /// Officers available to take chats at that minute.
    pub officers: u32,
}

impl PresenceSample {
    /// The sample of the minute `at` falls in. Paris is a whole number of hours from UTC, so
    /// the minute is the same on both clocks.
    pub fn at(at: OffsetDateTime, officers: u32) -> Self {
        Self {
            week: IsoWeek::of(at),
            hour: HourOfWeek::of(at),
            minute: at.minute(),
            officers,
        }
    }

    /// The minute's bit in [`PresenceHour::minute_mask`].
    pub fn bit(self) -> i64 {
        1i64 << self.minute.min(MINUTES_PER_HOUR - 1)
    }
}

/// One hour of one week of the presence history, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresenceHour {
    /// The week (Paris time).
    pub week: IsoWeek,
    /// The hour of the week (Paris time).
    pub hour: HourOfWeek,
    /// The sum, over the minutes sampled, of the officers available at each.
    pub officer_minutes: u64,
    /// How many minutes of the hour were sampled (0 to 60).
    pub minutes_sampled: u32,
    /// Which minutes were sampled: bit `m` for minute `m`. A minute is recorded once, however
    /// many nodes sample it.
    pub minute_mask: i64,
}

impl PresenceHour {
    /// The mean number of officers available over the minutes sampled; `None` when none was.
    pub fn mean(&self) -> Option<f64> {
        (self.minutes_sampled > 0)
            .then(|| self.officer_minutes as f64 / self.minutes_sampled as f64)
    }
}

/// The weeks a plan is made from: the `weeks` whole weeks before the current one (the current
/// week is not over, and counting it would lower every mean).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanWindow {
    /// The first week.
    pub from: IsoWeek,
    /// The last week (the one before the current week).
    pub to: IsoWeek,
    /// How many weeks, `from` to `to` included.
    pub weeks: u32,
}

/// The Monday of an ISO week.
fn monday(week: IsoWeek) -> Date {
    Date::from_iso_week_date(week.year(), week.week(), Weekday::Monday)
        .expect("an IsoWeek is a valid ISO week")
}

/// The week `n` weeks before `week`, counted on the calendar (never on a clock, so that a
/// change to or from summer time cannot skip or repeat a week).
pub fn weeks_before(week: IsoWeek, n: u32) -> IsoWeek {
    let (year, number, _) = (monday(week) - Duration::weeks(i64::from(n))).to_iso_week_date();
    IsoWeek::new(year, number).expect("a date's ISO week exists")
}

impl PlanWindow {
    /// The `weeks` whole weeks before the week `now` falls in (Paris time); at least one.
    pub fn before(now: OffsetDateTime, weeks: u32) -> Self {
        let weeks = weeks.max(1);
        let current = IsoWeek::of(now);
        Self {
            from: weeks_before(current, weeks),
            to: weeks_before(current, 1),
            weeks,
        }
    }

    /// Whether `week` is one of the window's.
    pub fn contains(&self, week: IsoWeek) -> bool {
        self.from <= week && week <= self.to
    }
}

/// The handling time a handled chat counts for, in minutes: its bucket's midpoint. The open
/// bucket (two hours or more) counts for two hours, the bound the waiting room's estimate puts
/// on a duration (a chat left open overnight says nothing of the work it took).
pub fn handling_minutes(bucket: DurationBucket) -> f64 {
    match bucket {
        DurationBucket::UnderTen => 5.0,
        DurationBucket::TenToThirty => 20.0,
        DurationBucket::ThirtyToSixty => 45.0,
        DurationBucket::OneToTwoHours => 90.0,
        DurationBucket::OverTwoHours => 120.0,
    }
}

/// Where an hour's handling time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlingBasis {
    /// No chat arrived in that hour: no handling time is needed.
    NoChats,
    /// The hour's own handled chats ([`MIN_HANDLED_PER_HOUR`] or more).
    Hour,
    /// Too few chats handled in that hour: the mean over every hour.
    AllHours,
    /// No chat at all was handled in the weeks observed: the waiting room's default
    /// ([`crate::DEFAULT_HANDLING_SECS`]).
    Assumed,
}

impl HandlingBasis {
    /// Stable name, for the CSV and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoChats => "no_chats",
            Self::Hour => "hour",
            Self::AllHours => "all_hours",
            Self::Assumed => "assumed",
        }
    }
}

/// One hour of the week in the plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlannedHour {
    /// Which hour of the week.
    pub hour: HourOfWeek,
    /// Chats that started in this hour over the weeks observed.
    pub chats: u64,
    /// Of those, chats an officer handled to their close (whose duration is known).
    pub handled: u64,
    /// Mean chats arriving in this hour, per week observed (λ, per hour).
    pub arrivals_per_hour: f64,
    /// The mean handling time used, in minutes; `None` when no chat arrived.
    pub handling_minutes: Option<f64>,
    /// Where the handling time comes from.
    pub basis: HandlingBasis,
    /// Load, places and officers needed for the target.
    pub plan: HourPlan,
    /// Mean officers available in this hour over the weeks observed; `None` when the presence
    /// history has no minute of it.
    pub present: Option<f64>,
}

impl PlannedHour {
    /// Officers present minus officers needed: negative when short.
    pub fn gap(&self) -> Option<f64> {
        self.present.map(|p| p - f64::from(self.plan.officers))
    }

    /// Whether the officers present, all places taken, were fewer places than the load itself:
    /// then no wait is finite in the model and the queue only stops growing because people
    /// leave.
    pub fn overloaded(&self, places_per_officer: u32) -> bool {
        self.plan.load > 0.0
            && self
                .present
                .is_some_and(|p| p * f64::from(places_per_officer.max(1)) <= self.plan.load)
    }
}

/// The plan for a week, made from the records of the weeks observed.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffingPlan {
    /// The weeks asked for.
    pub window: PlanWindow,
    /// The weeks of the window that hold any record; the divisor of the arrivals.
    pub weeks_observed: u32,
    /// The target staffed for.
    pub target: ServiceTarget,
    /// The chats an officer holds at once, as places of the model.
    pub places_per_officer: u32,
    /// Chats recorded in the weeks observed.
    pub chats: u64,
    /// The mean handling time over every hour, in minutes; `None` when no chat was handled.
    pub overall_handling_minutes: Option<f64>,
    /// The 168 hours, Monday 00:00 first.
    pub hours: Vec<PlannedHour>,
}

impl StaffingPlan {
    /// Officer-hours needed in a week: the sum of the officers needed each hour.
    pub fn officer_hours_needed(&self) -> u64 {
        self.hours.iter().map(|h| u64::from(h.plan.officers)).sum()
    }

    /// Officer-hours present in a week, over the hours the presence history covers.
    pub fn officer_hours_present(&self) -> f64 {
        self.hours.iter().filter_map(|h| h.present).sum()
    }

    /// Hours in which fewer officers were present than needed.
    pub fn hours_short(&self) -> usize {
        self.hours
            .iter()
            .filter(|h| h.gap().is_some_and(|g| g < 0.0))
            .count()
    }

    /// Hours in which the officers present could not even carry the load.
    pub fn hours_overloaded(&self) -> usize {
        self.hours
            .iter()
            .filter(|h| h.overloaded(self.places_per_officer))
            .count()
    }

    /// The hour needing the most officers (the first such), if any hour needs one.
    pub fn peak(&self) -> Option<&PlannedHour> {
        self.hours
            .iter()
            .filter(|h| h.plan.officers > 0)
            .max_by(|a, b| {
                a.plan
                    .officers
                    .cmp(&b.plan.officers)
                    .then(b.hour.cmp(&a.hour))
            })
    }

    /// Chats arriving in a mean week.
    pub fn arrivals_per_week(&self) -> f64 {
        self.hours.iter().map(|h| h.arrivals_per_hour).sum()
    }
}

/// The plan for the hours of the week from the chats' rows and the presence history (either
/// may hold rows outside the window: they are left out). `Ok(None)` when no chat was recorded
/// in the window: with no demand measured there is nothing to plan from, and no plan is made
/// up. `places_per_officer` is clamped to 1 or more.
pub fn plan_from_records(
    window: PlanWindow,
    rows: &[ChatDemand],
    presence: &[PresenceHour],
    target: ServiceTarget,
    places_per_officer: u32,
) -> Result<Option<StaffingPlan>, StaffingError> {
    let places_per_officer = places_per_officer.max(1);
    let rows: Vec<&ChatDemand> = rows.iter().filter(|r| window.contains(r.week)).collect();
    let presence: Vec<&PresenceHour> = presence
        .iter()
        .filter(|p| window.contains(p.week))
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let weeks: BTreeSet<IsoWeek> = rows
        .iter()
        .map(|r| r.week)
        .chain(presence.iter().map(|p| p.week))
        .collect();
    let weeks_observed = weeks.len() as u32;

    let mut chats = [0u64; HOURS_PER_WEEK];
    let mut handled = [0u64; HOURS_PER_WEEK];
    let mut handling_sum = [0f64; HOURS_PER_WEEK];
    for row in &rows {
        let h = usize::from(row.hour.get());
        chats[h] += 1;
        if let Some(d) = row.duration {
            handled[h] += 1;
            handling_sum[h] += handling_minutes(d);
        }
    }
    let all_handled: u64 = handled.iter().sum();
    let overall = (all_handled > 0).then(|| handling_sum.iter().sum::<f64>() / all_handled as f64);

    let mut officer_minutes = [0u64; HOURS_PER_WEEK];
    let mut minutes = [0u64; HOURS_PER_WEEK];
    for p in &presence {
        let h = usize::from(p.hour.get());
        officer_minutes[h] += p.officer_minutes;
        minutes[h] += u64::from(p.minutes_sampled);
    }

    let mut hours = Vec::with_capacity(HOURS_PER_WEEK);
    for h in 0..HOURS_PER_WEEK {
        let arrivals = chats[h] as f64 / f64::from(weeks_observed);
        let (handling, basis) = if chats[h] == 0 {
            (None, HandlingBasis::NoChats)
        } else if handled[h] >= MIN_HANDLED_PER_HOUR {
            (
                Some(handling_sum[h] / handled[h] as f64),
                HandlingBasis::Hour,
            )
        } else if let Some(all) = overall {
            (Some(all), HandlingBasis::AllHours)
        } else {
            (
                Some(crate::DEFAULT_HANDLING_SECS / 60.0),
                HandlingBasis::Assumed,
            )
        };
        let demand = match handling {
            Some(minutes) => Demand::new(arrivals, minutes)?,
            None => Demand::NONE,
        };
        hours.push(PlannedHour {
            hour: HourOfWeek::new(h as u8).expect("an hour of the week"),
            chats: chats[h],
            handled: handled[h],
            arrivals_per_hour: arrivals,
            handling_minutes: handling,
            basis,
            plan: plan_hour(demand, target, places_per_officer),
            present: (minutes[h] > 0).then(|| officer_minutes[h] as f64 / minutes[h] as f64),
        });
    }
    Ok(Some(StaffingPlan {
        window,
        weeks_observed,
        target,
        places_per_officer,
        chats: rows.len() as u64,
        overall_handling_minutes: overall,
        hours,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn week(year: i32, number: u8) -> IsoWeek {
        IsoWeek::new(year, number).unwrap()
    }

    fn hour(h: u8) -> HourOfWeek {
        HourOfWeek::new(h).unwrap()
    }

    /// A chat of `week`, started in hour `h`, handled for `duration` (or never taken).
    fn chat(week: IsoWeek, h: u8, duration: Option<DurationBucket>) -> ChatDemand {
        ChatDemand {
            week,
            hour: hour(h),
            duration,
        }
    }

    fn presence(week: IsoWeek, h: u8, officer_minutes: u64, minutes: u32) -> PresenceHour {
        PresenceHour {
            week,
            hour: hour(h),
            officer_minutes,
            minutes_sampled: minutes,
            minute_mask: 0,
        }
    }

    /// Four weeks, 2026-W02 to W05.
    fn window() -> PlanWindow {
        PlanWindow {
            from: week(2026, 2),
            to: week(2026, 5),
            weeks: 4,
        }
    }

    fn plan(rows: &[ChatDemand], presence: &[PresenceHour]) -> StaffingPlan {
        plan_from_records(window(), rows, presence, ServiceTarget::default(), 3)
            .unwrap()
            .expect("a plan")
    }

    #[test]
    fn the_window_is_the_whole_weeks_before_the_current_one() {
        // Wednesday 4 February 2026 is in 2026-W06.
        let w = PlanWindow::before(datetime!(2026-02-04 10:00 UTC), 8);
        assert_eq!((w.from, w.to, w.weeks), (week(2025, 50), week(2026, 5), 8));
        assert!(w.contains(week(2026, 1)) && w.contains(week(2025, 52)));
        assert!(!w.contains(week(2026, 6)) && !w.contains(week(2025, 49)));
        assert_eq!(
            PlanWindow::before(datetime!(2026-02-04 10:00 UTC), 0).weeks,
            1
        );
    }

    #[test]
    fn weeks_are_counted_on_the_calendar_across_summer_time_and_new_year() {
        // Monday 30 March 2026 00:30 in Paris (CEST) is Sunday 22:30 UTC, just after the
        // clocks changed. The week before is W13, though 168 hours earlier was Sunday 22 March
        // 23:30 in Paris (CET), in W12.
        let now = datetime!(2026-03-29 22:30 UTC);
        assert_eq!(IsoWeek::of(now), week(2026, 14));
        assert_eq!(PlanWindow::before(now, 1).to, week(2026, 13));
        assert_eq!(weeks_before(week(2027, 1), 1), week(2026, 53));
        assert_eq!(weeks_before(week(2026, 1), 2), week(2025, 51));
    }

    #[test]
    fn a_presence_sample_is_the_minute_of_the_paris_hour_of_the_week() {
        // Monday 5 January 2026, 00:17 in Paris.
        let s = PresenceSample::at(datetime!(2026-01-04 23:17:42 UTC), 4);
        assert_eq!(
            (s.week, s.hour, s.minute, s.officers),
            (week(2026, 2), hour(0), 17, 4)
        );
        assert_eq!(s.bit(), 1 << 17);
        assert_eq!(
            PresenceSample::at(datetime!(2026-01-04 23:59 UTC), 0).bit(),
            1 << 59
        );
    }

    #[test]
    fn arrivals_per_hour_are_the_hours_chats_divided_by_the_weeks_observed() {
        // Monday 10:00: 6 chats over 3 weeks with records; a fourth week holds nothing.
        let mut rows = Vec::new();
        for (w, n) in [(2, 1), (3, 2), (5, 3)] {
            for _ in 0..n {
                rows.push(chat(week(2026, w), 10, Some(DurationBucket::TenToThirty)));
            }
        }
        let p = plan(&rows, &[]);
        assert_eq!(p.weeks_observed, 3, "W04 holds no record: not observed");
        assert_eq!(p.hours[10].chats, 6);
        assert_eq!(p.hours[10].arrivals_per_hour, 2.0);
        assert_eq!(p.hours[11].arrivals_per_hour, 0.0);
        assert_eq!(p.arrivals_per_week(), 2.0);
        assert_eq!(p.chats, 6);
    }

    #[test]
    fn a_week_with_presence_and_no_chat_is_observed_and_lowers_the_arrivals() {
        let rows = vec![chat(week(2026, 2), 10, Some(DurationBucket::UnderTen)); 4];
        let quiet = presence(week(2026, 3), 10, 120, 60);
        let p = plan(&rows, &[quiet]);
        assert_eq!(p.weeks_observed, 2);
        assert_eq!(p.hours[10].arrivals_per_hour, 2.0);
    }

    #[test]
    fn rows_outside_the_window_are_left_out() {
        let rows = vec![
            chat(week(2026, 2), 3, Some(DurationBucket::UnderTen)),
            chat(week(2026, 6), 3, Some(DurationBucket::UnderTen)),
            chat(week(2026, 1), 3, Some(DurationBucket::UnderTen)),
        ];
        let p = plan(&rows, &[presence(week(2026, 6), 3, 600, 60)]);
        assert_eq!((p.chats, p.weeks_observed), (1, 1));
        assert_eq!(p.hours[3].present, None);
    }

    #[test]
    fn the_handling_time_is_the_mean_of_the_bucket_midpoints() {
        let mut rows = Vec::new();
        for d in [
            DurationBucket::UnderTen,      // 5
            DurationBucket::TenToThirty,   // 20
            DurationBucket::ThirtyToSixty, // 45
            DurationBucket::OneToTwoHours, // 90
            DurationBucket::OverTwoHours,  // 120, the bound
            DurationBucket::TenToThirty,   // 20
        ] {
            rows.push(chat(week(2026, 4), 30, Some(d)));
        }
        // A chat nobody took is an arrival, but has no handling time.
        rows.push(chat(week(2026, 4), 30, None));
        let p = plan(&rows, &[]);
        let h = &p.hours[30];
        assert_eq!((h.chats, h.handled), (7, 6));
        assert_eq!(h.basis, HandlingBasis::Hour);
        assert_eq!(h.handling_minutes, Some(300.0 / 6.0));
        assert_eq!(h.arrivals_per_hour, 7.0);
        assert!((h.plan.load - 7.0 * 50.0 / 60.0).abs() < 1e-12);
    }

    #[test]
    fn an_hour_with_too_few_handled_chats_takes_the_mean_of_all_hours() {
        let mut rows = vec![chat(week(2026, 2), 100, Some(DurationBucket::ThirtyToSixty)); 5];
        rows.extend(vec![
            chat(week(2026, 2), 101, Some(DurationBucket::UnderTen));
            4
        ]);
        rows.push(chat(week(2026, 2), 102, None));
        let p = plan(&rows, &[]);
        let overall = (5.0 * 45.0 + 4.0 * 5.0) / 9.0;
        assert_eq!(p.overall_handling_minutes, Some(overall));
        assert_eq!(
            (p.hours[100].basis, p.hours[100].handling_minutes),
            (HandlingBasis::Hour, Some(45.0))
        );
        assert_eq!(
            (p.hours[101].basis, p.hours[101].handling_minutes),
            (HandlingBasis::AllHours, Some(overall)),
            "four handled chats are too few"
        );
        assert_eq!(
            (p.hours[102].basis, p.hours[102].handling_minutes),
            (HandlingBasis::AllHours, Some(overall)),
            "no chat handled in that hour"
        );
        assert_eq!(
            (p.hours[0].basis, p.hours[0].handling_minutes),
            (HandlingBasis::NoChats, None)
        );
        assert_eq!(p.hours[0].plan.officers, 0);
    }

    #[test]
    fn when_no_chat_was_ever_handled_the_default_handling_time_is_assumed_and_said() {
        let rows = vec![chat(week(2026, 3), 20, None); 3];
        let p = plan(&rows, &[]);
        assert_eq!(p.overall_handling_minutes, None);
        assert_eq!(p.hours[20].basis, HandlingBasis::Assumed);
        assert_eq!(p.hours[20].handling_minutes, Some(20.0));
        assert!(p.hours[20].plan.officers >= 1);
    }

    #[test]
    fn no_chat_in_the_window_gives_no_plan() {
        let none = plan_from_records(window(), &[], &[], ServiceTarget::default(), 3).unwrap();
        assert_eq!(none, None);
        // Presence alone measures no demand.
        let only_presence = plan_from_records(
            window(),
            &[chat(week(2026, 9), 1, None)],
            &[presence(week(2026, 3), 1, 60, 60)],
            ServiceTarget::default(),
            3,
        )
        .unwrap();
        assert_eq!(only_presence, None);
    }

    #[test]
    fn officers_present_are_the_officer_minutes_over_the_minutes_sampled() {
        let rows = vec![chat(week(2026, 2), 50, Some(DurationBucket::TenToThirty))];
        let p = plan(
            &rows,
            &[
                presence(week(2026, 2), 50, 120, 60), // 2 officers all hour
                presence(week(2026, 3), 50, 90, 30),  // 3 officers, half the hour seen
                presence(week(2026, 3), 51, 0, 60),   // nobody
            ],
        );
        assert_eq!(p.hours[50].present, Some(210.0 / 90.0));
        assert_eq!(p.hours[51].present, Some(0.0));
        assert_eq!(p.hours[52].present, None, "no minute of it was sampled");
        let needed = f64::from(p.hours[50].plan.officers);
        assert_eq!(p.hours[50].gap(), Some(210.0 / 90.0 - needed));
        assert_eq!(p.hours[52].gap(), None);
    }

    #[test]
    fn an_hour_whose_load_exceeds_the_places_present_is_overloaded_and_short() {
        // 12 chats an hour of 45 minutes: 9 Erlangs; 2 officers of 3 places give 6.
        let rows = vec![chat(week(2026, 2), 60, Some(DurationBucket::ThirtyToSixty)); 12];
        let p = plan(&rows, &[presence(week(2026, 2), 60, 120, 60)]);
        let h = &p.hours[60];
        assert!((h.plan.load - 9.0).abs() < 1e-12);
        assert!(h.plan.places > 9 && h.plan.officers >= 4);
        assert!(h.overloaded(3));
        assert!(!h.overloaded(5), "10 places carry 9 Erlangs, if barely");
        assert!(h.gap().unwrap() < 0.0);
        assert_eq!((p.hours_short(), p.hours_overloaded()), (1, 1));
        assert_eq!(p.peak().unwrap().hour, hour(60));
        assert_eq!(p.officer_hours_needed(), u64::from(h.plan.officers));
        assert_eq!(p.officer_hours_present(), 2.0);
    }

    #[test]
    fn places_per_officer_divide_the_places_needed() {
        let rows = vec![chat(week(2026, 2), 60, Some(DurationBucket::ThirtyToSixty)); 12];
        let one = plan_from_records(window(), &rows, &[], ServiceTarget::default(), 1)
            .unwrap()
            .unwrap();
        let three = plan_from_records(window(), &rows, &[], ServiceTarget::default(), 3)
            .unwrap()
            .unwrap();
        let zero = plan_from_records(window(), &rows, &[], ServiceTarget::default(), 0)
            .unwrap()
            .unwrap();
        let places = one.hours[60].plan.places;
        assert_eq!(one.hours[60].plan.officers, places);
        assert_eq!(three.hours[60].plan.officers, places.div_ceil(3));
        assert_eq!(zero.places_per_officer, 1, "clamped");
    }

    #[test]
    fn every_hour_of_the_week_is_planned_in_order() {
        let p = plan(&[chat(week(2026, 2), 167, None)], &[]);
        assert_eq!(p.hours.len(), HOURS_PER_WEEK);
        for (i, h) in p.hours.iter().enumerate() {
            assert_eq!(usize::from(h.hour.get()), i);
        }
    }
}
