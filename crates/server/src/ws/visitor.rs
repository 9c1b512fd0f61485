//! The visitor's socket: `hello` with the token, then messages both ways, the queue while
//! waiting, and the quick exit.

use super::delivery::{Delivered, Next};
use super::frames::{MessageOut, OfficerRef, VisitorIn, VisitorOut};
use super::writer::{Job, Outcome, Writer};
use super::*;
use crate::service::{Draft, PlainMessage, open_message};
use crate::state::AppState;
use ecoute_bus::BusEvent;
use ecoute_crypto::{DataKey, hash_token};
use ecoute_domain::{Actor, ClientMessageId, ConversationId, MessageBody, StateName};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, sleep_until};

struct Session {
    conn: Conn,
    state: AppState,
    conversation: ConversationId,
    key: DataKey,
    token_hash: [u8; 32],
    /// How far this socket has the conversation's messages.
    delivered: Delivered,
    status: StateName,
    last_position: Option<usize>,
    /// The wait estimate last sent.
    last_estimate: Option<ecoute_domain::WaitEstimate>,
    /// When the last "typing" was relayed.
    last_typing: Option<tokio::time::Instant>,
    /// Writes this visitor's messages, in order, while the session goes on delivering.
    writer: Writer,
    /// A refused message that must come again before any later one (PROTOCOL.md §4).
    order: pace::SendOrder,
}

