//! "Mon service" (docs/WELLBEING.md): a staff member's own exposure within the window and
//! today, what it is made of, their breaks, and who to turn to. Only their own: the page takes
//! no one's id, it shows the session's account.

use crate::error::ApiError;
use crate::http::guard::Page;
use crate::http::locale::StaffLocale;
use crate::http::pages::render_with;
use crate::i18n::Tr;
use crate::service::wellbeing::MyService;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ecoute_domain::{Exposure, paris_offset};
use time::OffsetDateTime;

/// One line of the composition table.
struct Row {
    label: String,
    window: String,
    today: String,
}

#[derive(Template)]
#[template(path = "my_service.html")]
struct MyServicePage {
    t: Tr,
    display_name: String,
    weighted: String,
    threshold: String,
    window_heading: String,
    over: bool,
    rows: Vec<Row>,
    on_break_since: Option<String>,
    since_last_break: String,
    breaks_today: String,
    support_contact: Option<String>,
}

/// Minutes as staff read them: "1 h 05 min", "12 min".
fn minutes(t: &Tr, m: i64) -> String {
    if m >= 60 {
        t.args(
            "service-hours-minutes",
            &[
                ("hours", (m / 60).to_string()),
                ("minutes", format!("{:02}", m % 60)),
            ],
        )
    } else {
        t.n("service-minutes", "minutes", m)
    }
}

/// A time of day, Paris time.
fn clock(at: OffsetDateTime) -> String {
    let local = at.to_offset(paris_offset(at));
    format!("{:02}:{:02}", local.hour(), local.minute())
}

fn page(t: Tr, name: String, s: &MyService, contact: &str, now: OffsetDateTime) -> MyServicePage {
    let row = |id: &str, f: fn(&Exposure) -> i64| Row {
        label: t.s(id),
        window: minutes(&t, f(&s.window) / 60),
        today: minutes(&t, f(&s.today) / 60),
    };
    let rows = vec![
        row("service-row-chats", |e| e.chat_seconds),
        row("service-row-minor", |e| e.minor_seconds),
        row("service-row-flagged", |e| e.flagged_seconds),
        row("service-row-danger", |e| e.danger_seconds),
        row("service-row-grave", |e| e.grave_seconds),
        // Weighted minutes are a count, not a duration: never shown as hours.
        Row {
            label: t.s("service-row-weighted"),
            window: t.n("service-minutes", "minutes", s.window.weighted_minutes()),
            today: t.n("service-minutes", "minutes", s.today.weighted_minutes()),
        },
    ];
    let since_last_break = match (s.on_break_since, s.last_break_ended) {
        (Some(_), _) => t.s("service-on-break-now"),
        (None, Some(end)) => minutes(&t, (now - end).whole_minutes().max(0)),
        (None, None) => t.s("service-no-break"),
    };
    MyServicePage {
        weighted: s.window.weighted_minutes().to_string(),
        threshold: s.rule.threshold.to_string(),
        window_heading: t.n(
            "service-window-column",
            "hours",
            s.rule.window.whole_minutes() / 60,
        ),
        over: s.over(),
        rows,
        on_break_since: s.on_break_since.map(clock),
        since_last_break,
        breaks_today: s.breaks_today.to_string(),
        support_contact: (!contact.is_empty()).then(|| contact.to_string()),
        display_name: name,
        t,
    }
}

/// The page.
pub async fn my_service(
    State(state): State<AppState>,
    locale: StaffLocale,
    Page(staff): Page<crate::auth::Staff>,
) -> Response {
    let now = OffsetDateTime::now_utc();
    let rule = state.presence.exposures().rule();
    let measured: Result<MyService, ApiError> =
        state.chat.my_service(staff.user.id, rule, now).await;
    match measured {
        Ok(s) => {
            let p = page(
                locale.tr(),
                staff.user.display_name.clone(),
                &s,
                &state.config.wellbeing.support_contact,
                now,
            );
            render_with(&p, StatusCode::OK)
        }
        Err(e) => e.into_response(),
    }
}
