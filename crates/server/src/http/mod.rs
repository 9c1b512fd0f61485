//! The HTTP surface: routes, and one middleware stack that every response goes through.

pub mod admin;
pub mod api;
pub mod client;
pub mod desk;
pub mod dossiers;
pub mod follow_up;
pub mod guard;
pub mod history;
pub mod locale;
pub mod open_data;
pub mod pages;
pub mod replies;
pub mod security;
pub mod shift;
pub mod staffing;
pub mod statistics;
pub mod wellbeing;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Écoute",
        description = "Anonymous live chat with trained officers. The WebSocket protocol is in docs/PROTOCOL.md."
    ),
    paths(
        api::start_conversation,
        api::resume,
        api::quick_exit,
        follow_up::open,
        follow_up::view,
        follow_up::message,
        follow_up::withdraw,
        api::login,
        api::logout,
        api::me,
        api::healthz,
        api::readyz,
        api::dossier_keys,
        api::units,
        security::list_sessions,
        security::delete_session,
        security::audit_api,
        staffing::api,
        shift::view,
        shift::end,
        shift::start,
        shift::today,
    ),
    components(schemas(
        api::StartRequest,
        api::StartResponse,
        api::ResumeRequest,
        api::ResumeResponse,
        api::QuickExitRequest,
        follow_up::FollowUpOpenRequest,
        follow_up::FollowUpPassRequest,
        follow_up::FollowUpMessageRequest,
        follow_up::FollowUpResponse,
        api::LoginRequest,
        api::UserResponse,
        api::UnitResponse,
        security::SessionResponse,
        security::AuditEntryResponse,
        staffing::StaffingResponse,
        staffing::HourResponse,
        shift::ShiftViewOut,
        shift::HeldChat,
        shift::ColleagueItem,
        shift::EndShiftIn,
        shift::HandoverIn,
        shift::Destination,
        shift::EndShiftOut,
        shift::HandoverOut,
        shift::StartShiftOut,
        shift::DutyOut,
        shift::OnDutyOut,
        shift::TimelineOut,
        shift::StretchOut,
        shift::WrapUpOut,
        crate::error::ErrorBody,
    ))
)]
pub struct ApiDoc;

/// The Content-Security-Policy of every response: our own scripts and styles only.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

async fn openapi() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}

async fn not_found() -> Response {
    ApiError::NotFound.into_response()
}

/// Bodies over [`crate::ws::MAX_FRAME_BYTES`] get the same JSON refusal as every other one
/// (`413 payload_too_large`): at once when the request announces such a length, before any of
/// it is read; otherwise when an extractor stops reading past the limit (its own answer is
/// plain text, replaced here).
async fn body_limit(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > crate::ws::MAX_FRAME_BYTES as u64) {
        return ApiError::PayloadTooLarge.into_response();
    }
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return ApiError::PayloadTooLarge.into_response();
    }
    response
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal.into_response()
}

