//! Return codes drawn and hashed ahead of need.
//!
//! Every chat starts with a return code, kept only as an argon2id hash (issue 5): some 20 ms of
//! a core each, which bounds a 2-core node to about 55 starts a second and makes every visitor
//! wait for it. A thread that runs only when the machine has nothing else to do keeps a stock
//! of codes already hashed; a start takes one and waits for no hashing. When a surge empties
//! the stock, starts hash their own code again, as before, and the stock fills back up once the
//! surge is over.
//!
//! A code in the stock is random digits belonging to nobody yet, held in memory only and
//! gone when the process stops; once taken it is given to exactly one visitor.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// A code ready to give: its digits and their argon2id hash.
pub struct ReadyCode {
    /// The 16 digits the visitor will be shown.
    pub digits: String,
    /// Their argon2id hash, as stored.
    pub hash: String,
}

/// The stock of ready codes. Clones share it; the filling thread stops when the last clone
/// is dropped.
#[derive(Clone)]
pub struct ReadyCodes {
    shared: Arc<Shared>,
    _stopper: Option<Arc<Stopper>>,
}

struct Shared {
    ready: Mutex<Stock>,
    /// Told when the fillers must stop (they look for room on their own, every [`LOOK_AGAIN`]).
    room: Condvar,
    capacity: usize,
    stop: AtomicBool,
}

/// The codes ready, how many the fillers are hashing now, and how fast starts take codes.
#[derive(Default)]
struct Stock {
    codes: Vec<ReadyCode>,
    making: usize,
    /// Codes taken a second, as a moving average that forgets over [`TAU`], as of `rate_at`.
    take_rate: f64,
    rate_at: Option<std::time::Instant>,
}

impl Stock {
    /// Codes taken a second lately, at `now`.
    fn rate(&self, now: std::time::Instant) -> f64 {
        self.rate_at.map_or(0.0, |at| {
            let since = now.saturating_duration_since(at).as_secs_f64();
            self.take_rate * (-since / TAU.as_secs_f64()).exp()
        })
    }

    fn took(&mut self, now: std::time::Instant) {
        self.take_rate = self.rate(now) + 1.0 / TAU.as_secs_f64();
        self.rate_at = Some(now);
    }
}

/// How fast the rate of starts is forgotten.
const TAU: std::time::Duration = std::time::Duration::from_millis(500);
/// While starts take more codes than this a second, the fillers wait: during a surge they would
/// take the moments the server waits for the disk, and each hash walks through 19 MiB, pushing
/// out of the caches what the starts were using (a storm of 1,000 starts a second was slower
/// with them refilling, docs/PERFORMANCE.md). Below it, a steady trickle of starts, they refill
/// as before. After a surge of 1,000 a second they start again some 2 s later.
const SURGE: f64 = 20.0;
/// How often a waiting filler looks again.
const LOOK_AGAIN: std::time::Duration = std::time::Duration::from_millis(250);

/// Stops the filler when dropped.
struct Stopper(Arc<Shared>);

impl Drop for Stopper {
    fn drop(&mut self) {
        // Under the lock: a filler between its check of `stop` and its wait cannot miss this.
        let _ready = self.0.ready.lock().unwrap_or_else(|e| e.into_inner());
        self.0.stop.store(true, Ordering::Relaxed);
        self.0.room.notify_all();
    }
}

