//! The waiting room's estimate: how long until an officer who may answer this chat takes it,
//! or the plain fact that no such officer is available now.
//!
//! # The model
//!
//! Only the officers who could take the chat count: present, available (not paused, not
//! offline), and whose skills cover its needs (force, minors, language) — or any available
//! officer once the chat has waited its overflow period ([`may_serve`]). Call them the
//! *serving officers*. If there is none, or none of them has any place at all, the answer is
//! [`WaitEstimate::NoOneAvailable`]: no number can be honest then, because the wait depends on
//! someone arriving, not on a queue moving.
//!
//! Otherwise, let `C` be their places in all (the sum of their capacities), `F` their free
//! places now, `H` the mean handling time of recent chats, and `k` the chat's place (1 =
//! next) among the waiting chats the serving officers could take ([`place_among`]): chats
//! that only other officers may answer do not stand in its way.
//!
//! - `k ≤ F`: a free place is waiting for it; the estimate is 0 (the offer or the claim).
//! - `k > F`: `k − F` places must free up first. While the chat waits every place is busy,
//!   and each frees after a handling time, so places free at the rate `C / H`; the estimate is
//!   `(k − F) · H / C`. With exponential handling times this is exactly the mean wait of the
//!   `k`-th in line in an M/M/C queue (the mean of an Erlang(k − F, C/H) variable).
//!
//! `H` is the mean (not the median) of the last [`HANDLING_SAMPLE`] chat durations, each
//! bounded to [`MAX_HANDLING_SECS`]: places free at the rate of one per *mean* duration, and
//! the median of a skewed (log-normal) duration underestimates it. Until
//! [`MIN_HANDLING_SAMPLES`] durations have been seen, [`DEFAULT_HANDLING_SECS`] stands in.
//! The result is bounded to [`MAX_ESTIMATE_SECS`].
//!
//! What it does not know: officers who will arrive or leave, chats given back to the queue,
//! danger chats that will jump ahead, people ahead who will give up. The error this leaves is
//! measured on a simulated day in `crates/domain/tests/wait_simulation.rs` (docs/PERFORMANCE.md).

use crate::ConversationId;
use crate::routing::{Need, OfficerLoad, Presence, QueuedChat, may_serve, queue_order};
use time::OffsetDateTime;

/// How many recent chat durations the handling time is taken from.
pub const HANDLING_SAMPLE: usize = 20;
/// Fewer durations than this and the default handling time is used.
pub const MIN_HANDLING_SAMPLES: usize = 3;
/// The handling time assumed before enough chats have ended: 20 minutes.
pub const DEFAULT_HANDLING_SECS: f64 = 1200.0;
/// A chat duration counts for at most two hours (a chat left open overnight says nothing).
pub const MAX_HANDLING_SECS: f64 = 7200.0;
/// No estimate above two hours is given.
pub const MAX_ESTIMATE_SECS: u64 = 7200;

/// What the waiting room is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEstimate {
    /// About this many seconds.
    Seconds(u64),
    /// No officer who may answer this chat is available now (none present, or all paused).
    NoOneAvailable,
}

/// The handling time, in seconds, from recent chat durations (oldest first): the mean of the
/// last [`HANDLING_SAMPLE`], each bounded to [`MAX_HANDLING_SECS`];
/// [`DEFAULT_HANDLING_SECS`] with fewer than [`MIN_HANDLING_SAMPLES`].
pub fn handling_secs(recent: &[f64]) -> f64 {
    let recent = &recent[recent.len().saturating_sub(HANDLING_SAMPLE)..];
    let usable: Vec<f64> = recent
        .iter()
        .filter(|d| d.is_finite() && **d >= 0.0)
        .map(|d| d.min(MAX_HANDLING_SECS))
        .collect();
    if usable.len() < MIN_HANDLING_SAMPLES {
        return DEFAULT_HANDLING_SECS;
    }
    (usable.iter().sum::<f64>() / usable.len() as f64).max(1.0)
}

/// The officers who could take a chat with `need` now: available, and skilled for it (any
/// officer once `open_to_all`).
pub fn serving<'a>(
    officers: &'a [OfficerLoad],
    need: &'a Need,
    open_to_all: bool,
) -> impl Iterator<Item = &'a OfficerLoad> + 'a {
    officers.iter().filter(move |o| {
        o.presence == Presence::Available && may_serve(&o.skills, need, open_to_all)
    })
}

/// The chat's place (1 = next) among the waiting chats that its serving officers could take,
/// in queue order. `None` when the chat is not in `queue`.
pub fn place_among(
    me: ConversationId,
    queue: &[QueuedChat],
    officers: &[OfficerLoad],
    now: OffsetDateTime,
) -> Option<usize> {
    let mine = queue.iter().find(|c| c.id == me)?;
    let servers: Vec<&OfficerLoad> = serving(officers, &mine.need, mine.open_to_all(now)).collect();
    let ahead = queue
        .iter()
        .filter(|c| queue_order(c, mine).is_lt())
        .map(|c| (&c.need, c.open_to_all(now)));
    Some(place_behind(ahead, &servers))
}

