//! Configuration: defaults, then an optional TOML file, then `ECOUTE_*` variables, then flags.

mod retention;
mod smtp;
mod staffing;
mod wellbeing;

pub use retention::*;
pub use smtp::*;
pub use staffing::*;
pub use wellbeing::*;

use anyhow::{Context, bail};
use ecoute_domain::{Outcome, RetentionDays, RetentionError, RetentionPolicy, RetentionRule};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Where the database and the master key live.
    pub data_dir: PathBuf,
    /// The origin browsers use to reach us (`https://ecoute.example.fr`). Cookie-authenticated
    /// requests and every WebSocket upgrade must come from it.
    pub public_origin: Option<String>,
    /// Where the quick exit sends the visitor: a neutral page with nothing personal.
    pub neutral_url: String,
    /// The zone staff pages show times in (Europe/Paris by default).
    pub time_zone: crate::zone::ServiceZone,
    /// File holding the master key (base64url); default `DATA_DIR/master.key`, created if absent.
    pub master_key_file: Option<PathBuf>,
    /// `tracing` filter, for example `info` or `ecoute=debug`.
    pub log: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed (empty: the peer is the client).
    pub trusted_proxies: Vec<IpAddr>,
    /// Flood and guessing limits.
    pub limits: Limits,
    /// How long conversations are kept, and how often the purge job runs.
    pub retention: RetentionConfig,
    /// How chats reach officers.
    pub routing: RoutingConfig,
    /// Days during which the officer who closed a chat may read it again (supervisors may read
    /// any closed chat still kept); 0: never.
    pub reread_days: u32,
    /// Hours a forwarded dossier may wait for its unit's acknowledgement ("received") before
    /// the supervisors' board raises an alert (1 to 720).
    pub dossier_ack_hours: u32,
    /// Where the admin listener serves Prometheus metrics (`/metrics`); none when absent.
    /// Keep it on a private address: it is not authenticated.
    pub admin_listen: Option<SocketAddr>,
    /// PostgreSQL instead of the embedded SQLite database (`postgres://…`), for several nodes.
    /// Held privately: it may carry a password, and is never logged.
    pub database_url: Option<DatabaseUrl>,
    /// NATS server carrying events between nodes (`nats://…`); in-process when absent.
    pub nats_url: Option<String>,
    /// Subject prefix on NATS: deployments sharing one NATS server use different ones.
    pub nats_prefix: String,
    /// Where e-mails telling a unit that a dossier waits are sent; notifications are off
    /// when absent.
    pub smtp: Option<SmtpConfig>,
    /// How the staffing plan is made (docs/STAFFING.md).
    pub staffing: StaffingConfig,
    /// Officer wellbeing: exposure window and threshold (docs/WELLBEING.md).
    pub wellbeing: WellbeingConfig,
}

/// A PostgreSQL connection URL. Its `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Accepts `postgres://` and `postgresql://` URLs.
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let url = url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            bail!(
                "`{}` is not a PostgreSQL URL (postgres://user@host:5432/database); leave it \
                 unset for the embedded SQLite database",
                redact(url)
            );
        }
        Ok(Self(url.to_string()))
    }

    /// The URL itself, to connect with.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", redact(&self.0))
    }
}

/// A URL fit for a log: a password between `:` and `@` becomes `***`, as does a NATS token
/// (`nats://TOKEN@host`) and the whole query string (`?password=…` is accepted by PostgreSQL).
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "***".to_string();
    };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, _)) => (rest, "?***"),
        None => (rest, ""),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None if scheme.starts_with("postgres") => format!("{userinfo}@{host}"),
            None => format!("***@{host}"),
        },
        None => authority.to_string(),
    };
    format!("{scheme}://{authority}{path}{query}")
}

fn parse_nats_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim();
    if !(url.starts_with("nats://") || url.starts_with("tls://")) {
        bail!(
            "`{}` is not a NATS URL (nats://host:4222); leave it unset for one node",
            redact(url)
        );
    }
    Ok(url.to_string())
}

/// Whether chats are offered to officers or taken by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutingMode {
    /// Each chat is offered to the best-placed available officer, who has a few seconds to
    /// accept before it moves on. Officers may still take or pick chats.
    Offer,
    /// Officers take the next chat (or pick one) from the queue themselves.
    Pull,
}

