//! Closed chats read again: the officer who closed one, for a while; supervisors and
//! administrators, any chat still kept. Every reading is audited before anything is shown.

use super::*;
use ecoute_domain::CaseFile;

/// Closed chats a supervisor's list shows at most (the most recently closed).
pub const CLOSED_LISTED: u32 = 200;

/// A closed chat as read again: its facts, every message, its staff notes and its case file.
pub struct ClosedChat {
    /// The conversation as it closed.
    pub conversation: Conversation,
    /// Every message, in order.
    pub messages: Vec<PlainMessage>,
    /// Staff notes, whispers and handover notes.
    pub notes: Vec<PlainNote>,
    /// The qualification.
    pub case: CaseFile,
    /// The unit the report went to, with the visitor's yes; `None` if nothing was forwarded.
    pub forwarded_to: Option<String>,
}

impl ChatService {
    /// The closed chats `reader` may read again, most recently closed first: an officer's own
    /// from the last `officer_days` days; for supervisors and administrators, every closed chat
    /// still kept (the latest [`CLOSED_LISTED`]).
    pub async fn closed_chats(
        &self,
        reader: &User,
        officer_days: u32,
    ) -> Result<Vec<Conversation>, ApiError> {
        let (officer, since) = match reader.role {
            Role::Supervisor | Role::Admin => (None, OffsetDateTime::UNIX_EPOCH),
            Role::Officer => (
                Some(reader.id),
                now() - time::Duration::days(officer_days.into()),
            ),
            // A unit's account reads the dossiers of its unit, never chats.
            Role::Unit => return Err(ApiError::Forbidden),
        };
        Ok(self
            .store
            .closed_conversations(officer, since, CLOSED_LISTED)
            .await?)
    }

    /// Reads a closed chat again. Refused as `not_found` when it is not closed or `reader` may
    /// not read it (another officer's chat is not even acknowledged to exist); recorded in the
    /// audit log before anything of it is read.
    pub async fn reread(
        &self,
        reader: &User,
        id: ConversationId,
        officer_days: u32,
    ) -> Result<ClosedChat, ApiError> {
        let conversation = self
            .store
            .conversation(id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let ConversationState::Closed { officer, .. } = conversation.state else {
            return Err(ApiError::NotFound);
        };
        let closed_at = conversation.closed_at.ok_or(ApiError::NotFound)?;
        let allowed = ecoute_domain::may_reread(
            reader.id,
            reader.role,
            officer,
            closed_at,
            now(),
            officer_days,
        );
        if !allowed {
            return Err(ApiError::NotFound);
        }
        let audit = NewAudit::by(reader, "read", now())
            .on(id)
            .detail("closed chat");
        self.store.append_audit(audit).await?;
        let key = self.data_key(&conversation)?;
        let mut messages = Vec::new();
        loop {
            let after = messages.last().map_or(0, |m: &PlainMessage| m.seq);
            let page = self.history(id, &key, after).await?;
            let done = page.len() < PAGE as usize;
            messages.extend(page);
            if done {
                break;
            }
        }
        let notes = self.notes(id, &key).await?;
        let case = self.case_file(id, &key).await?;
        let forwarded_to = match self.consent_view(&conversation).await? {
            Some(v) if v.answer == Some(true) && self.store.dossier_of(id).await?.is_some() => {
                Some(v.unit_name)
            }
            _ => None,
        };
        Ok(ClosedChat {
            conversation,
            messages,
            notes,
            case,
            forwarded_to,
        })
    }
}
