//! How many officers each hour needs: the queueing model behind the staffing plan.
//!
//! # The model: Erlang C (M/M/N), chosen over Erlang A
//!
//! Chats arrive at random (Poisson, rate λ per hour), each holds one officer's place for a
//! handling time of mean `AHT` minutes (exponential), and N places serve one queue in order.
//! The offered load is `A = λ · AHT / 60` Erlangs. Erlang C gives the probability that a chat
//! waits at all, `C(N, A)`, and the share answered within `t`:
//!
//! ```text
//! service level = P(wait ≤ t) = 1 − C(N, A) · e^(−(N − A) · t / AHT)
//! ```
//!
//! The plan takes the smallest N whose service level reaches the target (by default 80 % of
//! chats answered within 60 s).
//!
//! Erlang A adds patience: people who wait too long leave the waiting room, and those who
//! leave no longer load the officers. When many leave, Erlang C overestimates the staff
//! needed, because it assumes everyone waits for ever. We still plan with Erlang C, for
//! three reasons:
//!
//! 1. **Leaving is the failure we staff against, not a relief to count on.** Erlang A lowers
//!    the staff needed precisely by the people who give up; for a victim of sexual violence,
//!    leaving unanswered is the outcome the plan exists to prevent. A plan that becomes
//!    cheaper the more people abandon rewards the wrong thing. Erlang C answers the question
//!    the ministry asks: how many officers so that people need not leave.
//! 2. **At the target, the two models differ little.** Only a chat that waits can be left,
//!    and at the staffing Erlang C recommends at most `1 − share` of chats (20 % by default)
//!    wait longer than the target wait, a share that then falls exponentially with the wait
//!    (`C · e^(−(N − A)·t / AHT)`). Erlang A's correction is large only where many wait long,
//!    that is in understaffed hours, which the plan shows anyway (the officers present
//!    against the officers needed).
//! 3. **Patience cannot be measured well here.** Erlang A needs the mean patience θ⁻¹, which
//!    is estimated from the waits of those who left (censored by those who were answered).
//!    The statistics record keeps waits only in coarse buckets so that no row identifies
//!    anyone, and at good staffing few people leave: the estimate would be noisy, and a noisy
//!    θ moves the recommended staff. Erlang C needs only arrivals and handling times, which
//!    the record measures well, and it is checkable against published tables.
//!
//! The price of the choice is stated where the plan is shown: in overloaded hours (load at
//! or above the officers present) Erlang C predicts no finite wait, while the real waiting
//! room stays finite because people leave. [`service_level`] returns 0 and [`mean_wait`]
//! returns `None` there instead of a number.
//!
//! # Numerics
//!
//! `C(N, A)` is computed from Erlang B by its recursion `B(0) = 1`,
//! `B(n) = A·B(n−1) / (n + A·B(n−1))`, then `C = N·B / (N − A·(1 − B))`. Every step stays in
//! `[0, 1]`: no factorial, no power of A, no overflow, and loads of thousands of Erlangs
//! are fine.

use crate::MAX_CAPACITY;
use std::fmt;

/// Hours in a week: the staffing plan has one bucket per hour of the week (Monday 00:00 first).
pub const HOURS_PER_WEEK: usize = 168;

/// Largest offered load accepted, in Erlangs. Far above any plausible hour of this service;
/// the bound keeps a typing mistake from making the plan search for a million officers.
pub const MAX_LOAD_ERLANGS: f64 = 10_000.0;

/// Why a staffing input was refused.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum StaffingError {
    /// Arrivals must be a finite number of chats per hour, zero or more.
    #[error("arrivals per hour must be finite and not negative (got {0})")]
    Arrivals(f64),
    /// The mean handling time must be finite and positive when there are arrivals.
    #[error("the mean handling time must be finite and positive, in minutes (got {0})")]
    HandlingTime(f64),
    /// The offered load is above [`MAX_LOAD_ERLANGS`].
    #[error("the offered load of {0} Erlangs is above {MAX_LOAD_ERLANGS}")]
    Load(f64),
    /// The target share must be strictly between 0 and 1.
    #[error("the target share must be strictly between 0 and 1 (got {0})")]
    Share(f64),
    /// The target wait must be finite and not negative.
    #[error("the target wait must be finite and not negative, in seconds (got {0})")]
    Wait(f64),
}

