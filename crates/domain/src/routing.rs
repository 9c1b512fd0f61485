//! Routing: which officer may serve which chat, in what order chats are served, and to whom
//! a chat is offered. Pure functions over snapshots; the store applies [`check_claim`] inside
//! the claim's own transaction, and the server's dispatcher runs [`Offers::plan`].
//!
//! The rules, in the order they apply:
//! 1. A chat is served by priority (the visitor said they are in danger now, then chats
//!    flagged by the risk rules, then the others), then by how long it has waited.
//! 2. An officer may take a chat only with a free place under their capacity.
//! 3. An officer may take a chat only if their skills cover its needs (force, minors,
//!    language), until the chat has waited the overflow period: from then on, any officer
//!    may take it, because a skilled answer later is worse than an answer now.
//! 4. In offer mode, each chat at the head of the queue is offered to the best-placed
//!    available officer (fewest chats in hand, then the longest without a new one); an offer
//!    not accepted in time goes to the next officer. Paused, on-break and offline officers
//!    get nothing, and an officer has at most one offer pending at a time.
//! 5. An officer over exposure (their weighted minutes within the window reached the
//!    threshold, [`crate::ExposureRule`]) is offered a heavy chat ([`crate::is_heavy`]: danger,
//!    flagged or minor) only when no other officer could be offered it now who is not over
//!    exposure. "Could be offered it now" means: available, no offer pending for them in this
//!    plan, a free place, and skills covering the chat or its overflow period over. So while a
//!    colleague under the threshold is able, even one who let the chat pass, the chat goes round
//!    among those under the threshold; when every able officer is over exposure, they are
//!    offered it like any other chat (an answer matters more than a rest). In pull mode the
//!    same rule: [`next_for`] passes over a heavy chat that such a colleague could take, and
//!    gives it when nobody else could. Plain chats are offered to them as before.

use crate::{ConversationId, TransitionError, UserId, may_take_another};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

/// The two forces that answer: national police (cities) and gendarmerie (elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Force {
    /// Police nationale.
    Police,
    /// Gendarmerie nationale.
    Gendarmerie,
}

impl Force {
    /// Stable name used in storage, data files and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Police => "police",
            Self::Gendarmerie => "gendarmerie",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "police" => Some(Self::Police),
            "gendarmerie" => Some(Self::Gendarmerie),
            _ => None,
        }
    }

    /// The other force, for a transfer.
    pub fn other(self) -> Self {
        match self {
            Self::Police => Self::Gendarmerie,
            Self::Gendarmerie => Self::Police,
        }
    }
}

/// A language, as a lower-case ISO 639-1 or 639-2 code ("fr", "en", "ar").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct Language(String);

impl Language {
    /// French, the language of a chat that said nothing else.
    pub fn french() -> Self {
        Self("fr".into())
    }

    /// Accepts two or three ASCII letters, in any case.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        ((2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| Self(s.to_ascii_lowercase()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses a comma-separated list ("fr,en"), refusing an empty one or a bad code.
    pub fn parse_list(s: &str) -> Option<Vec<Self>> {
        let mut out: Vec<Self> = Vec::new();
        for part in s.split(',') {
            let lang = Self::parse(part)?;
            if !out.contains(&lang) {
                out.push(lang);
            }
        }
        (!out.is_empty()).then_some(out)
    }
}

impl TryFrom<String> for Language {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or_else(|| format!("{s:?} is not a language code"))
    }
}

impl From<Language> for String {
    fn from(l: Language) -> Self {
        l.0
    }
}

/// How urgently a chat must be answered. Higher is served first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Served by waiting time.
    Normal,
    /// A risk rule matched something the visitor wrote.
    Flagged,
    /// The visitor said "I am in danger now".
    Danger,
}

impl Priority {
    /// Stored as a small integer so that the queue can be sorted by the database.
    pub fn rank(self) -> i64 {
        match self {
            Self::Normal => 0,
            Self::Flagged => 1,
            Self::Danger => 2,
        }
    }

    /// The priority of a stored rank.
    pub fn from_rank(rank: i64) -> Option<Self> {
        match rank {
            0 => Some(Self::Normal),
            1 => Some(Self::Flagged),
            2 => Some(Self::Danger),
            _ => None,
        }
    }
}

/// What an officer can answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Skills {
    /// The officer's force; `None` for staff who answer for both (national coordinators).
    pub force: Option<Force>,
    /// Trained to talk with minors.
    pub minors: bool,
    /// Languages the officer writes.
    pub languages: Vec<Language>,
}

impl Default for Skills {
    /// A French-speaking officer of either force, not trained for minors.
    fn default() -> Self {
        Self {
            force: None,
            minors: false,
            languages: vec![Language::french()],
        }
    }
}

