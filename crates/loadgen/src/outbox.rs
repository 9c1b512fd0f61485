//! A socket's messages sent and not yet acknowledged, and what to send again after a refusal,
//! as the pages do it (visitor.js and console.js, `onError` and `holdOutbox`; PROTOCOL.md §4).
//!
//! Once a `send` is refused with a code that invites a resend (`overloaded`, `rate_limited`,
//! `unavailable`, or `out_of_order` behind one of those), its conversation is held: messages
//! of it that become due are kept here, not sent. When the wait the refusal asked for is over,
//! the conversation's first message refused or kept is sent again, and the others follow one at
//! a time, each once the one before is acknowledged, in the order of their numbers: the pages'
//! rule (one message at a time per chat), which keeps a server that refuses from being flooded
//! with `out_of_order` refusals of pipelined resends. Once none waits, the conversation's
//! messages go again as they come due. A message in flight is never sent a second time; an
//! acknowledged one is forgotten.
//!
//! No sockets here: the socket task feeds this the frames it sees and sends what it returns.

use std::collections::{BTreeMap, HashMap, HashSet};

/// The codes after which a `send` is to be sent again (PROTOCOL.md §3).
pub const RETRYABLE: [&str; 4] = ["overloaded", "rate_limited", "unavailable", "out_of_order"];

/// Messages a page holds waiting (refused, or written behind a refused one) before its person
/// stops writing: the generator writes no more in that conversation until they go. Without a
/// bound, an open-loop generator piles up behind a refusal far more than people write (six
/// messages a second in each chat at twice the knee), and that pile, sent after the overload,
/// would be measured as the recovery.
pub const PAGE_HOLDS: usize = 5;

/// The wait when a refusal does not say (`out_of_order` never does), as the pages do.
pub const DEFAULT_RETRY_MS: u64 = 1000;

/// The wait after a refusal, in ms, as the pages take it: DEFAULT_RETRY_MS when the server
/// gives none (or 0), and never under 50 ms nor over 30 s, so that a refusal with no wait
/// does not turn into a loop of resends against a server that is already overloaded.
pub fn retry_wait_ms(retry_after_ms: Option<u64>) -> u64 {
    match retry_after_ms {
        None | Some(0) => DEFAULT_RETRY_MS,
        Some(ms) => ms,
    }
    .clamp(50, 30_000)
}

/// Where a code stands in [`RETRYABLE`], if it is one of them.
pub fn retryable(code: &str) -> Option<usize> {
    RETRYABLE.iter().position(|c| *c == code)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Sent at this time (µs), no answer yet.
    InFlight { sent_us: u64 },
    /// Refused; to be sent again when the conversation's hold is over.
    Refused,
    /// Became due while its conversation was held; never sent.
    Kept,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    conversation: usize,
    due_us: u64,
    /// When it was first sent (µs), if it was.
    first_sent_us: Option<u64>,
    state: State,
}

/// A `send` to put on the socket now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub k: u64,
    pub due_us: u64,
    pub conversation: usize,
    /// Sent before (and refused): this is a resend.
    pub resend: bool,
    /// Left the outbox's waiting messages (refused or kept) to be sent.
    pub was_waiting: bool,
}

/// What an acknowledgement closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acked {
    /// Its conversation.
    pub conversation: usize,
    /// When the attempt that was acknowledged was sent (µs).
    pub sent_us: u64,
    /// When the message was first sent (µs).
    pub first_sent_us: u64,
}

/// What a refusal hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// When the refused attempt was sent (µs).
    pub sent_us: u64,
}

/// One socket's outbox (an officer's socket holds several conversations).
#[derive(Debug, Default)]
pub struct Outbox {
    /// By message number: the numbers grow with the due time, so this is the order written.
    pending: BTreeMap<u64, Pending>,
    /// Held conversations, and until when (µs).
    holds: HashMap<usize, u64>,
    /// Conversations sending what waited, one message at a time, after a hold.
    draining: HashSet<usize>,
}

impl Outbox {
    pub fn new() -> Outbox {
        Outbox::default()
    }

