//! The staffing plan's settings (`[staffing]`, docs/STAFFING.md): how many weeks it is made
//! from, and the target it staffs for.

use super::*;
use ecoute_domain::ServiceTarget;

/// How the staffing plan is made.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaffingConfig {
    /// Whole weeks before the current one that the plan is made from (1 to 52).
    pub weeks: u32,
    /// Share of chats to answer within the target wait, strictly between 0 and 1.
    pub target_share: f64,
    /// The target wait, in seconds (0 to 3600).
    pub target_within_secs: u32,
}

/// The weeks a plan is made from by default: two months, long enough to average out a quiet
/// or a busy week, short enough to follow a trend.
pub const DEFAULT_STAFFING_WEEKS: u32 = 8;

/// The most weeks a plan may be made from: a year (older demand says little of today's).
pub const MAX_STAFFING_WEEKS: u32 = 52;

/// The longest target wait accepted: an hour.
pub const MAX_TARGET_WITHIN_SECS: u32 = 3600;

impl Default for StaffingConfig {
    fn default() -> Self {
        let target = ServiceTarget::default();
        Self {
            weeks: DEFAULT_STAFFING_WEEKS,
            target_share: target.share(),
            target_within_secs: target.within_seconds() as u32,
        }
    }
}

impl StaffingConfig {
    /// The target, as the queueing model takes it (checked by [`Self::validate`]).
    pub fn target(&self) -> ServiceTarget {
        ServiceTarget::new(self.target_share, f64::from(self.target_within_secs))
            .unwrap_or_default()
    }

    /// `ECOUTE_STAFFING_WEEKS`, `ECOUTE_STAFFING_TARGET_SHARE`,
    /// `ECOUTE_STAFFING_TARGET_WITHIN_SECS`.
    pub(super) fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = env("ECOUTE_STAFFING_WEEKS") {
            self.weeks = v.trim().parse().with_context(|| {
                format!("ECOUTE_STAFFING_WEEKS: `{v}` is not a whole number of weeks")
            })?;
        }
        if let Some(v) = env("ECOUTE_STAFFING_TARGET_SHARE") {
            self.target_share = v.trim().parse().with_context(|| {
                format!("ECOUTE_STAFFING_TARGET_SHARE: `{v}` is not a number such as 0.8")
            })?;
        }
        if let Some(v) = env("ECOUTE_STAFFING_TARGET_WITHIN_SECS") {
            self.target_within_secs = v.trim().parse().with_context(|| {
                format!(
                    "ECOUTE_STAFFING_TARGET_WITHIN_SECS: `{v}` is not a whole number of seconds"
                )
            })?;
        }
        Ok(())
    }

    pub(super) fn validate(&self) -> anyhow::Result<()> {
        if !(1..=MAX_STAFFING_WEEKS).contains(&self.weeks) {
            bail!(
                "staffing.weeks is 1 to {MAX_STAFFING_WEEKS} (got {}): the whole weeks the \
                 staffing plan is made from",
                self.weeks
            );
        }
        if !(self.target_share > 0.0 && self.target_share < 1.0) {
            bail!(
                "staffing.target_share is strictly between 0 and 1, such as 0.8 for 80 % (got {}); \
                 100 % cannot be promised by any number of officers",
                self.target_share
            );
        }
        if self.target_within_secs > MAX_TARGET_WITHIN_SECS {
            bail!(
                "staffing.target_within_secs is 0 to {MAX_TARGET_WITHIN_SECS} (got {})",
                self.target_within_secs
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(file: Option<&str>, env: &[(&str, &str)]) -> anyhow::Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let config_file = file.map(|text| {
            let path = dir.path().join("ecoute.toml");
            std::fs::write(&path, text).unwrap();
            path
        });
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let overrides = Overrides {
            config_file,
            ..Default::default()
        };
        Config::load(&overrides, &move |k| env.get(k).cloned()).map(|(c, _)| c)
    }

    #[test]
    fn the_plan_uses_eight_weeks_and_80_percent_within_60_seconds_by_default() {
        let c = load(None, &[]).unwrap();
        assert_eq!(c.staffing, StaffingConfig::default());
        assert_eq!(c.staffing.weeks, 8);
        assert_eq!(c.staffing.target(), ServiceTarget::default());
    }

    #[test]
    fn staffing_settings_come_from_the_file_then_the_environment() {
        let file = "[staffing]\nweeks = 12\ntarget_share = 0.9\ntarget_within_secs = 30\n";
        let c = load(Some(file), &[]).unwrap();
        assert_eq!((c.staffing.weeks, c.staffing.target_within_secs), (12, 30));
        assert_eq!(c.staffing.target(), ServiceTarget::new(0.9, 30.0).unwrap());
        let c = load(
            Some(file),
            &[
                ("ECOUTE_STAFFING_WEEKS", "4"),
                ("ECOUTE_STAFFING_TARGET_SHARE", "0.75"),
                ("ECOUTE_STAFFING_TARGET_WITHIN_SECS", "120"),
            ],
        )
        .unwrap();
        assert_eq!(
            c.staffing.target(),
            ServiceTarget::new(0.75, 120.0).unwrap()
        );
        assert_eq!(c.staffing.weeks, 4);
    }

    #[test]
    fn staffing_settings_out_of_range_stop_the_program_and_name_the_setting() {
        for (file, env, named) in [
            ("[staffing]\nweeks = 0\n", None, "staffing.weeks"),
            ("", Some(("ECOUTE_STAFFING_WEEKS", "53")), "staffing.weeks"),
            ("[staffing]\ntarget_share = 1.0\n", None, "target_share"),
            (
                "",
                Some(("ECOUTE_STAFFING_TARGET_SHARE", "0")),
                "target_share",
            ),
            (
                "",
                Some(("ECOUTE_STAFFING_TARGET_SHARE", "80%")),
                "TARGET_SHARE",
            ),
            (
                "[staffing]\ntarget_within_secs = 7200\n",
                None,
                "target_within_secs",
            ),
            ("[staffing]\nwaeks = 3\n", None, "waeks"),
        ] {
            let env: Vec<_> = env.into_iter().collect();
            let e = load(Some(file), &env).unwrap_err();
            assert!(format!("{e:#}").contains(named), "{file} {env:?}: {e:#}");
        }
    }
}
