//! The wait estimate's error on a simulated day, against the estimate it replaces.
//!
//! Run: `cargo nextest run -p ecoute-domain --test wait_simulation --no-capture`
//! (deterministic: the same seeds give the same figures on any machine).
//!
//! # The simulated day
//!
//! - **Arrivals**: a Poisson process whose rate changes by the hour ([`ARRIVALS_PER_HOUR`]:
//!   1 an hour at night, up to 10 in the evening; 121 chats a day), drawn by thinning.
//! - **Handling times**: log-normal, median 20 min, σ = 0.6 (mean ≈ 24 min; one chat in
//!   twenty lasts more than 53 min).
//! - **Officers**: [`OFFICERS_PER_HOUR`] on shift each hour (none from 02:00 to 06:00), two
//!   places each. An officer going off shift takes no new chat and finishes theirs. Officers on
//!   shift also come and go: each minute, one not paused takes a break with probability 1/90,
//!   for 5 to 20 minutes (uniform).
//! - **Serving**: one queue, first come first served; a chat is taken the second a place is
//!   free with an officer on shift and not on a break. Nobody gives up; the day runs on (with
//!   the next day's officers) until every chat of the day was taken.
//! - **The estimate** is taken when the chat joins the queue, as the waiting room shows it
//!   first, and compared with the wait the chat actually had.
//!
//! The two estimates:
//! - *before* (`ChatService::estimated_wait_secs` up to this change): the mean interval between
//!   the last 20 claims (3 at least, else 180 s), bounded to 15–1800 s, times the position;
//!   at most 2 h. It gives a number even when no officer is there.
//! - *after* ([`ecoute_domain::estimate_wait`]): the officers available now, their free
//!   places, the mean of the last 20 handling times; `NoOneAvailable` when nobody is available.

use ecoute_domain::{
    OfficerLoad, Presence, Skills, UserId, WaitEstimate, estimate_wait, handling_secs,
};
use std::collections::VecDeque;

/// Chats per hour, from 00:00.
const ARRIVALS_PER_HOUR: [f64; 24] = [
    2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 7.0, 8.0, 9.0,
    10.0, 10.0, 9.0, 6.0, 5.0,
];
/// Officers on shift, from 00:00.
const OFFICERS_PER_HOUR: [usize; 24] = [
    1, 1, 0, 0, 0, 0, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 3, 2, 1,
];
const CAPACITY: u32 = 2;
const MEDIAN_HANDLING_SECS: f64 = 1200.0;
const SIGMA: f64 = 0.6;
const DAY: u64 = 86_400;

/// splitmix64: small, fast and good enough for a simulation.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
}

struct Officer {
    /// When each chat in hand ends.
    chats: Vec<u64>,
    on_break_until: u64,
}

/// What one chat saw: the two estimates at arrival and its actual wait.
struct Seen {
    before: u64,
    after: WaitEstimate,
    actual: u64,
}

/// The estimate before this change, from the claim times (oldest first) and the position.
fn before(claims: &VecDeque<u64>, position: usize) -> u64 {
    let per_place = match (claims.front(), claims.back()) {
        (Some(first), Some(last)) if claims.len() >= 3 => {
            ((last - first) / (claims.len() as u64 - 1)).clamp(15, 1800)
        }
        _ => 180,
    };
    (per_place * position as u64).min(7200)
}

