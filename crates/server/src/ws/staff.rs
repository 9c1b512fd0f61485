//! The staff console's socket: the queue and offers, presence, several chats at once,
//! notes, transfers, closing; for supervisors, the live board, silent monitoring, whispers
//! and take-over.

use super::frames::{
    BoardChatOut, BoardOut, ChatOut, ColleagueOut, FiguresOut, MessageOut, NoteOut, QueueItemOut,
    StaffIn, StaffOut, UserOut,
};
use super::writer::{self, Job, Writer};
use super::*;
use crate::app::AppState;
use crate::auth::Staff;
use crate::config::RoutingMode;
use crate::error::ApiError;
use crate::service::{PlainMessage, open_message, open_note_event};
use ecoute_bus::{BusEvent, Subscription, Topic};
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
    delivered: Seq,
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

fn supervises(role: Role) -> bool {
    matches!(role, Role::Supervisor | Role::Admin)
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

/// Local midnight in mainland France (CET/CEST: the EU rule, changes on the last Sundays of
/// March and October at 01:00 UTC), for the figures "of the day".
pub fn paris_midnight(now: time::OffsetDateTime) -> time::OffsetDateTime {
    use time::{Date, Month, Time, UtcOffset, Weekday};
    fn last_sunday(year: i32, month: Month) -> Date {
        let mut d = Date::from_calendar_date(year, month, 31).expect("valid date");
        while d.weekday() != Weekday::Sunday {
            d = d.previous_day().expect("valid date");
        }
        d
    }
    let offset_at = |t: time::OffsetDateTime| {
        let t = t.to_offset(UtcOffset::UTC);
        let y = t.year();
        let start = last_sunday(y, Month::March)
            .with_hms(1, 0, 0)
            .expect("time")
            .assume_utc();
        let end = last_sunday(y, Month::October)
            .with_hms(1, 0, 0)
            .expect("time")
            .assume_utc();
        let hours = if t >= start && t < end { 2 } else { 1 };
        UtcOffset::from_hms(hours, 0, 0).expect("offset")
    };
    let local = now.to_offset(offset_at(now));
    let midnight = local.replace_time(Time::MIDNIGHT);
    // Midnight keeps the offset of that night (the change happens at 01:00 UTC, after it).
    midnight.replace_offset(offset_at(midnight))
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
    let mut events = state.chat.bus().subscribe(Topic::Officer(officer));
    let mut supervision =
        supervises(staff.user.role).then(|| state.chat.bus().subscribe(Topic::Supervision));
    let mut queue = state.queue.clone();
    let mut visitors = state.visitors_here.watch();
    let presence = state.router.connected(officer);
    let _at_desk = AtDesk {
        router: state.router.clone(),
        officer,
    };
    state
        .chat
        .bus()
        .publish(Topic::Supervision, BusEvent::StaffChanged);
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

    let open = match session.state.chat.store().open_chats_of(officer).await {
        Ok(open) => open,
        Err(e) => {
            let e = ApiError::from(e);
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
        mode: match session.state.router.mode() {
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
    if let Some((conversation, expires_at)) = session.state.router.pending_offer(officer)
        && !session.offer(conversation, expires_at).await
    {
        return;
    }
    let mut board_tick = tokio::time::interval(std::time::Duration::from_secs(2));

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
            () = async { let _ = stopping.wait_for(|stop| *stop).await; } => {
                return session.conn.close(CLOSE_RESTART, "restarting").await;
            }
            incoming = session.conn.recv() => {
                deadline = Instant::now() + IDLE_LIMIT;
                match incoming {
                    Incoming::Text(text) => {
                        if !session.handle_frame(&text).await {
                            return;
                        }
                    }
                    Incoming::Binary => {
                        let e = error_out("binary_not_supported", "frames are JSON text");
                        session.conn.send(&StaffOut::Error(e)).await;
                    }
                    Incoming::TooLarge => {
                        let e = error_out("frame_too_large", "frame over 64 KiB");
                        session.conn.send(&StaffOut::Error(e)).await;
                        return session.conn.close(CLOSE_TOO_BIG, "frame_too_large").await;
                    }
                    Incoming::Gone => return,
                }
            }
            outcome = session.writer.next() => {
                let Some(outcome) = outcome else { return };
                if !session.written(outcome).await {
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
    async fn chats_disagree(&mut self) -> bool {
        const EVERY_CHECKS: u32 = 5;
        if self.state.chat.bus().bridge_status().is_none() {
            return false;
        }
        self.checks += 1;
        if self.checks < EVERY_CHECKS {
            return false;
        }
        self.checks = 0;
        let Ok(open) = self
            .state
            .chat
            .store()
            .open_chats_of(self.staff.user.id)
            .await
        else {
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

    async fn session_alive(&mut self) -> bool {
        let store = self.state.chat.store().clone();
        let stored = match store.session(self.staff.session).await {
            Ok(Some(s)) => s,
            Ok(None) => return false,
            // The database is briefly away: keep the console, check again in a second.
            Err(_) => return true,
        };
        let now = time::OffsetDateTime::now_utc();
        let last = stored.last_seen_at.max(self.last_activity);
        if crate::auth::expired(stored.created_at, last, now) {
            let _ = store.delete_session(self.staff.session).await;
            self.state.chat.bus().publish(
                Topic::Officer(self.staff.user.id),
                BusEvent::SessionEnded {
                    session: self.staff.session,
                },
            );
            return false;
        }
        let _ = crate::auth::touch(
            &store,
            self.staff.session,
            stored.last_seen_at,
            self.last_activity,
        )
        .await;
        true
    }

    fn me(&self) -> Actor {
        Actor::Officer(self.staff.user.id)
    }

    /// Starts following a chat this officer owns; `false` if its key cannot be opened.
    fn track(&mut self, c: &Conversation) -> bool {
        if self.chats.contains_key(&c.id) {
            return true;
        }
        match self.state.chat.data_key(c) {
            Ok(key) => {
                self.chats.insert(
                    c.id,
                    Chat {
                        key,
                        delivered: c.last_seq,
                    },
                );
                true
            }
            Err(_) => false,
        }
    }

    /// Checks in the store that this officer owns the open chat now (a transfer or a take-over
    /// may have happened a moment ago), before anything of it is read.
    async fn owned_now(&mut self, id: ConversationId) -> Result<Conversation, ApiError> {
        let c = self
            .state
            .chat
            .store()
            .conversation(id)
            .await?
            .ok_or(ApiError::NotFound)?;
        if c.state.officer() != Some(self.staff.user.id) || c.state.name() == StateName::Closed {
            self.chats.remove(&id);
            return Err(ApiError::NotFound);
        }
        if !self.track(&c) {
            return Err(ApiError::Internal);
        }
        Ok(c)
    }

    /// Finds a chat this officer owns, loading it if another tab claimed it meanwhile.
    async fn owned(&mut self, id: ConversationId) -> Result<(), ApiError> {
        if self.chats.contains_key(&id) {
            return Ok(());
        }
        let c = self
            .state
            .chat
            .store()
            .conversation(id)
            .await?
            .ok_or(ApiError::NotFound)?;
        if c.state.officer() != Some(self.staff.user.id) || c.state.name() == StateName::Closed {
            // Someone else's chat is not even acknowledged to exist.
            return Err(ApiError::NotFound);
        }
        if self.track(&c) {
            Ok(())
        } else {
            Err(ApiError::Internal)
        }
    }

    async fn handle_frame(&mut self, text: &str) -> bool {
        let frame = match serde_json::from_str::<StaffIn>(text) {
            Ok(f) => f,
            Err(e) => return self.refuse(bad_frame(&e)).await,
        };
        if !matches!(frame, StaffIn::Ping) {
            self.last_activity = time::OffsetDateTime::now_utc();
        }
        self.answering = Some(frame.name());
        let go_on = self.act_on(frame).await;
        self.answering = None;
        go_on
    }

    async fn act_on(&mut self, frame: StaffIn) -> bool {
        // A message waits its turn behind a refused one of the same chat, then counts against
        // the messages' own allowance; every other frame against the other allowance.
        let kind = match &frame {
            StaffIn::Send {
                conversation_id,
                client_id,
                ..
            } => {
                if let Err(waiting) = self.order.admit(*conversation_id, client_id) {
                    let e = out_of_order(client_id.clone(), waiting);
                    return self.refuse(about(e, *conversation_id)).await;
                }
                pace::FrameKind::Message
            }
            _ => pace::FrameKind::Other,
        };
        if let Err(wait) = self.conn.pace(kind) {
            let mut e = rate_limited(wait);
            e.conversation_id = frame.conversation();
            if let StaffIn::Send {
                conversation_id,
                client_id,
                ..
            } = &frame
            {
                self.order.refused(*conversation_id, client_id);
                e.client_id = Some(client_id.clone());
            }
            return self.refuse(e).await;
        }
        match frame {
            StaffIn::Ping => self.conn.send(&StaffOut::Pong).await,
            StaffIn::Claim { conversation_id } => self.claim(conversation_id).await,
            StaffIn::TakeNext => self.take_next().await,
            StaffIn::Typing { conversation_id } => {
                if self.owned(conversation_id).await.is_ok()
                    && let Ok(Some(c)) = self.state.chat.store().conversation(conversation_id).await
                    && c.state.officer() == Some(self.staff.user.id)
                {
                    self.state.chat.typing(&c, ecoute_domain::Author::Officer);
                }
                true
            }
            StaffIn::Marks {
                conversation_id,
                received_seq,
                read_seq,
            } => {
                if self.owned(conversation_id).await.is_err() {
                    return true;
                }
                let marks = ecoute_store::Marks {
                    received: received_seq,
                    read: read_seq,
                };
                // The store applies them only while the chat is this officer's.
                self.state.chat.marks_in_background(
                    conversation_id,
                    ecoute_domain::Actor::Officer(self.staff.user.id),
                    marks,
                );
                true
            }
            StaffIn::Decline { conversation_id } => {
                self.state
                    .router
                    .decline(self.staff.user.id, conversation_id);
                self.conn
                    .send(&StaffOut::OfferWithdrawn { conversation_id })
                    .await
            }
            StaffIn::Presence { status } => {
                let chosen = match status.as_str() {
                    "available" => Presence::Available,
                    "paused" => Presence::Paused,
                    _ => {
                        let e =
                            error_out("invalid_presence", "presence is `available` or `paused`");
                        return self.refuse(e).await;
                    }
                };
                self.state.router.choose(self.staff.user.id, chosen);
                let bus = self.state.chat.bus();
                bus.publish(Topic::Supervision, BusEvent::StaffChanged);
                // Every tab of this officer, this one included, shows it.
                bus.publish(
                    Topic::Officer(self.staff.user.id),
                    BusEvent::PresenceChosen { status: chosen },
                );
                true
            }
            StaffIn::Transfer {
                conversation_id,
                to_officer,
                to_force,
                note,
            } => {
                self.transfer(conversation_id, to_officer, to_force, note)
                    .await
            }
            StaffIn::Note {
                conversation_id,
                body,
            } => self.note(conversation_id, body).await,
            StaffIn::Colleagues => self.colleagues().await,
            StaffIn::Canned => self.canned().await,
            StaffIn::Resources { departement } => self.resources(departement).await,
            StaffIn::Monitor { conversation_id } => self.monitor(conversation_id).await,
            StaffIn::Unmonitor => {
                self.monitored = None;
                true
            }
            StaffIn::Whisper {
                conversation_id,
                body,
            } => self.whisper(conversation_id, body).await,
            StaffIn::TakeOver { conversation_id } => {
                if !supervises(self.staff.user.role) {
                    return self.forbidden(conversation_id).await;
                }
                // `claimed` follows on this officer's topic, as for any new chat.
                let result = self
                    .state
                    .chat
                    .take_over(&self.staff.user, conversation_id)
                    .await;
                if result.is_ok()
                    && self
                        .monitored
                        .as_ref()
                        .is_some_and(|m| m.id == conversation_id)
                {
                    // Theirs now: it arrives as one of their chats, not as a followed one.
                    self.monitored = None;
                }
                self.unless_refused(conversation_id, result).await
            }
            StaffIn::Block { conversation_id } => {
                // Like a close: the bus tells this socket and the officer's other tabs.
                let result = self
                    .state
                    .chat
                    .block(&self.staff.user, conversation_id)
                    .await;
                self.unless_refused(conversation_id, result).await
            }
            StaffIn::Send {
                conversation_id,
                client_id,
                body,
            } => self.write(conversation_id, client_id, body).await,
            StaffIn::Sync {
                conversation_id,
                after_seq,
            } => {
                if let Err(e) = self.owned_now(conversation_id).await {
                    return self.refuse(about(api_error_out(&e), conversation_id)).await;
                }
                // Reading a conversation is recorded before anything of it is sent.
                let audit = ecoute_store::NewAudit::by(
                    &self.staff.user,
                    "read",
                    time::OffsetDateTime::now_utc(),
                )
                .on(conversation_id);
                if let Err(e) = self.state.chat.store().append_audit(audit).await {
                    let e = ApiError::from(e);
                    return self.refuse(about(api_error_out(&e), conversation_id)).await;
                }
                if !self.send_after(conversation_id, after_seq).await {
                    return false;
                }
                // Then the staff notes and the case file, whole: a console that was away may
                // have missed a whisper or a handover note (it ignores the notes it has).
                let key = self.chats[&conversation_id].key.clone();
                if !self.send_notes(conversation_id, &key).await {
                    return false;
                }
                match self.state.chat.case_file(conversation_id, &key).await {
                    Ok(case) => {
                        self.conn
                            .send(&StaffOut::CaseFile {
                                conversation_id,
                                case,
                            })
                            .await
                    }
                    Err(e) => self.refuse(about(api_error_out(&e), conversation_id)).await,
                }
            }
            StaffIn::Qualify {
                conversation_id,
                qualification,
            } => {
                match self
                    .state
                    .chat
                    .qualify(&self.staff.user, conversation_id, qualification)
                    .await
                {
                    Ok(case) => {
                        self.conn
                            .send(&StaffOut::CaseFile {
                                conversation_id,
                                case,
                            })
                            .await
                    }
                    Err(e) => self.refuse(about(api_error_out(&e), conversation_id)).await,
                }
            }
            StaffIn::Close {
                conversation_id,
                outcome,
                forwarding,
            } => {
                let Some(outcome) = Outcome::parse(&outcome) else {
                    let e = error_out("invalid_outcome", "unknown outcome");
                    return self.refuse(about(e, conversation_id)).await;
                };
                let forwarding = match forwarding
                    .map(|f| {
                        ecoute_domain::Forwarding::parse(&f.unit, f.contact.as_deref(), f.consent)
                    })
                    .transpose()
                {
                    Ok(f) => f,
                    Err(e) => {
                        let e = ApiError::from(e);
                        return self.refuse(about(api_error_out(&e), conversation_id)).await;
                    }
                };

                // The bus event tells this socket and the officer's other tabs.
                let result = self
                    .state
                    .chat
                    .close(&self.staff.user, conversation_id, outcome, forwarding)
                    .await;
                self.unless_refused(conversation_id, result).await
            }
        }
    }

    async fn claim(&mut self, id: ConversationId) -> bool {
        match self.state.chat.claim(&self.staff.user, id).await {
            Ok(c) => {
                if !self.track(&c) {
                    return false;
                }
                // Start from nothing: the console syncs the history after `claimed`.
                if let Some(chat) = self.chats.get_mut(&id) {
                    chat.delivered = c.last_seq;
                }
                self.conn
                    .send(&StaffOut::Claimed {
                        chat: ChatOut::from(&c),
                    })
                    .await
            }
            Err(e) => self.refuse(about(api_error_out(&e), id)).await,
        }
    }

    async fn write(&mut self, id: ConversationId, client_id: String, body: String) -> bool {
        let refusal = |e: ApiError, client_id: String| {
            let mut out = api_error_out(&e);
            out.client_id = Some(client_id);
            about(out, id)
        };
        let cid = match ClientMessageId::parse(&client_id) {
            Ok(c) => c,
            Err(e) => return self.refuse(refusal(e.into(), String::new())).await,
        };
        let body = match MessageBody::parse(body) {
            Ok(b) => b,
            Err(e) => return self.refuse(refusal(e.into(), client_id)).await,
        };
        if let Err(e) = self.owned(id).await {
            // Not ours: let the rules say why (taken by someone else, not claimed, closed).
            let e = match e {
                ApiError::NotFound => match self.state.chat.store().conversation(id).await {
                    Ok(Some(c)) => match c.state.apply(self.me(), ecoute_domain::Event::Write) {
                        Err(refused) => ApiError::Transition(refused),
                        Ok(_) => ApiError::NotFound,
                    },
                    _ => ApiError::NotFound,
                },
                other => other,
            };
            return self.refuse(refusal(e, client_id)).await;
        }
        let key = self.chats[&id].key.clone();
        self.writer
            .submit(Job {
                conversation: id,
                key,
                actor: self.me(),
                client_id: cid,
                body,
                token_hash: None,
            })
            .await
    }

    /// Answers a message the writer is done with: its ack once committed, or why not.
    async fn written(&mut self, outcome: writer::Outcome) -> bool {
        match outcome {
            writer::Outcome::Written {
                conversation,
                client_id,
                appended,
            } => {
                // As for the visitor's page: the console has its message from the ack, and the
                // bus's copy is not sent back to this socket (other consoles still get it).
                if let Some(chat) = self.chats.get_mut(&conversation)
                    && appended.seq == chat.delivered + 1
                {
                    chat.delivered = appended.seq;
                }
                let ack = StaffOut::Ack {
                    conversation_id: conversation,
                    client_id,
                    seq: appended.seq,
                    sent_at: appended.sent_at,
                };
                self.conn.send(&ack).await
            }
            writer::Outcome::Refused {
                conversation,
                client_id,
                error,
            } => {
                if matches!(error, ApiError::Unavailable) {
                    self.order.refused(conversation, &client_id);
                }
                let mut out = about(api_error_out(&error), conversation);
                out.client_id = Some(client_id);
                out.frame = Some("send");
                self.conn.send(&StaffOut::Error(out)).await
            }
            // Staff writes carry no token.
            writer::Outcome::TokenGone => true,
        }
    }

    async fn handle_event(&mut self, event: &BusEvent) -> bool {
        match event {
            BusEvent::Message(m) => {
                let Some(chat) = self.chats.get(&m.conversation) else {
                    return true;
                };
                if m.seq <= chat.delivered {
                    return true;
                }
                if m.seq > chat.delivered + 1 {
                    let after = chat.delivered;
                    return self.send_after(m.conversation, after).await;
                }
                match open_message(m.conversation, &chat.key, m.clone()) {
                    Ok(plain) => {
                        let sent_at = plain.sent_at;
                        let visitors = plain.author == ecoute_domain::Author::Visitor;
                        let delivered = self.deliver(plain).await;
                        if visitors && delivered {
                            crate::metrics::delivered("officer", sent_at);
                        }
                        delivered
                    }
                    Err(_) => true,
                }
            }
            BusEvent::Claimed { conversation } => {
                // Claimed from another tab of the same officer.
                if self.chats.contains_key(conversation) {
                    return true;
                }
                match self.state.chat.store().conversation(*conversation).await {
                    Ok(Some(c)) if c.state.officer() == Some(self.staff.user.id) => {
                        self.track(&c);
                        self.conn
                            .send(&StaffOut::Claimed {
                                chat: ChatOut::from(&c),
                            })
                            .await
                    }
                    _ => true,
                }
            }
            BusEvent::VisitorLeft { conversation, at } => {
                self.conn
                    .send(&StaffOut::VisitorLeft {
                        conversation_id: *conversation,
                        at: *at,
                    })
                    .await
            }
            BusEvent::StateChanged {
                conversation,
                state: StateName::Closed,
                outcome,
                ..
            } => {
                self.chats.remove(conversation);
                self.order.forget(*conversation);
                self.conn
                    .send(&StaffOut::ChatClosed {
                        conversation_id: *conversation,
                        outcome: *outcome,
                    })
                    .await
            }
            BusEvent::SessionEnded { session } if *session == self.staff.session => {
                self.conn.close(CLOSE_POLICY, "session_ended").await;
                false
            }
            BusEvent::Offered {
                conversation,
                expires_at,
            } => self.offer(*conversation, *expires_at).await,
            BusEvent::Typing {
                conversation,
                who: ecoute_domain::Author::Visitor,
            } if self.chats.contains_key(conversation) => {
                self.conn
                    .send(&StaffOut::Typing {
                        conversation_id: *conversation,
                    })
                    .await
            }
            BusEvent::Marks {
                conversation,
                reader: ecoute_domain::Author::Visitor,
                received,
                read,
            } if self.chats.contains_key(conversation) => {
                self.conn
                    .send(&StaffOut::Marks {
                        conversation_id: *conversation,
                        received_seq: *received,
                        read_seq: *read,
                    })
                    .await
            }
            BusEvent::LanguageChanged {
                conversation,
                language,
            } if self.chats.contains_key(conversation) => {
                self.conn
                    .send(&StaffOut::VisitorLanguage {
                        conversation_id: *conversation,
                        language: language.clone(),
                    })
                    .await
            }
            BusEvent::VisitorBack { conversation } => {
                // Tracked already if it was ours; a chat left by quick exit stays tracked too.
                if let Err(e) = self.owned(*conversation).await {
                    return self.refuse(about(api_error_out(&e), *conversation)).await;
                }
                self.conn
                    .send(&StaffOut::VisitorBack {
                        conversation_id: *conversation,
                    })
                    .await
            }
            BusEvent::PresenceChosen { status } => {
                self.conn
                    .send(&StaffOut::Presence { status: *status })
                    .await
            }
            BusEvent::OfferWithdrawn { conversation } => {
                self.conn
                    .send(&StaffOut::OfferWithdrawn {
                        conversation_id: *conversation,
                    })
                    .await
            }
            BusEvent::Flagged {
                conversation,
                priority,
                labels,
            } if self.chats.contains_key(conversation) => {
                self.conn
                    .send(&StaffOut::Flagged {
                        conversation_id: *conversation,
                        priority: *priority,
                        labels: labels.clone(),
                    })
                    .await
            }
            BusEvent::Note(n) => {
                let Some(chat) = self.chats.get(&n.conversation) else {
                    return true;
                };
                match open_note_event(&chat.key, n) {
                    Ok(note) => self.conn.send(&StaffOut::Note(NoteOut::from(note))).await,
                    Err(_) => true,
                }
            }
            BusEvent::HandedOver {
                conversation,
                reason,
            } => {
                if self.chats.remove(conversation).is_none() {
                    return true;
                }
                self.conn
                    .send(&StaffOut::HandedOver {
                        conversation_id: *conversation,
                        reason: reason.as_str(),
                    })
                    .await
            }
            _ => true,
        }
    }

    /// What supervisors hear besides their own chats: notes of the chat they follow.
    async fn handle_supervision(&mut self, event: &BusEvent) -> bool {
        match event {
            BusEvent::Note(n) => {
                // Their own chats' notes come on their own topic.
                if self.chats.contains_key(&n.conversation) {
                    return true;
                }
                let Some(m) = self.monitored.as_ref().filter(|m| m.id == n.conversation) else {
                    return true;
                };
                match open_note_event(&m.key, n) {
                    Ok(note) => self.conn.send(&StaffOut::Note(NoteOut::from(note))).await,
                    Err(_) => true,
                }
            }
            _ => true,
        }
    }

    /// An event of the chat a supervisor follows.
    async fn handle_monitored(&mut self, event: &BusEvent) -> bool {
        let Some(m) = self.monitored.as_mut() else {
            return true;
        };
        match event {
            BusEvent::Message(msg) => {
                if msg.seq <= m.delivered {
                    return true;
                }
                if msg.seq > m.delivered + 1 {
                    return self.monitor_catch_up().await;
                }
                m.delivered = msg.seq;
                match open_message(msg.conversation, &m.key, msg.clone()) {
                    Ok(plain) => {
                        self.conn
                            .send(&StaffOut::Message(MessageOut::for_staff(plain)))
                            .await
                    }
                    Err(_) => true,
                }
            }
            BusEvent::StateChanged {
                conversation,
                state,
                officer_name,
                ..
            } => {
                self.conn
                    .send(&StaffOut::MonitorState {
                        conversation_id: *conversation,
                        state: *state,
                        officer_name: officer_name.clone(),
                    })
                    .await
            }
            _ => true,
        }
    }

    /// Sends the followed chat's messages not yet sent.
    async fn monitor_catch_up(&mut self) -> bool {
        loop {
            let Some(m) = self.monitored.as_ref() else {
                return true;
            };
            let (id, key, after) = (m.id, m.key.clone(), m.delivered);
            let page = match self.state.chat.history(id, &key, after).await {
                Ok(p) => p,
                Err(e) => return self.refuse(about(api_error_out(&e), id)).await,
            };
            let full = page.len() == crate::service::PAGE as usize;
            for msg in page {
                if let Some(m) = self.monitored.as_mut() {
                    m.delivered = m.delivered.max(msg.seq);
                }
                if !self
                    .conn
                    .send(&StaffOut::Message(MessageOut::for_staff(msg)))
                    .await
                {
                    return false;
                }
            }
            if !full {
                return true;
            }
        }
    }

    /// The whole queue as this console sees it.
    async fn send_queue(&mut self) -> bool {
        let now = time::OffsetDateTime::now_utc();
        let snapshot = self.state.queue.borrow().clone();
        let here = &self.state.visitors_here;
        let mut recheck: Option<std::time::Duration> = None;
        let items = snapshot
            .iter()
            .take(QUEUE_SHOWN)
            .map(|c| {
                let visitor_here = here.is_here(c.id)
                    || here.arriving(c, now).is_some_and(|left| {
                        recheck = Some(recheck.map_or(left, |r| r.min(left)));
                        true
                    });
                QueueItemOut::for_reader(c, &self.staff.user.skills, now, visitor_here)
            })
            .collect();
        // A little after the first of those chats stops counting as arriving.
        self.queue_recheck =
            recheck.map(|left| Instant::now() + left + std::time::Duration::from_millis(50));
        let total = snapshot.len();
        self.conn.send(&StaffOut::Queue { items, total }).await
    }

    /// Nothing to send when an action succeeded (the bus brings its effects back); its refusal
    /// otherwise, about that chat.
    async fn unless_refused<T>(&mut self, id: ConversationId, result: Result<T, ApiError>) -> bool {
        match result {
            Ok(_) => true,
            Err(e) => self.refuse(about(api_error_out(&e), id)).await,
        }
    }

    /// Sends a refusal, naming the frame it answers.
    async fn refuse(&mut self, mut e: super::frames::ErrorOut) -> bool {
        e.frame = self.answering;
        self.conn.send(&StaffOut::Error(e)).await
    }

    async fn forbidden(&mut self, conversation: ConversationId) -> bool {
        self.refuse(about(api_error_out(&ApiError::Forbidden), conversation))
            .await
    }

    /// Shows an offer, with the chat as the queue shows it.
    async fn offer(
        &mut self,
        conversation: ConversationId,
        expires_at: time::OffsetDateTime,
    ) -> bool {
        let now = time::OffsetDateTime::now_utc();
        let listed = self
            .state
            .queue
            .borrow()
            .iter()
            .find(|c| c.id == conversation)
            .cloned();
        let chat = match listed {
            Some(c) => c,
            None => match self.state.chat.store().conversation(conversation).await {
                Ok(Some(c)) if c.state.name() == StateName::Waiting => c,
                _ => return true,
            },
        };
        let here = self.state.visitors_here.is_here(chat.id)
            || self.state.visitors_here.arriving(&chat, now).is_some();
        let item = QueueItemOut::for_reader(&chat, &self.staff.user.skills, now, here);
        self.conn
            .send(&StaffOut::Offer {
                chat: item,
                expires_at,
            })
            .await
    }

    async fn take_next(&mut self) -> bool {
        match self.state.chat.take_next(&self.staff.user).await {
            Ok(Some(c)) => {
                if !self.track(&c) {
                    return false;
                }
                self.conn
                    .send(&StaffOut::Claimed {
                        chat: ChatOut::from(&c),
                    })
                    .await
            }
            Ok(None) => {
                let e = error_out(
                    "nothing_to_take",
                    "no waiting chat needs you now; it will come to you when one does",
                );
                self.refuse(e).await
            }
            Err(e) => self.refuse(api_error_out(&e)).await,
        }
    }

    async fn transfer(
        &mut self,
        id: ConversationId,
        to_officer: Option<UserId>,
        to_force: Option<ecoute_domain::Force>,
        note: String,
    ) -> bool {
        let note = match MessageBody::parse(note) {
            Ok(n) => n,
            Err(_) => {
                let e = error_out(
                    "handover_note_required",
                    "write what the next officer must know (at most 4000 characters)",
                );
                return self.refuse(about(e, id)).await;
            }
        };
        if to_officer.is_some() == to_force.is_some() {
            let e = error_out("invalid_transfer", "name one officer or one force");
            return self.refuse(about(e, id)).await;
        }
        if to_officer == Some(self.staff.user.id) {
            let e = error_out("invalid_transfer", "this chat is already yours");
            return self.refuse(about(e, id)).await;
        }
        // A chat goes only to someone at a console who answers chats: handed to an absent
        // colleague, it would wait unanswered until given back to the queue.
        if let Some(to) = to_officer {
            let answers = match self.state.chat.store().staff_loads().await {
                Ok(loads) => loads
                    .iter()
                    .any(|l| l.user.id == to && l.user.role != Role::Admin),
                Err(e) => return self.refuse(about(api_error_out(&e.into()), id)).await,
            };
            if !answers || !self.state.router.has_console(to) {
                let e = error_out(
                    "colleague_unavailable",
                    "this colleague is not at a console now; choose another one, or the queue",
                );
                return self.refuse(about(e, id)).await;
            }
        }
        // `handed_over` follows on this officer's topic.
        let result = self
            .state
            .chat
            .transfer(&self.staff.user, id, to_officer, to_force, &note)
            .await;
        self.unless_refused(id, result).await
    }

    async fn note(&mut self, id: ConversationId, body: String) -> bool {
        let body = match MessageBody::parse(body) {
            Ok(b) => b,
            Err(e) => return self.refuse(about(api_error_out(&e.into()), id)).await,
        };
        let c = match self.owned_now(id).await {
            Ok(c) => c,
            Err(e) => return self.refuse(about(api_error_out(&e), id)).await,
        };

        // The bus brings it back to this console and the officer's other tabs.
        let result = self
            .state
            .chat
            .add_note(&self.staff.user, &c, NoteKind::Note, &body)
            .await;
        self.unless_refused(id, result).await
    }

    async fn whisper(&mut self, id: ConversationId, body: String) -> bool {
        if !supervises(self.staff.user.role) {
            return self.forbidden(id).await;
        }
        let body = match MessageBody::parse(body) {
            Ok(b) => b,
            Err(e) => return self.refuse(about(api_error_out(&e.into()), id)).await,
        };
        let c = match self.state.chat.store().conversation(id).await {
            Ok(Some(c)) if c.state.officer().is_some() && c.state.name() != StateName::Closed => c,
            Ok(_) => {
                let e = error_out(
                    "no_officer",
                    "only a chat an officer is holding can get a whisper",
                );
                return self.refuse(about(e, id)).await;
            }
            Err(e) => return self.refuse(about(api_error_out(&e.into()), id)).await,
        };

        // The supervision topic brings it back to the monitoring console.
        let result = self
            .state
            .chat
            .add_note(&self.staff.user, &c, NoteKind::Whisper, &body)
            .await;
        self.unless_refused(id, result).await
    }

    async fn canned(&mut self) -> bool {
        match self.state.chat.store().canned_replies().await {
            Ok(replies) => {
                let items = replies.into_iter().map(|r| r.reply).collect();
                self.conn.send(&StaffOut::Canned { items }).await
            }
            Err(e) => self.refuse(api_error_out(&e.into())).await,
        }
    }

    async fn resources(&mut self, departement: Option<String>) -> bool {
        let departement = match departement.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => match ecoute_domain::Departement::parse(d) {
                Some(d) => Some(d),
                None => {
                    let e = error_out("invalid_departement", "not a département code");
                    return self.refuse(e).await;
                }
            },
        };
        match self
            .state
            .chat
            .store()
            .resources_for(departement.as_ref())
            .await
        {
            Ok(items) => {
                self.conn
                    .send(&StaffOut::Resources { departement, items })
                    .await
            }
            Err(e) => self.refuse(api_error_out(&e.into())).await,
        }
    }

    async fn colleagues(&mut self) -> bool {
        let Some(loads) = self.state.router.loads(&self.state.chat).await else {
            let e = error_out("unavailable", "the list of colleagues cannot be read now");
            return self.refuse(e).await;
        };
        let me = self.staff.user.id;
        let items = loads
            .into_iter()
            .filter(|(l, _)| l.user.id != me && l.user.role != Role::Admin)
            .map(|(l, p)| colleague(l, p))
            .collect();
        self.conn.send(&StaffOut::Colleagues { items }).await
    }

    /// Starts following a chat silently: recorded in the audit log before anything of it is
    /// sent; then its history and notes, then its live messages.
    async fn monitor(&mut self, id: ConversationId) -> bool {
        if !supervises(self.staff.user.role) {
            return self.forbidden(id).await;
        }
        let c = match self.state.chat.store().conversation(id).await {
            Ok(Some(c)) if c.state.name() != StateName::Closed => c,
            Ok(_) => {
                return self
                    .refuse(about(api_error_out(&ApiError::NotFound), id))
                    .await;
            }
            Err(e) => return self.refuse(about(api_error_out(&e.into()), id)).await,
        };
        let key = match self.state.chat.data_key(&c) {
            Ok(k) => k,
            Err(e) => return self.refuse(about(api_error_out(&e), id)).await,
        };
        let audit = ecoute_store::NewAudit::by(
            &self.staff.user,
            "monitor",
            time::OffsetDateTime::now_utc(),
        )
        .on(id);
        if let Err(e) = self.state.chat.store().append_audit(audit).await {
            return self.refuse(about(api_error_out(&e.into()), id)).await;
        }
        // Subscribed before reading the history, so nothing falls between the two.
        let events = self.state.chat.bus().subscribe(Topic::Conversation(id));
        self.monitored = Some(Monitored {
            id,
            key: key.clone(),
            delivered: 0,
            events,
        });
        if !self
            .conn
            .send(&StaffOut::Monitoring {
                chat: ChatOut::from(&c),
            })
            .await
        {
            return false;
        }
        if !self.monitor_catch_up().await {
            return false;
        }
        self.send_notes(id, &key).await
    }

    async fn send_notes(&mut self, id: ConversationId, key: &DataKey) -> bool {
        match self.state.chat.notes(id, key).await {
            Ok(notes) => {
                for n in notes {
                    if !self.conn.send(&StaffOut::Note(NoteOut::from(n))).await {
                        return false;
                    }
                }
                true
            }
            Err(e) => self.refuse(about(api_error_out(&e), id)).await,
        }
    }

    async fn send_board(&mut self) -> bool {
        let Some(board) = build_board(&self.state).await else {
            return true;
        };
        if self.last_board.as_ref() == Some(&board) {
            return true;
        }
        self.last_board = Some(board.clone());
        self.conn.send(&StaffOut::Board(board)).await
    }

    async fn deliver(&mut self, m: PlainMessage) -> bool {
        if let Some(chat) = self.chats.get_mut(&m.conversation) {
            chat.delivered = chat.delivered.max(m.seq);
        }
        self.conn
            .send(&StaffOut::Message(MessageOut::for_staff(m)))
            .await
    }

    /// Sends a chat's messages after `after`, page by page.
    async fn send_after(&mut self, id: ConversationId, mut after: Seq) -> bool {
        loop {
            let Some(chat) = self.chats.get(&id) else {
                return true;
            };
            let key = chat.key.clone();
            let page = match self.state.chat.history(id, &key, after).await {
                Ok(p) => p,
                Err(e) => return self.refuse(about(api_error_out(&e), id)).await,
            };
            let full = page.len() == crate::service::PAGE as usize;
            for m in page {
                after = m.seq;
                if !self.deliver(m).await {
                    return false;
                }
            }
            if !full {
                return true;
            }
        }
    }
}

fn colleague(l: ecoute_store::StaffLoad, presence: Presence) -> ColleagueOut {
    ColleagueOut {
        id: l.user.id,
        display_name: l.user.display_name,
        role: l.user.role,
        force: l.user.skills.force,
        minors: l.user.skills.minors,
        languages: l.user.skills.languages,
        presence,
        open: l.open,
        capacity: l.user.capacity,
    }
}

/// The supervisors' board: staff, live chats and the day's figures. `None` when the store
/// cannot be read (the board keeps what it showed).
pub async fn build_board(state: &AppState) -> Option<BoardOut> {
    let loads = state.router.loads(&state.chat).await?;
    let store = state.chat.store();
    let chats = store.live_conversations().await.ok()?;
    let since = paris_midnight(time::OffsetDateTime::now_utc());
    let f = store.day_figures(since).await.ok()?;
    let mut waits = f.waits_secs.clone();
    waits.sort_unstable();
    let median = match waits.len() {
        0 => None,
        n if n % 2 == 1 => Some(waits[n / 2]),
        n => Some((waits[n / 2 - 1] + waits[n / 2]) / 2),
    };
    Some(BoardOut {
        staff: loads
            .into_iter()
            .filter(|(l, _)| l.user.role != Role::Admin)
            .map(|(l, p)| colleague(l, p))
            .collect(),
        chats: chats.iter().map(BoardChatOut::from).collect(),
        figures: FiguresOut {
            since,
            started: f.started,
            waiting: f.waiting,
            handled: f.handled,
            left_unanswered: f.left_unanswered,
            longest_wait_secs: waits.last().copied(),
            median_wait_secs: median,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::paris_midnight;
    use time::macros::datetime;

    #[test]
    fn the_day_starts_at_midnight_in_paris_summer_and_winter() {
        assert_eq!(
            paris_midnight(datetime!(2026-07-14 12:00 UTC)),
            datetime!(2026-07-14 0:00 +2)
        );
        assert_eq!(
            paris_midnight(datetime!(2026-01-10 23:30 UTC)),
            datetime!(2026-01-11 0:00 +1)
        );
        // The night of the change to summer time: midnight was still winter time.
        assert_eq!(
            paris_midnight(datetime!(2026-03-29 12:00 UTC)),
            datetime!(2026-03-29 0:00 +1)
        );
        assert_eq!(
            paris_midnight(datetime!(2026-10-25 12:00 UTC)),
            datetime!(2026-10-25 0:00 +2)
        );
    }
}
