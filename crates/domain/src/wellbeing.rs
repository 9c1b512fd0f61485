//! Officer wellbeing: how much of what they heard weighs on them (docs/WELLBEING.md).
//!
//! An officer's **exposure** is the time they held chats, each minute weighted by what the chat
//! is about, summed over a sliding **window** that ends now:
//!
//! - every chat weighs [`ChatFacts::BASE`] (1): listening to violence weighs even when nothing
//!   else is known;
//! - a minor concerned (the visitor said so, or the qualification says so) adds
//!   [`ChatFacts::MINOR`] (1);
//! - a chat flagged by the risk rules adds [`ChatFacts::FLAGGED`] (1): what the visitor wrote
//!   matched a rule about weapons, suicide or the like;
//! - a visitor in danger now (their "I am in danger now", or the officer's qualification of a
//!   serious or immediate danger) adds [`ChatFacts::DANGER`] (2): the officer carries the
//!   urgency and its outcome;
//! - rape or incest in the qualification adds [`ChatFacts::GRAVE`] (2): the accounts that
//!   psychologists name as the heaviest to hear.
//!
//! So a minute in a plain chat counts 1, and a minute with a minor in danger who speaks of
//! incest counts 1 + 1 + 2 + 2 = 6. Two chats held at the same time both count: the officer
//! reads both.
//!
//! Spans are clipped to the window: only what lies inside it counts; a span still open (the
//! officer holds the chat now) counts up to now. A transfer ends one officer's span and starts
//! the next one's: each counts only their own part.
//!
//! An officer is **over exposure** when their weighted minutes within the window reach the
//! threshold ([`ExposureRule::over`]). Routing then keeps the **heavy** chats of the queue from
//! them while a colleague can take them ([`is_heavy`], and the routing rules in
//! [`crate::routing`]).

use crate::routing::{Priority, QueuedChat};
use crate::{ConversationId, DangerLevel, Fact, Qualification, UserId};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// What makes a chat weigh, as known while it is held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChatFacts {
    /// The visitor is in danger now (their button, or a serious or immediate danger in the
    /// qualification).
    pub danger: bool,
    /// A risk rule matched what the visitor wrote.
    pub flagged: bool,
    /// A minor is concerned.
    pub minor: bool,
    /// Rape or incest in the qualification.
    pub grave: bool,
}

impl ChatFacts {
    /// What every minute in a chat weighs.
    pub const BASE: u32 = 1;
    /// Added for a minor.
    pub const MINOR: u32 = 1;
    /// Added for a chat flagged by the risk rules.
    pub const FLAGGED: u32 = 1;
    /// Added for a visitor in danger.
    pub const DANGER: u32 = 2;
    /// Added for rape or incest.
    pub const GRAVE: u32 = 2;

    /// The facts of a chat from its priority, whether its visitor said they are a minor, and
    /// its qualification if the officer saved one.
    pub fn of(priority: Priority, minor: bool, qualification: Option<&Qualification>) -> Self {
        let q = qualification;
        Self {
            danger: priority == Priority::Danger
                || q.is_some_and(|q| q.danger >= DangerLevel::Serious),
            flagged: priority >= Priority::Flagged,
            minor: minor || q.is_some_and(|q| q.minor),
            grave: q.is_some_and(|q| {
                q.facts
                    .iter()
                    .any(|f| matches!(f, Fact::Rape | Fact::Incest))
            }),
        }
    }

    /// What one minute of this chat weighs: from 1 to 7.
    pub fn weight(self) -> u32 {
        Self::BASE
            + u32::from(self.minor) * Self::MINOR
            + u32::from(self.flagged) * Self::FLAGGED
            + u32::from(self.danger) * Self::DANGER
            + u32::from(self.grave) * Self::GRAVE
    }
}

/// Whether a waiting chat is one of the heaviest, kept from an officer over exposure while a
/// colleague can take it: a visitor in danger, a chat flagged by the risk rules, or a minor.
/// These are the facts known before anyone answers (the qualification comes later); a plain
/// chat weighs the base alone.
pub fn is_heavy(chat: &QueuedChat) -> bool {
    chat.priority >= Priority::Flagged || chat.need.minor
}

/// A stretch of time an officer held a chat with given facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldSpan {
    /// Who held it.
    pub officer: UserId,
    /// Which chat.
    pub conversation: ConversationId,
    /// What it was about then.
    pub facts: ChatFacts,
    /// From when.
    pub start: OffsetDateTime,
    /// Until when; `None` while they still hold it.
    pub end: Option<OffsetDateTime>,
}

