//! The rules of Écoute, free of I/O: who the visitor says they are, what a
//! conversation may go through, the inputs we accept, and how long it is all kept.
//!
//! Everything here is parsed once at the edge ("parse, don't validate") so the
//! rest of the program holds values that are known to be valid.
#![forbid(unsafe_code)]

mod access;
mod case;
mod conversation;
mod directory;
mod dossier;
mod figures;
mod input;
mod open_data;
mod retention;
mod return_code;
mod routing;
mod shift;
mod staffing;
mod staffing_plan;
mod statistics;
mod suppression;
mod units;
mod vocabulary;
mod wait;
mod wellbeing;

pub use access::{DEFAULT_REREAD_DAYS, may_reread};
pub use case::{CaseError, CaseFile, DangerLevel, Fact, Qualification};
pub use conversation::{
    Actor, ConversationState, Event, MAX_CAPACITY, Outcome, StateName, Transition, TransitionError,
    may_take_another,
};
pub use directory::{CannedReply, DirectoryError, Resource, ResourceKind, VARIABLES};
pub use dossier::{
    Consent, ConsentError, DOSSIER_STATES, DossierError, DossierState, PublicStage, SafeContact,
    UnitId, UnitSummary, parse_unit_note,
};
pub use figures::{
    AskedPeriodError, DEFAULT_PERIOD_WEEKS, ForwardedReports, PeriodFigures, Reporters,
    UnitContacts, Waits, WeekFigures, day_of, share,
};
pub use input::{
    ClientMessageId, Departement, InputError, MAX_MESSAGE_CHARS, MessageBody, Password, PostalCode,
    Role, Username,
};
pub use open_data::{OpenData, OpenRow, OpenTable, open_data, weeks};
pub use retention::{
    MAX_RETENTION_DAYS, ONE_YEAR_DAYS, PurgeDue, RetentionDays, RetentionError, RetentionPolicy,
    RetentionRule, SIX_YEARS_DAYS,
};
pub use return_code::{RETURN_CODE_DIGITS, ReturnCode, ReturnCodeFormat};
pub use routing::{
    Force, Language, Need, OfferAction, Offers, OfficerLoad, PendingOffer, Presence, Priority,
    QueuedChat, Skills, check_claim, may_serve, next_for, queue_order,
};
pub use shift::{
    DayStretch, HandoverError, HandoverTo, awaits_wrap_up, check_handover, starting_presence,
    stretches_of_day,
};
pub use staffing::{
    Demand, HOURS_PER_WEEK, HourPlan, MAX_LOAD_ERLANGS, ServiceTarget, StaffingError, erlang_b,
    erlang_c, mean_wait, occupancy, officers_for_places, officers_needed, plan_hour, plan_week,
    service_level,
};
pub use staffing_plan::{
    ChatDemand, HandlingBasis, MIN_HANDLED_PER_HOUR, MINUTES_PER_HOUR, PlanWindow, PlannedHour,
    PresenceHour, PresenceSample, StaffingPlan, handling_minutes, plan_from_records, weeks_before,
};
pub use statistics::{
    COUNTED_FORCES, ChatStatistics, ChatTimes, ClosingFacts, ContactBucket, DurationBucket, Ending,
    Handovers, HourOfWeek, IsoWeek, MAX_PERIOD_WEEKS, Period, PeriodError, StatisticsLink,
    WaitBucket, normalise_facts, normalise_labels, paris_offset,
};
pub use suppression::{
    DEFAULT_THRESHOLD, Figure, Figures, Published, PublishedFigures, SuppressedList,
    SuppressedTable, SuppressionError, Threshold, suppress_list, suppress_table,
};
pub use units::{Coverage, UNITS_HEADER, Unit, UnitKind, UnitsFileError, parse_units, unit_for};
pub use vocabulary::{HandoverReason, NoteKind};
pub use wait::{
    DEFAULT_HANDLING_SECS, HANDLING_SAMPLE, MAX_ESTIMATE_SECS, MAX_HANDLING_SECS,
    MIN_HANDLING_SAMPLES, WaitEstimate, estimate_for, estimate_wait, handling_secs, place_among,
    place_behind, serving,
};
pub use wellbeing::{ChatFacts, Exposure, ExposureRule, HeldSpan, exposure, is_heavy};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Identifies one conversation. Random (v4), so it reveals nothing about order or volume.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct ConversationId(pub Uuid);

impl ConversationId {
    /// A fresh random id.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl Default for ConversationId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for ConversationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for ConversationId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// Identifies one staff account.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct UserId(pub Uuid);

impl UserId {
    /// A fresh random id.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl Default for UserId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Position of a message in its conversation: 1, 2, 3… with no gap.
pub type Seq = u64;

/// Whether the person writing was the victim or saw what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReporterKind {
    /// The person writing is the victim.
    Victim,
    /// The person writing witnessed the facts.
    Witness,
}

impl ReporterKind {
    /// Stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Victim => "victim",
            Self::Witness => "witness",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "victim" => Some(Self::Victim),
            "witness" => Some(Self::Witness),
            _ => None,
        }
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The anonymous visitor.
    Visitor,
    /// A staff member.
    Officer,
}

impl Author {
    /// Stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Officer => "officer",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "visitor" => Some(Self::Visitor),
            "officer" => Some(Self::Officer),
            _ => None,
        }
    }
}

/// What the visitor told us before the chat started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intake {
    /// Victim or witness.
    pub kind: ReporterKind,
    /// Whether the visitor said they are under 18.
    pub minor: bool,
    /// Only the département is kept, never the full postal code.
    pub departement: Option<Departement>,
    /// The language the visitor uses (the page's).
    pub language: Language,
    /// The visitor said "I am in danger now": served before everyone else.
    pub danger: bool,
}

impl Intake {
    /// A French-speaking visitor who did not say they are in danger now.
    pub fn new(kind: ReporterKind, minor: bool, departement: Option<Departement>) -> Self {
        Self {
            kind,
            minor,
            departement,
            language: Language::french(),
            danger: false,
        }
    }
}
