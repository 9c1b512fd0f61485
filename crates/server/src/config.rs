//! Configuration: defaults, then an optional TOML file, then `ECOUTE_*` variables, then flags.

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

/// How long conversations are kept, and how often the purge job looks for those to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionConfig {
    /// Retention periods per outcome, a default, and one for conversations never closed.
    pub policy: RetentionPolicy,
    /// Time between two runs of the purge job.
    pub purge_interval: Duration,
}

/// The default time between two runs of the purge job: one hour.
pub const DEFAULT_PURGE_INTERVAL_SECS: u64 = 3600;

/// The longest time between two runs: one day, so a conversation is never kept more than a
/// day past its period.
pub const MAX_PURGE_INTERVAL_SECS: u64 = 86_400;

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            policy: RetentionPolicy::default(),
            purge_interval: Duration::from_secs(DEFAULT_PURGE_INTERVAL_SECS),
        }
    }
}

/// One setting of the `[retention]` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RetentionKey {
    /// `<outcome>_days`
    Outcome(Outcome),
    /// `default_days`: outcomes without a period of their own.
    Default,
    /// `unclosed_days`
    Unclosed,
    /// `purge_interval_secs`
    Interval,
}

impl RetentionKey {
    fn all() -> impl Iterator<Item = Self> {
        Outcome::ALL.into_iter().map(Self::Outcome).chain([
            Self::Default,
            Self::Unclosed,
            Self::Interval,
        ])
    }

    /// The key in the `[retention]` table of the file.
    fn name(self) -> String {
        match self {
            Self::Outcome(o) => format!("{}_days", o.as_str()),
            Self::Default => "default_days".into(),
            Self::Unclosed => "unclosed_days".into(),
            Self::Interval => "purge_interval_secs".into(),
        }
    }

    /// The environment variable.
    fn variable(self) -> String {
        format!("ECOUTE_RETENTION_{}", self.name().to_ascii_uppercase())
    }
}

/// Why a retention setting was refused; the message names the setting.
#[derive(Debug, thiserror::Error)]
pub enum RetentionSettingError {
    /// Not an integer at all.
    #[error("{setting} must be a whole number (got {got})")]
    NotANumber {
        /// Where the value came from: `retention.x in FILE` or `ECOUTE_RETENTION_X`.
        setting: String,
        /// The value as given.
        got: String,
    },
    /// A number of days out of range.
    #[error("{setting}: {reason}")]
    Days {
        /// Where the value came from.
        setting: String,
        /// Why it is refused.
        reason: RetentionError,
    },
    /// A purge interval out of range.
    #[error("{setting} must be from 1 to {MAX_PURGE_INTERVAL_SECS} seconds (got {got})")]
    Interval {
        /// Where the value came from.
        setting: String,
        /// The value as given.
        got: i64,
    },
    /// `retention` is not a table.
    #[error("retention in {0} must be a table: [retention]")]
    NotATable(String),
}

impl RetentionConfig {
    /// Applies one setting, checking its range.
    fn set(
        &mut self,
        key: RetentionKey,
        value: i64,
        setting: String,
    ) -> Result<(), RetentionSettingError> {
        let days = || {
            RetentionDays::new(value).map_err(|reason| RetentionSettingError::Days {
                setting: setting.clone(),
                reason,
            })
        };
        match key {
            RetentionKey::Outcome(o) => {
                self.policy = self.policy.clone().with_outcome(o, days()?);
            }
            RetentionKey::Default => {
                self.policy = self.policy.clone().with_closed_default(days()?);
            }
            RetentionKey::Unclosed => {
                self.policy = self.policy.clone().with_unclosed(days()?);
            }
            RetentionKey::Interval => match u64::try_from(value) {
                Ok(secs) if (1..=MAX_PURGE_INTERVAL_SECS).contains(&secs) => {
                    self.purge_interval = Duration::from_secs(secs);
                }
                _ => {
                    return Err(RetentionSettingError::Interval {
                        setting,
                        got: value,
                    });
                }
            },
        }
        Ok(())
    }

