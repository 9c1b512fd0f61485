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

mod accounts;
pub mod admin;
mod admission;
pub mod archive;
mod case_file;
pub mod desk;
pub mod dossiers;
pub mod forwarding;
pub mod gate;
mod handover;
mod messages;
pub mod open_data;
pub mod replies;
pub mod shift;
mod signing;
pub mod staffing;
mod statistics;
pub mod supervision;
mod units;
mod visitors;
pub mod wellbeing;

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
    /// How long the last chats closed on this node lasted, in seconds (oldest first).
    handled: Arc<Mutex<VecDeque<f64>>>,
    risk: Arc<RiskRules>,
    overflow: time::Duration,
    code_key: Arc<tokio::sync::OnceCell<[u8; 32]>>,
    /// Return codes hashed ahead, taken by starts.
    codes: crate::codes::ReadyCodes,
    /// Tells units that a dossier waits; `None` without `[smtp]`.
    notifier: Option<crate::notify::Notifier>,
    /// How long a dossier may wait for its unit's acknowledgement before the supervisors'
    /// board raises an alert.
    ack_alert: time::Duration,
    /// How many messages are taken at once (`overloaded` beyond).
    gate: gate::MessageGate,
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
            handled: Arc::new(Mutex::new(VecDeque::new())),
            risk: Arc::new(risk),
            overflow: time::Duration::try_from(overflow).unwrap_or(time::Duration::MINUTE),
            code_key: Arc::new(tokio::sync::OnceCell::new()),
            codes,
            notifier: None,
            ack_alert: time::Duration::hours(crate::config::DEFAULT_ACK_ALERT_HOURS.into()),
            gate: gate::MessageGate::new(gate::GateSettings::default()),
        }
    }

    /// The gate of the messages taken at once (service/gate.rs).
    pub fn message_gate(&self) -> &gate::MessageGate {
        &self.gate
    }

    /// How many messages are taken at once, and how long they may wait (`[limits]`).
    pub fn with_message_gate(mut self, settings: gate::GateSettings) -> Self {
        self.gate = gate::MessageGate::new(settings);
        self
    }

    /// Forwarded reports: the notifier that tells units (none without `[smtp]`), and how long
    /// a dossier may wait for its unit's acknowledgement before the board raises an alert.
    pub fn with_forwarding(
        mut self,
        notifier: Option<crate::notify::Notifier>,
        ack_alert: std::time::Duration,
    ) -> Self {
        self.notifier = notifier;
        self.ack_alert = time::Duration::try_from(ack_alert).unwrap_or(self.ack_alert);
        self
    }

    /// The store, for the server's own machinery beside the services (the presence router,
    /// start-up wiring); handlers never (`layers.rs` checks it).
    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The bus, for the same machinery.
    pub(crate) fn bus(&self) -> &LocalBus {
        &self.bus
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

    /// Sends an event to the visitor's topic and to the owning officer's.
    fn announce(&self, conversation: ConversationId, owner: Option<UserId>, event: BusEvent) {
        if let Some(officer) = owner {
            self.bus.publish(Topic::Officer(officer), event.clone());
        }
        self.bus.publish(Topic::Conversation(conversation), event);
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
            .start(Intake::new(ReporterKind::Victim, false, None), None)
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
