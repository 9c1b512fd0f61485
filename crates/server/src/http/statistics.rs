//! The statistics pages, for supervisors and administrators: a period picker (a plain GET
//! form), then each chart drawn on the server as SVG with its data as a table; each chart also
//! as its own SVG file and each table as a CSV file (docs/STATISTICS.md, "Statistics pages").
//!
//! - `GET /console/statistics?from=YYYY-MM-DD&to=YYYY-MM-DD`: the page; the dates are widened
//!   to whole ISO weeks, the last 8 full weeks when none is given. A bad period is said on the
//!   page (400), with the form to correct it.
//! - `GET /console/statistics/{name}.svg?from&to`: one chart.
//! - `GET /console/statistics/{name}.csv?from&to`: one table, as an attachment.

mod views;

use crate::http::guard::{Page, Supervisor};
use crate::http::locale::StaffLocale;
use crate::http::pages::render_with;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ecoute_domain::{AskedPeriodError, MAX_PERIOD_WEEKS, Period, PeriodError, PeriodFigures};
use time::OffsetDateTime;
use views::{Key, View, Words, date};

/// The query's parameters as given, in order; a repeated one counts once (the first), and a
/// malformed query is no parameter rather than a refusal.
type Params = Query<Vec<(String, String)>>;

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The period asked for, or what is wrong with it.
fn period_of(params: &[(String, String)]) -> Result<Period, AskedPeriodError> {
    Period::asked(
        param(params, "from"),
        param(params, "to"),
        OffsetDateTime::now_utc(),
    )
}

fn period_error(t: &Tr, e: &AskedPeriodError) -> String {
    match e {
        AskedPeriodError::Start(_) | AskedPeriodError::Period(PeriodError::Unreadable(_)) => {
            t.s("stats-error-bad-start")
        }
        AskedPeriodError::End(_) => t.s("stats-error-bad-end"),
        AskedPeriodError::Period(PeriodError::Reversed { .. }) => t.s("stats-error-reversed"),
        AskedPeriodError::Period(PeriodError::TooLong(weeks)) => t.args(
            "stats-error-too-long",
            &[
                ("weeks", weeks.to_string()),
                ("max", MAX_PERIOD_WEEKS.to_string()),
            ],
        ),
    }
}

/// `from=…&to=…` of a period: its first Monday and last Sunday.
fn query_of(period: &Period) -> String {
    format!("from={}&to={}", iso(period.start()), iso(period.end()))
}

/// The figures of a period, and the words to show them with (the units' names included).
async fn figures_and_words(
    state: &AppState,
    reader: &ecoute_store::User,
    period: Period,
    t: Tr,
) -> Result<(PeriodFigures, Words), crate::error::ApiError> {
    let (figures, units) =
        tokio::try_join!(state.chat.statistics(reader, period), state.chat.units())?;
    let names = units.into_iter().map(|u| (u.id, u.name)).collect();
    Ok((figures, Words::new(t, names)))
}

/// A date as the form and the query write it.
fn iso(d: time::Date) -> String {
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    t: Tr,
    /// The form's values: the period's bounds, or what was typed when it was refused.
    from: String,
    to: String,
    error: Option<String>,
    /// Which field the error is about: "from", "to" or "" (both).
    error_field: &'static str,
    /// The period in words, and the query of its files.
    period: String,
    query: String,
    summary: Vec<(String, String)>,
    views: Vec<View>,
}

/// The statistics page.
pub async fn page(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(Supervisor(staff)): Page<Supervisor>,
    Query(params): Params,
) -> Response {
    let t = locale.tr();
    let period = match period_of(&params) {
        Ok(p) => p,
        Err(e) => {
            let error_field = match e {
                AskedPeriodError::Start(_) => "from",
                AskedPeriodError::End(_) => "to",
                AskedPeriodError::Period(_) => "",
            };
            let page = StatisticsPage {
                from: param(&params, "from").unwrap_or_default().to_string(),
                to: param(&params, "to").unwrap_or_default().to_string(),
                error: Some(period_error(&t, &e)),
                error_field,
                period: String::new(),
                query: String::new(),
                summary: Vec::new(),
                views: Vec::new(),
                t,
            };
            return render_with(&page, StatusCode::BAD_REQUEST);
        }
    };
    let (figures, words) = match figures_and_words(&state, &staff.user, period, t).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let views = Key::ALL
        .into_iter()
        .map(|k| views::view(k, &figures, &words))
        .collect();
    let weeks = period.weeks().len();
    let described = t.args(
        "stats-period",
        &[
            ("first", period.from().to_string()),
            ("last", period.to().to_string()),
            ("start", date(period.start())),
            ("end", date(period.end())),
        ],
    );
    let page = StatisticsPage {
        from: iso(period.start()),
        to: iso(period.end()),
        error: None,
        error_field: "",
        period: format!("{described} {}", t.n("stats-weeks", "count", weeks as i64)),
        query: query_of(&period),
        summary: views::summary(&figures, &words),
        views,
        t,
    };
    render_with(&page, StatusCode::OK)
}

/// One chart as SVG, or one table as CSV: `{name}.svg` or `{name}.csv`.
pub async fn file(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(Supervisor(staff)): Page<Supervisor>,
    Path(file): Path<String>,
    Query(params): Params,
) -> Response {
    let Some((key, svg)) = file.rsplit_once('.').and_then(|(name, ext)| {
        let key = Key::parse(name)?;
        match ext {
            "svg" => Some((key, true)),
            "csv" => Some((key, false)),
            _ => None,
        }
    }) else {
        return crate::error::ApiError::NotFound.into_response();
    };
    let t = locale.tr();
    let period = match period_of(&params) {
        Ok(p) => p,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                period_error(&t, &e),
            )
                .into_response();
        }
    };
    let (figures, words) = match figures_and_words(&state, &staff.user, period, t).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let view = views::view(key, &figures, &words);
    if svg {
        (
            [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
            view.svg,
        )
            .into_response()
    } else {
        let name = format!(
            "attachment; filename=\"{}_{}_{}.csv\"",
            key.as_str(),
            period.from(),
            period.to()
        );
        let mut response = (
            [(
                header::CONTENT_TYPE,
                "text/csv; charset=utf-8; header=present",
            )],
            view.table.csv(),
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&name) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, v);
        }
        response
    }
}
