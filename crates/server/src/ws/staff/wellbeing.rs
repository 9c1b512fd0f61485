//! Wellbeing on the console (docs/WELLBEING.md): each officer is sent their exposure and their
//! break when either changes; supervisors are sent every officer's, longest without a break
//! first. Checked every [`WELLBEING_EVERY`], from what this node last measured.

use super::*;
use crate::ws::frames::{WellbeingLineOut, WellbeingOut};

/// How often a console's wellbeing is checked.
pub const WELLBEING_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

/// What a console was last sent.
#[derive(Default)]
pub struct WellbeingSent {
    mine: Option<WellbeingOut>,
    board: Option<Vec<WellbeingLineOut>>,
}

impl Session {
    /// Sends this officer's exposure and break, and for supervisors the panel, when changed.
    pub(super) async fn send_wellbeing(&mut self, sent: &mut WellbeingSent) -> bool {
        let me = self.staff.user.id;
        let router = self.state.presence.clone();
        let exposures = router.exposures();
        let rule = exposures.rule();
        let exposure = exposures.of(me);
        let break_since = if router.presence(me) == Presence::Break {
            match self.state.chat.break_since(me).await {
                Ok(since) => since,
                // The database cannot say now: try again at the next check.
                Err(_) => return true,
            }
        } else {
            None
        };
        let mine = WellbeingOut {
            weighted_minutes: exposure.weighted_minutes(),
            threshold: rule.threshold,
            window_mins: rule.window.whole_minutes(),
            over: rule.over(&exposure),
            break_since,
        };
        if sent.mine.as_ref() != Some(&mine) {
            sent.mine = Some(mine.clone());
            if !self.conn.send(&StaffOut::Wellbeing(mine)).await {
                return false;
            }
        }
        if !supervises(self.staff.user.role) {
            return true;
        }
        let Some(loads) = router.loads(&self.state.chat).await else {
            return true;
        };
        let officers: Vec<_> = loads
            .iter()
            .filter(|(l, _)| l.user.role != Role::Admin)
            .collect();
        let ids: Vec<UserId> = officers.iter().map(|(l, _)| l.user.id).collect();
        let Ok(lines) = self.state.chat.wellbeing_lines(&ids, exposures).await else {
            return true;
        };
        let board: Vec<WellbeingLineOut> = lines
            .into_iter()
            .filter_map(|line| {
                let (load, presence) = officers.iter().find(|(l, _)| l.user.id == line.officer)?;
                let open_break = line.last_break.filter(|b| b.ended_at.is_none());
                Some(WellbeingLineOut {
                    id: line.officer,
                    display_name: load.user.display_name.clone(),
                    presence: *presence,
                    weighted_minutes: line.exposure.weighted_minutes(),
                    chat_minutes: line.exposure.chat_minutes(),
                    over: line.over,
                    on_break_since: open_break.map(|b| b.started_at),
                    last_break_ended: line.last_break.and_then(|b| b.ended_at),
                })
            })
            .collect();
        if sent.board.as_ref() == Some(&board) {
            return true;
        }
        sent.board = Some(board.clone());
        self.conn
            .send(&StaffOut::WellbeingBoard { officers: board })
            .await
    }
}