/// How chats reach officers (docs/ROUTING.md).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingConfig {
    /// Offer or pull.
    pub mode: RoutingMode,
    /// Seconds an officer has to accept an offer before it goes to the next one.
    pub offer_timeout_secs: u32,
    /// Seconds after which a chat may be taken by any officer, whatever their skills.
    pub overflow_secs: u32,
    /// Seconds without a console after which an officer is paused.
    pub pause_after_secs: u32,
    /// Seconds without a console after which an officer's active chats go back to the queue.
    pub requeue_after_secs: u32,
    /// A risk rules file to use instead of the built-in one.
    pub risk_rules: Option<PathBuf>,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        Self {
            mode: RoutingMode::Offer,
            offer_timeout_secs: 20,
            overflow_secs: 120,
            pause_after_secs: 30,
            requeue_after_secs: 180,
            risk_rules: None,
        }
    }
}

/// Limits against floods and guessing. Addresses are held in memory only, never written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Conversations waiting for an officer, at most; beyond, new ones are refused (503).
    pub max_waiting: u32,
    /// Conversations one source address may start per hour (bursts allowed up to this).
    pub starts_per_source_per_hour: u32,
    /// Login attempts one source address may make per quarter of an hour.
    pub logins_per_source_per_quarter: u32,
    /// Messages (`send` frames) one visitor connection may send per minute, in bursts of a
    /// sixth of it; a staff connection may send twice as many. Other frames have an allowance
    /// of their own, four times larger (PROTOCOL.md §4).
    pub messages_per_minute: u32,
    /// Return codes hashed ahead, in the machine's idle time, so that a start waits for no
    /// argon2id (about 20 ms of a core each); 0: every start hashes its own.
    pub ready_return_codes: u32,
    /// How long, in milliseconds, a message should wait inside the server under load: the
    /// server takes at once as many messages as it answers in that time, and refuses more with
    /// `overloaded` (sent again by the pages). PROTOCOL.md §4, PERFORMANCE.md.
    pub message_wait_ms: u32,
    /// Messages the server always takes at once, however slowly it answered lately.
    pub messages_in_flight: u32,
}

impl Limits {
    /// The message gate these limits describe.
    pub fn gate(&self) -> crate::service::gate::GateSettings {
        crate::service::gate::GateSettings {
            wait: std::time::Duration::from_millis(self.message_wait_ms.into()),
            floor: self.messages_in_flight as usize,
            ..Default::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_waiting: 500,
            // Generous: victims may share an address with many others (mobile carriers).
            starts_per_source_per_hour: 30,
            logins_per_source_per_quarter: 50,
            // Two a second: faster than anyone writes by hand for long (PROTOCOL.md §4).
            messages_per_minute: 120,
            // A surge of a thousand starts at once: about 200 KiB of memory once full, filled
            // in some 20 to 40 s of otherwise idle cores (two threads, 19 MiB each while they
            // hash).
            ready_return_codes: 1000,
            // Room for bursts on a quiet server; under load, 50 ms of what it answers.
            message_wait_ms: 50,
            messages_in_flight: 256,
        }
    }
}

/// The keys a configuration file may hold.
#[derive(Debug, Default, Deserialize)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    public_origin: Option<String>,
    neutral_url: Option<String>,
    time_zone: Option<String>,
    master_key_file: Option<PathBuf>,
    log: Option<String>,
    trusted_proxies: Option<Vec<IpAddr>>,
    limits: Option<Limits>,
    routing: Option<RoutingConfig>,
    admin_listen: Option<String>,
    database_url: Option<String>,
    nats_url: Option<String>,
    nats_prefix: Option<String>,
    reread_days: Option<u32>,
    dossier_ack_hours: Option<u32>,
    /// Checked key by key by [`RetentionConfig::apply_file`], to name each bad or unknown one.
    retention: Option<toml::Value>,
    /// Checked key by key by `SmtpSettings::apply_file`, for the same reason.
    smtp: Option<toml::Value>,
    staffing: Option<StaffingConfig>,
    wellbeing: Option<WellbeingConfig>,
}

const KNOWN_KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "public_origin",
    "neutral_url",
    "time_zone",
    "master_key_file",
    "log",
    "trusted_proxies",
    "limits",
    "routing",
    "admin_listen",
    "database_url",
    "nats_url",
    "nats_prefix",
    "reread_days",
    "dossier_ack_hours",
    "retention",
    "smtp",
    "staffing",
    "wellbeing",
];

/// Hours a dossier may wait for its unit's acknowledgement before the board's alert, by
/// default: one working day and the night after it.
pub const DEFAULT_ACK_ALERT_HOURS: u32 = 24;

