//! Shifts (docs/SHIFTS.md): where a chat may go when its officer ends their shift, how a
//! console starts, what becomes of a chat whose visitor left once its officer is gone, and the
//! day's presence cut into a timeline.

use crate::{Presence, Role, StateName, UserId};
use time::OffsetDateTime;

/// Where an officer ending their shift sends one of their chats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoverTo {
    /// Back to the queue, with its history and its place: the next officer answers.
    Queue,
    /// To a named colleague at a console, who owns it at once.
    Colleague(UserId),
    /// A chat whose visitor left: to the supervisors, who see it on the board among the chats
    /// to wrap up, take it over and close it.
    WrapUp,
}

/// Why a chat cannot go where it was sent at the end of a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HandoverError {
    /// The visitor left: nobody in the queue could answer them, and the chat needs an officer
    /// to close it (or the visitor's return, which finds it with an officer).
    #[error("the visitor left this chat: hand it to a colleague or to the supervisors")]
    VisitorLeftNotQueued,
    /// A live chat left to the supervisors would go unanswered: it goes to the queue or a
    /// colleague.
    #[error("the visitor is still there: send this chat to the queue or to a colleague")]
    LiveChatNotWrappedUp,
    /// The officer does not hold this chat (any more).
    #[error("this chat is not yours any more")]
    NotHeld,
}

impl HandoverError {
    /// The stable error code sent to clients.
    pub fn code(self) -> &'static str {
        match self {
            Self::VisitorLeftNotQueued => "visitor_left_not_queued",
            Self::LiveChatNotWrappedUp => "live_chat_not_wrapped_up",
            Self::NotHeld => "not_found",
        }
    }
}

/// Whether a chat in `state` may go to `to` at the end of its officer's shift.
pub fn check_handover(state: StateName, to: HandoverTo) -> Result<(), HandoverError> {
    match (state, to) {
        (StateName::Active, HandoverTo::Queue | HandoverTo::Colleague(_)) => Ok(()),
        (StateName::Active, HandoverTo::WrapUp) => Err(HandoverError::LiveChatNotWrappedUp),
        (StateName::VisitorLeft, HandoverTo::Colleague(_) | HandoverTo::WrapUp) => Ok(()),
        (StateName::VisitorLeft, HandoverTo::Queue) => Err(HandoverError::VisitorLeftNotQueued),
        (StateName::Waiting | StateName::Closed, _) => Err(HandoverError::NotHeld),
    }
}

/// How a console opens for someone this server has not seen yet: officers answer at once;
/// supervisors and administrators, whose first work is the board, receive no offer and do not
/// count in the wait estimate until they choose "Disponible" themselves.
pub fn starting_presence(role: Role) -> Presence {
    match role {
        Role::Officer => Presence::Available,
        _ => Presence::Paused,
    }
}

/// Whether a chat in `state` is waiting to be wrapped up by a supervisor: its visitor left and
/// its officer is off duty (their shift ended, or their console gone past the requeue delay).
/// A live chat of an absent officer goes back to the queue instead; a left one cannot (nobody
/// could answer), and closing it is a decision about the person's safety that the server does
/// not take alone.
pub fn awaits_wrap_up(state: StateName, officer_on_duty: bool) -> bool {
    state == StateName::VisitorLeft && !officer_on_duty
}

/// One stretch of presence as the timeline draws it: seconds from the start of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayStretch {
    /// The presence's stable name.
    pub state: String,
    /// Seconds from the start of the day.
    pub from: i64,
    /// Seconds from the start of the day (at most the day's length, or now).
    pub to: i64,
}

