//! The staff member's own security page: enrol an authenticator (QR code shown once), see the
//! recovery codes once, see and end one's sessions. And the audit log, for supervisors.

use crate::auth::Staff;
use crate::error::ApiError;
use crate::http::client::ClientIp;
use crate::http::guard::{Page, PendingStaff, SameOrigin, Supervisor, clear_cookie};
use crate::http::locale::StaffLocale;
use crate::http::pages::{codes_download, key_groups, qr_svg, render_with};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use ecoute_crypto::totp::recovery_codes;
use ecoute_domain::Password;
use ecoute_store::{AuditRecord, SessionInfo};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

struct SessionRow {
    id: String,
    created: String,
    last_seen: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    t: Tr,
    display_name: String,
    username: String,
    enrolled: bool,
    qr_svg: String,
    /// The key for manual entry, in groups of four (shown apart, copied whole).
    secret_groups: Vec<String>,
    /// A new key replaces one that expired: the earlier entry in the app is dead.
    key_replaced: bool,
    /// The recovery codes, shown once, and the same as a text file to download.
    codes: Vec<String>,
    codes_href: String,
    recovery_left: u64,
    sessions: Vec<SessionRow>,
    /// The zone the sessions' times are given in.
    zone: String,
    error: Option<String>,
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    t: Tr,
    staff: &Staff,
    error: Option<String>,
    recovery: Vec<String>,
) -> Result<SecurityPage, ApiError> {
    let sessions = state
        .chat
        .sessions_of(staff.user.id)
        .await?
        .into_iter()
        .map(|s: SessionInfo| SessionRow {
            current: s.token_hash == staff.session,
            id: s.id,
            created: state.config.time_zone.day_time(s.created_at),
            last_seen: state.config.time_zone.day_time(s.last_seen_at),
        })
        .collect();
    let (qr, secret_groups, key_replaced) = if staff.user.totp_enrolled {
        (String::new(), Vec::new(), false)
    } else {
        let offered = state.chat.offered_totp(staff.user.id).await?;
        let uri = offered.secret.otpauth_uri("Écoute", &staff.user.username);
        (qr_svg(&uri), key_groups(&offered.secret), offered.replaced)
    };
    Ok(SecurityPage {
        t,
        display_name: staff.user.display_name.clone(),
        username: staff.user.username.clone(),
        enrolled: staff.user.totp_enrolled,
        qr_svg: qr,
        secret_groups,
        key_replaced,
        codes_href: codes_download(&t, &staff.user.username, &recovery),
        codes: recovery,
        recovery_left: state.chat.recovery_codes_left(staff.user.id).await?,
        sessions,
        zone: state.config.time_zone.name().to_string(),
        error,
        notice: None,
    })
}

/// The security page.
pub async fn security(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(PendingStaff(staff)): Page<PendingStaff>,
) -> Response {
    match page(&state, locale.tr(), &staff, None, Vec::new()).await {
        Ok(p) => render_with(&p, StatusCode::OK),
        Err(e) => e.into_response(),
    }
}

/// Fields of the enrolment form.
#[derive(Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    code: String,
}

/// Confirms an authenticator with a code from it; shows the recovery codes, once.
pub async fn enrol(
    State(state): State<AppState>,
    locale: StaffLocale,
    PendingStaff(staff): PendingStaff,
    _: SameOrigin,
    Form(form): Form<EnrolForm>,
) -> Response {
    if staff.user.totp_enrolled {
        return Redirect::to("/console/security").into_response();
    }
    let now = OffsetDateTime::now_utc();
    // The code is checked against the key offered to this account, the one every page showed.
    let pending = match state.chat.pending_totp(staff.user.id).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let step = pending.and_then(|secret| {
        secret
            .verify(&form.code, now.unix_timestamp().max(0) as u64, None)
            .map(|step| (secret, step))
    });
    let Some((secret, step)) = step else {
        return match page(
            &state,
            locale.tr(),
            &staff,
            Some(locale.tr().s("enrol-err-code")),
            Vec::new(),
        )
        .await
        {
            Ok(p) => render_with(&p, StatusCode::BAD_REQUEST),
            Err(e) => e.into_response(),
        };
    };
    let codes = recovery_codes();
    let hashes = codes.iter().map(|(_, h)| *h).collect();
    match state.chat.enrol_totp(&staff, &secret, step, hashes).await {
        Ok(true) => {}
        // Enrolled meanwhile (another tab): the page shows the enrolled state.
        Ok(false) => return Redirect::to("/console/security").into_response(),
        Err(e) => return e.into_response(),
    }
    let mut staff = staff;
    staff.user.totp_enrolled = true;
    match page(
        &state,
        locale.tr(),
        &staff,
        None,
        codes.into_iter().map(|(c, _)| c).collect(),
    )
    .await
    {
        Ok(p) => render_with(&p, StatusCode::OK),
        Err(e) => e.into_response(),
    }
}

