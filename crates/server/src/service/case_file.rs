//! The case file: staff notes, the qualification, forwarding, closing and blocking.

use super::*;

impl ChatService {
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
    pub(super) async fn update_case(
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

    /// The owning officer ends a chat with an outcome. A report is forwarded to a local unit
    /// only after the visitor's yes to that unit, given in the chat (`no_consent` otherwise);
    /// its dossier is then produced, and the unit told.
    pub async fn close(
        &self,
        officer: &User,
        conversation: ConversationId,
        outcome: Outcome,
    ) -> Result<Conversation, ApiError> {
        let forwarded_to = if outcome == Outcome::ReportForwarded {
            Some(self.consented_unit(conversation).await?)
        } else {
            None
        };
        let link = match forwarded_to {
            Some(_) => {
                let c = self
                    .store
                    .conversation(conversation)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                Some(Self::new_statistics_link(&self.data_key(&c)?, conversation))
            }
            None => None,
        };
        let closing = ecoute_domain::ClosingFacts {
            facts: self.facts_for_statistics(officer, conversation).await?,
            unit: forwarded_to.clone(),
            link,
        };
        let at = now();
        let audit = NewAudit::by(officer, "close", at)
            .on(conversation)
            .detail(outcome.as_str());
        // The statistics row is written by the store in the close's own transaction, with the
        // facts read here: the store cannot open the sealed case file.
        let closed = self
            .store
            .transition_closing(
                conversation,
                Actor::Officer(officer.id),
                Event::Close(outcome),
                at,
                Some(audit),
                closing,
            )
            .await?
            .or_not_found(ApiError::NotFound)?;
        self.announce(conversation, Some(officer.id), state_event(&closed));
        if let Some(claimed) = closed.claimed_at {
            self.handled((at - claimed).as_seconds_f64());
        }
        if let Some(unit) = forwarded_to {
            // The chat is closed: nothing more can be written, and the dossier holds it all.
            // Should this fail, the upkeep produces it later (`produce_missing_dossiers`).
            match self.produce_dossier(conversation).await {
                Ok(_) => tracing::info!(unit = unit.as_str(), "a report was forwarded"),
                Err(e) => tracing::error!(%conversation, error = %e, "dossier not produced yet"),
            }
        }
        Ok(closed)
    }

    /// The facts of the qualification of a chat `officer` holds, for its statistics row (empty
    /// when it was not qualified). Only its owner can change the case file, and they are the
    /// one closing, so what is read here is what the close seals.
    async fn facts_for_statistics(
        &self,
        officer: &User,
        conversation: ConversationId,
    ) -> Result<Vec<ecoute_domain::Fact>, ApiError> {
        let Some(c) = self.store.conversation(conversation).await? else {
            return Err(ApiError::NotFound);
        };
        if c.state.officer() != Some(officer.id) {
            // Not theirs: the transition refuses it, with the rules' own answer.
            return Ok(Vec::new());
        }
        let key = self.data_key(&c)?;
        let case = self.case_file(conversation, &key).await?;
        Ok(case.qualification.map(|q| q.facts).unwrap_or_default())
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
}
