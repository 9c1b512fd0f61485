//! `ecoute-loadgen`: drives an Écoute server with real visitors and officers over the real
//! protocol, or a bare WebSocket relay built in here (the ceiling to compare with).
//!
//! Open loop: a dedicated pacing thread decides when each message is due, whatever the server
//! does; every latency is measured from that intended time, so a server that stalls cannot
//! hide its stall by slowing the generator down (no coordinated omission). Latencies go into
//! HdrHistograms (microseconds, 3 significant digits).
//!
//! See docs/PERFORMANCE.md for the method and the commands.
#![forbid(unsafe_code)]

mod load;
mod outbox;
mod probe;
mod relay;
mod report;
mod setup;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use report::Report;
use std::path::PathBuf;
use std::time::Duration;

/// What to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// Open N visitor connections and hold them: connections and memory per connection.
    Idle,
    /// Both sides chat at a steady total rate: delivery and acknowledgement latencies.
    Chat,
    /// Step the rate up until p99 passes --knee-ms (or a message is lost): the knee.
    Ramp,
    /// New visitors per second (start, connect, hello): handshake latency.
    Storm,
    /// `ramp` against a bare WebSocket relay run inside the generator (no database, no
    /// routing), listening on --url's port (0: any).
    Relay,
    /// Twice the knee between two calm stretches, on one rig: --baseline-seconds (10) at
    /// --recovery-rate, then
    /// --rate for --duration, then --recovery-rate for --recovery-seconds. Refused messages
    /// are sent again as the pages do; the report has the refusals, the latency of what was
    /// acknowledged, the server's memory, and how soon latency came back (issue 23, target 2).
    Overload,
    /// No server: 4 KiB written then `fdatasync`ed in --data-dir, --iterations times. The
    /// disk's floor for a commit, to compare acknowledgements with (p50_ms, p99_ms…).
    Fsync,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Idle => "idle",
            Scenario::Chat => "chat",
            Scenario::Ramp => "ramp",
            Scenario::Storm => "storm",
            Scenario::Relay => "relay",
            Scenario::Overload => "overload",
            Scenario::Fsync => "fsync",
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "ecoute-loadgen",
    about = "Load generator for Écoute (docs/PERFORMANCE.md)"
)]
pub struct Args {
    /// idle, chat, ramp, storm, relay, overload or fsync.
    #[arg(value_enum)]
    pub scenario: Scenario,
    /// The server visitors use, e.g. http://127.0.0.1:8080 (every scenario but fsync).
    #[arg(long, default_value = "")]
    pub url: String,
    /// The server officers use (default: --url): visitors and officers on different nodes.
    #[arg(long)]
    pub officer_url: Option<String>,
    /// Messages per second, both directions together (storm: new visitors per second; ramp
    /// and relay: the first step).
    #[arg(long, default_value_t = 1000.0)]
    pub rate: f64,
    /// Seconds of measured traffic (ramp and relay: per step; overload: of the overload).
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Visitors, each in its own conversation on its own connection.
    #[arg(long, default_value_t = 100)]
    pub visitors: usize,
    /// Officers (default: enough for every visitor at 20 chats each).
    #[arg(long)]
    pub officers: Option<usize>,
    /// Also write the report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// The server's data directory: officer accounts are created there with `ecoute user add`.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The `ecoute` binary for `user add` (default: next to this one, then PATH).
    #[arg(long, value_name = "FILE")]
    pub ecoute_bin: Option<PathBuf>,
    /// Instead of creating accounts: a file of `username totp_base32 password` lines (the
    /// password is the rest of the line).
    #[arg(long, value_name = "FILE")]
    pub officer_credentials: Option<PathBuf>,
    /// The server's Prometheus endpoint (its admin_listen), read before and after the run
    /// for memory and CPU, e.g. http://127.0.0.1:9464/metrics.
    #[arg(long)]
    pub metrics_url: Option<String>,
    /// Source addresses 127.0.0.1 to 127.0.0.N, so that many connections fit in the ports.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u8).range(1..=250))]
    pub sources: u8,
    /// Ramp: the step passes while p99 stays at or under this many milliseconds.
    #[arg(long, default_value_t = 100.0)]
    pub knee_ms: f64,
    /// Ramp: each step's rate is the previous one's times this.
    #[arg(long, default_value_t = 1.5)]
    pub ramp_factor: f64,
    /// Send no receipts. The pages send one (`marks`) for nearly every message they receive,
    /// and so does the generator unless told not to; this is for comparisons only.
    #[arg(long)]
    pub no_marks: bool,
    /// Ramp: once a step fails, this many more steps halve (geometrically) the gap between
    /// the last rate that passed and the first that failed.
    #[arg(long, default_value_t = 3)]
    pub refine: u32,
    /// Ramp: stop at this rate even if the knee was not reached.
    #[arg(long, default_value_t = 100_000.0)]
    pub max_rate: f64,
    /// Overload: messages per second of the baseline before the overload and of the recovery
    /// after it.
    #[arg(long, default_value_t = 1000.0)]
    pub recovery_rate: f64,
    /// Overload: seconds of the baseline before the overload.
    #[arg(long, default_value_t = 10.0)]
    pub baseline_seconds: f64,
    /// Overload: seconds of the recovery after the overload.
    #[arg(long, default_value_t = 15.0)]
    pub recovery_seconds: f64,
    /// Fsync: writes timed, each followed by its `fdatasync`.
    #[arg(long, default_value_t = 2000)]
    pub iterations: u64,
    /// Fsync: each write starts this many milliseconds after the previous one started, as
    /// commits paced by a light load do (0: back to back). An idle disk answers more slowly.
    #[arg(long, default_value_t = 0.0)]
    pub interval_ms: f64,
}

