//! The read-modify-write of a conversation, written once for every backend.
//!
//! A transition, a resume, a quick exit and a staff note take the same steps in every backend: read the
//! conversation, ask the domain's rules, check the officer's room, write the new state and
//! what it implies, audit, read the result. Only how each step reads, locks and writes differs,
//! so a backend implements [`Steps`] on its own open transaction and calls [`transition`],
//! [`resume`], [`quick_exit`] or [`add_note`] between its own begin and commit (and, for PostgreSQL, inside
//! its retry loop). A refusal leaves the transaction to be dropped, which rolls it back.

use crate::{
    Applied, Conversation, NewAudit, NoteKind, StoreError, StoredNote, Transitioned, User,
};
use async_trait::async_trait;
use ecoute_domain::{
    Actor, ChatStatistics, ClosingFacts, ConversationId, ConversationState, Ending, Event, Force,
    Outcome, TransitionError, UserId,
};
use time::OffsetDateTime;

/// The primitive steps of a conversation's transaction, each taken by a backend on its own
/// transaction under its own locking rules.
#[async_trait]
pub trait Steps: Send {
    /// The backend's error inside a transaction (kept as it is, so a retry loop can read it).
    type Error: From<StoreError> + Send;

    /// Reads a conversation, and keeps others from deciding on it until commit; `None` when
    /// there is none.
    async fn lock_conversation(
        &mut self,
        id: ConversationId,
    ) -> Result<Option<Conversation>, Self::Error>;

    /// Reads an officer's account and the number of chats they hold, and keeps that number
    /// from changing under the caller until commit; `None` when there is no such account.
    async fn lock_officer(&mut self, officer: UserId) -> Result<Option<(User, u32)>, Self::Error>;

    /// Reads again a conversation this transaction has locked: it must still be there.
    async fn reload(&mut self, id: ConversationId) -> Result<Conversation, Self::Error>;

    /// Writes a change of state decided by the rules, with what it implies (times, owner,
    /// outcome, revoked token or code). Nothing when `before` and `after` are equal.
    async fn save_state(
        &mut self,
        id: ConversationId,
        before: ConversationState,
        after: ConversationState,
        now: OffsetDateTime,
    ) -> Result<(), Self::Error>;

    /// Counts one more hand-over; sent to `to_force`, the chat becomes that force's and its
    /// overflow period starts again from `now`, with its original length.
    async fn hand_over(
        &mut self,
        id: ConversationId,
        to_force: Option<Force>,
        now: OffsetDateTime,
    ) -> Result<(), Self::Error>;

    /// Puts a closed chat back as a new one: its place in the queue, its head start for
    /// skilled officers and its retention period count from `now`.
    async fn reopen(&mut self, id: ConversationId, now: OffsetDateTime) -> Result<(), Self::Error>;

    /// Reads the conversation this visitor token opens, and keeps others from deciding on it
    /// until commit; `None` when the token is unknown or already revoked.
    async fn lock_by_token(
        &mut self,
        token_hash: [u8; 32],
    ) -> Result<Option<Conversation>, Self::Error>;

    /// Revokes the conversation's visitor token.
    async fn revoke_token(&mut self, id: ConversationId) -> Result<(), Self::Error>;

    /// Gives the conversation a new visitor token (the old one stops working).
    async fn set_token(
        &mut self,
        id: ConversationId,
        token_hash: [u8; 32],
    ) -> Result<(), Self::Error>;

    /// The sequence number the conversation's next staff note takes.
    async fn next_note_seq(&mut self, id: ConversationId) -> Result<u64, Self::Error>;

    /// Stores a staff note, its body already sealed.
    async fn insert_note(
        &mut self,
        id: ConversationId,
        note: &StoredNote,
    ) -> Result<(), Self::Error>;

    /// An account's display name; `None` when there is no such account.
    async fn display_name(&mut self, user: UserId) -> Result<Option<String>, Self::Error>;

