//! Carries bus events between nodes through core NATS.
//!
//! # Subjects
//!
//! With the default prefix [`DEFAULT_PREFIX`] (`ecoute.v1`):
//!
//! | topic | subject |
//! | --- | --- |
//! | `Conversation(id)` | `ecoute.v1.conversation.<uuid>` |
//! | `Officer(id)` | `ecoute.v1.officer.<uuid>` |
//! | `Queue` | `ecoute.v1.queue` |
//! | `Supervision` | `ecoute.v1.supervision` |
//! | `Desk` | `ecoute.v1.desk` |
//!
//! Every node subscribes to `<prefix>.>`: it receives every event of every other node, even
//! for topics none of its connections listens to (delivery then finds no channel and costs
//! a lookup). This is simple and fine for a handful of nodes; with many nodes or much
//! traffic, subscribe per topic when its first local listener arrives instead.
//!
//! # Delivery
//!
//! Core NATS: at most once, in order per publishing node. [`LocalBus::publish`] delivers
//! locally at once and hands the event to a bounded queue ([`NatsOptions::outbox_capacity`])
//! without waiting; a task publishes from it. A full queue, an unreachable server or a slow
//! receiver lose events: they are counted ([`BridgeStatus::dropped`],
//! `ecoute_bus_dropped_total`) and logged, never blocking the caller. The bus is a hint;
//! receivers resync from the store on gaps, as they already do on `Lagged`.
//!
//! Each frame carries the sending node's id in the `Ecoute-Node` header. The connection is
//! opened with `no_echo`, and a frame tagged with this node's own id is dropped too, so a
//! node never delivers its own events twice; events from other nodes are delivered locally
//! only, never published again. Frames that cannot be decoded (see [`crate::wire`]) are
//! logged and dropped ([`BridgeStatus::rejected`]).
//!
//! After the first connection, the client reconnects on its own, forever;
//! [`NatsBridge::is_connected`] tells whether it is connected now.

use crate::{BusEvent, LocalBus, Topic, wire};
use async_nats::{Client, ConnectOptions, Event, HeaderMap, Message, Subscriber};
use futures_util::StreamExt;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The subject prefix used when none is given.
pub const DEFAULT_PREFIX: &str = "ecoute.v1";

/// The header that names the node a frame comes from.
pub const NODE_HEADER: &str = "Ecoute-Node";

/// How long [`NatsBridge::shutdown`] waits for queued events to leave.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

type Outgoing = (Topic, Arc<BusEvent>);

/// Why a bridge could not be attached.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The first connection failed (unreachable, refused, bad URL, authentication).
    #[error("cannot connect to NATS at {url}: {source}")]
    Connect {
        /// The URL, without credentials.
        url: String,
        /// What the client said.
        #[source]
        source: async_nats::ConnectError,
    },
    /// The server refused the subscription to `<prefix>.>`.
    #[error("cannot subscribe to {subject} on NATS: {source}")]
    Subscribe {
        /// The subject.
        subject: String,
        /// What the client said.
        #[source]
        source: async_nats::SubscribeError,
    },
    /// The server did not confirm the subscription.
    #[error("NATS did not confirm the subscription to {subject}: {source}")]
    Flush {
        /// The subject.
        subject: String,
        /// What the client said.
        #[source]
        source: async_nats::client::FlushError,
    },
    /// The prefix is not a valid literal subject.
    #[error(
        "invalid NATS subject prefix {0:?}: dot-separated non-empty tokens without spaces, '*' or '>'"
    )]
    InvalidPrefix(String),
    /// The node id is empty, too long, or not printable ASCII.
    #[error("invalid node id {0:?}: 1 to 64 printable ASCII characters without spaces")]
    InvalidNode(String),
    /// This bus already has a bridge.
    #[error("this bus already has a NATS bridge")]
    AlreadyBridged,
}

/// How to attach a bus to NATS.
#[derive(Clone)]
pub struct NatsOptions {
    /// One URL or several, comma-separated (`nats://host:4222`, `tls://…`; credentials as
    /// `nats://user:password@host` or `nats://token@host`).
    pub url: String,
    /// This node's id, unique among the nodes (the host name, a pod name…).
    pub node: String,
    /// Subject prefix, [`DEFAULT_PREFIX`] unless given. All nodes of one deployment must
    /// use the same; tests use a unique one to share a NATS server.
    pub prefix: String,
    /// How many events may wait for NATS before new ones are dropped.
    pub outbox_capacity: usize,
    /// How long the first connection may take.
    pub connection_timeout: Duration,
}

