//! The statistics page's export button: the open-data export of the period shown, as one CSV
//! of every figure (docs/STATISTICS.md, "Open data"). `ecoute stats export` writes the same
//! figures as files.

use crate::error::ApiError;
use crate::http::guard::{Page, SameOrigin, Supervisor};
use crate::service::open_data::{LONG_FILE, long_records};
use crate::state::AppState;
use axum::extract::{Form, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use ecoute_domain::{Period, Threshold};
use serde::Deserialize;

/// The period of the export: two ISO weeks or dates.
#[derive(Debug, Deserialize)]
pub struct ExportForm {
    /// The first week.
    pub from: String,
    /// The last week, included.
    pub to: String,
}

/// `POST /console/statistics/export`: supervisors and admins; audited by the service.
pub async fn export(
    State(state): State<AppState>,
    Page(Supervisor(staff)): Page<Supervisor>,
    _: SameOrigin,
    Form(form): Form<ExportForm>,
) -> Response {
    let period = match Period::parse(&form.from, &form.to) {
        Ok(p) => p,
        Err(e) => return ApiError::BadRequest(e.to_string()).into_response(),
    };
    let data = match state
        .chat
        .export_open_data(period, Threshold::default(), &staff.user)
        .await
    {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let body = crate::csv::write(&long_records(&data));
    let name = format!(
        "ecoute-{}-{}-{}",
        data.from,
        data.to,
        LONG_FILE.trim_end_matches(".csv")
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