/// What a chat needs from the officer who answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Need {
    /// The force of the visitor's département; `None` (no postal code) means either.
    pub force: Option<Force>,
    /// The visitor is a minor.
    pub minor: bool,
    /// The language the visitor writes in.
    pub language: Language,
}

impl Skills {
    /// Whether these skills cover every need of a chat.
    pub fn covers(&self, need: &Need) -> bool {
        let force = match (need.force, self.force) {
            (None, _) | (_, None) => true,
            (Some(wanted), Some(mine)) => wanted == mine,
        };
        force && (!need.minor || self.minors) && self.languages.contains(&need.language)
    }
}

/// Whether an officer with `skills` may serve a chat with `need`, `open_to_all` being true once
/// the chat has waited its overflow period.
pub fn may_serve(skills: &Skills, need: &Need, open_to_all: bool) -> bool {
    open_to_all || skills.covers(need)
}

/// The whole rule for one claim: capacity first (the officer can act on it by closing a chat),
/// then skills.
pub fn check_claim(
    skills: &Skills,
    capacity: u32,
    open: u32,
    need: &Need,
    open_to_all: bool,
) -> Result<(), TransitionError> {
    may_take_another(open, capacity)?;
    if may_serve(skills, need, open_to_all) {
        Ok(())
    } else {
        Err(TransitionError::NotEligible)
    }
}

/// Officer presence, as chosen on the console or set by the server when the console is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Receives offers and may take chats.
    Available,
    /// Keeps their chats but receives no new one.
    Paused,
    /// No console open.
    Offline,
    /// Taking a break: keeps their chats but receives no new one, with a timer on the console
    /// and on the board (docs/WELLBEING.md).
    Break,
}

impl Presence {
    /// Stable name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Paused => "paused",
            Self::Offline => "offline",
            Self::Break => "break",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Available, Self::Paused, Self::Offline, Self::Break]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// A waiting chat, as routing sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedChat {
    /// Which chat.
    pub id: ConversationId,
    /// What it needs.
    pub need: Need,
    /// How urgent it is.
    pub priority: Priority,
    /// When it started waiting (its creation: a chat given back to the queue keeps its place).
    pub waiting_since: OffsetDateTime,
    /// From when any officer may serve it.
    pub open_to_all_at: OffsetDateTime,
}

impl QueuedChat {
    /// Whether the overflow period is over at `now`.
    pub fn open_to_all(&self, now: OffsetDateTime) -> bool {
        now >= self.open_to_all_at
    }
}

/// The order in which chats are served: priority first, then waiting time (then id, so that
/// the order is total and every node agrees on it).
pub fn queue_order(a: &QueuedChat, b: &QueuedChat) -> Ordering {
    b.priority
        .cmp(&a.priority)
        .then(a.waiting_since.cmp(&b.waiting_since))
        .then(a.id.cmp(&b.id))
}

/// An officer, as routing sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerLoad {
    /// Who.
    pub id: UserId,
    /// What they can answer.
    pub skills: Skills,
    /// Most chats they may hold.
    pub capacity: u32,
    /// Chats they hold now.
    pub open: u32,
    /// Whether they take new chats.
    pub presence: Presence,
    /// When they last received a chat (claimed, offered, transferred).
    pub last_assigned: Option<OffsetDateTime>,
    /// Their exposure within the window reached the threshold (rule 5).
    pub over_exposure: bool,
}

impl OfficerLoad {
    fn has_room(&self, pending: u32) -> bool {
        may_take_another(self.open + pending, self.capacity).is_ok()
    }

    /// Available, with a free place, and able to serve this chat now.
    fn able(&self, chat: &QueuedChat, now: OffsetDateTime) -> bool {
        self.presence == Presence::Available
            && self.has_room(0)
            && may_serve(&self.skills, &chat.need, chat.open_to_all(now))
    }
}

/// Pull mode: the chat an officer should take next, the first in queue order that they may
/// serve, passing over (rule 5) a heavy chat that one of `colleagues` not over exposure could
/// take when the officer is over exposure. `None` when they are at capacity or nothing fits.
pub fn next_for(
    officer: &OfficerLoad,
    colleagues: &[OfficerLoad],
    queue: &[QueuedChat],
    now: OffsetDateTime,
) -> Option<ConversationId> {
    if !officer.has_room(0) {
        return None;
    }
    let spared = |c: &QueuedChat| {
        officer.over_exposure
            && crate::is_heavy(c)
            && colleagues
                .iter()
                .any(|o| o.id != officer.id && !o.over_exposure && o.able(c, now))
    };
    let mut fitting: Vec<&QueuedChat> = queue
        .iter()
        .filter(|c| may_serve(&officer.skills, &c.need, c.open_to_all(now)) && !spared(c))
        .collect();
    fitting.sort_by(|a, b| queue_order(a, b));
    fitting.first().map(|c| c.id)
}