/// Runs one visitor socket to its end.
pub async fn run(socket: axum::extract::ws::WebSocket, state: AppState) {
    let _counted = crate::metrics::ConnectionGauge::open("visitor");
    let mut conn = Conn::new(socket, state.config.limits.messages_per_minute);
    let hello = tokio::time::timeout(HELLO_LIMIT, conn.recv()).await;
    let (token, last_seq) = match hello {
        Ok(Incoming::Text(text)) => match serde_json::from_str::<VisitorIn>(&text) {
            Ok(VisitorIn::Hello { token, last_seq }) => (token, last_seq),
            // A `hello` with a missing, mistyped or unknown field is a bad frame, not a missing
            // hello; either way the socket goes no further without a valid one.
            Err(e) if says_hello(&text) => {
                conn.send(&VisitorOut::Error(bad_frame(&e))).await;
                return conn.close(CLOSE_POLICY, "bad_frame").await;
            }
            _ => return refuse(&mut conn, "hello_required", "the first frame must be hello").await,
        },
        Ok(Incoming::TooLarge) => {
            conn.send(&VisitorOut::Error(error_out(
                "frame_too_large",
                "frame over 64 KiB",
            )))
            .await;
            return conn.close(CLOSE_TOO_BIG, "frame_too_large").await;
        }
        Ok(Incoming::Gone) => return,
        _ => return refuse(&mut conn, "hello_required", "the first frame must be hello").await,
    };

    let token_hash = hash_token(&token);
    drop(token);
    let Some(conversation) = admitted(&mut conn, &state, token_hash).await else {
        return;
    };
    let key = match state.chat.data_key(&conversation) {
        Ok(k) => k,
        Err(e) => {
            conn.send(&VisitorOut::Error(api_error_out(&e))).await;
            return conn.close(CLOSE_RESTART, "internal").await;
        }
    };

    // Subscribe, then read the conversation again: whatever happened before the subscription
    // (a claim, a close, a quick exit from another tab) is in what we read now, and whatever
    // happens after it arrives as an event. Nothing falls in between.
    let mut events = state.chat.conversation_events(conversation.id);
    let Some(conversation) = admitted(&mut conn, &state, token_hash).await else {
        return;
    };
    let mut queue = state.queue.clone();
    let mut staff = state.presence.staff();
    let _here = crate::queue::Here::arrive(
        state.visitors_here.clone(),
        conversation.id,
        state.queue.clone(),
    );
    let mut session = Session {
        conn,
        conversation: conversation.id,
        key,
        token_hash,
        delivered: Delivered::upto(last_seq.min(conversation.last_seq)),
        status: conversation.state.name(),
        last_position: None,
        last_estimate: None,
        last_typing: None,
        writer: Writer::new(state.chat.clone()),
        order: pace::SendOrder::default(),
        state,
    };
    let welcome = VisitorOut::Welcome {
        conversation_id: conversation.id,
        state: conversation.state.name(),
        officer: conversation
            .officer_name
            .clone()
            .map(|name| OfficerRef { name }),
        last_seq: conversation.last_seq,
        officer_received_seq: conversation.officer_marks.received,
        officer_read_seq: conversation.officer_marks.read,
    };
    if !session.conn.send(&welcome).await {
        return;
    }
    if !session.resync().await || !session.send_consent().await {
        return;
    }
    queue.mark_changed();

    let mut stopping = session.state.stopping.clone();
    let mut deadline = Instant::now() + IDLE_LIMIT;
    loop {
        // Biased: an ack the writer has ready goes out before the bus event of the same
        // message, so a sender never sees its own message come back before its ack.
        tokio::select! {
            biased;
            wake = wake(&mut stopping, &mut session.conn, &mut session.writer, VisitorOut::Error) => {
                if !on_wake(&mut session, wake, &mut deadline).await {
                    return;
                }
            }
            event = events.recv() => {
                let go_on = match event {
                    Ok(event) => session.handle_event(&event).await,
                    Err(RecvError::Lagged(_)) => session.catch_up().await,
                    Err(RecvError::Closed) => false,
                };
                if !go_on {
                    return;
                }
            }
            changed = queue.changed(), if session.status == StateName::Waiting => {
                if changed.is_err() {
                    return;
                }
                let position = {
                    let snapshot = queue.borrow_and_update();
                    let me = session.conversation;
                    // Most changes leave a waiting visitor where they were (new chats join
                    // behind) or move them up one (a chat ahead was taken): with thousands
                    // waiting, each of them scanning the whole queue at every change was
                    // quadratic.
                    let at = |p: usize| snapshot.get(p.wrapping_sub(1)).is_some_and(|c| c.id == me);
                    session
                        .last_position
                        .and_then(|p| [p, p - 1].into_iter().find(|&p| at(p)))
                        .or_else(|| snapshot.iter().position(|c| c.id == me).map(|i| i + 1))
                };
                if let Some(position) = position
                    && session.last_position != Some(position)
                    && !session.send_queue(position).await
                {
                    return;
                }
            }
            changed = staff.changed(), if session.status == StateName::Waiting => {
                if changed.is_err() {
                    return;
                }
                staff.borrow_and_update();
                if let Some(position) = session.last_position
                    && !session.send_queue(position).await
                {
                    return;
                }
            }
            _ = sleep_until(deadline) => {
                return session.conn.close(CLOSE_NORMAL, "idle").await;
            }
        }
    }
}

/// The conversation a token opens, if its visitor may connect now; otherwise the socket is
/// told why and closed.
async fn admitted(
    conn: &mut Conn,
    state: &AppState,
    token_hash: [u8; 32],
) -> Option<ecoute_store::Conversation> {
    match state.chat.conversation_of_visitor(token_hash).await {
        Ok(Some(c)) if c.state.visitor_may_connect() => Some(c),
        Ok(_) => {
            refuse(conn, "invalid_token", "this conversation is not available").await;
            None
        }
        Err(e) => {
            conn.send(&VisitorOut::Error(api_error_out(&e))).await;
            conn.close(CLOSE_RESTART, "unavailable").await;
            None
        }
    }
}

/// Whether a frame that could not be read claims to be a `hello`.
fn says_hello(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .is_ok_and(|v| v.get("type").and_then(serde_json::Value::as_str) == Some("hello"))
}

async fn refuse(conn: &mut Conn, code: &'static str, message: &str) {
    conn.send(&VisitorOut::Error(error_out(code, message)))
        .await;
    conn.close(CLOSE_POLICY, code).await;
}

