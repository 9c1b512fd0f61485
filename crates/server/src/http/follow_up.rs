//! The person's follow-up of a forwarded report: the page `/suivi` and its JSON API. The
//! return code is checked once (rate limited like the resume form) and gives a short-lived
//! pass; the page keeps that pass in memory only, never in storage, a cookie or the URL.

use crate::error::{ApiError, ErrorBody};
use crate::http::api::json_body;
use crate::http::client::ClientIp;
use crate::http::locale::VisitorLocale;
use crate::http::pages::render_with;
use crate::i18n::{Locale, Tr};
use crate::service::dossiers::FollowUp;
use crate::state::AppState;
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use ecoute_domain::{MessageBody, PublicStage};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

#[derive(Template)]
#[template(path = "follow_up.html")]
struct FollowUpPage<'a> {
    t: Tr,
    neutral_url: &'a str,
}

/// The follow-up page: a code form, then the report's stage (filled in by `follow-up.js`).
pub async fn page(State(state): State<AppState>, locale: VisitorLocale) -> Response {
    let mut response = render_with(
        &FollowUpPage {
            t: locale.tr(),
            neutral_url: &state.config.neutral_url,
        },
        StatusCode::OK,
    );
    let headers = response.headers_mut();
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-language"));
    response
}

/// The page's message id for a stage, in `visitor.ftl`.
pub fn stage_message(stage: PublicStage) -> &'static str {
    match stage {
        PublicStage::Transmitted => "stage-transmitted",
        PublicStage::ReceivedByUnit => "stage-received",
        PublicStage::TriedToReach => "stage-tried-to-reach",
        PublicStage::InTouch => "stage-in-touch",
        PublicStage::ComplaintTaken => "stage-complaint-taken",
        PublicStage::Finished => "stage-finished",
        PublicStage::Withdrawn => "stage-withdrawn",
    }
}

fn locale_of(language: Option<&str>) -> Locale {
    language.and_then(Locale::parse).unwrap_or(Locale::Fr)
}

/// A return code, to follow the report it was given for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpOpenRequest {
    /// 16 digits; spaces, dots and dashes are ignored; Arabic-Indic digits are read as digits.
    #[schema(
        pattern = r"^[ .\-]*([0-9\u0660-\u0669\u06F0-\u06F9][ .\-]*){16}$",
        max_length = 64
    )]
    pub code: String,
    /// The language of `stage_text` (`fr`, `en`, `es`, `ar`; French otherwise).
    #[serde(default)]
    pub language: Option<String>,
}

/// A pass, to read the follow-up again or to withdraw consent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpPassRequest {
    /// The pass given by `POST /api/visitor/follow-up` (valid 30 minutes).
    pub pass: String,
    /// The language of `stage_text` (`fr`, `en`, `es`, `ar`; French otherwise).
    #[serde(default)]
    pub language: Option<String>,
}

/// A message from the person, for the unit and the platform.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpMessageRequest {
    /// The pass given by `POST /api/visitor/follow-up`.
    pub pass: String,
    /// 1 to 4000 characters, not blank.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub body: String,
    /// The language of `stage_text` (`fr`, `en`, `es`, `ar`; French otherwise).
    #[serde(default)]
    pub language: Option<String>,
}

/// Where a forwarded report stands, in neutral words: never a unit's note.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpResponse {
    /// Only when the code was just checked: the pass for the next 30 minutes. Keep it in the
    /// page's memory only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    /// The dossier's public reference.
    pub reference: String,
    /// `transmitted`, `received_by_unit`, `tried_to_reach`, `in_touch`, `complaint_taken`,
    /// `finished` or `withdrawn`.
    #[schema(value_type = String)]
    pub stage: PublicStage,
    /// The stage as one neutral sentence, in the language asked for.
    pub stage_text: String,
    /// Whether a message may still be added and consent withdrawn.
    pub open: bool,
    /// When the report was forwarded.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub produced_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// How many messages the person added.
    pub messages_sent: usize,
}

