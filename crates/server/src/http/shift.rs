//! Shifts (docs/SHIFTS.md): the end-of-shift dialog's data and action, starting a shift
//! again, and the supervisors' view of who is on duty and of the day's presence (JSON, an
//! HTML fragment the board shows, and a page of its own readable without scripts). The
//! service decides and audits; these handlers translate.

use crate::auth::Staff;
use crate::error::ApiError;
use crate::http::api::json_body;
use crate::http::guard::{Page, SameOrigin, Supervisor};
use crate::http::locale::StaffLocale;
use crate::http::pages::render_with;
use crate::i18n::Tr;
use crate::service::shift::{DutyBoard, ShiftHandover};
use crate::state::AppState;
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::Response;
use ecoute_domain::{ConversationId, HandoverTo, MessageBody, Presence, StateName, UserId};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

/// The short reference the console shows for a chat.
fn reference(id: ConversationId) -> String {
    id.to_string()[..8].to_uppercase()
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// A time of day in Paris, `HH:MM`.
fn paris_clock(t: OffsetDateTime) -> String {
    let p = t.to_offset(ecoute_dossier::paris::paris_offset(t));
    format!("{:02}:{:02}", p.hour(), p.minute())
}

/// A chat held, as the end-of-shift dialog lists it.
#[derive(Serialize, ToSchema)]
pub struct HeldChat {
    conversation_id: ConversationId,
    reference: String,
    state: StateName,
}

/// A colleague a chat may be handed to.
#[derive(Serialize, ToSchema)]
pub struct ColleagueItem {
    id: UserId,
    display_name: String,
    presence: Presence,
    open: u32,
    capacity: u32,
    /// At a console, shift not ended, with a free place: a chat may go to them now.
    may_take: bool,
}

/// What the end-of-shift dialog needs.
#[derive(Serialize, ToSchema)]
pub struct ShiftViewOut {
    presence: Presence,
    chats: Vec<HeldChat>,
    colleagues: Vec<ColleagueItem>,
}

fn held(c: &ecoute_store::Conversation) -> HeldChat {
    HeldChat {
        conversation_id: c.id,
        reference: reference(c.id),
        state: c.state.name(),
    }
}

/// `GET /api/staff/shift`: the chats the caller holds and the colleagues they may go to.
#[utoipa::path(get, path = "/api/staff/shift", tag = "staff",
    responses(
        (status = 200, description = "The chats the caller holds and the colleagues they may go to", body = ShiftViewOut),
        (status = 401, description = "unauthenticated", body = crate::error::ErrorBody),
        (status = 403, description = "forbidden (unit accounts) or totp_enrolment_required", body = crate::error::ErrorBody),
    ))]
pub async fn view(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Json<ShiftViewOut>, ApiError> {
    let view = state.chat.shift_view(&state.presence, &staff.user).await?;
    Ok(Json(ShiftViewOut {
        presence: state.presence.presence(staff.user.id),
        chats: view.chats.iter().map(held).collect(),
        colleagues: view
            .colleagues
            .into_iter()
            .map(|(l, presence, may_take)| ColleagueItem {
                id: l.user.id,
                display_name: l.user.display_name,
                presence,
                open: l.open,
                capacity: l.user.capacity,
                may_take,
            })
            .collect(),
    }))
}

/// Where one chat goes.
/// Where one chat goes: `queue`, `colleague` (with `colleague_id`) or `wrap_up` (a chat the
/// visitor left, to the supervisors).
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    Queue,
    Colleague,
    WrapUp,
}

/// One chat's destination, with the note for whoever takes it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverIn {
    conversation_id: ConversationId,
    to: Destination,
    #[serde(default)]
    colleague_id: Option<UserId>,
    #[serde(default)]
    note: String,
}

/// The end of a shift: where each chat goes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndShiftIn {
    handovers: Vec<HandoverIn>,
}

