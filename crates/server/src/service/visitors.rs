//! Visitor sessions: starting a conversation, coming back with the return code, the
//! language, a call for help, the quick exit and the wait shown.

use super::*;
use ecoute_domain::PostalCode;

impl ChatService {
    /// Opens a conversation with its own data key and puts it in the queue. The postal code,
    /// if the visitor gave one, chooses the force (its commune's row before its département's)
    /// and the unit proposed for forwarding; it is not kept: only the département (in the
    /// intake) and the proposed unit are stored.
    pub async fn start(
        &self,
        intake: Intake,
        postal_code: Option<&PostalCode>,
    ) -> Result<Started, ApiError> {
        let id = ConversationId::new();
        let token = Token::generate();
        let key = DataKey::generate();
        let wrapped = self.keys.wrap(&key, id.0);
        let force = match &intake.departement {
            Some(d) => self.store.force_of(postal_code, d).await?,
            None => None,
        };
        // A force is known only for a place, so a chat with no place gets no unit either.
        let proposed_unit = match force {
            Some(force) => self
                .proposed_unit(force, postal_code, intake.departement.as_ref())
                .await?
                .map(|unit| unit.id),
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
                proposed_unit,
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
    pub(super) async fn code_key(&self) -> Result<[u8; 32], ApiError> {
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
    pub(super) async fn new_return_code(
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
        let id = self.conversation_of_code(code).await?;
        if self.store.dossier_of(id).await?.is_some() {
            // A forwarded report: the code now follows it, it does not reopen the chat.
            return Err(ApiError::ReportForwarded);
        }
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

    /// The conversation a return code opens (argon2id-checked against the few of its lookup
    /// bucket); `unknown_return_code` for any code that opens none.
    pub(super) async fn conversation_of_code(
        &self,
        code: &ecoute_domain::ReturnCode,
    ) -> Result<ConversationId, ApiError> {
        let key = self.code_key().await?;
        let bucket = ecoute_crypto::return_code::return_code_bucket(&key, code.digits());
        let candidates = self.store.return_code_candidates(bucket).await?;
        let hashes = candidates.iter().map(|(_, h)| h.clone()).collect();
        let found = crate::auth::match_code(code.digits().to_string(), hashes)
            .await
            .map_err(|_| ApiError::Internal)?;
        found
            .map(|index| candidates[index].0)
            .ok_or(ApiError::UnknownReturnCode)
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
    pub(super) fn announce_flag(&self, c: &Conversation) {
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

    /// A chat closed after `secs` in an officer's hands: one more recent handling time.
    pub(super) fn handled(&self, secs: f64) {
        let mut handled = self.handled.lock().expect("handled lock");
        handled.push_back(secs);
        while handled.len() > ecoute_domain::HANDLING_SAMPLE {
            handled.pop_front();
        }
    }

    /// The handling time the wait estimate uses, in seconds: the mean of the last chats closed
    /// on this node, or a default until a few have closed ([`ecoute_domain::handling_secs`]).
    pub fn handling_secs(&self) -> f64 {
        let mut handled = self.handled.lock().expect("handled lock");
        ecoute_domain::handling_secs(handled.make_contiguous())
    }
}
