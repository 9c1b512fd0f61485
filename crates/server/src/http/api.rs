//! The REST API (described at `/api/openapi.json`) and the WebSocket upgrades.

use crate::auth::{self, Staff};
use crate::error::{ApiError, ErrorBody};
use crate::http::client::ClientIp;
use crate::http::guard::{PendingStaff, SameOrigin, clear_cookie, session_cookie};
use crate::state::AppState;
use crate::ws;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ecoute_crypto::hash_token;
use ecoute_domain::{
    ConversationId, Departement, Intake, Language, PostalCode, ReporterKind, Role, UserId,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the visitor tells us before the chat.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// Victim or witness.
    pub kind: ReporterKind,
    /// Whether the visitor is under 18.
    pub minor: bool,
    /// Optional French postal code ("75011" or "75 011"; empty means none); only its
    /// département is kept.
    #[serde(default)]
    #[schema(pattern = r"^(\s*|\s*(0[1-9]|[1-8][0-9]|9[0-5]|97|98) ?[0-9]{3}\s*)$")]
    pub postal_code: Option<String>,
    /// The visitor said "I am in danger now": their chat is served before every other.
    #[serde(default)]
    pub danger: bool,
    /// The language of the page the visitor uses (ISO 639-1, "fr" when absent).
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z]{2,3}$")]
    pub language: Option<Language>,
}

/// A started conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct StartResponse {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The visitor's only credential; keep it in sessionStorage, never in a URL.
    pub token: String,
    /// The département derived from the postal code.
    pub departement: Option<Departement>,
    /// To come back later from any device: 16 digits, grouped by two. Shown once; only its
    /// hashes are kept.
    pub return_code: String,
}

/// A return code, as typed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResumeRequest {
    /// 16 digits; spaces, dots and dashes are ignored; Arabic-Indic digits are read as digits.
    #[schema(
        pattern = r"^[ .\-]*([0-9\u0660-\u0669\u06F0-\u06F9][ .\-]*){16}$",
        max_length = 64
    )]
    pub code: String,
}

/// A conversation reopened.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResumeResponse {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// A new token for this device; the old one no longer works.
    pub token: String,
    /// Its département, if one was given.
    pub departement: Option<Departement>,
}

/// Reopens a conversation with its return code, from any device.
#[utoipa::path(
    post, path = "/api/visitor/resume", tag = "visitor",
    request_body = ResumeRequest,
    responses(
        (status = 200, description = "Conversation reopened", body = ResumeResponse),
        (status = 400, description = "invalid_request (malformed, or not 16 digits)", body = ErrorBody),
        (status = 404, description = "unknown_return_code: the same answer for any code that opens nothing", body = ErrorBody),
        (status = 409, description = "report_forwarded: the chat was forwarded to a local unit; the code follows the report (POST /api/visitor/follow-up)", body = ErrorBody),
        (status = 429, description = "too_many_attempts from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn resume(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Result<Json<ResumeRequest>, JsonRejection>,
) -> Result<Json<ResumeResponse>, ApiError> {
    let request = json_body(body)?;
    let code = checked_return_code(&state, ip, &request.code)?;
    let resumed = {
        let _turn = code_turn(&state).await?;
        state.chat.resume(&code).await?
    };
    // Back with an officer who is not at a console (or whose shift ended): the chat goes to
    // someone who is.
    if let ecoute_domain::ConversationState::Active { officer } = resumed.conversation.state
        && !state.presence.on_duty(officer)
        && let Err(e) = state.chat.requeue(officer, resumed.conversation.id).await
    {
        tracing::warn!(error = ?e, "a returning visitor's chat could not go back to the queue");
    }
    Ok(Json(ResumeResponse {
        conversation_id: resumed.conversation.id,
        token: resumed.token,
        departement: resumed.conversation.intake.departement.clone(),
    }))
}

/// A return code typed on a public form (resume, follow-up): the address's allowance is checked
/// before any work, shared by both forms since both try codes; then the code is parsed.
pub(crate) fn checked_return_code(
    state: &AppState,
    ip: std::net::IpAddr,
    raw: &str,
) -> Result<ecoute_domain::ReturnCode, ApiError> {
    state.resume_limiter.check(ip)?;
    ecoute_domain::ReturnCode::parse(raw)
        .map_err(|_| ApiError::BadRequest("invalid_return_code: a return code is 16 digits".into()))
}

/// A turn for checking a return code: the argon2id work is bounded for everyone together (a
/// queue, not a refusal, so nobody can lock others out).
pub(crate) async fn code_turn(
    state: &AppState,
) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
    state
        .resume_work
        .acquire()
        .await
        .map_err(|_| ApiError::Unavailable)
}

