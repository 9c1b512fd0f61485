//! The statistics record (docs/STATISTICS.md): built from a conversation's row as it ends, and
//! its stored form, shared by both backends.

use crate::{Conversation, StoreError, StoreResult};
use ecoute_domain::{
    ChatStatistics, ChatTimes, ClosingFacts, ContactBucket, Departement, DossierState,
    DurationBucket, Ending, Fact, Force, Handovers, HourOfWeek, IsoWeek, Language, Outcome,
    Priority, ReporterKind, UnitId, WaitBucket, normalise_facts, normalise_labels,
};

/// The columns of `chat_statistics` read back, in [`StoredStatistics`] order.
pub const STATISTICS_COLUMNS: &str = "iso_week, hour_of_week, departement, force, unit_id, \
     reporter, minor, language, facts, ending, wait, duration, handovers, quick_exit, \
     left_before_answer, danger_path, risk_labels, dossier_state, first_contact";

/// The statistics row of `conversation` as it ends: closed (its row read after the close was
/// written, so `closed_at` is set) or purged without having been closed.
pub fn record_of(
    conversation: &Conversation,
    ending: Ending,
    closing: &ClosingFacts,
) -> ChatStatistics {
    let c = conversation;
    let closed_at = match ending {
        Ending::Closed(_) => c.closed_at,
        Ending::PurgedUnclosed => None,
    };
    let times = ChatTimes {
        created_at: c.created_at,
        claimed_at: c.claimed_at,
        visitor_left_at: c.visitor_left_at,
        closed_at,
    };
    ChatStatistics {
        week: IsoWeek::of(c.created_at),
        hour: HourOfWeek::of(c.created_at),
        departement: c.intake.departement.clone(),
        force: c.force,
        unit: match ending {
            Ending::Closed(Outcome::ReportForwarded) => closing.unit.clone(),
            _ => None,
        },
        reporter: c.intake.kind,
        minor: c.intake.minor,
        language: c.intake.language.clone(),
        facts: normalise_facts(&closing.facts),
        ending,
        wait: times.wait(),
        duration: times.duration(),
        handovers: Handovers::of(c.handovers),
        quick_exit: c.visitor_left_at.is_some(),
        left_before_answer: c.claimed_at.is_none(),
        danger_path: c.intake.danger || c.priority == Priority::Danger,
        risk_labels: normalise_labels(&c.risk_flags),
        // The dossier is produced after the close; its store keeps these up to date.
        dossier_state: None,
        first_contact: None,
    }
}

/// A statistics row as both backends store it: plain values, in [`STATISTICS_COLUMNS`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStatistics {
    /// `year * 100 + week`.
    pub iso_week: i64,
    /// 0 to 167.
    pub hour_of_week: i64,
    /// Département code.
    pub departement: Option<String>,
    /// Force name.
    pub force: Option<String>,
    /// Unit id, for a forwarded report.
    pub unit_id: Option<String>,
    /// `victim` or `witness`.
    pub reporter: String,
    /// Under 18.
    pub minor: bool,
    /// Language code.
    pub language: String,
    /// Facts' stable names, comma-separated, in form order ("" for none).
    pub facts: String,
    /// The outcome's stable name, or `purged_unclosed`.
    pub ending: String,
    /// Wait bucket's name.
    pub wait: Option<String>,
    /// Duration bucket's name.
    pub duration: Option<String>,
    /// 0 to 3 (3 for three or more).
    pub handovers: i64,
    /// Left by quick exit.
    pub quick_exit: bool,
    /// Left before an officer took the chat.
    pub left_before_answer: bool,
    /// Said "I am in danger now".
    pub danger_path: bool,
    /// Risk labels, sorted, one per line ("" for none).
    pub risk_labels: String,
    /// The forwarded report's latest state.
    pub dossier_state: Option<String>,
    /// The forwarded report's time to first contact, bucket's name.
    pub first_contact: Option<String>,
}