    /// Applies the `[retention]` table of a file; returns its unknown keys.
    fn apply_file(
        &mut self,
        value: &toml::Value,
        path: &Path,
    ) -> Result<Vec<String>, RetentionSettingError> {
        let table = value
            .as_table()
            .ok_or_else(|| RetentionSettingError::NotATable(path.display().to_string()))?;
        let mut unknown = Vec::new();
        for (name, value) in table {
            let Some(key) = RetentionKey::all().find(|k| k.name() == *name) else {
                unknown.push(format!("retention.{name}"));
                continue;
            };
            let setting = format!("retention.{name} in {}", path.display());
            let Some(number) = value.as_integer() else {
                return Err(RetentionSettingError::NotANumber {
                    setting,
                    got: value.to_string(),
                });
            };
            self.set(key, number, setting)?;
        }
        Ok(unknown)
    }

    /// Applies the `ECOUTE_RETENTION_*` variables.
    fn apply_env(
        &mut self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), RetentionSettingError> {
        for key in RetentionKey::all() {
            let variable = key.variable();
            let Some(text) = env(&variable) else {
                continue;
            };
            let number =
                text.trim()
                    .parse::<i64>()
                    .map_err(|_| RetentionSettingError::NotANumber {
                        setting: variable.clone(),
                        got: format!("`{text}`"),
                    })?;
            self.set(key, number, variable)?;
        }
        Ok(())
    }

