//! The canned replies page: supervisors and administrators write the replies officers insert.

use super::pages::render_with;
use crate::error::ApiError;
use crate::http::guard::{Page, SameOrigin, Supervisor};
use crate::http::locale::StaffLocale;
use crate::i18n::Tr;
use crate::service::replies::ReplySaved;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ecoute_domain::{CannedReply, DirectoryError};
use serde::Deserialize;

/// A reply as the page shows it.
pub struct ReplyRow {
    id: String,
    shortcut: String,
    title: String,
    body: String,
}

/// What the "new reply" form shows again after a refusal.
#[derive(Default)]
pub struct Draft {
    shortcut: String,
    title: String,
    body: String,
}

#[derive(Template)]
#[template(path = "replies.html")]
struct RepliesPage {
    t: Tr,
    replies: Vec<ReplyRow>,
    error: Option<String>,
    notice: Option<String>,
    draft: Draft,
}

/// Fields of the save form.
#[derive(Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    id: Option<String>,
    shortcut: String,
    title: String,
    body: String,
}

/// Fields of the delete form.
#[derive(Deserialize)]
pub struct DeleteForm {
    id: String,
}

async fn page(
    state: &AppState,
    t: Tr,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
    draft: Draft,
) -> Response {
    match state.chat.canned_replies().await {
        Ok(replies) => render_with(
            &RepliesPage {
                t,
                replies: replies
                    .into_iter()
                    .map(|r| ReplyRow {
                        id: r.id.to_string(),
                        shortcut: r.reply.shortcut,
                        title: r.reply.title,
                        body: r.reply.body,
                    })
                    .collect(),
                error,
                notice,
                draft,
            },
            status,
        ),
        Err(e) => e.into_response(),
    }
}

/// Lists the replies, with a form for each and one for a new reply.
pub async fn list(
    State(state): State<AppState>,
    locale: StaffLocale,
    _: Page<Supervisor>,
) -> Response {
    page(
        &state,
        locale.tr(),
        StatusCode::OK,
        None,
        None,
        Draft::default(),
    )
    .await
}

/// Creates or replaces a reply; a bad one is shown again with what is wrong.
pub async fn save(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(Supervisor(staff)): Page<Supervisor>,
    _: SameOrigin,
    Form(form): Form<SaveForm>,
) -> Response {
    let t = locale.tr();
    let draft = Draft {
        shortcut: form.shortcut.clone(),
        title: form.title.clone(),
        body: form.body.clone(),
    };
    let reply = match CannedReply::parse(&form.shortcut, &form.title, &form.body) {
        Ok(r) => r,
        Err(e) => {
            return page(
                &state,
                t,
                StatusCode::BAD_REQUEST,
                Some(refusal(t, &e)),
                None,
                draft,
            )
            .await;
        }
    };
    let id = match form.id.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => match id.parse() {
            Ok(id) => Some(id),
            Err(_) => return ApiError::NotFound.into_response(),
        },
        None => None,
    };
    match state.chat.save_canned_reply(&staff.user, id, &reply).await {
        Ok(ReplySaved::Saved) => {
            let notice = t.a("replies-saved", "shortcut", &reply.shortcut);
            page(
                &state,
                t,
                StatusCode::OK,
                None,
                Some(notice),
                Draft::default(),
            )
            .await
        }
        Ok(ReplySaved::Unknown) => ApiError::NotFound.into_response(),
        Ok(ReplySaved::ShortcutTaken) => {
            let e = t.a("replies-conflict", "shortcut", &reply.shortcut);
            page(&state, t, StatusCode::CONFLICT, Some(e), None, draft).await
        }
        Err(e) => e.into_response(),
    }
}

/// Deletes a reply.
pub async fn delete(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(Supervisor(staff)): Page<Supervisor>,
    _: SameOrigin,
    Form(form): Form<DeleteForm>,
) -> Response {
    let Ok(id) = form.id.parse() else {
        return ApiError::NotFound.into_response();
    };
    match state.chat.delete_canned_reply(&staff.user, id).await {
        Ok(true) => {
            page(
                &state,
                locale.tr(),
                StatusCode::OK,
                None,
                Some(locale.tr().s("replies-deleted")),
                Draft::default(),
            )
            .await
        }
        Ok(false) => ApiError::NotFound.into_response(),
        Err(e) => e.into_response(),
    }
}

/// Why a reply was refused, in the page's language.
fn refusal(t: Tr, e: &DirectoryError) -> String {
    match e {
        DirectoryError::Length { field, min, max } => {
            let mut args = vec![("field", (*field).to_string())];
            args.push(("min", min.to_string()));
            args.push(("max", max.to_string()));
            t.args("replies-err-length", &args)
        }
        DirectoryError::Variable(name) => {
            t.a("replies-err-variable", "name", &format!("{{{name}}}"))
        }
        // Kind and Url are resource fields, which this page does not edit.
        DirectoryError::Shortcut | DirectoryError::Kind | DirectoryError::Url => {
            t.s("replies-err-shortcut")
        }
    }
}