impl Session {
    /// Sends the visitor's place and the wait estimate, unless both are as last sent.
    async fn send_queue(&mut self, position: usize) -> bool {
        let estimate = self.estimate(position);
        if self.last_estimate == Some(estimate) && self.last_position == Some(position) {
            return true;
        }
        self.last_estimate = Some(estimate);
        self.last_position = Some(position);
        self.conn.send(&VisitorOut::queue(position, estimate)).await
    }

    /// The wait estimate for this chat at `position` in the queue (1 = next): from the staff
    /// available now who may take it, the chats ahead they could take, and recent handling
    /// times ([`ecoute_domain::estimate_wait`]).
    fn estimate(&self, position: usize) -> ecoute_domain::WaitEstimate {
        let now = time::OffsetDateTime::now_utc();
        let snapshot = self.state.queue.borrow().clone();
        let staff = self.state.presence.staff().borrow().clone();
        let index = position.saturating_sub(1);
        let Some(mine) = snapshot
            .get(index)
            .filter(|c| c.id == self.conversation)
            .or_else(|| snapshot.iter().find(|c| c.id == self.conversation))
        else {
            return ecoute_domain::WaitEstimate::NoOneAvailable;
        };
        let need = mine.need();
        let open_to_all = now >= mine.open_to_all_at;
        let servers: Vec<&ecoute_domain::OfficerLoad> =
            ecoute_domain::serving(&staff, &need, open_to_all).collect();
        if servers.is_empty() {
            return ecoute_domain::WaitEstimate::NoOneAvailable;
        }
        let ahead: Vec<(ecoute_domain::Need, bool)> = snapshot
            .iter()
            .take_while(|c| c.id != self.conversation)
            .map(|c| (c.need(), now >= c.open_to_all_at))
            .collect();
        let place = ecoute_domain::place_behind(ahead.iter().map(|(n, o)| (n, *o)), &servers);
        ecoute_domain::estimate_wait(place, servers, self.state.chat.handling_secs())
    }

    /// This device may no longer see the conversation (its token was revoked or replaced):
    /// says so and closes; the page forgets the conversation.
    async fn token_gone(&mut self) -> bool {
        let e = error_out("invalid_token", "this conversation is not available");
        self.conn.send(&VisitorOut::Error(e)).await;
        self.conn.close(CLOSE_POLICY, "invalid_token").await;
        false
    }

