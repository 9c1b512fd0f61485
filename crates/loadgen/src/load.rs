//! The measured part: sockets held by tasks, a pacing thread that says when each message is due,
//! and the accounting of what was acknowledged and delivered.

use crate::outbox::{self, Attempt, Outbox};
use crate::report::{
    Overload, Quantiles, RECOVERED_RULE, Refusals, Report, Second, histogram, recovered_after_s,
    recovery_threshold_ms, scrape,
};
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
/// Never written: its page already held `outbox::PAGE_HOLDS` messages waiting.
const NOT_WRITTEN: u8 = 4;
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

/// One step of traffic (or one phase of an overload): what each of its messages became, and
/// the latencies.
struct Step {
    /// First message number of the step.
    base: u64,
    flags: Vec<AtomicU8>,
    duplicated: AtomicU64,
    errors: AtomicU64,
    /// Refusals that invite a resend, in the order of `outbox::RETRYABLE`.
    refused: [AtomicU64; 4],
    resends: AtomicU64,
    echoes: AtomicU64,
    /// Messages of the step waiting in an outbox now (refused, or kept behind a refusal).
    held: AtomicU64,
    /// Messages of the step never written: their page already held as many as a person
    /// writes while waiting (`outbox::PAGE_HOLDS`).
    not_written: AtomicU64,
    /// When the last delivery of the step arrived (µs on the run's clock).
    last_delivery_us: AtomicU64,
    latencies: Mutex<Latencies>,
}

struct Latencies {
    v2o: Histogram<u64>,
    o2v: Histogram<u64>,
    /// From due to acknowledgement.
    ack: Histogram<u64>,
    /// From the acknowledged attempt's send to acknowledgement.
    ack_send: Histogram<u64>,
    /// From an attempt's send to its refusal.
    refusal: Histogram<u64>,
}

impl Step {
    fn new(base: u64, capacity: u64) -> Step {
        Step {
            base,
            flags: (0..capacity).map(|_| AtomicU8::new(0)).collect(),
            duplicated: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            refused: Default::default(),
            resends: AtomicU64::new(0),
            echoes: AtomicU64::new(0),
            held: AtomicU64::new(0),
            not_written: AtomicU64::new(0),
            last_delivery_us: AtomicU64::new(0),
            latencies: Mutex::new(Latencies {
                v2o: histogram(),
                o2v: histogram(),
                ack: histogram(),
                ack_send: histogram(),
                refusal: histogram(),
            }),
        }
    }

    /// Whether message `k` is one of this step's.
    fn has(&self, k: u64) -> bool {
        self.slot(k).is_some()
    }

    fn slot(&self, k: u64) -> Option<&AtomicU8> {
        k.checked_sub(self.base)
            .and_then(|i| self.flags.get(i as usize))
    }

    /// Message `k` acknowledged `latency_us` after it was due, and `from_send_us` after its
    /// acknowledged attempt was sent (when the socket's outbox knew that attempt).
    fn acked(&self, k: u64, latency_us: u64, from_send_us: Option<u64>) {
        if let Some(f) = self.slot(k) {
            f.fetch_or(ACKED, Ordering::Relaxed);
            let mut l = self.latencies.lock().expect("latencies");
            let _ = l.ack.record(latency_us.max(1));
            if let Some(us) = from_send_us {
                let _ = l.ack_send.record(us.max(1));
            }
        }
    }

    /// An attempt of message `k` refused with the code at `code` in `outbox::RETRYABLE`,
    /// `answer_us` after it was sent.
    fn refused(&self, k: u64, code: usize, answer_us: u64) {
        if self.has(k) {
            self.refused[code].fetch_add(1, Ordering::Relaxed);
            let mut l = self.latencies.lock().expect("latencies");
            let _ = l.refusal.record(answer_us.max(1));
        }
    }