/// Fields of the "change my password" form.
#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    code: String,
    new: String,
    confirm: String,
}

/// Why a change was refused.
enum Refusal {
    /// A message id; the page answers 400.
    Message(&'static str),
    /// Too many attempts (per account, as for logins, or per address): 429 with a Retry-After.
    TooMany(ApiError),
}

/// Renders the security page after a change: a notice and the codes to show once (200), or
/// the refusal's message.
async fn answer(
    state: &AppState,
    locale: StaffLocale,
    staff: &Staff,
    outcome: Result<(&'static str, Vec<String>), Refusal>,
) -> Response {
    let tr = locale.tr();
    let (error, notice, recovery, status, too_many) = match outcome {
        Ok((notice, codes)) => (None, Some(tr.s(notice)), codes, StatusCode::OK, None),
        Err(Refusal::Message(key)) => (
            Some(tr.s(key)),
            None,
            Vec::new(),
            StatusCode::BAD_REQUEST,
            None,
        ),
        Err(Refusal::TooMany(e)) => (
            Some(tr.s("security-err-too-many")),
            None,
            Vec::new(),
            StatusCode::TOO_MANY_REQUESTS,
            Some(e),
        ),
    };
    match page(state, tr, staff, error, recovery).await {
        Ok(mut p) => {
            p.notice = notice;
            let mut r = render_with(&p, status);
            if let Some(e) = too_many {
                e.add_retry_after(&mut r);
            }
            r
        }
        Err(e) => e.into_response(),
    }
}

/// Changes one's own password: the current one and a code from the authenticator, then the new
/// one twice. Every other session of the account ends; this one stays.
pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    locale: StaffLocale,
    PendingStaff(staff): PendingStaff,
    _: SameOrigin,
    Form(form): Form<PasswordForm>,
) -> Response {
    // What the form alone shows wrong is said before any secret is checked, and spends nothing.
    let about = [
        staff.user.username.as_str(),
        staff.user.display_name.as_str(),
    ];
    let outcome = if !staff.user.totp_enrolled {
        Err(Refusal::Message("password-err-enrol"))
    } else if form.new != form.confirm {
        Err(Refusal::Message("password-err-mismatch"))
    } else {
        match Password::parse(form.new, &about) {
            Err(ecoute_domain::InputError::GuessablePassword) => {
                Err(Refusal::Message("password-err-guessable"))
            }
            Err(_) => Err(Refusal::Message("password-err-rules")),
            Ok(new) => {
                if let Err(e) = state.login_limiter.check(ip) {
                    return answer(&state, locale, &staff, Err(Refusal::TooMany(e))).await;
                }
                match state
                    .chat
                    .change_own_password(&staff, form.current, &form.code, new)
                    .await
                {
                    Ok(true) => Ok(("password-changed", Vec::new())),
                    Ok(false) => Err(Refusal::Message("security-err-check")),
                    Err(e @ ApiError::TooManyAttempts { .. }) => Err(Refusal::TooMany(e)),
                    Err(e) => return e.into_response(),
                }
            }
        }
    };
    answer(&state, locale, &staff, outcome).await
}

/// Fields of the "renew my recovery codes" form.
#[derive(Deserialize)]
pub struct RenewCodesForm {
    password: String,
    code: String,
}

/// Replaces one's recovery codes with ten new ones, shown once; the old ones stop working.
pub async fn renew_codes(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    locale: StaffLocale,
    PendingStaff(staff): PendingStaff,
    _: SameOrigin,
    Form(form): Form<RenewCodesForm>,
) -> Response {
    let outcome = if !staff.user.totp_enrolled {
        Err(Refusal::Message("password-err-enrol"))
    } else if let Err(e) = state.login_limiter.check(ip) {
        Err(Refusal::TooMany(e))
    } else {
        match state
            .chat
            .renew_own_recovery_codes(&staff, form.password, &form.code)
            .await
        {
            Ok(Some(codes)) => Ok(("codes-renewed", codes)),
            Ok(None) => Err(Refusal::Message("security-err-check")),
            Err(e @ ApiError::TooManyAttempts { .. }) => Err(Refusal::TooMany(e)),
            Err(e) => return e.into_response(),
        }
    };
    answer(&state, locale, &staff, outcome).await
}

/// Fields of the "end this session" form.
#[derive(Deserialize)]
pub struct EndSessionForm {
    id: String,
}

/// Ends one of one's own sessions (its sockets close at once).
pub async fn end_session_form(
    State(state): State<AppState>,
    PendingStaff(staff): PendingStaff,
    _: SameOrigin,
    Form(form): Form<EndSessionForm>,
) -> Response {
    match state.chat.end_own_session(&staff, &form.id).await {
        Ok(true) => {
            let mut r = Redirect::to("/console/login").into_response();
            r.headers_mut()
                .insert(header::SET_COOKIE, clear_cookie(&state));
            r
        }
        Ok(false) => Redirect::to("/console/security").into_response(),
        Err(e) => e.into_response(),
    }
}

/// One of the caller's sessions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    /// Public id.
    pub id: String,
    /// When it started.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last activity recorded.
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// Whether it is the session making this request.
    pub current: bool,
}

