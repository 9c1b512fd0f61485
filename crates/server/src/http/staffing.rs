//! The staffing plan for supervisors and administrators (docs/STAFFING.md): a page with the
//! plan's 168 hours as an accessible table, the same table as CSV, and as JSON. The service
//! makes the plan; these handlers only show it.

use crate::error::ApiError;
use crate::http::guard::{Page, Supervisor};
use crate::http::locale::StaffLocale;
use crate::http::pages::render_with;
use crate::i18n::{Locale, Tr};
use crate::service::staffing::StaffingReport;
use crate::state::AppState;
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ecoute_domain::{HandlingBasis, HourOfWeek, MIN_HANDLED_PER_HOUR, PlannedHour};
use serde::Serialize;
use std::fmt::Write as _;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// What a cell shows when there is no value (no chat, no minute of presence).
const NONE: &str = "—";

/// Day names' message ids, Monday first.
const DAYS: [&str; 7] = [
    "staffing-day-mon",
    "staffing-day-tue",
    "staffing-day-wed",
    "staffing-day-thu",
    "staffing-day-fri",
    "staffing-day-sat",
    "staffing-day-sun",
];

/// The days in the CSV and the API, Monday first.
const DAY_CODES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A number as staff read it: a decimal comma in French, Spanish and Arabic, a point in
/// English; a true minus sign and, when `signed`, a plus sign.
fn decimal(t: &Tr, value: f64, places: usize, signed: bool) -> String {
    let rounded = format!("{:.places$}", value.abs());
    let zero = rounded.chars().all(|c| c == '0' || c == '.');
    let sign = match (value < 0.0 && !zero, signed && !zero) {
        (true, _) => "−",
        (false, true) => "+",
        (false, false) => "",
    };
    let text = format!("{sign}{rounded}");
    match t.locale {
        Locale::En => text,
        Locale::Fr | Locale::Es | Locale::Ar => text.replace('.', ","),
    }
}

/// An ISO week (`2026-W05`) as a run of left-to-right text: in an Arabic sentence the
/// hyphen would otherwise send the week number before the year.
fn week_label(t: &Tr, week: ecoute_domain::IsoWeek) -> String {
    if t.dir() == "rtl" {
        format!("\u{2066}{week}\u{2069}")
    } else {
        week.to_string()
    }
}

/// "Monday 14 h" in the page's language.
fn hour_label(t: &Tr, hour: HourOfWeek) -> String {
    let h = hour.get();
    t.args(
        "staffing-hour-label",
        &[
            ("day", t.s(DAYS[usize::from(h / 24)])),
            ("hour", format!("{:02}", h % 24)),
        ],
    )
}

struct HourRow {
    hour: u8,
    label: String,
    arrivals: String,
    handling: String,
    /// The handling time is the mean of all hours (too few chats handled in this one).
    all_hours: bool,
    /// The handling time is assumed (no chat handled at all).
    assumed: bool,
    needed: u32,
    present: String,
    gap: String,
    short: bool,
    overloaded: bool,
}

struct Summary {
    arrivals_per_week: String,
    officer_hours_needed: u64,
    officer_hours_present: String,
    hours_short: usize,
    hours_overloaded: usize,
    peak: Option<String>,
    /// Some hours take the mean handling time of all hours, or an assumed one.
    any_all_hours: bool,
    any_assumed: bool,
}

/// The chart of the plan: the officers needed each hour of the week as bars, those present as
/// a line over them, on one scale; a day's label every 24 hours. Its data is the page's table.
/// Without a plan, the chart only says that there is no data.
fn chart_of(t: &Tr, plan: Option<&ecoute_domain::StaffingPlan>) -> String {
    use crate::charts::{Axis, BarsAndLine, Chart, ChartText, Line, Numbers, Series};
    let hours = plan.map_or(&[][..], |p| &p.hours[..]);
    let mark = match t.locale {
        Locale::En => '.',
        Locale::Fr | Locale::Es | Locale::Ar => ',',
    };
    BarsAndLine {
        text: ChartText {
            id: "staffing".into(),
            title: t.s("staffing-figure-caption"),
            desc: t.s("staffing-chart-desc"),
            lang: t.lang().into(),
            empty: t.s("stats-no-data"),
        },
        categories: hours.iter().map(|h| hour_label(t, h.hour)).collect(),
        bars: Series {
            name: t.s("staffing-col-needed"),
            values: hours.iter().map(|h| f64::from(h.plan.officers)).collect(),
        },
        line: Line {
            name: t.s("staffing-col-present"),
            values: hours.iter().map(|h| h.present).collect(),
        },
        axis: Axis {
            label: t.s("staffing-chart-axis"),
            numbers: Numbers {
                decimals: 0,
                decimal_mark: mark,
            },
            max: None,
        },
        tick_every: 24,
    }
    .svg()
}