    /// Counts `counter` for message `k` when it is this step's.
    fn count(&self, k: u64, counter: &AtomicU64) {
        if self.has(k) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Message `k` left an outbox's waiting messages (sent at last).
    fn not_written(&self, k: u64) {
        if let Some(f) = self.slot(k) {
            f.fetch_or(NOT_WRITTEN, Ordering::Relaxed);
            self.not_written.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn unheld(&self, k: u64) {
        if self.has(k) {
            // Saturating: a miscount must never show as billions of messages held.
            let _ = self
                .held
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |h| h.checked_sub(1));
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
        let mut not_written = 0;
        for f in self.flags.iter().take(sent as usize) {
            let f = f.load(Ordering::Relaxed);
            acked += u64::from(f & ACKED != 0);
            delivered += u64::from(f & DELIVERED != 0);
            lost += u64::from(f & ACKED != 0 && f & DELIVERED == 0);
            not_written += u64::from(f & NOT_WRITTEN != 0);
        }
        (acked, delivered, lost, sent - acked - not_written)
    }
}

/// What every socket task shares: the clock, the steps in progress, the conversation ids.
struct Shared {
    clock: Clock,
    /// The steps whose messages are counted now: one, or an overload's three phases. The
    /// last one also counts the errors that name no message.
    steps: RwLock<Vec<Arc<Step>>>,
    /// The overload's recovery, second by second.
    series: RwLock<Option<Arc<Series>>>,
    conversations: Vec<String>,
    claimed: AtomicU64,
    claim_errors: AtomicU64,
}

impl Shared {
    fn new(clock: Clock, conversations: Vec<String>) -> Shared {
        Shared {
            clock,
            steps: RwLock::new(vec![Arc::new(Step::new(0, 0))]),
            series: RwLock::new(None),
            conversations,
            claimed: AtomicU64::new(0),
            claim_errors: AtomicU64::new(0),
        }
    }

    fn set_steps(&self, steps: Vec<Arc<Step>>) {
        *self.steps.write().expect("steps") = steps;
    }

    /// The step message `k` belongs to, if it is in progress.
    fn step_of(&self, k: u64) -> Option<Arc<Step>> {
        self.steps
            .read()
            .expect("steps")
            .iter()
            .find(|s| s.has(k))
            .cloned()
    }

    fn last_step(&self) -> Arc<Step> {
        self.steps
            .read()
            .expect("steps")
            .last()
            .cloned()
            .expect("a step")
    }

    fn series(&self) -> Option<Arc<Series>> {
        self.series.read().expect("series").clone()
    }
}

/// Seconds after the overload: how many messages were first sent in each, and the latency of
/// their acknowledgements from the acknowledged attempt's send.
struct Series {
    origin_us: u64,
    seconds: Vec<Mutex<(u64, Histogram<u64>)>>,
}

impl Series {
    fn new(origin_us: u64, seconds: usize) -> Series {
        Series {
            origin_us,
            seconds: (0..seconds).map(|_| Mutex::new((0, histogram()))).collect(),
        }
    }

    fn second(&self, at_us: u64) -> Option<&Mutex<(u64, Histogram<u64>)>> {
        let i = at_us.checked_sub(self.origin_us)? / 1_000_000;
        self.seconds.get(i as usize)
    }

    fn first_sent(&self, at_us: u64) {
        if let Some(s) = self.second(at_us) {
            s.lock().expect("second").0 += 1;
        }
    }

    fn acked(&self, first_sent_us: u64, from_send_us: u64) {
        if let Some(s) = self.second(first_sent_us) {
            let _ = s.lock().expect("second").1.record(from_send_us.max(1));
        }
    }

    fn figures(&self) -> Vec<Second> {
        self.seconds
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let s = s.lock().expect("second");
                let q = Quantiles::of(&s.1);
                Second {
                    second: i as u64,
                    first_sent: s.0,
                    acked: q.count,
                    ack_p50_ms: q.p50_ms,
                    ack_p99_ms: q.p99_ms,
                }
            })
            .collect()
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
    #[serde(default, borrow)]
    code: Option<Cow<'a, str>>,
    #[serde(default)]
    retry_after_ms: Option<u64>,
}

/// Whether a `message` frame with this author, on a visitor's (or an officer's) socket, is the
/// socket's own side: in the generator, each such frame is one of the socket's own messages
/// sent back to it (an echo).
fn is_echo(officer: bool, author: Option<&str>) -> bool {
    author == Some(if officer { "officer" } else { "visitor" })
}

/// The `send` frame of message `k`, due at `due_us`, in `conversation` (officers name it).
fn send_frame(conversation: Option<&str>, k: u64, due_us: u64) -> String {
    match conversation {
        Some(id) => format!(
            r#"{{"type":"send","conversation_id":"{id}","client_id":"m{k}-{due_us}","body":"lg {k} {due_us}"}}"#
        ),
        None => {
            format!(r#"{{"type":"send","client_id":"m{k}-{due_us}","body":"lg {k} {due_us}"}}"#)
        }
    }
}

/// Puts an attempt on the socket, counting it; false when the socket is gone.
async fn put(
    sink: &mut SplitSink<Socket, Message>,
    officer: bool,
    shared: &Shared,
    a: Attempt,
    now_us: u64,
) -> bool {
    if let Some(step) = shared.step_of(a.k) {
        if a.was_waiting {
            step.unheld(a.k);
        }
        if a.resend {
            step.count(a.k, &step.resends);
        }
    }
    if !a.resend
        && let Some(series) = shared.series()
    {
        series.first_sent(now_us);
    }
    let conversation = officer.then(|| shared.conversations[a.conversation].as_str());
    sink.send(Message::text(send_frame(conversation, a.k, a.due_us)))
        .await
        .is_ok()
}

/// The tokio instant of a time on the run's clock.
fn instant_at(clock: Clock, us: u64) -> tokio::time::Instant {
    tokio::time::Instant::from_std(clock.0 + Duration::from_micros(us))
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

/// One side's socket: sends what the pacer hands it, records what it receives, and sends
/// refused messages again as the pages do (`outbox`).
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
    // Messages sent and not acknowledged, and the end of the earliest hold after a refusal.
    let mut outbox = Outbox::new();
    let hold = tokio::time::sleep(NEVER);
    tokio::pin!(hold);
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
                let now = shared.clock.now_us();
                // A person whose page already holds several messages refused or waiting does
                // not write more meanwhile: this one is never written.
                if outbox.waiting_in(d.conversation) >= outbox::PAGE_HOLDS {
                    if let Some(step) = shared.step_of(d.k) {
                        step.not_written(d.k);
                    }
                    continue;
                }
                match outbox.due(d.k, d.due_us, d.conversation, now) {
                    Some(a) => {
                        if !put(&mut sink, officer, &shared, a, now).await {
                            break;
                        }
                    }
                    // Its conversation is held: the message waits its turn here.
                    None => {
                        if let Some(step) = shared.step_of(d.k) {
                            step.count(d.k, &step.held);
                        }
                    }
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
                            let attempt = outbox.acked(k);
                            if let Some(step) = shared.step_of(k) {
                                let from_send = attempt.map(|a| now.saturating_sub(a.sent_us));
                                step.acked(k, now.saturating_sub(due), from_send);
                            }
                            if let (Some(a), Some(series)) = (attempt, shared.series()) {
                                series.acked(a.first_sent_us, now.saturating_sub(a.sent_us));
                            }
                            // After a hold, what waited goes one message at a time.
                            if let Some(a) = attempt
                                && let Some(next) = outbox.release(a.conversation, now)
                                && !put(&mut sink, officer, &shared, next, now).await
                            {
                                break;
                            }
                        }
                    }
                    "message" => {
                        if is_echo(officer, frame.author.as_deref()) {
                            if let Some((k, _)) = frame.body.as_deref().and_then(parse_body)
                                && let Some(step) = shared.step_of(k)
                            {
                                step.count(k, &step.echoes);
                            }
                            continue;
                        }
                        let theirs = if officer { "visitor" } else { "officer" };
                        if frame.author.as_deref() != Some(theirs) {
                            continue;
                        }
                        if let Some((k, due)) = frame.body.as_deref().and_then(parse_body)
                            && let Some(step) = shared.step_of(k)
                        {
                            step.delivered(k, now.saturating_sub(due), officer, now);
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
                        let k = frame.client_id.as_deref().and_then(parse_client_id).map(|(k, _)| k);
                        let step = k.and_then(|k| shared.step_of(k)).unwrap_or_else(|| shared.last_step());
                        step.errors.fetch_add(1, Ordering::Relaxed);
                        if officer && text.contains(r#""frame":"claim""#) {
                            shared.claim_errors.fetch_add(1, Ordering::Relaxed);
                        }
                        // A refusal to send again later, if it is of a message in flight here.
                        let code = frame.code.as_deref().and_then(outbox::retryable);
                        if let (Some(code), Some(k)) = (code, k)
                            && let Some(r) = outbox.refused(k, frame.retry_after_ms, now)
                        {
                            step.refused(k, code, now.saturating_sub(r.sent_us));
                            step.count(k, &step.held);
                            if let Some(at) = outbox.next_wake() {
                                hold.as_mut().reset(instant_at(shared.clock, at));
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ = &mut hold, if outbox.next_wake().is_some() => {
                let now = shared.clock.now_us();
                let mut gone = false;
                for a in outbox.wake(now) {
                    if !put(&mut sink, officer, &shared, a, now).await {
                        gone = true;
                        break;
                    }
                }
                if gone {
                    break;
                }
                let at = outbox.next_wake().map(|at| instant_at(shared.clock, at));
                hold.as_mut().reset(at.unwrap_or_else(|| tokio::time::Instant::now() + NEVER));
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
    let shared = Arc::new(Shared::new(
        Clock(Instant::now()),
        ids.into_iter().map(|v| v.conversation_id).collect(),
    ));
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

/// A stretch of paced traffic: its first message number, its rate and its length (s).
#[derive(Clone, Copy)]
struct Phase {
    base: u64,
    rate: f64,
    duration: f64,
}

impl Phase {
    fn total(&self) -> u64 {
        (self.rate * self.duration).round() as u64
    }
}

/// Sends each phase's messages at its rate, one phase after the other with no pause, from a
/// pacing thread, the first due at `start_us`; returns, for each phase, how many it sent and
/// over how long. Phase boundaries are fixed in advance (open loop): a pacer that fell behind
/// in one phase sends the next one's first messages at once, late.
fn pace(rig: &Rig, phases: &[Phase], start_us: u64) -> Vec<(u64, f64)> {
    let n = rig.visitors.len() as u64;
    let visitors = rig.visitors.clone();
    let officers = rig.officers.clone();
    let owner = rig.owner.clone();
    let clock = rig.shared.clock;
    let phases = phases.to_vec();
    let thread = std::thread::Builder::new()
        .name("pacer".into())
        .spawn(move || {
            let mut out = Vec::with_capacity(phases.len());
            let mut phase_start = start_us;
            for p in phases {
                let total = p.total();
                let interval_us = 1_000_000.0 / p.rate;
                let mut i = 0u64;
                while i < total {
                    let now = clock.now_us();
                    // Everything due by now goes at once, each stamped with when it was due.
                    loop {
                        let due_us = phase_start + (i as f64 * interval_us) as u64;
                        if i >= total || due_us > now {
                            break;
                        }
                        let k = p.base + i;
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
                    // Sleep until the next one is due, never spin: on a small machine a
                    // spinning pacer takes a whole core from the server it measures. The
                    // kernel wakes the thread up to ~50 µs late (timer slack); the message is
                    // then sent late and its latency, counted from when it was due, includes
                    // that.
                    let next_us = phase_start + (i as f64 * interval_us) as u64;
                    let wait = next_us.saturating_sub(clock.now_us());
                    if wait > 0 {
                        std::thread::sleep(Duration::from_micros(wait));
                    }
                }
                let elapsed = clock.now_us().saturating_sub(phase_start) as f64 / 1e6;
                out.push((total, elapsed.max(p.duration)));
                phase_start += (p.duration * 1e6) as u64;
            }
            out
        })
        .expect("pacing thread");
    thread.join().expect("pacer")
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

/// After the last message is due: waits while acknowledgements and deliveries keep coming,
/// until every message of `steps` (each with how many were sent) is both, or nothing moved
/// for DRAIN (at most DRAIN_MAX).
async fn drain(steps: &[(&Step, u64)]) {
    let drain_started = Instant::now();
    let mut progress = (0, 0);
    let mut last_progress = Instant::now();
    loop {
        let (mut acked, mut delivered, mut sent) = (0, 0, 0);
        for (step, n) in steps {
            let (a, d, _, _) = step.counts(*n);
            acked += a;
            delivered += d;
            sent += n;
        }
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
}

/// The figures of a step once drained: `sent` messages at `rate` over `elapsed` seconds from
/// `started_us`. The server's figures are the caller's.
fn figures(step: &Step, sent: u64, elapsed: f64, started_us: u64, rate: f64) -> Report {
    let (acked, delivered, lost, unacked) = step.counts(sent);
    // Achieved: what was delivered, over the time from the first message due to the last one
    // delivered (a server that falls behind delivers after the pacing ends).
    let last = step.last_delivery_us.load(Ordering::Relaxed);
    let delivering = (last.saturating_sub(started_us) as f64 / 1e6).max(elapsed);
    let l = step.latencies.lock().expect("latencies");
    let mut both = l.v2o.clone();
    both.add(&l.o2v).expect("same bounds");
    let all = Quantiles::of(&both);
    let ack = Quantiles::of(&l.ack);
    Report {
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
        ack_from_send: Quantiles::of(&l.ack_send),
        refused: Refusals::from_counts(step.refused.each_ref().map(|c| c.load(Ordering::Relaxed))),
        refusal: Quantiles::of(&l.refusal),
        resends: step.resends.load(Ordering::Relaxed),
        echoes: step.echoes.load(Ordering::Relaxed),
        held: step.held.load(Ordering::Relaxed),
        not_written: step.not_written.load(Ordering::Relaxed),
        sent,
        acked,
        delivered,
        lost,
        duplicated: step.duplicated.load(Ordering::Relaxed),
        unacked,
        errors: step.errors.load(Ordering::Relaxed),
        duration_s: elapsed,
        ..Report::default()
    }
}

/// Mean messages per commit between two readings of the server's figures.
fn per_commit(
    before: Option<(u64, f64, f64, f64)>,
    after: Option<(u64, f64, f64, f64)>,
) -> Option<f64> {
    match (before, after) {
        (Some(b), Some(a)) if a.3 > b.3 => Some((a.2 - b.2) / (a.3 - b.3)),
        _ => None,
    }
}

/// One step: traffic at `rate`, then waiting for stragglers; the figures of that step.
async fn step(args: &Args, rig: &Rig, base: u64, rate: f64, scenario: &str) -> Report {
    let phase = Phase {
        base,
        rate,
        duration: args.duration,
    };
    let step = Arc::new(Step::new(base, phase.total() + 1));
    rig.shared.set_steps(vec![step.clone()]);
    let before = server_figures(args).await;
    let started_us = rig.shared.clock.now_us() + 1000;
    let paced = tokio::task::block_in_place(|| pace(rig, &[phase], started_us));
    let (sent, elapsed) = paced[0];
    drain(&[(&step, sent)]).await;
    let after = server_figures(args).await;
    Report {
        scenario: scenario.into(),
        server_rss_kib: after.map(|a| a.0),
        server_cpu_percent: cpu_percent(before, after, elapsed),
        connections: rig.open.load(Ordering::Relaxed),
        messages_per_commit: per_commit(before, after),
        ..figures(&step, sent, elapsed, started_us, rate)
    }
}

/// How often the server's memory is read during an overload run.
const SAMPLE_EVERY: Duration = Duration::from_millis(500);

/// A reading of the server's figures: when (µs), RSS (KiB), CPU (s).
type Sample = (u64, u64, f64);

/// Reads the server's figures every SAMPLE_EVERY until told to stop.
async fn sample_server(
    url: String,
    clock: Clock,
    out: Arc<Mutex<Vec<Sample>>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(SAMPLE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Ok(f) = scrape(&url).await {
                    out.lock().expect("samples").push((clock.now_us(), f.0, f.1));
                }
            }
            _ = stop.changed() => break,
        }
    }
}

/// From samples in time order: the RSS at the end of [from_us, to_us] (the last reading at or
/// before its end, none if that is before its start), the highest RSS read within it, and
/// the server's CPU over it (% of a core, between the readings nearest its two ends).
fn sampled(
    samples: &[Sample],
    from_us: u64,
    to_us: u64,
) -> (Option<u64>, Option<u64>, Option<f64>) {
    let within: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.0 >= from_us && s.0 <= to_us)
        .collect();
    let end = within.last().map(|s| s.1);
    let max = within.iter().map(|s| s.1).max();
    let cpu = match (within.first(), within.last()) {
        (Some(a), Some(b)) if b.0 > a.0 => Some((b.2 - a.2) / ((b.0 - a.0) as f64 / 1e6) * 100.0),
        _ => None,
    };
    (end, max, cpu)
}

/// Twice the knee, between two stretches at a rate the server keeps (issue 23, target 2):
/// a baseline at --recovery-rate for --baseline-seconds (10), the overload at --rate for --duration, then
/// the recovery at --recovery-rate for --recovery-seconds, back to back on one rig. The
/// report is the overload phase's, with `steps` for the three phases, `lost`, `duplicated`
/// and `held` over all three, the server's RSS read every SAMPLE_EVERY, and the recovery
/// second by second with `recovered_after_s`: the start of the first second after the
/// overload from which every later second's ack p99 (from the send of the attempt
/// acknowledged, of the messages first sent that second) is at most max(2 × the baseline's
/// ack p99, the baseline's ack p99 + 10 ms) (`report::RECOVERED_RULE`).
pub async fn overload(args: &Args) -> anyhow::Result<Report> {
    let target = Target::server(args)?;
    let rig = rig(args, &target).await?;
    let plan = [
        ("baseline", args.recovery_rate, args.baseline_seconds),
        ("overload", args.rate, args.duration),
        ("recovery", args.recovery_rate, args.recovery_seconds),
    ];
    let mut phases = Vec::new();
    let mut steps = Vec::new();
    let mut base = 0;
    for (_, rate, duration) in plan {
        let phase = Phase {
            base,
            rate,
            duration,
        };
        steps.push(Arc::new(Step::new(base, phase.total() + 1)));
        phases.push(phase);
        base += phase.total() + 1;
    }
    rig.shared.set_steps(steps.clone());
    let clock = rig.shared.clock;
    let started_us = clock.now_us() + 1000;
    // Where each phase begins, and the end of the last.
    let mut bounds = vec![started_us];
    for p in &phases {
        bounds.push(bounds.last().copied().unwrap_or_default() + (p.duration * 1e6) as u64);
    }
    let series = Arc::new(Series::new(
        bounds[2],
        args.recovery_seconds.ceil() as usize,
    ));
    *rig.shared.series.write().expect("series") = Some(series.clone());
    let samples = Arc::new(Mutex::new(Vec::new()));
    let (sampling, sampling_rx) = watch::channel(false);
    let sampler = args
        .metrics_url
        .clone()
        .map(|url| tokio::spawn(sample_server(url, clock, samples.clone(), sampling_rx)));
    let before = server_figures(args).await;
    eprintln!(
        "baseline {:.0}/s for {} s, overload {:.0}/s for {} s, recovery {:.0}/s for {} s",
        args.recovery_rate,
        args.baseline_seconds,
        args.rate,
        args.duration,
        args.recovery_rate,
        args.recovery_seconds
    );
    let paced = tokio::task::block_in_place(|| pace(&rig, &phases, started_us));
    let counted: Vec<(&Step, u64)> = steps
        .iter()
        .zip(&paced)
        .map(|(s, (sent, _))| (s.as_ref(), *sent))
        .collect();
    drain(&counted).await;
    let after = server_figures(args).await;
    let _ = sampling.send(true);
    if let Some(s) = sampler {
        let _ = s.await;
    }
    let samples = samples.lock().expect("samples").clone();
    let mut reports = Vec::new();
    for (i, (name, rate, _)) in plan.iter().enumerate() {
        let (sent, elapsed) = paced[i];
        let (end, max, cpu) = sampled(&samples, bounds[i], bounds[i + 1]);
        reports.push(Report {
            scenario: Scenario::Overload.name().into(),
            phase: Some((*name).into()),
            server_rss_kib: end,
            server_rss_max_kib: max,
            server_cpu_percent: cpu,
            connections: rig.open.load(Ordering::Relaxed),
            ..figures(&steps[i], sent, elapsed, bounds[i], *rate)
        });
    }
    let _ = rig.stop.send(true);
    let baseline_ack_p99_ms = reports[0].ack_from_send.p99_ms;
    let recovery_series = series.figures();
    let mut report = reports[1].clone();
    report.phase = None;
    report.lost = reports.iter().map(|r| r.lost).sum();
    report.duplicated = reports.iter().map(|r| r.duplicated).sum();
    report.held = reports.iter().map(|r| r.held).sum();
    // `not_written` stays the overload phase's, as `sent` and `delivered` do: each phase has
    // its own in `steps`.
    report.server_rss_kib = after.map(|a| a.0);
    report.server_rss_max_kib = samples.iter().map(|s| s.1).max();
    report.messages_per_commit = per_commit(before, after);
    report.overload = Some(Overload {
        baseline_ack_p99_ms,
        recovered_threshold_ms: recovery_threshold_ms(baseline_ack_p99_ms),
        recovered_rule: RECOVERED_RULE.into(),
        recovered_after_s: recovered_after_s(&recovery_series, baseline_ack_p99_ms),
        recovery_series,
        rss_samples: samples.len() as u64,
    });
    report.steps = reports;
    Ok(report)
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
    let shared = Arc::new(Shared::new(Clock(Instant::now()), Vec::new()));
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
    let errors = shared.last_step().errors.load(Ordering::Relaxed);
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
        s.acked(100, 10, Some(5));
        s.delivered(100, 20, true, 1);
        s.delivered(100, 25, true, 2);
        s.acked(101, 10, None);
        s.delivered(102, 30, false, 3);
        s.acked(99, 1, Some(1)); // another step's: ignored
        let (acked, delivered, lost, unacked) = s.counts(4);
        assert_eq!((acked, delivered, lost, unacked), (2, 2, 1, 2));
        assert_eq!(s.duplicated.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn an_echo_is_a_message_of_the_sockets_own_side() {
        assert!(is_echo(false, Some("visitor")));
        assert!(is_echo(true, Some("officer")));
        assert!(!is_echo(false, Some("officer")));
        assert!(!is_echo(true, Some("visitor")));
        assert!(!is_echo(true, None));
    }

    #[test]
    fn a_step_counts_refusals_by_code_echoes_resends_and_held_messages_of_its_own() {
        let s = Step::new(10, 5);
        let overloaded = outbox::retryable("overloaded").unwrap();
        let out_of_order = outbox::retryable("out_of_order").unwrap();
        s.refused(10, overloaded, 300);
        s.refused(11, out_of_order, 400);
        s.refused(11, out_of_order, 500);
        s.refused(3, overloaded, 1); // another step's: ignored
        s.count(10, &s.resends);
        s.count(12, &s.echoes);
        s.count(2, &s.echoes); // another step's
        s.count(10, &s.held);
        s.count(11, &s.held);
        s.unheld(10);
        s.acked(10, 90_000, Some(2_000));
        let r = figures(&s, 5, 1.0, 0, 5.0);
        assert_eq!(
            r.refused,
            Refusals {
                overloaded: 1,
                out_of_order: 2,
                ..Refusals::default()
            }
        );
        assert_eq!(r.refusal.count, 3);
        assert_eq!((r.resends, r.echoes, r.held), (1, 1, 1));
        // Acknowledged 90 ms after it was due, 2 ms after the attempt that was taken.
        assert!((r.ack.p50_ms - 90.0).abs() < 0.1, "{:?}", r.ack);
        assert!(
            (r.ack_from_send.p50_ms - 2.0).abs() < 0.01,
            "{:?}",
            r.ack_from_send
        );
        // Held never goes below zero, whatever the order of events.
        s.unheld(10);
        s.unheld(10);
        assert_eq!(s.held.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn the_recovery_series_counts_messages_by_the_second_they_were_first_sent() {
        let series = Series::new(5_000_000, 3);
        series.first_sent(4_999_999); // before the overload ended: not in the series
        series.first_sent(5_000_000);
        series.first_sent(5_999_999);
        series.first_sent(7_500_000);
        series.first_sent(8_000_000); // after the series
        series.acked(5_000_000, 40_000);
        series.acked(5_999_999, 2_000);
        series.acked(7_500_000, 3_000);
        let f = series.figures();
        assert_eq!(f.len(), 3);
        assert_eq!((f[0].second, f[0].first_sent, f[0].acked), (0, 2, 2));
        assert!((f[0].ack_p99_ms - 40.0).abs() < 0.1, "{:?}", f[0]);
        assert_eq!((f[1].first_sent, f[1].acked), (0, 0));
        assert_eq!((f[2].second, f[2].first_sent, f[2].acked), (2, 1, 1));
    }

    #[test]
    fn server_samples_give_each_phase_its_last_and_highest_memory_and_its_cpu() {
        let samples = [
            (0, 100, 0.0),
            (500_000, 300, 0.25),
            (1_000_000, 200, 0.5),
            (1_500_000, 250, 1.5),
        ];
        let (end, max, cpu) = sampled(&samples, 0, 1_000_000);
        assert_eq!((end, max), (Some(200), Some(300)));
        assert!((cpu.unwrap() - 50.0).abs() < 1e-9);
        let (end, max, _) = sampled(&samples, 1_000_001, 2_000_000);
        assert_eq!((end, max), (Some(250), Some(250)));
        assert_eq!(sampled(&samples, 2_000_000, 3_000_000), (None, None, None));
    }

    #[test]
    fn a_send_frame_names_the_conversation_on_an_officer_socket_only() {
        let v: serde_json::Value = serde_json::from_str(&send_frame(None, 7, 99)).unwrap();
        assert_eq!(v["client_id"], "m7-99");
        assert_eq!(v["body"], "lg 7 99");
        assert!(v.get("conversation_id").is_none());
        let v: serde_json::Value = serde_json::from_str(&send_frame(Some("c1"), 7, 99)).unwrap();
        assert_eq!(v["conversation_id"], "c1");
        assert_eq!(
            parse_client_id(v["client_id"].as_str().unwrap()),
            Some((7, 99))
        );
    }
}
