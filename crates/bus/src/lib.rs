//! Events that tell live connections something changed.
//!
//! The bus is a hint, never the truth: the database is. A receiver that falls behind
//! (`Lagged`) or sees a gap in sequence numbers reloads from the store. Message events
//! carry the sealed body only, so the bus never holds plaintext, in memory or on the wire
//! between nodes.
//!
//! Alone, a [`LocalBus`] serves one node. With several nodes, [`connect_nats`] attaches a
//! [`NatsBridge`]: every event published on the node is still delivered locally at once and
//! is also handed to NATS; events from the other nodes are delivered locally only. See the
//! [`nats`] module.
#![forbid(unsafe_code)]

pub mod nats;
pub mod wire;

pub use nats::{
    BridgeStatus, BusError, DEFAULT_PREFIX, NatsBridge, NatsOptions, connect_nats,
    connect_nats_with,
};

use ecoute_domain::{
    Author, ConversationId, HandoverReason, Language, NoteKind, Outcome, Presence, Priority, Seq,
    StateName, UserId,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use time::OffsetDateTime;
use tokio::sync::broadcast;

/// Who listens to an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Everything about one conversation (the visitor listens here).
    Conversation(ConversationId),
    /// Everything an officer must know about their chats and sessions.
    Officer(UserId),
    /// The waiting queue changed.
    Queue,
    /// What supervisors watch: staff notes and whispers, presence and load changes.
    Supervision,
    /// Which consoles each node holds (routers of every node listen).
    Desk,
}

/// One officer's consoles on one node, as that node reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskSeat {
    /// The officer.
    pub officer: UserId,
    /// What they chose there.
    pub presence: Presence,
    /// Consoles open there.
    pub consoles: u32,
}

/// What one node holds: every officer with a console open on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskReport {
    /// The node, for as long as its process runs.
    pub node: uuid::Uuid,
    /// Its officers at a console.
    pub seats: Vec<DeskSeat>,
    /// Waiting chats whose visitor has the page open on it.
    pub visitors: Vec<ConversationId>,
}

/// A staff-only note as announced on the bus, still sealed. Never sent on a conversation's
/// topic: the visitor's socket cannot receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteEvent {
    /// The conversation.
    pub conversation: ConversationId,
    /// Its place among the notes.
    pub seq: u64,
    /// What it is.
    pub kind: NoteKind,
    /// Who wrote it.
    pub author_name: Option<String>,
    /// Nonce, ciphertext and tag.
    pub sealed_body: Vec<u8>,
    /// When.
    pub at: OffsetDateTime,
}