    /// Handles one client frame; `false` ends the session.
    async fn handle_frame(&mut self, text: &str) -> bool {
        let frame = match serde_json::from_str::<VisitorIn>(text) {
            Ok(f) => f,
            Err(e) => return self.conn.send(&VisitorOut::Error(bad_frame(&e))).await,
        };
        // "Typing" is never counted against the person's messages: it is dropped instead when it
        // comes more often than every two seconds.
        if matches!(frame, VisitorIn::Typing {}) {
            let now = tokio::time::Instant::now();
            if self
                .last_typing
                .is_some_and(|t| now.duration_since(t) < std::time::Duration::from_secs(2))
            {
                return true;
            }
            self.last_typing = Some(now);
        }
        // Neither the quick exit nor a call for help is ever slowed down; a message waits its
        // turn behind a refused one, then counts against the messages' own allowance.
        let kind = match &frame {
            VisitorIn::QuickExit | VisitorIn::Danger | VisitorIn::Typing {} => None,
            VisitorIn::Send { client_id, .. } => {
                if let Err(waiting) = self.order.admit(self.conversation, client_id) {
                    let e = out_of_order(client_id.clone(), waiting);
                    return self.conn.send(&VisitorOut::Error(e)).await;
                }
                Some(pace::FrameKind::Message)
            }
            _ => Some(pace::FrameKind::Other),
        };
        if let Some(kind) = kind
            && let Err(wait) = self.conn.pace(kind)
        {
            let mut e = rate_limited(wait);
            if let VisitorIn::Send { client_id, .. } = &frame {
                self.order.refused(self.conversation, client_id);
                e.client_id = Some(client_id.clone());
            }
            return self.conn.send(&VisitorOut::Error(e)).await;
        }
        match frame {
            VisitorIn::Ping {} => self.conn.send(&VisitorOut::Pong).await,
            VisitorIn::Hello { .. } => {
                let e = error_out("bad_frame", "already authenticated");
                self.conn.send(&VisitorOut::Error(e)).await
            }
            VisitorIn::QuickExit => {
                if let Err(e) = self.state.chat.quick_exit(self.token_hash).await {
                    tracing::error!(error = %e, "quick exit could not be recorded");
                }
                self.conn.close(CLOSE_NORMAL, "quick_exit").await;
                false
            }
            VisitorIn::Send { client_id, body } => self.write(client_id, body).await,
            VisitorIn::ConsentAnswer {
                unit,
                yes,
                instructions,
                do_not_contact,
            } => {
                self.answer_consent(unit, yes, instructions, do_not_contact)
                    .await
            }
            VisitorIn::Typing {} => {
                if let Ok(Some(c)) = self.state.chat.conversation(self.conversation).await {
                    self.state.chat.typing(&c, ecoute_domain::Author::Visitor);
                }
                true
            }
            VisitorIn::Marks {
                received_seq,
                read_seq,
            } => {
                let marks = ecoute_store::Marks {
                    received: received_seq,
                    read: read_seq,
                };
                self.state.chat.marks_in_background(
                    self.conversation,
                    ecoute_domain::Actor::Visitor,
                    marks,
                );
                true
            }
            VisitorIn::Language { language } => {
                match self
                    .state
                    .chat
                    .visitor_language(self.conversation, &language)
                    .await
                {
                    Ok(()) => true,
                    Err(e) => self.conn.send(&VisitorOut::Error(api_error_out(&e))).await,
                }
            }
            VisitorIn::Danger => match self.state.chat.visitor_in_danger(self.conversation).await {
                Ok(()) => self.conn.send(&VisitorOut::DangerNoted).await,
                Err(e) => {
                    tracing::error!(error = ?e, "a call for help could not be recorded");
                    self.conn.send(&VisitorOut::Error(api_error_out(&e))).await
                }
            },
        }
    }

    async fn write(&mut self, client_id: String, body: String) -> bool {
        let refuse = |e: crate::error::ApiError, client_id: String| {
            let mut out = api_error_out(&e);
            out.client_id = Some(client_id);
            VisitorOut::Error(out)
        };
        let cid = match ClientMessageId::parse(&client_id) {
            Ok(c) => c,
            Err(e) => return self.conn.send(&refuse(e.into(), String::new())).await,
        };
        let body = match MessageBody::parse(body) {
            Ok(b) => b,
            Err(e) => return self.conn.send(&refuse(e.into(), client_id)).await,
        };
        // Too many messages in flight: refused at once, to be sent again; nothing later of
        // this conversation is taken before it (pace.rs).
        let permit = match self.state.chat.admit_message() {
            Ok(p) => p,
            Err(e) => {
                self.order.refused(self.conversation, &client_id);
                return self.conn.send(&refuse(e, client_id)).await;
            }
        };
        // The writer checks the token again just before writing: it may have been replaced a
        // moment ago (the person came back on another device with their code), and a device
        // holding the old one writes nothing more.
        let draft = Draft {
            conversation: self.conversation,
            key: self.key.clone(),
            actor: Actor::Visitor,
            client_id: cid,
            body,
            token_hash: Some(self.token_hash),
        };
        self.delivered.handed(&client_id);
        self.writer.submit(Job { draft, permit }).await
    }

