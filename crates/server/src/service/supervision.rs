//! Supervision: the board of the day, following a chat silently, whispering to its officer.
//! Only supervisors and administrators may; every look at a chat is audited first.

use super::desk::Events;
use super::*;
use ecoute_store::DayFigures;

/// A chat followed silently, with what is needed to read it.
pub struct Watched {
    /// The chat as it is now.
    pub conversation: Conversation,
    /// Its key, to open its messages and notes.
    pub key: DataKey,
    /// Its live events, subscribed before anything of it is read.
    pub events: Events,
}

/// What the board shows besides the team: the live chats and the figures of the day.
pub struct Board {
    /// Chats waiting or being answered.
    pub chats: Vec<Conversation>,
    /// Since midnight in Paris.
    pub since: OffsetDateTime,
    /// The day's counts and waits.
    pub figures: DayFigures,
    /// Dossiers waiting for their unit's acknowledgement longer than allowed.
    pub overdue_dossiers: u64,
    /// How long a dossier may wait for that acknowledgement, in hours.
    pub dossier_ack_hours: u64,
}

/// Whether a role watches over the others' chats.
pub fn supervises(role: Role) -> bool {
    matches!(role, Role::Supervisor | Role::Admin)
}

impl ChatService {
    /// Starts following a chat silently: refused to anyone who does not supervise, and
    /// recorded in the audit log before anything of the chat can be read.
    pub async fn monitor(
        &self,
        supervisor: &User,
        id: ConversationId,
    ) -> Result<Watched, ApiError> {
        if !supervises(supervisor.role) {
            return Err(ApiError::Forbidden);
        }
        let conversation = match self.store.conversation(id).await? {
            Some(c) if c.state.name() != ecoute_domain::StateName::Closed => c,
            _ => return Err(ApiError::NotFound),
        };
        let key = self.data_key(&conversation)?;
        let audit = NewAudit::by(supervisor, "monitor", now()).on(id);
        self.store.append_audit(audit).await?;
        // Subscribed before the history is read, so nothing falls between the two.
        let events = self.bus.subscribe(Topic::Conversation(id));
        Ok(Watched {
            conversation,
            key,
            events,
        })
    }

    /// A supervisor's note to the officer holding a chat; never shown to the visitor.
    pub async fn whisper(
        &self,
        supervisor: &User,
        id: ConversationId,
        body: &MessageBody,
    ) -> Result<PlainNote, ApiError> {
        if !supervises(supervisor.role) {
            return Err(ApiError::Forbidden);
        }
        let c = match self.store.conversation(id).await? {
            Some(c)
                if c.state.officer().is_some()
                    && c.state.name() != ecoute_domain::StateName::Closed =>
            {
                c
            }
            _ => return Err(ApiError::NoOfficer),
        };
        // The supervision topic brings it back to the monitoring console.
        self.add_note(supervisor, &c, NoteKind::Whisper, body).await
    }

    /// The live chats and the figures since midnight in Paris.
    pub async fn board(&self) -> Result<Board, ApiError> {
        let chats = self.store.live_conversations().await?;
        let since = paris_midnight(now());
        let figures = self.store.day_figures(since).await?;
        Ok(Board {
            chats,
            since,
            figures,
            overdue_dossiers: self.overdue_dossiers().await?,
            dossier_ack_hours: self.dossier_ack_hours(),
        })
    }
}

/// Local midnight in mainland France, for the figures "of the day". The offset rule (CET/CEST)
/// is the dossier's, written once in [`ecoute_dossier::paris::paris_offset`].
pub fn paris_midnight(now: time::OffsetDateTime) -> time::OffsetDateTime {
    use ecoute_dossier::paris::paris_offset;
    let midnight = now
        .to_offset(paris_offset(now))
        .replace_time(time::Time::MIDNIGHT);
    // Midnight keeps the offset of that night (the change happens at 01:00 UTC, after it).
    midnight.replace_offset(paris_offset(midnight))
}

#[cfg(test)]
mod tests {
    use super::paris_midnight;
    use time::macros::datetime;

    #[test]
    fn the_day_starts_at_midnight_in_paris_summer_and_winter() {
        assert_eq!(
            paris_midnight(datetime!(2026-07-14 12:00 UTC)),
            datetime!(2026-07-14 0:00 +2)
        );
        assert_eq!(
            paris_midnight(datetime!(2026-01-10 23:30 UTC)),
            datetime!(2026-01-11 0:00 +1)
        );
        // The night of the change to summer time: midnight was still winter time.
        assert_eq!(
            paris_midnight(datetime!(2026-03-29 12:00 UTC)),
            datetime!(2026-03-29 0:00 +1)
        );
        assert_eq!(
            paris_midnight(datetime!(2026-10-25 12:00 UTC)),
            datetime!(2026-10-25 0:00 +2)
        );
    }
}