/// A message as announced on the bus, still sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageEvent {
    /// The conversation.
    pub conversation: ConversationId,
    /// Its place in the conversation.
    pub seq: Seq,
    /// Visitor or officer.
    pub author: Author,
    /// The officer's display name, for officer messages.
    pub officer_name: Option<String>,
    /// The sender's id for it.
    pub client_id: String,
    /// Nonce, ciphertext and tag.
    pub sealed_body: Vec<u8>,
    /// When it was stored.
    pub sent_at: OffsetDateTime,
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusEvent {
    /// A message was committed.
    Message(MessageEvent),
    /// A conversation changed state.
    StateChanged {
        /// The conversation.
        conversation: ConversationId,
        /// Its new state.
        state: StateName,
        /// The officer's display name, when one owns it.
        officer_name: Option<String>,
        /// The outcome, once closed.
        outcome: Option<Outcome>,
    },
    /// An officer now owns a chat (sent to that officer's topic).
    Claimed {
        /// The conversation.
        conversation: ConversationId,
    },
    /// The visitor left by quick exit (sent to the owner's topic).
    VisitorLeft {
        /// The conversation.
        conversation: ConversationId,
        /// When.
        at: OffsetDateTime,
    },
    /// The visitor's token was revoked: every visitor socket of it must close.
    TokenRevoked {
        /// The conversation.
        conversation: ConversationId,
    },
    /// A staff session ended (logout): its sockets must close.
    SessionEnded {
        /// Hash of the session cookie.
        session: [u8; 32],
    },
    /// The waiting queue changed; read it again.
    QueueChanged,
    /// A chat is offered to the officer whose topic this is, until `expires_at`.
    Offered {
        /// The conversation.
        conversation: ConversationId,
        /// When the offer moves on.
        expires_at: OffsetDateTime,
    },
    /// The offer is over (taken, lapsed, declined, withdrawn).
    OfferWithdrawn {
        /// The conversation.
        conversation: ConversationId,
    },
    /// The risk rules raised a chat's priority (sent to its owner and to the queue).
    Flagged {
        /// The conversation.
        conversation: ConversationId,
        /// Its priority now.
        priority: Priority,
        /// Every label matched so far.
        labels: Vec<String>,
    },
    /// A staff-only note (owner's note, handover note, whisper).
    Note(NoteEvent),
    /// The chat left the officer whose topic this is: transferred, taken over, given back to
    /// the queue.
    HandedOver {
        /// The conversation.
        conversation: ConversationId,
        /// Why.
        reason: HandoverReason,
    },
    /// An officer's presence or load changed (supervision topic).
    StaffChanged,
    /// The visitor came back with their return code (sent to the owner's topic).
    VisitorBack {
        /// The conversation.
        conversation: ConversationId,
    },
    /// The consent question of a chat was asked or answered (sent to the conversation's and
    /// the owner's topics; the question and the answer are read from the store).
    ConsentChanged {
        /// The conversation.
        conversation: ConversationId,
    },
    /// The visitor now reads in another language (sent to the owner's topic and to
    /// supervision).
    LanguageChanged {
        /// The conversation.
        conversation: ConversationId,
        /// The language now.
        language: Language,
    },
    /// Someone is typing in a conversation (never stored).
    Typing {
        /// The conversation.
        conversation: ConversationId,
        /// Who types.
        who: Author,
    },
    /// How far one side received and read the other side's messages.
    Marks {
        /// The conversation.
        conversation: ConversationId,
        /// Whose marks.
        reader: Author,
        /// Highest sequence number received.
        received: Seq,
        /// Highest sequence number read.
        read: Seq,
    },
    /// The officer chose a presence (their topic: every tab shows it).
    PresenceChosen {
        /// Available or paused.
        status: Presence,
    },
    /// A node says which consoles it holds (desk topic, every few seconds and on change).
    Desk(DeskReport),
}

/// A subscription to one topic. Dropping the last one of a topic forgets the topic, so a
/// conversation nobody listens to any more costs no memory.
pub struct Subscription {
    rx: broadcast::Receiver<Arc<BusEvent>>,
    topic: Topic,
    bus: LocalBus,
}

impl Subscription {
    /// The next event; `Lagged` means some were missed and the store must be read again.
    pub async fn recv(&mut self) -> Result<Arc<BusEvent>, broadcast::error::RecvError> {
        self.rx.recv().await
    }

    /// The next event if one is waiting.
    pub fn try_recv(&mut self) -> Result<Arc<BusEvent>, broadcast::error::TryRecvError> {
        self.rx.try_recv()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut topics = self.bus.inner.topics.lock().expect("bus lock");
        // This receiver still counts until the end of this function.
        if topics
            .get(&self.topic)
            .is_some_and(|sender| sender.receiver_count() <= 1)
        {
            topics.remove(&self.topic);
        }
    }
}

/// How many events a slow receiver may be behind before it must resync from the store: a
/// conversation's topic carries one chat, and there is one per visitor connected, so it stays
/// small (its slots are allocated with it: 256 of them were a third of an idle visitor
/// connection's memory); an officer's carries every chat they hold, and the shared topics
/// everyone's.
fn capacity(topic: Topic) -> usize {
    match topic {
        Topic::Conversation(_) => 32,
        Topic::Officer(_) | Topic::Queue | Topic::Supervision => 4096,
        Topic::Desk => 64,
    }
}

