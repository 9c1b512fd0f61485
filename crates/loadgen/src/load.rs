//! The measured part: sockets held by tasks, a pacing thread that says when each message is due,
//! and the accounting of what was acknowledged and delivered.

use crate::report::{Quantiles, Report, histogram, scrape};
use crate::setup::{self, Socket, Sources, Target, VisitorId};
use crate::{Args, Scenario};
use anyhow::{Context, bail};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde::Deserialize;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

const ACKED: u8 = 1;
const DELIVERED: u8 = 2;
/// After the last message is due, the run waits for stragglers while they keep arriving: it
/// stops once nothing new was acknowledged or delivered for this long (or at DRAIN_MAX). Only
/// then is a message that was acknowledged and never delivered counted as lost.
const DRAIN: Duration = Duration::from_secs(5);
const DRAIN_MAX: Duration = Duration::from_secs(120);
/// Ramp: the pause before each step that narrows the knee down.
const SETTLE: Duration = Duration::from_secs(2);
/// Sockets say `ping` this often, as the pages do, so that idle ones stay open.
const PING_EVERY: Duration = Duration::from_secs(20);
/// Setup work (starts, connections, logins) in flight at once.
const SETUP_PARALLEL: usize = 32;

/// Microseconds since the run began.
#[derive(Clone, Copy)]
struct Clock(Instant);

impl Clock {
    fn now_us(self) -> u64 {
        self.0.elapsed().as_micros() as u64
    }
}

/// One step of traffic: what each of its messages became, and the latencies.
struct Step {
    /// First message number of the step.
    base: u64,
    flags: Vec<AtomicU8>,
    duplicated: AtomicU64,
    errors: AtomicU64,
    /// When the last delivery of the step arrived (µs on the run's clock).
    last_delivery_us: AtomicU64,
    latencies: Mutex<Latencies>,
}

struct Latencies {
    v2o: Histogram<u64>,
    o2v: Histogram<u64>,
    ack: Histogram<u64>,
}

impl Step {
    fn new(base: u64, capacity: u64) -> Step {
        Step {
            base,
            flags: (0..capacity).map(|_| AtomicU8::new(0)).collect(),
            duplicated: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            last_delivery_us: AtomicU64::new(0),
            latencies: Mutex::new(Latencies {
                v2o: histogram(),
                o2v: histogram(),
                ack: histogram(),
            }),
        }
    }

    fn slot(&self, k: u64) -> Option<&AtomicU8> {
        k.checked_sub(self.base)
            .and_then(|i| self.flags.get(i as usize))
    }

    fn acked(&self, k: u64, latency_us: u64) {
        if let Some(f) = self.slot(k) {
            f.fetch_or(ACKED, Ordering::Relaxed);
            let mut l = self.latencies.lock().expect("latencies");
            let _ = l.ack.record(latency_us.max(1));
        }
    }

    fn delivered(&self, k: u64, latency_us: u64, to_officer: bool, now_us: u64) {
        if let Some(f) = self.slot(k) {
            self.last_delivery_us.fetch_max(now_us, Ordering::Relaxed);
            if f.fetch_or(DELIVERED, Ordering::Relaxed) & DELIVERED != 0 {
                self.duplicated.fetch_add(1, Ordering::Relaxed);
                return;
            }
            let mut l = self.latencies.lock().expect("latencies");
            let h = if to_officer { &mut l.v2o } else { &mut l.o2v };
            let _ = h.record(latency_us.max(1));
        }
    }

    fn counts(&self, sent: u64) -> (u64, u64, u64, u64) {
        let mut acked = 0;
        let mut delivered = 0;
        let mut lost = 0;
        for f in self.flags.iter().take(sent as usize) {
            let f = f.load(Ordering::Relaxed);
            acked += u64::from(f & ACKED != 0);
            delivered += u64::from(f & DELIVERED != 0);
            lost += u64::from(f & ACKED != 0 && f & DELIVERED == 0);
        }
        (acked, delivered, lost, sent - acked)
    }
}

/// What every socket task shares: the clock, the current step, the conversation ids.
struct Shared {
    clock: Clock,
    step: RwLock<Arc<Step>>,
    conversations: Vec<String>,
    claimed: AtomicU64,
    claim_errors: AtomicU64,
}

impl Shared {
    fn step(&self) -> Arc<Step> {
        self.step.read().expect("step").clone()
    }
}