#[derive(Template)]
#[template(path = "staffing.html")]
struct StaffingPage {
    t: Tr,
    intro: String,
    /// The weeks used and how many hold data; none without a plan (its reason names them).
    weeks: Option<String>,
    places: String,
    /// Why there is no plan, when there is none.
    no_plan: Option<String>,
    summary: Option<Summary>,
    /// The chart, inline SVG; none without a plan.
    chart: Option<String>,
    rows: Vec<HourRow>,
    all_hours_note: String,
}

fn page_of(t: Tr, report: &StaffingReport) -> StaffingPage {
    let window = report.window;
    let intro = t.args(
        "staffing-intro",
        &[
            (
                "share",
                format!("{}", (report.target.share() * 100.0).round()),
            ),
            (
                "within",
                format!("{}", report.target.within_seconds().round()),
            ),
        ],
    );
    let places = t.n(
        "staffing-places",
        "places",
        i64::from(report.places_per_officer),
    );
    let all_hours_note = t.n("staffing-note-all-hours", "n", MIN_HANDLED_PER_HOUR as i64);
    let weeks_text = |observed: u32| {
        t.args(
            "staffing-weeks",
            &[
                ("from", week_label(&t, window.from)),
                ("to", week_label(&t, window.to)),
                ("weeks", window.weeks.to_string()),
                ("observed", observed.to_string()),
            ],
        )
    };
    let Some(plan) = &report.plan else {
        return StaffingPage {
            no_plan: Some(t.args(
                "staffing-no-data",
                &[
                    ("from", week_label(&t, window.from)),
                    ("to", week_label(&t, window.to)),
                ],
            )),
            weeks: None,
            intro,
            places,
            summary: None,
            chart: None,
            rows: Vec::new(),
            all_hours_note,
            t,
        };
    };
    let ppo = plan.places_per_officer;
    let rows: Vec<HourRow> = plan
        .hours
        .iter()
        .map(|h: &PlannedHour| HourRow {
            hour: h.hour.get(),
            label: hour_label(&t, h.hour),
            arrivals: decimal(&t, h.arrivals_per_hour, 2, false),
            handling: h
                .handling_minutes
                .map_or_else(|| NONE.to_string(), |m| decimal(&t, m, 1, false)),
            all_hours: h.basis == HandlingBasis::AllHours,
            assumed: h.basis == HandlingBasis::Assumed,
            needed: h.plan.officers,
            present: h
                .present
                .map_or_else(|| NONE.to_string(), |p| decimal(&t, p, 1, false)),
            gap: h
                .gap()
                .map_or_else(|| NONE.to_string(), |g| decimal(&t, g, 1, true)),
            short: h.gap().is_some_and(|g| g < 0.0),
            overloaded: h.overloaded(ppo),
        })
        .collect();
    let summary = Summary {
        arrivals_per_week: decimal(&t, plan.arrivals_per_week(), 1, false),
        officer_hours_needed: plan.officer_hours_needed(),
        officer_hours_present: decimal(&t, plan.officer_hours_present(), 1, false),
        hours_short: plan.hours_short(),
        hours_overloaded: plan.hours_overloaded(),
        peak: plan.peak().map(|h| {
            t.args(
                "staffing-peak-value",
                &[
                    ("hour", hour_label(&t, h.hour)),
                    ("officers", h.plan.officers.to_string()),
                ],
            )
        }),
        any_all_hours: rows.iter().any(|r| r.all_hours),
        any_assumed: rows.iter().any(|r| r.assumed),
    };
    StaffingPage {
        weeks: Some(weeks_text(plan.weeks_observed)),
        intro,
        places,
        no_plan: None,
        summary: Some(summary),
        chart: Some(chart_of(&t, Some(plan))),
        rows,
        all_hours_note,
        t,
    }
}

/// The plan of the configured weeks before now, as `reader` may see it (the service refuses
/// anyone who does not supervise).
async fn report(state: &AppState, reader: &ecoute_store::User) -> Result<StaffingReport, ApiError> {
    state
        .chat
        .staffing_plan(reader, &state.config.staffing, OffsetDateTime::now_utc())
        .await
}

