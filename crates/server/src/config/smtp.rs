//! The `[smtp]` section: where e-mails telling a unit that a dossier waits are sent from.
//!
//! Absent section and no `ECOUTE_SMTP_*` variable: notifications are off, and units see new
//! dossiers on their desk only.

use super::*;

/// The default submission port (STARTTLS).
pub const DEFAULT_SMTP_PORT: u16 = 587;

/// Where the desk lives under `public_origin` when `smtp.desk_url` is not given.
pub const DEFAULT_DESK_PATH: &str = "/desk";

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required (refused if not offered).
    StartTls,
    /// TLS from the first byte ("implicit TLS", usually port 465).
    Tls,
    /// No encryption at all: only for a relay on this machine or its private network.
    None,
}

impl SmtpSecurity {
    fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "starttls" => Some(Self::StartTls),
            "tls" => Some(Self::Tls),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// The SMTP password. Its `Debug` hides it and its memory is wiped when dropped.
#[derive(Clone)]
pub struct SmtpPassword(zeroize::Zeroizing<String>);

impl SmtpPassword {
    /// Wraps a password.
    pub fn new(password: String) -> Self {
        Self(zeroize::Zeroizing::new(password))
    }

    /// The password itself, to authenticate with.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SmtpPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpPassword(***)")
    }
}

/// A complete, checked `[smtp]` configuration.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Host name of the SMTP server; also the name its certificate must carry.
    pub host: String,
    /// Its port (587 unless given).
    pub port: u16,
    /// STARTTLS, implicit TLS or nothing.
    pub security: SmtpSecurity,
    /// User name to authenticate with, if the server asks for one.
    pub username: Option<String>,
    /// The password that goes with `username`.
    pub password: Option<SmtpPassword>,
    /// The sender, `Écoute <ne-pas-repondre@ecoute.example>` or a bare address.
    pub from: String,
    /// The unit desk's address, given in the message (`https://ecoute.example/desk`).
    pub desk_url: String,
}

/// The `[smtp]` settings as read from the file and the environment, before they are checked
/// together (a file may give the host and the environment the password).
#[derive(Debug, Default, Clone)]
pub(super) struct SmtpSettings {
    host: Option<String>,
    port: Option<u16>,
    security: Option<SmtpSecurity>,
    username: Option<String>,
    password: Option<SmtpPassword>,
    password_file: Option<PathBuf>,
    from: Option<String>,
    desk_url: Option<String>,
}

/// The keys of the `[smtp]` table; each is also `ECOUTE_SMTP_<KEY>` in capitals.
pub(super) const SMTP_KEYS: &[&str] = &[
    "host",
    "port",
    "security",
    "username",
    "password",
    "password_file",
    "from",
    "desk_url",
];

impl SmtpSettings {
    /// Whether anything at all was set: if not, notifications are off.
    fn is_empty(&self) -> bool {
        self.host.is_none()
            && self.port.is_none()
            && self.security.is_none()
            && self.username.is_none()
            && self.password.is_none()
            && self.password_file.is_none()
            && self.from.is_none()
            && self.desk_url.is_none()
    }

    /// Sets one key from its text; `setting` names where it came from, for the error.
    fn set(&mut self, key: &str, text: &str, setting: &str) -> anyhow::Result<()> {
        match key {
            "host" => self.host = Some(text.trim().to_string()),
            "port" => {
                let port = text
                    .trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .with_context(|| format!("{setting}: `{text}` is not a port (1 to 65535)"))?;
                self.port = Some(port);
            }
            "security" => {
                self.security = Some(SmtpSecurity::parse(text).with_context(|| {
                    format!("{setting}: `{text}` is none of `starttls`, `tls`, `none`")
                })?);
            }
            "username" => self.username = Some(text.to_string()),
            // Never echoed in an error: it is a secret.
            "password" => self.password = Some(SmtpPassword::new(text.to_string())),
            "password_file" => self.password_file = Some(PathBuf::from(text.trim())),
            "from" => self.from = Some(text.trim().to_string()),
            "desk_url" => self.desk_url = Some(text.trim().to_string()),
            _ => unreachable!("only keys of SMTP_KEYS are set"),
        }
        Ok(())
    }