impl NatsOptions {
    /// Defaults for the rest: prefix `ecoute.v1`, 16,384 queued events, 5 s to connect.
    pub fn new(url: impl Into<String>, node: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            node: node.into(),
            prefix: DEFAULT_PREFIX.to_owned(),
            outbox_capacity: 16_384,
            connection_timeout: Duration::from_secs(5),
        }
    }

    /// Another subject prefix.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Another queue size (at least 1).
    pub fn outbox_capacity(mut self, capacity: usize) -> Self {
        self.outbox_capacity = capacity;
        self
    }

    /// Another first-connection timeout.
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }
}

impl fmt::Debug for NatsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsOptions")
            .field("url", &redact(&self.url))
            .field("node", &self.node)
            .field("prefix", &self.prefix)
            .field("outbox_capacity", &self.outbox_capacity)
            .field("connection_timeout", &self.connection_timeout)
            .finish()
    }
}

/// A bridge's state and counters since it was attached, for health checks and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BridgeStatus {
    /// Connected to a NATS server now.
    pub connected: bool,
    /// Events handed to the NATS client for the other nodes.
    pub sent: u64,
    /// Events from other nodes delivered on this node.
    pub received: u64,
    /// Events of this node that never left: queue full, publish failed, not encodable.
    pub dropped: u64,
    /// Frames from NATS refused: malformed, unknown version or value, no node header,
    /// subject and topic disagreeing.
    pub rejected: u64,
    /// Frames tagged with this node's id (should stay 0: another node with the same id?).
    pub echoes: u64,
}

/// Attaches `bus` to the NATS server(s) at `url` as node `node`, with the default prefix.
/// See [`connect_nats_with`].
pub async fn connect_nats(bus: &LocalBus, url: &str, node: &str) -> Result<NatsBridge, BusError> {
    connect_nats_with(bus, NatsOptions::new(url, node)).await
}

/// Connects, subscribes to `<prefix>.>` (confirmed by the server before returning, so no
/// event of another node published after this returns is missed) and attaches the bridge to
/// `bus`: from then on [`LocalBus::publish`] also sends to the other nodes.
///
/// Fails if the server cannot be reached now ([`BusError::Connect`]); once connected, the
/// client reconnects on its own. Keep the returned bridge for as long as the node runs:
/// dropping it detaches the bus.
pub async fn connect_nats_with(
    bus: &LocalBus,
    options: NatsOptions,
) -> Result<NatsBridge, BusError> {
    validate_prefix(&options.prefix)?;
    validate_node(&options.node)?;
    if bus.inner.remote.read().expect("bus lock").is_some() {
        return Err(BusError::AlreadyBridged);
    }
    let urls: Vec<&str> = options
        .url
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect();
    let node = options.node.clone();
    let client = ConnectOptions::new()
        .name(format!("ecoute-{}", options.node))
        .no_echo()
        .connection_timeout(options.connection_timeout)
        .max_reconnects(None)
        .event_callback(move |event| on_event(node.clone(), event))
        .connect(urls)
        .await
        .map_err(|source| BusError::Connect {
            url: redact(&options.url),
            source,
        })?;
    let subject = format!("{}.>", options.prefix);
    let subscriber =
        client
            .subscribe(subject.clone())
            .await
            .map_err(|source| BusError::Subscribe {
                subject: subject.clone(),
                source,
            })?;
    client.flush().await.map_err(|source| BusError::Flush {
        subject: subject.clone(),
        source,
    })?;
    // `flush` only writes the subscription out. A request nobody answers comes back from the
    // server itself ("no responders"), and the server handles one connection's operations in
    // order: once it answers, the subscription is in force.
    let probe = format!("_ecoute_probe.{}", uuid::Uuid::new_v4().simple());
    let answered = tokio::time::timeout(
        options.connection_timeout,
        client.request(probe, Vec::new().into()),
    )
    .await;
    if answered.is_err() {
        tracing::warn!(node = %options.node, "bus: NATS did not confirm the subscription in time");
    }
    metrics::gauge!("ecoute_bus_nats_connected").set(1.0);

    let shared = Arc::new(Shared {
        client,
        node: options.node,
        prefix: options.prefix,
        stats: Stats::default(),
    });
    let (tx, rx) = mpsc::channel(options.outbox_capacity.max(1));
    {
        let mut remote = bus.inner.remote.write().expect("bus lock");
        if remote.is_some() {
            return Err(BusError::AlreadyBridged);
        }
        *remote = Some(Outbox {
            tx,
            shared: Arc::clone(&shared),
        });
    }
    let publisher = tokio::spawn(publish_loop(Arc::clone(&shared), rx));
    let receiver = tokio::spawn(receive_loop(Arc::clone(&shared), bus.clone(), subscriber));
    tracing::info!(
        node = %shared.node,
        url = %redact(&options.url),
        subject = %subject,
        "bus: bridged to NATS"
    );
    Ok(NatsBridge {
        shared,
        bus: bus.clone(),
        publisher: Some(publisher),
        receiver,
    })
}