/// The plan's page (supervisors and administrators).
pub async fn page(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(Supervisor(staff)): Page<Supervisor>,
) -> Result<Response, ApiError> {
    let report = report(&state, &staff.user).await?;
    Ok(render_with(&page_of(locale.tr(), &report), StatusCode::OK))
}

/// The columns of the CSV, and of the JSON API's hours.
pub const CSV_HEADER: [&str; 13] = [
    "hour_of_week",
    "day",
    "hour",
    "chats",
    "arrivals_per_hour",
    "handling_minutes",
    "handling_basis",
    "load_erlangs",
    "places_needed",
    "officers_needed",
    "officers_present",
    "gap",
    "overloaded",
];

/// The plan as CSV: a header, then one record per hour of the week (none when there is no
/// plan). Numbers with a decimal point; an empty field where there is no value.
fn csv_of(report: &StaffingReport) -> String {
    let mut records = vec![CSV_HEADER.map(String::from).to_vec()];
    let mut record = |fields: &[&str]| records.push(fields.iter().map(|f| f.to_string()).collect());
    let Some(plan) = &report.plan else {
        return crate::csv::write(&records);
    };
    for h in &plan.hours {
        let r = HourResponse::of(h, plan.places_per_officer);
        let opt =
            |v: Option<f64>, places: usize| v.map_or(String::new(), |v| format!("{v:.places$}"));
        record(&[
            &r.hour_of_week.to_string(),
            r.day,
            &r.hour.to_string(),
            &r.chats.to_string(),
            &format!("{:.4}", r.arrivals_per_hour),
            &opt(r.handling_minutes, 2),
            r.handling_basis,
            &format!("{:.4}", r.load_erlangs),
            &r.places_needed.to_string(),
            &r.officers_needed.to_string(),
            &opt(r.officers_present, 3),
            &opt(r.gap, 3),
            if r.overloaded { "true" } else { "false" },
        ]);
    }
    crate::csv::write(&records)
}

/// The plan's chart as an SVG document (supervisors and administrators).
pub async fn svg(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(Supervisor(staff)): Page<Supervisor>,
) -> Result<Response, ApiError> {
    let report = report(&state, &staff.user).await?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        chart_of(&locale.tr(), report.plan.as_ref()),
    )
        .into_response())
}

/// The plan as CSV (supervisors and administrators).
pub async fn csv(
    State(state): State<AppState>,
    Page(Supervisor(staff)): Page<Supervisor>,
) -> Result<Response, ApiError> {
    let report = report(&state, &staff.user).await?;
    let mut name = String::new();
    let _ = write!(
        name,
        "attachment; filename=\"ecoute-staffing-{}-{}.csv\"",
        report.window.from, report.window.to
    );
    let disposition =
        HeaderValue::from_str(&name).unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv_of(&report),
    )
        .into_response())
}

/// One hour of the week in the staffing plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct HourResponse {
    /// 0 (Monday 00:00–00:59, Paris time) to 167 (Sunday 23:00–23:59).
    pub hour_of_week: u8,
    /// `mon` to `sun`.
    pub day: &'static str,
    /// 0 to 23.
    pub hour: u8,
    /// Chats that started in this hour over the weeks observed.
    pub chats: u64,
    /// Chats arriving in this hour in a mean week.
    pub arrivals_per_hour: f64,
    /// Mean handling time used, in minutes; absent when no chat arrived.
    pub handling_minutes: Option<f64>,
    /// `hour` (its own chats), `all_hours` (too few: the mean of all hours), `assumed` (no chat
    /// handled at all: 20 minutes) or `no_chats`.
    pub handling_basis: &'static str,
    /// Offered load, in Erlangs (mean chats held at once).
    pub load_erlangs: f64,
    /// Places (chats held at once) needed to meet the target.
    pub places_needed: u32,
    /// Officers needed to provide those places.
    pub officers_needed: u32,
    /// Mean officers available in this hour; absent when no minute of it was recorded.
    pub officers_present: Option<f64>,
    /// Officers present minus officers needed; absent with no presence recorded.
    pub gap: Option<f64>,
    /// The officers present, every place taken, could not even carry the load.
    pub overloaded: bool,
}

