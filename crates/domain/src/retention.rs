//! How long a conversation is kept, and from when it may be purged.
//!
//! French rules for this processing: a transcript is kept one year, then up to five more
//! years with restricted access when a report was forwarded to a local unit. Each outcome
//! has its own period, counted from the moment the chat was closed; an outcome without a
//! period of its own uses the policy's default. A conversation that was never closed
//! (still waiting, active, or left by the visitor and never closed by the officer) is
//! counted from its creation, so an abandoned chat cannot be kept for ever.
//!
//! Periods are maxima: once a conversation's period is over it may be purged, and the purge
//! job removes it at its next run.

use crate::{ConversationState, Outcome};
use time::{Duration, OffsetDateTime};

/// Longest period accepted, one century: longer is certainly a typing mistake, and the bound
/// keeps date arithmetic far from overflow.
pub const MAX_RETENTION_DAYS: u32 = 36_500;

/// The default period: one year.
pub const ONE_YEAR_DAYS: u32 = 365;

/// The period for forwarded reports and interventions: one year plus five years with
/// restricted access (6 × 365 days, one or two days short of six calendar years, which keeps
/// us inside the legal maximum).
pub const SIX_YEARS_DAYS: u32 = 6 * 365;

/// Why a retention setting was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    /// Not a whole number of days between 1 and [`MAX_RETENTION_DAYS`].
    #[error(
        "a retention period is a whole number of days from 1 to {MAX_RETENTION_DAYS} (got {0})"
    )]
    Days(i64),
}

/// A retention period in whole days, from 1 to [`MAX_RETENTION_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RetentionDays(u32);

impl RetentionDays {
    /// Accepts 1 to [`MAX_RETENTION_DAYS`] days. Zero is refused: it would purge a chat the
    /// moment it closes, which is never what an operator means.
    pub fn new(days: i64) -> Result<Self, RetentionError> {
        match u32::try_from(days) {
            Ok(d) if (1..=MAX_RETENTION_DAYS).contains(&d) => Ok(Self(d)),
            _ => Err(RetentionError::Days(days)),
        }
    }

    /// The number of days.
    pub fn get(self) -> u32 {
        self.0
    }

    /// The period as a duration.
    pub fn duration(self) -> Duration {
        Duration::days(i64::from(self.0))
    }
}

/// Which period applies to a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetentionRule {
    /// Closed with this outcome: counted from the closing.
    Closed(Outcome),
    /// Never closed (waiting, active, visitor left): counted from the creation.
    Unclosed,
}

impl RetentionRule {
    /// Every rule: one per outcome, in the console's order, then the one for chats never closed.
    pub fn all() -> impl Iterator<Item = RetentionRule> {
        Outcome::ALL
            .into_iter()
            .map(RetentionRule::Closed)
            .chain(std::iter::once(RetentionRule::Unclosed))
    }

    /// The rule for a conversation in this state.
    pub fn of(state: &ConversationState) -> Self {
        match *state {
            ConversationState::Closed { outcome, .. } => Self::Closed(outcome),
            ConversationState::Waiting
            | ConversationState::Active { .. }
            | ConversationState::VisitorLeft { .. } => Self::Unclosed,
        }
    }

    /// Whether the period is counted from the closing (else from the creation).
    pub fn counts_from_closing(self) -> bool {
        matches!(self, Self::Closed(_))
    }
}

/// When a conversation may be purged, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeDue {
    /// The rule that applies.
    pub rule: RetentionRule,
    /// The period of that rule.
    pub days: RetentionDays,
    /// When the period started: the closing, or the creation.
    pub counted_from: OffsetDateTime,
    /// When the period ends: from then on the conversation may be purged.
    pub at: OffsetDateTime,
}

impl PurgeDue {
    /// Whether the period is over at `now` (a conversation is due on the very instant it ends).
    pub fn is_due(&self, now: OffsetDateTime) -> bool {
        now >= self.at
    }

    /// Whole days elapsed since the period started, at `now` (0 if `now` is earlier).
    pub fn age_days(&self, now: OffsetDateTime) -> i64 {
        (now - self.counted_from).whole_days().max(0)
    }
}