/// A chat offered to one officer until `expires_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingOffer {
    /// To whom.
    pub officer: UserId,
    /// When the offer lapses and moves on.
    pub expires_at: OffsetDateTime,
}

/// What the dispatcher must tell consoles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferAction {
    /// Show this chat to this officer, with a deadline.
    Offer {
        /// Which chat.
        conversation: ConversationId,
        /// To whom.
        officer: UserId,
        /// Until when.
        expires_at: OffsetDateTime,
    },
    /// The offer is over (taken, lapsed, declined, the officer paused, the chat left the queue).
    Withdraw {
        /// Which chat.
        conversation: ConversationId,
        /// From whom.
        officer: UserId,
    },
}

/// The offers in flight, and who already let each chat go.
#[derive(Debug, Default, Clone)]
pub struct Offers {
    pending: HashMap<ConversationId, PendingOffer>,
    passed: HashMap<ConversationId, HashSet<UserId>>,
}

impl Offers {
    /// The offer pending for a chat, if any.
    pub fn pending(&self, conversation: ConversationId) -> Option<PendingOffer> {
        self.pending.get(&conversation).copied()
    }

    /// Every pending offer.
    pub fn all_pending(&self) -> impl Iterator<Item = (ConversationId, PendingOffer)> + '_ {
        self.pending.iter().map(|(c, p)| (*c, *p))
    }

    /// The officer said no: the chat moves on at the next plan. `false` if no such offer.
    pub fn decline(&mut self, conversation: ConversationId, officer: UserId) -> bool {
        match self.pending.get(&conversation) {
            Some(p) if p.officer == officer => {
                self.pending.remove(&conversation);
                self.passed.entry(conversation).or_default().insert(officer);
                true
            }
            _ => false,
        }
    }

    /// Decides the offers for this moment. `queue` is every waiting chat; `officers` every
    /// officer with their load (pending offers are not counted in `open`).
    pub fn plan(
        &mut self,
        queue: &[QueuedChat],
        officers: &[OfficerLoad],
        now: OffsetDateTime,
        timeout: Duration,
    ) -> Vec<OfferAction> {
        let mut actions = Vec::new();
        let waiting: HashSet<ConversationId> = queue.iter().map(|c| c.id).collect();
        let by_id: HashMap<UserId, &OfficerLoad> = officers.iter().map(|o| (o.id, o)).collect();
        self.passed.retain(|c, _| waiting.contains(c));

        // End the offers that no longer hold.
        let mut ended = Vec::new();
        for (&conversation, offer) in &self.pending {
            let officer = by_id.get(&offer.officer);
            let still_fits = waiting.contains(&conversation)
                && officer.is_some_and(|o| o.presence == Presence::Available && o.has_room(0));
            if !still_fits || now >= offer.expires_at {
                ended.push((conversation, offer.officer, now >= offer.expires_at));
            }
        }
        for (conversation, officer, lapsed) in ended {
            self.pending.remove(&conversation);
            if lapsed {
                self.passed.entry(conversation).or_default().insert(officer);
            }
            actions.push(OfferAction::Withdraw {
                conversation,
                officer,
            });
        }

        // Offer the chats still unoffered, most urgent first.
        let mut busy: HashSet<UserId> = self.pending.values().map(|p| p.officer).collect();
        let mut order: Vec<&QueuedChat> = queue.iter().collect();
        order.sort_by(|a, b| queue_order(a, b));
        for chat in order {
            if self.pending.contains_key(&chat.id) {
                continue;
            }
            let able = |o: &&OfficerLoad| !busy.contains(&o.id) && o.able(chat, now);
            // Rule 5: a heavy chat goes to those under the threshold while any of them is able.
            let spare_the_exposed =
                crate::is_heavy(chat) && officers.iter().filter(able).any(|o| !o.over_exposure);
            let candidates = || {
                officers
                    .iter()
                    .filter(able)
                    .filter(move |o| !(spare_the_exposed && o.over_exposure))
            };
            let passed = self.passed.get(&chat.id);
            let fresh = candidates()
                .filter(|o| passed.is_none_or(|p| !p.contains(&o.id)))
                .min_by(|a, b| best_placed(a, b));
            // Everyone able has let it pass: start a new round rather than leave it unoffered.
            let chosen = match fresh {
                Some(o) => Some(o),
                None => {
                    let again = candidates().min_by(|a, b| best_placed(a, b));
                    if again.is_some() {
                        self.passed.remove(&chat.id);
                    }
                    again
                }
            };
            if let Some(officer) = chosen {
                let expires_at = now + timeout;
                busy.insert(officer.id);
                self.pending.insert(
                    chat.id,
                    PendingOffer {
                        officer: officer.id,
                        expires_at,
                    },
                );
                actions.push(OfferAction::Offer {
                    conversation: chat.id,
                    officer: officer.id,
                    expires_at,
                });
            }
        }
        actions
    }
}