/// One chat's result.
#[derive(Serialize, ToSchema)]
pub struct HandoverOut {
    conversation_id: ConversationId,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// What the end of a shift did.
#[derive(Serialize, ToSchema)]
pub struct EndShiftOut {
    ended: bool,
    presence: Presence,
    results: Vec<HandoverOut>,
    remaining: Vec<HeldChat>,
}

/// Most chats one request may hand (more than anyone may hold).
const MAX_HANDOVERS: usize = 40;

fn parse_handovers(input: EndShiftIn) -> Result<Vec<ShiftHandover>, ApiError> {
    if input.handovers.len() > MAX_HANDOVERS {
        return Err(ApiError::BadRequest(format!(
            "at most {MAX_HANDOVERS} chats at once"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    input
        .handovers
        .into_iter()
        .map(|h| {
            if !seen.insert(h.conversation_id) {
                return Err(ApiError::BadRequest(format!(
                    "chat {} is named twice",
                    h.conversation_id
                )));
            }
            let to = match (h.to, h.colleague_id) {
                (Destination::Colleague, Some(id)) => HandoverTo::Colleague(id),
                (Destination::Colleague, None) => {
                    return Err(ApiError::BadRequest(
                        "a chat sent to a colleague names them in `colleague_id`".into(),
                    ));
                }
                (_, Some(_)) => {
                    return Err(ApiError::BadRequest(
                        "`colleague_id` goes only with `to: colleague`".into(),
                    ));
                }
                (Destination::Queue, None) => HandoverTo::Queue,
                (Destination::WrapUp, None) => HandoverTo::WrapUp,
            };
            let note = if h.note.trim().is_empty() {
                None
            } else {
                Some(MessageBody::parse(h.note)?)
            };
            Ok(ShiftHandover {
                conversation: h.conversation_id,
                to,
                note,
            })
        })
        .collect()
}

/// `POST /api/staff/shift/end`: hands each chat as asked, then ends the shift if none is left.
/// A malformed request changes nothing; a chat refused stays with the caller, with its reason.
#[utoipa::path(post, path = "/api/staff/shift/end", tag = "staff", request_body = EndShiftIn,
    responses(
        (status = 200, description = "Each chat handed or refused (it then stays with the caller); `ended` once none is left", body = EndShiftOut),
        (status = 400, description = "invalid_request: nothing was changed", body = crate::error::ErrorBody),
        (status = 401, description = "unauthenticated", body = crate::error::ErrorBody),
        (status = 403, description = "bad_origin, forbidden (unit accounts) or totp_enrolment_required", body = crate::error::ErrorBody),
    ))]
pub async fn end(
    State(state): State<AppState>,
    _: SameOrigin,
    staff: Staff,
    body: Result<Json<EndShiftIn>, JsonRejection>,
) -> Result<Json<EndShiftOut>, ApiError> {
    let handovers = parse_handovers(json_body(body)?)?;
    let done = state
        .chat
        .end_shift(&state.presence, &staff.user, handovers)
        .await?;
    Ok(Json(EndShiftOut {
        ended: done.ended,
        presence: state.presence.presence(staff.user.id),
        results: done
            .results
            .into_iter()
            .map(|(id, r)| match r {
                Ok(()) => HandoverOut {
                    conversation_id: id,
                    ok: true,
                    error: None,
                    message: None,
                },
                Err(e) => HandoverOut {
                    conversation_id: id,
                    ok: false,
                    error: Some(e.code()),
                    message: Some(e.message()),
                },
            })
            .collect(),
        remaining: done.remaining.iter().map(held).collect(),
    }))
}

/// The presence a shift starts with.
#[derive(Serialize, ToSchema)]
pub struct StartShiftOut {
    presence: Presence,
}

/// `POST /api/staff/shift/start`: on duty again after a shift ended.
#[utoipa::path(post, path = "/api/staff/shift/start", tag = "staff",
    responses(
        (status = 200, description = "On duty again, with the presence a console starts with for the role", body = StartShiftOut),
        (status = 401, description = "unauthenticated", body = crate::error::ErrorBody),
        (status = 403, description = "bad_origin, forbidden (unit accounts) or totp_enrolment_required", body = crate::error::ErrorBody),
    ))]
pub async fn start(
    State(state): State<AppState>,
    _: SameOrigin,
    staff: Staff,
) -> Result<Json<StartShiftOut>, ApiError> {
    let presence = state.chat.start_shift(&state.presence, &staff.user).await?;
    Ok(Json(StartShiftOut { presence }))
}

/// Someone on duty, for the JSON view.
#[derive(Serialize, ToSchema)]
pub struct OnDutyOut {
    id: UserId,
    display_name: String,
    role: &'static str,
    presence: Presence,
    since: Option<String>,
    open: u32,
}

/// A stretch of presence today.
#[derive(Serialize, ToSchema)]
pub struct StretchOut {
    state: String,
    from: String,
    to: String,
}

/// One person's day.
#[derive(Serialize, ToSchema)]
pub struct TimelineOut {
    id: UserId,
    display_name: String,
    spans: Vec<StretchOut>,
}

/// A chat waiting for a supervisor to close it.
#[derive(Serialize, ToSchema)]
pub struct WrapUpOut {
    conversation_id: ConversationId,
    reference: String,
    officer: String,
    visitor_left_at: Option<String>,
}

/// Who is on duty and the day's presence.
#[derive(Serialize, ToSchema)]
pub struct DutyOut {
    day_start: String,
    on_duty: Vec<OnDutyOut>,
    timeline: Vec<TimelineOut>,
    wrap_up: Vec<WrapUpOut>,
}

/// `GET /api/staff/shifts/today`: who is on duty now and the day's presence (supervisors).
#[utoipa::path(get, path = "/api/staff/shifts/today", tag = "staff",
    responses(
        (status = 200, description = "Who is on duty, the chats to wrap up, and the day's presence (Paris time)", body = DutyOut),
        (status = 401, description = "unauthenticated", body = crate::error::ErrorBody),
        (status = 403, description = "forbidden (officers) or totp_enrolment_required", body = crate::error::ErrorBody),
    ))]