/// The place (1 = next) of a chat behind the chats `ahead` of it (their needs, and whether
/// their overflow period is over), counting only those that one of `servers` could take.
pub fn place_behind<'a>(
    ahead: impl IntoIterator<Item = (&'a Need, bool)>,
    servers: &[&OfficerLoad],
) -> usize {
    if servers.is_empty() {
        return 1;
    }
    1 + ahead
        .into_iter()
        .filter(|(need, open_to_all)| {
            servers
                .iter()
                .any(|o| may_serve(&o.skills, need, *open_to_all))
        })
        .count()
}

/// The estimate for the chat at `place` (1 = next) among those its serving officers could
/// take, given those officers (already filtered by [`serving`]) and the handling time in
/// seconds. See the module's documentation for the model.
pub fn estimate_wait<'a>(
    place: usize,
    serving: impl IntoIterator<Item = &'a OfficerLoad>,
    handling_secs: f64,
) -> WaitEstimate {
    let (places, free) = serving.into_iter().fold((0u64, 0u64), |(c, f), o| {
        (
            c + u64::from(o.capacity),
            f + u64::from(o.capacity.saturating_sub(o.open)),
        )
    });
    if places == 0 {
        return WaitEstimate::NoOneAvailable;
    }
    let place = place.max(1) as u64;
    if place <= free {
        return WaitEstimate::Seconds(0);
    }
    let handling = if handling_secs.is_finite() && handling_secs > 0.0 {
        handling_secs
    } else {
        DEFAULT_HANDLING_SECS
    };
    let secs = (place - free) as f64 * handling / places as f64;
    WaitEstimate::Seconds((secs.round() as u64).min(MAX_ESTIMATE_SECS))
}

