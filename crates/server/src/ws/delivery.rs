//! How far a socket has shown one conversation's messages, in order, and which of the later
//! ones it wrote itself.
//!
//! A socket gets its own messages from their acks; the bus brings them back too (every device
//! and console of the conversation hears every message), and a catch-up from the store reads
//! them again. Neither is sent back to the socket that wrote them: under load such echoes were
//! tens of thousands of frames a second of work that fed the overload (issue 23). A message
//! acknowledged here before the other side's earlier ones arrived is remembered until its turn
//! comes, then passed over.

use ecoute_domain::Seq;
use std::collections::BTreeSet;

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

    /// What to do with message `seq`, come from the bus or the store. A message this socket
    /// wrote is passed over as [`Next::Had`] when its turn comes.
    pub fn next(&mut self, seq: Seq) -> Next {
        if seq <= self.upto {
            return Next::Had;
        }
        if seq > self.upto + 1 {
            return Next::Gap;
        }
        if self.own.contains(&seq) {
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
        assert_eq!(d.next(4), Next::Had, "the bus's copy");
        assert_eq!(d.next(5), Next::Send);
    }

    #[test]
    fn an_own_message_acknowledged_ahead_of_the_other_sides_is_passed_over_when_its_turn_comes() {
        // The officer's 4 is still on its way when the visitor's 5 is acknowledged.
        let mut d = Delivered::upto(3);
        d.acked(5);
        assert_eq!(d.last(), 3);
        assert_eq!(d.next(4), Next::Send);
        d.sent(4);
        assert_eq!(d.last(), 5, "5 was already on the socket");
        assert_eq!(d.next(5), Next::Had);
        assert_eq!(d.next(6), Next::Send);
    }

    #[test]
    fn a_catch_up_from_the_store_sends_the_other_sides_messages_and_none_of_its_own() {
        let mut d = Delivered::upto(1);
        d.acked(3);
        d.acked(5);
        // The bus lost 2 and 4: the store's pages bring 2 to 6.
        assert_eq!(d.next(6), Next::Gap);
        let mut sent = Vec::new();
        for seq in 2..=6 {
            if d.next(seq) == Next::Send {
                d.sent(seq);
                sent.push(seq);
            }
        }
        assert_eq!(sent, vec![2, 4, 6]);
        assert_eq!(d.last(), 6);
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
            d.next(last + 1),
            Next::Send,
            "a forgotten one is sent once more"
        );
    }
}
