//! Closed chats read again: the list of those the reader may open, and one chat whole. The
//! service decides who may read what and audits each reading; these pages only show it.

use crate::auth::Staff;
use crate::http::guard::Page;
use crate::http::locale::StaffLocale;
use crate::http::pages::render_with;
use crate::i18n::Tr;
use crate::service::archive::ClosedChat;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ecoute_domain::{Author, ConversationId, ConversationState, Outcome};
use ecoute_store::Conversation;

/// The short reference the console shows for a chat.
fn reference(id: ConversationId) -> String {
    id.to_string()[..8].to_uppercase()
}

fn outcome_label(t: &Tr, outcome: Outcome) -> String {
    t.s(match outcome {
        Outcome::InformationGiven => "outcome-information-given",
        Outcome::ReferredToSupport => "outcome-referred",
        Outcome::ReportForwarded => "outcome-forwarded",
        Outcome::InterventionRequested => "outcome-intervention",
        Outcome::VisitorLeft => "outcome-visitor-left",
        Outcome::Blocked => "outcome-blocked",
    })
}

fn outcome_of(t: &Tr, c: &Conversation) -> String {
    match c.state {
        ConversationState::Closed { outcome, .. } => outcome_label(t, outcome),
        _ => String::new(),
    }
}

struct ClosedRow {
    id: String,
    reference: String,
    closed_at: String,
    outcome: String,
    officer: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    t: Tr,
    intro: String,
    rows: Vec<ClosedRow>,
}

struct LineRow {
    at: String,
    author: String,
    officer: bool,
    body: String,
}

#[derive(Template)]
#[template(path = "transcript.html")]
struct TranscriptPage {
    t: Tr,
    reference: String,
    opened: String,
    closed: String,
    outcome: String,
    officer: String,
    facts: Vec<String>,
    forwarded_to: Option<String>,
    messages: Vec<LineRow>,
    notes: Vec<LineRow>,
    /// The zone its times are given in.
    zone: String,
}

/// The closed chats the caller may read again.
pub async fn list(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(staff): Page<Staff>,
) -> Response {
    let days = state.config.reread_days;
    let chats = match state.chat.closed_chats(&staff.user, days).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let t = locale.tr();
    let zone = &state.config.time_zone;
    let rows = chats
        .iter()
        .map(|c| ClosedRow {
            id: c.id.to_string(),
            reference: reference(c.id),
            closed_at: c.closed_at.map(|at| zone.day_time(at)).unwrap_or_default(),
            outcome: outcome_of(&t, c),
            officer: c.officer_name.clone().unwrap_or_default(),
        })
        .collect();
    let intro = if crate::service::supervision::supervises(staff.user.role) {
        t.s("history-intro-supervisor")
    } else {
        t.n("history-intro-officer", "days", days.into())
    };
    render_with(&HistoryPage { t, intro, rows }, StatusCode::OK)
}

/// One closed chat, whole; `404` when the caller may not read it.
pub async fn transcript(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(staff): Page<Staff>,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<ConversationId>() else {
        return crate::error::ApiError::NotFound.into_response();
    };
    let chat = match state
        .chat
        .reread(&staff.user, id, state.config.reread_days)
        .await
    {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let t = locale.tr();
    let page = transcript_page(t, &state.config.time_zone, chat);
    render_with(&page, StatusCode::OK)
}

/// A closed chat as its page shows it, every time in the service's zone.
fn transcript_page(t: Tr, zone: &crate::zone::ServiceZone, chat: ClosedChat) -> TranscriptPage {
    let c = &chat.conversation;
    let visitor = t.s("history-visitor");
    let messages = chat
        .messages
        .into_iter()
        .map(|m| LineRow {
            at: zone.day_time(m.sent_at),
            officer: m.author == Author::Officer,
            author: match m.author {
                Author::Visitor => visitor.clone(),
                Author::Officer => m.officer_name.unwrap_or_default(),
            },
            body: m.body,
        })
        .collect();
    let notes = chat
        .notes
        .into_iter()
        .map(|n| LineRow {
            at: zone.day_time(n.at),
            officer: true,
            author: format!(
                "{} · {}",
                n.author_name.unwrap_or_default(),
                t.s(&format!("history-note-{}", n.kind))
            ),
            body: n.body,
        })
        .collect();
    let facts = chat
        .case
        .qualification
        .iter()
        .flat_map(|q| q.facts.iter())
        .filter_map(|f| serde_json::to_value(f).ok())
        .filter_map(|v| {
            v.as_str()
                .map(|s| t.s(&format!("fact-{}", s.replace('_', "-"))))
        })
        .collect();
    TranscriptPage {
        reference: reference(c.id),
        opened: zone.day_time(c.created_at),
        closed: c.closed_at.map(|at| zone.day_time(at)).unwrap_or_default(),
        zone: zone.name().to_string(),
        outcome: outcome_of(&t, c),
        officer: c.officer_name.clone().unwrap_or_default(),
        facts,
        forwarded_to: chat.forwarded_to,
        messages,
        notes,
        t,
    }
}