/// The whole estimate for one waiting chat: its serving officers, its place among the chats
/// they could take, and the wait. `None` when the chat is not in `queue`.
pub fn estimate_for(
    me: ConversationId,
    queue: &[QueuedChat],
    officers: &[OfficerLoad],
    handling_secs: f64,
    now: OffsetDateTime,
) -> Option<WaitEstimate> {
    let mine = queue.iter().find(|c| c.id == me)?;
    let place = place_among(me, queue, officers, now)?;
    Some(estimate_wait(
        place,
        serving(officers, &mine.need, mine.open_to_all(now)),
        handling_secs,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;
    use crate::routing::{Force, Language, Priority, Skills};
    use time::Duration;

    fn t0() -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::days(20_000)
    }

    fn officer(skills: Skills, capacity: u32, open: u32, presence: Presence) -> OfficerLoad {
        OfficerLoad {
            id: UserId::new(),
            skills,
            capacity,
            open,
            presence,
            last_assigned: None,
            over_exposure: false,
        }
    }

    fn need(minor: bool) -> Need {
        Need {
            force: Some(Force::Police),
            minor,
            language: Language::french(),
        }
    }

    fn chat(need: Need, waited_secs: i64) -> QueuedChat {
        let since = t0() - Duration::seconds(waited_secs);
        QueuedChat {
            id: ConversationId::new(),
            need,
            priority: Priority::Normal,
            waiting_since: since,
            open_to_all_at: since + Duration::seconds(300),
        }
    }

    fn minors() -> Skills {
        Skills {
            minors: true,
            ..Skills::default()
        }
    }

    #[test]
    fn nobody_present_is_no_one_available() {
        let q = [chat(need(false), 10)];
        assert_eq!(
            estimate_for(q[0].id, &q, &[], 600.0, t0()),
            Some(WaitEstimate::NoOneAvailable)
        );
    }

    #[test]
    fn paused_or_offline_officers_are_no_one_available() {
        let q = [chat(need(false), 10)];
        let staff = [
            officer(Skills::default(), 2, 0, Presence::Paused),
            officer(Skills::default(), 2, 0, Presence::Offline),
        ];
        assert_eq!(
            estimate_for(q[0].id, &q, &staff, 600.0, t0()),
            Some(WaitEstimate::NoOneAvailable)
        );
    }

    #[test]
    fn officers_without_the_skills_are_no_one_available_until_the_overflow() {
        let minor = chat(need(true), 10);
        let staff = [officer(Skills::default(), 2, 0, Presence::Available)];
        assert_eq!(
            estimate_for(minor.id, std::slice::from_ref(&minor), &staff, 600.0, t0()),
            Some(WaitEstimate::NoOneAvailable)
        );
        // Past its overflow period, any officer may take it.
        let overflowed = chat(need(true), 400);
        assert_eq!(
            estimate_for(
                overflowed.id,
                std::slice::from_ref(&overflowed),
                &staff,
                600.0,
                t0()
            ),
            Some(WaitEstimate::Seconds(0))
        );
    }

    #[test]
    fn an_officer_with_a_zero_capacity_is_no_place() {
        let staff = [officer(Skills::default(), 0, 0, Presence::Available)];
        assert_eq!(
            estimate_wait(1, &staff, 600.0),
            WaitEstimate::NoOneAvailable
        );
    }

    #[test]
    fn a_free_place_means_no_wait() {
        let staff = [officer(Skills::default(), 3, 1, Presence::Available)];
        assert_eq!(estimate_wait(1, &staff, 600.0), WaitEstimate::Seconds(0));
        assert_eq!(estimate_wait(2, &staff, 600.0), WaitEstimate::Seconds(0));
    }

    #[test]
    fn places_free_at_capacity_over_handling_time() {
        // Two officers, 2 places each, all busy: a place frees every 600 / 4 = 150 s.
        let staff = [
            officer(Skills::default(), 2, 2, Presence::Available),
            officer(Skills::default(), 2, 2, Presence::Available),
        ];
        assert_eq!(estimate_wait(1, &staff, 600.0), WaitEstimate::Seconds(150));
        assert_eq!(estimate_wait(3, &staff, 600.0), WaitEstimate::Seconds(450));
        // One free place serves the first; the third waits for two to free.
        let staff = [
            officer(Skills::default(), 2, 1, Presence::Available),
            officer(Skills::default(), 2, 2, Presence::Available),
        ];
        assert_eq!(estimate_wait(3, &staff, 600.0), WaitEstimate::Seconds(300));
    }

    #[test]
    fn the_estimate_is_bounded() {
        let staff = [officer(Skills::default(), 1, 1, Presence::Available)];
        assert_eq!(
            estimate_wait(1000, &staff, 3600.0),
            WaitEstimate::Seconds(MAX_ESTIMATE_SECS)
        );
        assert_eq!(
            estimate_wait(1, &staff, f64::NAN),
            WaitEstimate::Seconds(DEFAULT_HANDLING_SECS as u64)
        );
    }

    #[test]
    fn chats_others_answer_do_not_stand_in_the_way() {
        // Two adults' chats ahead, then a minor's: the officer trained for minors is the only
        // one who may take it and could take the adults' too; the adults' officer cannot take
        // the minor's.
        let a = chat(need(false), 100);
        let b = chat(need(false), 90);
        let m = chat(need(true), 80);
        let q = [a.clone(), b.clone(), m.clone()];
        let trained = officer(minors(), 1, 1, Presence::Available);
        let adults = officer(Skills::default(), 1, 1, Presence::Available);
        let staff = [trained.clone(), adults.clone()];
        assert_eq!(place_among(m.id, &q, &staff, t0()), Some(3));
        // With only the adults’ officer, an adult’s chat has the other adult’s ahead of it.
        let a_only = [adults];
        assert_eq!(place_among(b.id, &q, &a_only, t0()), Some(2));
        // Ahead of the minor's chat only the chats its trained officer could take count; a
        // Gendarmerie chat a police officer may not take is not ahead.
        let gendarmerie = chat(
            Need {
                force: Some(Force::Gendarmerie),
                ..need(false)
            },
            200,
        );
        let police_minors = officer(
            Skills {
                force: Some(Force::Police),
                ..minors()
            },
            1,
            1,
            Presence::Available,
        );
        let q = [gendarmerie, m.clone()];
        assert_eq!(place_among(m.id, &q, &[police_minors], t0()), Some(1));
        assert_eq!(place_among(ConversationId::new(), &q, &[], t0()), None);
    }

    #[test]
    fn handling_time_is_the_mean_of_recent_durations() {
        assert_eq!(handling_secs(&[]), DEFAULT_HANDLING_SECS);
        assert_eq!(handling_secs(&[100.0, 200.0]), DEFAULT_HANDLING_SECS);
        assert_eq!(handling_secs(&[100.0, 200.0, 600.0]), 300.0);
        // Only the last HANDLING_SAMPLE count, each bounded.
        let mut recent = vec![1.0e9; 5];
        recent.extend(std::iter::repeat_n(600.0, HANDLING_SAMPLE));
        assert_eq!(handling_secs(&recent), 600.0);
        assert_eq!(handling_secs(&[1.0e9, 1.0e9, 1.0e9]), MAX_HANDLING_SECS);
        assert_eq!(
            handling_secs(&[f64::NAN, -1.0, 60.0]),
            DEFAULT_HANDLING_SECS
        );
    }
}
