//! How many messages the server takes at once: beyond what it can answer quickly, a new one is
//! refused at once (`overloaded`, with when to send it again) rather than queued behind the
//! others (docs/PERFORMANCE.md, issue 23 target 2).
//!
//! A message is *in flight* from the moment its socket hands it over until its sender has its
//! answer (the ack, or why not): waiting for the session's writer, for the message writer, for
//! its commit. By Little's law the time a message spends in flight is the number in flight
//! divided by the rate they are answered at. The gate measures that rate (answers per second,
//! smoothed over about a second) and lets in at most `rate × wait` messages at once, and never
//! fewer than `floor`: a server answering 8,000 messages a second with a `wait` of 50 ms takes
//! 400 at once, so none waits much longer than 50 ms inside it; a quiet one takes `floor`
//! however slow its last second was, so a burst after a calm is never refused.
//!
//! A stall is not an overload: the disk may take 80 ms for one commit now and then, or a
//! checkpoint hold the writer, and the messages that arrive meanwhile pile up over the limit
//! for a moment. Refused, each would come back half a second later; waited for, it is written
//! tens of milliseconds late. So the gate refuses only once more than the limit have been in
//! flight for [`GRACE`] (up to [`BURST`] times the limit meanwhile), and goes on refusing until
//! fewer than half the limit are left: a standing queue, not a passing one.
//!
//! The count starts when a socket hands a message over; before that, a frame may wait in the
//! socket and for a turn on the CPU, which the count does not see. When the cores are full,
//! that wait is what grows: a probe task asks to wake every [`PROBE_EVERY`] and measures how
//! late it runs. While it runs more than [`LAG_LIMIT`] late, the limit shrinks by a quarter
//! each tick (down to [`LOWEST`]); once it is on time again, it grows back by a tenth of the
//! measured limit each tick. The refusals then leave the CPU to the messages taken.
//!
//! Under overload the excess costs the server a refusal (a frame read and one written) instead
//! of a message stored, encrypted, delivered and receipted: the refusals leave the CPU and the
//! disk to the messages taken, whose latency stays bounded, and memory with them (at most
//! `ceiling` messages in flight, each at most 4,000 characters).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the answer rate is measured again (it is smoothed over about ten of these).
const TICK: Duration = Duration::from_millis(100);
/// The weight of the last tick in the smoothed rate.
const SMOOTHING: f64 = 0.2;
/// How long more than the limit may be in flight before new messages are refused.
const GRACE: Duration = Duration::from_millis(100);
/// Meanwhile, at most this many times the limit (and never more than the ceiling).
const BURST: usize = 4;
/// How often the probe asks to wake.
const PROBE_EVERY: Duration = Duration::from_millis(10);
/// Later than this, the runtime is saturated: frames wait for the CPU before the gate sees them.
const LAG_LIMIT: Duration = Duration::from_millis(10);
/// The limit never shrinks under this many messages.
const LOWEST: usize = 16;
/// Retries are asked to wait at least this long, and at most [`RETRY_MAX`] (before jitter).
/// Every refused message comes back, and a refusal costs a frame read and one written: under
/// overload, refused messages retried every tenth of a second were two refusals for each
/// message taken, and took the CPU the taken ones needed (docs/PERFORMANCE.md). Half a second
/// is short for a person, long for a server.
const RETRY_MIN: Duration = Duration::from_millis(500);
const RETRY_MAX: Duration = Duration::from_secs(2);

/// The gate's settings (`[limits]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateSettings {
    /// How long a message should wait inside the server at most, under load.
    pub wait: Duration,
    /// Messages always taken at once, whatever the measured rate.
    pub floor: usize,
    /// Messages never exceeded in flight, whatever the measured rate.
    pub ceiling: usize,
}

impl Default for GateSettings {
    fn default() -> Self {
        GateSettings {
            wait: Duration::from_millis(50),
            floor: 256,
            ceiling: 8192,
        }
    }
}

/// Admits messages while the server can answer them within [`GateSettings::wait`].
#[derive(Debug, Clone)]
pub struct MessageGate {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: GateSettings,
    in_flight: AtomicUsize,
    /// Answers given since the gate was made.
    answered: AtomicU64,
    /// The probe's latest wake since the last tick, in µs (see [`MessageGate::spawn_probe`]).
    lag_us: AtomicU64,
    measure: Mutex<Measure>,
}