impl Args {
    fn check(&self) -> anyhow::Result<()> {
        if self.scenario == Scenario::Fsync {
            if self.data_dir.is_none() {
                bail!("fsync needs --data-dir DIR: the directory whose disk is measured");
            }
            if self.iterations == 0 {
                bail!("--iterations must be at least 1");
            }
            if !(self.interval_ms >= 0.0 && self.interval_ms.is_finite()) {
                bail!("--interval-ms must be 0 or a positive number of milliseconds");
            }
            return Ok(());
        }
        if self.url.is_empty() {
            bail!("--url is required: the server to measure");
        }
        if !(self.rate > 0.0 && self.rate.is_finite()) {
            bail!("--rate must be a positive number");
        }
        if !(self.duration > 0.0 && self.duration.is_finite()) {
            bail!("--duration must be a positive number of seconds");
        }
        if self.visitors == 0 {
            bail!("--visitors must be at least 1");
        }
        if self.officers == Some(0) {
            bail!("--officers must be at least 1");
        }
        if self.ramp_factor <= 1.0 {
            bail!("--ramp-factor must be over 1");
        }
        if self.scenario == Scenario::Overload {
            if !(self.recovery_rate > 0.0 && self.recovery_rate.is_finite()) {
                bail!("--recovery-rate must be a positive number");
            }
            if !(self.recovery_seconds >= 1.0 && self.recovery_seconds.is_finite()) {
                bail!("--recovery-seconds must be at least 1");
            }
            if !(self.baseline_seconds >= 1.0 && self.baseline_seconds.is_finite()) {
                bail!("--baseline-seconds must be at least 1");
            }
        }
        let needs_officers = matches!(
            self.scenario,
            Scenario::Chat | Scenario::Ramp | Scenario::Overload
        );
        if needs_officers && self.data_dir.is_none() && self.officer_credentials.is_none() {
            bail!(
                "officers need accounts: give --data-dir DIR (the server's data directory; \
                 accounts are created with `ecoute user add`) or --officer-credentials FILE"
            );
        }
        if needs_officers && self.officers() * 20 < self.visitors {
            bail!(
                "{} officers can hold at most {} chats (20 each): give more --officers",
                self.officers(),
                self.officers() * 20
            );
        }
        Ok(())
    }

    /// Officers needed: every visitor's chat claimed, 20 per officer at most.
    pub fn officers(&self) -> usize {
        self.officers.unwrap_or(self.visitors.div_ceil(20))
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    args.check()?;
    // Two worker threads: the generator shares the machine with the server it measures, and
    // says so in the report (docs/PERFORMANCE.md).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("tokio runtime")?;
    let report = runtime.block_on(run(&args))?;
    print!("{}", report.table());
    if let Some(path) = &args.json {
        std::fs::write(path, report.json()?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    runtime.shutdown_timeout(Duration::from_secs(2));
    if report.lost > 0 || report.duplicated > 0 {
        bail!(
            "{} message(s) lost and {} duplicated",
            report.lost,
            report.duplicated
        );
    }
    Ok(())
}

async fn run(args: &Args) -> anyhow::Result<Report> {
    match args.scenario {
        Scenario::Idle => load::idle(args).await,
        Scenario::Chat => load::chat(args).await,
        Scenario::Ramp => load::ramp(args, setup::Target::server(args)?).await,
        Scenario::Storm => load::storm(args).await,
        Scenario::Overload => load::overload(args).await,
        Scenario::Fsync => {
            let dir = args.data_dir.clone().context("--data-dir")?;
            let iterations = args.iterations;
            let interval = Duration::from_secs_f64(args.interval_ms / 1000.0);
            tokio::task::spawn_blocking(move || probe::fsync(&dir, iterations, interval)).await?
        }
        Scenario::Relay => {
            let relay = relay::spawn(&args.url).await?;
            eprintln!("bare relay listening on {}", relay);
            load::ramp(args, setup::Target::relay(relay)).await
        }
    }
}
