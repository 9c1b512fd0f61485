//! The supervisors' view of forwarded reports: every dossier with its unit, its state, its
//! time to first contact and whether it waits too long for its unit's acknowledgement; each
//! opens read-only (the reading audited by the service).

use crate::http::desk::{DossierPage, dossier_view, paris, span, state_label};
use crate::http::guard::{Page, Supervisor};
use crate::http::locale::StaffLocale;
use crate::http::pages::render_with;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use time::OffsetDateTime;

struct OverviewRow {
    id: String,
    reference: String,
    unit: String,
    state: String,
    produced: String,
    first_contact: Option<String>,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "dossiers.html")]
struct OverviewPage {
    t: Tr,
    intro: String,
    /// The alert while dossiers wait too long for their unit's acknowledgement.
    overdue: Option<String>,
    rows: Vec<OverviewRow>,
}

/// Every dossier, open ones first.
pub async fn list(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(Supervisor(staff)): Page<Supervisor>,
) -> Response {
    let (dossiers, units) =
        match tokio::try_join!(state.chat.all_dossiers(&staff.user), state.chat.units()) {
            Ok(r) => r,
            Err(e) => return e.into_response(),
        };
    let names: HashMap<_, _> = units.into_iter().map(|u| (u.id, u.name)).collect();
    let t = locale.tr();
    let now = OffsetDateTime::now_utc();
    let rows: Vec<OverviewRow> = dossiers
        .iter()
        .map(|d| OverviewRow {
            id: d.id.to_string(),
            reference: d.reference.clone(),
            unit: names
                .get(&d.unit)
                .cloned()
                .unwrap_or_else(|| d.unit.as_str().to_string()),
            state: state_label(&t, d.state),
            produced: paris(d.produced_at),
            first_contact: d.first_contact_at.map(|at| span(&t, at - d.produced_at)),
            overdue: state.chat.is_overdue(d, now),
        })
        .collect();
    let hours = state.chat.dossier_ack_hours();
    let late = rows.iter().filter(|r| r.overdue).count();
    let overdue = (late > 0).then(|| {
        t.args(
            "board-dossiers-overdue",
            &[("count", late.to_string()), ("hours", hours.to_string())],
        )
    });
    render_with(
        &OverviewPage {
            intro: t.n("dossiers-intro", "hours", hours as i64),
            overdue,
            rows,
            t,
        },
        StatusCode::OK,
    )
}

/// One dossier, read-only; reading it is audited.
pub async fn dossier(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(Supervisor(staff)): Page<Supervisor>,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return crate::error::ApiError::NotFound.into_response();
    };
    let open = match state.chat.open_dossier(&staff.user, None, id).await {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let t = locale.tr();
    let d = dossier_view(&t, open);
    render_with(
        &DossierPage {
            t,
            desk: None,
            display_name: staff.user.display_name,
            d,
            form: None,
        },
        StatusCode::OK,
    )
}