    /// Answers a message the writer is done with: its ack once committed, or why not.
    async fn written(&mut self, outcome: Outcome) -> bool {
        match outcome {
            Outcome::Written {
                client_id,
                appended,
                ..
            } => {
                // The page has its own message from the ack: the copy the bus brings back to
                // this socket, or a catch-up from the store, never sends it again.
                self.delivered.acked(appended.seq);
                self.delivered.answered(&client_id);
                let ack = VisitorOut::Ack {
                    client_id,
                    seq: appended.seq,
                    sent_at: appended.sent_at,
                };
                self.conn.send(&ack).await
            }
            Outcome::Refused {
                client_id, error, ..
            } => {
                self.delivered.answered(&client_id);
                if matches!(error, crate::error::ApiError::Unavailable) {
                    self.order.refused(self.conversation, &client_id);
                }
                let mut out = api_error_out(&error);
                out.client_id = Some(client_id);
                self.conn.send(&VisitorOut::Error(out)).await
            }
            Outcome::TokenGone => self.token_gone().await,
        }
    }

    /// Handles one bus event; `false` ends the session.
    async fn handle_event(&mut self, event: &BusEvent) -> bool {
        match event {
            BusEvent::Message(m) => {
                let mine = m.author == ecoute_domain::Author::Visitor;
                match self.delivered.next(m.seq, mine, &m.client_id) {
                    Next::Had => return true,
                    Next::Gap => return self.resync().await,
                    Next::Send => {}
                }
                // With several nodes, the revocation of this token (a quick exit in another tab,
                // on another node) travels on NATS, which may lose it: before an officer's words
                // reach this screen, the database says whether this device may still see them.
                if m.author == ecoute_domain::Author::Officer && self.state.chat.several_nodes() {
                    let still = self
                        .state
                        .chat
                        .visitor_may_still_read(self.token_hash, self.conversation);
                    match still.await {
                        Some(true) => {}
                        Some(false) => {
                            return self.token_gone().await;
                        }
                        // Unknown: nothing is shown; the page reconnects, and its hello is
                        // checked against the database like any other.
                        None => {
                            self.conn.close(CLOSE_RESTART, "resync").await;
                            return false;
                        }
                    }
                }
                match open_message(self.conversation, &self.key, m.clone()) {
                    Ok(plain) => {
                        let sent_at = plain.sent_at;
                        let officers = plain.author == ecoute_domain::Author::Officer;
                        let delivered = self.deliver(plain).await;
                        if officers && delivered {
                            crate::metrics::delivered("visitor", sent_at);
                        }
                        delivered
                    }
                    Err(_) => false,
                }
            }
            BusEvent::StateChanged {
                state,
                officer_name,
                outcome,
                ..
            } => {
                if *state == StateName::Waiting {
                    // Back in the queue (its officer left, or a transfer to the other force):
                    // the visitor is told their place again.
                    self.last_position = None;
                }
                self.status = *state;
                let frame = VisitorOut::State {
                    state: *state,
                    officer: officer_name.clone().map(|name| OfficerRef { name }),
                    outcome: *outcome,
                };
                let sent = self.conn.send(&frame).await;
                if matches!(state, StateName::Closed | StateName::VisitorLeft) {
                    self.conn.close(CLOSE_NORMAL, "conversation_closed").await;
                    return false;
                }
                sent
            }
            BusEvent::Typing {
                who: ecoute_domain::Author::Officer,
                ..
            } => self.conn.send(&VisitorOut::Typing).await,
            BusEvent::Marks {
                reader: ecoute_domain::Author::Officer,
                received,
                read,
                ..
            } => {
                self.conn
                    .send(&VisitorOut::Marks {
                        received_seq: *received,
                        read_seq: *read,
                    })
                    .await
            }
            BusEvent::TokenRevoked { .. } => self.token_gone().await,
            BusEvent::ConsentChanged { .. } => self.send_consent().await,
            _ => true,
        }
    }

    /// Sends where the consent question stands, if one was asked.
    async fn send_consent(&mut self) -> bool {
        let current = match self
            .state
            .chat
            .conversation_of_visitor(self.token_hash)
            .await
        {
            Ok(Some(c)) if c.id == self.conversation => c,
            Ok(_) => return self.token_gone().await,
            Err(e) => return self.conn.send(&VisitorOut::Error(api_error_out(&e))).await,
        };
        match self.state.chat.consent_view(&current).await {
            Ok(Some(view)) => {
                self.conn
                    .send(&VisitorOut::Consent {
                        unit: view.unit.as_str().to_string(),
                        unit_name: view.unit_name,
                        question: view.question,
                        answer: view.answer,
                    })
                    .await
            }
            Ok(None) => true,
            Err(e) => self.conn.send(&VisitorOut::Error(api_error_out(&e))).await,
        }
    }