pub async fn today(
    State(state): State<AppState>,
    Supervisor(_): Supervisor,
) -> Result<Json<DutyOut>, ApiError> {
    let b = state.chat.duty_board(&state.presence).await?;
    let at = |secs: i64| rfc3339(b.day_start + time::Duration::seconds(secs));
    Ok(Json(DutyOut {
        day_start: rfc3339(b.day_start),
        on_duty: b
            .on_duty
            .iter()
            .map(|d| OnDutyOut {
                id: d.user.id,
                display_name: d.user.display_name.clone(),
                role: d.user.role.as_str(),
                presence: d.presence,
                since: d.since.map(rfc3339),
                open: d.open,
            })
            .collect(),
        timeline: b
            .timeline
            .iter()
            .map(|(u, stretches)| TimelineOut {
                id: u.id,
                display_name: u.display_name.clone(),
                spans: stretches
                    .iter()
                    .map(|s| StretchOut {
                        state: s.state.clone(),
                        from: at(s.from),
                        to: at(s.to),
                    })
                    .collect(),
            })
            .collect(),
        wrap_up: b
            .wrap_up
            .iter()
            .map(|w| WrapUpOut {
                conversation_id: w.conversation.id,
                reference: reference(w.conversation.id),
                officer: w.officer.clone(),
                visitor_left_at: w.conversation.visitor_left_at.map(rfc3339),
            })
            .collect(),
    }))
}

/// A presence's name in the page's language; a state this build has no words for (added by
/// the router later) shows its stable name.
fn state_label(t: &Tr, state: &str) -> String {
    let id = format!("shift-state-{state}");
    let label = t.s(&id);
    if label == id {
        state.to_string()
    } else {
        label
    }
}

struct DutyRow {
    name: String,
    state: String,
    state_label: String,
    since: String,
    open: u32,
}

struct StretchRow {
    state: String,
    label: String,
    from: String,
    to: String,
    /// Minutes from midnight, for the drawing.
    x: i64,
    width: i64,
}

struct PersonDay {
    name: String,
    stretches: Vec<StretchRow>,
    /// The row's drawing, described for screen readers by the table beside it.
    summary: String,
}

struct WrapUpRow {
    reference: String,
    officer: String,
    left_at: String,
}

