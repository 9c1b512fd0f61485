//! The conversation service: what a visitor or an officer can do, applied through the store
//! and announced on the bus. HTTP and WebSocket handlers call this and nothing below it.

use crate::error::ApiError;
use crate::keys::LiveKeys;
use crate::risk::RiskRules;
use ecoute_bus::{BusEvent, LocalBus, MessageEvent, NoteEvent, Topic};
use ecoute_crypto::{DataKey, Token};
use ecoute_domain::{
    Actor, Author, ClientMessageId, ConversationId, ConversationState, Event, Force,
    HandoverReason, Intake, Language, MessageBody, Outcome, Priority, Role, Seq, UserId,
};
use ecoute_store::{
    Appended, Applied, Conversation, NewAudit, NewConversation, NewMessage, NoteKind, Store,
    StoredMessage, StoredNote, User,
};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

/// How many messages one resync reads at most; a client asks again for the rest.
pub const PAGE: u32 = 500;

/// A message ready to show: opened with the conversation's key.
#[derive(Debug, Clone)]
pub struct PlainMessage {
    /// The conversation.
    pub conversation: ConversationId,
    /// Its place.
    pub seq: Seq,
    /// Who wrote it.
    pub author: Author,
    /// The officer's display name, for officer messages.
    pub officer_name: Option<String>,
    /// The sender's id for it.
    pub client_id: String,
    /// The text.
    pub body: String,
    /// When it was stored.
    pub sent_at: OffsetDateTime,
}

/// Everything the conversation service needs.
#[derive(Clone)]
pub struct ChatService {
    store: Arc<dyn Store>,
    bus: LocalBus,
    keys: LiveKeys,
    claims: Arc<Mutex<VecDeque<OffsetDateTime>>>,
    risk: Arc<RiskRules>,
    overflow: time::Duration,
    code_key: Arc<tokio::sync::OnceCell<[u8; 32]>>,
    /// Return codes hashed ahead, taken by starts.
    codes: crate::codes::ReadyCodes,
}

/// A message to store with [`ChatService::append_all`].
pub struct Draft {
    pub conversation: ConversationId,
    pub key: DataKey,
    pub actor: Actor,
    pub client_id: ClientMessageId,
    pub body: MessageBody,
    /// A visitor's token: checked in the transaction that writes (a device whose token was
    /// revoked or replaced by a return code writes nothing more).
    pub token_hash: Option<[u8; 32]>,
}

/// A message stored and not yet announced (see [`ChatService::append_all`]).
pub struct Written {
    conversation: ConversationId,
    actor: Actor,
    appended: Appended,
    /// The plain text, for the risk rules; dropped once they ran.
    text: String,
}

/// A staff-only note ready to show.
#[derive(Debug, Clone)]
pub struct PlainNote {
    /// The conversation.
    pub conversation: ConversationId,
    /// Its place among the notes.
    pub seq: u64,
    /// "note", "handover" or "whisper".
    pub kind: &'static str,
    /// Who wrote it.
    pub author_name: Option<String>,
    /// The text.
    pub body: String,
    /// When.
    pub at: OffsetDateTime,
}

/// A started conversation and the visitor's one credential for it.
pub struct Started {
    /// The conversation.
    pub conversation: Conversation,
    /// Give it to the visitor once; only its hash is kept.
    pub token: String,
    /// Shown to the visitor once, to come back later; only its hashes are kept.
    pub return_code: ecoute_domain::ReturnCode,
}

/// A conversation reopened with its return code.
pub struct Resumed {
    /// The conversation, as it is now.
    pub conversation: Conversation,
    /// The new token for this device; the old one no longer works.
    pub token: String,
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

impl ChatService {
    /// Wires the service.
    pub fn new(
        store: Arc<dyn Store>,
        bus: LocalBus,
        keys: LiveKeys,
        risk: RiskRules,
        overflow: std::time::Duration,
        codes: crate::codes::ReadyCodes,
    ) -> Self {
        Self {
            store,
            bus,
            keys,
            claims: Arc::new(Mutex::new(VecDeque::new())),
            risk: Arc::new(risk),
            overflow: time::Duration::try_from(overflow).unwrap_or(time::Duration::MINUTE),
            code_key: Arc::new(tokio::sync::OnceCell::new()),
            codes,
        }
    }

    /// The store, for reads that need no rule.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The master keys, to seal and open staff secrets.
    pub fn keys(&self) -> &LiveKeys {
        &self.keys
    }

