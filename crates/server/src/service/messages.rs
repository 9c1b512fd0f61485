//! Messages and delivery: writing in order and in groups, announcing what was written, the
//! risk rules, typing and read marks, history.

use super::*;

impl ChatService {
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
    pub(super) async fn apply_risk_rules(&self, id: ConversationId, text: &str) {
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
}