    /// Applies the `[smtp]` table of a file; returns its unknown keys.
    pub(super) fn apply_file(
        &mut self,
        value: &toml::Value,
        path: &Path,
    ) -> anyhow::Result<Vec<String>> {
        let Some(table) = value.as_table() else {
            bail!("smtp in {} must be a table: [smtp]", path.display());
        };
        let mut unknown = Vec::new();
        for (name, value) in table {
            if !SMTP_KEYS.contains(&name.as_str()) {
                unknown.push(format!("smtp.{name}"));
                continue;
            }
            let setting = format!("smtp.{name} in {}", path.display());
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(n) if name == "port" => n.to_string(),
                _ if name == "password" => bail!("{setting} must be a string"),
                other => bail!("{setting} must be a string (got {other})"),
            };
            self.set(name, &text, &setting)?;
        }
        Ok(unknown)
    }

    /// Applies the `ECOUTE_SMTP_*` variables; an empty one counts as unset.
    pub(super) fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        for key in SMTP_KEYS {
            let variable = format!("ECOUTE_SMTP_{}", key.to_ascii_uppercase());
            if let Some(text) = env(&variable).filter(|v| !v.trim().is_empty()) {
                self.set(key, &text, &variable)?;
            }
        }
        Ok(())
    }

    /// Checks the settings together. `None` when nothing was set (notifications off); the
    /// warnings go to the log at start-up.
    pub(super) fn finish(
        self,
        public_origin: Option<&str>,
        warnings: &mut Vec<String>,
    ) -> anyhow::Result<Option<SmtpConfig>> {
        if self.is_empty() {
            return Ok(None);
        }
        let host = self
            .host
            .filter(|h| !h.is_empty())
            .context("smtp.host (ECOUTE_SMTP_HOST) is required once any smtp setting is given")?;
        let from = self
            .from
            .filter(|f| !f.is_empty())
            .context("smtp.from (ECOUTE_SMTP_FROM) is required: the sender of notifications")?;
        if !from.contains('@') {
            bail!("smtp.from must be an e-mail address (got {from})");
        }
        let password = match (self.password, self.password_file) {
            (Some(_), Some(_)) => {
                bail!("give smtp.password or smtp.password_file, not both")
            }
            (Some(p), None) => Some(p),
            (None, Some(path)) => Some(read_password(&path)?),
            (None, None) => None,
        };
        // lettre logs in only with both; half of them would fail at each send, not at start.
        match (&self.username, &password) {
            (None, Some(_)) => bail!("smtp.password is given without smtp.username"),
            (Some(_), None) => bail!("smtp.username is given without smtp.password"),
            _ => {}
        }
        let desk_url = match (self.desk_url, public_origin) {
            (Some(url), _) => url,
            (None, Some(origin)) => format!("{origin}{DEFAULT_DESK_PATH}"),
            (None, None) => bail!(
                "smtp needs the desk's address for its messages: set smtp.desk_url \
                 (https://ecoute.example/desk) or public_origin"
            ),
        };
        if !(desk_url.starts_with("https://") || desk_url.starts_with("http://")) {
            bail!("smtp.desk_url must be an http(s) address (got {desk_url})");
        }
        let security = self.security.unwrap_or(SmtpSecurity::StartTls);
        if security == SmtpSecurity::None {
            warnings.push(format!(
                "smtp.security = none: notifications{} go to {host} unencrypted; use it only \
                 for a relay on this machine or its private network",
                if password.is_some() {
                    " and the SMTP password"
                } else {
                    ""
                }
            ));
        }
        Ok(Some(SmtpConfig {
            host,
            port: self.port.unwrap_or(DEFAULT_SMTP_PORT),
            security,
            username: self.username,
            password,
            from,
            desk_url,
        }))
    }
}