    /// The bus, to subscribe.
    pub fn bus(&self) -> &LocalBus {
        &self.bus
    }

    /// Opens a conversation with its own data key and puts it in the queue.
    pub async fn start(&self, intake: Intake) -> Result<Started, ApiError> {
        let id = ConversationId::new();
        let token = Token::generate();
        let key = DataKey::generate();
        let wrapped = self.keys.wrap(&key, id.0);
        let force = match &intake.departement {
            Some(d) => self.store.force_of(d).await?,
            None => None,
        };
        // The return code is drawn and hashed first, and stored with the conversation in one
        // write: a chat never exists without the code its visitor was given.
        let (return_code, code_row) = self.new_return_code().await?;
        let created_at = now();
        let conversation = self
            .store
            .create_conversation(NewConversation {
                id,
                token_hash: token.hash,
                intake,
                wrapped_key: wrapped.bytes,
                key_version: wrapped.version,
                created_at,
                force,
                open_to_all_at: created_at + self.overflow,
                return_code: Some(code_row),
            })
            .await?;
        if conversation.priority == Priority::Danger {
            tracing::info!(conversation = %id, "a visitor in danger now joined the queue");
        }
        self.bus.publish(Topic::Queue, BusEvent::QueueChanged);
        Ok(Started {
            conversation,
            token: token.secret,
            return_code,
        })
    }

    /// The installation's key for looking return codes up, made once.
    async fn code_key(&self) -> Result<[u8; 32], ApiError> {
        let key = self
            .code_key
            .get_or_try_init(|| async {
                self.store
                    .install_secret(
                        "return_code_lookup",
                        ecoute_crypto::return_code::generate_lookup_key(),
                    )
                    .await
            })
            .await?;
        Ok(*key)
    }

    /// Draws a return code, from the stock hashed ahead when it holds one; what is kept of it
    /// is its lookup bucket and argon2id hash.
    async fn new_return_code(
        &self,
    ) -> Result<(ecoute_domain::ReturnCode, (u32, String)), ApiError> {
        let key = self.code_key().await?;
        let (digits, hash) = match self.codes.take() {
            Some(ready) => (ready.digits, ready.hash),
            None => {
                metrics::counter!("ecoute_return_codes_hashed_on_start_total").increment(1);
                let digits = ecoute_crypto::return_code::generate_return_code();
                let hash = crate::auth::hash_code(digits.clone()).await.map_err(|e| {
                    tracing::error!(error = %e, "cannot hash a return code");
                    ApiError::Internal
                })?;
                (digits, hash)
            }
        };
        let code = ecoute_domain::ReturnCode::parse(&digits).map_err(|_| ApiError::Internal)?;
        let bucket = ecoute_crypto::return_code::return_code_bucket(&key, &digits);
        Ok((code, (bucket, hash)))
    }

    /// The visitor comes back with their return code, from any device: the chat is theirs
    /// again with a new token (any other device's socket is closed), and its officer is told.
    pub async fn resume(&self, code: &ecoute_domain::ReturnCode) -> Result<Resumed, ApiError> {
        let key = self.code_key().await?;
        let bucket = ecoute_crypto::return_code::return_code_bucket(&key, code.digits());
        let candidates = self.store.return_code_candidates(bucket).await?;
        let hashes = candidates.iter().map(|(_, h)| h.clone()).collect();
        let found = crate::auth::match_code(code.digits().to_string(), hashes)
            .await
            .map_err(|_| ApiError::Internal)?;
        let Some(index) = found else {
            return Err(ApiError::UnknownReturnCode);
        };
        let id = candidates[index].0;
        let token = Token::generate();
        let conversation = self
            .store
            .resume(id, token.hash, now())
            .await?
            // Closed meanwhile (its code was forgotten a moment after the lookup): as unknown.
            .done()
            .ok_or(ApiError::UnknownReturnCode)?;
        // Whatever device held the old token is disconnected.
        self.bus.publish(
            Topic::Conversation(id),
            BusEvent::TokenRevoked { conversation: id },
        );
        // Supervisors following it see its new state; the audit log keeps the return.
        self.announce(id, conversation.state.officer(), state_event(&conversation));
        let audit = NewAudit::system("visitor_returned", now())
            .on(id)
            .detail(conversation.state.name().as_str());
        if let Err(e) = self.store.append_audit(audit).await {
            tracing::warn!(error = %e, "the return could not be audited");
        }
        match conversation.state {
            ConversationState::Active { officer } => {
                self.bus.publish(
                    Topic::Officer(officer),
                    BusEvent::VisitorBack { conversation: id },
                );
            }
            _ => self.bus.publish(Topic::Queue, BusEvent::QueueChanged),
        }
        tracing::info!(conversation = %id, "a visitor came back with their return code");
        Ok(Resumed {
            conversation,
            token: token.secret,
        })
    }

