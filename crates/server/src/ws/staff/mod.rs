//! The staff console's socket: the queue and offers, presence, several chats at once,
//! notes, transfers, closing; for supervisors, the live board, silent monitoring, whispers
//! and take-over.

mod actions;
mod events;
mod supervision;
mod wellbeing;

pub use supervision::build_board;

use super::delivery::{Delivered, Next};
use super::frames::{
    BoardChatOut, BoardOut, ChatOut, ColleagueOut, FiguresOut, MessageOut, NoteOut, QueueItemOut,
    StaffIn, StaffOut, UserOut,
};
use super::writer::{self, Job, Writer};
use super::*;
use crate::auth::Staff;
use crate::config::RoutingMode;
use crate::error::ApiError;
use crate::service::desk::SessionCheck;
use crate::service::supervision::supervises;
use crate::service::{PlainMessage, open_message, open_note_event};
use crate::state::AppState;
use ecoute_bus::{BusEvent, Subscription};
use ecoute_crypto::DataKey;
use ecoute_domain::{
    Actor, ClientMessageId, ConversationId, MessageBody, Outcome, Presence, Role, Seq, StateName,
    UserId,
};
use ecoute_store::{Conversation, NoteKind};
use std::collections::HashMap;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, sleep_until};

struct Chat {
    key: DataKey,
    /// How far this console has the chat's messages.
    delivered: Delivered,
}

/// The chat a supervisor follows silently.
struct Monitored {
    id: ConversationId,
    key: DataKey,
    delivered: Seq,
    events: Subscription,
}

struct Session {
    conn: Conn,
    state: AppState,
    staff: Staff,
    chats: HashMap<ConversationId, Chat>,
    monitored: Option<Monitored>,
    /// The board last sent, to send it again only when it changed.
    last_board: Option<BoardOut>,
    /// Last frame from this console that was a person's action (pings do not count).
    last_activity: time::OffsetDateTime,
    /// The type of the frame being answered, named in any error it causes.
    answering: Option<&'static str>,
    /// Writes this officer's messages, in order, while the session goes on delivering.
    writer: Writer,
    /// Per chat, a refused message that must come again before any later one (PROTOCOL.md §4).
    order: pace::SendOrder,
    /// With several nodes: the chats this console and the database last disagreed on, and
    /// the session checks since the last comparison.
    disagreement: Option<Vec<ConversationId>>,
    checks: u32,
    /// When the queue last sent counted a new chat's visitor as here only because the chat had
    /// just arrived ([`crate::queue::ARRIVING`]): the queue is sent again then.
    queue_recheck: Option<Instant>,
}

/// Tells the router a console closed, however the socket ends.
struct AtDesk {
    router: crate::routing::Router,
    officer: UserId,
}

impl Drop for AtDesk {
    fn drop(&mut self) {
        self.router.disconnected(self.officer);
    }
}

/// Waits for the next event of the followed chat, or forever when there is none.
async fn next_monitored(m: &mut Option<Monitored>) -> Result<std::sync::Arc<BusEvent>, RecvError> {
    match m {
        Some(m) => m.events.recv().await,
        None => std::future::pending().await,
    }
}