pub(crate) fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(v)| v).map_err(|e| match e {
        e if e.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::BadRequest("send the body as application/json".into())
        }
        other => ApiError::BadRequest(other.body_text()),
    })
}

/// Starts an anonymous conversation and puts it in the queue.
#[utoipa::path(
    post, path = "/api/visitor/conversations", tag = "visitor",
    request_body = StartRequest,
    responses(
        (status = 201, description = "Conversation started", body = StartResponse),
        (status = 400, description = "Invalid input (invalid_request, invalid_postal_code)", body = ErrorBody),
        (status = 429, description = "too_many_attempts from this address; see Retry-After", body = ErrorBody),
        (status = 503, description = "queue_full, or the database is unavailable", body = ErrorBody),
    )
)]
pub async fn start_conversation(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Result<Json<StartRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<StartResponse>), ApiError> {
    let request = json_body(body)?;
    state.start_limiter.check(ip)?;
    state
        .chat
        .check_queue_room(state.config.limits.max_waiting)
        .await?;
    // The postal code chooses the force and the unit; only its département is kept.
    let postal_code = match request.postal_code.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(PostalCode::parse(code)?),
    };
    let departement = postal_code.as_ref().map(PostalCode::departement);
    let started = state
        .chat
        .start(
            Intake {
                kind: request.kind,
                minor: request.minor,
                departement: departement.clone(),
                language: request.language.clone().unwrap_or_else(Language::french),
                danger: request.danger,
            },
            postal_code.as_ref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(StartResponse {
            conversation_id: started.conversation.id,
            token: started.token,
            departement,
            return_code: started.return_code.grouped(),
        }),
    ))
}

/// Body of a quick exit.
#[derive(Debug, Deserialize, ToSchema)]
pub struct QuickExitRequest {
    /// The visitor's token.
    pub token: String,
}

/// Quick exit without a socket (sent with `navigator.sendBeacon`, any content type, the body
/// being the JSON object). 204 whether or not the token was valid, so nothing can be learnt
/// from it; 400 only when the body is not that JSON object at all.
#[utoipa::path(
    post, path = "/api/visitor/quick-exit", tag = "visitor",
    request_body(content = QuickExitRequest, content_type = "text/plain"),
    responses(
        (status = 204, description = "Done (or nothing to do)"),
        (status = 400, description = "invalid_request: the body is not {\"token\": \"...\"}", body = ErrorBody),
        (status = 413, description = "payload_too_large: over 64 KiB", body = ErrorBody),
    )
)]
pub async fn quick_exit(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let request = serde_json::from_slice::<QuickExitRequest>(&body)
        .map_err(|_| ApiError::BadRequest("the body must be {\"token\": \"...\"}".into()))?;
    if let Err(e) = state.chat.quick_exit(hash_token(&request.token)).await {
        tracing::error!(error = %e, "quick exit could not be recorded");
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A staff account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// Whether an authenticator is enrolled; until it is, only enrolment is allowed.
    pub totp_enrolled: bool,
    /// Stable id.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Name or pseudonym shown to visitors.
    pub display_name: String,
    /// Role.
    pub role: Role,
}

impl From<&ecoute_store::User> for UserResponse {
    fn from(u: &ecoute_store::User) -> Self {
        Self {
            totp_enrolled: u.totp_enrolled,
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
        }
    }
}

/// Staff credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
    /// The 6-digit code of the authenticator, or a recovery code. Not needed only for an
    /// account that has no authenticator yet (it may then only enrol one).
    #[serde(default)]
    pub code: Option<String>,
}

/// Logs a staff member in and sets the session cookie.
#[utoipa::path(
    post, path = "/api/staff/login", tag = "staff",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = UserResponse),
        (status = 401, description = "invalid_credentials", body = ErrorBody),
        (status = 403, description = "bad_origin", body = ErrorBody),
        (status = 429, description = "too_many_attempts (per account or per address); see Retry-After", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    _: SameOrigin,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let request = json_body(body)?;
    state.login_limiter.check(ip)?;
    let attempt = auth::LoginAttempt {
        username: &request.username,
        password: request.password,
        code: request.code.as_deref(),
    };
    let (user, cookie) = state.chat.log_in(attempt).await?;
    let mut response = Json(UserResponse::from(&user)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, &cookie));
    Ok(response)
}

