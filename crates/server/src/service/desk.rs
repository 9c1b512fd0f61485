//! The officer's desk: what a console needs around its chats — the events it follows, the
//! chats it holds, its session kept alive, the colleagues, canned replies and resources, and
//! the audit of every read.

use super::*;
use ecoute_domain::{Departement, Presence, Resource};
use ecoute_store::{StaffLoad, StoredReply};

/// A live stream of events.
pub type Events = ecoute_bus::Subscription;

/// What a staff session check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCheck {
    /// The session goes on (or the database could not say: the console stays).
    Alive,
    /// The session is over: expired (and now deleted, its sockets told) or ended elsewhere.
    Over,
}

impl ChatService {
    /// The events of one officer's consoles: offers, their chats, their sessions.
    pub fn officer_events(&self, officer: UserId) -> Events {
        self.bus.subscribe(Topic::Officer(officer))
    }

    /// The supervisors' events: the team, the live chats, whispers and alerts.
    pub fn supervision_events(&self) -> Events {
        self.bus.subscribe(Topic::Supervision)
    }

    /// The events of one conversation: its messages, notes and state.
    pub fn conversation_events(&self, id: ConversationId) -> Events {
        self.bus.subscribe(Topic::Conversation(id))
    }

    /// Whether this node shares its events with others (events may then be lost between
    /// nodes, and consoles compare what they hold with the database now and then).
    pub fn several_nodes(&self) -> bool {
        self.bus.bridge_status().is_some()
    }

    /// Tells the supervisors that the team changed (someone came, left or chose a presence).
    pub fn staff_changed(&self) {
        self.bus.publish(Topic::Supervision, BusEvent::StaffChanged);
    }

    /// An officer chose to answer chats or to pause: the board and every tab of theirs learn it.
    pub fn presence_chosen(&self, officer: UserId, chosen: Presence) {
        self.staff_changed();
        self.bus.publish(
            Topic::Officer(officer),
            BusEvent::PresenceChosen { status: chosen },
        );
    }

    /// A conversation's state and facts (never its content): who holds it, whether it is open.
    pub async fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>, ApiError> {
        Ok(self.store.conversation(id).await?)
    }

    /// The conversation a visitor's token opens now, if any.
    pub async fn conversation_of_visitor(
        &self,
        token_hash: [u8; 32],
    ) -> Result<Option<Conversation>, ApiError> {
        Ok(self.store.conversation_by_token(token_hash).await?)
    }

    /// Whether the device holding `token_hash` may still read `conversation` (`None`: the
    /// database cannot say now).
    pub async fn visitor_may_still_read(
        &self,
        token_hash: [u8; 32],
        conversation: ConversationId,
    ) -> Option<bool> {
        match self.store.conversation_by_token(token_hash).await {
            Ok(Some(c)) => Some(
                c.id == conversation
                    && !matches!(
                        c.state.name(),
                        ecoute_domain::StateName::Closed | ecoute_domain::StateName::VisitorLeft
                    ),
            ),
            Ok(None) => Some(false),
            Err(_) => None,
        }
    }

    /// Chat `id` if `officer` holds it open now; `not_found` otherwise: someone else's chat is
    /// not even acknowledged to exist.
    pub async fn open_chat_of(
        &self,
        officer: UserId,
        id: ConversationId,
    ) -> Result<Conversation, ApiError> {
        let c = self
            .store
            .conversation(id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let held = c.state.officer() == Some(officer)
            && c.state.name() != ecoute_domain::StateName::Closed;
        if held { Ok(c) } else { Err(ApiError::NotFound) }
    }

    /// The chats an officer holds now.
    pub async fn open_chats_of(&self, officer: UserId) -> Result<Vec<Conversation>, ApiError> {
        Ok(self.store.open_chats_of(officer).await?)
    }

    /// Records that `reader` is about to read a conversation: nothing of it may be sent before
    /// this is stored.
    pub async fn record_read(&self, reader: &User, id: ConversationId) -> Result<(), ApiError> {
        let audit = NewAudit::by(reader, "read", now()).on(id);
        Ok(self.store.append_audit(audit).await?)
    }

    /// Checks a console's session at `last_activity`: expired sessions are deleted and every
    /// socket of them told; live ones are touched so that the idle timeout counts from now.
    pub async fn check_staff_session(
        &self,
        officer: UserId,
        session: [u8; 32],
        last_activity: OffsetDateTime,
    ) -> SessionCheck {
        let stored = match self.store.session(session).await {
            Ok(Some(s)) => s,
            Ok(None) => return SessionCheck::Over,
            // The database is briefly away: keep the console, check again in a second.
            Err(_) => return SessionCheck::Alive,
        };
        let last = stored.last_seen_at.max(last_activity);
        if crate::auth::expired(stored.created_at, last, now()) {
            let _ = self.store.delete_session(session).await;
            self.bus
                .publish(Topic::Officer(officer), BusEvent::SessionEnded { session });
            return SessionCheck::Over;
        }
        // In the background: the console's socket goes on meanwhile, whatever the database's
        // write lock makes the touch wait (its result was never waited for anyway).
        let store = self.store.clone();
        let seen = stored.last_seen_at;
        tokio::spawn(async move {
            let _ = crate::auth::touch(&store, session, seen, last_activity).await;
        });
        SessionCheck::Alive
    }

    /// Every staff member with the chats they hold.
    pub async fn staff_loads(&self) -> Result<Vec<StaffLoad>, ApiError> {
        Ok(self.store.staff_loads().await?)
    }

    /// Whether `colleague` is an account that answers chats (not an administrator).
    pub async fn answers_chats(&self, colleague: UserId) -> Result<bool, ApiError> {
        Ok(self
            .store
            .staff_loads()
            .await?
            .iter()
            .any(|l| l.user.id == colleague && l.user.role != Role::Admin))
    }

    /// The team's canned replies.
    pub async fn canned_replies(&self) -> Result<Vec<StoredReply>, ApiError> {
        Ok(self.store.canned_replies().await?)
    }

    /// Support services for a département, or the national ones.
    pub async fn resources_for(
        &self,
        departement: Option<&Departement>,
    ) -> Result<Vec<Resource>, ApiError> {
        Ok(self.store.resources_for(departement).await?)
    }
}
