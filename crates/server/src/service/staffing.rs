//! The staffing plan (docs/STAFFING.md): for each hour of the week, the officers needed to
//! answer the target share of chats within the target wait, from the demand the statistics
//! record measured over the last weeks, against the officers the presence history saw. And the
//! presence history itself: one sample a minute of the officers available, kept without a name.
//!
//! Only supervisors and administrators read the plan. Reading it is not audited: it holds
//! counts of chats and of officers, nothing about a person or a conversation.

use super::*;
use crate::config::StaffingConfig;
use crate::routing::StaffView;
use ecoute_domain::{
    ChatDemand, PlanWindow, Presence, PresenceSample, ServiceTarget, StaffingPlan,
    plan_from_records,
};
use ecoute_store::StaffLoad;
use tokio::sync::watch;

/// The places (chats at once) of an account nobody changed: the `capacity` column's default.
pub const DEFAULT_PLACES_PER_OFFICER: u32 = 3;

/// How long a node waits after its start before it samples presence: long enough to have
/// heard every other live node's desk (each reports every [`crate::queue::DESK_EVERY`], and
/// is taken for gone after [`crate::queue::DESK_STALE`]). Sooner, it would see only the
/// consoles open on itself, and the first node to sample a minute is the one that counts.
pub const SAMPLE_WARM_UP: std::time::Duration = std::time::Duration::from_secs(10);

/// Into each minute, when a node samples it: a second, so that nodes whose clocks differ by
/// a little still sample the same minute.
const SAMPLE_AT_SECOND: u64 = 1;

/// A plan as the pages show it, with what it was made from.
#[derive(Debug, Clone)]
pub struct StaffingReport {
    /// The weeks asked for.
    pub window: PlanWindow,
    /// The target staffed for.
    pub target: ServiceTarget,
    /// The chats an officer holds at once, as places of the model.
    pub places_per_officer: u32,
    /// The plan; `None` when no chat was recorded in those weeks (no plan is made up).
    pub plan: Option<StaffingPlan>,
}

/// Places per officer for the plan: the median capacity of the accounts that answer chats
/// (officers and supervisors; the lower of the two middle ones for an even count), or
/// [`DEFAULT_PLACES_PER_OFFICER`] when there is none. Capacity is set per account (the
/// routing's per-officer limit); the plan needs one number for all.
pub fn places_per_officer(staff: &[StaffLoad]) -> u32 {
    let mut capacities: Vec<u32> = staff
        .iter()
        .filter(|l| matches!(l.user.role, Role::Officer | Role::Supervisor))
        .map(|l| l.user.capacity)
        .collect();
    if capacities.is_empty() {
        return DEFAULT_PLACES_PER_OFFICER;
    }
    capacities.sort_unstable();
    capacities[(capacities.len() - 1) / 2].max(1)
}

/// The officers the presence history counts: those available to take chats now, at a console
/// on any node (the same people the waiting room's estimate counts; paused and offline ones
/// are not).
pub fn officers_available(staff: &StaffView) -> u32 {
    staff
        .iter()
        .filter(|o| o.presence == Presence::Available)
        .count() as u32
}

impl ChatService {
    /// The staffing plan of the `config.weeks` whole weeks before `now`'s (supervisors and
    /// administrators only).
    pub async fn staffing_plan(
        &self,
        supervisor: &User,
        config: &StaffingConfig,
        now: OffsetDateTime,
    ) -> Result<StaffingReport, ApiError> {
        if !super::supervision::supervises(supervisor.role) {
            return Err(ApiError::Forbidden);
        }
        let window = PlanWindow::before(now, config.weeks);
        let target = config.target();
        let (rows, presence, staff) = tokio::try_join!(
            self.store.statistics(window.from, window.to),
            self.store.presence_history(window.from, window.to),
            self.store.staff_loads(),
        )?;
        let places = places_per_officer(&staff);
        let rows: Vec<ChatDemand> = rows.iter().map(ChatDemand::from).collect();
        let plan = plan_from_records(window, &rows, &presence, target, places).map_err(|e| {
            tracing::error!(error = %e, "the staffing plan cannot be made from the record");
            ApiError::Internal
        })?;
        Ok(StaffingReport {
            window,
            target,
            places_per_officer: places,
            plan,
        })
    }