/// The demand of one hour: how many chats arrive and how long each holds an officer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand {
    arrivals_per_hour: f64,
    mean_handling_minutes: f64,
}

impl Demand {
    /// Accepts finite, non-negative arrivals and, when there are arrivals, a finite positive
    /// mean handling time (with no arrivals the handling time is irrelevant and may be 0).
    pub fn new(arrivals_per_hour: f64, mean_handling_minutes: f64) -> Result<Self, StaffingError> {
        if !arrivals_per_hour.is_finite() || arrivals_per_hour < 0.0 {
            return Err(StaffingError::Arrivals(arrivals_per_hour));
        }
        let handling_ok = mean_handling_minutes.is_finite()
            && (mean_handling_minutes > 0.0
                || (arrivals_per_hour == 0.0 && mean_handling_minutes == 0.0));
        if !handling_ok {
            return Err(StaffingError::HandlingTime(mean_handling_minutes));
        }
        let demand = Self {
            arrivals_per_hour,
            mean_handling_minutes,
        };
        if demand.load() > MAX_LOAD_ERLANGS {
            return Err(StaffingError::Load(demand.load()));
        }
        Ok(demand)
    }

    /// No chat at all: needs no officer.
    pub const NONE: Self = Self {
        arrivals_per_hour: 0.0,
        mean_handling_minutes: 0.0,
    };

    /// Chats arriving per hour (λ).
    pub fn arrivals_per_hour(self) -> f64 {
        self.arrivals_per_hour
    }

    /// Mean handling time in minutes (AHT).
    pub fn mean_handling_minutes(self) -> f64 {
        self.mean_handling_minutes
    }

    /// The offered load in Erlangs, `A = λ · AHT / 60`: the mean number of busy places.
    pub fn load(self) -> f64 {
        self.arrivals_per_hour * self.mean_handling_minutes / 60.0
    }
}

/// The target the plan staffs for: a share of chats answered within a wait.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceTarget {
    share: f64,
    within_seconds: f64,
}

impl ServiceTarget {
    /// Accepts a share strictly between 0 and 1 (100 % is unreachable in this model: some
    /// chat can always arrive when every place is taken) and a finite wait of 0 s or more.
    pub fn new(share: f64, within_seconds: f64) -> Result<Self, StaffingError> {
        if !(share > 0.0 && share < 1.0) {
            return Err(StaffingError::Share(share));
        }
        if !within_seconds.is_finite() || within_seconds < 0.0 {
            return Err(StaffingError::Wait(within_seconds));
        }
        Ok(Self {
            share,
            within_seconds,
        })
    }

    /// The share of chats to answer within the target wait.
    pub fn share(self) -> f64 {
        self.share
    }

    /// The target wait, in seconds.
    pub fn within_seconds(self) -> f64 {
        self.within_seconds
    }
}

impl Default for ServiceTarget {
    /// 80 % of chats answered within 60 seconds.
    fn default() -> Self {
        Self {
            share: 0.8,
            within_seconds: 60.0,
        }
    }
}

impl fmt::Display for ServiceTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} % within {} s",
            self.share * 100.0,
            self.within_seconds
        )
    }
}

/// Erlang B: the probability that a chat finds all `agents` places taken in a system
/// without a queue, for an offered load in Erlangs. Computed by the stable recursion.
pub fn erlang_b(agents: u32, load: f64) -> f64 {
    let mut b = 1.0;
    for n in 1..=agents {
        b = load * b / (f64::from(n) + load * b);
    }
    b
}

/// Erlang C from Erlang B, for `load < agents`.
fn erlang_c_from_b(agents: u32, load: f64, b: f64) -> f64 {
    let n = f64::from(agents);
    n * b / (n - load * (1.0 - b))
}