impl HourResponse {
    fn of(h: &PlannedHour, places_per_officer: u32) -> Self {
        let n = h.hour.get();
        Self {
            hour_of_week: n,
            day: DAY_CODES[usize::from(n / 24)],
            hour: n % 24,
            chats: h.chats,
            arrivals_per_hour: h.arrivals_per_hour,
            handling_minutes: h.handling_minutes,
            handling_basis: h.basis.as_str(),
            load_erlangs: h.plan.load,
            places_needed: h.plan.places,
            officers_needed: h.plan.officers,
            officers_present: h.present,
            gap: h.gap(),
            overloaded: h.overloaded(places_per_officer),
        }
    }
}

/// The staffing plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffingResponse {
    /// The first week used (`2026-W02`).
    pub from_week: String,
    /// The last week used: the one before the current week.
    pub to_week: String,
    /// Weeks asked for (`[staffing] weeks`).
    pub weeks: u32,
    /// Weeks of those holding any record; absent when there is no plan.
    pub weeks_observed: Option<u32>,
    /// Share of chats to answer within the target wait.
    pub target_share: f64,
    /// The target wait, in seconds.
    pub target_within_secs: f64,
    /// Chats an officer holds at once in the plan.
    pub places_per_officer: u32,
    /// Chats recorded in the weeks used.
    pub chats: u64,
    /// Whether a plan was made: none when no chat was recorded in those weeks.
    pub planned: bool,
    /// The 168 hours, Monday 00:00 first; empty when there is no plan.
    pub hours: Vec<HourResponse>,
}

/// The staffing plan of the last weeks, hour by hour (supervisors and administrators).
#[utoipa::path(get, path = "/api/staff/staffing", tag = "staff",
    responses(
        (status = 200, description = "The plan, or `planned: false` when no chat was recorded in the weeks used", body = StaffingResponse),
        (status = 401, description = "unauthenticated", body = crate::error::ErrorBody),
        (status = 403, description = "forbidden (officers) or totp_enrolment_required", body = crate::error::ErrorBody),
    ))]
pub async fn api(
    State(state): State<AppState>,
    Supervisor(staff): Supervisor,
) -> Result<Json<StaffingResponse>, ApiError> {
    let report = report(&state, &staff.user).await?;
    let plan = report.plan.as_ref();
    Ok(Json(StaffingResponse {
        from_week: report.window.from.to_string(),
        to_week: report.window.to.to_string(),
        weeks: report.window.weeks,
        weeks_observed: plan.map(|p| p.weeks_observed),
        target_share: report.target.share(),
        target_within_secs: report.target.within_seconds(),
        places_per_officer: report.places_per_officer,
        chats: plan.map_or(0, |p| p.chats),
        planned: plan.is_some(),
        hours: plan.map_or_else(Vec::new, |p| {
            p.hours
                .iter()
                .map(|h| HourResponse::of(h, p.places_per_officer))
                .collect()
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_with_the_decimal_mark_of_the_page_language() {
        let fr = Tr::console(Locale::Fr);
        let en = Tr::console(Locale::En);
        assert_eq!(decimal(&fr, 2.345, 1, false), "2,3");
        assert_eq!(decimal(&en, 2.345, 1, false), "2.3");
        assert_eq!(decimal(&fr, -1.25, 1, true), "−1,2");
        assert_eq!(decimal(&en, 0.5, 1, true), "+0.5");
        assert_eq!(decimal(&en, -0.01, 1, true), "0.0", "no sign on a zero");
    }

    #[test]
    fn a_week_stays_left_to_right_in_an_arabic_sentence() {
        let week = ecoute_domain::IsoWeek::new(2026, 5).unwrap();
        assert_eq!(week_label(&Tr::console(Locale::Fr), week), "2026-W05");
        assert_eq!(
            week_label(&Tr::console(Locale::Ar), week),
            "\u{2066}2026-W05\u{2069}"
        );
    }

    #[test]
    fn an_hour_is_labelled_with_its_day_and_hour() {
        crate::i18n::init();
        let fr = Tr::console(Locale::Fr);
        let en = Tr::console(Locale::En);
        assert_eq!(hour_label(&fr, HourOfWeek::new(0).unwrap()), "lundi 00 h");
        assert_eq!(
            hour_label(&en, HourOfWeek::new(24 + 14).unwrap()),
            "Tuesday 14:00"
        );
        assert_eq!(
            hour_label(&en, HourOfWeek::new(167).unwrap()),
            "Sunday 23:00"
        );
    }
}
