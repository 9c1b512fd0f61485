//! The team's canned replies, written by supervisors and administrators (reading them is the
//! desk's). Each change writes its own audit entry.

use super::*;
use ecoute_domain::CannedReply;
use ecoute_store::StoreError;

/// What saving a canned reply did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplySaved {
    /// Created or replaced.
    Saved,
    /// The reply to replace does not exist.
    Unknown,
    /// Another reply already has this shortcut.
    ShortcutTaken,
}

impl ChatService {
    /// Creates (`id` `None`) or replaces a canned reply, audited as `by`'s.
    pub async fn save_canned_reply(
        &self,
        by: &User,
        id: Option<uuid::Uuid>,
        reply: &CannedReply,
    ) -> Result<ReplySaved, ApiError> {
        let now = now();
        let audit =
            NewAudit::by(by, "canned_reply_saved", now).detail(format!("/{}", reply.shortcut));
        match self.store.save_canned_reply(id, reply, now, audit).await {
            Ok(Some(_)) => Ok(ReplySaved::Saved),
            Ok(None) => Ok(ReplySaved::Unknown),
            Err(StoreError::Conflict) => Ok(ReplySaved::ShortcutTaken),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a canned reply, audited as `by`'s; `false` when there was none.
    pub async fn delete_canned_reply(&self, by: &User, id: uuid::Uuid) -> Result<bool, ApiError> {
        let audit = NewAudit::by(by, "canned_reply_deleted", now());
        Ok(self.store.delete_canned_reply(id, audit).await?)
    }
}
