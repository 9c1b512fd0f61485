//! Officer wellbeing's settings (`[wellbeing]`, docs/WELLBEING.md): the window exposure is
//! counted over, the threshold from which an officer is invited to take a break and spared the
//! heaviest chats, and how to reach the psychologist on duty.

use super::*;
use ecoute_domain::ExposureRule;

/// How exposure is judged.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WellbeingConfig {
    /// How far back exposure is counted, in minutes (10 to 1440).
    pub window_mins: u32,
    /// Weighted minutes within the window from which an officer is over exposure (1 to 10080).
    pub threshold: u32,
    /// How to reach the psychologist on duty, shown on "Mon service" (a phone extension, a
    /// room); empty: the page says one is on duty without a contact.
    pub support_contact: String,
    /// Seconds between two samples of the chats held (1 to 60; 60 in service: each minute is
    /// counted once whatever the pace, a faster one only serves tests and demonstrations).
    pub sample_secs: u32,
}

/// Four hours: about half a shift, long enough to see a heavy stretch, short enough that a
/// break and a quieter hour bring the officer back under the threshold.
pub const DEFAULT_WINDOW_MINS: u32 = 240;

/// 360 weighted minutes: three hours of chats weighing 2 (a minor, or a risk flag), an hour and
/// a half at weight 4 (danger), or six hours of plain chats (never within the default window,
/// so plain listening alone never triggers it with one chat at a time).
pub const DEFAULT_THRESHOLD: u32 = 360;

/// The longest window: a day.
pub const MAX_WINDOW_MINS: u32 = 1440;

impl Default for WellbeingConfig {
    fn default() -> Self {
        Self {
            window_mins: DEFAULT_WINDOW_MINS,
            threshold: DEFAULT_THRESHOLD,
            support_contact: String::new(),
            sample_secs: 60,
        }
    }
}

impl WellbeingConfig {
    /// The rule, as the domain applies it.
    pub fn rule(&self) -> ExposureRule {
        ExposureRule {
            window: time::Duration::minutes(self.window_mins.into()),
            threshold: self.threshold.into(),
        }
    }

    /// `ECOUTE_WELLBEING_WINDOW_MINS`, `ECOUTE_WELLBEING_THRESHOLD`,
    /// `ECOUTE_WELLBEING_SUPPORT_CONTACT`.
    pub(super) fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = env("ECOUTE_WELLBEING_WINDOW_MINS") {
            self.window_mins = v.trim().parse().with_context(|| {
                format!("ECOUTE_WELLBEING_WINDOW_MINS: `{v}` is not a whole number of minutes")
            })?;
        }
        if let Some(v) = env("ECOUTE_WELLBEING_THRESHOLD") {
            self.threshold = v.trim().parse().with_context(|| {
                format!(
                    "ECOUTE_WELLBEING_THRESHOLD: `{v}` is not a whole number of weighted minutes"
                )
            })?;
        }
        if let Some(v) = env("ECOUTE_WELLBEING_SUPPORT_CONTACT") {
            self.support_contact = v.trim().to_string();
        }
        Ok(())
    }

    pub(super) fn validate(&self) -> anyhow::Result<()> {
        if !(10..=MAX_WINDOW_MINS).contains(&self.window_mins) {
            bail!(
                "wellbeing.window_mins is 10 to {MAX_WINDOW_MINS} (got {}): how far back, in \
                 minutes, an officer's exposure is counted",
                self.window_mins
            );
        }
        if !(1..=10_080).contains(&self.threshold) {
            bail!(
                "wellbeing.threshold is 1 to 10080 (got {}): the weighted minutes within the \
                 window from which an officer is invited to take a break",
                self.threshold
            );
        }
        if !(1..=60).contains(&self.sample_secs) {
            bail!(
                "wellbeing.sample_secs is 1 to 60 (got {}): seconds between two samples of the \
                 chats officers hold",
                self.sample_secs
            );
        }
        if self.support_contact.chars().count() > 200 {
            bail!("wellbeing.support_contact is at most 200 characters");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_wellbeing_settings_are_valid_and_out_of_range_ones_are_refused() {
        assert!(WellbeingConfig::default().validate().is_ok());
        let bad_window = WellbeingConfig {
            window_mins: 5,
            ..WellbeingConfig::default()
        };
        assert!(bad_window.validate().is_err());
        let bad_threshold = WellbeingConfig {
            threshold: 0,
            ..WellbeingConfig::default()
        };
        assert!(bad_threshold.validate().is_err());
        let mut env_set = WellbeingConfig::default();
        env_set
            .apply_env(&|k| (k == "ECOUTE_WELLBEING_THRESHOLD").then(|| " 90 ".to_string()))
            .unwrap();
        assert_eq!(env_set.threshold, 90);
        assert!(
            WellbeingConfig::default()
                .apply_env(&|k| (k == "ECOUTE_WELLBEING_WINDOW_MINS").then(|| "4h".to_string()))
                .is_err()
        );
    }
}