    /// Opens the data key of a conversation.
    pub fn data_key(&self, conversation: &Conversation) -> Result<DataKey, ApiError> {
        let wrapped = ecoute_crypto::WrappedKey {
            version: conversation.key_version,
            bytes: conversation.wrapped_key.clone(),
        };
        self.keys.unwrap(&wrapped, conversation.id.0).map_err(|e| {
            tracing::error!(conversation = %conversation.id, error = %e, "cannot open data key");
            ApiError::Internal
        })
    }

    /// Stores messages, in order, where their author may write now (each one committed when
    /// this returns), without telling anyone yet: the writer of a session answers its sender
    /// first, then announces with [`Self::announce_written`] (so a sender sees its ack before
    /// its own message comes back). One answer per draft, in the same order.
    ///
    /// `None` when the conversation is unknown, or when the draft's `token_hash` (a visitor
    /// device's token) no longer opens it: checked in the transaction that writes.
    pub async fn append_all(
        &self,
        drafts: Vec<Draft>,
    ) -> Vec<Result<Option<(Appended, Written)>, ApiError>> {
        let at = now();
        let mut kept = Vec::with_capacity(drafts.len());
        let mut messages = Vec::with_capacity(drafts.len());
        for Draft {
            conversation,
            key,
            actor,
            client_id,
            body,
            token_hash,
        } in drafts
        {
            let plain = body.as_str().as_bytes().to_vec();
            kept.push((conversation, actor, body));
            messages.push(NewMessage {
                conversation,
                actor,
                client_id,
                seal: Box::new(move |seq: Seq| key.seal_message(conversation.0, seq, &plain)),
                now: at,
                visitor_token: token_hash,
            });
        }
        let answers = self.store.append_messages(messages).await;
        answers
            .into_iter()
            .zip(kept)
            .map(|(answer, (conversation, actor, body))| {
                let appended = match answer? {
                    Applied::Done(appended) => appended,
                    Applied::Refused(refused) => return Err(refused.into()),
                    Applied::NotFound => return Ok(None),
                };
                let written = Written {
                    conversation,
                    actor,
                    appended: appended.clone(),
                    text: body.as_str().to_string(),
                };
                Ok(Some((appended, written)))
            })
            .collect()
    }

    /// Tells the other side (and the risk rules) about a message stored by [`Self::append`].
    pub async fn announce_written(&self, w: Written) {
        let Written {
            conversation,
            actor,
            appended,
            text,
        } = w;
        // Announced even for a duplicate: if the first attempt's announcement was lost, this
        // one delivers it, and receivers ignore a sequence number they already have.
        let event = BusEvent::Message(message_event(conversation, appended.message.clone()));
        self.announce(conversation, appended.owner, event);
        if !appended.duplicate {
            let author = if actor == Actor::Visitor {
                "visitor"
            } else {
                "officer"
            };
            metrics::counter!("ecoute_messages_total", "author" => author).increment(1);
        }
        if actor == Actor::Visitor && !appended.duplicate {
            self.apply_risk_rules(conversation, &text).await;
        }
    }

