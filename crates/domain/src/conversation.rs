//! The life of a conversation, as a state machine.
//!
//! ```text
//!              claim                      close(outcome)
//!   Waiting ───────────▶ Active(officer) ───────────────▶ Closed(outcome)
//!      │                     │                                 ▲
//!      │ quick exit          │ quick exit                      │ close(outcome)
//!      ▼                     ▼                                 │
//!   Closed(visitor_left)  VisitorLeft(officer) ────────────────┘
//! ```
//!
//! A quick exit while waiting closes the conversation at once: no officer has
//! read it and there is nothing to qualify. A quick exit during a chat leaves
//! it with its officer, who is alerted and closes it with an outcome.

use crate::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a chat ended, chosen by the officer (or recorded when the visitor left before any officer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Information about rights and procedures was given.
    InformationGiven,
    /// The visitor was referred to a support service.
    ReferredToSupport,
    /// The report was forwarded to a local unit so a complaint can be taken.
    ReportForwarded,
    /// Help was sent to the visitor.
    InterventionRequested,
    /// The visitor left (quick exit or stopped answering).
    VisitorLeft,
    /// An officer blocked the chat (abuse, a flood of fake chats); its token is revoked.
    Blocked,
}

impl Outcome {
    /// Every outcome, in the order the console lists them.
    pub const ALL: [Outcome; 6] = [
        Outcome::InformationGiven,
        Outcome::ReferredToSupport,
        Outcome::ReportForwarded,
        Outcome::InterventionRequested,
        Outcome::VisitorLeft,
        Outcome::Blocked,
    ];

    /// Stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InformationGiven => "information_given",
            Self::ReferredToSupport => "referred_to_support",
            Self::ReportForwarded => "report_forwarded",
            Self::InterventionRequested => "intervention_requested",
            Self::VisitorLeft => "visitor_left",
            Self::Blocked => "blocked",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Parses an outcome an officer may choose when closing a chat: every one but
    /// [`Outcome::Blocked`], which only blocking sets (it also revokes the token).
    pub fn parse_closing(s: &str) -> Option<Self> {
        Self::parse(s).filter(|o| *o != Self::Blocked)
    }
}

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConversationState {
    /// In the queue, no officer yet.
    Waiting,
    /// An officer owns the chat and both sides may write.
    Active {
        /// The only officer who may write in or close this chat.
        officer: UserId,
    },
    /// The visitor left by quick exit during the chat; the officer must close it.
    VisitorLeft {
        /// The officer who owned the chat when the visitor left.
        officer: UserId,
    },
    /// Finished; nobody may write any more.
    Closed {
        /// Why it ended.
        outcome: Outcome,
        /// The officer who closed it, if any officer ever owned it.
        officer: Option<UserId>,
    },
}

impl ConversationState {
    /// Whether the chat's return code still opens something in this state: a chat left while
    /// still waiting (nobody read it, the person may come back to it), and a report forwarded
    /// to a local unit (the code is how the person follows it, as long as its dossier lives).
    /// Every other closed chat forgets its code.
    pub fn keeps_return_code(&self) -> bool {
        match self {
            Self::Closed {
                outcome: Outcome::VisitorLeft,
                officer,
            } => officer.is_none(),
            Self::Closed {
                outcome: Outcome::ReportForwarded,
                ..
            } => true,
            Self::Closed { .. } => false,
            _ => true,
        }
    }
}

/// The name of a state, without its data: what storage and the wire carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StateName {
    /// See [`ConversationState::Waiting`].
    Waiting,
    /// See [`ConversationState::Active`].
    Active,
    /// See [`ConversationState::VisitorLeft`].
    VisitorLeft,
    /// See [`ConversationState::Closed`].
    Closed,
}

impl StateName {
    /// Stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Active => "active",
            Self::VisitorLeft => "visitor_left",
            Self::Closed => "closed",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "waiting" => Some(Self::Waiting),
            "active" => Some(Self::Active),
            "visitor_left" => Some(Self::VisitorLeft),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// Who is asking for a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The anonymous visitor, holding the conversation's token.
    Visitor,
    /// A staff member.
    Officer(UserId),
}