fn simulate_day(seed: u64) -> Vec<Seen> {
    let mut rng = Rng(seed);
    let max_rate = ARRIVALS_PER_HOUR.iter().cloned().fold(0.0, f64::max) / 3600.0;
    // The day's arrivals, by thinning a Poisson process at the highest rate.
    let mut arrivals = VecDeque::new();
    let mut t = 0.0;
    loop {
        t += rng.exponential(max_rate);
        if t >= DAY as f64 {
            break;
        }
        let rate = ARRIVALS_PER_HOUR[(t as u64 / 3600) as usize] / 3600.0;
        if rng.uniform() < rate / max_rate {
            arrivals.push_back(t.ceil() as u64);
        }
    }
    let total = arrivals.len();
    let most = OFFICERS_PER_HOUR.iter().copied().max().unwrap();
    let mut officers: Vec<Officer> = (0..most)
        .map(|_| Officer {
            chats: Vec::new(),
            on_break_until: 0,
        })
        .collect();
    let ids: Vec<UserId> = (0..most).map(|_| UserId::new()).collect();
    // (arrival, index into `seen`)
    let mut queue: VecDeque<(u64, usize)> = VecDeque::new();
    let mut seen: Vec<Seen> = Vec::with_capacity(total);
    let mut claims: VecDeque<u64> = VecDeque::new();
    let mut handled: VecDeque<f64> = VecDeque::new();
    // Chats in hand: (end, duration); a duration is known once the chat ended.
    let mut ending: Vec<(u64, f64)> = Vec::new();
    let mut served = 0;
    let mut now = 0u64;
    while served < total {
        let on_shift = OFFICERS_PER_HOUR[((now % DAY) / 3600) as usize];
        // Chats that end now.
        for o in officers.iter_mut() {
            o.chats.retain(|&end| end > now);
        }
        ending.sort_by_key(|(end, _)| *end);
        while ending.first().is_some_and(|(end, _)| *end <= now) {
            let (_, duration) = ending.remove(0);
            handled.push_back(duration);
            if handled.len() > 20 {
                handled.pop_front();
            }
        }
        // Breaks, decided once a minute.
        if now.is_multiple_of(60) {
            for o in officers.iter_mut().take(on_shift) {
                if o.on_break_until <= now && rng.uniform() < 1.0 / 90.0 {
                    o.on_break_until = now + 300 + (rng.uniform() * 900.0) as u64;
                }
            }
        }
        let available = |o: &Officer, i: usize| i < on_shift && o.on_break_until <= now;
        // Arrivals now: both estimates, as the waiting room would show them.
        while arrivals.front().is_some_and(|&a| a <= now) {
            let at = arrivals.pop_front().unwrap();
            let position = queue.len() + 1;
            let loads: Vec<OfficerLoad> = officers
                .iter()
                .enumerate()
                .filter(|(i, o)| available(o, *i))
                .map(|(i, o)| OfficerLoad {
                    id: ids[i],
                    skills: Skills::default(),
                    capacity: CAPACITY,
                    open: o.chats.len() as u32,
                    presence: Presence::Available,
                    last_assigned: None,
                    over_exposure: false,
                })
                .collect();
            seen.push(Seen {
                before: before(&claims, position),
                after: estimate_wait(position, &loads, handling_secs(handled.make_contiguous())),
                actual: 0,
            });
            queue.push_back((at, seen.len() - 1));
        }
        // Free places take the first in line.
        for (i, o) in officers.iter_mut().enumerate() {
            if !(i < on_shift && o.on_break_until <= now) {
                continue;
            }
            while o.chats.len() < CAPACITY as usize {
                let Some((at, index)) = queue.pop_front() else {
                    break;
                };
                let duration = rng.log_normal(MEDIAN_HANDLING_SECS, SIGMA).max(60.0);
                o.chats.push(now + duration as u64);
                ending.push((now + duration as u64, duration));
                seen[index].actual = now - at;
                claims.push_back(now);
                if claims.len() > 20 {
                    claims.pop_front();
                }
                served += 1;
            }
        }
        now += 1;
    }
    seen
}

fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

struct Figures {
    chats: usize,
    with_number: usize,
    before: (u64, u64),
    after: (u64, u64),
    no_one: usize,
    no_one_before: (u64, u64),
    no_one_actual: (u64, u64),
    waited: usize,
    waited_before: (u64, u64),
    waited_after: (u64, u64),
}

fn figures(days: &[Vec<Seen>]) -> Figures {
    let all: Vec<&Seen> = days.iter().flatten().collect();
    let mut before_err = Vec::new();
    let mut after_err = Vec::new();
    let mut no_one_before = Vec::new();
    let mut waited_before = Vec::new();
    let mut waited_after = Vec::new();
    let mut no_one_actual = Vec::new();
    for s in &all {
        match s.after {
            WaitEstimate::Seconds(after) => {
                before_err.push(s.before.abs_diff(s.actual));
                after_err.push(after.abs_diff(s.actual));
                if s.actual >= 60 {
                    waited_before.push(s.before.abs_diff(s.actual));
                    waited_after.push(after.abs_diff(s.actual));
                }
            }
            WaitEstimate::NoOneAvailable => {
                no_one_before.push(s.before.abs_diff(s.actual));
                no_one_actual.push(s.actual);
            }
        }
    }
    for v in [
        &mut before_err,
        &mut after_err,
        &mut no_one_before,
        &mut no_one_actual,
        &mut waited_before,
        &mut waited_after,
    ] {
        v.sort_unstable();
    }
    let mq = |v: &[u64]| (quantile(v, 0.5), quantile(v, 0.9));
    Figures {
        chats: all.len(),
        with_number: before_err.len(),
        before: mq(&before_err),
        after: mq(&after_err),
        no_one: no_one_before.len(),
        no_one_before: mq(&no_one_before),
        no_one_actual: mq(&no_one_actual),
        waited: waited_before.len(),
        waited_before: mq(&waited_before),
        waited_after: mq(&waited_after),
    }
}

fn print(label: &str, f: &Figures) {
    println!(
        "{label}: {} chats; {} with a number from the new estimate: |estimate − actual| \
         median / p90: before {} s / {} s, after {} s / {} s; {} told no one is available \
         (actual wait median / p90 {} s / {} s; the old estimate was off by {} s / {} s for them)",
        f.chats,
        f.with_number,
        f.before.0,
        f.before.1,
        f.after.0,
        f.after.1,
        f.no_one,
        f.no_one_actual.0,
        f.no_one_actual.1,
        f.no_one_before.0,
        f.no_one_before.1,
    );
    println!(
        "{label}, of those with a number the {} that waited a minute or more: median / p90: \
         before {} s / {} s, after {} s / {} s",
        f.waited, f.waited_before.0, f.waited_before.1, f.waited_after.0, f.waited_after.1,
    );
}

#[test]
fn the_wait_estimate_error_on_a_simulated_day() {
    let one = figures(&[simulate_day(1)]);
    print("one day (seed 1)", &one);
    let month: Vec<Vec<Seen>> = (1..=30).map(simulate_day).collect();
    let month = figures(&month);
    print("30 days (seeds 1-30)", &month);
    assert!(one.chats > 80, "the day has its arrivals");
    assert!(one.no_one > 0, "the night without officers is told so");
}