/// Ends the current session and closes its sockets.
#[utoipa::path(
    post, path = "/api/staff/logout", tag = "staff",
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "bad_origin", body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    PendingStaff(staff): PendingStaff,
    _: SameOrigin,
) -> Result<Response, ApiError> {
    state.chat.end_session(staff.user.id, staff.session).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&state));
    Ok(response)
}

/// The logged-in account.
#[utoipa::path(
    get, path = "/api/staff/me", tag = "staff",
    responses(
        (status = 200, description = "The account", body = UserResponse),
        (status = 401, description = "unauthenticated", body = ErrorBody),
    )
)]
pub async fn me(PendingStaff(staff): PendingStaff) -> Json<UserResponse> {
    Json(UserResponse::from(&staff.user))
}

/// How long a client may keep the dossier key list: a new key reaches units within minutes,
/// and a verifier polling the list does not reach the database at every check.
const DOSSIER_KEYS_MAX_AGE: &str = "public, max-age=300";

/// The public keys that check dossier signatures (docs/DOSSIER.md, format
/// `ecoute-dossier-keys/1`): public, cacheable for five minutes.
#[utoipa::path(get, path = "/.well-known/ecoute-dossier-keys.json", tag = "dossier",
    responses(
        (status = 200, description = "The key list, format ecoute-dossier-keys/1 \
            (docs/DOSSIER.md): every key that signed dossiers, current and retired",
            content_type = "application/json"),
        (status = 503, description = "database unavailable", body = ErrorBody),
    ))]
pub async fn dossier_keys(State(state): State<AppState>) -> Result<Response, ApiError> {
    let list = state.chat.dossier_keys().await?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, DOSSIER_KEYS_MAX_AGE)],
        Json(list),
    )
        .into_response())
}

/// Liveness: 200 once the server is serving.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Serving")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: 200 when the database answers, 503 otherwise.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Database answers"),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.chat.ready().await?;
    Ok("ready")
}

/// A local unit a report may be forwarded to.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitResponse {
    /// Its id in the directory: what `ask_consent` names.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `police` or `gendarmerie`.
    pub force: String,
    /// `commissariat`, `brigade` or `specialised`.
    pub kind: String,
    /// The postal codes and départements it covers.
    pub covers: Vec<String>,
}

/// The directory of local units, for the officer choosing where a report goes (empty until
/// `ecoute units load`).
#[utoipa::path(
    get, path = "/api/staff/units", tag = "staff",
    responses(
        (status = 200, description = "Every unit, by id", body = [UnitResponse]),
        (status = 401, description = "unauthenticated", body = ErrorBody),
        (status = 403, description = "totp_enrolment_required, or forbidden (a unit's account)", body = ErrorBody),
    )
)]
pub async fn units(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<Vec<UnitResponse>>, ApiError> {
    let units = state.chat.units().await?;
    Ok(Json(
        units
            .into_iter()
            .map(|u| UnitResponse {
                id: u.id.as_str().to_string(),
                name: u.name,
                force: u.force.as_str().to_string(),
                kind: u.kind.as_str().to_string(),
                covers: u.covers.iter().map(|c| c.as_str().to_string()).collect(),
            })
            .collect(),
    ))
}

fn configure(ws: WebSocketUpgrade) -> WebSocketUpgrade {
    ws.max_message_size(ws::MAX_WIRE_BYTES)
        .max_frame_size(ws::MAX_WIRE_BYTES)
        // Idle sockets are most of them: 1 KiB a socket, grown for a longer frame.
        .read_buffer_size(1024)
}

/// Upgrades to the visitor socket; the token comes in the first frame, never in the URL.
pub async fn visitor_socket(
    State(state): State<AppState>,
    ws: WebSocketUpgrade,
    _: SameOrigin,
) -> Result<Response, ApiError> {
    let held = state.sockets.hold();
    Ok(configure(ws).on_upgrade(move |socket| async move {
        ws::visitor::run(socket, state).await;
        drop(held);
    }))
}

/// Upgrades to the staff socket, for a valid session from our own pages.
pub async fn staff_socket(
    State(state): State<AppState>,
    staff: Staff,
    ws: WebSocketUpgrade,
    _: SameOrigin,
) -> Result<Response, ApiError> {
    let held = state.sockets.hold();
    Ok(configure(ws).on_upgrade(move |socket| async move {
        ws::staff::run(socket, state, staff).await;
        drop(held);
    }))
}
