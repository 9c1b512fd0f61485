//! Which language a page is rendered in.
//!
//! - Visitor pages: `?lang=xx` when given (the language links), otherwise the browser's
//!   `Accept-Language`. Nothing is stored on the visitor's device: no cookie, ever.
//! - Staff pages: the `ecoute_lang` cookie the console's language form sets (scoped to
//!   `/console`), otherwise `Accept-Language`.

use crate::error::ApiError;
use crate::http::guard::{SameOrigin, named_cookie, secure_attribute};
use crate::i18n::{Locale, Tr};
use crate::state::AppState;
use axum::Form;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::convert::Infallible;

/// The staff's language cookie.
pub const STAFF_LANG_COOKIE: &str = "ecoute_lang";

fn accept_language(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
}

/// The language of a visitor page.
#[derive(Debug, Clone, Copy)]
pub struct VisitorLocale(pub Locale);

impl VisitorLocale {
    pub fn tr(self) -> Tr {
        Tr::visitor(self.0)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for VisitorLocale {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let asked = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| *k == "lang")
                .and_then(|(_, v)| Locale::parse(v))
        });
        Ok(VisitorLocale(asked.unwrap_or_else(|| {
            Locale::negotiate(accept_language(&parts.headers))
        })))
    }
}

/// The language of a staff page.
#[derive(Debug, Clone, Copy)]
pub struct StaffLocale(pub Locale);

impl StaffLocale {
    pub fn tr(self) -> Tr {
        Tr::console(self.0)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for StaffLocale {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let chosen = named_cookie(&parts.headers, STAFF_LANG_COOKIE).and_then(Locale::parse);
        Ok(StaffLocale(chosen.unwrap_or_else(|| {
            Locale::negotiate(accept_language(&parts.headers))
        })))
    }
}

/// The console's language form (also on the unit's desk, which says `back=desk`).
#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    back: Option<String>,
}

/// Sets the staff pages' language for this browser and goes back to the console, or to the
/// desk when its form asked. The cookie is set for `/console` and for `/desk` (two cookies,
/// one per path) so that it is never sent with a visitor's page.
pub async fn set_staff_language(
    State(state): State<AppState>,
    _: SameOrigin,
    Form(form): Form<LanguageForm>,
) -> Response {
    let Some(locale) = Locale::parse(&form.lang) else {
        return ApiError::BadRequest("lang must be one of fr, en, es, ar".into()).into_response();
    };
    let secure = secure_attribute(&state);
    let back = match form.back.as_deref() {
        Some("desk") => crate::http::guard::DESK_PAGE,
        _ => "/console",
    };
    let mut response = Redirect::to(back).into_response();
    for path in ["/console", crate::http::guard::DESK_PAGE] {
        let cookie = format!(
            "{STAFF_LANG_COOKIE}={}; Path={path}; SameSite=Strict; Max-Age=31536000{secure}",
            locale.code()
        );
        response.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_str(&cookie).expect("cookie is ASCII"),
        );
    }
    response
}

/// Everything a visitor page needs to change language in place, as JSON.
pub async fn visitor_bundle(Path(file): Path<String>) -> Response {
    let Some(locale) = file.strip_suffix(".json").and_then(Locale::parse) else {
        return ApiError::NotFound.into_response();
    };
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        crate::i18n::visitor_bundle_json(locale),
    )
        .into_response()
}