/// Exposure and what it is made of, in seconds (shown in minutes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    /// Time in chats, whatever they weighed (two chats at once count twice).
    pub chat_seconds: i64,
    /// Of which with a minor.
    pub minor_seconds: i64,
    /// Of which flagged by the risk rules.
    pub flagged_seconds: i64,
    /// Of which with a visitor in danger.
    pub danger_seconds: i64,
    /// Of which about rape or incest.
    pub grave_seconds: i64,
    /// Each second times its chat's weight.
    pub weighted_seconds: i64,
}

impl Exposure {
    /// Adds `seconds` in a chat with these facts.
    pub fn add(&mut self, facts: ChatFacts, seconds: i64) {
        if seconds <= 0 {
            return;
        }
        self.chat_seconds += seconds;
        self.minor_seconds += if facts.minor { seconds } else { 0 };
        self.flagged_seconds += if facts.flagged { seconds } else { 0 };
        self.danger_seconds += if facts.danger { seconds } else { 0 };
        self.grave_seconds += if facts.grave { seconds } else { 0 };
        self.weighted_seconds += seconds * i64::from(facts.weight());
    }

    /// Weighted minutes, rounded down: what the threshold is compared with.
    pub fn weighted_minutes(&self) -> i64 {
        self.weighted_seconds / 60
    }

    /// Minutes in chats, rounded down.
    pub fn chat_minutes(&self) -> i64 {
        self.chat_seconds / 60
    }
}

/// One officer's exposure between `from` and `to`: each of their spans clipped to that
/// stretch, a span still open counting up to `to`.
pub fn exposure(
    officer: UserId,
    spans: &[HeldSpan],
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Exposure {
    let mut total = Exposure::default();
    for span in spans.iter().filter(|s| s.officer == officer) {
        let start = span.start.max(from);
        let end = span.end.unwrap_or(to).min(to);
        if end > start {
            total.add(span.facts, (end - start).whole_seconds());
        }
    }
    total
}

/// When an officer has heard enough for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExposureRule {
    /// How far back exposure is counted.
    pub window: Duration,
    /// Weighted minutes within the window from which the officer is over exposure.
    pub threshold: i64,
}

impl ExposureRule {
    /// The start of the window that ends at `now`.
    pub fn window_start(&self, now: OffsetDateTime) -> OffsetDateTime {
        now - self.window
    }

    /// One officer's exposure within the window that ends at `now`.
    pub fn exposure(&self, officer: UserId, spans: &[HeldSpan], now: OffsetDateTime) -> Exposure {
        exposure(officer, spans, self.window_start(now), now)
    }