/// Retention periods per outcome, a default for outcomes without their own, and one for
/// conversations never closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionPolicy {
    closed_default: RetentionDays,
    by_outcome: Vec<(Outcome, RetentionDays)>,
    unclosed: RetentionDays,
}

impl Default for RetentionPolicy {
    /// The French rules: one year, six years (1 + 5) for forwarded reports and interventions,
    /// one year from creation for chats never closed.
    fn default() -> Self {
        let year = RetentionDays(ONE_YEAR_DAYS);
        let six_years = RetentionDays(SIX_YEARS_DAYS);
        Self::new(year, year)
            .with_outcome(Outcome::ReportForwarded, six_years)
            .with_outcome(Outcome::InterventionRequested, six_years)
    }
}

impl RetentionPolicy {
    /// A policy with `closed_default` for every outcome and `unclosed` for chats never closed.
    pub fn new(closed_default: RetentionDays, unclosed: RetentionDays) -> Self {
        Self {
            closed_default,
            by_outcome: Vec::new(),
            unclosed,
        }
    }

    /// Gives `outcome` its own period (replacing any earlier one).
    pub fn with_outcome(mut self, outcome: Outcome, days: RetentionDays) -> Self {
        self.by_outcome.retain(|(o, _)| *o != outcome);
        self.by_outcome.push((outcome, days));
        self
    }

    /// Replaces the period of outcomes that have none of their own.
    pub fn with_closed_default(mut self, days: RetentionDays) -> Self {
        self.closed_default = days;
        self
    }

    /// Replaces the period of conversations never closed.
    pub fn with_unclosed(mut self, days: RetentionDays) -> Self {
        self.unclosed = days;
        self
    }

    /// The period of outcomes that have none of their own.
    pub fn closed_default(&self) -> RetentionDays {
        self.closed_default
    }

    /// The period set for `outcome` itself, if any (without falling back to the default).
    pub fn own_period(&self, outcome: Outcome) -> Option<RetentionDays> {
        self.by_outcome
            .iter()
            .find(|(o, _)| *o == outcome)
            .map(|(_, d)| *d)
    }

    /// The period a rule gives.
    pub fn days(&self, rule: RetentionRule) -> RetentionDays {
        match rule {
            RetentionRule::Closed(outcome) => {
                self.own_period(outcome).unwrap_or(self.closed_default)
            }
            RetentionRule::Unclosed => self.unclosed,
        }
    }

    /// When a conversation may be purged. A closed conversation is counted from `closed_at`;
    /// if that is missing (damaged data), from `created_at`, the earliest time known, so the
    /// conversation is never kept longer than its rule allows.
    pub fn due(
        &self,
        state: &ConversationState,
        created_at: OffsetDateTime,
        closed_at: Option<OffsetDateTime>,
    ) -> PurgeDue {
        let rule = RetentionRule::of(state);
        let counted_from = match rule {
            RetentionRule::Closed(_) => closed_at.unwrap_or(created_at),
            RetentionRule::Unclosed => created_at,
        };
        let days = self.days(rule);
        PurgeDue {
            rule,
            days,
            counted_from,
            at: counted_from.saturating_add(days.duration()),
        }
    }

