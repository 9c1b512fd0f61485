//! Server-rendered pages (readable before any script runs) and the embedded assets.

use crate::auth;
use crate::auth::Staff;
use crate::error::ApiError;
use crate::http::client::ClientIp;
use crate::http::guard::{Page, PendingStaff, SameOrigin, clear_cookie, session_cookie};
use crate::http::locale::{StaffLocale, VisitorLocale};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ecoute_domain::{Password, Username};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "visitor.html")]
struct VisitorPage<'a> {
    t: Tr,
    neutral_url: &'a str,
}

#[derive(Template)]
#[template(path = "safety.html")]
struct SafetyPage<'a> {
    t: Tr,
    neutral_url: &'a str,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    t: Tr,
    error: Option<String>,
    done: bool,
}

#[derive(Template)]
#[template(path = "console.html")]
struct ConsolePage {
    t: Tr,
    display_name: String,
    username: String,
    role: String,
}

fn render(t: &impl Template) -> Response {
    render_with(t, StatusCode::OK)
}

/// Renders a page with a status; a template that fails is a logged 500.
pub(crate) fn render_with(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            ApiError::Internal.into_response()
        }
    }
}

/// The visitor's page: landing, start form, waiting room and chat, on one URL.
pub async fn visitor(State(state): State<AppState>, locale: VisitorLocale) -> Response {
    let mut response = render(&VisitorPage {
        t: locale.tr(),
        neutral_url: &state.config.neutral_url,
    });
    let headers = response.headers_mut();
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-language"));
    response
}

/// "Stay safe online".
pub async fn safety(State(state): State<AppState>, locale: VisitorLocale) -> Response {
    let mut response = render(&SafetyPage {
        t: locale.tr(),
        neutral_url: &state.config.neutral_url,
    });
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-language"));
    response
}

/// The console, or the login page for someone not logged in.
pub async fn console(locale: StaffLocale, Page(staff): Page<Staff>) -> Response {
    render(&ConsolePage {
        t: locale.tr(),
        display_name: staff.user.display_name,
        username: staff.user.username,
        role: staff.user.role.as_str().to_string(),
    })
}

/// The login form.
pub async fn login_form(locale: StaffLocale) -> Response {
    render(&LoginPage {
        t: locale.tr(),
        error: None,
    })
}

/// Fields of the login form.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    code: String,
}

/// Logs in from the form and goes to the console.
pub async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    locale: StaffLocale,
    _: SameOrigin,
    Form(form): Form<LoginForm>,
) -> Response {
    let t = locale.tr();
    let refuse = |status: StatusCode, message_id: &str| {
        render_with(
            &LoginPage {
                t,
                error: Some(t.s(message_id)),
            },
            status,
        )
    };
    let too_many = |e: &ApiError| {
        let mut page = refuse(StatusCode::TOO_MANY_REQUESTS, "login-too-many");
        e.add_retry_after(&mut page);
        page
    };
    if let Err(e) = state.login_limiter.check(ip) {
        return too_many(&e);
    }
    let attempt = auth::LoginAttempt {
        username: &form.username,
        password: form.password,
        code: Some(form.code.as_str()),
    };
    let (user, cookie) = match state.chat.log_in(attempt).await {
        Ok(logged_in) => logged_in,
        Err(ApiError::InvalidCredentials) => {
            return refuse(StatusCode::UNAUTHORIZED, "login-refused");
        }
        Err(e @ ApiError::TooManyAttempts { .. }) => return too_many(&e),
        Err(e) => return e.into_response(),
    };
    let next = match (user.totp_enrolled, user.role) {
        (false, _) => "/console/security",
        (true, ecoute_domain::Role::Unit) => crate::http::guard::DESK_PAGE,
        (true, _) => "/console",
    };
    let mut response = Redirect::to(next).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, &cookie));
    response
}

/// Logs out from the console's button.
pub async fn logout_submit(
    State(state): State<AppState>,
    _: SameOrigin,
    staff: Result<PendingStaff, ApiError>,
) -> Response {
    if let Ok(PendingStaff(staff)) = staff
        && let Err(e) = state.chat.end_session(staff.user.id, staff.session).await
    {
        return e.into_response();
    }
    let mut response = Redirect::to("/console/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&state));
    response
}

/// The first administrator's creation form.
pub async fn setup_form(locale: StaffLocale) -> Response {
    render(&SetupPage {
        t: locale.tr(),
        error: None,
        done: false,
    })
}

/// Fields of the setup form.
#[derive(Deserialize)]
pub struct SetupForm {
    setup_code: String,
    username: String,
    display_name: String,
    password: String,
    password_confirm: String,
}

/// Creates the first administrator with the one-time code printed at start.
pub async fn setup_submit(
    State(state): State<AppState>,
    locale: StaffLocale,
    _: SameOrigin,
    Form(form): Form<SetupForm>,
) -> Response {
    let t = locale.tr();
    let refuse = |message_id: &str| {
        render_with(
            &SetupPage {
                t,
                error: Some(t.s(message_id)),
                done: false,
            },
            StatusCode::BAD_REQUEST,
        )
    };
    let Ok(username) = Username::parse(form.username.trim()) else {
        return refuse("setup-err-username");
    };
    let display_name = form.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 64 {
        return refuse("setup-err-display-name");
    }
    if form.password != form.password_confirm {
        return refuse("setup-err-mismatch");
    }
    let Ok(password) = Password::parse(form.password) else {
        return refuse("setup-err-password");
    };
    match state
        .chat
        .create_first_admin(form.setup_code.trim(), username, display_name, password)
        .await
    {
        Ok(Some(_)) => render(&SetupPage {
            t,
            error: None,
            done: true,
        }),
        Ok(None) => refuse("setup-err-code"),
        Err(e) => e.into_response(),
    }
}

/// The embedded static files.
pub async fn asset(Path(name): Path<String>) -> Response {
    let Some((body, mime)) = crate::assets::get(&name) else {
        return ApiError::NotFound.into_response();
    };
    ([(header::CONTENT_TYPE, mime)], body).into_response()
}