/// Something that happens to a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// An officer takes the chat from the queue.
    Claim,
    /// Someone writes a message.
    Write,
    /// The visitor leaves with the quick-exit button or Shift ×3.
    QuickExit,
    /// The owning officer ends the chat.
    Close(Outcome),
    /// An officer ends a chat as abusive and revokes its token: any officer while it waits
    /// (to clear a flood without taking each chat), only its owner once claimed.
    Block,
    /// The owner gives a chat back to the queue, keeping its history and its place: when their
    /// console has been gone too long, or to hand it to the other force (`to_force`).
    Release {
        /// The force the chat needs from now on, when it changes.
        to_force: Option<crate::Force>,
    },
    /// The owner hands the chat to another officer, who owns it at once.
    Transfer {
        /// The new owner.
        to: UserId,
    },
    /// The visitor comes back with their return code: a chat they left by quick exit is theirs
    /// again (back with its officer, or back in the queue if no officer had it yet).
    Return,
    /// A supervisor takes the chat over from its owner `from`, who must still own it (if it
    /// changed hands meanwhile, the take-over is refused and can be tried again). The service
    /// allows it to supervisors and administrators only; the rules here say when it makes sense.
    TakeOver {
        /// The owner the supervisor saw.
        from: UserId,
    },
}

/// Why a transition is refused. Each maps to one stable error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Another officer owns the chat (or it has already been taken).
    #[error("this chat has already been taken by another officer")]
    AlreadyClaimed,
    /// The actor is not the officer who owns the chat.
    #[error("this chat belongs to another officer")]
    NotOwner,
    /// The chat is over, or the visitor left it.
    #[error("this conversation is closed")]
    Closed,
    /// The chat is still waiting for an officer.
    #[error("this chat has not been claimed yet")]
    NotClaimed,
    /// This actor can never cause this event (a visitor claiming, an officer quitting).
    #[error("this action is not allowed")]
    NotAllowed,
    /// The officer already holds as many chats as their capacity allows.
    #[error("you already hold as many chats as you may; close one first")]
    AtCapacity,
    /// The officer's skills do not cover what this chat needs (force, minors, language) and it
    /// has not waited long enough to be open to every officer.
    #[error("this chat needs another force, language or training; it will reach the right officer")]
    NotEligible,
}

impl TransitionError {
    /// The stable error code sent to clients.
    pub fn code(self) -> &'static str {
        match self {
            Self::AlreadyClaimed => "already_claimed",
            Self::NotOwner => "not_owner",
            Self::Closed => "conversation_closed",
            Self::NotClaimed => "not_claimed",
            Self::NotAllowed => "forbidden",
            Self::AtCapacity => "at_capacity",
            Self::NotEligible => "not_eligible",
        }
    }
}

/// An accepted transition: the state after the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The state the conversation moves to (may equal the current one, e.g. for a write).
    pub next: ConversationState,
}

/// Most chats an officer may hold at once, whatever their setting.
pub const MAX_CAPACITY: u32 = 20;

/// Whether an officer holding `open` chats may take one more under `capacity`.
pub fn may_take_another(open: u32, capacity: u32) -> Result<(), TransitionError> {
    if open < capacity.clamp(1, MAX_CAPACITY) {
        Ok(())
    } else {
        Err(TransitionError::AtCapacity)
    }
}

impl ConversationState {
    /// The name of this state.
    pub fn name(&self) -> StateName {
        match self {
            Self::Waiting => StateName::Waiting,
            Self::Active { .. } => StateName::Active,
            Self::VisitorLeft { .. } => StateName::VisitorLeft,
            Self::Closed { .. } => StateName::Closed,
        }
    }

    /// The officer who owns (or last owned) the chat, if any.
    pub fn officer(&self) -> Option<UserId> {
        match *self {
            Self::Waiting => None,
            Self::Active { officer } | Self::VisitorLeft { officer } => Some(officer),
            Self::Closed { officer, .. } => officer,
        }
    }

