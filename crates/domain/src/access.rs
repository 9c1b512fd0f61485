//! Who may read a conversation again once it is closed.

use crate::{Role, UserId};
use time::{Duration, OffsetDateTime};

/// How long the officer who closed a chat may read it again by default.
pub const DEFAULT_REREAD_DAYS: u32 = 30;

/// Whether `reader` may read again a chat closed by `closed_by` at `closed_at`: supervisors and
/// administrators any closed chat still kept (its retention decides how long); an officer only
/// the chats they closed, for `officer_days` days. Nobody else, and no officer another's; a
/// unit's account reads dossiers, never chats.
pub fn may_reread(
    reader: UserId,
    role: Role,
    closed_by: Option<UserId>,
    closed_at: OffsetDateTime,
    now: OffsetDateTime,
    officer_days: u32,
) -> bool {
    match role {
        Role::Supervisor | Role::Admin => true,
        Role::Officer => {
            closed_by == Some(reader) && now - closed_at <= Duration::days(officer_days.into())
        }
        Role::Unit => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_officer_rereads_only_their_own_closed_chats_and_only_for_a_while() {
        let (me, colleague) = (UserId::new(), UserId::new());
        let closed = OffsetDateTime::now_utc();
        let after = |d: i64| closed + Duration::days(d);
        assert!(may_reread(
            me,
            Role::Officer,
            Some(me),
            closed,
            after(0),
            30
        ));
        assert!(may_reread(
            me,
            Role::Officer,
            Some(me),
            closed,
            after(30),
            30
        ));
        assert!(!may_reread(
            me,
            Role::Officer,
            Some(me),
            closed,
            after(31),
            30
        ));
        assert!(!may_reread(
            me,
            Role::Officer,
            Some(colleague),
            closed,
            after(1),
            30
        ));
        assert!(
            !may_reread(me, Role::Officer, None, closed, after(1), 30),
            "never answered"
        );
        assert!(
            !may_reread(me, Role::Unit, Some(me), closed, after(1), 30),
            "a unit's account reads no chat"
        );
        assert!(!may_reread(
            me,
            Role::Officer,
            Some(me),
            closed,
            after(1),
            0
        ));
    }

    #[test]
    fn supervisors_and_administrators_reread_any_closed_chat_still_kept() {
        let (boss, officer) = (UserId::new(), UserId::new());
        let closed = OffsetDateTime::now_utc() - Duration::days(400);
        let now = OffsetDateTime::now_utc();
        for role in [Role::Supervisor, Role::Admin] {
            assert!(may_reread(boss, role, Some(officer), closed, now, 30));
            assert!(may_reread(boss, role, None, closed, now, 0));
        }
    }
}
