//! The command line: `ecoute [serve]`, `ecoute user add|set|list|disable|enable|link`, `ecoute keys status|rotate|retire`,
//! `ecoute keys signing new|retire|list`, `ecoute audit verify`, `ecoute purge [--dry-run]`,
//! `ecoute forces load|show`, `ecoute units load|show`, `ecoute risk check`,
//! `ecoute dossier verify`, `ecoute backup DEST`.

mod accounts;
mod backup;
mod data;
mod dossier;
mod stats;
mod units;
mod upkeep;

use crate::app::{Application, open_store, open_store_to_read};
use crate::config::{Config, Overrides};
use crate::keys::Record;
use crate::rotation::{self, RotateOptions};
use accounts::*;
use anyhow::{Context, bail};
use backup::*;
use clap::{Args, Parser, Subcommand};
use data::*;
use dossier::*;
use ecoute_crypto::KeyFiles;
use ecoute_domain::{ConversationState, Force, Language, Password, Role, Skills, UserId, Username};
use ecoute_store::{NewAudit, NewUser, PurgeCandidate};
use stats::*;
use std::io::{IsTerminal, Read};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;
use time::OffsetDateTime;
use units::*;
use upkeep::*;

/// Écoute: anonymous live chat between victims or witnesses of sexist and sexual violence
/// and trained officers.
#[derive(Debug, Parser)]
#[command(name = "ecoute", version, about)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Args)]
struct GlobalArgs {
    /// Configuration file (TOML). Also ECOUTE_CONFIG.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Directory of the database and master key. Also ECOUTE_DATA_DIR. Default ./data.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the visitor page, the console and the API (the default).
    Serve {
        /// Address to listen on. Also ECOUTE_LISTEN. Default 127.0.0.1:8080.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Manage the master keys that wrap conversations' data keys and seal staff TOTP secrets.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The force table that routes chats, by département or postal code (share/forces.csv).
    #[command(subcommand)]
    Forces(ForcesCommand),
    /// The local units that receive forwarded reports (format: share/units.sample.txt).
    #[command(subcommand)]
    Units(UnitsCommand),
    /// The directory of support services shown in the console (format:
    /// share/resources.sample.toml).
    #[command(subcommand)]
    Resources(ResourcesCommand),
    /// Risk rules files (format: share/risk-rules.toml).
    #[command(subcommand)]
    Risk(RiskCommand),
    /// Dossiers sent to units (docs/DOSSIER.md).
    #[command(subcommand)]
    Dossier(DossierCommand),
    /// The statistics record (docs/STATISTICS.md).
    #[command(subcommand)]
    Stats(StatsCommand),
    /// Delete the conversations whose retention period is over, with their messages and
    /// data keys. The server also does it on its own every `purge_interval_secs`.
    Purge {
        /// List what would be deleted, and why, without changing anything (the database is
        /// opened read-only).
        #[arg(long)]
        dry_run: bool,
    },
    /// Copy the SQLite database to a new file while the server serves: consistent, checked
    /// after it is written, audited. The master key is never in it: keep it apart
    /// (docs/DEPLOYMENT.md). For PostgreSQL, use pg_dump.
    Backup {
        /// The file to write: it must not exist yet, and must be outside the data directory.
        #[arg(value_name = "DEST")]
        dest: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Show the master key versions present and how many conversations and staff TOTP secrets
    /// each one protects.
    Status,
    /// Write a new master key version, re-wrap every conversation's data key and re-seal every
    /// staff TOTP secret under it.
    /// Safe to interrupt and to run again: it resumes with the same new key.
    Rotate {
        /// Conversations re-wrapped per transaction.
        #[arg(long, default_value_t = rotation::DEFAULT_BATCH, value_name = "N",
              value_parser = clap::value_parser!(u32).range(1..=10_000))]
        batch_size: u32,
    },
    /// Delete the file of an older master key version once no conversation and no TOTP secret
    /// uses it.
    Retire {
        /// The version to retire (see `ecoute keys status`).
        #[arg(long, value_name = "N")]
        version: u32,
    },
    /// The Ed25519 keys that sign the dossiers sent to units (docs/DOSSIER.md).
    #[command(subcommand)]
    Signing(SigningCommand),
}

#[derive(Debug, Subcommand)]
enum SigningCommand {
    /// Make a new signing key: it signs the dossiers from now on; the previous one no longer
    /// signs but still checks the dossiers it signed.
    New,
    /// Retire an older signing key: listed as retired, it still checks what it signed. The
    /// newest key in service cannot be retired.
    Retire {
        /// The version to retire (see `ecoute keys signing list`).
        #[arg(value_name = "VERSION")]
        version: u32,
    },
    /// List the signing keys: version, id, status, and when they were made and retired.
    List,
}