    /// Writes a chat's statistics row (which holds nothing that links it to the chat), under a
    /// random id. With `link`, a forwarded report's, under the link's id, and keeps the link's
    /// sealed copy beside the chat, so that its dossier's changes can reach the row; the purge
    /// deletes it with the chat.
    async fn insert_statistics(
        &mut self,
        row: &ChatStatistics,
        link: Option<(ConversationId, &ecoute_domain::StatisticsLink)>,
    ) -> Result<(), Self::Error>;

    /// Appends to the audit log's hash chain. Taken last: PostgreSQL locks the chain's head
    /// here, and holding it must never wait on another lock.
    async fn insert_audit(&mut self, audit: &NewAudit) -> Result<(), Self::Error>;
}

/// Applies `event` by `actor` (see [`crate::Store::transition_closing`]), without committing;
/// a close writes the chat's statistics row with `closing`.
pub async fn transition<S: Steps>(
    tx: &mut S,
    id: ConversationId,
    actor: Actor,
    event: Event,
    now: OffsetDateTime,
    audit: Option<&NewAudit>,
    closing: &ClosingFacts,
) -> Result<Transitioned, S::Error> {
    let Some(current) = tx.lock_conversation(id).await? else {
        return Ok(Applied::NotFound);
    };
    let next = match current.state.apply(actor, event) {
        Ok(t) => t.next,
        Err(refused) => return Ok(Applied::Refused(refused)),
    };
    // Capacity and skills are checked under the officer's lock (a row lock, or the one
    // writer): concurrent claims cannot all pass, and a transfer cannot take anyone over
    // capacity.
    let allowed = match (event, actor) {
        (Event::Claim, Actor::Officer(officer)) => match tx.lock_officer(officer).await? {
            None => Err(TransitionError::NotAllowed),
            Some((user, open)) => ecoute_domain::check_claim(
                &user.skills,
                user.capacity,
                open,
                &current.need(),
                now >= current.open_to_all_at,
            ),
        },
        (Event::Transfer { to }, _) => room(tx, to).await?,
        (Event::TakeOver { .. }, Actor::Officer(officer)) => room(tx, officer).await?,
        _ => Ok(()),
    };
    if let Err(refused) = allowed {
        return Ok(Applied::Refused(refused));
    }
    tx.save_state(id, current.state, next, now).await?;
    match event {
        // Sent to the other force: its officers get the same head start as for a new chat
        // before anyone may take it (else the sender, now the least loaded, gets it back).
        Event::Release { to_force } => tx.hand_over(id, to_force, now).await?,
        Event::Transfer { .. } | Event::TakeOver { .. } => tx.hand_over(id, None, now).await?,
        _ => {}
    }
    record_if_closed(tx, id, current.state, next, closing).await?;
    if let Some(audit) = audit {
        tx.insert_audit(audit).await?;
    }
    Ok(Applied::Done(tx.reload(id).await?))
}

/// The visitor came back with their return code (see [`crate::Store::resume`]), without
/// committing. A blocked conversation is not found.
pub async fn resume<S: Steps>(
    tx: &mut S,
    id: ConversationId,
    token_hash: [u8; 32],
    now: OffsetDateTime,
) -> Result<Transitioned, S::Error> {
    let Some(current) = tx.lock_conversation(id).await? else {
        return Ok(Applied::NotFound);
    };
    if matches!(
        current.state,
        ConversationState::Closed {
            outcome: Outcome::Blocked,
            ..
        }
    ) {
        return Ok(Applied::NotFound);
    }
    let next = match current.state.apply(Actor::Visitor, Event::Return) {
        Ok(t) => t.next,
        Err(refused) => return Ok(Applied::Refused(refused)),
    };
    tx.save_state(id, current.state, next, now).await?;
    if matches!(current.state, ConversationState::Closed { .. }) {
        tx.reopen(id, now).await?;
    }
    tx.set_token(id, token_hash).await?;
    Ok(Applied::Done(tx.reload(id).await?))
}

