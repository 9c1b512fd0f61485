//! The conversation service: what a visitor or an officer can do, applied through the store
//! and announced on the bus. HTTP and WebSocket handlers call this and nothing below it.

use crate::error::ApiError;
use crate::keys::LiveKeys;
use ecoute_bus::{BusEvent, LocalBus, MessageEvent, Topic};
use ecoute_crypto::{DataKey, Token};
use ecoute_domain::{
    Actor, Author, ClientMessageId, ConversationId, ConversationState, Event, Intake, MessageBody,
    Outcome, Seq, UserId,
};
use ecoute_store::{
    Appended, Conversation, NewAudit, NewConversation, NewMessage, Store, StoredMessage, User,
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
}

/// A started conversation and the visitor's one credential for it.
pub struct Started {
    /// The conversation.
    pub conversation: Conversation,
    /// Give it to the visitor once; only its hash is kept.
    pub token: String,
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

impl ChatService {
    /// Wires the service.
    pub fn new(store: Arc<dyn Store>, bus: LocalBus, keys: LiveKeys) -> Self {
        Self {
            store,
            bus,
            keys,
            claims: Arc::new(Mutex::new(VecDeque::new())),
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
        let conversation = self
            .store
            .create_conversation(NewConversation {
                id,
                token_hash: token.hash,
                intake,
                wrapped_key: wrapped.bytes,
                key_version: wrapped.version,
                created_at: now(),
            })
            .await?;
        self.bus.publish(Topic::Queue, BusEvent::QueueChanged);
        Ok(Started {
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

    /// Stores a message if `actor` may write now; announces it to the other side.
    pub async fn write(
        &self,
        conversation: ConversationId,
        key: &DataKey,
        actor: Actor,
        client_id: &ClientMessageId,
        body: &MessageBody,
    ) -> Result<Appended, ApiError> {
        let plain = body.as_str().as_bytes();
        let seal = |seq: Seq| key.seal_message(conversation.0, seq, plain);
        let appended = self
            .store
            .append_message(NewMessage {
                conversation,
                actor,
                client_id,
                seal: &seal,
                now: now(),
            })
            .await?
            .ok_or(ApiError::NotFound)??;
        // Announced even for a duplicate: if the first attempt's announcement was lost, this
        // one delivers it, and receivers ignore a sequence number they already have.
        let event = BusEvent::Message(message_event(conversation, appended.message.clone()));
        self.announce(conversation, appended.owner, event);
        Ok(appended)
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
            .ok_or(ApiError::NotFound)??;
        let officer = officer.id;
        {
            let mut claims = self.claims.lock().expect("claims lock");
            claims.push_back(now());
            while claims.len() > 20 {
                claims.pop_front();
            }
        }
        self.bus.publish(Topic::Queue, BusEvent::QueueChanged);
        self.bus
            .publish(Topic::Officer(officer), BusEvent::Claimed { conversation });
        self.bus
            .publish(Topic::Conversation(conversation), state_event(&claimed));
        Ok(claimed)
    }

    /// The owning officer ends a chat with an outcome.
    pub async fn close(
        &self,
        officer: &User,
        conversation: ConversationId,
        outcome: Outcome,
    ) -> Result<Conversation, ApiError> {
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
            .ok_or(ApiError::NotFound)??;
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
            .ok_or(ApiError::NotFound)??;
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
