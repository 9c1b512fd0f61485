//! What a console asks: each frame, checked and answered (claims, messages, transfers, notes,
//! the colleagues, canned replies and resources).

use super::supervision::colleague;
use super::*;

impl Session {
    pub(super) async fn handle_frame(&mut self, text: &str) -> bool {
        let frame = match serde_json::from_str::<StaffIn>(text) {
            Ok(f) => f,
            Err(e) => return self.refuse(bad_frame(&e)).await,
        };
        if !matches!(frame, StaffIn::Ping {}) {
            self.last_activity = time::OffsetDateTime::now_utc();
        }
        self.answering = Some(frame.name());
        let go_on = self.act_on(frame).await;
        self.answering = None;
        go_on
    }

    pub(super) async fn act_on(&mut self, frame: StaffIn) -> bool {
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
            StaffIn::Ping {} => self.conn.send(&StaffOut::Pong).await,
            StaffIn::Claim { conversation_id } => self.claim(conversation_id).await,
            StaffIn::TakeNext {} => self.take_next().await,
            StaffIn::Typing { conversation_id } => {
                if self.owned(conversation_id).await.is_ok()
                    && let Ok(Some(c)) = self.state.chat.conversation(conversation_id).await
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
                    .presence
                    .decline(self.staff.user.id, conversation_id);
                self.conn
                    .send(&StaffOut::OfferWithdrawn { conversation_id })
                    .await
            }
            StaffIn::Presence { status } => self.presence(&status).await,
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
            StaffIn::Colleagues {} => self.colleagues().await,
            StaffIn::Canned {} => self.canned().await,
            StaffIn::Resources { departement } => self.resources(departement).await,
            StaffIn::Monitor { conversation_id } => self.monitor(conversation_id).await,
            StaffIn::Unmonitor {} => {
                self.monitored = None;
                true
            }
            StaffIn::Whisper {
                conversation_id,
                body,
            } => self.whisper(conversation_id, body).await,
            StaffIn::TakeOver { conversation_id } => self.take_over(conversation_id).await,
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
            } => self.sync(conversation_id, after_seq).await,
            StaffIn::Qualify {
                conversation_id,
                qualification,
            } => self.qualify(conversation_id, qualification).await,
            StaffIn::Close {
                conversation_id,
                outcome,
            } => self.close(conversation_id, &outcome).await,
            StaffIn::AskConsent {
                conversation_id,
                unit,
            } => self.ask_consent(conversation_id, &unit).await,
        }
    }

    async fn presence(&mut self, status: &str) -> bool {
        let Some(chosen) = super::super::frames::presence(status) else {
            let e = error_out(
                "invalid_presence",
                "presence is `available`, `paused` or `break`",
            );
            return self.refuse(e).await;
        };
        // A break is recorded (its start, its end) before the desk changes.
        if let Err(e) = self
            .state
            .chat
            .presence_break(&self.staff.user, chosen)
            .await
        {
            return self.refuse(api_error_out(&e)).await;
        }
        self.state.presence.choose(self.staff.user.id, chosen);
        // Every tab of this officer, this one included, shows it.
        self.state.chat.presence_chosen(self.staff.user.id, chosen);
        true
    }

    /// A supervisor takes a chat over (the service checks the role); `claimed` follows on
    /// this officer's topic, as for any new chat.
    async fn take_over(&mut self, conversation_id: ConversationId) -> bool {
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

    /// Sends a chat's messages after `after_seq`, then its notes and case file, once the read
    /// is recorded.
    async fn sync(&mut self, conversation_id: ConversationId, after_seq: Seq) -> bool {
        if let Err(e) = self.owned_now(conversation_id).await {
            return self.refuse(about(api_error_out(&e), conversation_id)).await;
        }
        // Reading a conversation is recorded before anything of it is sent.
        let read = self
            .state
            .chat
            .record_read(&self.staff.user, conversation_id);
        if let Err(e) = read.await {
            return self.refuse(about(api_error_out(&e), conversation_id)).await;
        }
        if !self.send_after(conversation_id, after_seq, false).await {
            return false;
        }
        // Then the staff notes and the case file, whole: a console that was away may
        // have missed a whisper or a handover note (it ignores the notes it has).
        let key = self.chats[&conversation_id].key.clone();
        if !self.send_notes(conversation_id, &key).await {
            return false;
        }
        let case = self.state.chat.case_file(conversation_id, &key).await;
        self.send_case_file(conversation_id, case).await && self.send_consent(conversation_id).await
    }

    async fn qualify(
        &mut self,
        conversation_id: ConversationId,
        qualification: ecoute_domain::Qualification,
    ) -> bool {
        let case = self
            .state
            .chat
            .qualify(&self.staff.user, conversation_id, qualification)
            .await;
        self.send_case_file(conversation_id, case).await
    }

    async fn send_case_file(
        &mut self,
        conversation_id: ConversationId,
        case: Result<ecoute_domain::CaseFile, ApiError>,
    ) -> bool {
        match case {
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

    async fn close(&mut self, conversation_id: ConversationId, outcome: &str) -> bool {
        let Some(outcome) = Outcome::parse_closing(outcome) else {
            let e = error_out(
                "invalid_outcome",
                "unknown outcome, or `blocked` (only `block` sets it)",
            );
            return self.refuse(about(e, conversation_id)).await;
        };
        // The bus event tells this socket and the officer's other tabs.
        let result = self
            .state
            .chat
            .close(&self.staff.user, conversation_id, outcome)
            .await;
        self.unless_refused(conversation_id, result).await
    }

    async fn ask_consent(&mut self, conversation_id: ConversationId, unit: &str) -> bool {
        let Some(unit) = ecoute_domain::UnitId::parse(unit) else {
            let e = api_error_out(&ApiError::UnknownUnit);
            return self.refuse(about(e, conversation_id)).await;
        };
        // The `consent` frame comes back through the bus, to every tab of the officer.
        match self
            .state
            .chat
            .ask_consent(&self.staff.user, conversation_id, &unit)
            .await
        {
            Ok(_) => true,
            Err(e) => self.refuse(about(api_error_out(&e), conversation_id)).await,
        }
    }

    /// Sends where a chat's consent question stands, if one was asked.
    pub(super) async fn send_consent(&mut self, conversation_id: ConversationId) -> bool {
        let conversation = match self.state.chat.conversation(conversation_id).await {
            Ok(Some(c)) => c,
            Ok(None) => return true,
            Err(e) => return self.refuse(about(api_error_out(&e), conversation_id)).await,
        };
        match self.state.chat.consent_view(&conversation).await {
            Ok(Some(view)) => {
                self.conn
                    .send(&StaffOut::Consent {
                        conversation_id,
                        unit: view.unit.as_str().to_string(),
                        unit_name: view.unit_name,
                        question: view.question,
                        answer: view.answer,
                        contact: view.contact,
                    })
                    .await
            }
            Ok(None) => true,
            Err(e) => self.refuse(about(api_error_out(&e), conversation_id)).await,
        }
    }

    pub(super) async fn claim(&mut self, id: ConversationId) -> bool {
        match self.state.chat.claim(&self.staff.user, id).await {
            Ok(c) => {
                if !self.track(&c) {
                    return false;
                }
                // Start from nothing: the console syncs the history after `claimed`.
                if let Some(chat) = self.chats.get_mut(&id) {
                    chat.delivered = Delivered::upto(c.last_seq);
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

    pub(super) async fn write(
        &mut self,
        id: ConversationId,
        client_id: String,
        body: String,
    ) -> bool {
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
                ApiError::NotFound => match self.state.chat.conversation(id).await {
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
        // Too many messages in flight: refused at once, to be sent again; nothing later of
        // this chat is taken before it (pace.rs).
        let permit = match self.state.chat.admit_message() {
            Ok(p) => p,
            Err(e) => {
                self.order.refused(id, &client_id);
                return self.refuse(refusal(e, client_id)).await;
            }
        };
        let draft = crate::service::Draft {
            conversation: id,
            key: self.chats[&id].key.clone(),
            actor: self.me(),
            client_id: cid,
            body,
            token_hash: None,
        };
        if let Some(chat) = self.chats.get_mut(&id) {
            chat.delivered.handed(&client_id);
        }
        self.writer.submit(Job { draft, permit }).await
    }

    /// Answers a message the writer is done with: its ack once committed, or why not.
    pub(super) async fn written(&mut self, outcome: writer::Outcome) -> bool {
        match outcome {
            writer::Outcome::Written {
                conversation,
                client_id,
                appended,
            } => {
                // As for the visitor's page: the console has its message from the ack, and
                // neither the bus's copy nor a catch-up from the store sends it back to this
                // socket (other consoles still get it).
                if let Some(chat) = self.chats.get_mut(&conversation) {
                    chat.delivered.acked(appended.seq);
                    chat.delivered.answered(&client_id);
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
                if let Some(chat) = self.chats.get_mut(&conversation) {
                    chat.delivered.answered(&client_id);
                }
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

    /// Shows an offer, with the chat as the queue shows it.
    pub(super) async fn offer(
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
            None => match self.state.chat.conversation(conversation).await {
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

    pub(super) async fn take_next(&mut self) -> bool {
        // An officer over exposure is given the chat rule 5 picks (docs/WELLBEING.md), claimed
        // like any chosen chat; everyone else takes the first that fits, in the store.
        match self
            .state
            .presence
            .pull_choice(&self.state.chat, self.staff.user.id)
            .await
        {
            Some(Some(id)) => return self.claim(id).await,
            Some(None) => {
                let e = error_out(
                    "nothing_to_take",
                    "no waiting chat needs you now; it will come to you when one does",
                );
                return self.refuse(e).await;
            }
            None => {}
        }
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

    pub(super) async fn transfer(
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
            let answers = match self.state.chat.answers_chats(to).await {
                Ok(answers) => answers,
                Err(e) => return self.refuse(about(api_error_out(&e), id)).await,
            };
            if !answers || !self.state.presence.on_duty(to) {
                let e = api_error_out(&ApiError::ColleagueUnavailable);
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

    pub(super) async fn note(&mut self, id: ConversationId, body: String) -> bool {
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

    pub(super) async fn whisper(&mut self, id: ConversationId, body: String) -> bool {
        let result = match MessageBody::parse(body) {
            Ok(body) => self.state.chat.whisper(&self.staff.user, id, &body).await,
            Err(e) => Err(e.into()),
        };
        self.unless_refused(id, result).await
    }

    pub(super) async fn canned(&mut self) -> bool {
        match self.state.chat.canned_replies().await {
            Ok(replies) => {
                let items = replies.into_iter().map(|r| r.reply).collect();
                self.conn.send(&StaffOut::Canned { items }).await
            }
            Err(e) => self.refuse(api_error_out(&e)).await,
        }
    }

    pub(super) async fn resources(&mut self, departement: Option<String>) -> bool {
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
        match self.state.chat.resources_for(departement.as_ref()).await {
            Ok(items) => {
                self.conn
                    .send(&StaffOut::Resources { departement, items })
                    .await
            }
            Err(e) => self.refuse(api_error_out(&e)).await,
        }
    }

    pub(super) async fn colleagues(&mut self) -> bool {
        let Some(loads) = self.state.presence.loads(&self.state.chat).await else {
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
}