impl ReadyCodes {
    /// A stock of up to `capacity` codes, filled by idle-priority threads (two at most, each
    /// holding argon2id's 19 MiB block while it hashes, so that the stock is full again soon
    /// after a surge); none at all (every start hashes its own code) when `capacity` is 0.
    pub fn start(capacity: usize) -> anyhow::Result<ReadyCodes> {
        let shared = Arc::new(Shared {
            ready: Mutex::new(Stock::default()),
            room: Condvar::new(),
            capacity,
            stop: AtomicBool::new(false),
        });
        if capacity == 0 {
            return Ok(ReadyCodes {
                shared,
                _stopper: None,
            });
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        for _ in 0..threads.min(capacity) {
            let filler = shared.clone();
            std::thread::Builder::new()
                .name("ecoute-codes".into())
                .spawn(move || fill(&filler))?;
        }
        Ok(ReadyCodes {
            _stopper: Some(Arc::new(Stopper(shared.clone()))),
            shared,
        })
    }

    /// No stock: every start hashes its own code.
    pub fn none() -> ReadyCodes {
        ReadyCodes::start(0).expect("no thread to start")
    }

    /// A ready code, if the stock holds one. Never waits long: the lock is shared with threads
    /// that run only when the machine is idle, and one of them could be holding it while the
    /// machine is busy; a start that finds it taken hashes its own code.
    pub fn take(&self) -> Option<ReadyCode> {
        // A filler holds the lock only for a moment; a few tries get past that moment, unless
        // the filler was put aside while holding it.
        let mut tries = 0;
        let mut ready = loop {
            match self.shared.ready.try_lock() {
                Ok(ready) => break ready,
                Err(std::sync::TryLockError::WouldBlock) if tries < 3 => {
                    tries += 1;
                    std::thread::yield_now();
                }
                Err(std::sync::TryLockError::WouldBlock) => return None,
                Err(std::sync::TryLockError::Poisoned(e)) => break e.into_inner(),
            }
        };
        let code = ready.codes.pop();
        ready.took(std::time::Instant::now());
        let left = ready.codes.len();
        drop(ready);
        metrics::gauge!("ecoute_return_codes_ready").set(left as f64);
        // The fillers are not woken: they look again on their own every LOOK_AGAIN, so that a
        // surge of starts does not make them take the lock at each start.
        code
    }

    /// Codes in stock now.
    pub fn len(&self) -> usize {
        self.shared.ready.lock().expect("ready codes").codes.len()
    }

    /// The hashes in stock now, for tests.
    #[cfg(test)]
    pub(crate) fn hashes(&self) -> Vec<String> {
        let ready = self.shared.ready.lock().expect("ready codes");
        ready.codes.iter().map(|c| c.hash.clone()).collect()
    }

    /// Whether the stock is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A filler: hashes codes while there is room, sleeps while the stock is full (counting the
/// codes the other fillers are making, so that it never grows past its capacity) and while
/// starts are taking codes faster than [`SURGE`].
fn fill(shared: &Shared) {
    run_only_when_idle();
    loop {
        {
            let mut ready = shared.ready.lock().expect("ready codes");
            loop {
                if shared.stop.load(Ordering::Relaxed) {
                    return;
                }
                let full = ready.codes.len() + ready.making >= shared.capacity;
                if !full && ready.rate(std::time::Instant::now()) <= SURGE {
                    break;
                }
                ready = shared
                    .room
                    .wait_timeout(ready, LOOK_AGAIN)
                    .expect("ready codes")
                    .0;
            }
            ready.making += 1;
        }
        let digits = ecoute_crypto::return_code::generate_return_code();
        let hashed = crate::auth::hash_code_here(&digits);
        let mut ready = shared.ready.lock().expect("ready codes");
        ready.making -= 1;
        match hashed {
            Ok(hash) => ready.codes.push(ReadyCode { digits, hash }),
            Err(e) => {
                // Starts hash their own codes meanwhile; nothing is lost.
                tracing::error!(error = %e, "cannot hash a return code ahead; stopping");
                return;
            }
        }
        let stocked = ready.codes.len();
        drop(ready);
        metrics::gauge!("ecoute_return_codes_ready").set(stocked as f64);
    }
}

/// Asks the kernel to run this thread only when no other thread wants the CPU (Linux
/// `SCHED_IDLE`), so that hashing ahead never delays a message; if refused, the lowest
/// priority. Elsewhere the thread keeps the normal priority (lowering it there would lower the
/// whole process).
#[allow(unsafe_code)]
fn run_only_when_idle() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: changes the scheduling policy of the calling thread (pid 0) only, with a
        // valid parameter block that outlives the call.
        if unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } != 0 {
            // SAFETY: on Linux, PRIO_PROCESS with 0 sets the calling thread's nice value only.
            let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait_for(codes: &ReadyCodes, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while codes.len() < n {
            assert!(Instant::now() < deadline, "the stock did not fill up");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn the_stock_does_not_refill_during_a_surge_of_starts_and_refills_after_it() {
        let codes = ReadyCodes::start(4).unwrap();
        wait_for(&codes, 4);
        // A surge: a code asked for every 10 ms for a second (100 a second).
        let surge = Instant::now();
        let mut given = 0;
        while surge.elapsed() < Duration::from_secs(1) {
            given += usize::from(codes.take().is_some());
            std::thread::sleep(Duration::from_millis(10));
        }
        // The 4 in stock, and at most one more per filler: a hash begun in the first few
        // takes, before their rate passed SURGE. Refilling all along would have given about
        // twice as many (a hash takes some 250 ms in a test build, with two fillers).
        assert!(
            (4..=6).contains(&given),
            "{given} codes given during the surge"
        );
        wait_for(&codes, 4);
    }

    #[test]
    fn the_stock_refills_under_a_trickle_of_starts() {
        let codes = ReadyCodes::start(4).unwrap();
        wait_for(&codes, 4);
        // Three starts a second: far from a surge, the stock keeps being refilled.
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut given = 0;
        while given < 8 {
            assert!(Instant::now() < deadline, "only {given} codes given");
            given += usize::from(codes.take().is_some());
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    #[test]
    fn the_stock_fills_to_its_capacity_and_refills_after_a_code_is_taken() {
        let codes = ReadyCodes::start(3).unwrap();
        wait_for(&codes, 3);
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(codes.len(), 3, "never beyond its capacity");
        let taken = codes.take().expect("a ready code");
        assert_eq!(codes.len(), 2);
        wait_for(&codes, 3);
        // What is taken is 16 digits and an argon2id hash of exactly those digits.
        assert_eq!(taken.digits.len(), 16);
        assert!(taken.hash.starts_with("$argon2id$"));
        let hashes = vec![taken.hash.clone()];
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let found = runtime
            .block_on(crate::auth::match_code(
                taken.digits.clone(),
                hashes.clone(),
            ))
            .unwrap();
        assert_eq!(found, Some(0));
        let other = runtime
            .block_on(crate::auth::match_code("0000000000000000".into(), hashes))
            .unwrap();
        assert_eq!(other, None);
    }

    #[test]
    fn no_code_is_given_twice() {
        let codes = ReadyCodes::start(4).unwrap();
        wait_for(&codes, 4);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..4 {
            let code = codes.take().expect("a ready code");
            assert!(seen.insert(code.digits), "a code came out twice");
        }
        // The ones made after are new ones too.
        wait_for(&codes, 4);
        for _ in 0..4 {
            let code = codes.take().expect("a ready code");
            assert!(seen.insert(code.digits), "a code came out twice");
        }
    }

    #[test]
    fn the_filler_stops_when_the_last_holder_is_gone() {
        let codes = ReadyCodes::start(2).unwrap();
        let other = codes.clone();
        wait_for(&codes, 2);
        let shared = Arc::downgrade(&codes.shared);
        drop(codes);
        std::thread::sleep(Duration::from_millis(50));
        assert!(shared.upgrade().is_some(), "a clone still holds it");
        drop(other);
        let deadline = Instant::now() + Duration::from_secs(10);
        while shared.upgrade().is_some() {
            assert!(Instant::now() < deadline, "the filler thread did not stop");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn a_stock_of_zero_has_no_thread_and_never_gives_a_code() {
        let codes = ReadyCodes::none();
        std::thread::sleep(Duration::from_millis(50));
        assert!(codes.take().is_none());
        assert!(codes.is_empty());
    }
}
