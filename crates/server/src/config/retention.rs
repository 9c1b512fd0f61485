//! How long each kind of record is kept, and how it is configured.

use super::*;

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
pub(super) enum RetentionKey {
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
    pub(super) fn all() -> impl Iterator<Item = Self> {
        Outcome::ALL.into_iter().map(Self::Outcome).chain([
            Self::Default,
            Self::Unclosed,
            Self::Interval,
        ])
    }

    /// The key in the `[retention]` table of the file.
    pub(super) fn name(self) -> String {
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
    pub(super) fn apply_file(
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
    pub(super) fn apply_env(
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