/// The in-process bus: one broadcast channel per topic with listeners, and, when a
/// [`NatsBridge`] is attached, a bounded queue of events for the other nodes.
#[derive(Clone, Default)]
pub struct LocalBus {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    topics: Mutex<HashMap<Topic, broadcast::Sender<Arc<BusEvent>>>>,
    /// Set while a bridge is attached.
    remote: RwLock<Option<nats::Outbox>>,
}

impl LocalBus {
    /// An empty bus.
    pub fn new() -> Self {
        Self::default()
    }

    /// Listens to a topic from now on.
    pub fn subscribe(&self, topic: Topic) -> Subscription {
        let mut topics = self.inner.topics.lock().expect("bus lock");
        let rx = topics
            .entry(topic)
            .or_insert_with(|| broadcast::channel(capacity(topic)).0)
            .subscribe();
        Subscription {
            rx,
            topic,
            bus: self.clone(),
        }
    }

    /// Tells every current listener of `topic` on this node at once and, when a bridge is
    /// attached, queues the event for the other nodes without waiting (a full queue drops it
    /// and counts it: see [`BridgeStatus::dropped`]). Nobody listening is not an error.
    pub fn publish(&self, topic: Topic, event: BusEvent) {
        let event = Arc::new(event);
        self.deliver_local(topic, &event);
        if let Some(outbox) = self.inner.remote.read().expect("bus lock").as_ref() {
            outbox.offer(topic, event);
        }
    }

    /// Tells this node's listeners only (events that came from another node).
    pub(crate) fn deliver_local(&self, topic: Topic, event: &Arc<BusEvent>) {
        let mut topics = self.inner.topics.lock().expect("bus lock");
        if let Some(sender) = topics.get(&topic) {
            if sender.receiver_count() == 0 {
                topics.remove(&topic);
            } else {
                let _ = sender.send(Arc::clone(event));
            }
        }
    }

    /// Number of topics with a channel, for tests and metrics.
    pub fn topic_count(&self) -> usize {
        self.inner.topics.lock().expect("bus lock").len()
    }

    /// The attached bridge's state and counters, `None` when this bus serves one node only.
    /// For health checks and metrics, without holding the [`NatsBridge`] itself.
    pub fn bridge_status(&self) -> Option<BridgeStatus> {
        self.inner
            .remote
            .read()
            .expect("bus lock")
            .as_ref()
            .map(nats::Outbox::status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn listeners_of_a_topic_receive_its_events_and_no_others() {
        let bus = LocalBus::new();
        let a = ConversationId::new();
        let b = ConversationId::new();
        let mut on_a = bus.subscribe(Topic::Conversation(a));
        let mut on_b = bus.subscribe(Topic::Conversation(b));
        bus.publish(
            Topic::Conversation(a),
            BusEvent::TokenRevoked { conversation: a },
        );
        assert_eq!(
            *on_a.recv().await.unwrap(),
            BusEvent::TokenRevoked { conversation: a }
        );
        assert!(on_b.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_topic_is_forgotten_when_its_last_listener_leaves() {
        let bus = LocalBus::new();
        let first = bus.subscribe(Topic::Queue);
        let mut second = bus.subscribe(Topic::Queue);
        assert_eq!(bus.topic_count(), 1);
        drop(first);
        assert_eq!(bus.topic_count(), 1, "one listener is left");
        bus.publish(Topic::Queue, BusEvent::QueueChanged);
        assert_eq!(*second.recv().await.unwrap(), BusEvent::QueueChanged);
        drop(second);
        assert_eq!(bus.topic_count(), 0);
        bus.publish(Topic::Queue, BusEvent::QueueChanged);
        assert_eq!(bus.topic_count(), 0);
    }
}