fn respond(view: FollowUp, pass: Option<String>, language: Option<&str>) -> Json<FollowUpResponse> {
    let t = Tr::visitor(locale_of(language));
    Json(FollowUpResponse {
        pass,
        reference: view.reference,
        stage_text: t.s(stage_message(view.stage)),
        stage: view.stage,
        open: view.open,
        produced_at: view.produced_at,
        updated_at: view.updated_at,
        messages_sent: view.messages_sent,
    })
}

/// Checks a return code and opens the follow-up of the report it was given for.
#[utoipa::path(
    post, path = "/api/visitor/follow-up", tag = "visitor",
    request_body = FollowUpOpenRequest,
    responses(
        (status = 200, description = "Where the report stands, with a pass for 30 minutes", body = FollowUpResponse),
        (status = 400, description = "invalid_request (malformed, or not 16 digits)", body = ErrorBody),
        (status = 404, description = "unknown_return_code: the same answer for any code that follows no forwarded report", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 429, description = "too_many_attempts from this address (shared with the resume form); see Retry-After", body = ErrorBody),
        (status = 503, description = "the database is unavailable", body = ErrorBody),
    )
)]
pub async fn open(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Result<Json<FollowUpOpenRequest>, JsonRejection>,
) -> Result<Json<FollowUpResponse>, ApiError> {
    let request = json_body(body)?;
    let code = super::api::checked_return_code(&state, ip, &request.code)?;
    let (pass, view) = {
        let _turn = super::api::code_turn(&state).await?;
        state.chat.open_follow_up(&code).await?
    };
    Ok(respond(view, Some(pass), request.language.as_deref()))
}

/// Reads the follow-up again with the pass.
#[utoipa::path(
    post, path = "/api/visitor/follow-up/view", tag = "visitor",
    request_body = FollowUpPassRequest,
    responses(
        (status = 200, description = "Where the report stands", body = FollowUpResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 401, description = "unauthenticated: the pass is forged, altered or expired; give the code again", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 503, description = "the database is unavailable", body = ErrorBody),
    )
)]
pub async fn view(
    State(state): State<AppState>,
    body: Result<Json<FollowUpPassRequest>, JsonRejection>,
) -> Result<Json<FollowUpResponse>, ApiError> {
    let request = json_body(body)?;
    let view = state.chat.follow_up(&request.pass).await?;
    Ok(respond(view, None, request.language.as_deref()))
}

/// Adds a message for the unit and the platform.
#[utoipa::path(
    post, path = "/api/visitor/follow-up/message", tag = "visitor",
    request_body = FollowUpMessageRequest,
    responses(
        (status = 200, description = "Stored on the dossier; where the report stands now", body = FollowUpResponse),
        (status = 400, description = "invalid_request, empty_message or message_too_long", body = ErrorBody),
        (status = 401, description = "unauthenticated: the pass is forged, altered or expired", body = ErrorBody),
        (status = 409, description = "dossier_closed: the follow-up is over (closed, or consent withdrawn)", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 503, description = "the database is unavailable", body = ErrorBody),
    )
)]
pub async fn message(
    State(state): State<AppState>,
    body: Result<Json<FollowUpMessageRequest>, JsonRejection>,
) -> Result<Json<FollowUpResponse>, ApiError> {
    let request = json_body(body)?;
    let text = MessageBody::parse(request.body)?;
    let view = state.chat.follow_up_message(&request.pass, &text).await?;
    Ok(respond(view, None, request.language.as_deref()))
}

/// Withdraws consent: the unit is told and the follow-up closes.
#[utoipa::path(
    post, path = "/api/visitor/follow-up/withdraw", tag = "visitor",
    request_body = FollowUpPassRequest,
    responses(
        (status = 200, description = "Consent withdrawn; the report is closed", body = FollowUpResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 401, description = "unauthenticated: the pass is forged, altered or expired", body = ErrorBody),
        (status = 409, description = "dossier_closed: the follow-up is already over", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 503, description = "the database is unavailable", body = ErrorBody),
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    body: Result<Json<FollowUpPassRequest>, JsonRejection>,
) -> Result<Json<FollowUpResponse>, ApiError> {
    let request = json_body(body)?;
    let view = state.chat.withdraw_consent(&request.pass).await?;
    Ok(respond(view, None, request.language.as_deref()))
}