/// Erlang C: the probability that a chat waits at all, P(W > 0). With no arrivals it is 0;
/// with a load at or above the number of places the queue grows without bound and it is 1.
pub fn erlang_c(agents: u32, load: f64) -> f64 {
    if load <= 0.0 {
        0.0
    } else if load >= f64::from(agents) {
        1.0
    } else {
        erlang_c_from_b(agents, load, erlang_b(agents, load))
    }
}

fn service_level_from_c(agents: u32, demand: Demand, c: f64, within_seconds: f64) -> f64 {
    let load = demand.load();
    let aht_seconds = demand.mean_handling_minutes * 60.0;
    let level = 1.0 - c * (-(f64::from(agents) - load) * within_seconds / aht_seconds).exp();
    level.clamp(0.0, 1.0)
}

/// The share of chats answered within `within_seconds`: `1 − C(N, A)·e^(−(N − A)·t / AHT)`.
/// 1 with no arrivals; 0 when the load is at or above the officers (the queue is unstable and
/// no share is answered within a bounded wait in the long run).
pub fn service_level(agents: u32, demand: Demand, within_seconds: f64) -> f64 {
    let load = demand.load();
    if load <= 0.0 {
        1.0
    } else if load >= f64::from(agents) {
        0.0
    } else {
        service_level_from_c(agents, demand, erlang_c(agents, load), within_seconds)
    }
}

/// The mean wait before the first answer, over all chats, in seconds: `C · AHT / (N − A)`.
/// `None` when the load is at or above the officers: the model has no finite wait then.
pub fn mean_wait(agents: u32, demand: Demand) -> Option<f64> {
    let load = demand.load();
    if load <= 0.0 {
        Some(0.0)
    } else if load >= f64::from(agents) {
        None
    } else {
        let aht_seconds = demand.mean_handling_minutes * 60.0;
        Some(erlang_c(agents, load) * aht_seconds / (f64::from(agents) - load))
    }
}

/// The share of the officers' places that is busy, `A / N`, at most 1 (at or above capacity
/// every place is taken). 0 with no officers and no load.
pub fn occupancy(agents: u32, load: f64) -> f64 {
    if agents == 0 {
        if load > 0.0 { 1.0 } else { 0.0 }
    } else {
        (load / f64::from(agents)).min(1.0)
    }
}

/// The fewest places (servers of the model) that answer `target.share()` of chats within
/// `target.within_seconds()`. 0 with no arrivals; otherwise always more than the load,
/// since a queue at or above capacity answers no fixed share in time.
pub fn officers_needed(demand: Demand, target: ServiceTarget) -> u32 {
    let load = demand.load();
    if load <= 0.0 {
        return 0;
    }
    // Run the Erlang B recursion up to the first N above the load, then one step per N:
    // the search costs O(N) in all, not O(N²).
    let mut agents: u32 = 0;
    let mut b = 1.0;
    while f64::from(agents) <= load {
        agents += 1;
        b = load * b / (f64::from(agents) + load * b);
    }
    loop {
        let c = erlang_c_from_b(agents, load, b);
        if service_level_from_c(agents, demand, c, target.within_seconds) >= target.share {
            return agents;
        }
        agents += 1;
        b = load * b / (f64::from(agents) + load * b);
    }
}

/// The officers who provide `places`, each holding up to `places_per_officer` chats at once
/// (clamped to 1..=[`MAX_CAPACITY`]): `⌈places / places_per_officer⌉`.
///
/// Each place is one server of the model, and a chat's handling time is how long it holds its
/// place (its duration as measured, whatever else the officer handles meanwhile). Pooling an
/// officer's places is an approximation: an officer juggling chats answers each a little later.
pub fn officers_for_places(places: u32, places_per_officer: u32) -> u32 {
    places.div_ceil(places_per_officer.clamp(1, MAX_CAPACITY))
}