    /// Message `k` of `conversation` is due: the attempt to send now, or None when its
    /// conversation is held (the message waits here).
    pub fn due(
        &mut self,
        k: u64,
        due_us: u64,
        conversation: usize,
        now_us: u64,
    ) -> Option<Attempt> {
        if self.holds.contains_key(&conversation) || self.draining.contains(&conversation) {
            self.pending.insert(
                k,
                Pending {
                    conversation,
                    due_us,
                    first_sent_us: None,
                    state: State::Kept,
                },
            );
            return None;
        }
        self.pending.insert(
            k,
            Pending {
                conversation,
                due_us,
                first_sent_us: Some(now_us),
                state: State::InFlight { sent_us: now_us },
            },
        );
        Some(Attempt {
            k,
            due_us,
            conversation,
            resend: false,
            was_waiting: false,
        })
    }

    /// Message `k` was acknowledged: forgotten. None when it was not in flight here (an
    /// acknowledgement of something this outbox never sent, or of a message it already
    /// forgot).
    pub fn acked(&mut self, k: u64) -> Option<Acked> {
        let p = self.pending.get(&k)?;
        let State::InFlight { sent_us } = p.state else {
            return None;
        };
        let first_sent_us = p.first_sent_us.unwrap_or(sent_us);
        let conversation = p.conversation;
        self.pending.remove(&k);
        Some(Acked {
            conversation,
            sent_us,
            first_sent_us,
        })
    }

    /// After an acknowledgement in `conversation`: the next message that waited, if the
    /// conversation is sending what waited one at a time and nothing of it is in flight.
    pub fn release(&mut self, conversation: usize, now_us: u64) -> Option<Attempt> {
        if !self.draining.contains(&conversation) || self.holds.contains_key(&conversation) {
            return None;
        }
        let in_flight = self
            .pending
            .values()
            .any(|p| p.conversation == conversation && matches!(p.state, State::InFlight { .. }));
        if in_flight {
            return None;
        }
        let next = self.send_first_waiting(conversation, now_us);
        if next.is_none() {
            self.draining.remove(&conversation);
        }
        next
    }

    /// Puts the first message of `conversation` that was refused or kept in flight.
    fn send_first_waiting(&mut self, conversation: usize, now_us: u64) -> Option<Attempt> {
        let (k, p) = self.pending.iter_mut().find(|(_, p)| {
            p.conversation == conversation && !matches!(p.state, State::InFlight { .. })
        })?;
        let resend = p.state == State::Refused;
        p.state = State::InFlight { sent_us: now_us };
        p.first_sent_us.get_or_insert(now_us);
        Some(Attempt {
            k: *k,
            due_us: p.due_us,
            conversation,
            resend,
            was_waiting: true,
        })
    }

    /// Message `k`'s attempt in flight was refused with a code that invites a resend:
    /// its conversation is held for `retry_after_ms` (as `retry_wait_ms` takes it), unless it
    /// already is. None when `k` was not in flight here (the refusal is then
    /// none of this outbox's business, and nothing changes).
    pub fn refused(&mut self, k: u64, retry_after_ms: Option<u64>, now_us: u64) -> Option<Refused> {
        let p = self.pending.get_mut(&k)?;
        let State::InFlight { sent_us } = p.state else {
            return None;
        };
        p.state = State::Refused;
        // A hold already running keeps its end: the `out_of_order` refusals that follow the
        // first one say no wait of their own, and must not push the resend further away.
        let until = now_us + retry_wait_ms(retry_after_ms) * 1000;
        self.holds.entry(p.conversation).or_insert(until);
        Some(Refused { sent_us })
    }

    /// Messages of `conversation` waiting here (refused, or kept behind a refusal).
    pub fn waiting_in(&self, conversation: usize) -> usize {
        self.pending
            .values()
            .filter(|p| {
                p.conversation == conversation && !matches!(p.state, State::InFlight { .. })
            })
            .count()
    }

    /// The earliest end of a hold (µs), if a conversation is held.
    pub fn next_wake(&self) -> Option<u64> {
        self.holds.values().copied().min()
    }

    /// The holds over by `now_us` end: for each of those conversations, its first message
    /// that was refused or kept, to send now (the others follow one at a time, see
    /// [`Outbox::release`]), unless one of its messages is still in flight.
    pub fn wake(&mut self, now_us: u64) -> Vec<Attempt> {
        let mut over: Vec<usize> = self
            .holds
            .iter()
            .filter(|(_, until)| **until <= now_us)
            .map(|(c, _)| *c)
            .collect();
        over.sort_unstable();
        let mut out = Vec::new();
        for c in over {
            self.holds.remove(&c);
            self.draining.insert(c);
            out.extend(self.release(c, now_us));
        }
        out.sort_by_key(|a| a.k);
        out
    }