/// A bus attached to NATS. Dropping it detaches the bus (which then serves this node only)
/// and closes the connection; [`NatsBridge::shutdown`] first lets queued events leave.
#[must_use = "dropping the bridge detaches the bus: keep it for as long as the node runs"]
pub struct NatsBridge {
    shared: Arc<Shared>,
    bus: LocalBus,
    publisher: Option<JoinHandle<()>>,
    receiver: JoinHandle<()>,
}

impl NatsBridge {
    /// State and counters now.
    pub fn status(&self) -> BridgeStatus {
        self.shared.status()
    }

    /// Connected to a NATS server now.
    pub fn is_connected(&self) -> bool {
        self.shared.connected()
    }

    /// This node's id.
    pub fn node(&self) -> &str {
        &self.shared.node
    }

    /// The subject prefix.
    pub fn prefix(&self) -> &str {
        &self.shared.prefix
    }

    /// Detaches the bus, waits (at most 5 s) for queued events to reach the server, then
    /// stops receiving.
    pub async fn shutdown(mut self) {
        self.detach();
        if let Some(publisher) = self.publisher.take() {
            let abort = publisher.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, publisher)
                .await
                .is_err()
            {
                abort.abort();
                tracing::warn!(node = %self.shared.node, "bus: NATS outbox not drained at shutdown");
            }
        }
        self.receiver.abort();
    }

    fn detach(&self) {
        let mut remote = self.bus.inner.remote.write().expect("bus lock");
        if remote
            .as_ref()
            .is_some_and(|outbox| Arc::ptr_eq(&outbox.shared, &self.shared))
        {
            *remote = None;
        }
    }
}

impl Drop for NatsBridge {
    fn drop(&mut self) {
        self.detach();
        if let Some(publisher) = &self.publisher {
            publisher.abort();
        }
        self.receiver.abort();
    }
}

impl fmt::Debug for NatsBridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsBridge")
            .field("node", &self.shared.node)
            .field("prefix", &self.shared.prefix)
            .field("status", &self.status())
            .finish()
    }
}

/// What the bus holds while a bridge is attached.
pub(crate) struct Outbox {
    tx: mpsc::Sender<Outgoing>,
    shared: Arc<Shared>,
}

impl Outbox {
    /// Queues an event for the other nodes, never waiting.
    pub(crate) fn offer(&self, topic: Topic, event: Arc<BusEvent>) {
        if let Err(e) = self.tx.try_send((topic, event)) {
            let reason = match e {
                mpsc::error::TrySendError::Full(_) => "full",
                mpsc::error::TrySendError::Closed(_) => "closed",
            };
            let n = self.shared.dropped(reason);
            if n.is_power_of_two() {
                tracing::warn!(
                    node = %self.shared.node,
                    reason,
                    dropped_total = n,
                    "bus: event not sent to the other nodes (they resync from the store)"
                );
            }
        }
    }

    pub(crate) fn status(&self) -> BridgeStatus {
        self.shared.status()
    }
}

