//! Shifts (docs/SHIFTS.md): ending one — each chat handed to the queue, a colleague or the
//! supervisors, then off duty — starting one again, the presence spans written as presence
//! changes, and the board's view of who is on duty and of the day's presence.

use super::*;
use crate::routing::Router;
use ecoute_domain::{
    DayStretch, HandoverError, HandoverTo, Presence, StateName, check_handover, stretches_of_day,
};
use ecoute_store::StaffLoad;
use ecoute_store::shifts::SPAN_LAPSES_AFTER;

/// How long presence spans are kept: the board shows today, supervisors look back over the
/// last weeks (a month of rotas), and a record of who worked when is personal data kept no
/// longer than that purpose needs.
pub const SPANS_KEPT_DAYS: i64 = 35;

/// One chat's destination at the end of a shift, with its note.
#[derive(Debug, Clone)]
pub struct ShiftHandover {
    /// The chat.
    pub conversation: ConversationId,
    /// Where it goes.
    pub to: HandoverTo,
    /// What the next person must know: required for a colleague, optional otherwise.
    pub note: Option<MessageBody>,
}

/// Why one chat could not be handed.
#[derive(Debug)]
pub enum HandoverRefused {
    /// The rules of the end of a shift refuse this destination.
    Rule(HandoverError),
    /// A colleague needs a note.
    NoteRequired,
    /// Refused further down (the colleague's capacity, their absence, the database).
    Api(ApiError),
}

impl HandoverRefused {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rule(e) => e.code(),
            Self::NoteRequired => "handover_note_required",
            Self::Api(e) => e.code(),
        }
    }

    /// A sentence for the log or a client without translations.
    pub fn message(&self) -> String {
        match self {
            Self::Rule(e) => e.to_string(),
            Self::NoteRequired => "write what the colleague must know".into(),
            Self::Api(e) => e.to_string(),
        }
    }
}

impl From<ApiError> for HandoverRefused {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

/// What the end of a shift did.
#[derive(Debug)]
pub struct ShiftEnd {
    /// Each chat asked about, in order, handed or refused.
    pub results: Vec<(ConversationId, Result<(), HandoverRefused>)>,
    /// The chats still the officer's to hand (a refusal, or a chat that came meanwhile).
    pub remaining: Vec<Conversation>,
    /// Whether the shift is over: every chat handed, the officer off duty.
    pub ended: bool,
}

/// What the end-of-shift dialog needs.
pub struct ShiftView {
    /// The chats the officer holds.
    pub chats: Vec<Conversation>,
    /// Colleagues who answer chats, with their presence and whether a chat may go to them now.
    pub colleagues: Vec<(StaffLoad, Presence, bool)>,
}

/// Someone on duty now.
pub struct OnDuty {
    /// The staff member.
    pub user: ecoute_store::User,
    /// As the router sees them.
    pub presence: Presence,
    /// Since when, as the spans say (`None` before the first span is written).
    pub since: Option<OffsetDateTime>,
    /// Chats they hold.
    pub open: u32,
}

/// A chat whose visitor left and whose officer is off duty: a supervisor wraps it up.
pub struct ToWrapUp {
    /// The chat.
    pub conversation: Conversation,
    /// Its officer's name.
    pub officer: String,
}

/// The board's shift section: who is on duty now and the day's presence.
pub struct DutyBoard {
    /// Midnight in Paris, the start of the timeline.
    pub day_start: OffsetDateTime,
    /// How long the day lasts (23 or 25 hours on the days the clocks change).
    pub day_len: time::Duration,
    /// Now.
    pub now: OffsetDateTime,
    /// On duty now, by name.
    pub on_duty: Vec<OnDuty>,
    /// Per staff member with any presence today, by name: their stretches.
    pub timeline: Vec<(ecoute_store::User, Vec<DayStretch>)>,
    /// Chats waiting for a supervisor to close them.
    pub wrap_up: Vec<ToWrapUp>,
}

impl ChatService {
    /// The chats an officer holds and the colleagues they may hand them to.
    pub async fn shift_view(&self, router: &Router, officer: &User) -> Result<ShiftView, ApiError> {
        let chats = self.store.open_chats_of(officer.id).await?;
        let colleagues = self
            .store
            .staff_loads()
            .await?
            .into_iter()
            .filter(|l| l.user.id != officer.id && answers(l.user.role))
            .map(|l| {
                let presence = router.presence(l.user.id);
                let may = router.on_duty(l.user.id)
                    && ecoute_domain::may_take_another(l.open, l.user.capacity).is_ok();
                (l, presence, may)
            })
            .collect();
        Ok(ShiftView { chats, colleagues })
    }

