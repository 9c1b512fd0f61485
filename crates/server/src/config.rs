//! Configuration: defaults, then an optional TOML file, then `ECOUTE_*` variables, then flags.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

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
    /// Messages one connection may send per minute (bursts allowed up to a third of it).
    pub messages_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_waiting: 500,
            // Generous: victims may share an address with many others (mobile carriers).
            starts_per_source_per_hour: 30,
            logins_per_source_per_quarter: 50,
            messages_per_minute: 60,
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
];

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
        if let Some(v) = env("ECOUTE_MAX_WAITING") {
            config.limits.max_waiting = v
                .parse()
                .with_context(|| format!("ECOUTE_MAX_WAITING: `{v}` is not a number"))?;
        }

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
            bail!("every value under [limits] must be at least 1");
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
}