struct Shared {
    client: Client,
    node: String,
    prefix: String,
    stats: Stats,
}

#[derive(Default)]
struct Stats {
    sent: AtomicU64,
    received: AtomicU64,
    dropped: AtomicU64,
    rejected: AtomicU64,
    echoes: AtomicU64,
}

impl Shared {
    fn connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }

    fn status(&self) -> BridgeStatus {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        BridgeStatus {
            connected: self.connected(),
            sent: get(&self.stats.sent),
            received: get(&self.stats.received),
            dropped: get(&self.stats.dropped),
            rejected: get(&self.stats.rejected),
            echoes: get(&self.stats.echoes),
        }
    }

    fn subject(&self, topic: Topic) -> String {
        subject(&self.prefix, topic)
    }

    /// Counts a dropped event; returns the total.
    fn dropped(&self, reason: &'static str) -> u64 {
        metrics::counter!("ecoute_bus_dropped_total", "reason" => reason).increment(1);
        self.stats.dropped.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Counts and logs a refused frame.
    fn reject(&self, message: &Message, from: Option<&str>, why: &dyn fmt::Display) {
        metrics::counter!("ecoute_bus_rejected_total").increment(1);
        let n = self.stats.rejected.fetch_add(1, Ordering::Relaxed) + 1;
        if n <= 100 || n.is_power_of_two() {
            tracing::warn!(
                node = %self.node,
                subject = %message.subject,
                from = from.unwrap_or("?"),
                bytes = message.payload.len(),
                rejected_total = n,
                error = %why,
                "bus: frame from NATS refused and dropped"
            );
        }
    }

    /// Delivers a frame of another node on this node only.
    fn accept(&self, bus: &LocalBus, message: Message) {
        let from = message
            .headers
            .as_ref()
            .and_then(|h| h.get(NODE_HEADER))
            .map(|v| v.as_str());
        let Some(from) = from else {
            self.reject(&message, None, &"no node header");
            return;
        };
        if from == self.node {
            let n = self.stats.echoes.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!(
                    node = %self.node,
                    echoes_total = n,
                    "bus: frame tagged with this node's own id dropped: does another node use the same id?"
                );
            }
            return;
        }
        let (topic, event) = match wire::decode(&message.payload) {
            Ok(decoded) => decoded,
            Err(e) => {
                self.reject(&message, Some(from), &e);
                return;
            }
        };
        if message.subject.as_str() != self.subject(topic) {
            self.reject(
                &message,
                Some(from),
                &"the subject does not match the topic",
            );
            return;
        }
        bus.deliver_local(topic, &Arc::new(event));
        self.stats.received.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("ecoute_bus_events_total", "direction" => "in").increment(1);
    }
}

/// The subject of a topic under `prefix`.
pub fn subject(prefix: &str, topic: Topic) -> String {
    match topic {
        Topic::Conversation(id) => format!("{prefix}.conversation.{}", id.0),
        Topic::Officer(id) => format!("{prefix}.officer.{}", id.0),
        Topic::Queue => format!("{prefix}.queue"),
        Topic::Supervision => format!("{prefix}.supervision"),
        Topic::Desk => format!("{prefix}.desk"),
    }
}

async fn publish_loop(shared: Arc<Shared>, mut rx: mpsc::Receiver<Outgoing>) {
    let mut headers = HeaderMap::new();
    headers.insert(NODE_HEADER, shared.node.as_str());
    while let Some((topic, event)) = rx.recv().await {
        let frame = match wire::encode(topic, &event) {
            Ok(frame) => frame,
            Err(e) => {
                shared.dropped("encode");
                tracing::error!(node = %shared.node, error = %e, "bus: event not encodable, not sent");
                continue;
            }
        };
        match shared
            .client
            .publish_with_headers(shared.subject(topic), headers.clone(), frame.into())
            .await
        {
            Ok(()) => {
                shared.stats.sent.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("ecoute_bus_events_total", "direction" => "out").increment(1);
            }
            Err(e) => {
                let n = shared.dropped("publish");
                if n.is_power_of_two() {
                    tracing::warn!(node = %shared.node, error = %e, dropped_total = n, "bus: publish to NATS failed");
                }
            }
        }
    }
    // Detached: push out what the client still buffers.
    if let Err(e) = shared.client.flush().await {
        tracing::debug!(node = %shared.node, error = %e, "bus: final flush failed");
    }
}