/// The shortest `requeue_after_secs` with several nodes.
pub const MIN_REQUEUE_WITH_NODES: u32 = 10;

/// The default neutral page: a weather forecast, with nothing personal on it.
pub const DEFAULT_NEUTRAL_URL: &str = "https://meteofrance.com/";

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".parse().expect("valid default address"),
            data_dir: PathBuf::from("./data"),
            public_origin: None,
            neutral_url: DEFAULT_NEUTRAL_URL.to_string(),
            time_zone: crate::zone::ServiceZone::default(),
            master_key_file: None,
            log: "info".to_string(),
            trusted_proxies: Vec::new(),
            limits: Limits::default(),
            retention: RetentionConfig::default(),
            routing: RoutingConfig::default(),
            reread_days: ecoute_domain::DEFAULT_REREAD_DAYS,
            dossier_ack_hours: DEFAULT_ACK_ALERT_HOURS,
            admin_listen: None,
            database_url: None,
            nats_url: None,
            nats_prefix: "ecoute.v1".to_string(),
            smtp: None,
            staffing: StaffingConfig::default(),
            wellbeing: WellbeingConfig::default(),
        }
    }
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--config FILE`
    pub config_file: Option<PathBuf>,
    /// `--listen ADDR`
    pub listen: Option<String>,
    /// `--data-dir DIR`
    pub data_dir: Option<PathBuf>,
}

impl Config {
    /// The startup log's line on whose `X-Forwarded-For` is believed: the proxies' own
    /// addresses from the configuration, never a client's. A warning when the service is
    /// reached over https (so through a proxy, since it speaks plain HTTP) and no proxy is
    /// trusted: every visitor would then share the proxy's address, and its rate limits.
    pub fn trusted_proxies_line(&self) -> (bool, String) {
        let behind_tls = self
            .public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"));
        if self.trusted_proxies.is_empty() {
            let text = "no trusted proxy: X-Forwarded-For is ignored and each peer's own address \
                        is the client's (trusted_proxies, docs/CONFIGURATION.md)";
            if behind_tls {
                return (
                    true,
                    format!(
                        "{text}; public_origin is https, so a reverse proxy is in front and every \
                         visitor would count as that proxy for the rate limits"
                    ),
                );
            }
            return (false, text.to_string());
        }
        let list: Vec<String> = self
            .trusted_proxies
            .iter()
            .map(|ip| ip.to_string())
            .collect();
        (
            false,
            format!(
                "X-Forwarded-For is believed from these peers only: {} (the client is the last \
                 address in it that is not one of them)",
                list.join(", ")
            ),
        )
    }

    /// Builds the configuration from every source, reporting each bad value clearly.
    /// `env` is passed in so tests do not depend on the process environment.
    pub fn load(
        overrides: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<(Self, Vec<String>)> {
        let mut config = Config::default();
        let mut warnings = Vec::new();
        let mut smtp = SmtpSettings::default();

        let file = overrides
            .config_file
            .clone()
            .or_else(|| env("ECOUTE_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            let (file, unknown) = read_file(&path)?;
            warnings.extend(
                unknown
                    .into_iter()
                    .map(|k| format!("unknown key `{k}` in {} is ignored", path.display())),
            );
            if let Some(v) = file.listen {
                config.listen = parse_listen(&v)?;
            }
            if let Some(v) = file.data_dir {
                config.data_dir = v;
            }
            if let Some(v) = file.admin_listen {
                config.admin_listen = Some(parse_listen(&v).context("admin_listen")?);
            }
            if let Some(v) = &file.database_url {
                config.database_url = Some(DatabaseUrl::parse(v).context("database_url")?);
            }
            if let Some(v) = &file.nats_url {
                config.nats_url = Some(parse_nats_url(v).context("nats_url")?);
            }
            if let Some(v) = file.nats_prefix {
                config.nats_prefix = v;
            }
            if let Some(v) = file.reread_days {
                config.reread_days = v;
            }
            if let Some(v) = file.dossier_ack_hours {
                config.dossier_ack_hours = v;
            }
            config.public_origin = file.public_origin.or(config.public_origin);
            if let Some(v) = file.neutral_url {
                config.neutral_url = v;
            }
            if let Some(v) = &file.time_zone {
                config.time_zone = crate::zone::ServiceZone::parse(v).context("time_zone")?;
            }
            config.master_key_file = file.master_key_file.or(config.master_key_file);
            if let Some(v) = file.log {
                config.log = v;
            }
            if let Some(v) = file.trusted_proxies {
                config.trusted_proxies = v;
            }
            if let Some(v) = file.limits {
                config.limits = v;
            }
            if let Some(v) = file.routing {
                config.routing = v;
            }
            if let Some(v) = file.staffing {
                config.staffing = v;
            }
            if let Some(v) = file.wellbeing {
                config.wellbeing = v;
            }
            if let Some(v) = &file.retention {
                let unknown = config.retention.apply_file(v, &path)?;
                warnings.extend(
                    unknown
                        .into_iter()
                        .map(|k| format!("unknown key `{k}` in {} is ignored", path.display())),
                );
            }
            if let Some(v) = &file.smtp {
                let unknown = smtp.apply_file(v, &path)?;
                warnings.extend(
                    unknown
                        .into_iter()
                        .map(|k| format!("unknown key `{k}` in {} is ignored", path.display())),
                );
            }
        }

        if let Some(v) = env("ECOUTE_LISTEN") {
            config.listen = parse_listen(&v).context("ECOUTE_LISTEN")?;
        }
        if let Some(v) = env("ECOUTE_DATA_DIR") {
            config.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("ECOUTE_PUBLIC_ORIGIN") {
            config.public_origin = Some(v);
        }
        if let Some(v) = env("ECOUTE_NEUTRAL_URL") {
            config.neutral_url = v;
        }
        if let Some(v) = env("ECOUTE_TIME_ZONE") {
            config.time_zone = crate::zone::ServiceZone::parse(&v).context("ECOUTE_TIME_ZONE")?;
        }
        if let Some(v) = env("ECOUTE_MASTER_KEY_FILE") {
            config.master_key_file = Some(PathBuf::from(v));
        }
        if let Some(v) = env("ECOUTE_LOG") {
            config.log = v;
        }
        if let Some(v) = env("ECOUTE_TRUSTED_PROXIES") {
            config.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse()
                        .with_context(|| format!("ECOUTE_TRUSTED_PROXIES: `{s}` is not an address"))
                })
                .collect::<anyhow::Result<_>>()?;
        }
        if let Some(v) = env("ECOUTE_ADMIN_LISTEN") {
            config.admin_listen = Some(parse_listen(&v).context("ECOUTE_ADMIN_LISTEN")?);
        }
        if let Some(v) = env("ECOUTE_DATABASE_URL").filter(|v| !v.trim().is_empty()) {
            config.database_url = Some(DatabaseUrl::parse(&v).context("ECOUTE_DATABASE_URL")?);
        }
        if let Some(v) = env("ECOUTE_NATS_URL").filter(|v| !v.trim().is_empty()) {
            config.nats_url = Some(parse_nats_url(&v).context("ECOUTE_NATS_URL")?);
        }
        if let Some(v) = env("ECOUTE_NATS_PREFIX") {
            config.nats_prefix = v.trim().to_string();
        }
        if let Some(v) = env("ECOUTE_REREAD_DAYS") {
            config.reread_days = v
                .trim()
                .parse()
                .with_context(|| format!("ECOUTE_REREAD_DAYS: `{v}` is not a number of days"))?;
        }
        if let Some(v) = env("ECOUTE_DOSSIER_ACK_HOURS") {
            config.dossier_ack_hours = v.trim().parse().with_context(|| {
                format!("ECOUTE_DOSSIER_ACK_HOURS: `{v}` is not a number of hours")
            })?;
        }
        if let Some(v) = env("ECOUTE_MAX_WAITING") {
            config.limits.max_waiting = v
                .parse()
                .with_context(|| format!("ECOUTE_MAX_WAITING: `{v}` is not a number"))?;
        }
        if let Some(v) = env("ECOUTE_ROUTING_MODE") {
            config.routing.mode = match v.trim() {
                "offer" => RoutingMode::Offer,
                "pull" => RoutingMode::Pull,
                other => bail!("ECOUTE_ROUTING_MODE: `{other}` is neither `offer` nor `pull`"),
            };
        }
        config.retention.apply_env(env)?;
        smtp.apply_env(env)?;
        config.staffing.apply_env(env)?;
        config.wellbeing.apply_env(env)?;

        if let Some(v) = &overrides.listen {
            config.listen = parse_listen(v).context("--listen")?;
        }
        if let Some(v) = &overrides.data_dir {
            config.data_dir = v.clone();
        }

        config.validate()?;
        // After `validate`, which gives `public_origin` its final form the desk URL builds on.
        config.smtp = smtp.finish(config.public_origin.as_deref(), &mut warnings)?;
        Ok((config, warnings))
    }

    fn validate(&mut self) -> anyhow::Result<()> {
        self.staffing.validate()?;
        self.wellbeing.validate()?;
        if !(1..=720).contains(&self.dossier_ack_hours) {
            bail!(
                "dossier_ack_hours is 1 to 720 (thirty days): how long a dossier may wait for its \
                 unit's acknowledgement before the supervisors are alerted"
            );
        }
        if self.reread_days > 3650 {
            bail!(
                "reread_days is at most 3650 (ten years); the retention settings decide how long \
                 a chat is kept at all"
            );
        }
        let l = &self.limits;
        if l.max_waiting == 0
            || l.starts_per_source_per_hour == 0
            || l.logins_per_source_per_quarter == 0
            || l.messages_per_minute == 0
            || l.message_wait_ms == 0
            || l.messages_in_flight == 0
        {
            bail!(
                "max_waiting, starts_per_source_per_hour, logins_per_source_per_quarter, \
                 messages_per_minute, message_wait_ms and messages_in_flight under [limits] \
                 must each be at least 1"
            );
        }
        let r = &self.routing;
        if r.offer_timeout_secs == 0 || r.pause_after_secs == 0 || r.overflow_secs == 0 {
            bail!(
                "routing.offer_timeout_secs, overflow_secs and pause_after_secs must be at least 1"
            );
        }
        if r.requeue_after_secs <= r.pause_after_secs {
            bail!(
                "routing.requeue_after_secs ({}) must be longer than routing.pause_after_secs ({})",
                r.requeue_after_secs,
                r.pause_after_secs
            );
        }
        // A node learns that an officer is at a console elsewhere within DESK_STALE (7 s);
        // giving chats back sooner could take them from someone who is there.
        if self.nats_url.is_some() && r.requeue_after_secs < MIN_REQUEUE_WITH_NODES {
            bail!(
                "routing.requeue_after_secs ({}) must be at least {MIN_REQUEUE_WITH_NODES} with \
                 several nodes (nats_url): nodes hear of each other's consoles every few seconds",
                r.requeue_after_secs
            );
        }
        if let Some(origin) = &self.public_origin {
            let trimmed = origin.trim_end_matches('/').to_string();
            if !(trimmed.starts_with("http://") || trimmed.starts_with("https://"))
                || trimmed["https://".len().min(trimmed.len())..].contains('/')
            {
                bail!(
                    "public_origin must be a scheme and host, like https://ecoute.example.fr (got {origin})"
                );
            }
            self.public_origin = Some(trimmed);
        }
        if !(self.neutral_url.starts_with("https://") || self.neutral_url.starts_with("http://")) {
            bail!(
                "neutral_url must be an http(s) address (got {})",
                self.neutral_url
            );
        }
        Ok(())
    }

    /// The origins accepted for WebSocket upgrades and cookie-authenticated changes.
    /// Without `public_origin`, the address we listen on (and `localhost` for a loopback one).
    pub fn allowed_origins(&self, port: u16) -> Vec<String> {
        if let Some(origin) = &self.public_origin {
            return vec![origin.clone()];
        }
        let ip = self.listen.ip();
        let mut origins = vec![format!("http://{}", SocketAddr::new(ip, port))];
        if ip.is_loopback() {
            origins.push(format!("http://localhost:{port}"));
        }
        origins
    }

    /// Whether cookies must be `Secure` (served over https).
    pub fn secure_cookies(&self) -> bool {
        self.public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"))
    }

    /// Where the master key file is.
    pub fn master_key_path(&self) -> PathBuf {
        self.master_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("master.key"))
    }
}

fn parse_listen(v: &str) -> anyhow::Result<SocketAddr> {
    v.parse()
        .with_context(|| format!("`{v}` is not an address like 127.0.0.1:8080"))
}

fn read_file(path: &Path) -> anyhow::Result<(FileConfig, Vec<String>)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read configuration file {}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;
    let unknown = table
        .keys()
        .filter(|k| !KNOWN_KEYS.contains(&k.as_str()))
        .cloned()
        .collect();
    let file: FileConfig = toml::Value::Table(table)
        .try_into()
        .with_context(|| format!("{} has a value of the wrong type", path.display()))?;
    Ok((file, unknown))
}

#[cfg(test)]
mod tests;