/// One hour of the staffing plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HourPlan {
    /// The offered load, in Erlangs.
    pub load: f64,
    /// The places (chats held at once) needed to meet the target.
    pub places: u32,
    /// The officers who provide those places.
    pub officers: u32,
    /// The share answered within the target wait with that many places.
    pub service_level: f64,
    /// The share of those places that is busy.
    pub occupancy: f64,
}

/// The plan of one hour: places and officers needed, and the service level and occupancy
/// those places give.
pub fn plan_hour(demand: Demand, target: ServiceTarget, places_per_officer: u32) -> HourPlan {
    let places = officers_needed(demand, target);
    HourPlan {
        load: demand.load(),
        places,
        officers: officers_for_places(places, places_per_officer),
        service_level: service_level(places, demand, target.within_seconds),
        occupancy: occupancy(places, demand.load()),
    }
}

/// The plan of a week: for each hour of the week (Monday 00:00 first), the places and officers
/// needed, from that hour's mean arrivals and handling time over the weeks observed.
pub fn plan_week(
    demand: &[Demand; HOURS_PER_WEEK],
    target: ServiceTarget,
    places_per_officer: u32,
) -> [HourPlan; HOURS_PER_WEEK] {
    std::array::from_fn(|hour| plan_hour(demand[hour], target, places_per_officer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn demand(arrivals_per_hour: f64, aht_minutes: f64) -> Demand {
        Demand::new(arrivals_per_hour, aht_minutes).unwrap()
    }

    /// An independent Erlang C by its textbook formula with factorials, exact enough in f64
    /// for the small N of the published examples.
    fn erlang_c_by_factorials(n: u32, a: f64) -> f64 {
        let mut term = 1.0; // a^k / k!
        let mut sum = 0.0;
        for k in 0..n {
            sum += term;
            term *= a / f64::from(k + 1);
        }
        let top = term * f64::from(n) / (f64::from(n) - a);
        top / (sum + top)
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn ten_erlangs_on_eleven_places_wait_with_published_probability_0_6821() {
        let c = erlang_c(11, 10.0);
        assert!(close(c, 0.6821, 1e-4), "{c}");
        assert!(close(c, erlang_c_by_factorials(11, 10.0), 1e-12));
    }

    #[test]
    fn two_erlangs_on_three_places_wait_with_probability_four_ninths() {
        assert!(close(erlang_c(3, 2.0), 4.0 / 9.0, 1e-12));
    }

    #[test]
    fn erlang_b_of_one_place_is_a_over_one_plus_a() {
        assert!(close(erlang_b(1, 3.0), 0.75, 1e-12));
        assert!(close(erlang_b(0, 3.0), 1.0, 0.0));
    }

    /// The classic call-centre example: 100 calls per half hour (200 an hour), 3 minutes each
    /// (10 Erlangs), 80 % within 20 s. 13 agents give 79.6 %, so 14 are needed (88.8 %).
    #[test]
    fn classic_call_centre_example_needs_fourteen_agents_for_80_percent_in_20_seconds() {
        let d = demand(200.0, 3.0);
        assert!(close(d.load(), 10.0, 1e-12));
        let published = [
            (11, 0.6821, 0.3896),
            (12, 0.4494, 0.6402),
            (13, 0.2853, 0.7956),
        ];
        for (n, wait, level) in published {
            assert!(close(erlang_c(n, 10.0), wait, 1e-4), "C({n})");
            assert!(close(service_level(n, d, 20.0), level, 1e-4), "SL({n})");
        }
        assert!(close(service_level(14, d, 20.0), 0.8884, 1e-4));
        let target = ServiceTarget::new(0.8, 20.0).unwrap();
        assert_eq!(officers_needed(d, target), 14);
        // Mean wait of all calls with 14 agents: 0.1741 · 180 s / 4 ≈ 7.8 s.
        assert!(close(mean_wait(14, d).unwrap(), 7.836, 1e-3));
        assert!(close(occupancy(14, d.load()), 10.0 / 14.0, 1e-12));
    }

    #[test]
    fn recursion_agrees_with_the_factorial_formula_on_small_systems() {
        for n in 1..=30 {
            for tenth in 1..(n * 10) {
                let a = f64::from(tenth) / 10.0;
                let ours = erlang_c(n, a);
                let theirs = erlang_c_by_factorials(n, a);
                assert!(close(ours, theirs, 1e-9), "C({n}, {a}): {ours} vs {theirs}");
            }
        }
    }

    #[test]
    fn loads_of_hundreds_of_erlangs_give_finite_probabilities_without_overflow() {
        // 171! overflows an f64; the recursion does not care.
        for (n, a) in [(200, 180.0), (400, 380.0), (1000, 990.0), (5000, 4950.0)] {
            let c = erlang_c(n, a);
            assert!(
                c.is_finite() && (0.0..=1.0).contains(&c),
                "C({n}, {a}) = {c}"
            );
        }
        let d = demand(6000.0, 3.0); // 300 Erlangs
        let n = officers_needed(d, ServiceTarget::default());
        assert!(n > 300 && n < 340, "{n}");
        assert!(service_level(n, d, 60.0) >= 0.8);
        assert!(service_level(n - 1, d, 60.0) < 0.8);
    }

    #[test]
    fn no_arrivals_need_no_officer() {
        let target = ServiceTarget::default();
        assert_eq!(officers_needed(Demand::NONE, target), 0);
        assert_eq!(officers_needed(demand(0.0, 12.0), target), 0);
        assert_eq!(service_level(0, Demand::NONE, 60.0), 1.0);
        assert_eq!(mean_wait(0, Demand::NONE), Some(0.0));
        assert_eq!(erlang_c(0, 0.0), 0.0);
        assert_eq!(occupancy(0, 0.0), 0.0);
        let plan = plan_hour(Demand::NONE, target, 3);
        assert_eq!((plan.places, plan.officers), (0, 0));
    }

    #[test]
    fn a_load_at_or_above_the_officers_answers_nobody_in_time_and_has_no_finite_wait() {
        let d = demand(60.0, 20.0); // 20 Erlangs
        for n in [0, 1, 19, 20] {
            assert_eq!(erlang_c(n, d.load()), 1.0);
            assert_eq!(service_level(n, d, 60.0), 0.0);
            assert_eq!(mean_wait(n, d), None);
            assert_eq!(occupancy(n, d.load()), 1.0);
        }
        assert!(mean_wait(21, d).is_some());
    }

    #[test]
    fn the_default_target_is_80_percent_within_60_seconds() {
        let t = ServiceTarget::default();
        assert_eq!((t.share(), t.within_seconds()), (0.8, 60.0));
        assert_eq!(t.to_string(), "80 % within 60 s");
    }

    /// One chat an hour of 20 minutes is a third of an Erlang, yet one place alone makes a
    /// third of the chats wait (M/M/1: P(wait) = ρ), and only 68 % are answered within 60 s.
    #[test]
    fn one_chat_an_hour_needs_two_places_to_answer_80_percent_within_a_minute() {
        let d = demand(1.0, 20.0);
        assert!(close(erlang_c(1, d.load()), 1.0 / 3.0, 1e-12));
        assert!(close(service_level(1, d, 60.0), 0.6776, 1e-4));
        let plan = plan_hour(d, ServiceTarget::default(), 1);
        assert_eq!(plan.places, 2);
        assert!(plan.service_level >= 0.8);
    }

    #[test]
    fn inputs_that_are_not_numbers_of_chats_or_minutes_are_refused() {
        assert_eq!(Demand::new(-1.0, 5.0), Err(StaffingError::Arrivals(-1.0)));
        assert!(matches!(
            Demand::new(f64::NAN, 5.0),
            Err(StaffingError::Arrivals(_))
        ));
        assert_eq!(Demand::new(3.0, 0.0), Err(StaffingError::HandlingTime(0.0)));
        assert!(matches!(
            Demand::new(3.0, f64::INFINITY),
            Err(StaffingError::HandlingTime(_))
        ));
        assert!(matches!(
            Demand::new(1e9, 60.0),
            Err(StaffingError::Load(_))
        ));
        assert_eq!(
            ServiceTarget::new(1.0, 60.0),
            Err(StaffingError::Share(1.0))
        );
        assert_eq!(
            ServiceTarget::new(0.0, 60.0),
            Err(StaffingError::Share(0.0))
        );
        assert_eq!(
            ServiceTarget::new(0.8, -1.0),
            Err(StaffingError::Wait(-1.0))
        );
        assert!(ServiceTarget::new(0.8, 0.0).is_ok());
    }

    #[test]
    fn a_week_plan_staffs_each_hour_from_its_own_demand() {
        let mut week = [Demand::NONE; HOURS_PER_WEEK];
        week[0] = demand(200.0, 3.0); // Monday 00:00, the classic example
        week[HOURS_PER_WEEK - 1] = demand(2.0, 30.0); // Sunday 23:00, 1 Erlang
        let plan = plan_week(&week, ServiceTarget::new(0.8, 20.0).unwrap(), 1);
        assert_eq!(plan[0].places, 14);
        assert!(plan[HOURS_PER_WEEK - 1].places >= 2);
        assert!(plan[1..HOURS_PER_WEEK - 1].iter().all(|h| h.places == 0));
        assert!(plan.iter().all(|h| h.places == 0 || h.service_level >= 0.8));
    }

    #[test]
    fn officers_holding_several_chats_provide_several_places_rounded_up() {
        assert_eq!(officers_for_places(14, 3), 5);
        assert_eq!(officers_for_places(15, 3), 5);
        assert_eq!(officers_for_places(0, 3), 0);
        assert_eq!(officers_for_places(7, 0), 7, "a capacity of 0 counts as 1");
        let plan = plan_hour(
            demand(200.0, 3.0),
            ServiceTarget::new(0.8, 20.0).unwrap(),
            4,
        );
        assert_eq!((plan.places, plan.officers), (14, 4));
    }

    fn any_demand() -> impl Strategy<Value = Demand> {
        (0.0..2000.0f64, 0.5..90.0f64).prop_map(|(l, m)| demand(l, m))
    }

    proptest! {
        #[test]
        fn more_officers_never_lower_the_service_level(
            d in any_demand(), n in 0u32..400, t in 0.0..600.0f64,
        ) {
            prop_assert!(service_level(n + 1, d, t) >= service_level(n, d, t));
        }

        #[test]
        fn more_officers_never_raise_the_probability_of_waiting(
            a in 0.0..500.0f64, n in 0u32..600,
        ) {
            prop_assert!(erlang_c(n + 1, a) <= erlang_c(n, a));
        }

        #[test]
        fn a_longer_target_wait_never_lowers_the_service_level(
            d in any_demand(), n in 0u32..400, t in 0.0..600.0f64, more in 0.0..600.0f64,
        ) {
            prop_assert!(service_level(n, d, t + more) >= service_level(n, d, t));
        }

        #[test]
        fn the_officers_needed_are_the_fewest_that_meet_the_target_and_exceed_the_load(
            d in any_demand(), share in 0.05..0.99f64, t in 0.0..300.0f64,
        ) {
            let target = ServiceTarget::new(share, t).unwrap();
            let n = officers_needed(d, target);
            if d.load() == 0.0 {
                prop_assert_eq!(n, 0);
            } else {
                prop_assert!(f64::from(n) > d.load());
                prop_assert!(service_level(n, d, t) >= share);
                prop_assert!(service_level(n - 1, d, t) < share);
            }
        }

        #[test]
        fn probabilities_stay_between_zero_and_one(a in 0.0..5000.0f64, n in 0u32..6000) {
            let b = erlang_b(n, a);
            let c = erlang_c(n, a);
            prop_assert!((0.0..=1.0).contains(&b));
            prop_assert!((0.0..=1.0).contains(&c));
            prop_assert!(c >= b - 1e-12, "a chat that would be blocked waits in Erlang C");
        }
    }
}