impl From<&ChatStatistics> for StoredStatistics {
    fn from(s: &ChatStatistics) -> Self {
        Self {
            iso_week: s.week.key(),
            hour_of_week: i64::from(s.hour.get()),
            departement: s.departement.as_ref().map(|d| d.as_str().to_string()),
            force: s.force.map(|f| f.as_str().to_string()),
            unit_id: s.unit.as_ref().map(|u| u.as_str().to_string()),
            reporter: s.reporter.as_str().to_string(),
            minor: s.minor,
            language: s.language.as_str().to_string(),
            facts: s
                .facts
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(","),
            ending: s.ending.as_str().to_string(),
            wait: s.wait.map(|w| w.as_str().to_string()),
            duration: s.duration.map(|d| d.as_str().to_string()),
            handovers: i64::from(s.handovers.get()),
            quick_exit: s.quick_exit,
            left_before_answer: s.left_before_answer,
            danger_path: s.danger_path,
            // A label is one line of the risk rules file: it cannot hold a newline.
            risk_labels: s.risk_labels.join("\n"),
            dossier_state: s.dossier_state.map(|d| d.as_str().to_string()),
            first_contact: s.first_contact.map(|c| c.as_str().to_string()),
        }
    }
}

impl StoredStatistics {
    /// The domain's row; a value no writer produces is reported as corrupt.
    pub fn into_domain(self) -> StoreResult<ChatStatistics> {
        fn bad(what: &str) -> StoreError {
            StoreError::Corrupt(format!("statistics row: bad {what}"))
        }
        let opt = |v: Option<String>, what: &str, parse: &dyn Fn(&str) -> bool| match v {
            Some(s) if !parse(&s) => Err(bad(what)),
            v => Ok(v),
        };
        let departement = opt(self.departement, "département", &|s| {
            Departement::parse(s).is_some()
        })?
        .and_then(|s| Departement::parse(&s));
        let force = opt(self.force, "force", &|s| Force::parse(s).is_some())?
            .and_then(|s| Force::parse(&s));
        let unit = opt(self.unit_id, "unit", &|s| UnitId::parse(s).is_some())?
            .and_then(|s| UnitId::parse(&s));
        let wait = opt(self.wait, "wait", &|s| WaitBucket::parse(s).is_some())?
            .and_then(|s| WaitBucket::parse(&s));
        let duration = opt(self.duration, "duration", &|s| {
            DurationBucket::parse(s).is_some()
        })?
        .and_then(|s| DurationBucket::parse(&s));
        let dossier_state = opt(self.dossier_state, "dossier state", &|s| {
            DossierState::parse(s).is_some()
        })?
        .and_then(|s| DossierState::parse(&s));
        let first_contact = opt(self.first_contact, "first contact", &|s| {
            ContactBucket::parse(s).is_some()
        })?
        .and_then(|s| ContactBucket::parse(&s));
        let facts = self
            .facts
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| Fact::parse(s).ok_or_else(|| bad("fact")))
            .collect::<StoreResult<Vec<_>>>()?;
        let risk_labels = self
            .risk_labels
            .split('\n')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        Ok(ChatStatistics {
            week: IsoWeek::from_key(self.iso_week).ok_or_else(|| bad("week"))?,
            hour: u8::try_from(self.hour_of_week)
                .ok()
                .and_then(HourOfWeek::new)
                .ok_or_else(|| bad("hour"))?,
            departement,
            force,
            unit,
            reporter: ReporterKind::parse(&self.reporter).ok_or_else(|| bad("reporter"))?,
            minor: self.minor,
            language: Language::parse(&self.language).ok_or_else(|| bad("language"))?,
            facts,
            ending: Ending::parse(&self.ending).ok_or_else(|| bad("ending"))?,
            wait,
            duration,
            handovers: u32::try_from(self.handovers)
                .map(Handovers::of)
                .map_err(|_| bad("handovers"))?,
            quick_exit: self.quick_exit,
            left_before_answer: self.left_before_answer,
            danger_path: self.danger_path,
            risk_labels,
            dossier_state,
            first_contact,
        })
    }
}
