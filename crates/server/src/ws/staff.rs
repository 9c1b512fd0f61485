//! The staff console's socket: the queue, claiming, several chats at once, closing.

use super::frames::{ChatOut, MessageOut, QueueItemOut, StaffIn, StaffOut, UserOut};
use super::*;
use crate::app::AppState;
use crate::auth::Staff;
use crate::chat::{PlainMessage, open_message};
use crate::error::ApiError;
use ecoute_bus::{BusEvent, Topic};
use ecoute_crypto::DataKey;
use ecoute_domain::{Actor, ClientMessageId, ConversationId, MessageBody, Outcome, Seq, StateName};
use ecoute_store::Conversation;
use std::collections::HashMap;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, sleep_until};

struct Chat {
    key: DataKey,
    delivered: Seq,
}

struct Session {
    conn: Conn,
    state: AppState,
    staff: Staff,
    chats: HashMap<ConversationId, Chat>,
    /// Last frame from this console that was a person's action (pings do not count).
    last_activity: time::OffsetDateTime,
}

/// Runs one console socket to its end. The upgrade has already checked the session.
pub async fn run(socket: axum::extract::ws::WebSocket, state: AppState, staff: Staff) {
    let officer = staff.user.id;
    let mut events = state.chat.bus().subscribe(Topic::Officer(officer));
    let mut queue = state.queue.clone();
    let mut session = Session {
        conn: Conn::new(socket, state.config.limits.messages_per_minute * 2),
        state,
        staff,
        chats: HashMap::new(),
        // Only actions on this socket count here; the upgrade itself was recorded in the store.
        last_activity: time::OffsetDateTime::UNIX_EPOCH,
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
    };
    if !session.conn.send(&welcome).await {
        return;
    }
    queue.mark_changed();

    let mut stopping = session.state.stopping.clone();
    let mut deadline = Instant::now() + IDLE_LIMIT;
    let mut session_check = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = session_check.tick() => {
                if !session.session_alive().await {
                    return session.conn.close(CLOSE_POLICY, "session_ended").await;
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
                let items = queue.borrow_and_update().iter().map(QueueItemOut::from).collect();
                if !session.conn.send(&StaffOut::Queue { items }).await {
                    return;
                }
            }
            _ = sleep_until(deadline) => {
                return session.conn.close(CLOSE_NORMAL, "idle").await;
            }
        }
    }
}

fn about(mut e: super::frames::ErrorOut, conversation: ConversationId) -> StaffOut {
    e.conversation_id = Some(conversation);
    StaffOut::Error(e)
}

impl Session {
    /// Whether the login session behind this socket still holds: not logged out elsewhere, not
    /// idle for 15 minutes (counting this console's actions), not older than 12 hours. An expired
    /// session is deleted and every socket of it is told.
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
            Err(e) => return self.conn.send(&StaffOut::Error(bad_frame(&e))).await,
        };
        if !matches!(frame, StaffIn::Ping) {
            self.last_activity = time::OffsetDateTime::now_utc();
        }
        if self.conn.over_limit() {
            let mut e = error_out("rate_limited", "too many frames; wait a little and resend");
            if let StaffIn::Send { client_id, .. } = &frame {
                e.client_id = Some(client_id.clone());
            }
            return self.conn.send(&StaffOut::Error(e)).await;
        }
        match frame {
            StaffIn::Ping => self.conn.send(&StaffOut::Pong).await,
            StaffIn::Claim { conversation_id } => self.claim(conversation_id).await,
            StaffIn::Block { conversation_id } => {
                match self
                    .state
                    .chat
                    .block(&self.staff.user, conversation_id)
                    .await
                {
                    // Like a close: the bus tells this socket and the officer's other tabs.
                    Ok(_) => true,
                    Err(e) => {
                        self.conn
                            .send(&about(api_error_out(&e), conversation_id))
                            .await
                    }
                }
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
                if let Err(e) = self.owned(conversation_id).await {
                    return self
                        .conn
                        .send(&about(api_error_out(&e), conversation_id))
                        .await;
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
                    return self
                        .conn
                        .send(&about(api_error_out(&e), conversation_id))
                        .await;
                }
                self.send_after(conversation_id, after_seq).await
            }
            StaffIn::Close {
                conversation_id,
                outcome,
            } => {
                let Some(outcome) = Outcome::parse(&outcome) else {
                    let e = error_out("invalid_outcome", "unknown outcome");
                    return self.conn.send(&about(e, conversation_id)).await;
                };
                match self
                    .state
                    .chat
                    .close(&self.staff.user, conversation_id, outcome)
                    .await
                {
                    // The bus event tells this socket and the officer's other tabs.
                    Ok(_) => true,
                    Err(e) => {
                        self.conn
                            .send(&about(api_error_out(&e), conversation_id))
                            .await
                    }
                }
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
            Err(e) => self.conn.send(&about(api_error_out(&e), id)).await,
        }
    }

    async fn write(&mut self, id: ConversationId, client_id: String, body: String) -> bool {
        let refuse = |e: ApiError, client_id: String| {
            let mut out = api_error_out(&e);
            out.client_id = Some(client_id);
            about(out, id)
        };
        let cid = match ClientMessageId::parse(&client_id) {
            Ok(c) => c,
            Err(e) => return self.conn.send(&refuse(e.into(), String::new())).await,
        };
        let body = match MessageBody::parse(body) {
            Ok(b) => b,
            Err(e) => return self.conn.send(&refuse(e.into(), client_id)).await,
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
            return self.conn.send(&refuse(e, client_id)).await;
        }
        let key = self.chats[&id].key.clone();
        match self
            .state
            .chat
            .write(id, &key, self.me(), &cid, &body)
            .await
        {
            Ok(a) => {
                let ack = StaffOut::Ack {
                    conversation_id: id,
                    client_id,
                    seq: a.seq,
                    sent_at: a.sent_at,
                };
                self.conn.send(&ack).await
            }
            Err(e) => self.conn.send(&refuse(e, client_id)).await,
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
                    Ok(plain) => self.deliver(plain).await,
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
            _ => true,
        }
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
                Err(e) => return self.conn.send(&about(api_error_out(&e), id)).await,
            };
            let full = page.len() == crate::chat::PAGE as usize;
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
