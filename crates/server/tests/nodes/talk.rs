//! A visitor who keeps writing, as the page does: each message waits for its `ack`; when the
//! socket breaks, it reconnects (to another node if need be) with its last sequence number
//! and sends again, under the same client id, what was not acknowledged.

use crate::harness::{Cluster, Visitor, Ws};
use ecoute_domain::ConversationId;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// What one visitor saw acknowledged: client id → sequence number.
pub type Acks = BTreeMap<String, u64>;

/// Which node the visitors use now: changed by the test when a node goes away, as a
/// reverse proxy would send them elsewhere.
pub struct Route {
    pub node: AtomicUsize,
    pub stop: AtomicBool,
}

impl Route {
    pub fn to(node: usize) -> Arc<Self> {
        Arc::new(Self {
            node: AtomicUsize::new(node),
            stop: AtomicBool::new(false),
        })
    }
}

/// Visitors writing to a cluster, each from a task of its own, through one route.
pub struct Traffic {
    pub cluster: Arc<tokio::sync::RwLock<Cluster>>,
    pub route: Arc<Route>,
    writers: Vec<tokio::task::JoinHandle<(Acks, u32)>>,
}

impl Traffic {
    /// Every visitor starts writing to `node`, visitor `i` under client ids `v{i}-N`.
    pub fn start(cluster: Cluster, visitors: &[Visitor], node: usize) -> Self {
        let cluster = Arc::new(tokio::sync::RwLock::new(cluster));
        let route = Route::to(node);
        let writers = visitors
            .iter()
            .enumerate()
            .map(|(i, v)| {
                tokio::spawn(keep_writing(
                    cluster.clone(),
                    v.clone(),
                    format!("v{i}"),
                    route.clone(),
                ))
            })
            .collect();
        Self {
            cluster,
            route,
            writers,
        }
    }

    /// Stops every writer and gives back the cluster and, per visitor, what was acknowledged
    /// and how many times it connected.
    pub async fn stop(self) -> (Cluster, Vec<(Acks, u32)>) {
        self.route.stop.store(true, Ordering::SeqCst);
        let mut results = Vec::new();
        for w in self.writers {
            results.push(w.await.expect("a writer panicked"));
        }
        drop(self.route);
        let cluster = Arc::into_inner(self.cluster)
            .expect("writers are done")
            .into_inner();
        (cluster, results)
    }
}

/// Writes until `route.stop`, one message at a time, then returns every acknowledgement.
/// Panics if a message cannot be delivered within a minute of trying (every node down).
pub async fn keep_writing(
    cluster: Arc<tokio::sync::RwLock<Cluster>>,
    visitor: Visitor,
    name: String,
    route: Arc<Route>,
) -> (Acks, u32) {
    let mut acks = Acks::new();
    let mut last_seq = 0;
    let mut ws: Option<Ws> = None;
    let mut reconnects = 0;
    let mut n = 0u32;
    while !route.stop.load(Ordering::SeqCst) {
        n += 1;
        let client_id = format!("{name}-{n}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        // Until this message is acknowledged: a broken socket is replaced and the message sent
        // again under the same client id.
        'deliver: loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{client_id} not acknowledged within a minute"
            );
            if ws.is_none() {
                let node = route.node.load(Ordering::SeqCst);
                let c = cluster.read().await;
                match c.try_ws(node, "/ws/visitor", None).await {
                    Ok(mut socket) => {
                        if socket
                            .try_send(json!({"type": "hello", "token": visitor.token, "last_seq": last_seq}))
                            .await
                        {
                            ws = Some(socket);
                            reconnects += 1;
                        }
                    }
                    Err(_) => {
                        drop(c);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue 'deliver;
                    }
                }
            }
            let socket = ws.as_mut().expect("connected");
            if !socket
                .try_send(json!({"type": "send", "client_id": client_id, "body": format!("message {client_id}")}))
                .await
            {
                ws = None;
                continue 'deliver;
            }
            loop {
                let Some(frame) = socket.next(Duration::from_secs(20)).await else {
                    ws = None;
                    continue 'deliver;
                };
                match frame["type"].as_str() {
                    Some("message") => {
                        last_seq = last_seq.max(frame["seq"].as_u64().unwrap());
                    }
                    Some("ack") if frame["client_id"] == client_id.as_str() => {
                        let seq = frame["seq"].as_u64().unwrap();
                        if let Some(earlier) = acks.insert(client_id.clone(), seq) {
                            assert_eq!(earlier, seq, "{client_id} acknowledged twice, differently");
                        }
                        last_seq = last_seq.max(seq);
                        break 'deliver;
                    }
                    Some("error") if frame["code"] == "unavailable" => {
                        // The database did not answer: the same frame again, a little later.
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue 'deliver;
                    }
                    Some("error") => panic!("{client_id}: {frame}"),
                    _ => {}
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    (acks, reconnects)
}

/// What a visitor coming back on node `node` with nothing (`last_seq` 0) is shown: every
/// message of the conversation, in order, as the socket sends them.
pub async fn shown_on(cluster: &Cluster, node: usize, visitor: &Visitor) -> Vec<serde_json::Value> {
    let (mut ws, _) = cluster.visitor_socket(node, visitor, 0).await;
    let mut shown = Vec::new();
    while let Some(frame) = ws.next_or_quiet(Duration::from_secs(1)).await {
        if frame["type"] == "message" {
            shown.push(frame);
        }
    }
    shown
}

/// Every acknowledged message is shown exactly once, at its sequence number.
pub fn assert_shown_once(shown: &[serde_json::Value], acks: &Acks) {
    let mut seen = BTreeMap::new();
    for m in shown {
        if let Some(client_id) = m["client_id"].as_str() {
            *seen.entry(client_id.to_string()).or_insert(0) += 1;
        }
    }
    for (client_id, seq) in acks {
        assert_eq!(
            seen.get(client_id),
            Some(&1),
            "{client_id} (acknowledged as {seq}) is shown exactly once"
        );
        let m = shown
            .iter()
            .find(|m| m["client_id"] == client_id.as_str())
            .unwrap();
        assert_eq!(m["seq"], *seq);
    }
    let seqs: Vec<u64> = shown.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "in order, no gap: {seqs:?}"
    );
}

/// Every acknowledged message is in the database exactly once, at the sequence number it was
/// acknowledged with, and the conversation's sequence numbers have no gap.
pub async fn assert_all_kept(cluster: &Cluster, conversation: &str, acks: &Acks) {
    let id = ConversationId(conversation.parse().unwrap());
    let stored = cluster
        .store
        .messages_after(id, 0, 1_000_000)
        .await
        .expect("read the conversation back");
    for (i, m) in stored.iter().enumerate() {
        assert_eq!(m.seq, i as u64 + 1, "sequence numbers are gap-free");
    }
    let mut seen = BTreeMap::new();
    for m in &stored {
        if m.author == ecoute_domain::Author::Visitor {
            *seen.entry(m.client_id.clone()).or_insert(0) += 1;
        }
    }
    for (client_id, seq) in acks {
        assert_eq!(
            seen.get(client_id),
            Some(&1),
            "{client_id} (acknowledged as {seq}) is stored exactly once"
        );
        let m = stored.iter().find(|m| &m.client_id == client_id).unwrap();
        assert_eq!(
            m.seq, *seq,
            "{client_id} kept the sequence number it was acknowledged with"
        );
    }
}