    /// Raises the priority of a chat whose visitor wrote words that signal danger, and tells
    /// its officer (or the queue) why. A failure here never loses the message: it is logged.
    async fn apply_risk_rules(&self, id: ConversationId, text: &str) {
        let labels = self.risk.matches(text);
        if labels.is_empty() {
            return;
        }
        match self
            .store
            .raise_priority(id, Priority::Flagged, &labels)
            .await
        {
            Ok(Some(raised)) => {
                tracing::info!(conversation = %id, rules = labels.len(), "risk rules matched");
                self.announce_flag(&raised);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(conversation = %id, error = %e, "cannot raise priority"),
        }
    }

    /// The visitor now reads in another language: stored (the officer sees it, and a waiting
    /// chat now needs an officer who reads it) and told to the officer, supervisors and queue.
    pub async fn visitor_language(
        &self,
        id: ConversationId,
        language: &Language,
    ) -> Result<(), ApiError> {
        let Some(changed) = self.store.set_language(id, language).await? else {
            return Ok(());
        };
        let event = BusEvent::LanguageChanged {
            conversation: id,
            language: language.clone(),
        };
        if let Some(officer) = changed.state.officer() {
            self.bus.publish(Topic::Officer(officer), event.clone());
        }
        self.bus.publish(Topic::Supervision, event);
        self.bus.publish(Topic::Queue, BusEvent::QueueChanged);
        Ok(())
    }

    /// Someone is typing: told to the other side at once, never stored.
    pub fn typing(&self, conversation: &Conversation, who: Author) {
        let event = BusEvent::Typing {
            conversation: conversation.id,
            who,
        };
        self.announce(conversation.id, conversation.state.officer(), event);
    }

    /// One side's device received or showed the other side's messages up to some point; the
    /// other side sees "reçu" and "lu" on its messages. An officer's marks count only on a chat
    /// that is theirs. Nothing is read first: the store says who holds the chat.
    pub async fn marks(
        &self,
        conversation: ConversationId,
        reader: Actor,
        marks: ecoute_store::Marks,
    ) -> Result<(), ApiError> {
        if let Some(moved) = self
            .store
            .advance_marks(conversation, reader, marks)
            .await?
        {
            let event = BusEvent::Marks {
                conversation,
                reader: ecoute_store::author_of(reader).0,
                received: moved.marks.received,
                read: moved.marks.read,
            };
            self.announce(conversation, moved.owner, event);
        }
        Ok(())
    }

    /// [`Self::marks`] on its own task: a socket never waits for the commit of a receipt
    /// (which rides in the next group commit) before it reads its next frame or delivers the
    /// next message. A failure is logged; the page sends its marks again with the next message.
    pub fn marks_in_background(
        &self,
        conversation: ConversationId,
        reader: Actor,
        marks: ecoute_store::Marks,
    ) {
        let chat = self.clone();
        tokio::spawn(async move {
            if let Err(e) = chat.marks(conversation, reader, marks).await {
                tracing::warn!(error = ?e, "marks not recorded");
            }
        });
    }

    /// The visitor says "I am in danger now" during the chat: it goes before every other chat,
    /// and its officer (or the queue, and the supervisors) is alerted at once.
    pub async fn visitor_in_danger(&self, id: ConversationId) -> Result<(), ApiError> {
        // Already first in line (said at the start, or before a transfer): the officer who has
        // the chat now is alerted all the same, every time.
        let raised = match self.store.raise_priority(id, Priority::Danger, &[]).await? {
            Some(raised) => raised,
            None => self
                .store
                .conversation(id)
                .await?
                .ok_or(ApiError::NotFound)?,
        };
        tracing::info!(conversation = %id, "a visitor says they are in danger now");
        self.announce_flag(&raised);
        Ok(())
    }

    /// Tells a chat's officer (if any), the supervisors and the queue how urgent it is now.
    fn announce_flag(&self, c: &Conversation) {
        let event = BusEvent::Flagged {
            conversation: c.id,
            priority: c.priority,
            labels: c.risk_flags.clone(),
        };
        if let Some(officer) = c.state.officer() {
            self.bus.publish(Topic::Officer(officer), event.clone());
        }
        self.bus.publish(Topic::Supervision, event);
        self.bus.publish(Topic::Queue, BusEvent::QueueChanged);
    }

    /// Pull mode: the officer takes the first waiting chat they may serve. `None` when none fits.
    pub async fn take_next(&self, officer: &User) -> Result<Option<Conversation>, ApiError> {
        let at = now();
        let audit = NewAudit::by(officer, "claim", at).detail("next");
        let claimed = match self.store.take_next(officer.id, at, audit).await? {
            Applied::Done(claimed) => claimed,
            Applied::Refused(refused) => return Err(refused.into()),
            Applied::NotFound => return Ok(None),
        };
        self.claimed(officer.id, &claimed);
        Ok(Some(claimed))
    }

    /// What every successful claim announces.
    fn claimed(&self, officer: UserId, claimed: &Conversation) {
        let waited = (now() - claimed.created_at).as_seconds_f64().max(0.0);
        metrics::histogram!("ecoute_queue_wait_seconds").record(waited);
        {
            let mut claims = self.claims.lock().expect("claims lock");
            claims.push_back(now());
            while claims.len() > 20 {
                claims.pop_front();
            }
        }
        let conversation = claimed.id;
        self.bus.publish(Topic::Queue, BusEvent::QueueChanged);
        self.bus
            .publish(Topic::Officer(officer), BusEvent::Claimed { conversation });
        self.bus
            .publish(Topic::Conversation(conversation), state_event(claimed));
        self.bus.publish(Topic::Supervision, BusEvent::StaffChanged);
    }

    /// Hands a chat to another officer (`to`), or back to the queue for the other force
    /// (`to_force`), with a handover note the next officer reads first.
    pub async fn transfer(
        &self,
        officer: &User,
        conversation: ConversationId,
        to: Option<UserId>,
        to_force: Option<Force>,
        note: &MessageBody,
    ) -> Result<Conversation, ApiError> {
        let current = self
            .store
            .conversation(conversation)
            .await?
            .ok_or(ApiError::NotFound)?;
        if current.state.officer() != Some(officer.id) {
            return Err(ApiError::NotFound);
        }
        let at = now();
        let (event, detail) = match (to, to_force) {
            (Some(to), None) => (Event::Transfer { to }, format!("to {to}")),
            (None, Some(force)) => (
                Event::Release {
                    to_force: Some(force),
                },
                format!("to {}", force.as_str()),
            ),
            _ => return Err(ApiError::BadRequest("name one officer or one force".into())),
        };
        // The note first: if the transfer is refused, a note nobody asked for is harmless;
        // a transfer without its note is not.
        self.add_note(officer, &current, NoteKind::Handover, note)
            .await?;
        let audit = NewAudit::by(officer, "transfer", at)
            .on(conversation)
            .detail(detail);
        let after = self
            .store
            .transition(
                conversation,
                Actor::Officer(officer.id),
                event,
                at,
                Some(audit),
            )
            .await?
            .or_not_found(ApiError::NotFound)?;
        self.handed_over(officer.id, &after, HandoverReason::Transferred);
        Ok(after)
    }

    /// A supervisor takes a chat over from its officer.
    pub async fn take_over(
        &self,
        supervisor: &User,
        conversation: ConversationId,
    ) -> Result<Conversation, ApiError> {
        if !matches!(supervisor.role, Role::Supervisor | Role::Admin) {
            return Err(ApiError::Forbidden);
        }
        let before = self
            .store
            .conversation(conversation)
            .await?
            .ok_or(ApiError::NotFound)?;
        // The owner seen here must still own it inside the transaction: if it changed hands
        // meanwhile, the take-over is refused and the right officer is never left uninformed.
        let Some(from) = before.state.officer() else {
            return Err(ecoute_domain::TransitionError::NotClaimed.into());
        };
        let at = now();
        let audit = NewAudit::by(supervisor, "take_over", at).on(conversation);
        let after = self
            .store
            .transition(
                conversation,
                Actor::Officer(supervisor.id),
                Event::TakeOver { from },
                at,
                Some(audit),
            )
            .await?
            .or_not_found(ApiError::NotFound)?;
        self.handed_over(from, &after, HandoverReason::TakenOver);
        Ok(after)
    }

    /// The server gives a chat back to the queue for an officer whose console has been gone
    /// too long. The history stays; the visitor is told another officer will answer.
    pub async fn requeue(
        &self,
        officer: UserId,
        conversation: ConversationId,
    ) -> Result<(), ApiError> {
        let at = now();
        let audit = NewAudit::system("requeued", at)
            .on(conversation)
            .detail(format!("officer {officer} away"));
        let after = self
            .store
            .transition(
                conversation,
                Actor::Officer(officer),
                Event::Release { to_force: None },
                at,
                Some(audit),
            )
            .await?
            .or_not_found(ApiError::NotFound)?;
        self.handed_over(officer, &after, HandoverReason::Requeued);
        Ok(())
    }

    /// Tells the previous owner, the new one (if any), the visitor and the queue.
    fn handed_over(&self, previous: UserId, after: &Conversation, reason: HandoverReason) {
        let conversation = after.id;
        self.bus.publish(
            Topic::Officer(previous),
            BusEvent::HandedOver {
                conversation,
                reason,
            },
        );
        if let Some(next) = after.state.officer() {
            self.bus
                .publish(Topic::Officer(next), BusEvent::Claimed { conversation });
        }
        self.bus
            .publish(Topic::Conversation(conversation), state_event(after));
        self.bus.publish(Topic::Queue, BusEvent::QueueChanged);
        self.bus.publish(Topic::Supervision, BusEvent::StaffChanged);
    }

    /// Adds a staff-only note, sealed with the chat's key, and tells its owner and the
    /// supervisors. Never announced on the conversation's topic: the visitor cannot get it.
    pub async fn add_note(
        &self,
        author: &User,
        conversation: &Conversation,
        kind: NoteKind,
        body: &MessageBody,
    ) -> Result<PlainNote, ApiError> {
        let key = self.data_key(conversation)?;
        let id = conversation.id;
        let kind_name = kind.as_str();
        let plain = body.as_str().as_bytes();
        let seal = |seq: u64| key.seal_note(id.0, seq, kind_name, plain);
        let audit = match kind {
            NoteKind::Whisper => Some(NewAudit::by(author, "whisper", now()).on(id)),
            _ => None,
        };
        let stored = self
            .store
            .add_note(id, kind, Some(author.id), &seal, now(), audit)
            .await?
            .ok_or(ApiError::NotFound)?;
        let event = BusEvent::Note(NoteEvent {
            conversation: id,
            seq: stored.seq,
            kind,
            author_name: stored.author_name.clone(),
            sealed_body: stored.sealed_body.clone(),
            at: stored.at,
        });
        if let Some(owner) = conversation.state.officer() {
            self.bus.publish(Topic::Officer(owner), event.clone());
        }
        self.bus.publish(Topic::Supervision, event);
        open_note(id, &key, stored)
    }

    /// A chat's case file, opened (empty when none was saved).
    pub async fn case_file(
        &self,
        conversation: ConversationId,
        key: &DataKey,
    ) -> Result<ecoute_domain::CaseFile, ApiError> {
        let Some(sealed) = self.store.case_file(conversation).await? else {
            return Ok(ecoute_domain::CaseFile::default());
        };
        let plain = key.open_case(conversation.0, &sealed).map_err(|_| {
            tracing::error!(%conversation, "case file does not authenticate");
            ApiError::Internal
        })?;
        serde_json::from_slice(&plain).map_err(|_| ApiError::Internal)
    }

    /// The owner fills in the qualification form.
    pub async fn qualify(
        &self,
        officer: &User,
        conversation: ConversationId,
        qualification: ecoute_domain::Qualification,
    ) -> Result<ecoute_domain::CaseFile, ApiError> {
        let qualification = qualification.check()?;
        self.update_case(officer, conversation, "qualified", |case| {
            case.qualification = Some(qualification)
        })
        .await
    }

    /// Reads, changes, seals and saves the case file of a chat the officer holds.
    async fn update_case(
        &self,
        officer: &User,
        conversation: ConversationId,
        action: &str,
        change: impl FnOnce(&mut ecoute_domain::CaseFile),
    ) -> Result<ecoute_domain::CaseFile, ApiError> {
        let c = self
            .store
            .conversation(conversation)
            .await?
            .ok_or(ApiError::NotFound)?;
        if c.state.officer() != Some(officer.id) {
            return Err(ApiError::NotFound);
        }
        let key = self.data_key(&c)?;
        let mut case = self.case_file(conversation, &key).await?;
        change(&mut case);
        let plain = serde_json::to_vec(&case).map_err(|_| ApiError::Internal)?;
        let sealed = key.seal_case(conversation.0, &plain);
        let audit = NewAudit::by(officer, action, now()).on(conversation);
        if !self
            .store
            .save_case_file(conversation, officer.id, &sealed, audit)
            .await?
        {
            return Err(ecoute_domain::TransitionError::Closed.into());
        }
        Ok(case)
    }

    /// A chat's staff-only notes, opened.
    pub async fn notes(
        &self,
        conversation: ConversationId,
        key: &DataKey,
    ) -> Result<Vec<PlainNote>, ApiError> {
        self.store
            .notes(conversation)
            .await?
            .into_iter()
            .map(|n| open_note(conversation, key, n))
            .collect()
    }

    /// Sends an event to the visitor's topic and to the owning officer's.
    fn announce(&self, conversation: ConversationId, owner: Option<UserId>, event: BusEvent) {
        if let Some(officer) = owner {
            self.bus.publish(Topic::Officer(officer), event.clone());
        }
        self.bus.publish(Topic::Conversation(conversation), event);
    }

    /// An officer takes a waiting chat. Exactly one of several racing officers succeeds.
    pub async fn claim(
        &self,
        officer: &User,
        conversation: ConversationId,
    ) -> Result<Conversation, ApiError> {
        let at = now();
        let audit = NewAudit::by(officer, "claim", at).on(conversation);
        let claimed = self
            .store
            .transition(
                conversation,
                Actor::Officer(officer.id),
                Event::Claim,
                at,
                Some(audit),
            )
            .await?
            .or_not_found(ApiError::NotFound)?;
        self.claimed(officer.id, &claimed);
        Ok(claimed)
    }

    /// The owning officer ends a chat with an outcome.
    /// A report forwarded to a local unit must say which unit and record the person's consent:
    /// `forwarding` is required for that outcome, and saved in the case file before closing.
    pub async fn close(
        &self,
        officer: &User,
        conversation: ConversationId,
        outcome: Outcome,
        forwarding: Option<ecoute_domain::Forwarding>,
    ) -> Result<Conversation, ApiError> {
        if outcome == Outcome::ReportForwarded {
            let Some(forwarding) = forwarding else {
                return Err(ecoute_domain::CaseError::ForwardingRequired.into());
            };
            self.update_case(officer, conversation, "forwarded", |case| {
                case.forwarding = Some(forwarding)
            })
            .await?;
        }
        let at = now();
        let audit = NewAudit::by(officer, "close", at)
            .on(conversation)
            .detail(outcome.as_str());
        let closed = self
            .store
            .transition(
                conversation,
                Actor::Officer(officer.id),
                Event::Close(outcome),
                at,
                Some(audit),
            )
            .await?
            .or_not_found(ApiError::NotFound)?;
        self.announce(conversation, Some(officer.id), state_event(&closed));
        Ok(closed)
    }

    /// An officer blocks an abusive chat: closed, token revoked, visitor disconnected.
    pub async fn block(
        &self,
        officer: &User,
        conversation: ConversationId,
    ) -> Result<Conversation, ApiError> {
        let at = now();
        let audit = NewAudit::by(officer, "block", at).on(conversation);
        let blocked = self
            .store
            .transition(
                conversation,
                Actor::Officer(officer.id),
                Event::Block,
                at,
                Some(audit),
            )
            .await?
            .or_not_found(ApiError::NotFound)?;
        self.bus.publish(
            Topic::Conversation(conversation),
            BusEvent::TokenRevoked { conversation },
        );
        self.announce(conversation, Some(officer.id), state_event(&blocked));
        self.bus.publish(Topic::Queue, BusEvent::QueueChanged);
        Ok(blocked)
    }

    /// The visitor's quick exit: token revoked, chat marked, officer alerted. Unknown or
    /// already revoked tokens are ignored, and the caller learns nothing either way.
    pub async fn quick_exit(&self, token_hash: [u8; 32]) -> Result<(), ApiError> {
        let Some(after) = self.store.quick_exit(token_hash, now()).await? else {
            return Ok(());
        };
        let id = after.id;
        self.bus.publish(
            Topic::Conversation(id),
            BusEvent::TokenRevoked { conversation: id },
        );
        match after.state {
            ConversationState::VisitorLeft { officer } => {
                let at = after.visitor_left_at.unwrap_or_else(now);
                self.bus.publish(
                    Topic::Officer(officer),
                    BusEvent::VisitorLeft {
                        conversation: id,
                        at,
                    },
                );
            }
            ConversationState::Closed { officer: None, .. } => {
                self.bus.publish(Topic::Queue, BusEvent::QueueChanged);
            }
            _ => {}
        }
        tracing::info!(conversation = %id, "visitor left by quick exit");
        Ok(())
    }

    /// Messages after `after`, opened.
    pub async fn history(
        &self,
        conversation: ConversationId,
        key: &DataKey,
        after: Seq,
    ) -> Result<Vec<PlainMessage>, ApiError> {
        self.store
            .messages_after(conversation, after, PAGE)
            .await?
            .into_iter()
            .map(|m| open_message(conversation, key, message_event(conversation, m)))
            .collect()
    }

    /// Estimated wait, in seconds, for the visitor at `position` (1 = next).
    ///
    /// The mean interval between the last claims, times the position; three minutes per
    /// place until enough claims have been seen. Bounded to two hours.
    pub fn estimated_wait_secs(&self, position: usize) -> u64 {
        let claims = self.claims.lock().expect("claims lock");
        let per_place = match (claims.front(), claims.back()) {
            (Some(first), Some(last)) if claims.len() >= 3 => {
                let span = (*last - *first).whole_seconds().max(0) as u64;
                (span / (claims.len() as u64 - 1)).clamp(15, 1800)
            }
            _ => 180,
        };
        (per_place * position as u64).min(7200)
    }
}

fn message_event(conversation: ConversationId, m: StoredMessage) -> MessageEvent {
    MessageEvent {
        conversation,
        seq: m.seq,
        author: m.author,
        officer_name: m.officer_name,
        client_id: m.client_id,
        sealed_body: m.sealed_body,
        sent_at: m.sent_at,
    }
}

/// Opens a message announced on the bus or read from the store.
pub fn open_message(
    conversation: ConversationId,
    key: &DataKey,
    m: MessageEvent,
) -> Result<PlainMessage, ApiError> {
    let plain = key
        .open_message(conversation.0, m.seq, &m.sealed_body)
        .map_err(|_| {
            tracing::error!(%conversation, seq = m.seq, "message does not authenticate");
            ApiError::Internal
        })?;
    let body = String::from_utf8(plain).map_err(|_| ApiError::Internal)?;
    Ok(PlainMessage {
        conversation,
        seq: m.seq,
        author: m.author,
        officer_name: m.officer_name,
        client_id: m.client_id,
        body,
        sent_at: m.sent_at,
    })
}

/// Opens a staff-only note read from the store.
pub fn open_note(
    conversation: ConversationId,
    key: &DataKey,
    n: StoredNote,
) -> Result<PlainNote, ApiError> {
    let kind = n.kind.as_str();
    let plain = key
        .open_note(conversation.0, n.seq, kind, &n.sealed_body)
        .map_err(|_| {
            tracing::error!(%conversation, seq = n.seq, "note does not authenticate");
            ApiError::Internal
        })?;
    Ok(PlainNote {
        conversation,
        seq: n.seq,
        kind,
        author_name: n.author_name,
        body: String::from_utf8(plain).map_err(|_| ApiError::Internal)?,
        at: n.at,
    })
}

/// Opens a note announced on the bus.
pub fn open_note_event(key: &DataKey, n: &NoteEvent) -> Result<PlainNote, ApiError> {
    open_note(
        n.conversation,
        key,
        StoredNote {
            seq: n.seq,
            kind: n.kind,
            author: None,
            author_name: n.author_name.clone(),
            sealed_body: n.sealed_body.clone(),
            at: n.at,
        },
    )
}

fn state_event(c: &Conversation) -> BusEvent {
    BusEvent::StateChanged {
        conversation: c.id,
        state: c.state.name(),
        officer_name: c.officer_name.clone(),
        outcome: match c.state {
            ConversationState::Closed { outcome, .. } => Some(outcome),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::ReadyCodes;
    use ecoute_crypto::KeyFiles;
    use ecoute_domain::ReporterKind;
    use std::time::{Duration, Instant};

    /// A start takes its return code from the stock hashed ahead, and that code, like any other,
    /// reopens the chat.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_start_takes_a_code_hashed_ahead_and_that_code_reopens_the_chat() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(
            ecoute_store_sqlite::SqliteStore::open(dir.path())
                .await
                .unwrap(),
        );
        let keys = LiveKeys::open(KeyFiles::new(dir.path().join("master.key"))).unwrap();
        let codes = ReadyCodes::start(2).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while codes.len() < 2 {
            assert!(Instant::now() < deadline, "the stock did not fill up");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let ahead = codes.hashes();
        let chat = ChatService::new(
            store.clone(),
            LocalBus::new(),
            keys,
            RiskRules::built_in(),
            Duration::from_secs(60),
            codes,
        );
        let started = chat
            .start(Intake::new(ReporterKind::Victim, false, None))
            .await
            .unwrap();
        let id = started.conversation.id;
        let key = chat.code_key().await.unwrap();
        let bucket =
            ecoute_crypto::return_code::return_code_bucket(&key, started.return_code.digits());
        let stored: Vec<String> = store
            .return_code_candidates(bucket)
            .await
            .unwrap()
            .into_iter()
            .filter(|(c, _)| *c == id)
            .map(|(_, hash)| hash)
            .collect();
        assert_eq!(stored.len(), 1);
        assert!(ahead.contains(&stored[0]), "the code was hashed ahead");
        let resumed = chat.resume(&started.return_code).await.unwrap();
        assert_eq!(resumed.conversation.id, id);
    }
}
