//! The staffing plan (docs/STAFFING.md): supervisors and administrators only; the page, the
//! CSV and the JSON made from the statistics rows and the presence history; and the presence
//! history written by the server itself, once a minute.

use crate::helpers::*;
use ecoute::i18n::{Locale, Tr};
use ecoute_domain::{HourOfWeek, IsoWeek, PresenceSample, Role, weeks_before};
use ecoute_store::Store;
use serde_json::Value;
use sqlx::SqlitePool;
use std::time::Duration;
use time::OffsetDateTime;

const HEADER: &str = "hour_of_week,day,hour,chats,arrivals_per_hour,handling_minutes,\
                      handling_basis,load_erlangs,places_needed,officers_needed,officers_present,\
                      gap,overloaded";

/// `n` statistics rows of chats that started in `hour` of `week`, handled for `duration` (a
/// bucket's stored name) or never taken.
async fn chats(db: &SqlitePool, week: IsoWeek, hour: u8, duration: Option<&str>, n: usize) {
    for _ in 0..n {
        sqlx::query(
            "INSERT INTO chat_statistics (id, iso_week, hour_of_week, reporter, minor, language, \
             facts, ending, wait, duration, handovers, quick_exit, left_before_answer, \
             danger_path, risk_labels) \
             VALUES (?, ?, ?, 'victim', 0, 'fr', '', 'information_given', 'lt1m', ?, 0, 0, ?, 0, '')",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(week.key())
        .bind(i64::from(hour))
        .bind(duration)
        .bind(i64::from(duration.is_none()))
        .execute(db)
        .await
        .unwrap();
    }
}

fn number(field: &str) -> f64 {
    field
        .parse()
        .unwrap_or_else(|_| panic!("`{field}` is a number"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_is_refused_the_staffing_plan_and_not_shown_the_link() {
    let app = spawn_app().await;
    let o = app.officer("olga").await;
    for path in [
        "/console/staffing",
        "/console/staffing.csv",
        "/console/staffing.svg",
        "/api/staff/staffing",
    ] {
        assert_eq!(get_as(&app, &o, path).await.status(), 403, "{path}");
    }
    let anonymous = app
        .http
        .get(app.url("/console/staffing"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303);
    assert_eq!(anonymous.headers()["location"], "/console/login");
    let console = get_as(&app, &o, "/console").await.text().await.unwrap();
    assert!(!console.contains(r#"href="/console/staffing""#));

    let s = app.staff("sam", Role::Supervisor).await;
    let console = get_as(&app, &s, "/console").await.text().await.unwrap();
    assert!(console.contains(r#"href="/console/staffing""#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_chat_recorded_the_supervisor_is_told_no_plan_is_made() {
    let app = spawn_app().await;
    let s = app.staff("sam", Role::Supervisor).await;
    let r = get_as(&app, &s, "/console/staffing").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="staffing-no-plan""#), "{html}");
    assert!(!html.contains("<tbody>"), "no table of made-up numbers");

    let csv = get_as(&app, &s, "/console/staffing.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv, format!("{HEADER}\r\n"), "the header, and no hour");

    let json: Value = get_as(&app, &s, "/api/staff/staffing")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["planned"], false);
    assert_eq!(json["weeks"], 8);
    assert_eq!(json["hours"].as_array().unwrap().len(), 0);
}

/// Last week: Monday 10:00 had 12 chats of 30 to 60 minutes and two officers present half the
/// hour; Monday 11:00 had 3 chats, 2 of them handled. A chat of this week, and one older than
/// the window, are left out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_reflects_the_statistics_rows_and_the_csv_parses_into_168_numeric_hours() {
    let app = spawn_app_with(|c| c.staffing.weeks = 4).await;
    let s = app.staff("sam", Role::Supervisor).await;
    let db = database(app.data_dir.path()).await;
    let this_week = IsoWeek::of(OffsetDateTime::now_utc());
    let last_week = weeks_before(this_week, 1);
    chats(&db, last_week, 10, Some("30-60m"), 12).await;
    chats(&db, last_week, 11, Some("lt10m"), 2).await;
    chats(&db, last_week, 11, None, 1).await;
    chats(&db, this_week, 10, Some("lt10m"), 5).await;
    chats(&db, weeks_before(this_week, 5), 10, Some("lt10m"), 5).await;
    for minute in 0..30 {
        let sample = PresenceSample {
            week: last_week,
            hour: HourOfWeek::new(10).unwrap(),
            minute,
            officers: 2,
        };
        assert!(app.store.record_presence(sample).await.unwrap());
    }

    let r = get_as(&app, &s, "/console/staffing.csv").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"ecoute-staffing-")
            && disposition.ends_with(&format!("-{last_week}.csv\"")),
        "{disposition}"
    );
    let records = parse_csv(&r.text().await.unwrap());
    assert_eq!(records.len(), 1 + 168);
    assert_eq!(records[0].join(","), HEADER);
    let column = |name: &str| records[0].iter().position(|c| c == name).unwrap();
    for (i, record) in records[1..].iter().enumerate() {
        assert_eq!(record.len(), records[0].len());
        assert_eq!(number(&record[column("hour_of_week")]), i as f64);
        for name in [
            "hour",
            "chats",
            "arrivals_per_hour",
            "load_erlangs",
            "places_needed",
            "officers_needed",
        ] {
            number(&record[column(name)]);
        }
        for name in ["handling_minutes", "officers_present", "gap"] {
            let field = &record[column(name)];
            if !field.is_empty() {
                number(field);
            }
        }
    }
    let hour = |h: usize, name: &str| records[1 + h][column(name)].clone();

    // Monday 10:00: 12 chats in the one week with records; 45 min each (the bucket's
    // midpoint): 9 Erlangs. Two officers of 3 places are 6: overloaded.
    assert_eq!(
        (hour(10, "day"), hour(10, "hour")),
        ("mon".into(), "10".into())
    );
    assert_eq!(hour(10, "chats"), "12");
    assert_eq!(number(&hour(10, "arrivals_per_hour")), 12.0);
    assert_eq!(number(&hour(10, "handling_minutes")), 45.0);
    assert_eq!(hour(10, "handling_basis"), "hour");
    assert_eq!(number(&hour(10, "load_erlangs")), 9.0);
    let needed = number(&hour(10, "officers_needed"));
    assert!(needed >= 4.0, "{needed}");
    assert_eq!(number(&hour(10, "officers_present")), 2.0);
    assert_eq!(number(&hour(10, "gap")), 2.0 - needed);
    assert_eq!(hour(10, "overloaded"), "true");
    // Monday 11:00: 3 arrivals, 2 handled are too few: the mean of all hours.
    assert_eq!(number(&hour(11, "arrivals_per_hour")), 3.0);
    assert_eq!(hour(11, "handling_basis"), "all_hours");
    let overall = (12.0 * 45.0 + 2.0 * 5.0) / 14.0;
    assert!((number(&hour(11, "handling_minutes")) - overall).abs() < 0.01);
    assert_eq!(hour(11, "officers_present"), "", "no presence recorded");
    // An hour without chats needs nobody and has no handling time.
    assert_eq!(
        (
            hour(12, "chats"),
            hour(12, "handling_minutes"),
            hour(12, "officers_needed")
        ),
        ("0".into(), String::new(), "0".into())
    );

    // The page shows the same plan, in French.
    let t = Tr::console(Locale::Fr);
    let html = get_as(&app, &s, "/console/staffing")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<figure class="staffing-figure""#));
    assert_eq!(html.matches("<tr data-hour=").count(), 168);
    // The chart inline, above its table: needed as bars and present as a line, one scale.
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap() + 6];
    let chart = crate::xml::parse(svg).unwrap();
    assert_eq!(chart.attr("role"), Some("img"));
    assert_eq!(
        chart.attr("aria-labelledby"),
        Some("staffing-title staffing-desc")
    );
    let words = chart.text();
    assert!(words.contains(&t.s("staffing-col-needed")), "{words}");
    assert!(words.contains(&t.s("staffing-col-present")), "{words}");
    assert!(html.find("<svg").unwrap() < html.find("<table").unwrap());
    let r = get_as(&app, &s, "/console/staffing.svg").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml; charset=utf-8");
    let standalone = crate::xml::parse(&r.text().await.unwrap()).unwrap();
    assert_eq!(standalone.attr("xmlns"), Some("http://www.w3.org/2000/svg"));
    let row_start = html.find(r#"<tr data-hour="10""#).unwrap();
    let row = &html[row_start..row_start + html[row_start..].find("</tr>").unwrap()];
    assert!(row.contains(r#"class="is-short""#), "{row}");
    assert!(row.contains("lundi 10 h") && row.contains("12,00") && row.contains("45,0"));
    assert!(row.contains(&t.s("staffing-overloaded")), "{row}");
    assert!(
        html.contains(&format!("{last_week}")),
        "the weeks used are named"
    );

    // And the JSON.
    let json: Value = get_as(&app, &s, "/api/staff/staffing")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["planned"], true);
    assert_eq!(json["weeks"], 4);
    assert_eq!(json["weeks_observed"], 1);
    assert_eq!(json["chats"], 15);
    assert_eq!(json["to_week"], last_week.to_string());
    assert_eq!(json["hours"][10]["officers_needed"].as_f64(), Some(needed));
}

/// The server samples presence on its own: an officer at their console, available, is counted
/// in the hour they were there. (The first sample comes 10 s after the start; if the officer
/// was not yet at their console, the next one, a minute later.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_sampling_records_an_available_officers_hour() {
    let app = spawn_app().await;
    let o = app.officer("olga").await;
    let before = OffsetDateTime::now_utc();
    let (_ws, _) = app.staff_socket(&o).await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    let found = loop {
        let now = OffsetDateTime::now_utc();
        let history = app
            .store
            .presence_history(IsoWeek::of(before), IsoWeek::of(now))
            .await
            .unwrap();
        let counted = history.into_iter().find(|h| h.officer_minutes >= 1);
        if let Some(h) = counted {
            break h;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no minute with the officer present was recorded"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let now = OffsetDateTime::now_utc();
    assert!(
        found.hour == HourOfWeek::of(before) || found.hour == HourOfWeek::of(now),
        "the hour she was there"
    );
    assert!(
        found.officer_minutes <= u64::from(found.minutes_sampled),
        "one officer, counted once a minute"
    );
}