/// Fewest chats in hand first, then the longest without a new chat (never first), then id.
fn best_placed(a: &OfficerLoad, b: &OfficerLoad) -> Ordering {
    a.open
        .cmp(&b.open)
        .then_with(|| match (a.last_assigned, b.last_assigned) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(&y),
        })
        .then(a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(secs: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::seconds(1_800_000_000 + secs)
    }
    fn user(n: u128) -> UserId {
        UserId(uuid::Uuid::from_u128(n))
    }
    fn chat(n: u128) -> ConversationId {
        ConversationId(uuid::Uuid::from_u128(n))
    }
    fn lang(s: &str) -> Language {
        Language::parse(s).unwrap()
    }
    fn need(force: Option<Force>, minor: bool, language: &str) -> Need {
        Need {
            force,
            minor,
            language: lang(language),
        }
    }
    fn queued(n: u128, priority: Priority, since: i64) -> QueuedChat {
        QueuedChat {
            id: chat(n),
            need: need(None, false, "fr"),
            priority,
            waiting_since: t(since),
            open_to_all_at: t(since + 300),
        }
    }
    fn officer(n: u128, presence: Presence, open: u32, capacity: u32) -> OfficerLoad {
        OfficerLoad {
            id: user(n),
            skills: Skills::default(),
            capacity,
            open,
            presence,
            last_assigned: None,
            over_exposure: false,
        }
    }
    const TIMEOUT: Duration = Duration::seconds(20);

    #[test]
    fn skills_must_cover_force_minors_and_language() {
        let police_fr = Skills {
            force: Some(Force::Police),
            minors: false,
            languages: vec![lang("fr")],
        };
        assert!(police_fr.covers(&need(Some(Force::Police), false, "fr")));
        assert!(police_fr.covers(&need(None, false, "fr")));
        assert!(!police_fr.covers(&need(Some(Force::Gendarmerie), false, "fr")));
        assert!(!police_fr.covers(&need(None, true, "fr")));
        assert!(!police_fr.covers(&need(None, false, "ar")));
        let both = Skills {
            force: None,
            minors: true,
            languages: vec![lang("fr"), lang("ar")],
        };
        assert!(both.covers(&need(Some(Force::Gendarmerie), true, "ar")));
    }

    #[test]
    fn after_the_overflow_period_any_officer_may_serve() {
        let skills = Skills::default();
        let minor_in_arabic = need(Some(Force::Police), true, "ar");
        assert!(!may_serve(&skills, &minor_in_arabic, false));
        assert!(may_serve(&skills, &minor_in_arabic, true));
        assert_eq!(
            check_claim(&skills, 3, 0, &minor_in_arabic, false),
            Err(TransitionError::NotEligible)
        );
        assert_eq!(check_claim(&skills, 3, 0, &minor_in_arabic, true), Ok(()));
    }

    #[test]
    fn capacity_is_checked_before_skills() {
        let n = need(Some(Force::Police), true, "ar");
        assert_eq!(
            check_claim(&Skills::default(), 2, 2, &n, false),
            Err(TransitionError::AtCapacity)
        );
    }

    #[test]
    fn danger_comes_before_flags_before_waiting_time() {
        let mut queue = [
            queued(1, Priority::Normal, 0),
            queued(2, Priority::Flagged, 50),
            queued(3, Priority::Danger, 100),
            queued(4, Priority::Normal, -10),
            queued(5, Priority::Danger, 90),
        ];
        queue.sort_by(queue_order);
        let ids: Vec<_> = queue.iter().map(|c| c.id).collect();
        assert_eq!(ids, [chat(5), chat(3), chat(2), chat(4), chat(1)]);
    }

    #[test]
    fn pull_mode_takes_the_first_chat_the_officer_may_serve() {
        let mut gendarmerie_chat = queued(1, Priority::Danger, 0);
        gendarmerie_chat.need.force = Some(Force::Gendarmerie);
        let queue = [gendarmerie_chat, queued(2, Priority::Normal, 10)];
        let mut police = officer(1, Presence::Available, 0, 3);
        police.skills.force = Some(Force::Police);
        assert_eq!(next_for(&police, &[], &queue, t(20)), Some(chat(2)));
        // Once the danger chat has waited its overflow period, it comes first for anyone.
        assert_eq!(next_for(&police, &[], &queue, t(300)), Some(chat(1)));
        police.open = 3;
        assert_eq!(next_for(&police, &[], &queue, t(20)), None);
    }

    #[test]
    fn officers_on_break_get_no_offer_and_no_chat_from_the_queue_plan() {
        let queue = [queued(1, Priority::Normal, 0)];
        let officers = [officer(1, Presence::Break, 0, 3)];
        let mut offers = Offers::default();
        assert!(offers.plan(&queue, &officers, t(1), TIMEOUT).is_empty());
        assert_eq!(Presence::parse("break"), Some(Presence::Break));
        assert_eq!(Presence::Break.as_str(), "break");
        assert_eq!(Presence::parse("asleep"), None);
    }

    #[test]
    fn a_pending_offer_is_withdrawn_when_its_officer_goes_on_break() {
        let queue = [queued(1, Priority::Normal, 0)];
        let mut officers = [officer(1, Presence::Available, 0, 3)];
        let mut offers = Offers::default();
        offers.plan(&queue, &officers, t(1), TIMEOUT);
        officers[0].presence = Presence::Break;
        assert_eq!(
            offers.plan(&queue, &officers, t(2), TIMEOUT),
            [OfferAction::Withdraw {
                conversation: chat(1),
                officer: user(1)
            }]
        );
    }

    fn exposed(n: u128, open: u32) -> OfficerLoad {
        OfficerLoad {
            over_exposure: true,
            ..officer(n, Presence::Available, open, 3)
        }
    }

    fn minor_chat(n: u128, since: i64) -> QueuedChat {
        let mut c = queued(n, Priority::Normal, since);
        c.need.minor = true;
        c
    }

    fn trained() -> Skills {
        Skills {
            minors: true,
            ..Skills::default()
        }
    }

    #[test]
    fn rule_5_a_heavy_chat_goes_to_a_colleague_under_the_threshold_rather_than_to_the_best_placed_over_exposure()
     {
        // Officer 1 is best placed (no chat) but over exposure; officer 2 holds two chats.
        let queue = [queued(1, Priority::Danger, 0)];
        let officers = [exposed(1, 0), officer(2, Presence::Available, 2, 3)];
        let mut offers = Offers::default();
        offers.plan(&queue, &officers, t(1), TIMEOUT);
        assert_eq!(offers.pending(chat(1)).unwrap().officer, user(2));
    }

    #[test]
    fn rule_5_flagged_and_minor_chats_are_heavy_too() {
        for chat_ in [queued(1, Priority::Flagged, 0), minor_chat(2, 0)] {
            let queue = [chat_.clone()];
            let mut officers = [exposed(1, 0), officer(2, Presence::Available, 1, 3)];
            officers[0].skills = trained();
            officers[1].skills = trained();
            let mut offers = Offers::default();
            offers.plan(&queue, &officers, t(1), TIMEOUT);
            assert_eq!(offers.pending(chat_.id).unwrap().officer, user(2));
        }
    }

    #[test]
    fn rule_5_a_plain_chat_is_offered_to_an_officer_over_exposure_as_before() {
        let queue = [queued(1, Priority::Normal, 0)];
        let officers = [exposed(1, 0), officer(2, Presence::Available, 2, 3)];
        let mut offers = Offers::default();
        offers.plan(&queue, &officers, t(1), TIMEOUT);
        assert_eq!(offers.pending(chat(1)).unwrap().officer, user(1));
    }

    #[test]
    fn rule_5_when_nobody_under_the_threshold_can_take_it_the_officer_over_exposure_is_offered_it()
    {
        let queue = [queued(1, Priority::Danger, 0)];
        let mut offers = Offers::default();
        // Alone.
        offers.plan(&queue, &[exposed(1, 0)], t(1), TIMEOUT);
        assert_eq!(offers.pending(chat(1)).unwrap().officer, user(1));
        // The colleague under the threshold is paused, on break, full, or unskilled: none can.
        for colleague in [
            officer(2, Presence::Paused, 0, 3),
            officer(2, Presence::Break, 0, 3),
            officer(2, Presence::Available, 3, 3),
        ] {
            let mut offers = Offers::default();
            offers.plan(&queue, &[exposed(1, 1), colleague], t(1), TIMEOUT);
            assert_eq!(offers.pending(chat(1)).unwrap().officer, user(1));
        }
        let minor = [minor_chat(2, 0)];
        let mut me = exposed(1, 0);
        me.skills = trained();
        let mut offers = Offers::default();
        offers.plan(
            &minor,
            &[me.clone(), officer(2, Presence::Available, 0, 3)],
            t(1),
            TIMEOUT,
        );
        assert_eq!(offers.pending(chat(2)).unwrap().officer, user(1));
        // Once the chat has overflowed, the untrained colleague could take it: it is theirs.
        let mut offers = Offers::default();
        offers.plan(
            &minor,
            &[me, officer(2, Presence::Available, 0, 3)],
            t(300),
            TIMEOUT,
        );
        assert_eq!(offers.pending(chat(2)).unwrap().officer, user(2));
    }

    #[test]
    fn rule_5_a_colleague_busy_with_another_offer_cannot_take_it_so_the_officer_over_exposure_is_offered_it()
     {
        // Two danger chats, one colleague under the threshold: they get the first, the officer
        // over exposure the second, rather than leaving a visitor in danger unoffered.
        let queue = [
            queued(1, Priority::Danger, 0),
            queued(2, Priority::Danger, 10),
        ];
        let officers = [exposed(1, 0), officer(2, Presence::Available, 0, 3)];
        let mut offers = Offers::default();
        offers.plan(&queue, &officers, t(20), TIMEOUT);
        assert_eq!(offers.pending(chat(1)).unwrap().officer, user(2));
        assert_eq!(offers.pending(chat(2)).unwrap().officer, user(1));
    }

    #[test]
    fn rule_5_a_heavy_chat_let_pass_by_the_colleague_goes_round_again_among_those_under_the_threshold()
     {
        let queue = [queued(1, Priority::Flagged, 0)];
        let officers = [exposed(1, 0), officer(2, Presence::Available, 1, 3)];
        let mut offers = Offers::default();
        offers.plan(&queue, &officers, t(1), TIMEOUT);
        assert!(offers.decline(chat(1), user(2)));
        offers.plan(&queue, &officers, t(2), TIMEOUT);
        assert_eq!(offers.pending(chat(1)).unwrap().officer, user(2));
    }

    #[test]
    fn rule_5_in_pull_mode_an_officer_over_exposure_is_passed_over_a_heavy_chat_a_colleague_could_take()
     {
        let queue = [
            queued(1, Priority::Danger, 0),
            queued(2, Priority::Normal, 10),
        ];
        let me = exposed(1, 0);
        let colleague = officer(2, Presence::Available, 2, 3);
        assert_eq!(
            next_for(&me, &[me.clone(), colleague.clone()], &queue, t(20)),
            Some(chat(2))
        );
        // The colleague pauses: nobody else could, so the danger chat comes first again.
        let away = OfficerLoad {
            presence: Presence::Paused,
            ..colleague.clone()
        };
        assert_eq!(
            next_for(&me, &[me.clone(), away], &queue, t(20)),
            Some(chat(1))
        );
        // An officer under the threshold takes the heavy chat first, as always.
        assert_eq!(
            next_for(&colleague, &[me.clone(), colleague.clone()], &queue, t(20)),
            Some(chat(1))
        );
        // A colleague also over exposure does not count as someone else who could.
        let tired = OfficerLoad {
            over_exposure: true,
            ..colleague
        };
        assert_eq!(
            next_for(&me, &[me.clone(), tired], &queue, t(20)),
            Some(chat(1))
        );
    }

    #[test]
    fn paused_and_offline_officers_get_no_offer() {
        let queue = [queued(1, Priority::Normal, 0)];
        let officers = [
            officer(1, Presence::Paused, 0, 3),
            officer(2, Presence::Offline, 0, 3),
        ];
        let mut offers = Offers::default();
        assert!(offers.plan(&queue, &officers, t(1), TIMEOUT).is_empty());
    }

    #[test]
    fn the_least_loaded_officer_is_offered_first_and_the_most_urgent_chat_goes_first() {
        let queue = [
            queued(1, Priority::Normal, 0),
            queued(2, Priority::Danger, 30),
        ];
        let officers = [
            officer(1, Presence::Available, 2, 3),
            officer(2, Presence::Available, 0, 3),
        ];
        let mut offers = Offers::default();
        let actions = offers.plan(&queue, &officers, t(40), TIMEOUT);
        assert_eq!(
            actions,
            [
                OfferAction::Offer {
                    conversation: chat(2),
                    officer: user(2),
                    expires_at: t(40) + TIMEOUT
                },
                OfferAction::Offer {
                    conversation: chat(1),
                    officer: user(1),
                    expires_at: t(40) + TIMEOUT
                },
            ]
        );
    }

    #[test]
    fn an_offer_not_accepted_in_time_moves_to_the_next_officer() {
        let queue = [queued(1, Priority::Normal, 0)];
        let officers = [
            officer(1, Presence::Available, 0, 3),
            officer(2, Presence::Available, 1, 3),
        ];
        let mut offers = Offers::default();
        offers.plan(&queue, &officers, t(1), TIMEOUT);
        assert_eq!(offers.pending(chat(1)).unwrap().officer, user(1));
        // Still within its time: nothing changes.
        assert!(offers.plan(&queue, &officers, t(10), TIMEOUT).is_empty());
        let actions = offers.plan(&queue, &officers, t(21), TIMEOUT);
        assert_eq!(
            actions,
            [
                OfferAction::Withdraw {
                    conversation: chat(1),
                    officer: user(1)
                },
                OfferAction::Offer {
                    conversation: chat(1),
                    officer: user(2),
                    expires_at: t(21) + TIMEOUT
                },
            ]
        );
        // When everyone has let it pass, a new round starts with the best-placed again.
        offers.plan(&queue, &officers, t(42), TIMEOUT);
        assert_eq!(offers.pending(chat(1)).unwrap().officer, user(1));
    }

    #[test]
    fn a_declined_offer_goes_to_someone_else() {
        let queue = [queued(1, Priority::Normal, 0)];
        let officers = [
            officer(1, Presence::Available, 0, 3),
            officer(2, Presence::Available, 1, 3),
        ];
        let mut offers = Offers::default();
        offers.plan(&queue, &officers, t(1), TIMEOUT);
        assert!(!offers.decline(chat(1), user(2)), "not offered to them");
        assert!(offers.decline(chat(1), user(1)));
        offers.plan(&queue, &officers, t(2), TIMEOUT);
        assert_eq!(offers.pending(chat(1)).unwrap().officer, user(2));
    }

    #[test]
    fn an_offer_is_withdrawn_when_the_officer_pauses_or_the_chat_is_taken() {
        let queue = [queued(1, Priority::Normal, 0)];
        let mut officers = [officer(1, Presence::Available, 0, 3)];
        let mut offers = Offers::default();
        offers.plan(&queue, &officers, t(1), TIMEOUT);
        officers[0].presence = Presence::Paused;
        let withdraw = OfferAction::Withdraw {
            conversation: chat(1),
            officer: user(1),
        };
        assert_eq!(offers.plan(&queue, &officers, t(2), TIMEOUT), [withdraw]);
        officers[0].presence = Presence::Available;
        offers.plan(&queue, &officers, t(3), TIMEOUT);
        assert_eq!(offers.plan(&[], &officers, t(4), TIMEOUT), [withdraw]);
    }

    #[test]
    fn languages_parse_as_short_codes() {
        assert_eq!(lang("FR").as_str(), "fr");
        assert!(Language::parse("french").is_none());
        assert!(Language::parse("f").is_none());
        assert_eq!(
            Language::parse_list("fr, en,fr").unwrap(),
            vec![lang("fr"), lang("en")]
        );
        assert!(Language::parse_list("").is_none());
        assert!(Language::parse_list("fr,,en").is_none());
    }

    fn arb_skills() -> impl Strategy<Value = Skills> {
        (
            prop::option::of(prop_oneof![Just(Force::Police), Just(Force::Gendarmerie)]),
            any::<bool>(),
            prop::sample::subsequence(vec!["fr", "en", "ar"], 1..=3),
        )
            .prop_map(|(force, minors, langs)| Skills {
                force,
                minors,
                languages: langs.into_iter().map(lang).collect(),
            })
    }

    fn arb_need() -> impl Strategy<Value = Need> {
        (
            prop::option::of(prop_oneof![Just(Force::Police), Just(Force::Gendarmerie)]),
            any::<bool>(),
            prop::sample::select(vec!["fr", "en", "ar"]),
        )
            .prop_map(|(force, minor, l)| need(force, minor, l))
    }

    fn arb_presence() -> impl Strategy<Value = Presence> {
        prop_oneof![
            Just(Presence::Available),
            Just(Presence::Paused),
            Just(Presence::Offline),
            Just(Presence::Break)
        ]
    }

    /// One step of a simulated day: time passes, an officer accepts or declines an offer, a
    /// chat arrives, an officer changes presence or closes a chat.
    #[derive(Debug, Clone)]
    enum Step {
        Wait(i64),
        Accept(usize),
        Decline(usize),
        Arrive(Need, Priority),
        SetPresence(usize, Presence),
        CloseOne(usize),
    }

    fn arb_step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (1i64..30).prop_map(Step::Wait),
            (0usize..4).prop_map(Step::Accept),
            (0usize..4).prop_map(Step::Decline),
            (
                arb_need(),
                prop_oneof![
                    Just(Priority::Normal),
                    Just(Priority::Flagged),
                    Just(Priority::Danger)
                ]
            )
                .prop_map(|(n, p)| Step::Arrive(n, p)),
            (0usize..4, arb_presence()).prop_map(|(i, p)| Step::SetPresence(i, p)),
            (0usize..4).prop_map(Step::CloseOne),
        ]
    }

    proptest! {
        /// Whatever happens, an offer only ever goes to an available officer whose skills
        /// fit (or the chat overflowed), who has room, and who has no other offer pending;
        /// accepting offers never takes an officer over capacity, and a lapsed offer never
        /// stays with the same officer while another one could take it. Officers over exposure
        /// (rule 5) never leave a chat unoffered that one of them could take.
        #[test]
        fn offers_respect_presence_skills_capacity_and_move_on(
            skills in prop::collection::vec(arb_skills(), 4),
            exposed in prop::collection::vec(any::<bool>(), 4),
            capacities in prop::collection::vec(1u32..4, 4),
            steps in prop::collection::vec(arb_step(), 1..80),
        ) {
            let mut officers: Vec<OfficerLoad> = (0..4)
                .map(|i| OfficerLoad {
                    id: user(i as u128 + 1),
                    skills: skills[i].clone(),
                    capacity: capacities[i],
                    open: 0,
                    presence: Presence::Available,
                    last_assigned: None,
                    over_exposure: exposed[i],
                })
                .collect();
            let mut queue: Vec<QueuedChat> = Vec::new();
            let mut offers = Offers::default();
            let mut now = t(0);
            let mut next_chat = 1u128;
            for step in steps {
                match step {
                    Step::Wait(s) => now += Duration::seconds(s),
                    Step::Arrive(need, priority) => {
                        queue.push(QueuedChat {
                            id: chat(next_chat),
                            need,
                            priority,
                            waiting_since: now,
                            open_to_all_at: now + Duration::seconds(120),
                        });
                        next_chat += 1;
                    }
                    Step::Accept(i) => {
                        let me = officers[i].id;
                        let mine: Vec<_> = offers
                            .all_pending()
                            .filter(|(_, p)| p.officer == me && now < p.expires_at)
                            .map(|(c, _)| c)
                            .collect();
                        for c in mine {
                            // The claim's own check, as the store applies it.
                            let q = queue.iter().position(|x| x.id == c).unwrap();
                            let o = &officers[i];
                            if check_claim(&o.skills, o.capacity, o.open, &queue[q].need,
                                queue[q].open_to_all(now)).is_ok() {
                                queue.remove(q);
                                officers[i].open += 1;
                                officers[i].last_assigned = Some(now);
                            }
                        }
                    }
                    Step::Decline(i) => {
                        let me = officers[i].id;
                        let mine: Vec<_> = offers
                            .all_pending()
                            .filter(|(_, p)| p.officer == me)
                            .map(|(c, _)| c)
                            .collect();
                        for c in mine {
                            prop_assert!(offers.decline(c, me));
                        }
                    }
                    Step::SetPresence(i, p) => officers[i].presence = p,
                    Step::CloseOne(i) => officers[i].open = officers[i].open.saturating_sub(1),
                }
                let before: HashMap<ConversationId, PendingOffer> = offers.all_pending().collect();
                let actions = offers.plan(&queue, &officers, now, TIMEOUT);
                let mut pending_per_officer: HashMap<UserId, u32> = HashMap::new();
                for (c, p) in offers.all_pending() {
                    let o = officers.iter().find(|o| o.id == p.officer).unwrap();
                    let q = queue.iter().find(|x| x.id == c);
                    prop_assert!(q.is_some(), "an offer for a chat no longer waiting");
                    let q = q.unwrap();
                    prop_assert_eq!(o.presence, Presence::Available);
                    prop_assert!(may_serve(&o.skills, &q.need, q.open_to_all(now)));
                    prop_assert!(o.open < o.capacity, "offered beyond capacity");
                    prop_assert!(now < p.expires_at);
                    *pending_per_officer.entry(o.id).or_default() += 1;
                }
                prop_assert!(pending_per_officer.values().all(|&n| n == 1));
                for o in &officers {
                    prop_assert!(o.open <= o.capacity, "over capacity");
                }
                // A lapsed offer moved on: it is withdrawn, and offered to another officer
                // whenever another fitting one was free before the plan.
                for (c, old) in before {
                    if now >= old.expires_at {
                        let withdrawn = OfferAction::Withdraw { conversation: c, officer: old.officer };
                        prop_assert!(actions.contains(&withdrawn), "lapsed offer kept: {:?}", withdrawn);
                    }
                }
                // A chat is left unoffered only if nobody free may take it.
                for q in &queue {
                    if offers.pending(q.id).is_none() {
                        let busy: HashSet<UserId> =
                            offers.all_pending().map(|(_, p)| p.officer).collect();
                        let someone = officers.iter().any(|o| {
                            o.presence == Presence::Available
                                && !busy.contains(&o.id)
                                && o.open < o.capacity
                                && may_serve(&o.skills, &q.need, q.open_to_all(now))
                        });
                        prop_assert!(!someone, "a chat was left unoffered while someone could take it");
                    }
                }
            }
        }

        /// The queue order is a total order: sorting is the same whatever the input order.
        #[test]
        fn queue_order_does_not_depend_on_arrival_order(
            items in prop::collection::vec((0u8..3, 0i64..100), 1..20),
            seed in any::<u64>(),
        ) {
            let queue: Vec<QueuedChat> = items
                .iter()
                .enumerate()
                .map(|(i, (p, s))| queued(i as u128, Priority::from_rank(*p as i64).unwrap(), *s))
                .collect();
            let mut a = queue.clone();
            a.sort_by(queue_order);
            let mut b = queue;
            let n = b.len();
            b.rotate_left((seed as usize) % n);
            b.reverse();
            b.sort_by(queue_order);
            prop_assert_eq!(&a, &b);
            for w in a.windows(2) {
                prop_assert!(w[0].priority >= w[1].priority);
                if w[0].priority == w[1].priority {
                    prop_assert!(w[0].waiting_since <= w[1].waiting_since);
                }
            }
        }
    }
}