/// Cuts spans (`state`, start, end or `None` while open) to the day that starts at
/// `day_start` and lasts `day_len`, an open span ending at `now`. Empty stretches are dropped.
pub fn stretches_of_day(
    spans: &[(String, OffsetDateTime, Option<OffsetDateTime>)],
    day_start: OffsetDateTime,
    day_len: time::Duration,
    now: OffsetDateTime,
) -> Vec<DayStretch> {
    let day_end = day_start + day_len;
    let mut out: Vec<DayStretch> = spans
        .iter()
        .filter_map(|(state, from, to)| {
            let from = (*from).max(day_start);
            let to = to.unwrap_or(now).min(day_end).min(now.max(day_start));
            (to > from).then(|| DayStretch {
                state: state.clone(),
                from: (from - day_start).whole_seconds(),
                to: (to - day_start).whole_seconds(),
            })
        })
        .collect();
    out.sort_by_key(|s| s.from);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    fn someone() -> UserId {
        UserId(uuid::Uuid::from_u128(7))
    }

    #[test]
    fn a_live_chat_goes_to_the_queue_or_a_colleague_never_to_the_wrap_up() {
        assert_eq!(check_handover(StateName::Active, HandoverTo::Queue), Ok(()));
        assert_eq!(
            check_handover(StateName::Active, HandoverTo::Colleague(someone())),
            Ok(())
        );
        assert_eq!(
            check_handover(StateName::Active, HandoverTo::WrapUp),
            Err(HandoverError::LiveChatNotWrappedUp)
        );
    }

    #[test]
    fn a_chat_the_visitor_left_goes_to_a_colleague_or_the_supervisors_never_the_queue() {
        assert_eq!(
            check_handover(StateName::VisitorLeft, HandoverTo::Queue),
            Err(HandoverError::VisitorLeftNotQueued)
        );
        assert_eq!(
            check_handover(StateName::VisitorLeft, HandoverTo::WrapUp),
            Ok(())
        );
        assert_eq!(
            check_handover(StateName::VisitorLeft, HandoverTo::Colleague(someone())),
            Ok(())
        );
    }

    #[test]
    fn a_chat_not_held_cannot_be_handed_anywhere() {
        for state in [StateName::Waiting, StateName::Closed] {
            for to in [
                HandoverTo::Queue,
                HandoverTo::WrapUp,
                HandoverTo::Colleague(someone()),
            ] {
                assert_eq!(check_handover(state, to), Err(HandoverError::NotHeld));
            }
        }
    }

    #[test]
    fn officers_start_available_and_supervisors_and_administrators_paused() {
        assert_eq!(starting_presence(Role::Officer), Presence::Available);
        assert_eq!(starting_presence(Role::Supervisor), Presence::Paused);
        assert_eq!(starting_presence(Role::Admin), Presence::Paused);
    }

    #[test]
    fn only_a_left_chat_of_an_officer_off_duty_awaits_wrap_up() {
        assert!(awaits_wrap_up(StateName::VisitorLeft, false));
        assert!(!awaits_wrap_up(StateName::VisitorLeft, true));
        for state in [StateName::Active, StateName::Waiting, StateName::Closed] {
            assert!(!awaits_wrap_up(state, false));
        }
    }

    #[test]
    fn spans_are_cut_to_the_day_and_an_open_one_ends_now() {
        let day = OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap();
        let h = Duration::hours;
        let spans = vec![
            // From yesterday evening to 2 a.m.
            ("available".to_string(), day - h(3), Some(day + h(2))),
            ("paused".to_string(), day + h(2), Some(day + h(2))),
            ("break".to_string(), day + h(3), Some(day + h(4))),
            ("available".to_string(), day + h(4), None),
        ];
        let now = day + h(6);
        assert_eq!(
            stretches_of_day(&spans, day, h(24), now),
            vec![
                DayStretch {
                    state: "available".into(),
                    from: 0,
                    to: 7200
                },
                DayStretch {
                    state: "break".into(),
                    from: 3 * 3600,
                    to: 4 * 3600
                },
                DayStretch {
                    state: "available".into(),
                    from: 4 * 3600,
                    to: 6 * 3600
                },
            ]
        );
        // A day in the past: an open span runs to the day's end, not beyond.
        let later = day + h(30);
        let cut = stretches_of_day(&spans, day, h(24), later);
        assert_eq!(cut.last().map(|s| s.to), Some(24 * 3600));
    }
}