    /// Messages waiting here (refused, or kept behind a refusal), not sent since.
    #[cfg(test)]
    pub fn waiting(&self) -> usize {
        self.pending
            .values()
            .filter(|p| !matches!(p.state, State::InFlight { .. }))
            .count()
    }

    /// Messages sent or waiting, not acknowledged.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ks(attempts: &[Attempt]) -> Vec<u64> {
        attempts.iter().map(|a| a.k).collect()
    }

    #[test]
    fn a_refused_message_is_sent_again_once_the_wait_is_over() {
        let mut o = Outbox::new();
        assert!(o.due(1, 100, 0, 1_000).is_some());
        assert_eq!(
            o.refused(1, Some(200), 2_000),
            Some(Refused { sent_us: 1_000 })
        );
        assert_eq!(o.next_wake(), Some(202_000));
        assert!(o.wake(201_999).is_empty(), "not before the wait is over");
        let again = o.wake(202_000);
        assert_eq!(ks(&again), vec![1]);
        assert!(again[0].resend);
        assert_eq!(o.next_wake(), None);
        // The acknowledgement is of the second attempt, first sent at the first.
        assert_eq!(
            o.acked(1),
            Some(Acked {
                conversation: 0,
                sent_us: 202_000,
                first_sent_us: 1_000
            })
        );
        assert_eq!(o.len(), 0);
    }

    #[test]
    fn a_refusal_without_a_wait_holds_for_a_second() {
        let mut o = Outbox::new();
        o.due(1, 0, 0, 0);
        o.refused(1, None, 5);
        assert_eq!(o.next_wake(), Some(5 + DEFAULT_RETRY_MS * 1000));
    }

    #[test]
    fn the_wait_is_taken_as_the_pages_take_it() {
        assert_eq!(retry_wait_ms(Some(250)), 250);
        assert_eq!(retry_wait_ms(None), 1000);
        assert_eq!(retry_wait_ms(Some(0)), 1000);
        assert_eq!(retry_wait_ms(Some(3)), 50);
        assert_eq!(retry_wait_ms(Some(120_000)), 30_000);
    }

    #[test]
    fn later_sends_refused_out_of_order_go_again_after_the_refused_one_in_order() {
        let mut o = Outbox::new();
        for k in [3, 4, 5] {
            o.due(k, k, 7, 10);
        }
        o.refused(3, Some(50), 20); // overloaded
        o.refused(4, None, 21); // out_of_order: keeps the hold's end
        o.refused(5, None, 22);
        assert_eq!(o.next_wake(), Some(50_020));
        // One at a time, each once the one before is acknowledged.
        let again = o.wake(50_020);
        assert_eq!(ks(&again), vec![3]);
        assert!(again[0].resend && again[0].conversation == 7);
        assert_eq!(o.release(7, 50_021), None, "3 is still in flight");
        o.acked(3);
        assert_eq!(o.release(7, 50_030).map(|a| a.k), Some(4));
        o.acked(4);
        assert_eq!(o.release(7, 50_040).map(|a| a.k), Some(5));
        o.acked(5);
        assert_eq!(o.release(7, 50_050), None);
        assert!(
            o.due(6, 50_060, 7, 50_060).is_some(),
            "then as they come due again"
        );
    }

    #[test]
    fn messages_due_during_a_hold_wait_and_follow_the_refused_ones() {
        let mut o = Outbox::new();
        o.due(1, 0, 0, 0);
        o.refused(1, Some(100), 5);
        assert_eq!(o.due(2, 6, 0, 6), None, "held: kept, not sent");
        assert_eq!(o.due(3, 7, 0, 7), None);
        assert_eq!(o.waiting(), 3);
        let again = o.wake(100_005);
        assert_eq!(ks(&again), vec![1]);
        assert!(again[0].resend, "the refused one was sent before");
        assert_eq!(
            o.due(4, 100_006, 0, 100_006),
            None,
            "still sending what waited"
        );
        o.acked(1);
        let next = o.release(0, 100_010).unwrap();
        assert_eq!((next.k, next.resend), (2, false));
        // A kept message's first send is the one after the hold.
        assert_eq!(
            o.acked(2),
            Some(Acked {
                conversation: 0,
                sent_us: 100_010,
                first_sent_us: 100_010
            })
        );
        assert_eq!(o.release(0, 100_020).map(|a| a.k), Some(3));
        o.acked(3);
        assert_eq!(o.release(0, 100_030).map(|a| a.k), Some(4));
        o.acked(4);
        assert_eq!(o.release(0, 100_040), None);
        assert_eq!(o.waiting(), 0);
        // Once nothing waits, new messages go at once.
        assert!(o.due(5, 100_050, 0, 100_050).is_some());
    }

    #[test]
    fn other_conversations_of_the_socket_are_not_held() {
        let mut o = Outbox::new();
        o.due(1, 0, 0, 0);
        o.refused(1, Some(100), 1);
        assert!(o.due(2, 2, 1, 2).is_some());
        assert_eq!(ks(&o.wake(100_001)), vec![1]);
    }

    #[test]
    fn a_refused_resend_holds_its_conversation_again() {
        let mut o = Outbox::new();
        o.due(1, 0, 0, 0);
        o.due(2, 0, 0, 0);
        o.refused(1, Some(100), 1);
        o.refused(2, None, 1);
        assert_eq!(ks(&o.wake(100_001)), vec![1]);
        assert!(o.refused(1, Some(200), 100_100).is_some());
        assert_eq!(o.due(3, 0, 0, 100_102), None);
        assert_eq!(o.next_wake(), Some(300_100));
        assert_eq!(ks(&o.wake(300_100)), vec![1]);
        o.acked(1);
        assert_eq!(o.release(0, 300_200).map(|a| a.k), Some(2));
    }

    #[test]
    fn an_acknowledgement_releases_the_message_for_good() {
        let mut o = Outbox::new();
        o.due(1, 0, 0, 0);
        o.due(2, 0, 0, 0);
        assert!(o.acked(1).is_some());
        o.refused(2, Some(100), 1);
        // A second acknowledgement of 1 (or a refusal of it) finds nothing.
        assert_eq!(o.acked(1), None);
        assert_eq!(o.refused(1, Some(100), 2), None);
        assert_eq!(ks(&o.wake(100_001)), vec![2], "1 is not sent again");
        assert!(o.acked(2).is_some());
        assert_eq!(o.len(), 0);
    }

    #[test]
    fn nothing_in_flight_is_sent_twice() {
        let mut o = Outbox::new();
        o.due(1, 0, 0, 0);
        o.due(2, 0, 0, 0);
        o.refused(1, Some(100), 1);
        // 2 is still in flight when the hold ends (its answer has not come): nothing is sent,
        // 1 waits for 2's answer.
        assert!(o.wake(100_001).is_empty());
        // 2 is refused out_of_order (no wait given: a second, as the pages do); then 1 goes.
        assert!(o.refused(2, None, 100_002).is_some());
        assert_eq!(ks(&o.wake(1_100_002)), vec![1]);
        // Waking again sends nothing: 1 is in flight now.
        assert!(o.wake(2_000_000).is_empty());
        // A second refusal of the same attempt counts once.
        assert!(o.refused(1, Some(100), 1_100_003).is_some());
        assert_eq!(o.refused(1, Some(100), 1_100_004), None);
        assert_eq!(o.waiting(), 2);
    }

    #[test]
    fn what_waits_is_counted_per_conversation() {
        let mut o = Outbox::new();
        o.due(1, 0, 0, 0);
        o.refused(1, Some(100), 1);
        for k in 2..=4 {
            assert_eq!(o.due(k, k, 0, k), None);
        }
        assert!(o.due(5, 5, 1, 5).is_some());
        assert_eq!(o.waiting_in(0), 4);
        assert_eq!(o.waiting_in(1), 0, "in flight is not waiting");
    }

    #[test]
    fn only_the_codes_that_invite_a_resend_are_retryable() {
        for code in ["overloaded", "rate_limited", "unavailable", "out_of_order"] {
            assert!(retryable(code).is_some(), "{code}");
        }
        for code in ["bad_frame", "conversation_closed", "not_owner", ""] {
            assert_eq!(retryable(code), None, "{code}");
        }
    }
}