/// The visitor's quick exit (see [`crate::Store::quick_exit`]), without committing. `None`
/// when the token is unknown or already revoked.
pub async fn quick_exit<S: Steps>(
    tx: &mut S,
    token_hash: [u8; 32],
    now: OffsetDateTime,
) -> Result<Option<Conversation>, S::Error> {
    let Some(current) = tx.lock_by_token(token_hash).await? else {
        return Ok(None);
    };
    tx.revoke_token(current.id).await?;
    // A chat that is already over keeps its state; the token is revoked all the same.
    if let Ok(t) = current.state.apply(Actor::Visitor, Event::QuickExit) {
        tx.save_state(current.id, current.state, t.next, now)
            .await?;
        // Left while waiting: the chat ends here, unread and unqualified.
        record_if_closed(
            tx,
            current.id,
            current.state,
            t.next,
            &ClosingFacts::default(),
        )
        .await?;
    }
    Ok(Some(tx.reload(current.id).await?))
}

/// Adds a staff-only note (see [`crate::Store::add_note`]), without committing. `None` when the
/// conversation does not exist or the rule refuses.
pub async fn add_note<S: Steps>(
    tx: &mut S,
    id: ConversationId,
    kind: NoteKind,
    author: Option<UserId>,
    seal: &(dyn Fn(u64) -> Vec<u8> + Send + Sync),
    now: OffsetDateTime,
    audit: Option<&NewAudit>,
) -> Result<Option<StoredNote>, S::Error> {
    let Some(current) = tx.lock_conversation(id).await? else {
        return Ok(None);
    };
    // Checked under the conversation's lock: a chat that changed hands a moment ago cannot
    // get a note from its previous owner, and two notes get two numbers.
    let open_owner = match current.state {
        ConversationState::Active { officer } | ConversationState::VisitorLeft { officer } => {
            Some(officer)
        }
        _ => None,
    };
    let allowed = match kind {
        NoteKind::Note | NoteKind::Handover => open_owner.is_some() && open_owner == author,
        NoteKind::Whisper => open_owner.is_some(),
    };
    if !allowed {
        return Ok(None);
    }
    let seq = tx.next_note_seq(id).await?;
    let mut note = StoredNote {
        seq,
        kind,
        author,
        author_name: None,
        sealed_body: seal(seq),
        at: now,
    };
    tx.insert_note(id, &note).await?;
    if let Some(author) = author {
        note.author_name = tx.display_name(author).await?;
    }
    if let Some(audit) = audit {
        tx.insert_audit(audit).await?;
    }
    Ok(Some(note))
}

/// Writes the statistics row of a chat this transaction has just closed, from its row as
/// saved (so its closing time is there).
async fn record_if_closed<S: Steps>(
    tx: &mut S,
    id: ConversationId,
    before: ConversationState,
    after: ConversationState,
    closing: &ClosingFacts,
) -> Result<(), S::Error> {
    let (ConversationState::Closed { outcome, .. }, false) =
        (after, matches!(before, ConversationState::Closed { .. }))
    else {
        return Ok(());
    };
    let saved = tx.reload(id).await?;
    let row = crate::statistics::record_of(&saved, Ending::Closed(outcome), closing);
    let link = closing
        .link
        .as_ref()
        .filter(|_| outcome == Outcome::ReportForwarded)
        .map(|l| (id, l));
    tx.insert_statistics(&row, link).await
}

/// Whether `officer` may take one more chat (capacity only: transfers and take-overs).
async fn room<S: Steps>(
    tx: &mut S,
    officer: UserId,
) -> Result<Result<(), TransitionError>, S::Error> {
    Ok(match tx.lock_officer(officer).await? {
        None => Err(TransitionError::NotAllowed),
        Some((user, open)) => ecoute_domain::may_take_another(open, user.capacity),
    })
}
