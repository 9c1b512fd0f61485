//! The waiting queue as every connection sees it: reloaded from the store when the bus says
//! it changed, and shared through a `watch` channel so a hundred waiting visitors cost one
//! query, not a hundred.

use ecoute_bus::{BusEvent, LocalBus, Topic};
use ecoute_store::{Conversation, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// The queue at one moment, first to be served first.
pub type QueueSnapshot = Arc<Vec<Conversation>>;

/// Several changes within this window cost one reload.
const DEBOUNCE: Duration = Duration::from_millis(30);
/// Reload even without news, in case an event was missed.
const REFRESH: Duration = Duration::from_secs(10);

/// Starts the task that keeps the snapshot current; it stops when every receiver is gone.
pub async fn spawn_watcher(
    store: Arc<dyn Store>,
    bus: &LocalBus,
) -> watch::Receiver<QueueSnapshot> {
    let mut events = bus.subscribe(Topic::Queue);
    let initial = store.waiting_queue().await.unwrap_or_default();
    let (tx, rx) = watch::channel(Arc::new(initial));
    tokio::spawn(async move {
        loop {
            let woke = tokio::time::timeout(REFRESH, events.recv()).await;
            match woke {
                Ok(Err(broadcast::error::RecvError::Closed)) => return,
                Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                    tokio::time::sleep(DEBOUNCE).await;
                    // Everything that arrived meanwhile is covered by this reload.
                    while let Ok(event) = events.try_recv() {
                        debug_assert!(matches!(*event, BusEvent::QueueChanged));
                    }
                }
                Err(_) => {}
            }
            match store.waiting_queue().await {
                Ok(queue) => {
                    metrics::gauge!("ecoute_queue_depth").set(queue.len() as f64);
                    // What the consoles show of a waiting chat; a new message alone is not a
                    // change of the queue.
                    let shown = |c: &Conversation| {
                        (
                            c.id,
                            c.state,
                            c.priority,
                            c.intake.language.clone(),
                            c.force,
                            c.risk_flags.len(),
                        )
                    };
                    let changed = tx.borrow().iter().map(shown).ne(queue.iter().map(shown));
                    if changed && tx.send(Arc::new(queue)).is_err() {
                        return;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot reload the queue"),
            }
            if tx.is_closed() {
                return;
            }
        }
    });
    rx
}

// The desk reports' timing lives here rather than in routing.rs, which sends them: the queue
// also reads them (which waiting visitors are here on another node), and routing.rs already
// depends on the queue.
/// How often a node tells the others which consoles it holds, at least.
pub const DESK_EVERY: Duration = Duration::from_secs(2);
/// A node that said nothing for this long is gone: its consoles no longer count.
pub const DESK_STALE: Duration = Duration::from_secs(7);

/// How long a chat that has just entered the queue counts its visitor as here although no page
/// of theirs has said so yet: the page opens its socket just after the start, and another node
/// reports its visitors every [`DESK_EVERY`]. Without it, every new chat was first
/// shown among those whose visitor went away, and then moved up.
pub const ARRIVING: Duration = Duration::from_secs(5);

/// Which waiting visitors have their page open, so that the queue can show apart the chats
/// whose visitor left a message and went away. Counted per conversation on this node; the other
/// nodes say which of their waiting visitors are there in their desk reports
/// ([`crate::routing`]). Consoles watch the version to show the queue again when it changes.
pub struct VisitorsHere {
    here: std::sync::Mutex<std::collections::HashMap<ecoute_domain::ConversationId, u32>>,
    /// Waiting visitors on other nodes, per node, with when that node said so.
    elsewhere: std::sync::Mutex<
        std::collections::HashMap<
            uuid::Uuid,
            (
                tokio::time::Instant,
                std::collections::HashSet<ecoute_domain::ConversationId>,
            ),
        >,
    >,
    /// Conversations whose visitor was seen here or elsewhere, with when last (kept for twice
    /// [`ARRIVING`]: a visitor seen once no longer counts as arriving), and when this list was
    /// last pruned.
    seen: std::sync::Mutex<(
        std::collections::HashMap<ecoute_domain::ConversationId, tokio::time::Instant>,
        tokio::time::Instant,
    )>,
    version: watch::Sender<u64>,
}

impl Default for VisitorsHere {
    fn default() -> Self {
        Self {
            here: Default::default(),
            elsewhere: Default::default(),
            seen: std::sync::Mutex::new((Default::default(), tokio::time::Instant::now())),
            version: watch::channel(0).0,
        }
    }
}

impl VisitorsHere {
    /// A visitor socket said hello. Consoles are told only when the chat is in the queue: the
    /// coming and going of visitors already in a chat changes nothing they show.
    pub fn arrive(&self, id: ecoute_domain::ConversationId, waiting: bool) {
        self.saw([id].into_iter());
        *self
            .here
            .lock()
            .expect("visitors lock")
            .entry(id)
            .or_default() += 1;
        if waiting {
            self.version.send_modify(|v| *v += 1);
        }
    }

    /// A visitor socket ended.
    pub fn leave(&self, id: ecoute_domain::ConversationId, waiting: bool) {
        let mut here = self.here.lock().expect("visitors lock");
        if let Some(n) = here.get_mut(&id) {
            *n -= 1;
            if *n == 0 {
                here.remove(&id);
            }
        }
        drop(here);
        if waiting {
            self.version.send_modify(|v| *v += 1);
        }
    }

    /// Whether the visitor of this conversation has a page open now, on this node or on
    /// another live one.
    pub fn is_here(&self, id: ecoute_domain::ConversationId) -> bool {
        self.here.lock().expect("visitors lock").contains_key(&id)
            || self
                .elsewhere
                .lock()
                .expect("visitors lock")
                .values()
                .any(|(at, ids)| at.elapsed() < DESK_STALE && ids.contains(&id))
    }

    /// Those of `ids` whose visitor has a page open on this node.
    pub fn here_among(
        &self,
        ids: impl Iterator<Item = ecoute_domain::ConversationId>,
    ) -> Vec<ecoute_domain::ConversationId> {
        let here = self.here.lock().expect("visitors lock");
        ids.filter(|id| here.contains_key(id)).collect()
    }

    /// Another node said which of its waiting visitors are there; consoles are told when that
    /// changed.
    pub fn heard(&self, node: uuid::Uuid, ids: &[ecoute_domain::ConversationId]) {
        self.saw(ids.iter().copied());
        let ids: std::collections::HashSet<_> = ids.iter().copied().collect();
        let mut elsewhere = self.elsewhere.lock().expect("visitors lock");
        let changed = elsewhere.get(&node).is_none_or(|(_, known)| *known != ids);
        elsewhere.insert(node, (tokio::time::Instant::now(), ids));
        elsewhere.retain(|_, (at, _)| at.elapsed() < DESK_STALE * 4);
        drop(elsewhere);
        if changed {
            self.version.send_modify(|v| *v += 1);
        }
    }

    /// Remembers that these visitors had a page open, for as long as their chats could count
    /// as arriving.
    fn saw(&self, ids: impl Iterator<Item = ecoute_domain::ConversationId>) {
        let now = tokio::time::Instant::now();
        let mut seen = self.seen.lock().expect("visitors lock");
        let (ids_seen, pruned) = &mut *seen;
        // Kept from when it was last seen: a visitor who stays is remembered as long as they
        // are reported.
        for id in ids {
            ids_seen.insert(id, now);
        }
        // Pruned once a second at most: a storm of starts does not scan the list each time.
        if now.duration_since(*pruned) >= Duration::from_secs(1) {
            ids_seen.retain(|_, at| now.duration_since(*at) < ARRIVING * 2);
            *pruned = now;
        }
    }

    /// If `chat` counts its visitor as here only because it has just entered the queue, for
    /// how much longer: it is new (not handed over), younger than [`ARRIVING`] at `now`, and no
    /// page of its visitor has been seen yet.
    pub fn arriving(&self, chat: &Conversation, now: time::OffsetDateTime) -> Option<Duration> {
        if chat.handovers > 0 {
            return None;
        }
        // A start stamped a moment ahead of this node's clock (another node's) is just new.
        let age = (now - chat.created_at).max(time::Duration::ZERO);
        let left = ARRIVING.checked_sub(age.unsigned_abs())?;
        if left.is_zero()
            || self
                .seen
                .lock()
                .expect("visitors lock")
                .0
                .contains_key(&chat.id)
        {
            return None;
        }
        Some(left)
    }

    /// Changes whenever a visitor arrives or leaves.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }
}

/// Counts a visitor as here for as long as it lives.
pub struct Here {
    visitors: Arc<VisitorsHere>,
    conversation: ecoute_domain::ConversationId,
    queue: watch::Receiver<QueueSnapshot>,
}

impl Here {
    /// Counts the visitor of `conversation` as here until this is dropped.
    pub fn arrive(
        visitors: Arc<VisitorsHere>,
        conversation: ecoute_domain::ConversationId,
        queue: watch::Receiver<QueueSnapshot>,
    ) -> Self {
        let here = Self {
            visitors,
            conversation,
            queue,
        };
        here.visitors.arrive(conversation, here.waiting());
        here
    }

    fn waiting(&self) -> bool {
        self.queue
            .borrow()
            .iter()
            .any(|c| c.id == self.conversation)
    }
}

impl Drop for Here {
    fn drop(&mut self) {
        self.visitors.leave(self.conversation, self.waiting());
    }
}
