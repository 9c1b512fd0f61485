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
    /// The account was just made.
    done: bool,
    /// An account exists already: the link has served, whatever code it carries.
    used: bool,
    /// What a refused form had, shown again: everything but the passwords.
    setup_code: String,
    username: String,
    display_name: String,
}

impl SetupPage {
    fn blank(t: Tr) -> Self {
        Self {
            t,
            error: None,
            done: false,
            used: false,
            setup_code: String::new(),
            username: String::new(),
            display_name: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "console.html")]
struct ConsolePage {
    t: Tr,
    display_name: String,
    username: String,
    role: String,
    /// For an administrator: what is left before the service can take chats.
    next_steps: Option<crate::service::admin::NextSteps>,
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

/// The console, or the login page for someone not logged in. An administrator also sees what is
/// left to do before the service can take chats, until it is done.
pub async fn console(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(staff): Page<Staff>,
) -> Response {
    let next_steps = if staff.user.role == ecoute_domain::Role::Admin {
        match state.chat.next_steps().await {
            Ok(steps) => Some(steps).filter(|s| s.any()),
            Err(e) => return e.into_response(),
        }
    } else {
        None
    };
    render(&ConsolePage {
        t: locale.tr(),
        display_name: staff.user.display_name,
        username: staff.user.username,
        role: staff.user.role.as_str().to_string(),
        next_steps,
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

/// The first administrator's creation form; once an account exists, says at once that the setup
/// is done (the code in the link's fragment never reaches the server, and needs not: no code
/// opens anything once there is an account).
pub async fn setup_form(State(state): State<AppState>, locale: StaffLocale) -> Response {
    match state.chat.any_account().await {
        Ok(used) => render(&SetupPage {
            used,
            ..SetupPage::blank(locale.tr())
        }),
        Err(e) => e.into_response(),
    }
}

/// Fields of the setup form.
#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    setup_code: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

/// Creates the first administrator with the one-time code printed at start. A refused form comes
/// back with what was typed, the code included (it has left the address bar), the passwords
/// excepted.
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
                error: Some(t.s(message_id)),
                setup_code: form.setup_code.trim().to_string(),
                username: form.username.trim().to_string(),
                display_name: form.display_name.trim().to_string(),
                ..SetupPage::blank(t)
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
    let password = match Password::parse(form.password.clone(), &[username.as_str(), display_name])
    {
        Ok(p) => p,
        Err(ecoute_domain::InputError::GuessablePassword) => {
            return refuse("password-err-guessable");
        }
        Err(_) => return refuse("setup-err-password"),
    };
    match state
        .chat
        .create_first_admin(form.setup_code.trim(), username, display_name, password)
        .await
    {
        Ok(Some(_)) => render(&SetupPage {
            done: true,
            ..SetupPage::blank(t)
        }),
        Ok(None) => match state.chat.any_account().await {
            // Made meanwhile (by this link in another tab, or another one): nothing to retry.
            Ok(true) => render_with(
                &SetupPage {
                    used: true,
                    ..SetupPage::blank(t)
                },
                StatusCode::GONE,
            ),
            Ok(false) => refuse("setup-err-code"),
            Err(e) => e.into_response(),
        },
        Err(e) => e.into_response(),
    }
}

/// An otpauth:// URI drawn as an SVG QR code, for an authenticator app to scan.
pub(crate) fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// The key for typing into an app by hand, in groups of four characters: the page shows them
/// apart (each group on one line) and copying gives the key whole.
pub(crate) fn key_groups(secret: &ecoute_crypto::totp::TotpSecret) -> Vec<String> {
    secret
        .to_base32()
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|group| group.iter().collect())
        .collect()
}

/// The recovery codes as a plain-text file (a `data:` address for a download link, so that it
/// works without script): a heading naming the account, then one code a line.
pub(crate) fn codes_download(t: &Tr, username: &str, codes: &[String]) -> String {
    if codes.is_empty() {
        return String::new();
    }
    let mut text = t.a("codes-file-heading", "username", username);
    text.push_str("\r\n\r\n");
    for code in codes {
        text.push_str(code);
        text.push_str("\r\n");
    }
    let mut href = String::from("data:text/plain;charset=utf-8,");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            href.push(byte as char);
        } else {
            href.push_str(&format!("%{byte:02X}"));
        }
    }
    href
}

/// The embedded static files.
pub async fn asset(Path(name): Path<String>) -> Response {
    let Some((body, mime)) = crate::assets::get(&name) else {
        return ApiError::NotFound.into_response();
    };
    ([(header::CONTENT_TYPE, mime)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecoute_crypto::totp::TotpSecret;

    #[test]
    fn the_manual_entry_key_is_shown_in_groups_of_four_that_join_back_into_the_key() {
        let secret = TotpSecret::generate();
        let groups = key_groups(&secret);
        assert_eq!(groups.len(), 8, "{groups:?}");
        assert!(groups.iter().all(|g| g.chars().count() == 4), "{groups:?}");
        assert_eq!(groups.concat(), secret.to_base32());
        assert_eq!(
            TotpSecret::from_base32(&groups.concat()),
            Some(secret),
            "what is copied is the key itself"
        );
    }
}