#[derive(Debug)]
struct Measure {
    /// When the current tick began, and the answers counted then.
    since: Instant,
    answered_then: u64,
    /// Answers per second, smoothed.
    rate: f64,
    /// Messages admitted at once now.
    limit: usize,
    /// The share of the measured limit let in, lowered while the runtime is saturated.
    share: f64,
    /// Since when more than the limit have been in flight, until fewer than half are.
    over_since: Option<Instant>,
}

/// A message admitted: it counts as in flight until this is dropped, once its sender has its
/// answer.
#[derive(Debug)]
pub struct Permit {
    inner: Arc<Inner>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.inner.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.inner.answered.fetch_add(1, Ordering::Relaxed);
    }
}

/// A message refused because too many wait already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overloaded {
    /// When the sender should send it again: about the time the messages in flight take to be
    /// answered, spread a little so that the refused do not all come back at the same instant.
    pub retry_after: Duration,
}

impl MessageGate {
    /// A gate with these settings; `floor` and `ceiling` are at least 1 and in order.
    pub fn new(settings: GateSettings) -> MessageGate {
        let floor = settings.floor.max(1);
        let settings = GateSettings {
            floor,
            ceiling: settings.ceiling.max(floor),
            ..settings
        };
        MessageGate {
            inner: Arc::new(Inner {
                settings,
                in_flight: AtomicUsize::new(0),
                answered: AtomicU64::new(0),
                lag_us: AtomicU64::new(0),
                measure: Mutex::new(Measure {
                    since: Instant::now(),
                    answered_then: 0,
                    rate: 0.0,
                    limit: floor,
                    share: 1.0,
                    over_since: None,
                }),
            }),
        }
    }

    /// Starts the task that measures how late the runtime runs what is ready (on the runtime
    /// of the caller); it stops when the last handle on the gate is dropped.
    pub fn spawn_probe(&self) {
        let inner = std::sync::Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            loop {
                let asked = Instant::now();
                tokio::time::sleep(PROBE_EVERY).await;
                let Some(inner) = inner.upgrade() else {
                    return;
                };
                let late = asked.elapsed().saturating_sub(PROBE_EVERY);
                inner
                    .lag_us
                    .fetch_max(late.as_micros() as u64, Ordering::Relaxed);
            }
        });
    }

    /// Takes a message now, or says when to send it again.
    pub fn admit(&self) -> Result<Permit, Overloaded> {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Result<Permit, Overloaded> {
        let mut m = self.inner.measure.lock().expect("gate");
        self.measure(&mut m, now);
        // Under the lock: admissions are decided one at a time (answers only ever lower the
        // count meanwhile).
        let waiting = self.inner.in_flight.load(Ordering::Acquire);
        let burst = (m.limit * BURST).min(self.inner.settings.ceiling.max(m.limit));
        let room = if waiting < m.limit {
            if waiting < m.limit / 2 {
                m.over_since = None;
            }
            true
        } else {
            let since = *m.over_since.get_or_insert(now);
            now.saturating_duration_since(since) < GRACE && waiting < burst
        };
        if room {
            self.inner.in_flight.fetch_add(1, Ordering::AcqRel);
            return Ok(Permit {
                inner: self.inner.clone(),
            });
        }
        // Counted with the other refusals when it is answered (`ecoute_errors_total`).
        Err(Overloaded {
            retry_after: retry_after(waiting, m.rate, rand::random::<f64>()),
        })
    }

    /// Messages in flight now.
    #[cfg(test)]
    fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::Acquire)
    }

    /// Messages admitted at once now, as last measured.
    #[cfg(test)]
    fn limit(&self) -> usize {
        self.inner.measure.lock().expect("gate").limit
    }

    /// The limit and rate, measured again when a tick has passed.
    fn measure(&self, m: &mut Measure, now: Instant) {
        let elapsed = now.saturating_duration_since(m.since);
        if elapsed >= TICK {
            let answered = self.inner.answered.load(Ordering::Relaxed);
            let this_tick = (answered - m.answered_then) as f64 / elapsed.as_secs_f64();
            // A long silence is many ticks without answers: the old rate fades accordingly.
            let ticks = (elapsed.as_secs_f64() / TICK.as_secs_f64()).min(50.0);
            let kept = (1.0 - SMOOTHING).powf(ticks);
            m.rate = m.rate * kept + this_tick * (1.0 - kept);
            m.since = now;
            m.answered_then = answered;
            let lag = Duration::from_micros(self.inner.lag_us.swap(0, Ordering::Relaxed));
            m.share = if lag > LAG_LIMIT {
                (m.share * 0.75).max(0.01)
            } else {
                (m.share + 0.1).min(1.0)
            };
            let measured = limit_for(m.rate, self.inner.settings);
            m.limit = ((measured as f64 * m.share) as usize).max(LOWEST.min(measured));
            crate::metrics::gate_limit(m.limit);
        }
    }
}