    /// Rebuilds a state from its stored parts; `None` when the parts contradict each other.
    pub fn from_parts(
        name: StateName,
        officer: Option<UserId>,
        outcome: Option<Outcome>,
    ) -> Option<Self> {
        match (name, officer, outcome) {
            (StateName::Waiting, None, None) => Some(Self::Waiting),
            (StateName::Active, Some(officer), None) => Some(Self::Active { officer }),
            (StateName::VisitorLeft, Some(officer), None) => Some(Self::VisitorLeft { officer }),
            (StateName::Closed, officer, Some(outcome)) => Some(Self::Closed { outcome, officer }),
            _ => None,
        }
    }

    /// The same open state with another owner.
    fn with_officer(&self, officer: UserId) -> Self {
        match *self {
            Self::VisitorLeft { .. } => Self::VisitorLeft { officer },
            _ => Self::Active { officer },
        }
    }

    /// Whether the visitor may still use their token for this conversation.
    pub fn visitor_may_connect(&self) -> bool {
        matches!(self, Self::Waiting | Self::Active { .. })
    }

    /// Decides whether `actor` may cause `event` now, and what the state becomes.
    pub fn apply(&self, actor: Actor, event: Event) -> Result<Transition, TransitionError> {
        use ConversationState as S;
        let next = match (*self, actor, event) {
            // Claiming.
            (S::Waiting, Actor::Officer(officer), Event::Claim) => S::Active { officer },
            (S::Active { .. } | S::VisitorLeft { .. }, Actor::Officer(_), Event::Claim) => {
                return Err(TransitionError::AlreadyClaimed);
            }
            (S::Closed { .. }, Actor::Officer(_), Event::Claim) => {
                return Err(TransitionError::Closed);
            }

            // Writing. A visitor may write while waiting: the officer reads it on claiming.
            (S::Waiting | S::Active { .. }, Actor::Visitor, Event::Write) => *self,
            (S::Active { officer }, Actor::Officer(who), Event::Write) if who == officer => *self,
            (S::Active { .. }, Actor::Officer(_), Event::Write) => {
                return Err(TransitionError::NotOwner);
            }
            (S::Waiting, Actor::Officer(_), Event::Write) => {
                return Err(TransitionError::NotClaimed);
            }
            // The visitor left by quick exit: their officer may still leave them a message,
            // which they read if they come back with their return code.
            (S::VisitorLeft { officer }, Actor::Officer(who), Event::Write) if who == officer => {
                *self
            }
            (S::VisitorLeft { .. }, Actor::Officer(_), Event::Write) => {
                return Err(TransitionError::NotOwner);
            }
            (S::VisitorLeft { .. } | S::Closed { .. }, _, Event::Write) => {
                return Err(TransitionError::Closed);
            }

            // Quick exit: only the visitor, only while the token is valid.
            (S::Waiting, Actor::Visitor, Event::QuickExit) => S::Closed {
                outcome: Outcome::VisitorLeft,
                officer: None,
            },
            (S::Active { officer }, Actor::Visitor, Event::QuickExit) => S::VisitorLeft { officer },
            (S::VisitorLeft { .. } | S::Closed { .. }, Actor::Visitor, Event::QuickExit) => {
                return Err(TransitionError::Closed);
            }

            // Closing: only the owner, once.
            (
                S::Active { officer } | S::VisitorLeft { officer },
                Actor::Officer(who),
                Event::Close(outcome),
            ) => {
                if who != officer {
                    return Err(TransitionError::NotOwner);
                }
                S::Closed {
                    outcome,
                    officer: Some(officer),
                }
            }
            (S::Waiting, Actor::Officer(_), Event::Close(_)) => {
                return Err(TransitionError::NotClaimed);
            }
            (S::Closed { .. }, Actor::Officer(_), Event::Close(_)) => {
                return Err(TransitionError::Closed);
            }

            // Blocking.
            (S::Waiting, Actor::Officer(who), Event::Block) => S::Closed {
                outcome: Outcome::Blocked,
                officer: Some(who),
            },
            (
                S::Active { officer } | S::VisitorLeft { officer },
                Actor::Officer(who),
                Event::Block,
            ) => {
                if who != officer {
                    return Err(TransitionError::NotOwner);
                }
                S::Closed {
                    outcome: Outcome::Blocked,
                    officer: Some(officer),
                }
            }
            (S::Closed { .. }, Actor::Officer(_), Event::Block) => {
                return Err(TransitionError::Closed);
            }

            // Giving back to the queue, only by its owner: an active chat, or one the visitor
            // left (its officer is gone: it waits, with its history, for whoever answers the
            // visitor when they come back with their return code).
            (
                S::Active { officer } | S::VisitorLeft { officer },
                Actor::Officer(who),
                Event::Release { .. },
            ) => {
                if who != officer {
                    return Err(TransitionError::NotOwner);
                }
                S::Waiting
            }
            (S::Waiting, Actor::Officer(_), Event::Release { .. } | Event::Transfer { .. }) => {
                return Err(TransitionError::NotClaimed);
            }
            (S::Closed { .. }, Actor::Officer(_), Event::Release { .. }) => {
                return Err(TransitionError::Closed);
            }

            // Handing over: by the owner, to someone else; the chat keeps its state.
            (
                S::Active { officer } | S::VisitorLeft { officer },
                Actor::Officer(who),
                Event::Transfer { to },
            ) => {
                if who != officer {
                    return Err(TransitionError::NotOwner);
                }
                if to == officer {
                    return Err(TransitionError::NotAllowed);
                }
                self.with_officer(to)
            }
            (
                S::Closed { .. },
                Actor::Officer(_),
                Event::Transfer { .. } | Event::TakeOver { .. },
            ) => {
                return Err(TransitionError::Closed);
            }

            // Taking over: from another officer, while the chat is open.
            (
                S::Active { officer } | S::VisitorLeft { officer },
                Actor::Officer(who),
                Event::TakeOver { from },
            ) => {
                if from != officer {
                    return Err(TransitionError::NotOwner);
                }
                if who == officer {
                    return Err(TransitionError::NotAllowed);
                }
                self.with_officer(who)
            }
            (S::Waiting, Actor::Officer(_), Event::TakeOver { .. }) => {
                return Err(TransitionError::NotClaimed);
            }

            // Coming back with the return code.
            (S::Waiting | S::Active { .. }, Actor::Visitor, Event::Return) => *self,
            (S::VisitorLeft { officer }, Actor::Visitor, Event::Return) => S::Active { officer },
            (
                S::Closed {
                    outcome: Outcome::VisitorLeft,
                    officer: None,
                },
                Actor::Visitor,
                Event::Return,
            ) => S::Waiting,
            (S::Closed { .. }, Actor::Visitor, Event::Return) => {
                return Err(TransitionError::Closed);
            }
            (_, Actor::Officer(_), Event::Return) => return Err(TransitionError::NotAllowed),

            // What the other side can never do.
            (
                _,
                Actor::Visitor,
                Event::Claim
                | Event::Close(_)
                | Event::Block
                | Event::Release { .. }
                | Event::Transfer { .. }
                | Event::TakeOver { .. },
            ) => {
                return Err(TransitionError::NotAllowed);
            }
            (_, Actor::Officer(_), Event::QuickExit) => return Err(TransitionError::NotAllowed),
        };
        Ok(Transition { next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn alice() -> UserId {
        UserId(uuid::Uuid::from_u128(1))
    }
    fn bob() -> UserId {
        UserId(uuid::Uuid::from_u128(2))
    }
    fn active() -> ConversationState {
        ConversationState::Active { officer: alice() }
    }
    fn left() -> ConversationState {
        ConversationState::VisitorLeft { officer: alice() }
    }
    fn closed() -> ConversationState {
        ConversationState::Closed {
            outcome: Outcome::InformationGiven,
            officer: Some(alice()),
        }
    }
    fn next(
        s: ConversationState,
        a: Actor,
        e: Event,
    ) -> Result<ConversationState, TransitionError> {
        s.apply(a, e).map(|t| t.next)
    }

    #[test]
    fn an_officer_claims_a_waiting_chat_and_owns_it() {
        assert_eq!(
            next(
                ConversationState::Waiting,
                Actor::Officer(alice()),
                Event::Claim
            ),
            Ok(active())
        );
    }

    #[test]
    fn a_chat_already_owned_cannot_be_claimed_by_anyone() {
        for who in [alice(), bob()] {
            assert_eq!(
                next(active(), Actor::Officer(who), Event::Claim),
                Err(TransitionError::AlreadyClaimed)
            );
            assert_eq!(
                next(left(), Actor::Officer(who), Event::Claim),
                Err(TransitionError::AlreadyClaimed)
            );
        }
        assert_eq!(
            next(closed(), Actor::Officer(bob()), Event::Claim),
            Err(TransitionError::Closed)
        );
    }

    #[test]
    fn a_visitor_can_never_claim_or_close() {
        for s in [ConversationState::Waiting, active(), left(), closed()] {
            assert_eq!(
                next(s, Actor::Visitor, Event::Claim),
                Err(TransitionError::NotAllowed)
            );
            assert_eq!(
                next(s, Actor::Visitor, Event::Close(Outcome::InformationGiven)),
                Err(TransitionError::NotAllowed)
            );
        }
    }

    #[test]
    fn a_visitor_writes_while_waiting_and_while_active() {
        assert_eq!(
            next(ConversationState::Waiting, Actor::Visitor, Event::Write),
            Ok(ConversationState::Waiting)
        );
        assert_eq!(next(active(), Actor::Visitor, Event::Write), Ok(active()));
    }

    #[test]
    fn a_visitor_cannot_write_after_leaving_or_closing() {
        assert_eq!(
            next(left(), Actor::Visitor, Event::Write),
            Err(TransitionError::Closed)
        );
        assert_eq!(
            next(closed(), Actor::Visitor, Event::Write),
            Err(TransitionError::Closed)
        );
    }

    #[test]
    fn only_the_owner_writes_as_officer() {
        assert_eq!(
            next(active(), Actor::Officer(alice()), Event::Write),
            Ok(active())
        );
        assert_eq!(
            next(active(), Actor::Officer(bob()), Event::Write),
            Err(TransitionError::NotOwner)
        );
        assert_eq!(
            next(
                ConversationState::Waiting,
                Actor::Officer(alice()),
                Event::Write
            ),
            Err(TransitionError::NotClaimed)
        );
    }

    #[test]
    fn only_the_owner_writes_once_the_visitor_left_and_nobody_once_closed() {
        // For the person to read if they come back with their return code.
        assert_eq!(
            next(left(), Actor::Officer(alice()), Event::Write),
            Ok(left())
        );
        assert_eq!(
            next(left(), Actor::Visitor, Event::Write),
            Err(TransitionError::Closed)
        );
        assert_eq!(
            next(left(), Actor::Officer(bob()), Event::Write),
            Err(TransitionError::NotOwner)
        );
        assert_eq!(
            next(closed(), Actor::Officer(alice()), Event::Write),
            Err(TransitionError::Closed)
        );
    }

    #[test]
    fn quick_exit_while_waiting_closes_with_visitor_left() {
        assert_eq!(
            next(ConversationState::Waiting, Actor::Visitor, Event::QuickExit),
            Ok(ConversationState::Closed {
                outcome: Outcome::VisitorLeft,
                officer: None
            })
        );
    }

    #[test]
    fn quick_exit_during_a_chat_leaves_it_with_its_officer() {
        assert_eq!(next(active(), Actor::Visitor, Event::QuickExit), Ok(left()));
    }

    #[test]
    fn quick_exit_happens_once() {
        for s in [left(), closed()] {
            assert_eq!(
                next(s, Actor::Visitor, Event::QuickExit),
                Err(TransitionError::Closed)
            );
        }
    }

    #[test]
    fn an_officer_cannot_quick_exit_for_the_visitor() {
        for s in [ConversationState::Waiting, active(), left(), closed()] {
            assert_eq!(
                next(s, Actor::Officer(alice()), Event::QuickExit),
                Err(TransitionError::NotAllowed)
            );
        }
    }

    #[test]
    fn the_owner_closes_an_active_or_abandoned_chat_with_an_outcome() {
        for s in [active(), left()] {
            for outcome in Outcome::ALL {
                assert_eq!(
                    next(s, Actor::Officer(alice()), Event::Close(outcome)),
                    Ok(ConversationState::Closed {
                        outcome,
                        officer: Some(alice())
                    })
                );
            }
        }
    }

    #[test]
    fn closing_is_refused_to_others_before_claim_and_after_close() {
        let o = Event::Close(Outcome::ReportForwarded);
        assert_eq!(
            next(active(), Actor::Officer(bob()), o),
            Err(TransitionError::NotOwner)
        );
        assert_eq!(
            next(left(), Actor::Officer(bob()), o),
            Err(TransitionError::NotOwner)
        );
        assert_eq!(
            next(ConversationState::Waiting, Actor::Officer(alice()), o),
            Err(TransitionError::NotClaimed)
        );
        assert_eq!(
            next(closed(), Actor::Officer(alice()), o),
            Err(TransitionError::Closed)
        );
    }

    #[test]
    fn closing_chooses_any_outcome_but_blocked_which_only_blocking_sets() {
        for outcome in Outcome::ALL {
            let chosen = Outcome::parse_closing(outcome.as_str());
            if outcome == Outcome::Blocked {
                assert_eq!(chosen, None);
            } else {
                assert_eq!(chosen, Some(outcome));
            }
        }
        assert_eq!(Outcome::parse_closing("closed"), None);
    }

    #[test]
    fn any_officer_blocks_a_waiting_chat_and_only_the_owner_a_claimed_one() {
        assert_eq!(
            next(
                ConversationState::Waiting,
                Actor::Officer(bob()),
                Event::Block
            ),
            Ok(ConversationState::Closed {
                outcome: Outcome::Blocked,
                officer: Some(bob())
            })
        );
        for s in [active(), left()] {
            assert_eq!(
                next(s, Actor::Officer(alice()), Event::Block),
                Ok(ConversationState::Closed {
                    outcome: Outcome::Blocked,
                    officer: Some(alice())
                })
            );
            assert_eq!(
                next(s, Actor::Officer(bob()), Event::Block),
                Err(TransitionError::NotOwner)
            );
        }
        assert_eq!(
            next(closed(), Actor::Officer(alice()), Event::Block),
            Err(TransitionError::Closed)
        );
        assert_eq!(
            next(ConversationState::Waiting, Actor::Visitor, Event::Block),
            Err(TransitionError::NotAllowed)
        );
    }

    #[test]
    fn an_officer_takes_chats_up_to_their_capacity_and_no_more() {
        assert_eq!(may_take_another(0, 3), Ok(()));
        assert_eq!(may_take_another(2, 3), Ok(()));
        assert_eq!(may_take_another(3, 3), Err(TransitionError::AtCapacity));
        assert_eq!(may_take_another(0, 0), Ok(()), "a capacity is at least one");
        assert_eq!(may_take_another(20, 99), Err(TransitionError::AtCapacity));
    }

    #[test]
    fn the_visitor_token_works_only_while_waiting_or_active() {
        assert!(ConversationState::Waiting.visitor_may_connect());
        assert!(active().visitor_may_connect());
        assert!(!left().visitor_may_connect());
        assert!(!closed().visitor_may_connect());
    }

    #[test]
    fn states_round_trip_through_their_stored_parts() {
        for s in [ConversationState::Waiting, active(), left(), closed()] {
            let outcome = match s {
                ConversationState::Closed { outcome, .. } => Some(outcome),
                _ => None,
            };
            assert_eq!(
                ConversationState::from_parts(s.name(), s.officer(), outcome),
                Some(s)
            );
            assert_eq!(StateName::parse(s.name().as_str()), Some(s.name()));
        }
        assert_eq!(
            ConversationState::from_parts(StateName::Active, None, None),
            None
        );
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }

    fn any_actor() -> impl Strategy<Value = Actor> {
        prop_oneof![
            Just(Actor::Visitor),
            Just(Actor::Officer(alice())),
            Just(Actor::Officer(bob())),
        ]
    }

    fn any_event() -> impl Strategy<Value = Event> {
        prop_oneof![
            Just(Event::Claim),
            Just(Event::Write),
            Just(Event::QuickExit),
            Just(Event::Block),
            Just(Event::Release { to_force: None }),
            Just(Event::Return),
            Just(Event::TakeOver { from: alice() }),
            Just(Event::TakeOver { from: bob() }),
            Just(Event::Transfer { to: alice() }),
            Just(Event::Transfer { to: bob() }),
            (0usize..Outcome::ALL.len()).prop_map(|i| Event::Close(Outcome::ALL[i])),
        ]
    }

    #[test]
    fn the_owner_gives_an_active_or_left_chat_back_to_the_queue_and_nobody_else_can() {
        let release = Event::Release { to_force: None };
        assert_eq!(
            next(active(), Actor::Officer(alice()), release),
            Ok(ConversationState::Waiting)
        );
        assert_eq!(
            next(active(), Actor::Officer(bob()), release),
            Err(TransitionError::NotOwner)
        );
        assert_eq!(
            next(left(), Actor::Officer(alice()), release),
            Ok(ConversationState::Waiting)
        );
        assert_eq!(
            next(left(), Actor::Officer(bob()), release),
            Err(TransitionError::NotOwner)
        );
        assert_eq!(
            next(active(), Actor::Visitor, release),
            Err(TransitionError::NotAllowed)
        );
    }

    #[test]
    fn a_transfer_hands_the_chat_to_another_officer_in_the_same_state() {
        let to_bob = Event::Transfer { to: bob() };
        assert_eq!(
            next(active(), Actor::Officer(alice()), to_bob),
            Ok(ConversationState::Active { officer: bob() })
        );
        assert_eq!(
            next(left(), Actor::Officer(alice()), to_bob),
            Ok(ConversationState::VisitorLeft { officer: bob() })
        );
        assert_eq!(
            next(active(), Actor::Officer(bob()), to_bob),
            Err(TransitionError::NotOwner)
        );
        assert_eq!(
            next(
                active(),
                Actor::Officer(alice()),
                Event::Transfer { to: alice() }
            ),
            Err(TransitionError::NotAllowed)
        );
        assert_eq!(
            next(closed(), Actor::Officer(alice()), to_bob),
            Err(TransitionError::Closed)
        );
    }

    #[test]
    fn a_visitor_who_comes_back_with_the_code_gets_the_chat_back_where_it_was() {
        assert_eq!(next(left(), Actor::Visitor, Event::Return), Ok(active()));
        let left_while_waiting = ConversationState::Closed {
            outcome: Outcome::VisitorLeft,
            officer: None,
        };
        assert_eq!(
            next(left_while_waiting, Actor::Visitor, Event::Return),
            Ok(ConversationState::Waiting)
        );
        assert_eq!(next(active(), Actor::Visitor, Event::Return), Ok(active()));
        assert_eq!(
            next(closed(), Actor::Visitor, Event::Return),
            Err(TransitionError::Closed)
        );
        assert_eq!(
            next(active(), Actor::Officer(alice()), Event::Return),
            Err(TransitionError::NotAllowed)
        );
    }

    #[test]
    fn a_take_over_of_a_chat_that_changed_hands_meanwhile_is_refused() {
        let charlie = UserId(uuid::Uuid::from_u128(3));
        assert_eq!(
            next(
                active(),
                Actor::Officer(charlie),
                Event::TakeOver { from: bob() }
            ),
            Err(TransitionError::NotOwner)
        );
    }

    #[test]
    fn a_take_over_moves_an_open_chat_to_the_one_taking_it() {
        assert_eq!(
            next(
                active(),
                Actor::Officer(bob()),
                Event::TakeOver { from: alice() }
            ),
            Ok(ConversationState::Active { officer: bob() })
        );
        assert_eq!(
            next(
                active(),
                Actor::Officer(alice()),
                Event::TakeOver { from: alice() }
            ),
            Err(TransitionError::NotAllowed)
        );
        assert_eq!(
            next(
                ConversationState::Waiting,
                Actor::Officer(bob()),
                Event::TakeOver { from: alice() }
            ),
            Err(TransitionError::NotClaimed)
        );
    }

    proptest! {
        /// Whatever happens, in any order: the owner changes only by a claim of a waiting chat,
        /// a transfer by the owner, a take-over or a release by the owner; a chat goes back to
        /// the queue only by its owner's release; a closed conversation never reopens.
        #[test]
        fn ownership_changes_only_by_the_rules_and_closed_is_final(
            steps in proptest::collection::vec((any_actor(), any_event()), 0..60)
        ) {
            let mut state = ConversationState::Waiting;
            for (actor, event) in steps {
                let before = state;
                if let Ok(t) = state.apply(actor, event) {
                    state = t.next;
                }
                // Closed is final, but for a visitor coming back to a chat they left while it
                // was still waiting (nobody had read it): it waits again.
                if matches!(before, ConversationState::Closed { .. }) && state != before {
                    prop_assert_eq!(event, Event::Return);
                    prop_assert_eq!(before, ConversationState::Closed { outcome: Outcome::VisitorLeft, officer: None });
                    prop_assert_eq!(state, ConversationState::Waiting);
                }
                let owner_before = match before {
                    ConversationState::Closed { .. } => None,
                    s => s.officer(),
                };
                let owner_after = match state {
                    ConversationState::Closed { .. } => None,
                    s => s.officer(),
                };
                if state != before && !matches!(state, ConversationState::Closed { .. })
                    && owner_after != owner_before
                {
                    let Actor::Officer(who) = actor else {
                        return Err(TestCaseError::fail("a visitor changed the owner"));
                    };
                    match event {
                        Event::Claim => prop_assert!(owner_before.is_none() && owner_after == Some(who)),
                        Event::Transfer { to } => {
                            prop_assert_eq!(owner_before, Some(who));
                            prop_assert_eq!(owner_after, Some(to));
                        }
                        Event::TakeOver { from } => {
                            prop_assert_eq!(owner_before, Some(from));
                            prop_assert_eq!(owner_after, Some(who));
                        }
                        Event::Release { .. } => {
                            prop_assert_eq!(owner_before, Some(who));
                            prop_assert_eq!(state, ConversationState::Waiting);
                        }
                        other => return Err(TestCaseError::fail(format!("{other:?} changed the owner"))),
                    }
                }
                if state == ConversationState::Waiting && before != ConversationState::Waiting {
                    prop_assert!(
                        matches!(event, Event::Release { .. } | Event::Return),
                        "back to the queue by {:?}",
                        event
                    );
                }
            }
        }
    }

    #[test]
    fn a_forwarded_report_and_a_chat_left_unread_keep_their_return_code_and_no_other_closed_chat_does()
     {
        let officer = Some(UserId::new());
        let closed = |outcome, officer| ConversationState::Closed { outcome, officer };
        assert!(closed(Outcome::ReportForwarded, officer).keeps_return_code());
        assert!(closed(Outcome::VisitorLeft, None).keeps_return_code());
        assert!(!closed(Outcome::VisitorLeft, officer).keeps_return_code());
        assert!(!closed(Outcome::Blocked, officer).keeps_return_code());
        assert!(!closed(Outcome::InformationGiven, officer).keeps_return_code());
        assert!(ConversationState::Waiting.keeps_return_code());
    }
}