#[derive(Debug, Subcommand)]
enum DossierCommand {
    /// Check that a dossier file (PDF or JSON) is exactly what the service signed, and say
    /// with which key. Exits with 1 when it is not.
    Verify {
        /// The dossier file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The published key list (format: docs/DOSSIER.md, as served at
        /// /.well-known/ecoute-dossier-keys.json). Without it, the keys are read from this
        /// installation's database (opened read-only).
        #[arg(long, value_name = "FILE")]
        keys: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum StatsCommand {
    /// Write the open-data export of a period into a directory: one CSV per table, every
    /// figure in open-data.csv, and metadata.json. Small counts are withheld ("<5") and
    /// others hidden ("s") so that none can be worked out from the totals. Audited.
    Export {
        /// The first week: an ISO week (2026-W03) or a date in it (2026-01-14).
        #[arg(long, value_name = "WEEK|DATE")]
        from: String,
        /// The last week, included: an ISO week or a date in it.
        #[arg(long, value_name = "WEEK|DATE")]
        to: String,
        /// The directory to write (created when missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Counts from 1 to this minus 1 are withheld (at least 3).
        #[arg(long, default_value_t = ecoute_domain::DEFAULT_THRESHOLD)]
        threshold: u64,
    },
}

#[derive(Debug, Subcommand)]
enum ForcesCommand {
    /// Check a table file and load it in place of the current one, in one transaction.
    Load {
        /// The table (one `place,force` per line; a place is a département or a postal code).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Print the table in force, in the file format.
    Show,
}

#[derive(Debug, Subcommand)]
enum UnitsCommand {
    /// Check a units file and load it in place of the current directory, in one transaction.
    Load {
        /// The directory (one `id;force;kind;name;notify;covers` per line).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Print the directory in force as a table.
    Show,
}

#[derive(Debug, Subcommand)]
enum ResourcesCommand {
    /// Check a directory file and load it in place of the current one, in one transaction.
    Load {
        /// The directory (TOML).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum RiskCommand {
    /// Check a rules file; with --text, print the labels it gives that text.
    Check {
        /// The rules file (TOML).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// A sentence to try the rules on.
        #[arg(long)]
        text: Option<String>,
    },
}

/// What an officer can answer, as flags.
#[derive(Debug, Args)]
struct SkillArgs {
    /// The officer's force: police, gendarmerie, or any (answers for both).
    #[arg(long, value_name = "FORCE")]
    force: Option<String>,
    /// Trained to talk with minors (true or false).
    #[arg(long, value_name = "BOOL")]
    minors: Option<bool>,
    /// Languages written, comma-separated ISO 639 codes (default fr).
    #[arg(long, value_name = "CODES")]
    languages: Option<String>,
}

impl SkillArgs {
    /// These flags applied over `base`.
    fn apply(&self, mut base: Skills) -> anyhow::Result<Skills> {
        if let Some(f) = &self.force {
            base.force = match f.as_str() {
                "any" => None,
                other => Some(Force::parse(other).with_context(|| {
                    format!("--force: {other:?} is not police, gendarmerie or any")
                })?),
            };
        }
        if let Some(m) = self.minors {
            base.minors = m;
        }
        if let Some(l) = &self.languages {
            base.languages = Language::parse_list(l)
                .with_context(|| format!("--languages: {l:?} is not a list like fr,en"))?;
        }
        Ok(base)
    }
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the audit log; name the first entry that was edited or removed.
    Verify {
        /// A head printed by an earlier verify (`SEQ:HASH`), kept elsewhere: it must still be
        /// there, which detects entries removed from the end.
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a staff account. The password is read from standard input when it is not a
    /// terminal, otherwise asked twice without echo.
    Add {
        /// Login name: 3 to 32 of a-z 0-9 . - _
        #[arg(long)]
        username: String,
        /// officer, supervisor, admin, or unit (a local unit's account, which reads only the
        /// dossiers forwarded to its unit: give --unit).
        #[arg(long)]
        role: String,
        /// For --role unit: the unit's id in the directory (see `ecoute units show`).
        #[arg(long)]
        unit: Option<String>,
        /// Name or pseudonym shown to visitors, chosen on purpose (1 to 64 characters, e.g.
        /// "Agent Martin"): it is what a person in distress reads. Required; asked when standard
        /// input is a terminal.
        #[arg(long)]
        display_name: Option<String>,
        /// How many chats this person may hold at once (1 to 20).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
        capacity: u32,
        /// Enrol an authenticator now and print its otpauth:// URI on standard output, for
        /// scripts and tests. People should enrol with the QR code at /console/security instead.
        #[arg(long)]
        totp_uri: bool,
        #[command(flatten)]
        skills: SkillArgs,
    },
    /// Change an account's capacity, skills, role or display name; what is not given stays as
    /// it is. The last enabled administrator cannot be demoted.
    Set {
        /// The account's login name (or give it with --username).
        #[arg(value_name = "USERNAME", required_unless_present = "username")]
        name: Option<String>,
        /// The account's login name.
        #[arg(long, conflicts_with = "name")]
        username: Option<String>,
        /// How many chats this person may hold at once (1 to 20).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=20))]
        capacity: Option<u32>,
        /// officer, supervisor or admin (a unit's account keeps its role).
        #[arg(long)]
        role: Option<String>,
        /// Name or pseudonym shown to visitors (1 to 64 characters).
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        skills: SkillArgs,
    },
    /// List every account with its role, state, capacity, sessions, last login and skills.
    List,
    /// Disable an account: its sessions end, its consoles close, its chats go back to the
    /// queue, its login is refused. Not the last enabled administrator.
    Disable {
        /// The account's login name.
        username: String,
    },
    /// Enable a disabled account again.
    Enable {
        /// The account's login name.
        username: String,
    },
    /// Print a one-time link (valid 24 hours) for the person to enrol (choose a password and
    /// link an authenticator), or choose a new password, or link a new authenticator. Any
    /// earlier link of the account stops working.
    Link {
        /// The account's login name.
        username: String,
        /// enrol, password or totp.
        #[arg(long, default_value = "enrol")]
        purpose: String,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = match &cli.command {
        Some(Command::Serve { listen }) => listen.clone(),
        _ => None,
    };
    let overrides = Overrides {
        config_file: cli.global.config.clone(),
        listen,
        data_dir: cli.global.data_dir.clone(),
    };
    let env = |k: &str| std::env::var(k).ok();
    let (config, warnings) = match Config::load(&overrides, &env) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ecoute: configuration error: {e:#}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&config.log);
    for w in warnings {
        tracing::warn!("{w}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ecoute: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            None | Some(Command::Serve { .. }) => serve(config).await,
            Some(Command::User(UserCommand::Add {
                username,
                role,
                unit,
                display_name,
                capacity,
                totp_uri,
                skills,
            })) => {
                user_add(
                    config,
                    &username,
                    (&role, unit.as_deref()),
                    display_name,
                    capacity,
                    totp_uri,
                    skills,
                )
                .await
            }
            Some(Command::User(UserCommand::Set {
                name,
                username,
                capacity,
                role,
                display_name,
                skills,
            })) => {
                let username = name.or(username).unwrap_or_default();
                user_set(
                    config,
                    &username,
                    capacity,
                    skills,
                    role.as_deref(),
                    display_name.as_deref(),
                )
                .await
            }
            Some(Command::User(UserCommand::List)) => user_list(config).await,
            Some(Command::User(UserCommand::Disable { username })) => {
                user_disable(config, &username).await
            }
            Some(Command::User(UserCommand::Enable { username })) => {
                user_enable(config, &username).await
            }
            Some(Command::User(UserCommand::Link { username, purpose })) => {
                user_link(config, &username, &purpose).await
            }
            Some(Command::Forces(ForcesCommand::Load { file })) => forces_load(config, &file).await,
            Some(Command::Forces(ForcesCommand::Show)) => forces_show(config).await,
            Some(Command::Units(UnitsCommand::Load { file })) => units_load(config, &file).await,
            Some(Command::Units(UnitsCommand::Show)) => units_show(config).await,
            Some(Command::Risk(RiskCommand::Check { file, text })) => risk_check(&file, text),
            Some(Command::Resources(ResourcesCommand::Load { file })) => {
                resources_load(config, &file).await
            }
            Some(Command::Keys(command)) => keys(config, command).await,
            Some(Command::Audit(AuditCommand::Verify { expect_head })) => {
                audit_verify(config, expect_head).await
            }
            Some(Command::Dossier(DossierCommand::Verify { file, keys })) => {
                dossier_verify(config, &file, keys.as_deref()).await
            }
            Some(Command::Stats(StatsCommand::Export {
                from,
                to,
                out,
                threshold,
            })) => stats_export(config, &from, &to, &out, threshold).await,
            Some(Command::Purge { dry_run: true }) => purge_dry_run(config).await,
            Some(Command::Purge { dry_run: false }) => purge(config).await,
            Some(Command::Backup { dest }) => backup(config, &dest).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ecoute: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether a log target is Écoute's own code (the `ecoute` binary and its `ecoute_*` crates).
fn is_ours(target: &str) -> bool {
    target == "ecoute" || target.starts_with("ecoute::") || target.starts_with("ecoute_")
}

/// Whether a record may be logged whatever the configured filter says. Libraries print frame
/// payloads, SQL values and peer addresses at debug or trace level (`axum::serve` logs every
/// connection's address): whatever the filter asks, every crate but ours logs at most `info`,
/// so that no message body, token, code or address can reach a log.
fn within_cap(meta: &tracing::Metadata<'_>) -> bool {
    is_ours(meta.target()) || *meta.level() <= tracing::Level::INFO
}

fn init_tracing(filter: &str) {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let output = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(tracing_subscriber::filter::filter_fn(within_cap))
        .with_filter(filter);
    let _ = tracing_subscriber::registry().with(output).try_init();
}

async fn serve(config: Config) -> anyhow::Result<()> {
    match config.trusted_proxies_line() {
        (true, line) => tracing::warn!("{line}"),
        (false, line) => tracing::info!("{line}"),
    }
    let app = Application::build(config).await?;
    tracing::info!(address = %app.local_addr(), "Écoute is serving");
    if let Some(admin) = app.admin_addr() {
        tracing::info!(address = %admin, "Prometheus metrics at /metrics");
    }
    if let Some(link) = app.setup_link() {
        // Printed, never logged: it is a one-time secret for the operator's eyes.
        println!();
        println!("No staff account exists yet. Create the first administrator within one hour at:");
        println!("    {link}");
        println!("This link works once, and withdraws every link printed before it (by an");
        println!("earlier start, or by another node): only the last one printed works.");
        println!("Or use: ecoute user add --username NAME --role admin");
        println!();
    }
    app.run_until(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("stopping");
}

/// Who runs this command, for the audit log: `uid 1000 (alice)`, or
/// `uid 0 (root, through sudo by alice)`. The uid is the kernel's; the names are what the login
/// or sudo put in the environment (`USER` or `LOGNAME`, and `SUDO_USER`).
pub(crate) fn os_user() -> String {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let name = var("USER").or_else(|| var("LOGNAME"));
    let names = match (name, var("SUDO_USER")) {
        (Some(n), Some(by)) => format!(" ({n}, through sudo by {by})"),
        (None, Some(by)) => format!(" (through sudo by {by})"),
        (Some(n), None) => format!(" ({n})"),
        (None, None) => String::new(),
    };
    match uid() {
        Some(uid) => format!("uid {uid}{names}"),
        None => format!("user{names}"),
    }
}

#[cfg(unix)]
#[allow(unsafe_code)]
fn uid() -> Option<u32> {
    // SAFETY: getuid takes nothing, always succeeds and touches no memory of ours.
    Some(unsafe { libc::getuid() })
}

#[cfg(not(unix))]
fn uid() -> Option<u32> {
    None
}

/// The display name of a new account: the one given, or asked on a terminal. Never the username
/// by default: visitors read it, and "j.martin" is not a name to give a person in distress.
fn display_name_of(given: Option<String>) -> anyhow::Result<String> {
    let name = match given {
        Some(name) => name,
        None if std::io::stdin().is_terminal() => {
            eprint!("Display name, what visitors read (for example \"Agent Martin\"): ");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("cannot read the display name")?;
            line
        }
        None => bail!(
            "--display-name: give the name visitors will read (for example --display-name \"Agent Martin\"); it is not taken from the username"
        ),
    };
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 64 {
        bail!("--display-name: 1 to 64 characters");
    }
    Ok(name)
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (12 to 128 characters): ")?;
        let second = rpassword::prompt_password("Same password again: ")?;
        if first != second {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the password from standard input")?;
        // One trailing line break is the end of the input, not part of the password.
        let text = text
            .strip_suffix('\n')
            .map(|t| t.strip_suffix('\r').unwrap_or(t))
            .unwrap_or(&text);
        Ok(text.to_string())
    }
}

#[cfg(test)]
mod log_cap_tests {
    use super::is_ours;

    #[test]
    fn only_ecoute_crates_may_log_below_info() {
        for ours in [
            "ecoute",
            "ecoute::ws::visitor",
            "ecoute_store_sqlite",
            "ecoute_bus::nats",
        ] {
            assert!(is_ours(ours), "{ours}");
        }
        for theirs in [
            "axum::serve",
            "hyper_util::client",
            "tower_http::trace",
            "sqlx::query",
            "ecoutes",
            "mio::poll",
        ] {
            assert!(!is_ours(theirs), "{theirs}");
        }
    }
}
