//! The supervisors' part of the console: the board, silent monitoring, what a followed chat
//! says.

use super::*;

impl Session {
    /// What supervisors hear besides their own chats: notes of the chat they follow.
    pub(super) async fn handle_supervision(&mut self, event: &BusEvent) -> bool {
        match event {
            BusEvent::Note(n) => {
                // Their own chats' notes come on their own topic.
                if self.chats.contains_key(&n.conversation) {
                    return true;
                }
                let Some(m) = self.monitored.as_ref().filter(|m| m.id == n.conversation) else {
                    return true;
                };
                match open_note_event(&m.key, n) {
                    Ok(note) => self.conn.send(&StaffOut::Note(NoteOut::from(note))).await,
                    Err(_) => true,
                }
            }
            _ => true,
        }
    }

    /// An event of the chat a supervisor follows.
    pub(super) async fn handle_monitored(&mut self, event: &BusEvent) -> bool {
        let Some(m) = self.monitored.as_mut() else {
            return true;
        };
        match event {
            BusEvent::Message(msg) => {
                if msg.seq <= m.delivered {
                    return true;
                }
                if msg.seq > m.delivered + 1 {
                    return self.monitor_catch_up().await;
                }
                m.delivered = msg.seq;
                match open_message(msg.conversation, &m.key, msg.clone()) {
                    Ok(plain) => {
                        self.conn
                            .send(&StaffOut::Message(MessageOut::for_staff(plain)))
                            .await
                    }
                    Err(_) => true,
                }
            }
            BusEvent::StateChanged {
                conversation,
                state,
                officer_name,
                ..
            } => {
                self.conn
                    .send(&StaffOut::MonitorState {
                        conversation_id: *conversation,
                        state: *state,
                        officer_name: officer_name.clone(),
                    })
                    .await
            }
            _ => true,
        }
    }

    /// Sends the followed chat's messages not yet sent.
    pub(super) async fn monitor_catch_up(&mut self) -> bool {
        loop {
            let Some(m) = self.monitored.as_ref() else {
                return true;
            };
            let (id, key, after) = (m.id, m.key.clone(), m.delivered);
            let page = match self.state.chat.history(id, &key, after).await {
                Ok(p) => p,
                Err(e) => return self.refuse(about(api_error_out(&e), id)).await,
            };
            let full = page.len() == crate::service::PAGE as usize;
            for msg in page {
                if let Some(m) = self.monitored.as_mut() {
                    m.delivered = m.delivered.max(msg.seq);
                }
                if !self
                    .conn
                    .send(&StaffOut::Message(MessageOut::for_staff(msg)))
                    .await
                {
                    return false;
                }
            }
            if !full {
                return true;
            }
        }
    }

    /// Starts following a chat silently: recorded in the audit log before anything of it is
    /// sent; then its history and notes, then its live messages.
    pub(super) async fn monitor(&mut self, id: ConversationId) -> bool {
        let watched = match self.state.chat.monitor(&self.staff.user, id).await {
            Ok(w) => w,
            Err(e) => return self.refuse(about(api_error_out(&e), id)).await,
        };
        let crate::service::supervision::Watched {
            conversation: c,
            key,
            events,
        } = watched;
        self.monitored = Some(Monitored {
            id,
            key: key.clone(),
            delivered: 0,
            events,
        });
        if !self
            .conn
            .send(&StaffOut::Monitoring {
                chat: ChatOut::from(&c),
            })
            .await
        {
            return false;
        }
        if !self.monitor_catch_up().await {
            return false;
        }
        self.send_notes(id, &key).await
    }

    pub(super) async fn send_board(&mut self) -> bool {
        let Some(board) = build_board(&self.state).await else {
            return true;
        };
        if self.last_board.as_ref() == Some(&board) {
            return true;
        }
        self.last_board = Some(board.clone());
        self.conn.send(&StaffOut::Board(board)).await
    }
}

pub(super) fn colleague(l: ecoute_store::StaffLoad, presence: Presence) -> ColleagueOut {
    ColleagueOut {
        id: l.user.id,
        display_name: l.user.display_name,
        role: l.user.role,
        force: l.user.skills.force,
        minors: l.user.skills.minors,
        languages: l.user.skills.languages,
        presence,
        open: l.open,
        capacity: l.user.capacity,
    }
}

/// The supervisors' board: staff, live chats and the day's figures. `None` when the store
/// cannot be read (the board keeps what it showed).
pub async fn build_board(state: &AppState) -> Option<BoardOut> {
    let loads = state.presence.loads(&state.chat).await?;
    let board = state.chat.board().await.ok()?;
    let (chats, since, f) = (board.chats, board.since, board.figures);
    let (dossiers_overdue, dossier_ack_hours) = (board.overdue_dossiers, board.dossier_ack_hours);
    let mut waits = f.waits_secs.clone();
    waits.sort_unstable();
    let median = match waits.len() {
        0 => None,
        n if n % 2 == 1 => Some(waits[n / 2]),
        n => Some((waits[n / 2 - 1] + waits[n / 2]) / 2),
    };
    Some(BoardOut {
        staff: loads
            .into_iter()
            .filter(|(l, _)| l.user.role != Role::Admin)
            .map(|(l, p)| colleague(l, p))
            .collect(),
        chats: chats.iter().map(BoardChatOut::from).collect(),
        figures: FiguresOut {
            since,
            started: f.started,
            waiting: f.waiting,
            handled: f.handled,
            left_unanswered: f.left_unanswered,
            longest_wait_secs: waits.last().copied(),
            median_wait_secs: median,
        },
        dossiers_overdue,
        dossier_ack_hours,
    })
}