/// The caller's own sessions.
#[utoipa::path(get, path = "/api/staff/sessions", tag = "staff",
    responses(
        (status = 200, description = "Your sessions, most recent first", body = [SessionResponse]),
        (status = 401, description = "unauthenticated", body = crate::error::ErrorBody),
    ))]
pub async fn list_sessions(
    State(state): State<AppState>,
    PendingStaff(staff): PendingStaff,
) -> Result<Json<Vec<SessionResponse>>, ApiError> {
    let sessions = state.chat.sessions_of(staff.user.id).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionResponse {
                current: s.token_hash == staff.session,
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
            })
            .collect(),
    ))
}

/// Ends one of the caller's own sessions; another user's is not found.
#[utoipa::path(delete, path = "/api/staff/sessions/{id}", tag = "staff",
    params(("id" = String, Path, description = "The session's public id")),
    responses(
        (status = 204, description = "Ended; its sockets are closed"),
        (status = 401, description = "unauthenticated", body = crate::error::ErrorBody),
        (status = 403, description = "bad_origin", body = crate::error::ErrorBody),
        (status = 404, description = "not_found (also for another user's session)", body = crate::error::ErrorBody),
    ))]
pub async fn delete_session(
    State(state): State<AppState>,
    PendingStaff(staff): PendingStaff,
    _: SameOrigin,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    state.chat.end_own_session(&staff, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

struct AuditRow {
    seq: u64,
    at: String,
    actor: String,
    action: String,
    conversation: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    t: Tr,
    display_name: String,
    rows: Vec<AuditRow>,
    older: Option<u64>,
}

/// Paging through the audit log.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Entries strictly before this sequence number (default: the newest).
    pub before: Option<u64>,
    /// How many, at most 500 (default 100).
    pub limit: Option<u32>,
}

/// An audit entry on the wire.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryResponse {
    /// Position in the chain.
    pub seq: u64,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who, by login name (absent for the system).
    pub actor: Option<String>,
    /// What.
    pub action: String,
    /// The conversation concerned.
    pub conversation_id: Option<String>,
    /// A few words.
    pub detail: Option<String>,
    /// This entry's hash, hex.
    pub hash: String,
}

async fn audit_records(state: &AppState, query: &AuditQuery) -> Result<Vec<AuditRecord>, ApiError> {
    let limit = query.limit.unwrap_or(100).clamp(1, 500);
    state.chat.audit_page(query.before, limit).await
}

/// The audit log, newest first (supervisors and admins).
#[utoipa::path(get, path = "/api/staff/audit", tag = "staff",
    params(AuditQuery),
    responses(
        (status = 200, description = "Entries, newest first", body = [AuditEntryResponse]),
        (status = 401, description = "unauthenticated", body = crate::error::ErrorBody),
        (status = 403, description = "forbidden (officers) or totp_enrolment_required", body = crate::error::ErrorBody),
    ))]
pub async fn audit_api(
    State(state): State<AppState>,
    _: Supervisor,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntryResponse>>, ApiError> {
    let records = audit_records(&state, &query).await?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| AuditEntryResponse {
                seq: r.seq,
                at: r.entry.at,
                actor: r.entry.actor_name,
                action: r.entry.action,
                conversation_id: r.entry.conversation.map(|c| c.to_string()),
                detail: r.entry.detail,
                hash: crate::audit::hex(&r.hash),
            })
            .collect(),
    ))
}

/// The audit log page (supervisors and admins).
pub async fn audit_page(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(Supervisor(staff)): Page<Supervisor>,
    Query(query): Query<AuditQuery>,
) -> Response {
    let records = match audit_records(&state, &query).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let older = records.last().map(|r| r.seq).filter(|seq| *seq > 1);
    let rows = records
        .into_iter()
        .map(|r| AuditRow {
            seq: r.seq,
            at: state.config.time_zone.day_time(r.entry.at),
            actor: r
                .entry
                .actor_name
                .unwrap_or_else(|| locale.tr().s("audit-system")),
            action: r.entry.action,
            conversation: r
                .entry
                .conversation
                .map(|c| c.to_string())
                .unwrap_or_default(),
            detail: r.entry.detail.unwrap_or_default(),
        })
        .collect();
    render_with(
        &AuditPage {
            t: locale.tr(),
            display_name: staff.user.display_name,
            rows,
            older,
        },
        StatusCode::OK,
    )
}
