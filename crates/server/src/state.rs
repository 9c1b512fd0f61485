//! What every handler and socket can reach, in a module of its own so that the HTTP routes, the
//! sockets and the wiring all depend on it and not on one another.

use crate::auth::AddressLimiter;
use crate::config::Config;
use crate::queue::{QueueSnapshot, VisitorsHere};
use crate::routing::Router;
use crate::service::ChatService;
use std::sync::Arc;
use tokio::sync::watch;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The configuration in force.
    pub config: Arc<Config>,
    /// Origins accepted for sockets and cookie-authenticated changes.
    pub allowed_origins: Arc<Vec<String>>,
    /// The conversation service.
    pub chat: ChatService,
    /// The waiting queue, kept current.
    pub queue: watch::Receiver<QueueSnapshot>,
    /// Which visitors have their page open.
    pub visitors_here: Arc<VisitorsHere>,
    /// Becomes `true` when the server is stopping: sockets tell their clients to reconnect.
    pub stopping: watch::Receiver<bool>,
    /// Login attempts per source address (memory only).
    pub login_limiter: Arc<AddressLimiter>,
    /// New conversations per source address (memory only).
    pub start_limiter: Arc<AddressLimiter>,
    /// Return code attempts per source address (memory only).
    pub resume_limiter: Arc<AddressLimiter>,
    /// Return codes checked at once, at most: bounds the argon2id work however many ask.
    pub resume_work: Arc<tokio::sync::Semaphore>,
    /// Officers' presence and the offers in flight (not axum's router).
    pub presence: Router,
    /// The sockets open on this node.
    pub sockets: OpenSockets,
}

/// Counts the sockets open on this node, so that a stopping node can wait for each of them to
/// tell its client to reconnect before the process ends.
#[derive(Clone, Default)]
pub struct OpenSockets(Arc<watch::Sender<usize>>);

/// One open socket, counted until dropped.
pub struct SocketHeld(Arc<watch::Sender<usize>>);

impl OpenSockets {
    /// Counts one more socket for as long as the result lives.
    pub fn hold(&self) -> SocketHeld {
        self.0.send_modify(|n| *n += 1);
        SocketHeld(self.0.clone())
    }

    /// Waits until no socket is open, for at most `within`; whether they all closed.
    pub async fn all_closed(&self, within: std::time::Duration) -> bool {
        let mut open = self.0.subscribe();
        tokio::time::timeout(within, open.wait_for(|n| *n == 0))
            .await
            .is_ok()
    }
}

impl Drop for SocketHeld {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_stopping_node_waits_for_its_sockets_to_close_but_not_forever() {
        let sockets = OpenSockets::default();
        assert!(sockets.all_closed(Duration::ZERO).await, "none open");
        let first = sockets.hold();
        let second = sockets.hold();
        assert!(!sockets.all_closed(Duration::from_millis(20)).await);
        drop(first);
        let waiting = tokio::spawn({
            let sockets = sockets.clone();
            async move { sockets.all_closed(Duration::from_secs(5)).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "one socket is still open");
        drop(second);
        assert!(waiting.await.unwrap(), "the last one closed");
    }
}
