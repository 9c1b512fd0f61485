//! Who the caller is, and whether they may: decided here, by extractors, so that handlers
//! receive an identity already checked and never parse a cookie or compare an origin themselves.
//!
//! - [`SameOrigin`]: a cookie-authenticated change comes from our own pages.
//! - [`PendingStaff`]: any valid session, even before the authenticator is enrolled.
//! - [`Staff`]: a full session (password and authenticator) of the platform's staff: a unit's
//!   account is refused (`forbidden`), as chats, the queue and the board are not its business.
//! - [`UnitStaff`]: a full session of a unit's account, with its unit.
//! - [`Supervisor`]: a full session of a supervisor or an administrator.
//! - [`Page`]: any of them for a page, whose refusals are redirections rather than error
//!   bodies ([`PageGuard`]).

use crate::auth::{self, Staff};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

/// Where a page sends someone who is not logged in.
const LOGIN_PAGE: &str = "/console/login";
/// Where a page sends someone who still has to enrol an authenticator.
const SECURITY_PAGE: &str = "/console/security";
/// Where a unit's account works.
pub const DESK_PAGE: &str = "/desk";

/// The session cookie's name: `__Host-` prefixed when served over https.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-ecoute_session"
    } else {
        "ecoute_session"
    }
}

/// `; Secure` behind an https origin, nothing otherwise: the end of every `Set-Cookie` we send.
pub fn secure_attribute(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    }
}

/// The `Set-Cookie` value for a new session.
pub fn session_cookie(state: &AppState, value: &str) -> HeaderValue {
    let secure = secure_attribute(state);
    let max_age = auth::ABSOLUTE_TIMEOUT.whole_seconds();
    HeaderValue::from_str(&format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        cookie_name(state)
    ))
    .expect("cookie is ASCII")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    let secure = secure_attribute(state);
    HeaderValue::from_str(&format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        cookie_name(state)
    ))
    .expect("cookie is ASCII")
}

/// The value of the cookie called `name`, if the request has one.
pub fn named_cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A request that comes from our own pages: required of every cookie-authenticated change and
/// of every socket, since a browser sends our cookie whichever page makes the request.
///
/// The `Origin` must be one we serve from. Under `Referrer-Policy: no-referrer` browsers send
/// `Origin: null` on form posts; such a request is accepted only when the browser also says, with
/// `Sec-Fetch-Site` (a header no page can set), that it comes from our own origin.
#[derive(Debug, Clone, Copy)]
pub struct SameOrigin;

impl FromRequestParts<AppState> for SameOrigin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let headers = &parts.headers;
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        match origin {
            Some(o) if state.allowed_origins.iter().any(|allowed| allowed == o) => Ok(Self),
            Some("null") if fetch_site == Some("same-origin") => Ok(Self),
            _ => Err(ApiError::BadOrigin),
        }
    }
}

/// Any valid session, even of an account that still has to enrol its authenticator.
pub struct PendingStaff(pub Staff);

impl FromRequestParts<AppState> for PendingStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let cookie =
            named_cookie(&parts.headers, cookie_name(state)).ok_or(ApiError::Unauthenticated)?;
        state.chat.authenticate(cookie).await.map(Self)
    }
}

/// A fully logged-in member of the platform's staff (password and authenticator); a unit's
/// account is refused.
impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let PendingStaff(staff) = PendingStaff::from_request_parts(parts, state).await?;
        staff.require_totp()?.require_platform()
    }
}

/// A fully logged-in unit's account, with the unit whose dossiers it reads.
pub struct UnitStaff(pub Staff, pub ecoute_domain::UnitId);

impl FromRequestParts<AppState> for UnitStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let PendingStaff(staff) = PendingStaff::from_request_parts(parts, state).await?;
        let (staff, unit) = staff.require_totp()?.require_unit()?;
        Ok(Self(staff, unit))
    }
}

/// A fully logged-in supervisor or administrator; an officer is refused (`forbidden`).
pub struct Supervisor(pub Staff);

impl FromRequestParts<AppState> for Supervisor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let staff = Staff::from_request_parts(parts, state).await?;
        staff.require_supervisor().map(Self)
    }
}

/// How a page answers when its guard refuses: with a redirection where there is somewhere to
/// go, rather than an error body.
pub trait PageGuard: FromRequestParts<AppState, Rejection = ApiError> + Send {
    /// Who is not logged in goes to the login page, who has no authenticator yet to the
    /// security page to enrol one; any other refusal is the error itself.
    fn refused(e: ApiError) -> Response {
        match e {
            ApiError::Unauthenticated => Redirect::to(LOGIN_PAGE).into_response(),
            ApiError::TotpEnrolmentRequired => Redirect::to(SECURITY_PAGE).into_response(),
            e => e.into_response(),
        }
    }
}

/// A unit's account that opens a page of the platform's staff goes to its desk instead.
impl PageGuard for Staff {
    fn refused(e: ApiError) -> Response {
        match e {
            ApiError::Forbidden => Redirect::to(DESK_PAGE).into_response(),
            ApiError::Unauthenticated => Redirect::to(LOGIN_PAGE).into_response(),
            ApiError::TotpEnrolmentRequired => Redirect::to(SECURITY_PAGE).into_response(),
            e => e.into_response(),
        }
    }
}

impl PageGuard for UnitStaff {}

impl PageGuard for Supervisor {}

/// Only the security page takes a session without an authenticator: any refusal there, a
/// database error included, goes to the login page.
impl PageGuard for PendingStaff {
    fn refused(_: ApiError) -> Response {
        Redirect::to(LOGIN_PAGE).into_response()
    }
}

/// A guard for a page, answering a refusal as [`PageGuard::refused`] says.
pub struct Page<G>(pub G);

impl<G: PageGuard> FromRequestParts<AppState> for Page<G> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        G::from_request_parts(parts, state)
            .await
            .map(Self)
            .map_err(G::refused)
    }
}