    /// Records the minute `now` falls in: the officers available in `staff`. `false` when
    /// another node (or an earlier sample) recorded that minute already.
    pub async fn record_presence(
        &self,
        staff: &StaffView,
        now: OffsetDateTime,
    ) -> Result<bool, ApiError> {
        let sample = PresenceSample::at(now, officers_available(staff));
        Ok(self.store.record_presence(sample).await?)
    }

    /// Samples presence once a minute until `stopping` turns true: first [`SAMPLE_WARM_UP`]
    /// after the start, then a second into each minute. Every node samples, and the first to
    /// record a minute is the one that counts (the store writes each minute once), so the
    /// history goes on while any node runs. A node cut off from the others (its NATS link
    /// down) sees only its own consoles and does not sample until it hears them again.
    pub fn spawn_presence_sampler(
        &self,
        staff: watch::Receiver<StaffView>,
        mut stopping: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let chat = self.clone();
        tokio::spawn(async move {
            let mut next = tokio::time::Instant::now() + SAMPLE_WARM_UP;
            loop {
                tokio::select! {
                    _ = stopping.wait_for(|stop| *stop) => return,
                    () = tokio::time::sleep_until(next) => {}
                }
                let now = OffsetDateTime::now_utc();
                let deaf = chat.bus.bridge_status().is_some_and(|s| !s.connected);
                if !deaf {
                    let view = staff.borrow().clone();
                    if let Err(e) = chat.record_presence(&view, now).await {
                        tracing::warn!(error = ?e, "cannot record this minute's presence");
                    }
                }
                next = tokio::time::Instant::now() + until_next_sample(now);
            }
        })
    }
}

/// From `now` to [`SAMPLE_AT_SECOND`] into the next minute.
fn until_next_sample(now: OffsetDateTime) -> std::time::Duration {
    let into_minute = std::time::Duration::new(u64::from(now.second()), now.nanosecond());
    std::time::Duration::from_secs(60 + SAMPLE_AT_SECOND).saturating_sub(into_minute)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecoute_domain::{OfficerLoad, Skills, UserId};
    use std::sync::Arc;
    use time::macros::datetime;

    fn load(role: Role, capacity: u32) -> StaffLoad {
        StaffLoad {
            user: User {
                id: UserId::new(),
                username: "u".into(),
                display_name: "U".into(),
                role,
                unit: None,
                totp_enrolled: true,
                skills: Skills::default(),
                capacity,
            },
            open: 0,
            last_assigned: None,
        }
    }

    #[test]
    fn places_per_officer_are_the_median_capacity_of_those_who_answer_chats() {
        assert_eq!(places_per_officer(&[]), DEFAULT_PLACES_PER_OFFICER);
        assert_eq!(
            places_per_officer(&[load(Role::Admin, 9), load(Role::Unit, 1)]),
            DEFAULT_PLACES_PER_OFFICER,
            "administrators and units answer no chat"
        );
        let staff = [
            load(Role::Officer, 2),
            load(Role::Officer, 5),
            load(Role::Supervisor, 4),
            load(Role::Admin, 20),
        ];
        assert_eq!(places_per_officer(&staff), 4);
        assert_eq!(
            places_per_officer(&[load(Role::Officer, 2), load(Role::Officer, 6)]),
            2,
            "the lower middle of an even count"
        );
    }

    #[test]
    fn only_officers_available_at_a_console_are_counted_present() {
        let officer = |presence| OfficerLoad {
            id: UserId::new(),
            skills: Skills::default(),
            capacity: 3,
            open: 0,
            presence,
            last_assigned: None,
            over_exposure: false,
        };
        let view: StaffView = Arc::new(vec![
            officer(Presence::Available),
            officer(Presence::Paused),
            officer(Presence::Offline),
            officer(Presence::Available),
        ]);
        assert_eq!(officers_available(&view), 2);
    }

    #[test]
    fn each_sample_falls_one_second_into_the_next_minute() {
        let d = |at| until_next_sample(at).as_millis();
        assert_eq!(d(datetime!(2026-02-02 10:00:00 UTC)), 61_000);
        assert_eq!(d(datetime!(2026-02-02 10:00:01 UTC)), 60_000);
        assert_eq!(d(datetime!(2026-02-02 10:00:59.5 UTC)), 1_500);
    }
}