    /// The setting that gives `rule` its period, as an operator would write it in the file:
    /// `report_forwarded_days = 2190`, `default_days = 365`, `unclosed_days = 365`.
    pub fn setting_of(&self, rule: RetentionRule) -> String {
        let key = match rule {
            RetentionRule::Closed(o) if self.policy.own_period(o).is_some() => {
                RetentionKey::Outcome(o)
            }
            RetentionRule::Closed(_) => RetentionKey::Default,
            RetentionRule::Unclosed => RetentionKey::Unclosed,
        };
        format!("{} = {}", key.name(), self.policy.days(rule).get())
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
    master_key_file: Option<PathBuf>,
    log: Option<String>,
    trusted_proxies: Option<Vec<IpAddr>>,
    limits: Option<Limits>,
    routing: Option<RoutingConfig>,
    admin_listen: Option<String>,
    database_url: Option<String>,
    nats_url: Option<String>,
    nats_prefix: Option<String>,
    /// Checked key by key by [`RetentionConfig::apply_file`], to name each bad or unknown one.
    retention: Option<toml::Value>,
}

const KNOWN_KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "public_origin",
    "neutral_url",
    "master_key_file",
    "log",
    "trusted_proxies",
    "limits",
    "routing",
    "admin_listen",
    "database_url",
    "nats_url",
    "nats_prefix",
    "retention",
];

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
            master_key_file: None,
            log: "info".to_string(),
            trusted_proxies: Vec::new(),
            limits: Limits::default(),
            retention: RetentionConfig::default(),
            routing: RoutingConfig::default(),
            admin_listen: None,
            database_url: None,
            nats_url: None,
            nats_prefix: "ecoute.v1".to_string(),
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
    /// Builds the configuration from every source, reporting each bad value clearly.
    /// `env` is passed in so tests do not depend on the process environment.
    pub fn load(
        overrides: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<(Self, Vec<String>)> {
        let mut config = Config::default();
        let mut warnings = Vec::new();

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
            config.public_origin = file.public_origin.or(config.public_origin);
            if let Some(v) = file.neutral_url {
                config.neutral_url = v;
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
            if let Some(v) = &file.retention {
                let unknown = config.retention.apply_file(v, &path)?;
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

        if let Some(v) = &overrides.listen {
            config.listen = parse_listen(v).context("--listen")?;
        }
        if let Some(v) = &overrides.data_dir {
            config.data_dir = v.clone();
        }

        config.validate()?;
        Ok((config, warnings))
    }

    fn validate(&mut self) -> anyhow::Result<()> {
        let l = &self.limits;
        if l.max_waiting == 0
            || l.starts_per_source_per_hour == 0
            || l.logins_per_source_per_quarter == 0
            || l.messages_per_minute == 0
        {
            bail!(
                "max_waiting, starts_per_source_per_hour, logins_per_source_per_quarter and \
                 messages_per_minute under [limits] must each be at least 1"
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
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn the_database_and_the_bus_are_embedded_unless_urls_are_given() {
        let (c, _) = Config::load(&Overrides::default(), &env_of(&[])).unwrap();
        assert!(c.database_url.is_none() && c.nats_url.is_none());
        let (c, _) = Config::load(
            &Overrides::default(),
            &env_of(&[
                (
                    "ECOUTE_DATABASE_URL",
                    "postgres://ecoute:s3cret@db:5432/ecoute",
                ),
                ("ECOUTE_NATS_URL", "nats://bus:4222"),
            ]),
        )
        .unwrap();
        let url = c.database_url.unwrap();
        assert_eq!(url.expose(), "postgres://ecoute:s3cret@db:5432/ecoute");
        assert!(
            !format!("{url:?}").contains("s3cret"),
            "the password never reaches a log"
        );
        assert_eq!(c.nats_url.as_deref(), Some("nats://bus:4222"));
    }

    #[test]
    fn with_several_nodes_chats_wait_long_enough_for_the_nodes_to_hear_of_each_others_consoles() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ecoute.toml");
        std::fs::write(
            &file,
            "[routing]\npause_after_secs = 1\nrequeue_after_secs = 5\n",
        )
        .unwrap();
        let with_file = Overrides {
            config_file: Some(file),
            ..Default::default()
        };
        assert!(Config::load(&with_file, &env_of(&[])).is_ok(), "one node");
        let e = Config::load(
            &with_file,
            &env_of(&[("ECOUTE_NATS_URL", "nats://bus:4222")]),
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("requeue_after_secs"));
    }

    #[test]
    fn a_database_or_bus_url_of_another_kind_is_refused_without_its_password() {
        let e = Config::load(
            &Overrides::default(),
            &env_of(&[("ECOUTE_DATABASE_URL", "mysql://root:hunter2@db/ecoute")]),
        )
        .unwrap_err();
        let shown = format!("{e:#}");
        assert!(shown.contains("ECOUTE_DATABASE_URL") && shown.contains("PostgreSQL"));
        assert!(!shown.contains("hunter2"), "{shown}");
        let e = Config::load(
            &Overrides::default(),
            &env_of(&[("ECOUTE_NATS_URL", "http://bus:4222")]),
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("ECOUTE_NATS_URL"));
        for (url, shown) in [
            (
                "postgres://ecoute@db/ecoute?password=hunter2&sslmode=require",
                "postgres://ecoute@db/ecoute?***",
            ),
            ("nats://s3cr3tt0ken@bus:4222", "nats://***@bus:4222"),
            ("nats://user:pw@bus:4222", "nats://user:***@bus:4222"),
            ("db.internal:5432", "***"),
        ] {
            assert_eq!(redact(url), shown);
        }
    }

    #[test]
    fn defaults_listen_on_loopback_8080_with_data_in_dot_data() {
        let (c, w) = Config::load(&Overrides::default(), &env_of(&[])).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert!(w.is_empty());
        assert_eq!(
            c.allowed_origins(8080),
            vec!["http://127.0.0.1:8080", "http://localhost:8080"]
        );
        assert!(!c.secure_cookies());
    }

    #[test]
    fn the_file_is_overridden_by_the_environment_which_is_overridden_by_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ecoute.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\ndata_dir = \"/from/file\"\nneutral_url = \"https://example.org/\"\ncolour = \"blue\"\n",
        )
        .unwrap();
        let over = Overrides {
            config_file: Some(file),
            listen: Some("127.0.0.1:9002".into()),
            data_dir: None,
        };
        let (c, w) = Config::load(
            &over,
            &env_of(&[
                ("ECOUTE_LISTEN", "127.0.0.1:9001"),
                ("ECOUTE_DATA_DIR", "/from/env"),
            ]),
        )
        .unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:9002");
        assert_eq!(c.data_dir, PathBuf::from("/from/env"));
        assert_eq!(c.neutral_url, "https://example.org/");
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("colour"));
    }

    #[test]
    fn bad_values_are_refused_with_a_clear_reason() {
        let e =
            Config::load(&Overrides::default(), &env_of(&[("ECOUTE_LISTEN", "nope")])).unwrap_err();
        assert!(format!("{e:#}").contains("ECOUTE_LISTEN"));
        let e = Config::load(
            &Overrides::default(),
            &env_of(&[("ECOUTE_PUBLIC_ORIGIN", "https://x.fr/path")]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("public_origin"));
        let e = Config::load(
            &Overrides::default(),
            &env_of(&[("ECOUTE_NEUTRAL_URL", "javascript:alert(1)")]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("neutral_url"));
    }

    #[test]
    fn limits_and_trusted_proxies_come_from_the_file_and_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ecoute.toml");
        std::fs::write(
            &file,
            "trusted_proxies = [\"127.0.0.1\"]\n[limits]\nmax_waiting = 7\nmessages_per_minute = 30\n",
        )
        .unwrap();
        let over = Overrides {
            config_file: Some(file.clone()),
            ..Overrides::default()
        };
        let (c, w) = Config::load(&over, &env_of(&[])).unwrap();
        assert!(w.is_empty());
        assert_eq!(
            c.trusted_proxies,
            vec!["127.0.0.1".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(c.limits.max_waiting, 7);
        assert_eq!(c.limits.messages_per_minute, 30);
        assert_eq!(
            c.limits.starts_per_source_per_hour,
            Limits::default().starts_per_source_per_hour
        );
        let (c, _) = Config::load(
            &over,
            &env_of(&[
                ("ECOUTE_TRUSTED_PROXIES", "10.0.0.1, ::1"),
                ("ECOUTE_MAX_WAITING", "3"),
            ]),
        )
        .unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        assert_eq!(c.limits.max_waiting, 3);
        std::fs::write(&file, "[limits]\nmax_waiting = 0\n").unwrap();
        assert!(
            Config::load(&over, &env_of(&[]))
                .unwrap_err()
                .to_string()
                .contains("[limits]")
        );
        std::fs::write(&file, "[limits]\nmax_wait = 3\n").unwrap();
        assert!(
            Config::load(&over, &env_of(&[])).is_err(),
            "a misspelt limit is an error"
        );
    }

    #[test]
    fn a_public_https_origin_is_the_only_one_allowed_and_makes_cookies_secure() {
        let (c, _) = Config::load(
            &Overrides::default(),
            &env_of(&[("ECOUTE_PUBLIC_ORIGIN", "https://ecoute.example.fr/")]),
        )
        .unwrap();
        assert_eq!(c.allowed_origins(8080), vec!["https://ecoute.example.fr"]);
        assert!(c.secure_cookies());
    }

    #[test]
    fn routing_comes_from_the_file_then_the_environment_and_bad_delays_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ecoute.toml");
        std::fs::write(
            &file,
            "[routing]\nmode = \"pull\"\noffer_timeout_secs = 15\nrequeue_after_secs = 600\n",
        )
        .unwrap();
        let with_file = Overrides {
            config_file: Some(file.clone()),
            ..Overrides::default()
        };
        let (c, _) = Config::load(&with_file, &env_of(&[])).unwrap();
        assert_eq!(c.routing.mode, RoutingMode::Pull);
        assert_eq!(c.routing.offer_timeout_secs, 15);
        assert_eq!(c.routing.requeue_after_secs, 600);
        assert_eq!(c.routing.pause_after_secs, 30, "default kept");
        let (c, _) =
            Config::load(&with_file, &env_of(&[("ECOUTE_ROUTING_MODE", "offer")])).unwrap();
        assert_eq!(c.routing.mode, RoutingMode::Offer);
        let e = Config::load(&with_file, &env_of(&[("ECOUTE_ROUTING_MODE", "push")])).unwrap_err();
        assert!(format!("{e:#}").contains("ECOUTE_ROUTING_MODE"));

        std::fs::write(
            &file,
            "[routing]\npause_after_secs = 60\nrequeue_after_secs = 60\n",
        )
        .unwrap();
        let e = Config::load(&with_file, &env_of(&[])).unwrap_err();
        assert!(format!("{e:#}").contains("requeue_after_secs"), "{e:#}");
        std::fs::write(&file, "[routing]\nmode = \"random\"\n").unwrap();
        assert!(Config::load(&with_file, &env_of(&[])).is_err());
        let (c, _) = Config::load(&Overrides::default(), &env_of(&[])).unwrap();
        assert_eq!(c.routing.mode, RoutingMode::Offer, "offers by default");
    }

    fn days_of(c: &Config, rule: RetentionRule) -> u32 {
        c.retention.policy.days(rule).get()
    }

    #[test]
    fn retention_defaults_follow_the_french_rules() {
        let (c, _) = Config::load(&Overrides::default(), &env_of(&[])).unwrap();
        for outcome in Outcome::ALL {
            let want = match outcome {
                Outcome::ReportForwarded | Outcome::InterventionRequested => 2190,
                _ => 365,
            };
            assert_eq!(
                days_of(&c, RetentionRule::Closed(outcome)),
                want,
                "{outcome:?}"
            );
        }
        assert_eq!(days_of(&c, RetentionRule::Unclosed), 365);
        assert_eq!(c.retention.purge_interval, Duration::from_secs(3600));
    }

    #[test]
    fn retention_settings_come_from_the_file_then_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ecoute.toml");
        std::fs::write(
            &file,
            "[retention]\nvisitor_left_days = 30\nreport_forwarded_days = 3000\nunclosed_days = 90\npurge_interval_secs = 600\n",
        )
        .unwrap();
        let over = Overrides {
            config_file: Some(file),
            ..Overrides::default()
        };
        let (c, w) = Config::load(
            &over,
            &env_of(&[
                ("ECOUTE_RETENTION_UNCLOSED_DAYS", "60"),
                ("ECOUTE_RETENTION_INFORMATION_GIVEN_DAYS", " 200 "),
            ]),
        )
        .unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(days_of(&c, RetentionRule::Closed(Outcome::VisitorLeft)), 30);
        assert_eq!(
            days_of(&c, RetentionRule::Closed(Outcome::ReportForwarded)),
            3000
        );
        assert_eq!(
            days_of(&c, RetentionRule::Closed(Outcome::InformationGiven)),
            200
        );
        assert_eq!(days_of(&c, RetentionRule::Unclosed), 60);
        assert_eq!(c.retention.purge_interval, Duration::from_secs(600));
    }

    #[test]
    fn default_days_applies_to_every_outcome_without_a_period_of_its_own() {
        let (c, _) = Config::load(
            &Overrides::default(),
            &env_of(&[("ECOUTE_RETENTION_DEFAULT_DAYS", "100")]),
        )
        .unwrap();
        assert_eq!(
            days_of(&c, RetentionRule::Closed(Outcome::InformationGiven)),
            100
        );
        assert_eq!(
            c.retention
                .setting_of(RetentionRule::Closed(Outcome::VisitorLeft)),
            "default_days = 100"
        );
        // Forwarded reports and interventions keep their own six years.
        assert_eq!(
            days_of(&c, RetentionRule::Closed(Outcome::ReportForwarded)),
            2190
        );
        assert_eq!(
            c.retention
                .setting_of(RetentionRule::Closed(Outcome::ReportForwarded)),
            "report_forwarded_days = 2190"
        );
        assert_eq!(
            c.retention.setting_of(RetentionRule::Unclosed),
            "unclosed_days = 365"
        );
    }

    #[test]
    fn retention_values_must_be_positive_whole_numbers_in_range_and_errors_name_the_setting() {
        for (variable, value, says) in [
            ("ECOUTE_RETENTION_UNCLOSED_DAYS", "0", "from 1 to 36500"),
            ("ECOUTE_RETENTION_DEFAULT_DAYS", "-1", "from 1 to 36500"),
            (
                "ECOUTE_RETENTION_REPORT_FORWARDED_DAYS",
                "36501",
                "got 36501",
            ),
            (
                "ECOUTE_RETENTION_VISITOR_LEFT_DAYS",
                "a year",
                "whole number",
            ),
            ("ECOUTE_RETENTION_VISITOR_LEFT_DAYS", "1.5", "whole number"),
            (
                "ECOUTE_RETENTION_PURGE_INTERVAL_SECS",
                "0",
                "from 1 to 86400 seconds",
            ),
            ("ECOUTE_RETENTION_PURGE_INTERVAL_SECS", "86401", "got 86401"),
        ] {
            let e = Config::load(&Overrides::default(), &env_of(&[(variable, value)]))
                .expect_err(value);
            let text = format!("{e:#}");
            assert!(text.contains(variable), "{text}");
            assert!(text.contains(says), "{text}");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ecoute.toml");
        for (body, says) in [
            (
                "[retention]\nunclosed_days = \"365\"\n",
                "retention.unclosed_days",
            ),
            ("[retention]\nreferred_to_support_days = -3\n", "got -3"),
            ("retention = 365\n", "must be a table"),
        ] {
            std::fs::write(&file, body).unwrap();
            let over = Overrides {
                config_file: Some(file.clone()),
                ..Overrides::default()
            };
            let e = Config::load(&over, &env_of(&[])).expect_err(body);
            assert!(format!("{e:#}").contains(says), "{e:#}");
        }
    }

    #[test]
    fn unknown_retention_keys_are_warned_about_and_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ecoute.toml");
        std::fs::write(&file, "[retention]\nforever = 1\nunclosed_days = 10\n").unwrap();
        let over = Overrides {
            config_file: Some(file),
            ..Overrides::default()
        };
        let (c, w) = Config::load(&over, &env_of(&[])).unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("retention.forever"), "{w:?}");
        assert_eq!(days_of(&c, RetentionRule::Unclosed), 10);
    }
}
