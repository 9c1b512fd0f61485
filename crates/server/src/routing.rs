//! Presence and offers: who is at their console, and which chat is offered to whom.
//!
//! Presence is held in memory by the node the consoles are connected to, and each node tells
//! the others what it holds on the bus ([`BusEvent::Desk`], every [`DESK_EVERY`] and on
//! change): an officer whose console is open on any live node is present everywhere, so no
//! node gives their chats back to the queue or refuses a transfer to them. A node silent for
//! [`DESK_STALE`] (it died) no longer counts; its officers reconnect elsewhere. An officer is
//! available or paused as they choose while a console is open; when the last one closes, they
//! stay as they were for `pause_after_secs` (a reload, a network blip), are then paused, and
//! after `requeue_after_secs` their active chats go back to the queue with their history and
//! they count as offline. The dispatcher task runs the domain's offer plan
//! ([`ecoute_domain::Offers`]) every second and whenever the queue or a presence changes.

use crate::config::{RoutingConfig, RoutingMode};
use crate::queue::{DESK_EVERY, DESK_STALE, QueueSnapshot, VisitorsHere};
use crate::service::ChatService;
use ecoute_bus::{BusEvent, DeskReport, DeskSeat, Topic};
use ecoute_domain::{
    ConversationId, OfferAction, Offers, OfficerLoad, Presence, Role, StateName, UserId,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// One officer's place at the desk.
#[derive(Debug, Clone)]
struct Seat {
    /// What they chose (available or paused).
    chosen: Presence,
    /// Consoles open now.
    sockets: u32,
    /// When the last console closed.
    gone_since: Option<Instant>,
    /// Paused by the server, not by them: undone when a console comes back.
    auto_paused: bool,
    /// Their chats were given back to the queue during this absence.
    requeued: bool,
    /// A console of theirs opened on this node during this process: this node writes their
    /// presence spans (docs/SHIFTS.md).
    seen_here: bool,
    /// When their chats were last swept while they were off duty: a chat that comes back to
    /// them (a visitor returning to a chat they left) is given back to the queue again.
    swept_at: Option<Instant>,
}

/// How often the chats of someone off duty are looked at again.
const RESWEEP: Duration = Duration::from_secs(15);
/// How often this node confirms the presence spans it writes, and closes those nobody
/// confirms any more (`ecoute_store::shifts::SPAN_LAPSES_AFTER`).
const SPANS_CONFIRMED_EVERY: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Desk {
    seats: HashMap<UserId, Seat>,
    offers: Offers,
    /// What the other nodes said they hold, and when they last said it.
    elsewhere: HashMap<uuid::Uuid, (Instant, Vec<DeskSeat>)>,
    /// What this node last told the others, and when.
    told: Option<(Instant, Told)>,
    /// The presence last written to the spans for each person whose console was here.
    written: HashMap<UserId, Presence>,
    /// When the spans were last confirmed.
    spans_confirmed: Option<Instant>,
}

/// What a desk report says: officers at a console, waiting visitors with the page open.
type Told = (Vec<DeskSeat>, Vec<ConversationId>);

/// Presence and offers, shared by every socket of this node.
#[derive(Clone)]
pub struct Router {
    config: RoutingConfig,
    /// This process, among the nodes sharing the database.
    node: uuid::Uuid,
    desk: Arc<Mutex<Desk>>,
    wake: Arc<Notify>,
    /// Every staff member who answers chats, with their load and whether they are at a console
    /// and available on any node: what the waiting room's estimate is made from.
    staff: Arc<watch::Sender<StaffView>>,
    /// Officers' exposure, for rule 5 of the routing rules (docs/WELLBEING.md).
    exposures: crate::wellbeing::Exposures,
}

/// The staff as the wait estimate sees them: available only with a console open and
/// "available" chosen, on this node or another; paused or offline otherwise.
pub type StaffView = Arc<Vec<OfficerLoad>>;

impl Router {
    /// An empty desk for this node.
    pub fn new(config: RoutingConfig, node: uuid::Uuid) -> Self {
        Self {
            config,
            node,
            desk: Arc::new(Mutex::new(Desk::default())),
            wake: Arc::new(Notify::new()),
            staff: Arc::new(watch::Sender::new(Arc::new(Vec::new()))),
            exposures: crate::wellbeing::Exposures::new(
                crate::config::WellbeingConfig::default().rule(),
            ),
        }
    }

    /// The same desk, judging exposure by `rule` (`[wellbeing]`).
    pub fn with_exposure_rule(mut self, rule: ecoute_domain::ExposureRule) -> Self {
        self.exposures = crate::wellbeing::Exposures::new(rule);
        self
    }

    /// Officers' exposure as this node last measured it.
    pub fn exposures(&self) -> &crate::wellbeing::Exposures {
        &self.exposures
    }

    /// The staff view, kept current by the dispatcher (every second and on every change).
    pub fn staff(&self) -> watch::Receiver<StaffView> {
        self.staff.subscribe()
    }

    /// Publishes the staff view when it changed.
    fn publish_staff(&self, loads: &[(ecoute_store::StaffLoad, Presence)]) {
        let mut view: Vec<OfficerLoad> = loads
            .iter()
            .map(|(l, presence)| OfficerLoad {
                id: l.user.id,
                skills: l.user.skills.clone(),
                capacity: l.user.capacity,
                open: l.open,
                presence: if self.has_console(l.user.id) {
                    *presence
                } else {
                    Presence::Offline
                },
                last_assigned: None,
                over_exposure: false,
            })
            .collect();
        view.sort_by_key(|o| o.id);
        self.staff.send_if_modified(|current| {
            let changed = **current != view;
            if changed {
                *current = Arc::new(view);
            }
            changed
        });
    }

    /// The consoles open on other live nodes for this officer, and the best presence they
    /// chose there.
    fn elsewhere(desk: &Desk, officer: UserId) -> Option<Presence> {
        desk.elsewhere
            .values()
            .filter(|(at, _)| at.elapsed() < DESK_STALE)
            .flat_map(|(_, seats)| seats.iter())
            .filter(|s| s.officer == officer && s.consoles > 0)
            .map(|s| s.presence)
            .max_by_key(|p| match p {
                Presence::Available => 3,
                Presence::Paused => 2,
                Presence::Break => 1,
                Presence::Offline => 0,
            })
    }

    /// What this node holds now: officers with a console open here.
    fn report(&self, desk: &Desk) -> Vec<DeskSeat> {
        let mut seats: Vec<DeskSeat> = desk
            .seats
            .iter()
            .filter(|(_, s)| s.sockets > 0)
            .map(|(id, s)| DeskSeat {
                officer: *id,
                presence: s.chosen,
                consoles: s.sockets,
            })
            .collect();
        seats.sort_by_key(|s| s.officer.0);
        seats
    }

    /// Tells the other nodes what this one holds, when it changed or every [`DESK_EVERY`]:
    /// its officers at a console, and which waiting visitors have their page open here.
    fn tell_others(&self, chat: &ChatService, visitors: Vec<ConversationId>) {
        let report = {
            let mut desk = self.desk.lock().expect("desk lock");
            let now = (self.report(&desk), visitors);
            let due = match &desk.told {
                Some((at, told)) => *told != now || at.elapsed() >= DESK_EVERY,
                None => true,
            };
            if !due {
                return;
            }
            desk.told = Some((Instant::now(), now.clone()));
            now
        };
        chat.bus().publish(
            Topic::Desk,
            BusEvent::Desk(DeskReport {
                node: self.node,
                seats: report.0,
                visitors: report.1,
            }),
        );
    }

    /// Another node said what it holds.
    fn heard(&self, report: &DeskReport, visitors: &VisitorsHere) {
        if report.node == self.node {
            return;
        }
        visitors.heard(report.node, &report.visitors);
        let mut desk = self.desk.lock().expect("desk lock");
        let changed = desk
            .elsewhere
            .get(&report.node)
            .is_none_or(|(_, seats)| *seats != report.seats);
        desk.elsewhere
            .insert(report.node, (Instant::now(), report.seats.clone()));
        desk.elsewhere
            .retain(|_, (at, _)| at.elapsed() < DESK_STALE * 4);
        drop(desk);
        if changed {
            self.wake.notify_one();
        }
    }

    /// Offer or pull.
    pub fn mode(&self) -> RoutingMode {
        self.config.mode
    }

    fn pause_after(&self) -> Duration {
        Duration::from_secs(self.config.pause_after_secs.into())
    }

    fn requeue_after(&self) -> Duration {
        Duration::from_secs(self.config.requeue_after_secs.into())
    }

    /// A console opened. Returns the officer's presence: as they left it (a pause they chose
    /// stays, and so does a shift they ended, as long as this process runs), except that a
    /// pause the server decided is undone. Someone this process has not seen yet starts as
    /// their role says ([`ecoute_domain::starting_presence`]: officers available, supervisors
    /// and administrators paused until they choose).
    pub fn connected(&self, officer: UserId, role: Role) -> Presence {
        let mut desk = self.desk.lock().expect("desk lock");
        let start = ecoute_domain::starting_presence(role);
        let seat = desk.seats.entry(officer).or_insert(Seat {
            chosen: start,
            sockets: 0,
            gone_since: None,
            auto_paused: false,
            requeued: false,
            seen_here: true,
            swept_at: None,
        });
        seat.sockets += 1;
        seat.gone_since = None;
        seat.requeued = false;
        if seat.auto_paused {
            seat.auto_paused = false;
            // Paused by the server while available here; adopted after a restart, as new.
            seat.chosen = if seat.seen_here {
                Presence::Available
            } else {
                start
            };
        }
        seat.seen_here = true;
        let chosen = seat.chosen;
        drop(desk);
        self.wake.notify_one();
        chosen
    }

    /// A console closed.
    pub fn disconnected(&self, officer: UserId) {
        let mut desk = self.desk.lock().expect("desk lock");
        if let Some(seat) = desk.seats.get_mut(&officer) {
            seat.sockets = seat.sockets.saturating_sub(1);
            if seat.sockets == 0 {
                seat.gone_since = Some(Instant::now());
            }
        }
        drop(desk);
        self.wake.notify_one();
    }

    /// The officer chose to be available or paused.
    pub fn choose(&self, officer: UserId, presence: Presence) {
        let mut desk = self.desk.lock().expect("desk lock");
        if let Some(seat) = desk.seats.get_mut(&officer) {
            seat.chosen = presence;
            seat.auto_paused = false;
        }
        drop(desk);
        self.wake.notify_one();
    }

    /// Whether the staff member is on duty now: a console open here or on another node, and
    /// their shift not ended there (a chat handed to them would be answered).
    pub fn on_duty(&self, officer: UserId) -> bool {
        let desk = self.desk.lock().expect("desk lock");
        let here = desk
            .seats
            .get(&officer)
            .filter(|s| s.sockets > 0)
            .map(|s| s.chosen);
        here.into_iter()
            .chain(Self::elsewhere(&desk, officer))
            .any(|p| p != Presence::Offline)
    }

    /// Whether the officer has a console open now, on this node or another.
    pub fn has_console(&self, officer: UserId) -> bool {
        let desk = self.desk.lock().expect("desk lock");
        desk.seats.get(&officer).is_some_and(|s| s.sockets > 0)
            || Self::elsewhere(&desk, officer).is_some()
    }

    /// Where an officer stands now: as chosen at a console open here, else at one open on
    /// another node, else as this node last saw them (the grace period after they left).
    pub fn presence(&self, officer: UserId) -> Presence {
        let desk = self.desk.lock().expect("desk lock");
        match desk.seats.get(&officer) {
            Some(seat) if seat.sockets > 0 => seat.chosen,
            seat => Self::elsewhere(&desk, officer)
                .or_else(|| seat.map(|s| self.effective(s)))
                .unwrap_or(Presence::Offline),
        }
    }

    /// Presence for offers: an officer without an open console gets none, even during the grace
    /// period that keeps them "available" on the board (an offer would only wait for nobody).
    fn presence_for_offers(&self, officer: UserId) -> Presence {
        let desk = self.desk.lock().expect("desk lock");
        match desk.seats.get(&officer) {
            Some(seat) if seat.sockets > 0 => seat.chosen,
            Some(_) => Presence::Paused,
            None => Presence::Offline,
        }
    }

    fn effective(&self, seat: &Seat) -> Presence {
        match seat.gone_since {
            None => seat.chosen,
            Some(since) if since.elapsed() >= self.requeue_after() => Presence::Offline,
            Some(since) if since.elapsed() >= self.pause_after() => Presence::Paused,
            Some(_) => seat.chosen,
        }
    }

    /// The officer declines an offer; it moves on at once.
    pub fn decline(&self, officer: UserId, conversation: ecoute_domain::ConversationId) -> bool {
        let declined = self
            .desk
            .lock()
            .expect("desk lock")
            .offers
            .decline(conversation, officer);
        if declined {
            self.wake.notify_one();
        }
        declined
    }

    /// The offer pending for an officer, to show again after a reload.
    pub fn pending_offer(
        &self,
        officer: UserId,
    ) -> Option<(ecoute_domain::ConversationId, OffsetDateTime)> {
        let desk = self.desk.lock().expect("desk lock");
        desk.offers
            .all_pending()
            .find(|(_, p)| p.officer == officer)
            .map(|(c, p)| (c, p.expires_at))
    }

    /// Officers whose absence has lasted past the requeue delay and whose chats have not
    /// been given back yet; marks them as done.
    ///
    /// An officer at a console on another node is not absent: their absence here starts
    /// again from now, so that it is counted in full from the moment that node goes silent.
    /// While this node cannot hear the others (`deaf`: its NATS connection is down), nobody
    /// without a console here can be known to be absent, and the same holds for everyone.
    ///
    /// Those off duty who still hold chats (`holding`) are looked at again every [`RESWEEP`]:
    /// an officer whose shift ended, and an absent one to whom a chat came back.
    fn due_for_requeue(&self, deaf: bool, holding: &[UserId]) -> Vec<UserId> {
        let mut desk = self.desk.lock().expect("desk lock");
        let limit = self.requeue_after();
        let present_elsewhere: Vec<UserId> = desk
            .seats
            .keys()
            .filter(|id| deaf || Self::elsewhere(&desk, **id).is_some())
            .copied()
            .collect();
        let now = Instant::now();
        for (id, seat) in desk.seats.iter_mut() {
            if seat.sockets == 0 && present_elsewhere.contains(id) {
                seat.gone_since = Some(now);
                seat.requeued = false;
            }
        }
        let on_duty_elsewhere: Vec<UserId> = desk
            .seats
            .keys()
            .filter(|id| {
                deaf || Self::elsewhere(&desk, **id).is_some_and(|p| p != Presence::Offline)
            })
            .copied()
            .collect();
        desk.seats
            .iter_mut()
            .filter(|(id, s)| {
                let swept_long_ago =
                    holding.contains(id) && s.swept_at.is_none_or(|at| at.elapsed() >= RESWEEP);
                let gone = s.sockets == 0
                    && s.gone_since.is_some_and(|g| g.elapsed() >= limit)
                    && !present_elsewhere.contains(id);
                // At a console but their shift ended: nothing new may stay with them either.
                let shift_over = s.sockets > 0
                    && s.chosen == Presence::Offline
                    && !on_duty_elsewhere.contains(id);
                (gone && (!s.requeued || swept_long_ago)) || (shift_over && swept_long_ago)
            })
            .map(|(id, s)| {
                s.requeued = true;
                s.swept_at = Some(Instant::now());
                *id
            })
            .collect()
    }

    /// Marks as paused those whose grace period is over (so that coming back undoes it).
    /// Returns whether anything changed.
    fn pause_the_absent(&self) -> bool {
        let mut desk = self.desk.lock().expect("desk lock");
        let limit = self.pause_after();
        let mut changed = false;
        for seat in desk.seats.values_mut() {
            if seat.chosen == Presence::Available
                && seat.gone_since.is_some_and(|g| g.elapsed() >= limit)
            {
                seat.chosen = Presence::Paused;
                seat.auto_paused = true;
                changed = true;
            }
        }
        changed
    }

    /// Runs the dispatcher until `stopping` turns true.
    pub fn spawn(
        &self,
        chat: ChatService,
        mut queue: watch::Receiver<QueueSnapshot>,
        visitors: Arc<VisitorsHere>,
        mut stopping: watch::Receiver<bool>,
    ) {
        let router = self.clone();
        // The desk is told from a task of its own that never waits for the database, so that a
        // slow database cannot make this node look dead to the others.
        {
            let router = self.clone();
            let chat = chat.clone();
            let queue = queue.clone();
            let visitors = visitors.clone();
            let mut stopping = stopping.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_millis(500));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = tick.tick() => {}
                        _ = stopping.wait_for(|s| *s) => return,
                    }
                    let waiting_here = visitors.here_among(queue.borrow().iter().map(|c| c.id));
                    router.tell_others(&chat, waiting_here);
                }
            });
        }
        let mut desks = chat.bus().subscribe(Topic::Desk);
        let listener = self.clone();
        let heard_visitors = visitors.clone();
        let mut stop_listening = stopping.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    event = desks.recv() => match event {
                        Ok(event) => if let BusEvent::Desk(report) = &*event {
                            listener.heard(report, &heard_visitors);
                        },
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    },
                    _ = stop_listening.wait_for(|s| *s) => return,
                }
            }
        });
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = router.wake.notified() => {}
                    changed = queue.changed() => if changed.is_err() { return },
                    _ = stopping.wait_for(|s| *s) => return,
                }
                let Some(loads) = router.loads(&chat).await else {
                    continue;
                };
                router.adopt_absent(&loads);
                router.publish_staff(&loads);
                if router.pause_the_absent() {
                    chat.bus()
                        .publish(Topic::Supervision, BusEvent::StaffChanged);
                }
                router.write_spans(&chat).await;
                let deaf = chat.bus().bridge_status().is_some_and(|s| !s.connected);
                let holding: Vec<UserId> = loads
                    .iter()
                    .filter(|(l, _)| l.open > 0)
                    .map(|(l, _)| l.user.id)
                    .collect();
                for officer in router.due_for_requeue(deaf, &holding) {
                    router.requeue_chats_of(&chat, officer).await;
                }
                if router.mode() == RoutingMode::Offer {
                    let snapshot = queue.borrow().clone();
                    router.plan(&chat, &snapshot, loads);
                }
            }
        });
    }

    /// Officers holding open chats whom this process has never seen (it restarted, or a chat
    /// was transferred to someone who never connected) count as gone since now: their chats go
    /// back to the queue after the same delay as anyone else's.
    fn adopt_absent(&self, loads: &[(ecoute_store::StaffLoad, Presence)]) {
        let mut desk = self.desk.lock().expect("desk lock");
        for (load, _) in loads.iter().filter(|(l, _)| l.open > 0) {
            // At a console on another node: theirs to watch, not ours.
            if !desk.seats.contains_key(&load.user.id)
                && Self::elsewhere(&desk, load.user.id).is_some()
            {
                continue;
            }
            desk.seats.entry(load.user.id).or_insert(Seat {
                chosen: Presence::Paused,
                sockets: 0,
                gone_since: Some(Instant::now()),
                auto_paused: true,
                requeued: false,
                seen_here: false,
                swept_at: None,
            });
        }
    }

    /// Whether the officer is still off duty: no console came back, here or elsewhere, or
    /// the consoles open are those of a shift that ended.
    fn still_away(&self, officer: UserId) -> bool {
        let known = self
            .desk
            .lock()
            .expect("desk lock")
            .seats
            .contains_key(&officer);
        known && !self.on_duty(officer)
    }

    fn retry_requeue(&self, officer: UserId) {
        if let Some(seat) = self.desk.lock().expect("desk lock").seats.get_mut(&officer) {
            seat.requeued = false;
        }
    }

    async fn requeue_chats_of(&self, chat: &ChatService, officer: UserId) {
        let open = match chat.store().open_chats_of(officer).await {
            Ok(open) => open,
            Err(e) => {
                tracing::warn!(error = %e, "cannot list the chats of an absent officer");
                self.retry_requeue(officer);
                return;
            }
        };
        // A chat the visitor left stays with its officer: nobody in the queue could answer it,
        // and the board shows it to the supervisors among the chats to wrap up
        // (`ecoute_domain::awaits_wrap_up`, docs/SHIFTS.md).
        let left = open
            .iter()
            .filter(|c| c.state.name() == StateName::VisitorLeft)
            .count();
        if left > 0 {
            tracing::info!(
                chats = left,
                "chats the visitor left wait for a supervisor: their officer is off duty"
            );
        }
        for c in open.iter().filter(|c| c.state.name() == StateName::Active) {
            // Checked before each chat: an officer who came back keeps the rest.
            if !self.still_away(officer) {
                break;
            }
            match chat.requeue(officer, c.id).await {
                Ok(()) => {
                    tracing::info!(conversation = %c.id, "chat given back to the queue: its officer is away")
                }
                // Closed or handed over meanwhile: nothing left to give back.
                Err(crate::error::ApiError::Transition(_) | crate::error::ApiError::NotFound) => {}
                Err(e) => {
                    tracing::warn!(conversation = %c.id, error = ?e, "cannot give a chat back to the queue; trying again");
                    self.retry_requeue(officer);
                }
            }
        }
        chat.bus()
            .publish(Topic::Supervision, BusEvent::StaffChanged);
    }

    /// Writes the presence spans of those whose console was here when their presence changed,
    /// confirms the open ones every [`SPANS_CONFIRMED_EVERY`], and closes those no node
    /// confirms any more (docs/SHIFTS.md). A write that fails is tried again next second.
    async fn write_spans(&self, chat: &ChatService) {
        let (changes, confirm) = {
            let desk = self.desk.lock().expect("desk lock");
            let here: Vec<UserId> = desk
                .seats
                .iter()
                .filter(|(_, s)| s.seen_here)
                .map(|(id, _)| *id)
                .collect();
            drop(desk);
            let now: Vec<(UserId, Presence)> =
                here.iter().map(|id| (*id, self.presence(*id))).collect();
            let desk = self.desk.lock().expect("desk lock");
            let changes: Vec<(UserId, Presence)> = now
                .iter()
                .filter(|(id, p)| {
                    desk.written
                        .get(id)
                        .map_or(*p != Presence::Offline, |w| w != p)
                })
                .copied()
                .collect();
            let confirm = desk
                .spans_confirmed
                .is_none_or(|at| at.elapsed() >= SPANS_CONFIRMED_EVERY)
                .then(|| {
                    now.iter()
                        .filter(|(_, p)| *p != Presence::Offline)
                        .map(|(id, _)| *id)
                        .collect::<Vec<_>>()
                });
            (changes, confirm)
        };
        for (user, presence) in changes {
            if chat.record_presence_span(user, presence).await.is_ok() {
                self.desk
                    .lock()
                    .expect("desk lock")
                    .written
                    .insert(user, presence);
            }
        }
        if let Some(users) = confirm
            && chat.confirm_presence_spans(&users).await.is_ok()
        {
            self.desk.lock().expect("desk lock").spans_confirmed = Some(Instant::now());
        }
    }

    /// Every staff member who answers chats, with their load and presence.
    pub async fn loads(
        &self,
        chat: &ChatService,
    ) -> Option<Vec<(ecoute_store::StaffLoad, Presence)>> {
        match chat.store().staff_loads().await {
            Ok(loads) => Some(
                loads
                    .into_iter()
                    .map(|l| {
                        let p = self.presence(l.user.id);
                        (l, p)
                    })
                    .collect(),
            ),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read officers' loads");
                None
            }
        }
    }

    /// The staff as the routing rules see them: everyone who answers chats, with their load,
    /// their presence for offers (supervisors and administrators available only once they
    /// chose it themselves: they start paused), and whether they are over exposure.
    fn officer_loads(&self, loads: Vec<(ecoute_store::StaffLoad, Presence)>) -> Vec<OfficerLoad> {
        loads
            .into_iter()
            .filter(|(l, _)| matches!(l.user.role, Role::Officer | Role::Supervisor | Role::Admin))
            .map(|(l, _)| OfficerLoad {
                id: l.user.id,
                capacity: l.user.capacity,
                presence: self.presence_for_offers(l.user.id),
                skills: l.user.skills,
                open: l.open,
                last_assigned: l.last_assigned,
                over_exposure: self.exposures.over(l.user.id),
            })
            .collect()
    }

    /// Pull mode, rule 5 of the routing rules (docs/WELLBEING.md): for an officer over
    /// exposure who asks for the next chat, the one the domain's [`ecoute_domain::next_for`]
    /// gives them, passing over a heavy chat that a colleague under the threshold could take
    /// now. `None` when the officer is not over exposure, or the loads cannot be read: the
    /// store's own "take next" serves them, as it serves everyone (a chat is never refused to
    /// someone who asks because a figure could not be read). `Some(None)`: nothing fits now.
    pub async fn pull_choice(
        &self,
        chat: &ChatService,
        officer: UserId,
    ) -> Option<Option<ConversationId>> {
        if !self.exposures.over(officer) {
            return None;
        }
        // The queue as the database has it now, as the store's "take next" would read it.
        let queue = chat.store().waiting_queue().await.ok()?;
        let officers = self.officer_loads(self.loads(chat).await?);
        let me = officers.iter().find(|o| o.id == officer)?;
        // The officer is asking: whatever their presence, the chat is for them to take.
        let me = OfficerLoad {
            presence: Presence::Available,
            ..me.clone()
        };
        let waiting: Vec<_> = queue.iter().map(|c| c.queued()).collect();
        Some(ecoute_domain::next_for(
            &me,
            &officers,
            &waiting,
            OffsetDateTime::now_utc(),
        ))
    }

    fn plan(
        &self,
        chat: &ChatService,
        snapshot: &QueueSnapshot,
        loads: Vec<(ecoute_store::StaffLoad, Presence)>,
    ) {
        let officers = self.officer_loads(loads);
        let queue: Vec<_> = snapshot.iter().map(|c| c.queued()).collect();
        let timeout = time::Duration::seconds(self.config.offer_timeout_secs.into());
        let actions = self.desk.lock().expect("desk lock").offers.plan(
            &queue,
            &officers,
            OffsetDateTime::now_utc(),
            timeout,
        );
        for action in actions {
            match action {
                OfferAction::Offer {
                    conversation,
                    officer,
                    expires_at,
                } => chat.bus().publish(
                    Topic::Officer(officer),
                    BusEvent::Offered {
                        conversation,
                        expires_at,
                    },
                ),
                OfferAction::Withdraw {
                    conversation,
                    officer,
                } => chat.bus().publish(
                    Topic::Officer(officer),
                    BusEvent::OfferWithdrawn { conversation },
                ),
            }
        }
    }
}