    /// Ends `officer`'s shift: hands each chat as asked, then, if none is left with them, takes
    /// them off duty (no more offers, no chat handed to them) and audits `shift_ended`. A chat
    /// whose handover is refused stays with them, and so does their presence (paused meanwhile,
    /// so that no new chat is offered while they hand the others).
    pub async fn end_shift(
        &self,
        router: &Router,
        officer: &User,
        handovers: Vec<ShiftHandover>,
    ) -> Result<ShiftEnd, ApiError> {
        if router.presence(officer.id) == Presence::Available {
            router.choose(officer.id, Presence::Paused);
            self.presence_chosen(officer.id, Presence::Paused);
        }
        let mut results = Vec::with_capacity(handovers.len());
        let mut wrapped = Vec::new();
        for h in &handovers {
            let result = self.hand_at_end_of_shift(router, officer, h).await;
            if result.is_ok() && h.to == HandoverTo::WrapUp {
                wrapped.push(h.conversation);
            }
            results.push((h.conversation, result));
        }
        let remaining: Vec<Conversation> = self
            .store
            .open_chats_of(officer.id)
            .await?
            .into_iter()
            .filter(|c| !(c.state.name() == StateName::VisitorLeft && wrapped.contains(&c.id)))
            .collect();
        let ended = remaining.is_empty();
        if ended {
            let handed = results.iter().filter(|(_, r)| r.is_ok()).count();
            let audit =
                NewAudit::by(officer, "shift_ended", now()).detail(format!("{handed} handed"));
            self.store.append_audit(audit).await?;
            router.choose(officer.id, Presence::Offline);
            self.presence_chosen(officer.id, Presence::Offline);
        }
        Ok(ShiftEnd {
            results,
            remaining,
            ended,
        })
    }

    async fn hand_at_end_of_shift(
        &self,
        router: &Router,
        officer: &User,
        h: &ShiftHandover,
    ) -> Result<(), HandoverRefused> {
        let current = self
            .store
            .conversation(h.conversation)
            .await
            .map_err(ApiError::from)?
            .filter(|c| c.state.officer() == Some(officer.id))
            .ok_or(HandoverRefused::Rule(HandoverError::NotHeld))?;
        check_handover(current.state.name(), h.to).map_err(HandoverRefused::Rule)?;
        match h.to {
            HandoverTo::Colleague(to) => {
                let note = h.note.as_ref().ok_or(HandoverRefused::NoteRequired)?;
                if to == officer.id || !self.answers_chats(to).await? || !router.on_duty(to) {
                    return Err(ApiError::ColleagueUnavailable.into());
                }
                // Writes the note first and audits `transfer`.
                self.transfer(officer, h.conversation, Some(to), None, note)
                    .await?;
            }
            HandoverTo::Queue => {
                if let Some(note) = &h.note {
                    self.add_note(officer, &current, NoteKind::Handover, note)
                        .await?;
                }
                let at = now();
                let audit = NewAudit::by(officer, "handed_back", at)
                    .on(h.conversation)
                    .detail("end of shift");
                let after = self
                    .store
                    .transition(
                        h.conversation,
                        Actor::Officer(officer.id),
                        Event::Release { to_force: None },
                        at,
                        Some(audit),
                    )
                    .await
                    .map_err(ApiError::from)?
                    .or_not_found(ApiError::NotFound)?;
                self.handed_over(officer.id, &after, HandoverReason::Requeued);
            }
            HandoverTo::WrapUp => {
                if let Some(note) = &h.note {
                    self.add_note(officer, &current, NoteKind::Handover, note)
                        .await?;
                }
                let audit = NewAudit::by(officer, "left_to_wrap_up", now())
                    .on(h.conversation)
                    .detail("end of shift");
                self.store
                    .append_audit(audit)
                    .await
                    .map_err(ApiError::from)?;
            }
        }
        Ok(())
    }