    /// Whether this exposure has reached the threshold.
    pub fn over(&self, exposure: &Exposure) -> bool {
        exposure.weighted_minutes() >= self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::{Language, Need};

    fn t(minutes: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::seconds(1_800_000_000) + Duration::minutes(minutes)
    }
    fn user(n: u128) -> UserId {
        UserId(uuid::Uuid::from_u128(n))
    }
    fn chat(n: u128) -> ConversationId {
        ConversationId(uuid::Uuid::from_u128(n))
    }
    fn span(
        officer: u128,
        conversation: u128,
        facts: ChatFacts,
        start: i64,
        end: Option<i64>,
    ) -> HeldSpan {
        HeldSpan {
            officer: user(officer),
            conversation: chat(conversation),
            facts,
            start: t(start),
            end: end.map(t),
        }
    }
    const PLAIN: ChatFacts = ChatFacts {
        danger: false,
        flagged: false,
        minor: false,
        grave: false,
    };
    const MINOR: ChatFacts = ChatFacts {
        minor: true,
        ..PLAIN
    };

    #[test]
    fn each_fact_adds_its_weight_to_the_base() {
        assert_eq!(PLAIN.weight(), 1);
        assert_eq!(MINOR.weight(), 2);
        assert_eq!(
            ChatFacts {
                flagged: true,
                ..PLAIN
            }
            .weight(),
            2
        );
        assert_eq!(
            ChatFacts {
                danger: true,
                flagged: true,
                ..PLAIN
            }
            .weight(),
            4
        );
        assert_eq!(
            ChatFacts {
                grave: true,
                ..PLAIN
            }
            .weight(),
            3
        );
        assert_eq!(
            ChatFacts {
                danger: true,
                flagged: true,
                minor: true,
                grave: true
            }
            .weight(),
            7
        );
    }

    #[test]
    fn facts_come_from_priority_intake_and_qualification() {
        assert_eq!(ChatFacts::of(Priority::Normal, false, None), PLAIN);
        let danger = ChatFacts::of(Priority::Danger, false, None);
        assert!(danger.danger && danger.flagged && !danger.minor && !danger.grave);
        let q = Qualification {
            facts: vec![Fact::DomesticViolence, Fact::Incest],
            reporter: crate::ReporterKind::Victim,
            minor: true,
            danger: DangerLevel::Immediate,
        };
        let qualified = ChatFacts::of(Priority::Normal, false, Some(&q));
        assert_eq!(
            qualified,
            ChatFacts {
                danger: true,
                flagged: false,
                minor: true,
                grave: true
            }
        );
        let mild = Qualification {
            facts: vec![Fact::DomesticViolence],
            danger: DangerLevel::Moderate,
            minor: false,
            ..q
        };
        assert_eq!(ChatFacts::of(Priority::Normal, false, Some(&mild)), PLAIN);
    }

    #[test]
    fn minutes_are_weighted_by_the_chat_facts() {
        let spans = [span(1, 1, MINOR, 0, Some(30))];
        let e = exposure(user(1), &spans, t(-600), t(600));
        assert_eq!(e.chat_minutes(), 30);
        assert_eq!(e.minor_seconds, 30 * 60);
        assert_eq!(e.weighted_minutes(), 60);
    }

    #[test]
    fn spans_are_clipped_to_the_window() {
        let rule = ExposureRule {
            window: Duration::hours(4),
            threshold: 100,
        };
        // Began 4 h 30 before now, ended 3 h 30 before: only its last 30 minutes count.
        let spans = [
            span(1, 1, PLAIN, 0, Some(60)),
            // Wholly before the window: nothing.
            span(1, 2, MINOR, -100, Some(-10)),
        ];
        let now = t(270);
        let e = rule.exposure(user(1), &spans, now);
        assert_eq!(e.chat_minutes(), 30);
        assert_eq!(e.weighted_minutes(), 30);
        // A span beyond `to` (a clock ahead) counts only up to `to`.
        let ahead = [span(1, 1, PLAIN, 0, Some(100))];
        assert_eq!(exposure(user(1), &ahead, t(0), t(40)).chat_minutes(), 40);
    }

    #[test]
    fn overlapping_chats_both_count() {
        let spans = [
            span(1, 1, PLAIN, 0, Some(60)),
            span(1, 2, MINOR, 30, Some(60)),
        ];
        let e = exposure(user(1), &spans, t(0), t(60));
        assert_eq!(e.chat_minutes(), 90);
        assert_eq!(e.weighted_minutes(), 60 + 30 * 2);
    }

    #[test]
    fn an_open_span_counts_up_to_now() {
        let spans = [span(1, 1, MINOR, 10, None)];
        let e = exposure(user(1), &spans, t(0), t(25));
        assert_eq!(e.chat_minutes(), 15);
        assert_eq!(e.weighted_minutes(), 30);
        // A span that starts after `to` counts nothing.
        assert_eq!(exposure(user(1), &spans, t(0), t(5)), Exposure::default());
    }

    #[test]
    fn a_transfer_splits_the_chat_between_its_officers() {
        let flagged = ChatFacts {
            flagged: true,
            ..PLAIN
        };
        // Officer 1 held it 20 minutes, then transferred it to officer 2 who holds it still.
        let spans = [
            span(1, 1, flagged, 0, Some(20)),
            span(2, 1, flagged, 20, None),
        ];
        let first = exposure(user(1), &spans, t(0), t(50));
        let second = exposure(user(2), &spans, t(0), t(50));
        assert_eq!(first.weighted_minutes(), 40);
        assert_eq!(second.weighted_minutes(), 60);
        assert_eq!(second.flagged_seconds, 30 * 60);
        // Someone else's spans never count.
        assert_eq!(exposure(user(3), &spans, t(0), t(50)), Exposure::default());
    }

    #[test]
    fn the_threshold_is_reached_at_equal_weighted_minutes() {
        let rule = ExposureRule {
            window: Duration::hours(4),
            threshold: 60,
        };
        let mut e = Exposure::default();
        e.add(MINOR, 29 * 60 + 59);
        assert!(!rule.over(&e), "59 weighted minutes and 58 seconds");
        e.add(PLAIN, 2);
        assert!(rule.over(&e), "60 weighted minutes");
    }

    #[test]
    fn heavy_chats_are_danger_flagged_or_minor() {
        let chat = |priority, minor| QueuedChat {
            id: chat(1),
            need: Need {
                force: None,
                minor,
                language: Language::french(),
            },
            priority,
            waiting_since: t(0),
            open_to_all_at: t(5),
        };
        assert!(!is_heavy(&chat(Priority::Normal, false)));
        assert!(is_heavy(&chat(Priority::Normal, true)));
        assert!(is_heavy(&chat(Priority::Flagged, false)));
        assert!(is_heavy(&chat(Priority::Danger, false)));
    }
}
