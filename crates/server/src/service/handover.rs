//! Handover: claiming, taking the next chat, transfers, take-overs and requeues.

use super::*;

impl ChatService {
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
    pub(super) fn claimed(&self, officer: UserId, claimed: &Conversation) {
        let waited = (now() - claimed.created_at).as_seconds_f64().max(0.0);
        metrics::histogram!("ecoute_queue_wait_seconds").record(waited);
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
    pub(super) fn handed_over(
        &self,
        previous: UserId,
        after: &Conversation,
        reason: HandoverReason,
    ) {
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
}