/// Messages taken at once when they are answered at `rate` a second.
fn limit_for(rate: f64, s: GateSettings) -> usize {
    let by_rate = (rate * s.wait.as_secs_f64()).floor();
    let by_rate = if by_rate.is_finite() && by_rate > 0.0 {
        by_rate as usize
    } else {
        0
    };
    by_rate.clamp(s.floor, s.ceiling)
}

/// How long a refused sender waits: what `waiting` messages take at `rate` a second, within
/// [`RETRY_MIN`, `RETRY_MAX`], then stretched by up to half again (`spread` in [0, 1)).
fn retry_after(waiting: usize, rate: f64, spread: f64) -> Duration {
    let drain = if rate > 0.0 {
        Duration::from_secs_f64((waiting as f64 / rate).min(RETRY_MAX.as_secs_f64()))
    } else {
        RETRY_MAX
    };
    drain
        .clamp(RETRY_MIN, RETRY_MAX)
        .mul_f64(1.0 + spread.clamp(0.0, 1.0) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(floor: usize, ceiling: usize) -> GateSettings {
        GateSettings {
            wait: Duration::from_millis(50),
            floor,
            ceiling,
        }
    }

    #[test]
    fn a_passing_stall_is_waited_out_up_to_four_times_the_limit_then_refused() {
        let gate = MessageGate::new(settings(3, 100));
        let start = Instant::now();
        let mut permits: Vec<_> = (0..12).map(|_| gate.admit_at(start).unwrap()).collect();
        assert!(
            gate.admit_at(start).is_err(),
            "four times the limit at most"
        );
        assert_eq!(gate.in_flight(), 12);
        permits.truncate(4);
        assert!(
            gate.admit_at(start + GRACE / 2).is_ok(),
            "still within the grace"
        );
        let refused = gate.admit_at(start + GRACE).unwrap_err();
        assert!(refused.retry_after >= RETRY_MIN);
        assert!(refused.retry_after <= RETRY_MAX.mul_f64(1.5));
        drop(permits);
        assert_eq!(gate.in_flight(), 0);
        assert!(gate.admit_at(start + GRACE).is_ok(), "answers make room");
    }

    #[test]
    fn a_standing_queue_is_refused_until_it_falls_under_half_the_limit() {
        let gate = MessageGate::new(settings(10, 100));
        let t = Instant::now();
        let mut permits: Vec<_> = (0..11).map(|_| gate.admit_at(t).unwrap()).collect();
        let later = t + GRACE * 2;
        assert!(
            gate.admit_at(later).is_err(),
            "over the limit past the grace"
        );
        permits.truncate(9);
        // Under the limit again: taken, but the queue still stands (over half the limit).
        assert!(gate.admit_at(later).map(|p| permits.push(p)).is_ok());
        assert!(
            gate.admit_at(later).is_err(),
            "at the limit, and no new grace"
        );
        permits.truncate(4);
        assert!(gate.admit_at(later).map(|p| permits.push(p)).is_ok());
        // The queue fell under half: the next passing excess gets its grace again.
        permits.extend((0..5).map(|_| gate.admit_at(later).unwrap()));
        assert_eq!(gate.in_flight(), 10);
        assert!(gate.admit_at(later).is_ok(), "a new grace");
    }

    #[test]
    fn the_limit_follows_the_answer_rate_times_the_wait_within_floor_and_ceiling() {
        let s = settings(10, 1000);
        assert_eq!(limit_for(0.0, s), 10);
        assert_eq!(limit_for(100.0, s), 10, "5 by rate: the floor holds");
        assert_eq!(limit_for(8_000.0, s), 400);
        assert_eq!(limit_for(1e9, s), 1000);
        assert_eq!(limit_for(f64::NAN, s), 10);
    }

    #[test]
    fn a_gate_answering_fast_takes_more_at_once_and_less_once_it_slows() {
        let gate = MessageGate::new(settings(4, 10_000));
        let mut now = Instant::now();
        // Two seconds of 10,000 answers a second.
        for _ in 0..20 {
            for _ in 0..1000 {
                drop(gate.admit_at(now).unwrap());
            }
            now += TICK;
        }
        gate.admit_at(now).map(drop).unwrap();
        let fast = gate.limit();
        assert!(
            (400..=500).contains(&fast),
            "about 10,000/s × 50 ms, got {fast}"
        );
        // Then a second of 100 answers a second.
        for _ in 0..10 {
            for _ in 0..10 {
                drop(gate.admit_at(now).unwrap());
            }
            now += TICK;
        }
        gate.admit_at(now).map(drop).unwrap();
        assert!(gate.limit() < fast / 4, "{} after slowing", gate.limit());
        // And after a long silence, only the floor.
        now += Duration::from_secs(30);
        gate.admit_at(now).map(drop).unwrap();
        assert_eq!(gate.limit(), 4);
    }

    #[test]
    fn a_refused_sender_waits_about_the_time_the_messages_ahead_take_spread_by_half() {
        // 800 ahead at 1,000 a second: 0.8 s, then up to half again.
        let low = retry_after(800, 1000.0, 0.0);
        let high = retry_after(800, 1000.0, 0.999);
        assert_eq!(low, Duration::from_millis(800));
        assert!(high > Duration::from_millis(1190) && high <= Duration::from_millis(1200));
        assert_eq!(retry_after(1, 1e6, 0.0), RETRY_MIN);
        assert_eq!(retry_after(10, 0.0, 0.0), RETRY_MAX);
        assert_eq!(retry_after(1_000_000, 10.0, 1.0), RETRY_MAX.mul_f64(1.5));
    }

    #[test]
    fn a_saturated_runtime_shrinks_the_limit_and_an_idle_one_lets_it_grow_back() {
        let gate = MessageGate::new(settings(200, 10_000));
        let mut now = Instant::now();
        let mut tick = |gate: &MessageGate, lag: Duration| {
            now += TICK;
            gate.inner
                .lag_us
                .store(lag.as_micros() as u64, Ordering::Relaxed);
            gate.admit_at(now).map(drop).unwrap();
        };
        tick(&gate, Duration::ZERO);
        assert_eq!(gate.limit(), 200);
        for _ in 0..3 {
            tick(&gate, LAG_LIMIT * 3);
        }
        // 200 × 0.75³
        assert_eq!(gate.limit(), 84);
        for _ in 0..30 {
            tick(&gate, LAG_LIMIT * 3);
        }
        assert_eq!(gate.limit(), LOWEST, "never under the lowest");
        for _ in 0..10 {
            tick(&gate, LAG_LIMIT / 2);
        }
        assert_eq!(gate.limit(), 200, "back to the measured limit");
    }

    #[tokio::test]
    async fn the_probe_reads_how_late_the_runtime_runs_it() {
        let gate = MessageGate::new(settings(200, 10_000));
        gate.spawn_probe();
        tokio::time::sleep(PROBE_EVERY * 3).await;
        // A task that holds the (single-threaded) runtime for 60 ms makes the probe late.
        std::thread::sleep(Duration::from_millis(60));
        tokio::time::sleep(PROBE_EVERY * 2).await;
        let lag = Duration::from_micros(gate.inner.lag_us.load(Ordering::Relaxed));
        assert!(lag >= Duration::from_millis(40), "{lag:?}");
    }

    #[test]
    fn permits_taken_from_many_threads_never_exceed_the_limit() {
        let gate = MessageGate::new(settings(64, 64));
        let held = Arc::new(Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (gate, held) = (gate.clone(), held.clone());
                std::thread::spawn(move || {
                    for _ in 0..100 {
                        if let Ok(p) = gate.admit() {
                            held.lock().unwrap().push(p);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(held.lock().unwrap().len(), 64);
        assert_eq!(gate.in_flight(), 64);
    }
}