    /// For one rule, the latest start of period that is over at `now`: a conversation under
    /// this rule whose period started at or before the cutoff is due. Storage backends use it
    /// to find candidates with a range scan.
    pub fn cutoff(&self, rule: RetentionRule, now: OffsetDateTime) -> OffsetDateTime {
        now.saturating_sub(self.days(rule).duration())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;
    use time::macros::datetime;

    fn officer() -> UserId {
        UserId(uuid::Uuid::from_u128(1))
    }
    fn closed(outcome: Outcome) -> ConversationState {
        ConversationState::Closed {
            outcome,
            officer: Some(officer()),
        }
    }
    fn unclosed_states() -> [ConversationState; 3] {
        [
            ConversationState::Waiting,
            ConversationState::Active { officer: officer() },
            ConversationState::VisitorLeft { officer: officer() },
        ]
    }
    fn days(d: i64) -> RetentionDays {
        RetentionDays::new(d).unwrap()
    }

    const CREATED: OffsetDateTime = datetime!(2026-01-10 09:00 UTC);
    const CLOSED: OffsetDateTime = datetime!(2026-01-10 10:00 UTC);

    #[test]
    fn by_default_a_transcript_is_kept_one_year_after_closing() {
        let policy = RetentionPolicy::default();
        for outcome in [
            Outcome::InformationGiven,
            Outcome::ReferredToSupport,
            Outcome::VisitorLeft,
        ] {
            let due = policy.due(&closed(outcome), CREATED, Some(CLOSED));
            assert_eq!(due.rule, RetentionRule::Closed(outcome));
            assert_eq!(due.days.get(), 365);
            assert_eq!(due.counted_from, CLOSED);
            assert_eq!(due.at, datetime!(2027-01-10 10:00 UTC));
        }
    }

    #[test]
    fn by_default_a_forwarded_report_or_an_intervention_is_kept_one_plus_five_years() {
        let policy = RetentionPolicy::default();
        for outcome in [Outcome::ReportForwarded, Outcome::InterventionRequested] {
            let due = policy.due(&closed(outcome), CREATED, Some(CLOSED));
            assert_eq!(due.days.get(), 2190);
            assert_eq!(due.at, CLOSED + Duration::days(2190));
        }
    }

    #[test]
    fn by_default_a_chat_never_closed_is_kept_one_year_after_its_creation() {
        let policy = RetentionPolicy::default();
        for state in unclosed_states() {
            let due = policy.due(&state, CREATED, None);
            assert_eq!(due.rule, RetentionRule::Unclosed);
            assert_eq!(due.counted_from, CREATED);
            assert_eq!(due.at, datetime!(2027-01-10 09:00 UTC));
        }
    }

    #[test]
    fn the_period_of_a_closed_chat_counts_from_its_closing_not_its_creation() {
        // A chat abandoned for months, then closed: it gets its full period after closing.
        let policy = RetentionPolicy::default();
        let created = datetime!(2025-01-01 00:00 UTC);
        let due = policy.due(
            &closed(Outcome::InformationGiven),
            created,
            Some(datetime!(2025-12-01 00:00 UTC)),
        );
        assert_eq!(due.counted_from, datetime!(2025-12-01 00:00 UTC));
        assert_eq!(due.at, datetime!(2026-12-01 00:00 UTC));
    }

    #[test]
    fn an_unclosed_chat_ignores_any_closing_time() {
        let policy = RetentionPolicy::default();
        let due = policy.due(&ConversationState::Waiting, CREATED, Some(CLOSED));
        assert_eq!(due.counted_from, CREATED);
    }

    #[test]
    fn a_closed_chat_without_a_closing_time_counts_from_its_creation() {
        let policy = RetentionPolicy::default();
        let due = policy.due(&closed(Outcome::InformationGiven), CREATED, None);
        assert_eq!(due.counted_from, CREATED);
        assert_eq!(due.at, CREATED + Duration::days(365));
    }

    #[test]
    fn a_chat_is_due_on_the_instant_its_period_ends_and_not_a_millisecond_before() {
        let policy = RetentionPolicy::new(days(30), days(10));
        let due = policy.due(&closed(Outcome::ReferredToSupport), CREATED, Some(CLOSED));
        let end = CLOSED + Duration::days(30);
        assert!(!due.is_due(end - Duration::milliseconds(1)));
        assert!(due.is_due(end));
        assert!(due.is_due(end + Duration::days(400)));
    }

    #[test]
    fn each_outcome_may_have_its_own_period() {
        let policy = RetentionPolicy::new(days(100), days(50))
            .with_outcome(Outcome::VisitorLeft, days(7))
            .with_outcome(Outcome::ReportForwarded, days(3000));
        let period = |o| policy.due(&closed(o), CREATED, Some(CLOSED)).days.get();
        assert_eq!(period(Outcome::VisitorLeft), 7);
        assert_eq!(period(Outcome::ReportForwarded), 3000);
        assert_eq!(period(Outcome::InformationGiven), 100);
        assert_eq!(
            policy
                .due(&ConversationState::Waiting, CREATED, None)
                .days
                .get(),
            50
        );
    }

    #[test]
    fn an_outcome_without_its_own_period_uses_the_default_which_can_be_changed() {
        let policy = RetentionPolicy::default().with_closed_default(days(90));
        assert_eq!(policy.own_period(Outcome::InformationGiven), None);
        assert_eq!(
            policy.days(RetentionRule::Closed(Outcome::InformationGiven)),
            days(90)
        );
        // Outcomes with their own period keep it.
        assert_eq!(
            policy.days(RetentionRule::Closed(Outcome::ReportForwarded)),
            days(2190)
        );
        // Every outcome there is, including any added later, gets a period.
        for outcome in Outcome::ALL {
            assert!(policy.days(RetentionRule::Closed(outcome)).get() >= 1);
        }
    }

    #[test]
    fn setting_an_outcome_twice_keeps_the_last_value() {
        let policy = RetentionPolicy::default()
            .with_outcome(Outcome::ReportForwarded, days(10))
            .with_outcome(Outcome::ReportForwarded, days(20));
        assert_eq!(policy.own_period(Outcome::ReportForwarded), Some(days(20)));
    }

    #[test]
    fn periods_are_whole_days_from_one_to_a_century() {
        assert_eq!(RetentionDays::new(0), Err(RetentionError::Days(0)));
        assert_eq!(RetentionDays::new(-5), Err(RetentionError::Days(-5)));
        assert_eq!(
            RetentionDays::new(36_501),
            Err(RetentionError::Days(36_501))
        );
        assert_eq!(
            RetentionDays::new(i64::MAX),
            Err(RetentionError::Days(i64::MAX))
        );
        assert_eq!(RetentionDays::new(1).unwrap().get(), 1);
        assert_eq!(RetentionDays::new(36_500).unwrap().get(), 36_500);
        assert!(
            RetentionError::Days(0)
                .to_string()
                .contains("from 1 to 36500")
        );
    }

    #[test]
    fn the_cutoff_of_a_rule_agrees_with_the_due_date_of_each_conversation() {
        let policy = RetentionPolicy::default();
        let now = datetime!(2030-06-01 12:00 UTC);
        for rule in RetentionRule::all() {
            let cutoff = policy.cutoff(rule, now);
            let state = match rule {
                RetentionRule::Closed(o) => closed(o),
                RetentionRule::Unclosed => ConversationState::Waiting,
            };
            for start in [cutoff - Duration::milliseconds(1), cutoff] {
                assert!(
                    policy.due(&state, start, Some(start)).is_due(now),
                    "{rule:?}"
                );
            }
            let late = cutoff + Duration::milliseconds(1);
            assert!(
                !policy.due(&state, late, Some(late)).is_due(now),
                "{rule:?}"
            );
        }
    }

    #[test]
    fn every_outcome_and_the_unclosed_states_have_a_rule() {
        let rules: Vec<_> = RetentionRule::all().collect();
        assert_eq!(rules.len(), Outcome::ALL.len() + 1);
        for outcome in Outcome::ALL {
            assert_eq!(
                RetentionRule::of(&closed(outcome)),
                RetentionRule::Closed(outcome)
            );
            assert!(RetentionRule::Closed(outcome).counts_from_closing());
        }
        for state in unclosed_states() {
            assert_eq!(RetentionRule::of(&state), RetentionRule::Unclosed);
        }
        assert!(!RetentionRule::Unclosed.counts_from_closing());
    }

    #[test]
    fn the_age_is_counted_in_whole_days_from_the_start_of_the_period() {
        let policy = RetentionPolicy::default();
        let due = policy.due(&closed(Outcome::InformationGiven), CREATED, Some(CLOSED));
        assert_eq!(due.age_days(CLOSED + Duration::hours(47)), 1);
        assert_eq!(due.age_days(CLOSED + Duration::days(400)), 400);
        assert_eq!(due.age_days(CLOSED - Duration::days(3)), 0);
    }

    #[test]
    fn extreme_dates_saturate_instead_of_overflowing() {
        let policy = RetentionPolicy::default();
        let far = OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT);
        let due = policy.due(&ConversationState::Waiting, far, None);
        assert!(!due.is_due(CLOSED));
        let early = OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT);
        assert!(policy.cutoff(RetentionRule::Unclosed, early) <= early);
    }
}
