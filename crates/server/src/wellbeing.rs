//! Officers' exposure as this node last measured it (docs/WELLBEING.md): read by the dispatcher
//! for rule 5 of the routing rules, by each console to invite its officer to take a break, and
//! by the supervisors' board. Measured from the store by
//! [`crate::service::ChatService::spawn_exposure_sampler`], so every node sees the same minutes.

use ecoute_domain::{Exposure, ExposureRule, UserId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Each officer's exposure within the window, and the rule that judges it.
#[derive(Clone)]
pub struct Exposures {
    rule: ExposureRule,
    measured: Arc<RwLock<HashMap<UserId, Exposure>>>,
}

impl Exposures {
    /// Nobody measured yet.
    pub fn new(rule: ExposureRule) -> Self {
        Self {
            rule,
            measured: Arc::new(RwLock::new(HashMap::new())),
        }
    }

    /// The window and the threshold.
    pub fn rule(&self) -> ExposureRule {
        self.rule
    }

    /// An officer's exposure within the window (nothing when none was measured).
    pub fn of(&self, officer: UserId) -> Exposure {
        self.measured
            .read()
            .expect("exposures lock")
            .get(&officer)
            .copied()
            .unwrap_or_default()
    }

    /// Whether an officer's exposure reached the threshold.
    pub fn over(&self, officer: UserId) -> bool {
        self.rule.over(&self.of(officer))
    }

    /// Replaces what was measured.
    pub fn replace(&self, measured: HashMap<UserId, Exposure>) {
        *self.measured.write().expect("exposures lock") = measured;
    }
}
