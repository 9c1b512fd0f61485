//! How fast a socket may send, and in what order its messages are taken (PROTOCOL.md §4).
//!
//! Two allowances per connection: one for `send` frames, one for everything else (typing,
//! marks, pings, language, claims…), so that a page busy marking what it read never eats the
//! person's messages. The quick exit and the call for help use neither.
//!
//! Order: once a `send` is refused with something that invites a resend (`rate_limited`,
//! `overloaded`, `unavailable`), every other `send` of that conversation on that connection is
//! refused with `out_of_order`, without using the allowance, until the refused message comes
//! again and is taken. A client that pipelines its messages therefore cannot have a later one stored before
//! an earlier one that was refused.

use ecoute_domain::ConversationId;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::time::Duration;

/// What one kind of frame may do: so many a minute, in bursts of so many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    /// Sustained rate.
    pub per_minute: u32,
    /// How many may come at once before the rate applies.
    pub burst: u32,
}

impl Allowance {
    /// The messages of one connection given `messages_per_minute` from the configuration:
    /// that rate, in bursts of a sixth of it (20 for the default 120).
    pub fn messages(per_minute: u32) -> Allowance {
        let per_minute = per_minute.max(1);
        Allowance {
            per_minute,
            burst: (per_minute / 6).max(1),
        }
    }

    /// Every other frame: four times the messages' rate, in bursts of as many as the rate
    /// of messages (a page marks, types and pings several times for each message it shows).
    pub fn other_frames(messages_per_minute: u32) -> Allowance {
        let per_minute = messages_per_minute.max(1);
        Allowance {
            per_minute: per_minute.saturating_mul(4),
            burst: per_minute,
        }
    }

    fn quota(self) -> Quota {
        let period = Duration::from_secs(60) / self.per_minute.max(1);
        let burst = NonZeroU32::new(self.burst.max(1)).expect("at least one");
        Quota::with_period(period)
            .expect("a non-zero period")
            .allow_burst(burst)
    }

    fn limiter(self) -> DefaultDirectRateLimiter {
        RateLimiter::direct(self.quota())
    }
}

/// The kind of frame being counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// A `send`.
    Message,
    /// Anything else that is counted.
    Other,
}

/// A connection's two allowances.
pub struct Pace {
    messages: DefaultDirectRateLimiter,
    other: DefaultDirectRateLimiter,
}

impl Pace {
    /// Allowances for a connection whose messages may come `messages_per_minute`.
    pub fn new(messages_per_minute: u32) -> Pace {
        Pace {
            messages: Allowance::messages(messages_per_minute).limiter(),
            other: Allowance::other_frames(messages_per_minute).limiter(),
        }
    }

    /// Counts one frame: `Ok` when it may be acted on, or how long to wait before the next
    /// one of its kind would be.
    pub fn take(&self, kind: FrameKind) -> Result<(), Duration> {
        let limiter = match kind {
            FrameKind::Message => &self.messages,
            FrameKind::Other => &self.other,
        };
        limiter
            .check()
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// Milliseconds to tell a client to wait, never zero (it would resend at once and be
/// refused again).
pub fn retry_after_ms(wait: Duration) -> u64 {
    u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(50)
}

/// The refused message each conversation of a connection waits for, if any.
#[derive(Debug, Default)]
pub struct SendOrder {
    /// Few: a visitor has one conversation, an officer a handful.
    held: Vec<(ConversationId, String)>,
}

/// Why a `send` is not taken now.
#[derive(Debug, PartialEq, Eq)]
pub struct OutOfOrder {
    /// The refused message that must come first.
    pub waiting_for: String,
}

impl SendOrder {
    /// Whether `client_id` may be taken now in `conversation`. Taking the message that was
    /// waited for ends the wait.
    pub fn admit(
        &mut self,
        conversation: ConversationId,
        client_id: &str,
    ) -> Result<(), OutOfOrder> {
        match self.held.iter().position(|(c, _)| *c == conversation) {
            None => Ok(()),
            Some(i) if self.held[i].1 == client_id => {
                self.held.swap_remove(i);
                Ok(())
            }
            Some(i) => Err(OutOfOrder {
                waiting_for: self.held[i].1.clone(),
            }),
        }
    }

    /// `client_id` was refused in a way that invites a resend: nothing else of
    /// `conversation` is taken before it. An earlier refusal still waited for stays first.
    pub fn refused(&mut self, conversation: ConversationId, client_id: &str) {
        if !self.held.iter().any(|(c, _)| *c == conversation) {
            self.held.push((conversation, client_id.to_string()));
        }
    }

    /// Forgets a conversation (the chat left this console).
    pub fn forget(&mut self, conversation: ConversationId) {
        self.held.retain(|(c, _)| *c != conversation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_message_must_come_again_before_any_later_one() {
        let chat = ConversationId::new();
        let mut order = SendOrder::default();
        assert_eq!(order.admit(chat, "a"), Ok(()));
        order.refused(chat, "b");
        assert_eq!(
            order.admit(chat, "c"),
            Err(OutOfOrder {
                waiting_for: "b".into()
            })
        );
        assert_eq!(order.admit(chat, "b"), Ok(()));
        assert_eq!(order.admit(chat, "c"), Ok(()));
    }

    #[test]
    fn the_first_refusal_is_the_one_waited_for() {
        let chat = ConversationId::new();
        let mut order = SendOrder::default();
        order.refused(chat, "b");
        order.refused(chat, "c");
        assert!(order.admit(chat, "c").is_err());
        assert_eq!(order.admit(chat, "b"), Ok(()));
    }

    #[test]
    fn another_conversation_is_not_held_up() {
        let (one, two) = (ConversationId::new(), ConversationId::new());
        let mut order = SendOrder::default();
        order.refused(one, "b");
        assert_eq!(order.admit(two, "x"), Ok(()));
        order.forget(one);
        assert_eq!(order.admit(one, "z"), Ok(()));
    }

    #[test]
    fn typing_and_marks_never_use_the_message_allowance() {
        let pace = Pace::new(120);
        for _ in 0..120 {
            assert!(pace.take(FrameKind::Other).is_ok());
        }
        for _ in 0..20 {
            assert!(
                pace.take(FrameKind::Message).is_ok(),
                "a burst of 20 messages"
            );
        }
        let wait = pace.take(FrameKind::Message).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
        assert!(retry_after_ms(wait) >= 50);
    }

    #[test]
    fn a_message_every_six_tenths_of_a_second_is_never_refused() {
        // 100 a minute against an allowance of 120, on the limiter's own arithmetic with a
        // clock the test moves (no sleeping).
        let clock = governor::clock::FakeRelativeClock::default();
        let limiter =
            RateLimiter::direct_with_clock(Allowance::messages(120).quota(), clock.clone());
        for i in 0..1000 {
            assert!(limiter.check().is_ok(), "message {i} refused");
            clock.advance(Duration::from_millis(600));
        }
        // Two a second forever is the most that is taken: faster, the burst runs out.
        let refused = (0..100)
            .filter(|_| {
                clock.advance(Duration::from_millis(400));
                limiter.check().is_err()
            })
            .count();
        assert!(refused > 0);
    }
}