/// The board's shift section (docs/SHIFTS.md), also the body of the page.
#[derive(Template)]
#[template(path = "shift_duty.html")]
struct DutyFragment {
    t: Tr,
    day_title: String,
    on_duty: Vec<DutyRow>,
    people: Vec<PersonDay>,
    wrap_up: Vec<WrapUpRow>,
    /// Minutes in the day drawn (1440, or 1380/1500 on the days the clocks change).
    day_minutes: i64,
    /// Hour marks: minute, label.
    marks: Vec<(i64, String)>,
    /// Every state drawn today, with its label, for the legend.
    legend: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "shifts.html")]
struct ShiftsPage {
    t: Tr,
    fragment: String,
}

fn fragment_of(t: Tr, b: &DutyBoard) -> DutyFragment {
    let day_minutes = b.day_len.whole_minutes();
    let mut legend: Vec<(String, String)> = Vec::new();
    let people = b
        .timeline
        .iter()
        .map(|(u, stretches)| {
            let rows: Vec<StretchRow> = stretches
                .iter()
                .map(|s| {
                    if !legend.iter().any(|(k, _)| *k == s.state) {
                        legend.push((s.state.clone(), state_label(&t, &s.state)));
                    }
                    let from = b.day_start + time::Duration::seconds(s.from);
                    let to = b.day_start + time::Duration::seconds(s.to);
                    StretchRow {
                        state: css_class(&s.state),
                        label: state_label(&t, &s.state),
                        from: paris_clock(from),
                        to: paris_clock(to),
                        x: s.from / 60,
                        width: ((s.to - s.from) / 60).max(1),
                    }
                })
                .collect();
            let mut summary = String::new();
            for (i, r) in rows.iter().enumerate() {
                if i > 0 {
                    summary.push_str(", ");
                }
                let _ = write!(summary, "{} {}–{}", r.label, r.from, r.to);
            }
            PersonDay {
                name: u.display_name.clone(),
                stretches: rows,
                summary,
            }
        })
        .collect();
    let on_duty = b
        .on_duty
        .iter()
        .map(|d| DutyRow {
            name: d.user.display_name.clone(),
            state: css_class(d.presence.as_str()),
            state_label: state_label(&t, d.presence.as_str()),
            since: d.since.map(paris_clock).unwrap_or_else(|| "—".into()),
            open: d.open,
        })
        .collect();
    let wrap_up = b
        .wrap_up
        .iter()
        .map(|w| WrapUpRow {
            reference: reference(w.conversation.id),
            officer: w.officer.clone(),
            left_at: w
                .conversation
                .visitor_left_at
                .map(paris_clock)
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    let marks = (0..=24)
        .step_by(3)
        .map(|h| (h * 60, format!("{h:02}:00")))
        .collect();
    let day = {
        let p = b
            .day_start
            .to_offset(ecoute_dossier::paris::paris_offset(b.day_start));
        format!("{:02}/{:02}/{}", p.day(), u8::from(p.month()), p.year())
    };
    let day_title = t.args("shift-day-title", &[("day", day)]);
    DutyFragment {
        t,
        day_title,
        on_duty,
        people,
        wrap_up,
        day_minutes,
        marks,
        legend,
    }
}

/// A state's name as a CSS class: letters, digits and dashes only.
fn css_class(state: &str) -> String {
    state
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// `GET /console/shifts/duty`: the board's shift section, as HTML the console places in the
/// board (supervisors).
pub async fn duty_fragment(
    State(state): State<AppState>,
    locale: StaffLocale,
    Supervisor(_): Supervisor,
) -> Result<Response, ApiError> {
    let b = state.chat.duty_board(&state.presence).await?;
    Ok(render_with(&fragment_of(locale.tr(), &b), StatusCode::OK))
}

/// `GET /console/shifts`: the same as a page of its own, readable without scripts.
pub async fn page(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(Supervisor(_)): Page<Supervisor>,
) -> Result<Response, ApiError> {
    let b = state.chat.duty_board(&state.presence).await?;
    let fragment = fragment_of(locale.tr(), &b).render().map_err(|e| {
        tracing::error!(error = %e, "template failed");
        ApiError::Internal
    })?;
    Ok(render_with(
        &ShiftsPage {
            t: locale.tr(),
            fragment,
        },
        StatusCode::OK,
    ))
}