    /// Starts a shift again after one ended: the presence a console starts with for this
    /// role (officers available, supervisors and administrators paused).
    pub async fn start_shift(&self, router: &Router, officer: &User) -> Result<Presence, ApiError> {
        let presence = ecoute_domain::starting_presence(officer.role);
        let audit = NewAudit::by(officer, "shift_started", now());
        self.store.append_audit(audit).await?;
        router.choose(officer.id, presence);
        self.presence_chosen(officer.id, presence);
        Ok(presence)
    }

    /// Writes that `user`'s effective presence is now `presence` (offline closes their span).
    pub async fn record_presence_span(
        &self,
        user: UserId,
        presence: Presence,
    ) -> Result<(), ApiError> {
        let state = (presence != Presence::Offline).then(|| presence.as_str());
        self.store
            .record_presence_span(user, state, now())
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "cannot write a presence span; trying again");
                ApiError::from(e)
            })
    }

    /// Confirms the open spans of those whose console this node holds, and closes the spans no
    /// node has confirmed for [`SPAN_LAPSES_AFTER`] (their node died, or restarted).
    pub async fn confirm_presence_spans(&self, users: &[UserId]) -> Result<(), ApiError> {
        let at = now();
        self.store.confirm_presence_spans(users, at).await?;
        let closed = self
            .store
            .close_lapsed_presence_spans(at - SPAN_LAPSES_AFTER)
            .await?;
        if closed > 0 {
            tracing::info!(
                spans = closed,
                "presence spans closed: no node confirms them"
            );
        }
        Ok(())
    }

    /// Who is on duty now, the day's presence (Paris time), and the chats to wrap up.
    pub async fn duty_board(&self, router: &Router) -> Result<DutyBoard, ApiError> {
        let at = now();
        let day_start = supervision::paris_midnight(at);
        let day_len =
            supervision::paris_midnight(day_start + time::Duration::hours(30)) - day_start;
        let loads = self.store.staff_loads().await?;
        let spans = self.store.presence_spans(day_start, at).await?;
        let on_duty = loads
            .iter()
            .filter(|l| answers(l.user.role) && router.on_duty(l.user.id))
            .map(|l| OnDuty {
                user: l.user.clone(),
                presence: router.presence(l.user.id),
                since: spans
                    .iter()
                    .filter(|s| s.user == l.user.id && s.ended_at.is_none())
                    .map(|s| s.started_at)
                    .next(),
                open: l.open,
            })
            .collect();
        let timeline = loads
            .iter()
            .filter_map(|l| {
                let own: Vec<_> = spans
                    .iter()
                    .filter(|s| s.user == l.user.id)
                    .map(|s| (s.state.clone(), s.started_at, s.ended_at))
                    .collect();
                let stretches = stretches_of_day(&own, day_start, day_len, at);
                (!stretches.is_empty()).then(|| (l.user.clone(), stretches))
            })
            .collect();
        let names: std::collections::HashMap<UserId, String> = loads
            .iter()
            .map(|l| (l.user.id, l.user.display_name.clone()))
            .collect();
        let wrap_up = self
            .store
            .live_conversations()
            .await?
            .into_iter()
            .filter_map(|c| {
                let officer = c.state.officer()?;
                ecoute_domain::awaits_wrap_up(c.state.name(), router.on_duty(officer)).then(|| {
                    ToWrapUp {
                        officer: names.get(&officer).cloned().unwrap_or_default(),
                        conversation: c,
                    }
                })
            })
            .collect();
        Ok(DutyBoard {
            day_start,
            day_len,
            now: at,
            on_duty,
            timeline,
            wrap_up,
        })
    }
}

/// Whether a role answers chats (and so has shifts).
fn answers(role: Role) -> bool {
    matches!(role, Role::Officer | Role::Supervisor | Role::Admin)
}