/// Waits for the next supervision event, or forever for an officer.
async fn next_supervision(
    s: &mut Option<Subscription>,
) -> Result<std::sync::Arc<BusEvent>, RecvError> {
    match s {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

/// Runs one console socket to its end. The upgrade has already checked the session.
/// Waiting chats a console is sent, at most: the head of the queue, which is what a person can
/// act on. Beyond, the console shows how many more wait. Without a bound, every change to a
/// long queue sent the whole of it to every console (docs/PERFORMANCE.md).
pub const QUEUE_SHOWN: usize = 100;
/// A console is sent the queue at most this often; changes in between are sent together.
const QUEUE_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

pub async fn run(socket: axum::extract::ws::WebSocket, state: AppState, staff: Staff) {
    let _counted = crate::metrics::ConnectionGauge::open("staff");
    let officer = staff.user.id;
    let mut events = state.chat.officer_events(officer);
    let mut supervision = supervises(staff.user.role).then(|| state.chat.supervision_events());
    let mut queue = state.queue.clone();
    let mut visitors = state.visitors_here.watch();
    let presence = state.presence.connected(officer, staff.user.role);
    // A break left open (the node restarted, the officer came back another way) ends when the
    // console opens in another presence: "Mon service" and the board never show a stale one.
    if presence != Presence::Break
        && let Err(e) = state.chat.end_break(&staff.user).await
    {
        tracing::warn!(error = ?e, "cannot end a break left open");
    }
    let _at_desk = AtDesk {
        router: state.presence.clone(),
        officer,
    };
    state.chat.staff_changed();
    let writer = Writer::new(state.chat.clone());
    let mut session = Session {
        conn: Conn::new(socket, state.config.limits.messages_per_minute * 2),
        state,
        staff,
        chats: HashMap::new(),
        monitored: None,
        last_board: None,
        // Only actions on this socket count here; the upgrade itself was recorded in the store.
        last_activity: time::OffsetDateTime::UNIX_EPOCH,
        answering: None,
        writer,
        order: pace::SendOrder::default(),
        disagreement: None,
        checks: 0,
        queue_recheck: None,
    };

    let open = match session.state.chat.open_chats_of(officer).await {
        Ok(open) => open,
        Err(e) => {
            session.conn.send(&StaffOut::Error(api_error_out(&e))).await;
            return session.conn.close(CLOSE_RESTART, "unavailable").await;
        }
    };
    for c in &open {
        if !session.track(c) {
            return session.conn.close(CLOSE_RESTART, "internal").await;
        }
    }
    let welcome = StaffOut::Welcome {
        user: UserOut::from(&session.staff.user),
        chats: open.iter().map(ChatOut::from).collect(),
        presence,
        mode: match session.state.presence.mode() {
            RoutingMode::Offer => "offer",
            RoutingMode::Pull => "pull",
        },
    };
    if !session.conn.send(&welcome).await {
        return;
    }
    queue.mark_changed();
    if !session.canned().await {
        return;
    }
    if let Some((conversation, expires_at)) = session.state.presence.pending_offer(officer)
        && !session.offer(conversation, expires_at).await
    {
        return;
    }
    let mut board_tick = tokio::time::interval(std::time::Duration::from_secs(2));
    let mut wellbeing_tick = tokio::time::interval(wellbeing::WELLBEING_EVERY);
    let mut wellbeing_sent = wellbeing::WellbeingSent::default();

    let mut stopping = session.state.stopping.clone();
    let mut deadline = Instant::now() + IDLE_LIMIT;
    let mut session_check = tokio::time::interval(std::time::Duration::from_secs(1));
    // When the queue is owed to this console, and when it was last sent.
    let mut queue_due: Option<Instant> = None;
    let mut queue_sent = Instant::now();
    // The earlier of what was already due (perhaps a recheck, seconds away) and this change.
    let owe = |due: &mut Option<Instant>, sent: Instant| {
        let at = (sent + QUEUE_EVERY).max(Instant::now());
        *due = Some(due.map_or(at, |d| d.min(at)));
    };
    loop {
        // Biased: an ack the writer has ready goes out before the bus event of the same
        // message, so a sender never sees its own message come back before its ack.
        tokio::select! {
            biased;
            _ = session_check.tick() => {
                if !session.session_alive().await {
                    return session.conn.close(CLOSE_POLICY, "session_ended").await;
                }
                if session.chats_disagree().await {
                    return session.conn.close(CLOSE_RESTART, "resync").await;
                }
            }
            wake = wake(&mut stopping, &mut session.conn, &mut session.writer, StaffOut::Error) => {
                if !on_wake(&mut session, wake, &mut deadline).await {
                    return;
                }
            }
            event = events.recv() => {
                let go_on = match event {
                    Ok(event) => session.handle_event(&event).await,
                    // Too far behind to know what was missed (alerts, closes, messages): the
                    // console reconnects and gets the whole picture from the store.
                    Err(RecvError::Lagged(_)) => {
                        session.conn.close(CLOSE_RESTART, "resync").await;
                        false
                    }
                    Err(RecvError::Closed) => false,
                };
                if !go_on {
                    return;
                }
            }
            changed = queue.changed() => {
                if changed.is_err() {
                    return;
                }
                queue.borrow_and_update();
                owe(&mut queue_due, queue_sent);
            }
            // A waiting visitor arrived or went away: the queue shows it.
            changed = visitors.changed() => {
                if changed.is_err() {
                    return;
                }
                visitors.borrow_and_update();
                owe(&mut queue_due, queue_sent);
            }
            _ = sleep_until(queue_due.unwrap_or_else(Instant::now)), if queue_due.is_some() => {
                queue_sent = Instant::now();
                if !session.send_queue().await {
                    return;
                }
                queue_due = session.queue_recheck.take();
            }
            event = next_supervision(&mut supervision) => {
                let go_on = match event {
                    Ok(event) => session.handle_supervision(&event).await,
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => false,
                };
                if !go_on {
                    return;
                }
            }
            event = next_monitored(&mut session.monitored) => {
                let go_on = match event {
                    Ok(event) => session.handle_monitored(&event).await,
                    // Behind: read the followed chat again from the store.
                    Err(RecvError::Lagged(_)) => session.monitor_catch_up().await,
                    Err(RecvError::Closed) => { session.monitored = None; true }
                };
                if !go_on {
                    return;
                }
            }
            _ = board_tick.tick(), if supervises(session.staff.user.role) => {
                if !session.send_board().await {
                    return;
                }
            }
            _ = wellbeing_tick.tick() => {
                if !session.send_wellbeing(&mut wellbeing_sent).await {
                    return;
                }
            }
            _ = sleep_until(deadline) => {
                return session.conn.close(CLOSE_NORMAL, "idle").await;
            }
        }
    }
}

fn about(mut e: super::frames::ErrorOut, conversation: ConversationId) -> super::frames::ErrorOut {
    e.conversation_id = Some(conversation);
    e
}

impl Session {
    /// Whether the login session behind this socket still holds: not logged out elsewhere, not
    /// idle for 15 minutes (counting this console's actions), not older than 12 hours. An expired
    /// session is deleted and every socket of it is told.
    /// With several nodes, the events that tell this console a chat left it (a transfer, a
    /// take-over, a requeue decided on another node) travel on NATS, which may lose them. Every
    /// few seconds the chats it holds are compared with the database's; a difference seen twice
    /// in a row (not a claim on its way) makes the console reconnect and load them again.
    pub(super) async fn chats_disagree(&mut self) -> bool {
        const EVERY_CHECKS: u32 = 5;
        if !self.state.chat.several_nodes() {
            return false;
        }
        self.checks += 1;
        if self.checks < EVERY_CHECKS {
            return false;
        }
        self.checks = 0;
        let Ok(open) = self.state.chat.open_chats_of(self.staff.user.id).await else {
            return false;
        };
        let stored: std::collections::BTreeSet<ConversationId> =
            open.iter().map(|c| c.id).collect();
        let held: std::collections::BTreeSet<ConversationId> = self.chats.keys().copied().collect();
        let differ: Vec<ConversationId> = stored.symmetric_difference(&held).copied().collect();
        if differ.is_empty() {
            self.disagreement = None;
            return false;
        }
        if self.disagreement.as_ref() == Some(&differ) {
            tracing::warn!(
                chats = differ.len(),
                "a console missed events from another node; it reloads its chats"
            );
            return true;
        }
        self.disagreement = Some(differ);
        false
    }

    pub(super) async fn session_alive(&mut self) -> bool {
        let check = self
            .state
            .chat
            .check_staff_session(self.staff.user.id, self.staff.session, self.last_activity)
            .await;
        check == SessionCheck::Alive
    }

    pub(super) fn me(&self) -> Actor {
        Actor::Officer(self.staff.user.id)
    }

    /// Starts following a chat this officer owns; `false` if its key cannot be opened.
    pub(super) fn track(&mut self, c: &Conversation) -> bool {
        if self.chats.contains_key(&c.id) {
            return true;
        }
        match self.state.chat.data_key(c) {
            Ok(key) => {
                self.chats.insert(
                    c.id,
                    Chat {
                        key,
                        delivered: Delivered::upto(c.last_seq),
                    },
                );
                true
            }
            Err(_) => false,
        }
    }

    /// Checks in the store that this officer owns the open chat now (a transfer or a take-over
    /// may have happened a moment ago), before anything of it is read.
    pub(super) async fn owned_now(&mut self, id: ConversationId) -> Result<Conversation, ApiError> {
        match self.state.chat.open_chat_of(self.staff.user.id, id).await {
            Ok(c) if self.track(&c) => Ok(c),
            Ok(_) => Err(ApiError::Internal),
            Err(e) => {
                if matches!(e, ApiError::NotFound) {
                    self.chats.remove(&id);
                }
                Err(e)
            }
        }
    }

    /// Finds a chat this officer owns, loading it if another tab claimed it meanwhile.
    pub(super) async fn owned(&mut self, id: ConversationId) -> Result<(), ApiError> {
        if self.chats.contains_key(&id) {
            return Ok(());
        }
        self.owned_now(id).await.map(|_| ())
    }

    /// Nothing to send when an action succeeded (the bus brings its effects back); its refusal
    /// otherwise, about that chat.
    pub(super) async fn unless_refused<T>(
        &mut self,
        id: ConversationId,
        result: Result<T, ApiError>,
    ) -> bool {
        match result {
            Ok(_) => true,
            Err(e) => self.refuse(about(api_error_out(&e), id)).await,
        }
    }

    /// Sends a refusal, naming the frame it answers.
    pub(super) async fn refuse(&mut self, mut e: super::frames::ErrorOut) -> bool {
        e.frame = self.answering;
        self.conn.send(&StaffOut::Error(e)).await
    }
}

impl Answers for Session {
    async fn frame(&mut self, text: &str) -> bool {
        self.handle_frame(text).await
    }

    async fn written(&mut self, outcome: writer::Outcome) -> bool {
        Session::written(self, outcome).await
    }
}