async fn receive_loop(shared: Arc<Shared>, bus: LocalBus, mut subscriber: Subscriber) {
    while let Some(message) = subscriber.next().await {
        shared.accept(&bus, message);
    }
    tracing::warn!(node = %shared.node, "bus: NATS subscription ended");
}

async fn on_event(node: String, event: Event) {
    match event {
        Event::Connected => {
            metrics::gauge!("ecoute_bus_nats_connected").set(1.0);
            tracing::info!(node = %node, "bus: NATS connected");
        }
        Event::Disconnected => {
            metrics::gauge!("ecoute_bus_nats_connected").set(0.0);
            tracing::warn!(node = %node, "bus: NATS disconnected, reconnecting");
        }
        Event::SlowConsumer(_) => {
            metrics::counter!("ecoute_bus_dropped_total", "reason" => "slow_consumer").increment(1);
            tracing::warn!(node = %node, "bus: too slow to take events from NATS, some were dropped");
        }
        other => tracing::warn!(node = %node, event = %other, "bus: NATS event"),
    }
}

fn validate_prefix(prefix: &str) -> Result<(), BusError> {
    let valid = !prefix.is_empty()
        && prefix.split('.').all(|token| {
            !token.is_empty()
                && token
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'*' && b != b'>')
        });
    if valid {
        Ok(())
    } else {
        Err(BusError::InvalidPrefix(prefix.to_owned()))
    }
}

fn validate_node(node: &str) -> Result<(), BusError> {
    if (1..=64).contains(&node.len()) && node.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(BusError::InvalidNode(node.to_owned()))
    }
}

/// The URL(s) without credentials, for logs and errors.
fn redact(url: &str) -> String {
    url.split(',')
        .map(|one| {
            let one = one.trim();
            let start = one.find("://").map_or(0, |i| i + 3);
            let end = one[start..].find('/').map_or(one.len(), |i| start + i);
            match one[start..end].rfind('@') {
                Some(at) => format!("{}***{}", &one[..start], &one[start + at..]),
                None => one.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecoute_domain::{ConversationId, UserId};

    #[test]
    fn credentials_never_appear_in_urls_shown() {
        assert_eq!(redact("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
        assert_eq!(
            redact("nats://user:s3cret@nats.local:4222"),
            "nats://***@nats.local:4222"
        );
        assert_eq!(
            redact("tls://tok@a:4222, nats://b:4222"),
            "tls://***@a:4222,nats://b:4222"
        );
        assert_eq!(redact("u:p@host"), "***@host");
        let shown = format!("{:?}", NatsOptions::new("nats://u:pw@h:1", "n1"));
        assert!(!shown.contains("pw"), "{shown}");
    }

    #[test]
    fn subjects_follow_the_documented_scheme() {
        let c = ConversationId(uuid::Uuid::nil());
        let u = UserId(uuid::Uuid::from_bytes([0xff; 16]));
        assert_eq!(
            subject("ecoute.v1", Topic::Conversation(c)),
            "ecoute.v1.conversation.00000000-0000-0000-0000-000000000000"
        );
        assert_eq!(
            subject("ecoute.v1", Topic::Officer(u)),
            "ecoute.v1.officer.ffffffff-ffff-ffff-ffff-ffffffffffff"
        );
        assert_eq!(subject("p", Topic::Queue), "p.queue");
        assert_eq!(subject("p", Topic::Supervision), "p.supervision");
        assert_eq!(subject("p", Topic::Desk), "p.desk");
    }

    #[test]
    fn prefixes_and_node_ids_are_validated() {
        for ok in ["ecoute.v1", "t", "test-1.abc_def"] {
            assert!(validate_prefix(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "a.", ".a", "a..b", "a b", "a.*", "a.>", "a\tb"] {
            assert!(validate_prefix(bad).is_err(), "{bad:?}");
        }
        assert!(validate_node("node-1").is_ok());
        for bad in ["", "a b", "a\r\nX: y", &"x".repeat(65), "é"] {
            assert!(validate_node(bad).is_err(), "{bad:?}");
        }
    }
}