    /// The person's answer to the consent question.
    async fn answer_consent(
        &mut self,
        unit: String,
        yes: bool,
        instructions: Option<String>,
        do_not_contact: bool,
    ) -> bool {
        let refuse = |e: &crate::error::ApiError| VisitorOut::Error(api_error_out(e));
        let Some(unit) = ecoute_domain::UnitId::parse(&unit) else {
            return self
                .conn
                .send(&refuse(&crate::error::ApiError::UnknownUnit))
                .await;
        };
        let contact = if do_not_contact {
            Some(ecoute_domain::SafeContact::DoNotContact)
        } else {
            match instructions.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => match ecoute_domain::SafeContact::instructions(text) {
                    Some(c) => Some(c),
                    None => {
                        let e = error_out(
                            "contact_too_long",
                            "the contact instructions are at most 1000 characters",
                        );
                        return self.conn.send(&VisitorOut::Error(e)).await;
                    }
                },
            }
        };
        let current = match self
            .state
            .chat
            .conversation_of_visitor(self.token_hash)
            .await
        {
            Ok(Some(c)) if c.id == self.conversation => c,
            Ok(_) => return self.token_gone().await,
            Err(e) => return self.conn.send(&refuse(&e)).await,
        };
        match self
            .state
            .chat
            .answer_consent(&current, &unit, yes, contact)
            .await
        {
            // The new state comes back as a `consent` frame, through the bus.
            Ok(()) => true,
            Err(e) => self.conn.send(&refuse(&e)).await,
        }
    }

    async fn deliver(&mut self, m: PlainMessage) -> bool {
        self.delivered.sent(m.seq);
        self.conn
            .send(&VisitorOut::Message(MessageOut::for_visitor(m)))
            .await
    }

    /// After missing bus events: the state as stored now, then the messages missed.
    async fn catch_up(&mut self) -> bool {
        // Looked up by this socket's token: if it was replaced meanwhile, this device is done.
        let current = match self
            .state
            .chat
            .conversation_of_visitor(self.token_hash)
            .await
        {
            Ok(Some(c)) if c.id == self.conversation => c,
            Ok(_) => {
                return self.token_gone().await;
            }
            Err(e) => return self.conn.send(&VisitorOut::Error(api_error_out(&e))).await,
        };
        if !current.state.visitor_may_connect() {
            return self.token_gone().await;
        }
        if current.state.name() != self.status {
            self.status = current.state.name();
            let frame = VisitorOut::State {
                state: self.status,
                officer: current.officer_name.map(|name| OfficerRef { name }),
                outcome: None,
            };
            if !self.conn.send(&frame).await {
                return false;
            }
        }
        self.resync().await
    }

    /// Sends everything after what was delivered, from the store, page by page.
    async fn resync(&mut self) -> bool {
        loop {
            let page = match self
                .state
                .chat
                .history(self.conversation, &self.key, self.delivered.last())
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    self.conn.send(&VisitorOut::Error(api_error_out(&e))).await;
                    return self.conn.is_open();
                }
            };
            let full = page.len() == crate::service::PAGE as usize;
            for m in page {
                // This socket's own messages it has from their acks.
                let mine = m.author == ecoute_domain::Author::Visitor;
                if self.delivered.next(m.seq, mine, &m.client_id) == Next::Had {
                    continue;
                }
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

impl Answers for Session {
    async fn frame(&mut self, text: &str) -> bool {
        self.handle_frame(text).await
    }

    async fn written(&mut self, outcome: writer::Outcome) -> bool {
        Session::written(self, outcome).await
    }
}