/// Reads a password file; a final line break (as editors leave) is not part of it.
fn read_password(path: &Path) -> anyhow::Result<SmtpPassword> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read smtp.password_file {}", path.display()))?,
    );
    let password = text.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        bail!("smtp.password_file {} is empty", path.display());
    }
    Ok(SmtpPassword::new(password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(file: Option<&str>, vars: &[(&str, &str)]) -> anyhow::Result<(Config, Vec<String>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ecoute.toml");
        let overrides = Overrides {
            config_file: file.map(|text| {
                std::fs::write(&path, text).unwrap();
                path.clone()
            }),
            ..Overrides::default()
        };
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        Config::load(&overrides, &env)
    }

    #[test]
    fn smtp_absent_means_off() {
        let (config, warnings) = load(None, &[]).unwrap();
        assert!(config.smtp.is_none());
        assert!(warnings.is_empty());
    }

    #[test]
    fn smtp_from_file_with_defaults_and_desk_from_origin() {
        let (config, warnings) = load(
            Some(
                "public_origin = \"https://ecoute.example\"\n[smtp]\nhost = \"smtp.example\"\n\
                 from = \"ne-pas-repondre@ecoute.example\"\nsurprise = 1\n",
            ),
            &[],
        )
        .unwrap();
        let smtp = config.smtp.unwrap();
        assert_eq!(smtp.port, DEFAULT_SMTP_PORT);
        assert_eq!(smtp.security, SmtpSecurity::StartTls);
        assert_eq!(smtp.desk_url, "https://ecoute.example/desk");
        assert!(warnings.iter().any(|w| w.contains("smtp.surprise")));
    }

    #[test]
    fn smtp_env_wins_over_file_and_password_stays_hidden() {
        let (config, warnings) = load(
            Some("[smtp]\nhost = \"a.example\"\nport = 25\nfrom = \"x@a.example\"\n"),
            &[
                ("ECOUTE_SMTP_HOST", "b.example"),
                ("ECOUTE_SMTP_PORT", "465"),
                ("ECOUTE_SMTP_SECURITY", "tls"),
                ("ECOUTE_SMTP_USERNAME", "ecoute"),
                ("ECOUTE_SMTP_PASSWORD", "hunter2-secret"),
                ("ECOUTE_SMTP_DESK_URL", "https://desk.example/desk"),
            ],
        )
        .unwrap();
        let smtp = config.smtp.unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port), ("b.example", 465));
        assert_eq!(smtp.security, SmtpSecurity::Tls);
        assert_eq!(smtp.password.as_ref().unwrap().expose(), "hunter2-secret");
        assert!(!format!("{smtp:?}").contains("hunter2"));
        assert!(warnings.is_empty());
    }

    #[test]
    fn smtp_password_file_and_plain_warning() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("smtp.pass");
        std::fs::write(&file, "s3cret\n").unwrap();
        let (config, warnings) = load(
            None,
            &[
                ("ECOUTE_SMTP_HOST", "127.0.0.1"),
                ("ECOUTE_SMTP_SECURITY", "none"),
                ("ECOUTE_SMTP_FROM", "x@ecoute.example"),
                ("ECOUTE_SMTP_USERNAME", "ecoute"),
                ("ECOUTE_SMTP_PASSWORD_FILE", file.to_str().unwrap()),
                ("ECOUTE_SMTP_DESK_URL", "http://127.0.0.1:8080/desk"),
            ],
        )
        .unwrap();
        assert_eq!(config.smtp.unwrap().password.unwrap().expose(), "s3cret");
        assert!(warnings.iter().any(|w| w.contains("unencrypted")));
    }

    #[test]
    fn smtp_refusals_name_the_setting() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("ECOUTE_SMTP_PORT", "2525")], "smtp.host"),
            (&[("ECOUTE_SMTP_HOST", "h")], "smtp.from"),
            (
                &[
                    ("ECOUTE_SMTP_HOST", "h"),
                    ("ECOUTE_SMTP_FROM", "x@h"),
                    ("ECOUTE_SMTP_SECURITY", "ssl"),
                ],
                "ECOUTE_SMTP_SECURITY",
            ),
            (
                &[("ECOUTE_SMTP_HOST", "h"), ("ECOUTE_SMTP_FROM", "x@h")],
                "desk_url",
            ),
            (
                &[
                    ("ECOUTE_SMTP_HOST", "h"),
                    ("ECOUTE_SMTP_FROM", "x@h"),
                    ("ECOUTE_SMTP_PASSWORD", "p"),
                    ("ECOUTE_SMTP_DESK_URL", "https://e.example/desk"),
                ],
                "username",
            ),
            (
                &[
                    ("ECOUTE_SMTP_HOST", "h"),
                    ("ECOUTE_SMTP_FROM", "x@h"),
                    ("ECOUTE_SMTP_USERNAME", "u"),
                    ("ECOUTE_SMTP_DESK_URL", "https://e.example/desk"),
                ],
                "smtp.password",
            ),
        ];
        for (vars, needle) in cases {
            let err = format!("{:#}", load(None, vars).unwrap_err());
            assert!(err.contains(needle), "{err} should name {needle}");
            assert!(!err.contains("`p`"), "the password is never echoed: {err}");
        }
    }
}
