//! What a console is told: its chats' events, the queue, messages delivered in order.

use super::*;

impl Session {
    pub(super) async fn handle_event(&mut self, event: &BusEvent) -> bool {
        match event {
            BusEvent::Message(m) => {
                let Some(chat) = self.chats.get_mut(&m.conversation) else {
                    return true;
                };
                let mine = m.author == ecoute_domain::Author::Officer;
                match chat.delivered.next(m.seq, mine, &m.client_id) {
                    Next::Had => return true,
                    Next::Gap => {
                        let after = chat.delivered.last();
                        return self.send_after(m.conversation, after, true).await;
                    }
                    Next::Send => {}
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
                match self.state.chat.conversation(*conversation).await {
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
            BusEvent::ConsentChanged { conversation } if self.chats.contains_key(conversation) => {
                self.send_consent(*conversation).await
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
                // Chosen on another node's console (or by the end of a shift): this node's
                // consoles of theirs hold the same presence, so that no node disagrees.
                self.state.presence.choose(self.staff.user.id, *status);
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

    /// The whole queue as this console sees it.
    pub(super) async fn send_queue(&mut self) -> bool {
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

    pub(super) async fn send_notes(&mut self, id: ConversationId, key: &DataKey) -> bool {
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

    pub(super) async fn deliver(&mut self, m: PlainMessage) -> bool {
        if let Some(chat) = self.chats.get_mut(&m.conversation) {
            chat.delivered.sent(m.seq);
        }
        self.conn
            .send(&StaffOut::Message(MessageOut::for_staff(m)))
            .await
    }

    /// Sends a chat's messages after `after`, page by page. `catching_up`: the server's own
    /// catch-up after missed bus events, which leaves out this console's own messages (it has
    /// them from their acks); a `sync` the console asked for sends every one.
    pub(super) async fn send_after(
        &mut self,
        id: ConversationId,
        mut after: Seq,
        catching_up: bool,
    ) -> bool {
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
                if catching_up
                    && let Some(chat) = self.chats.get_mut(&id)
                    && chat.delivered.next(
                        m.seq,
                        m.author == ecoute_domain::Author::Officer,
                        &m.client_id,
                    ) == Next::Had
                {
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