/// A message to send now: its number, when it was due, its conversation.
#[derive(Clone, Copy)]
struct Due {
    k: u64,
    due_us: u64,
    conversation: usize,
}

/// What a socket task is asked to do.
enum Cmd {
    Send(Due),
    /// Officers: take this chat (its index).
    Claim(usize),
}

/// The frames the generator reads; everything else is skipped.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    client_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    author: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    body: Option<Cow<'a, str>>,
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default, borrow)]
    conversation_id: Option<Cow<'a, str>>,
}

/// How long the visitor's page waits after the officer's last message before it says how far
/// it received and read (visitor.js, `scheduleMarks`).
const VISITOR_MARKS_AFTER: Duration = Duration::from_millis(300);

/// The `marks` frame a page sends: everything up to `seq` received and read.
fn marks_frame(conversation: Option<&str>, seq: u64) -> String {
    match conversation {
        Some(id) => format!(
            r#"{{"type":"marks","conversation_id":"{id}","received_seq":{seq},"read_seq":{seq}}}"#
        ),
        None => format!(r#"{{"type":"marks","received_seq":{seq},"read_seq":{seq}}}"#),
    }
}

/// `m{k}-{due}` → (k, due).
fn parse_client_id(id: &str) -> Option<(u64, u64)> {
    let (k, due) = id.strip_prefix('m')?.split_once('-')?;
    Some((k.parse().ok()?, due.parse().ok()?))
}

/// `lg {k} {due}` → (k, due).
fn parse_body(body: &str) -> Option<(u64, u64)> {
    let mut parts = body.strip_prefix("lg ")?.split(' ');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// One side's socket: sends what the pacer hands it, records what it receives.
async fn socket_task(
    ws: Socket,
    officer: bool,
    mut due: mpsc::UnboundedReceiver<Cmd>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    open: Arc<AtomicU64>,
    marks: bool,
) {
    let (mut sink, mut stream): (SplitSink<Socket, Message>, SplitStream<Socket>) = ws.split();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    open.fetch_add(1, Ordering::Relaxed);
    // Receipts, as the pages send them: the console at once for each visitor message, the
    // visitor's page once the officer's messages pause. The visitor's pending receipt:
    const NEVER: Duration = Duration::from_secs(86_400);
    let visitor_marks = tokio::time::sleep(NEVER);
    tokio::pin!(visitor_marks);
    let mut visitor_seq: Option<u64> = None;
    loop {
        tokio::select! {
            cmd = due.recv() => {
                let d = match cmd {
                    Some(Cmd::Send(d)) => d,
                    Some(Cmd::Claim(i)) => {
                        let frame = format!(
                            r#"{{"type":"claim","conversation_id":"{}"}}"#,
                            shared.conversations[i]
                        );
                        if sink.send(Message::text(frame)).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    None => break,
                };
                let frame = if officer {
                    format!(
                        r#"{{"type":"send","conversation_id":"{}","client_id":"m{}-{}","body":"lg {} {}"}}"#,
                        shared.conversations[d.conversation], d.k, d.due_us, d.k, d.due_us
                    )
                } else {
                    format!(
                        r#"{{"type":"send","client_id":"m{}-{}","body":"lg {} {}"}}"#,
                        d.k, d.due_us, d.k, d.due_us
                    )
                };
                if sink.send(Message::text(frame)).await.is_err() {
                    break;
                }
            }
            incoming = stream.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => continue,
                };
                let now = shared.clock.now_us();
                let Ok(frame) = serde_json::from_str::<Frame>(&text) else { continue };
                match frame.kind.as_ref() {
                    "ack" => {
                        if let Some((k, due)) = frame.client_id.as_deref().and_then(parse_client_id) {
                            shared.step().acked(k, now.saturating_sub(due));
                        }
                    }
                    "message" => {
                        let theirs = if officer { "visitor" } else { "officer" };
                        if frame.author.as_deref() != Some(theirs) {
                            continue;
                        }
                        if let Some((k, due)) = frame.body.as_deref().and_then(parse_body) {
                            shared.step().delivered(k, now.saturating_sub(due), officer, now);
                        }
                        match (marks, officer, frame.seq) {
                            (true, true, Some(seq)) => {
                                let frame = marks_frame(frame.conversation_id.as_deref(), seq);
                                if sink.send(Message::text(frame)).await.is_err() {
                                    break;
                                }
                            }
                            (true, false, Some(seq)) => {
                                visitor_seq = Some(visitor_seq.unwrap_or(0).max(seq));
                                visitor_marks
                                    .as_mut()
                                    .reset(tokio::time::Instant::now() + VISITOR_MARKS_AFTER);
                            }
                            _ => {}
                        }
                    }
                    "claimed" => {
                        shared.claimed.fetch_add(1, Ordering::Relaxed);
                    }
                    "error" => {
                        shared.step().errors.fetch_add(1, Ordering::Relaxed);
                        if officer && text.contains(r#""frame":"claim""#) {
                            shared.claim_errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    _ => {}
                }
            }
            _ = &mut visitor_marks, if visitor_seq.is_some() => {
                let seq = visitor_seq.take().unwrap_or(0);
                visitor_marks.as_mut().reset(tokio::time::Instant::now() + NEVER);
                if sink.send(Message::text(marks_frame(None, seq))).await.is_err() {
                    break;
                }
            }
            _ = ping.tick() => {
                if sink.send(Message::text(r#"{"type":"ping"}"#)).await.is_err() {
                    break;
                }
            }
            _ = stop.changed() => {
                if *stop.borrow() { break; }
            }
        }
    }
    open.fetch_sub(1, Ordering::Relaxed);
    let _ = sink.close().await;
}

/// Runs `f` over `0..n` with at most SETUP_PARALLEL at once, reporting progress.
async fn in_parallel<T, F, Fut>(what: &str, n: usize, f: F) -> anyhow::Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>> + Send + 'static,
{
    let gate = Arc::new(Semaphore::new(SETUP_PARALLEL));
    let started = Instant::now();
    let mut handles = Vec::with_capacity(n);
    for i in 0..n {
        let permit = gate.clone().acquire_owned().await?;
        let fut = f(i);
        handles.push(tokio::spawn(async move {
            let out = fut.await;
            drop(permit);
            out
        }));
    }
    let mut out = Vec::with_capacity(n);
    for (i, h) in handles.into_iter().enumerate() {
        out.push(h.await?.with_context(|| format!("{what} {i}"))?);
        if (i + 1) % 1000 == 0 || i + 1 == n {
            eprintln!(
                "{what}: {}/{n} ({:.0}/s)",
                i + 1,
                (i + 1) as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(out)
}

/// Everything a traffic run needs, set up once.
struct Rig {
    shared: Arc<Shared>,
    visitors: Vec<mpsc::UnboundedSender<Cmd>>,
    officers: Vec<mpsc::UnboundedSender<Cmd>>,
    /// Which officer holds each conversation.
    owner: Vec<usize>,
    stop: watch::Sender<bool>,
    open: Arc<AtomicU64>,
}

async fn rig(args: &Args, target: &Target) -> anyhow::Result<Rig> {
    let sources = Arc::new(Sources::new(args.sources)?);
    let n = args.visitors;
    let m = args.officers();
    let accounts = if target.relay {
        (0..m)
            .map(|i| setup::OfficerAccount {
                username: format!("relay{i}"),
                password: String::new(),
                totp: String::new(),
            })
            .collect()
    } else {
        setup::officer_accounts(args, m).await?
    };
    let t = Arc::new(target.clone());
    let officer_sockets = in_parallel("officers logged in", m, |i| {
        let (t, s, a) = (t.clone(), sources.clone(), accounts[i].clone());
        async move {
            let cookie = setup::login(&t, &s, &a).await?;
            setup::officer_socket(&t, &s, cookie.as_deref()).await
        }
    })
    .await?;
    let ids: Vec<VisitorId> = in_parallel("conversations started", n, |i| {
        let (t, s) = (t.clone(), sources.clone());
        async move { setup::start_visitor(&t, &s, i).await }
    })
    .await?;
    let visitor_sockets = in_parallel("visitors connected", n, |i| {
        let (t, s, v) = (t.clone(), sources.clone(), ids[i].clone());
        async move { setup::visitor_socket(&t, &s, &v).await }
    })
    .await?;

    // Every socket is read from now on: a socket nobody reads would fill up with queue frames
    // and be closed by the server as too slow.
    let owner: Vec<usize> = (0..n).map(|i| i % m).collect();
    let shared = Arc::new(Shared {
        clock: Clock(Instant::now()),
        step: RwLock::new(Arc::new(Step::new(0, 0))),
        conversations: ids.into_iter().map(|v| v.conversation_id).collect(),
        claimed: AtomicU64::new(0),
        claim_errors: AtomicU64::new(0),
    });
    let (stop, stop_rx) = watch::channel(false);
    let open = Arc::new(AtomicU64::new(0));
    let spawn = |ws: Socket, officer: bool| {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(socket_task(
            ws,
            officer,
            rx,
            shared.clone(),
            stop_rx.clone(),
            open.clone(),
            !args.no_marks,
        ));
        tx
    };
    let visitors: Vec<_> = visitor_sockets
        .into_iter()
        .map(|ws| spawn(ws, false))
        .collect();
    let officers: Vec<_> = officer_sockets
        .into_iter()
        .map(|ws| spawn(ws, true))
        .collect();
    // Each officer claims its share; every claim must succeed.
    for (i, o) in owner.iter().enumerate() {
        let _ = officers[*o].send(Cmd::Claim(i));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while shared.claimed.load(Ordering::Relaxed) < n as u64 {
        if shared.claim_errors.load(Ordering::Relaxed) > 0 {
            bail!("an officer could not claim a chat (see the server log)");
        }
        if Instant::now() > deadline {
            bail!(
                "only {} of {n} chats claimed after 60 s",
                shared.claimed.load(Ordering::Relaxed)
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("claimed: {n} chats by {m} officers");
    Ok(Rig {
        shared,
        visitors,
        officers,
        owner,
        stop,
        open,
    })
}

/// Sends `rate` messages a second for `duration` from a pacing thread, starting at message
/// `base`; returns how many it sent and over how long.
fn pace(rig: &Rig, base: u64, rate: f64, duration: f64) -> (u64, f64, u64) {
    let n = rig.visitors.len() as u64;
    let total = (rate * duration).round() as u64;
    let visitors = rig.visitors.clone();
    let officers = rig.officers.clone();
    let owner = rig.owner.clone();
    let clock = rig.shared.clock;
    let start_us = clock.now_us() + 1000;
    let interval_us = 1_000_000.0 / rate;
    let thread = std::thread::Builder::new()
        .name("pacer".into())
        .spawn(move || {
            let mut i = 0u64;
            while i < total {
                let now = clock.now_us();
                // Everything due by now goes at once, each stamped with when it was due.
                loop {
                    let due_us = start_us + (i as f64 * interval_us) as u64;
                    if i >= total || due_us > now {
                        break;
                    }
                    let k = base + i;
                    let conversation = (k % n) as usize;
                    let d = Due {
                        k,
                        due_us,
                        conversation,
                    };
                    // Each conversation alternates: the visitor writes, then the officer.
                    let _ = if (k / n).is_multiple_of(2) {
                        visitors[conversation].send(Cmd::Send(d))
                    } else {
                        officers[owner[conversation]].send(Cmd::Send(d))
                    };
                    i += 1;
                }
                // Sleep until the next one is due, never spin: on a small machine a spinning
                // pacer takes a whole core from the server it measures. The kernel wakes the
                // thread up to ~50 µs late (timer slack); the message is then sent late and
                // its latency, counted from when it was due, includes that.
                let next_us = start_us + (i as f64 * interval_us) as u64;
                let wait = next_us.saturating_sub(clock.now_us());
                if wait > 0 {
                    std::thread::sleep(Duration::from_micros(wait));
                }
            }
            (clock.now_us() - start_us) as f64 / 1e6
        })
        .expect("pacing thread");
    let elapsed = thread.join().expect("pacer");
    (total, elapsed.max(duration), start_us)
}

/// The server's figures now (RSS KiB, CPU s, commit batch sum and count), when its metrics
/// endpoint was given and answers.
async fn server_figures(args: &Args) -> Option<(u64, f64, f64, f64)> {
    match &args.metrics_url {
        Some(u) => scrape(u).await.ok(),
        None => None,
    }
}

/// The server's CPU between two readings, as a percentage of one core.
fn cpu_percent(
    before: Option<(u64, f64, f64, f64)>,
    after: Option<(u64, f64, f64, f64)>,
    seconds: f64,
) -> Option<f64> {
    match (before, after) {
        (Some(b), Some(a)) => Some((a.1 - b.1) / seconds * 100.0),
        _ => None,
    }
}

/// One step: traffic at `rate`, then waiting for stragglers; the figures of that step.
async fn step(args: &Args, rig: &Rig, base: u64, rate: f64, scenario: &str) -> Report {
    let capacity = (rate * args.duration).round() as u64 + 1;
    let step = Arc::new(Step::new(base, capacity));
    *rig.shared.step.write().expect("step") = step.clone();
    let before = server_figures(args).await;
    let (sent, elapsed, started_us) = {
        let rig_ref = rig;
        tokio::task::block_in_place(|| pace(rig_ref, base, rate, args.duration))
    };
    let drain_started = Instant::now();
    let mut progress = (0, 0);
    let mut last_progress = Instant::now();
    loop {
        let (acked, delivered, _, _) = step.counts(sent);
        if acked == sent && delivered == sent {
            break;
        }
        if (acked, delivered) != progress {
            progress = (acked, delivered);
            last_progress = Instant::now();
        }
        if last_progress.elapsed() > DRAIN || drain_started.elapsed() > DRAIN_MAX {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = server_figures(args).await;
    let (acked, delivered, lost, unacked) = step.counts(sent);
    // Achieved: what was delivered, over the time from the first message due to the last one
    // delivered (a server that falls behind delivers after the pacing ends).
    let last = step.last_delivery_us.load(Ordering::Relaxed);
    let delivering = (last.saturating_sub(started_us) as f64 / 1e6).max(elapsed);
    let batch = match (&before, &after) {
        (Some(b), Some(a)) if a.3 > b.3 => Some((a.2 - b.2) / (a.3 - b.3)),
        _ => None,
    };
    let l = step.latencies.lock().expect("latencies");
    let mut both = l.v2o.clone();
    both.add(&l.o2v).expect("same bounds");
    let all = Quantiles::of(&both);
    let ack = Quantiles::of(&l.ack);
    Report {
        scenario: scenario.into(),
        rate_target: rate,
        rate_achieved: delivered as f64 / delivering,
        p50_ms: all.p50_ms,
        p99_ms: all.p99_ms,
        p999_ms: all.p999_ms,
        max_ms: all.max_ms,
        ack_p50_ms: ack.p50_ms,
        ack_p99_ms: ack.p99_ms,
        visitor_to_officer: Quantiles::of(&l.v2o),
        officer_to_visitor: Quantiles::of(&l.o2v),
        ack,
        sent,
        acked,
        delivered,
        lost,
        duplicated: step.duplicated.load(Ordering::Relaxed),
        unacked,
        errors: step.errors.load(Ordering::Relaxed),
        server_rss_kib: after.map(|a| a.0),
        server_cpu_percent: cpu_percent(before, after, elapsed),
        connections: rig.open.load(Ordering::Relaxed),
        duration_s: elapsed,
        messages_per_commit: batch,
        ..Report::default()
    }
}

/// A steady rate.
pub async fn chat(args: &Args) -> anyhow::Result<Report> {
    let target = Target::server(args)?;
    let rig = rig(args, &target).await?;
    let report = step(args, &rig, 0, args.rate, "chat").await;
    let _ = rig.stop.send(true);
    Ok(report)
}

/// Steps up until the p99 passes the knee, a message is lost, or the generator cannot keep
/// the pace (achieved under 90 % of the target).
pub async fn ramp(args: &Args, target: Target) -> anyhow::Result<Report> {
    let scenario = if target.relay { "relay" } else { "ramp" };
    let rig = rig(args, &target).await?;
    let mut rate = args.rate;
    let mut base = 0;
    let mut steps: Vec<Report> = Vec::new();
    let passes = |r: &Report| {
        r.p99_ms <= args.knee_ms
            && r.lost == 0
            && r.unacked == 0
            && r.rate_achieved >= 0.9 * r.rate_target
    };
    let mut run = async |rate: f64, steps: &mut Vec<Report>| {
        let r = step(args, &rig, base, rate, scenario).await;
        base += r.sent + 1;
        eprintln!(
            "step {:.0}/s: achieved {:.0}/s, p99 {:.2} ms, lost {}",
            rate, r.rate_achieved, r.p99_ms, r.lost
        );
        let passed = passes(&r);
        steps.push(r);
        passed
    };
    // Up by the factor until a step fails…
    let mut failed = None;
    loop {
        if !run(rate, &mut steps).await {
            failed = Some(rate);
            break;
        }
        if rate * args.ramp_factor > args.max_rate {
            break;
        }
        rate *= args.ramp_factor;
    }
    // …then halve the gap between the last step that passed and the first that failed, so
    // that the knee is not under-read by up to a whole factor.
    if let Some(mut high) = failed {
        let mut low = steps
            .iter()
            .filter(|s| passes(s))
            .map(|s| s.rate_target)
            .fold(0.0, f64::max);
        for _ in 0..args.refine {
            if low <= 0.0 {
                break;
            }
            // A failed step can leave the server catching up (a long WAL, say): a pause.
            tokio::time::sleep(SETTLE).await;
            let middle = (low * high).sqrt();
            if run(middle, &mut steps).await {
                low = middle;
            } else {
                high = middle;
            }
        }
    }
    let _ = rig.stop.send(true);
    let knee = steps
        .iter()
        .filter(|s| passes(s))
        .max_by(|a, b| a.rate_target.total_cmp(&b.rate_target))
        .cloned();
    let mut report = knee.clone().unwrap_or_else(|| steps[0].clone());
    report.knee_rate = knee.map(|k| k.rate_achieved);
    report.lost = steps.iter().map(|s| s.lost).sum();
    report.duplicated = steps.iter().map(|s| s.duplicated).sum();
    report.steps = steps;
    Ok(report)
}

/// N visitors connected and idle, with the server's memory before and after.
pub async fn idle(args: &Args) -> anyhow::Result<Report> {
    let target = Target::server(args)?;
    let sources = Arc::new(Sources::new(args.sources)?);
    let t = Arc::new(target);
    let n = args.visitors;
    let ids: Vec<VisitorId> = in_parallel("conversations started", n, |i| {
        let (t, s) = (t.clone(), sources.clone());
        async move { setup::start_visitor(&t, &s, i).await }
    })
    .await?;
    // Measured once the conversations exist: what the connections themselves cost.
    let before = match &args.metrics_url {
        Some(u) => Some(scrape(u).await?),
        None => None,
    };
    let sockets = in_parallel("visitors connected", n, |i| {
        let (t, s, v) = (t.clone(), sources.clone(), ids[i].clone());
        async move { setup::visitor_socket(&t, &s, &v).await }
    })
    .await?;
    let shared = Arc::new(Shared {
        clock: Clock(Instant::now()),
        step: RwLock::new(Arc::new(Step::new(0, 0))),
        conversations: Vec::new(),
        claimed: AtomicU64::new(0),
        claim_errors: AtomicU64::new(0),
    });
    let (stop, stop_rx) = watch::channel(false);
    let open = Arc::new(AtomicU64::new(0));
    let mut senders = Vec::with_capacity(n);
    for ws in sockets {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(socket_task(
            ws,
            false,
            rx,
            shared.clone(),
            stop_rx.clone(),
            open.clone(),
            !args.no_marks,
        ));
        senders.push(tx);
    }
    eprintln!("holding {n} connections for {} s", args.duration);
    tokio::time::sleep(Duration::from_secs_f64(args.duration)).await;
    let after = match &args.metrics_url {
        Some(u) => Some(scrape(u).await?),
        None => None,
    };
    let connections = open.load(Ordering::Relaxed);
    let _ = stop.send(true);
    let errors = shared.step().errors.load(Ordering::Relaxed);
    Ok(Report {
        scenario: Scenario::Idle.name().into(),
        connections,
        errors,
        duration_s: args.duration,
        server_rss_kib: after.map(|a| a.0),
        server_cpu_percent: cpu_percent(before, after, args.duration),
        rss_per_connection_kib: match (before, after) {
            (Some(b), Some(a)) if connections > 0 => {
                Some((a.0 as f64 - b.0 as f64) / connections as f64)
            }
            _ => None,
        },
        ..Report::default()
    })
}

/// New visitors at `rate` per second: conversation started, socket opened, welcome received.
pub async fn storm(args: &Args) -> anyhow::Result<Report> {
    let target = Arc::new(Target::server(args)?);
    let sources = Arc::new(Sources::new(args.sources)?);
    let clock = Clock(Instant::now());
    let total = (args.rate * args.duration).round() as u64;
    if total == 0 {
        bail!("--rate × --duration is under one visitor");
    }
    let before = server_figures(args).await;
    let codes = async |name: &str| match &args.metrics_url {
        Some(u) => crate::report::scrape_value(u, name).await.ok(),
        None => None,
    };
    let ready_before = codes("ecoute_return_codes_ready").await;
    let hashed_before = codes("ecoute_return_codes_hashed_on_start_total").await;
    let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
    let interval_us = 1_000_000.0 / args.rate;
    let start_us = clock.now_us() + 1000;
    let pacer = std::thread::spawn(move || {
        for i in 0..total {
            let due = start_us + (i as f64 * interval_us) as u64;
            // As in `pace`: sleep, never spin; a late start is counted from when it was due.
            let wait = due.saturating_sub(clock.now_us());
            if wait > 0 {
                std::thread::sleep(Duration::from_micros(wait));
            }
            if tx.send(due).is_err() {
                break;
            }
        }
    });
    let handshakes = Arc::new(Mutex::new(histogram()));
    let welcomed = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut held = Vec::new();
    let mut tasks = Vec::new();
    let (keep_tx, mut keep_rx) = mpsc::unbounded_channel::<Socket>();
    let mut n = 0usize;
    while let Some(due) = rx.recv().await {
        let (t, s, h, w, f, keep) = (
            target.clone(),
            sources.clone(),
            handshakes.clone(),
            welcomed.clone(),
            failed.clone(),
            keep_tx.clone(),
        );
        let i = n;
        n += 1;
        tasks.push(tokio::spawn(async move {
            let outcome = async {
                let v = setup::start_visitor(&t, &s, i).await?;
                setup::visitor_socket(&t, &s, &v).await
            }
            .await;
            match outcome {
                Ok(ws) => {
                    let _ = h
                        .lock()
                        .expect("histogram")
                        .record(clock.now_us().saturating_sub(due).max(1));
                    w.fetch_add(1, Ordering::Relaxed);
                    let _ = keep.send(ws);
                }
                Err(e) => {
                    if f.fetch_add(1, Ordering::Relaxed) < 3 {
                        eprintln!("a new visitor failed: {e:#}");
                    }
                }
            }
        }));
        while let Ok(ws) = keep_rx.try_recv() {
            held.push(ws);
        }
    }
    pacer.join().expect("pacer");
    for t in tasks {
        let _ = t.await;
    }
    while let Ok(ws) = keep_rx.try_recv() {
        held.push(ws);
    }
    let elapsed = (clock.now_us() - start_us) as f64 / 1e6;
    let after = server_figures(args).await;
    let hashed_after = codes("ecoute_return_codes_hashed_on_start_total").await;
    let q = Quantiles::of(&handshakes.lock().expect("histogram"));
    let welcomed = welcomed.load(Ordering::Relaxed);
    Ok(Report {
        scenario: Scenario::Storm.name().into(),
        rate_target: args.rate,
        rate_achieved: welcomed as f64 / elapsed,
        p50_ms: q.p50_ms,
        p99_ms: q.p99_ms,
        p999_ms: q.p999_ms,
        max_ms: q.max_ms,
        sent: total,
        delivered: welcomed,
        errors: failed.load(Ordering::Relaxed),
        unacked: total - welcomed,
        connections: held.len() as u64,
        duration_s: elapsed,
        server_rss_kib: after.map(|a| a.0),
        server_cpu_percent: cpu_percent(before, after, elapsed),
        return_codes_ready_before: ready_before,
        return_codes_hashed_on_start: hashed_after.zip(hashed_before).map(|(a, b)| a - b),
        ..Report::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_numbers_and_due_times_travel_in_the_client_id_and_the_body() {
        assert_eq!(parse_client_id("m42-1234567"), Some((42, 1_234_567)));
        assert_eq!(parse_body("lg 42 1234567"), Some((42, 1_234_567)));
        assert_eq!(parse_client_id("x42-1"), None);
        assert_eq!(parse_body("hello"), None);
    }

    #[test]
    fn a_step_counts_losses_duplicates_and_unacknowledged_messages() {
        let s = Step::new(100, 4);
        s.acked(100, 10);
        s.delivered(100, 20, true, 1);
        s.delivered(100, 25, true, 2);
        s.acked(101, 10);
        s.delivered(102, 30, false, 3);
        s.acked(99, 1); // another step's: ignored
        let (acked, delivered, lost, unacked) = s.counts(4);
        assert_eq!((acked, delivered, lost, unacked), (2, 2, 1, 2));
        assert_eq!(s.duplicated.load(Ordering::Relaxed), 1);
    }
}
