//! How far a socket has shown one conversation's messages, in order, and which of the later
//! ones it wrote itself.
//!
//! A socket gets its own messages from their acks; the bus brings them back too (every device
//! and console of the conversation hears every message), and a catch-up from the store reads
//! them again. Neither is sent back to the socket that wrote them: under load such echoes were
//! tens of thousands of frames a second of work that fed the overload (issue 23). A message
//! acknowledged here before the other side's earlier ones arrived is remembered until its turn
//! comes, then passed over. So is one the store already holds while its ack is still on its
//! way to the socket (a catch-up read it): the socket knows its client id as handed over and
//! not yet answered.

use ecoute_domain::Seq;
use std::collections::{BTreeSet, HashSet};

/// Acknowledged messages remembered at most; beyond, the newest is forgotten (and, in the
/// rare case it still comes, sent once more: the pages ignore a number they have). The oldest
/// are kept: their turn comes first.
const REMEMBERED: usize = 1024;

/// One conversation as one socket has it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Every message up to this one is on the socket (shown, or acknowledged to it).
    upto: Seq,
    /// This socket's own messages after `upto`, acknowledged to it.
    own: BTreeSet<Seq>,
    /// Client ids of this socket's messages handed over to be written, not yet answered.
    sending: HashSet<String>,
}

/// What to do with the next message that comes for a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Already on the socket: nothing.
    Had,
    /// Messages before it are missing: read them from the store first.
    Gap,
    /// Send it.
    Send,
}

impl Delivered {
    /// Everything up to `upto` is on the socket.
    pub fn upto(upto: Seq) -> Delivered {
        Delivered {
            upto,
            own: BTreeSet::new(),
            sending: HashSet::new(),
        }
    }

    /// The last message of the unbroken run on the socket.
    pub fn last(&self) -> Seq {
        self.upto
    }

    /// The socket's own message `seq` was acknowledged to it.
    pub fn acked(&mut self, seq: Seq) {
        if seq > self.upto {
            self.own.insert(seq);
            if self.own.len() > REMEMBERED {
                self.own.pop_last();
            }
            self.absorb();
        }
    }

    /// The socket handed message `client_id` over to be written.
    pub fn handed(&mut self, client_id: &str) {
        // Bounded by the messages in flight: the writer's queue and the gate (service/gate.rs).
        self.sending.insert(client_id.to_string());
    }

    /// Message `client_id`'s answer (ack or refusal) reached the socket.
    pub fn answered(&mut self, client_id: &str) {
        self.sending.remove(client_id);
    }

    /// What to do with message `seq`, come from the bus or the store; `mine`: written by this
    /// socket's side, with `client_id`. A message this socket wrote is passed over as
    /// [`Next::Had`] when its turn comes, acknowledged or still on its way.
    pub fn next(&mut self, seq: Seq, mine: bool, client_id: &str) -> Next {
        if seq <= self.upto {
            return Next::Had;
        }
        if seq > self.upto + 1 {
            return Next::Gap;
        }
        if self.own.contains(&seq) || (mine && self.sending.contains(client_id)) {
            self.upto = seq;
            self.absorb();
            return Next::Had;
        }
        Next::Send
    }

    /// Message `seq` was sent to the socket.
    pub fn sent(&mut self, seq: Seq) {
        self.upto = self.upto.max(seq);
        self.absorb();
    }

    /// Moves `upto` over the own messages that now follow it, and forgets those behind it.
    fn absorb(&mut self) {
        while self.own.remove(&(self.upto + 1)) {
            self.upto += 1;
        }
        while self.own.first().is_some_and(|&s| s <= self.upto) {
            self.own.pop_first();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_own_message_acknowledged_in_turn_is_never_sent_back() {
        let mut d = Delivered::upto(3);
        d.acked(4);
        assert_eq!(d.last(), 4);
        assert_eq!(d.next(4, false, ""), Next::Had, "the bus's copy");
        assert_eq!(d.next(5, false, ""), Next::Send);
    }

    #[test]
    fn an_own_message_acknowledged_ahead_of_the_other_sides_is_passed_over_when_its_turn_comes() {
        // The officer's 4 is still on its way when the visitor's 5 is acknowledged.
        let mut d = Delivered::upto(3);
        d.acked(5);
        assert_eq!(d.last(), 3);
        assert_eq!(d.next(4, false, ""), Next::Send);
        d.sent(4);
        assert_eq!(d.last(), 5, "5 was already on the socket");
        assert_eq!(d.next(5, false, ""), Next::Had);
        assert_eq!(d.next(6, false, ""), Next::Send);
    }

    #[test]
    fn a_catch_up_from_the_store_sends_the_other_sides_messages_and_none_of_its_own() {
        let mut d = Delivered::upto(1);
        d.acked(3);
        d.acked(5);
        // The bus lost 2 and 4: the store's pages bring 2 to 6.
        assert_eq!(d.next(6, false, ""), Next::Gap);
        let mut sent = Vec::new();
        for seq in 2..=6 {
            if d.next(seq, false, "") == Next::Send {
                d.sent(seq);
                sent.push(seq);
            }
        }
        assert_eq!(sent, vec![2, 4, 6]);
        assert_eq!(d.last(), 6);
    }

    #[test]
    fn an_own_message_stored_but_not_yet_acknowledged_is_not_sent_by_a_catch_up() {
        let mut d = Delivered::upto(2);
        d.handed("v3");
        // The store already has 3 (the socket's) and 4 (the other side's); 3's ack is on its way.
        assert_eq!(d.next(3, true, "v3"), Next::Had);
        assert_eq!(d.next(4, false, "o1"), Next::Send);
        d.sent(4);
        // The ack comes after: nothing changes, and 3 is never sent.
        d.acked(3);
        d.answered("v3");
        assert_eq!(d.last(), 4);
        assert_eq!(d.next(3, true, "v3"), Next::Had);
    }

    #[test]
    fn the_other_sides_message_with_the_same_client_id_is_sent() {
        let mut d = Delivered::upto(0);
        d.handed("m1");
        assert_eq!(
            d.next(1, false, "m1"),
            Next::Send,
            "client ids are per side"
        );
    }

    #[test]
    fn what_is_remembered_stays_bounded() {
        let mut d = Delivered::upto(0);
        for seq in 2..(REMEMBERED as Seq + 100) {
            d.acked(seq);
        }
        assert_eq!(d.own.len(), REMEMBERED);
        d.sent(1);
        let last = REMEMBERED as Seq + 1;
        assert_eq!(d.last(), last, "the oldest were kept");
        assert_eq!(
            d.next(last + 1, false, ""),
            Next::Send,
            "a forgotten one is sent once more"
        );
    }
}