/// Every route, behind the one middleware stack.
pub fn router(state: AppState) -> Router {
    // Served over https (TLS ends at the reverse proxy): browsers must never fall back to http.
    let hsts = state.config.secure_cookies().then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        )
    });
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    let security = ServiceBuilder::new()
        .layer(header("content-security-policy", CSP))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("referrer-policy", "no-referrer"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("cross-origin-opener-policy", "same-origin"))
        .layer(header("cross-origin-resource-policy", "same-origin"))
        // (No `interest-cohort`: browsers dropped that feature and now log an error for it.)
        .layer(header(
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        // Nothing personal may stay in a cache or in the back/forward cache. Only a public
        // document whose handler says how long it keeps (the dossier key list) sets its own.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    // Pages and their assets are compressed: the visitor's whole page must stay small on a weak
    // network. API answers are not: some carry a token next to what the caller sent, and
    // compressing those would let their size say something about the secret.
    let pages = Router::new()
        .route("/", get(pages::visitor))
        .route("/securite", get(pages::safety))
        .route("/suivi", get(follow_up::page))
        .route("/console", get(pages::console))
        .route(
            "/console/login",
            get(pages::login_form).post(pages::login_submit),
        )
        .route("/setup", get(pages::setup_form).post(pages::setup_submit))
        .route("/assets/{name}", get(pages::asset))
        .route("/i18n/{file}", get(locale::visitor_bundle))
        .route("/console/language", post(locale::set_staff_language))
        .route("/console/statistics", get(statistics::page))
        .route("/console/statistics/{file}", get(statistics::file))
        .layer(CompressionLayer::new().gzip(true));

    Router::new()
        .merge(pages)
        .route("/console/logout", post(pages::logout_submit))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/api/openapi.json", get(openapi))
        .route("/.well-known/ecoute-dossier-keys.json", get(api::dossier_keys))
        .route("/api/visitor/conversations", post(api::start_conversation))
        .route("/api/visitor/quick-exit", post(api::quick_exit))
        .route("/api/visitor/resume", post(api::resume))
        .route("/api/visitor/follow-up", post(follow_up::open))
        .route("/api/visitor/follow-up/view", post(follow_up::view))
        .route("/api/visitor/follow-up/message", post(follow_up::message))
        .route("/api/visitor/follow-up/withdraw", post(follow_up::withdraw))
        .route("/api/staff/login", post(api::login))
        .route("/api/staff/logout", post(api::logout))
        .route("/api/staff/me", get(api::me))
        .route("/api/staff/units", get(api::units))
        .route("/api/staff/sessions", get(security::list_sessions))
        .route("/api/staff/sessions/{id}", axum::routing::delete(security::delete_session))
        .route("/api/staff/audit", get(security::audit_api))
        .route("/console/security", get(security::security))
        .route("/console/security/totp", post(security::enrol))
        .route("/console/security/sessions/end", post(security::end_session_form))
        .route("/console/security/password", post(security::change_password))
        .route("/console/security/recovery-codes", post(security::renew_codes))
        .route("/console/audit", get(security::audit_page))
        .route("/console/history", get(history::list))
        .route("/console/history/{id}", get(history::transcript))
        .route("/console/statistics/export", post(open_data::export))
        .route("/console/dossiers", get(dossiers::list))
        .route("/console/dossiers/{id}", get(dossiers::dossier))
        .route("/console/staffing", get(staffing::page))
        .route("/console/staffing.csv", get(staffing::csv))
        .route("/console/staffing.svg", get(staffing::svg))
        .route("/api/staff/staffing", get(staffing::api))
        .route("/desk", get(desk::list))
        .route("/desk/{id}", get(desk::dossier))
        .route("/desk/{id}/dossier.pdf", get(desk::pdf))
        .route("/desk/{id}/dossier.json", get(desk::json))
        .route("/desk/{id}/state", post(desk::record))
        .route("/console/replies", get(replies::list).post(replies::save))
        .route("/console/replies/delete", post(replies::delete))
        // Account administration (docs/ADMINISTRATION.md) and the page of a one-time link.
        .route("/console/admin", get(admin::list))
        .route("/console/admin/new", get(admin::new_form).post(admin::create))
        .route("/console/admin/users/{id}", get(admin::user))
        .route("/console/admin/users/{id}/state", post(admin::set_state))
        .route("/console/admin/users/{id}/role", post(admin::set_role))
        .route("/console/admin/users/{id}/name", post(admin::set_name))
        .route("/console/admin/users/{id}/skills", post(admin::set_skills))
        .route("/console/admin/users/{id}/link", post(admin::issue_link))
        .route("/console/admin/users/{id}/sessions/end", post(admin::end_session))
        .route(
            crate::service::admin::LINK_PAGE,
            get(admin::link_page).post(admin::link_submit),
        )
        // Shifts (docs/SHIFTS.md).
        .route("/api/staff/shift", get(shift::view))
        .route("/api/staff/shift/end", post(shift::end))
        .route("/api/staff/shift/start", post(shift::start))
        .route("/api/staff/shifts/today", get(shift::today))
        .route("/console/shifts", get(shift::page))
        .route("/console/shifts/duty", get(shift::duty_fragment))
        // Wellbeing (docs/WELLBEING.md): a staff member's own service.
        .route("/console/service", get(wellbeing::my_service))
        .route("/ws/visitor", get(api::visitor_socket))
        .route("/ws/staff", get(api::staff_socket))
        .fallback(not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(crate::ws::MAX_FRAME_BYTES))
        .layer(axum::middleware::from_fn(body_limit))
        .layer(
            ServiceBuilder::new()
                .layer(SetSensitiveHeadersLayer::new([
                    header::COOKIE,
                    header::SET_COOKIE,
                    header::AUTHORIZATION,
                ]))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                        // The path only: never a query string, a header value or an address.
                        tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
                    }),
                )
                .layer(security)
                .layer(tower::util::option_layer(hsts))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(30),
                )),
        )
}
