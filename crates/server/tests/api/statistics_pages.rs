//! The statistics pages (docs/STATISTICS.md, "Statistics pages"): for supervisors and
//! administrators only; each chart a valid SVG image, on the page with its data as a table,
//! each table a CSV file that counts the chats really closed; a bad period said plainly.

use crate::helpers::*;
use crate::xml;
use ecoute_domain::{Language, Role, Skills, UserId};
use ecoute_store::{NewAudit, Store};
use serde_json::json;

/// The charts and tables, by their stable file names.
const CHARTS: [&str; 12] = [
    "chats-per-day",
    "chats-per-week",
    "hour-of-week",
    "waits",
    "wait-buckets",
    "left-before-answer",
    "outcomes",
    "facts",
    "minors-witnesses",
    "forwarded-by-force",
    "forwarded-by-departement",
    "first-contact",
];

struct Got {
    status: u16,
    content_type: String,
    disposition: String,
    csp: String,
    body: String,
}

async fn get(app: &TestApp, who: Option<&Officer>, path: &str) -> Got {
    let mut request = app.http.get(app.url(path));
    if let Some(who) = who {
        request = request.header("cookie", &who.cookie);
    }
    let r = request.send().await.unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    Got {
        status: r.status().as_u16(),
        content_type: header("content-type"),
        disposition: header("content-disposition"),
        csp: header("content-security-policy"),
        body: r.text().await.unwrap(),
    }
}

/// This week only: the chats a test makes start now (the week of Paris time).
fn this_week() -> String {
    let now = time::OffsetDateTime::now_utc();
    let today = now.to_offset(ecoute_domain::paris_offset(now)).date();
    format!("from={today}&to={today}")
}

/// A chat `officer` claims, qualifies with `facts` and closes with `outcome`; the visitor
/// says who they are with `intake`.
async fn qualified_close(
    app: &TestApp,
    officer: &Officer,
    intake: serde_json::Value,
    facts: &[&str],
    outcome: &str,
) {
    let visitor = app.start_visitor_with(intake).await;
    let id = visitor.conversation_id.as_str();
    let (mut ws, _) = app.staff_socket(officer).await;
    ws.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    ws.recv_type("claimed").await;
    ws.send(
        json!({"type": "qualify", "conversation_id": id, "qualification":
        {"facts": facts, "reporter": "victim", "minor": false, "danger": "serious"}}),
    )
    .await;
    ws.recv_type("case_file").await;
    ws.send(json!({"type": "close", "conversation_id": id, "outcome": outcome}))
        .await;
    ws.recv_type("chat_closed").await;
}

/// An officer trained for minors (a minor's chat waits for one).
async fn trained_officer(app: &TestApp, username: &str) -> Officer {
    let officer = app.officer(username).await;
    let skills = Skills {
        force: None,
        minors: true,
        languages: vec![Language::french()],
    };
    let audit = NewAudit::system("skills_changed", time::OffsetDateTime::now_utc());
    let id = UserId(officer.id.parse().unwrap());
    assert!(app.store.set_skills(id, &skills, audit).await.unwrap());
    officer
}

/// A visitor who leaves with the quick exit while still waiting.
async fn left_while_waiting(app: &TestApp) {
    let visitor = app.start_visitor().await;
    let r = app
        .http
        .post(app.url("/api/visitor/quick-exit"))
        .json(&json!({"token": visitor.token}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

/// The value in column `column` of the row whose first field is `key`.
fn cell<'a>(csv: &'a [Vec<String>], key: &str, column: &str) -> &'a str {
    let c = csv[0]
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {:?}", csv[0]));
    let row = csv
        .iter()
        .find(|r| r[0] == key)
        .unwrap_or_else(|| panic!("no row {key} in {csv:?}"));
    &row[c]
}

fn sum(csv: &[Vec<String>], from_column: usize) -> u64 {
    csv[1..]
        .iter()
        .flat_map(|r| r[from_column..].iter())
        .map(|v| v.parse::<u64>().unwrap())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_chart_is_a_valid_svg_image_with_a_title_and_no_inline_style() {
    let app = spawn_app().await;
    let sup = app.staff("sophie", Role::Supervisor).await;
    let officer = app.officer("olga").await;
    qualified_close(
        &app,
        &officer,
        json!({"kind": "victim", "minor": false, "postal_code": "69003"}),
        &["rape"],
        "information_given",
    )
    .await;
    let page = get(&app, Some(&sup), "/console/statistics").await;
    for period in [this_week(), String::new()] {
        for name in CHARTS {
            let got = get(
                &app,
                Some(&sup),
                &format!("/console/statistics/{name}.svg?{period}"),
            )
            .await;
            assert_eq!(got.status, 200, "{name}: {}", got.body);
            assert!(
                got.content_type.starts_with("image/svg+xml"),
                "{name}: {}",
                got.content_type
            );
            assert_eq!(got.csp, page.csp, "{name}: the CSP is the pages' own");
            let svg = xml::parse(&got.body).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(svg.name, "svg");
            assert_eq!(svg.attr("xmlns"), Some("http://www.w3.org/2000/svg"));
            assert_eq!(svg.attr("role"), Some("img"));
            assert!(svg.attr("viewBox").is_some(), "{name}");
            let title = svg.elements().find(|e| e.name == "title").expect("a title");
            assert!(!title.text().is_empty(), "{name}");
            assert!(svg.elements().any(|e| e.name == "desc"), "{name}");
            for e in svg.descendants() {
                assert!(e.attr("style").is_none(), "{name}: a style attribute");
                assert_ne!(e.name, "style", "{name}");
                assert_ne!(e.name, "script", "{name}");
            }
        }
    }
    assert!(page.csp.contains("style-src 'self'") && !page.csp.contains("unsafe-inline"));
    // The English charts speak English.
    let english = app
        .http
        .get(app.url(&format!("/console/statistics/facts.svg?{}", this_week())))
        .header("cookie", format!("{}; ecoute_lang=en", sup.cookie))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Qualified facts"), "{english}");
    assert!(english.contains("xml:lang=\"en\""));
    // An unknown chart or file type is not found.
    for path in ["nope.svg", "facts.png", "facts", "facts.svg.csv"] {
        let got = get(&app, Some(&sup), &format!("/console/statistics/{path}")).await;
        assert_eq!(got.status, 404, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_holds_every_chart_with_its_data_as_an_accessible_table() {
    let app = spawn_app().await;
    let admin = app.staff("adele", Role::Admin).await;
    let page = get(
        &app,
        Some(&admin),
        &format!("/console/statistics?{}", this_week()),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.content_type.starts_with("text/html"));
    let html = &page.body;
    assert_eq!(
        html.matches("<figure class=\"stats-figure\">").count(),
        CHARTS.len()
    );
    for name in CHARTS {
        let at = html
            .find(&format!("<section class=\"stats-section\" id=\"{name}\""))
            .unwrap_or_else(|| panic!("no section {name}"));
        let section = &html[at..at + html[at..].find("</section>").unwrap()];
        // The chart inline, well-formed, labelled by its own title.
        let svg = &section[section.find("<svg").unwrap()..section.find("</svg>").unwrap() + 6];
        let svg = xml::parse(svg).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            svg.attr("aria-labelledby"),
            Some(format!("{name}-title {name}-desc").as_str())
        );
        // Its data as a table: a caption, column headers, row headers.
        let table = &section[section.find("<table").unwrap()..];
        assert!(table.contains("<caption"), "{name}");
        assert!(table.contains("<th scope=\"col\">"), "{name}");
        assert!(section.contains("<figcaption"), "{name}");
        assert!(
            section.contains(&format!("/console/statistics/{name}.csv?from=")),
            "{name}"
        );
        // With no forwarded report, the tables of forwarded reports per place and unit have no row.
        if !["forwarded-by-departement", "first-contact"].contains(&name) {
            assert!(table.contains("<th scope=\"row\">"), "{name}");
        }
    }
    // The open-data export of the weeks shown is one button away.
    assert!(html.contains("<form method=\"post\" action=\"/console/statistics/export\""));
    // The waits' caveat is said on the page.
    assert!(html.contains("Les attentes ne sont conservées que par tranches"));
    // The supervisors' navigation leads to it; an officer's console does not.
    let console = get(&app, Some(&admin), "/console").await;
    assert!(console.body.contains("href=\"/console/statistics\""));
    let officer = app.officer("olga").await;
    let console = get(&app, Some(&officer), "/console").await;
    assert!(!console.body.contains("href=\"/console/statistics\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_csv_parses_with_its_header_and_counts_the_chats_really_closed() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let sup = app.staff("sophie", Role::Supervisor).await;
    let officer = trained_officer(&app, "olga").await;
    qualified_close(
        &app,
        &officer,
        json!({"kind": "victim", "minor": true, "postal_code": "69003"}),
        &["rape", "domestic_violence"],
        "information_given",
    )
    .await;
    qualified_close(
        &app,
        &officer,
        json!({"kind": "witness", "minor": false, "postal_code": "69007"}),
        &["domestic_violence"],
        "referred_to_support",
    )
    .await;
    let reached = app
        .forwarded_chat(&officer, "commissariat-lyon", "Dans l'escalier, hier.")
        .await;
    app.forwarded_chat(
        &officer,
        "commissariat-lyon",
        "Au travail, depuis des mois.",
    )
    .await;
    left_while_waiting(&app).await;
    // The unit reaches the first person at once: its first contact is within a day.
    let lyon = app.unit_staff("lyon", "commissariat-lyon").await;
    let r = app
        .http
        .post(app.url(&format!("/desk/{}/state", reached.dossier.id)))
        .header("cookie", &lyon.cookie)
        .header("origin", &app.origin)
        .form(&[("state", "contacted"), ("note", "Appelée à 10 h.")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    let period = this_week();
    let week = ecoute_domain::IsoWeek::of(time::OffsetDateTime::now_utc()).to_string();
    let mut files = std::collections::HashMap::new();
    for name in CHARTS {
        let got = get(
            &app,
            Some(&sup),
            &format!("/console/statistics/{name}.csv?{period}"),
        )
        .await;
        assert_eq!(got.status, 200, "{name}: {}", got.body);
        assert!(got.content_type.starts_with("text/csv"), "{name}");
        assert!(
            got.disposition.starts_with("attachment; filename=\"")
                && got
                    .disposition
                    .contains(&format!("{name}_{week}_{week}.csv")),
            "{name}: {}",
            got.disposition
        );
        let csv = parse_csv(&got.body);
        let width = csv[0].len();
        assert!(csv.iter().all(|r| r.len() == width), "{name}: ragged");
        files.insert(name, csv);
    }
    let header = |name: &str| files[name][0].join(",");
    assert_eq!(
        header("chats-per-day"),
        "week,monday,tuesday,wednesday,thursday,friday,saturday,sunday"
    );
    assert_eq!(header("chats-per-week"), "week,chats");
    assert!(header("hour-of-week").starts_with("day,h00,h01,"));
    assert!(header("hour-of-week").ends_with(",h23"));
    assert_eq!(header("waits"), "week,answered,median,p90");
    assert_eq!(header("wait-buckets"), "week,lt1m,1-5m,5-15m,15-60m,ge60m");
    assert_eq!(
        header("left-before-answer"),
        "week,chats,left_before_answer,share_left,quick_exits"
    );
    assert_eq!(header("outcomes"), "ending,chats,share");
    assert_eq!(header("facts"), "fact,chats,share_of_qualified");
    assert_eq!(header("minors-witnesses"), "group,chats,share");
    assert_eq!(header("forwarded-by-force"), "force,reports,share");
    assert_eq!(
        header("forwarded-by-departement"),
        "departement,reports,share"
    );
    assert_eq!(
        header("first-contact"),
        "unit,reports,lt1d,1-3d,3-7d,ge7d,not_yet,unknown"
    );

    // Five chats this week: four an officer took (quickly), one left while waiting.
    let f = |name: &str| &files[name];
    assert_eq!(cell(f("chats-per-week"), &week, "chats"), "5");
    assert_eq!(sum(f("chats-per-day"), 1), 5);
    assert_eq!(sum(f("hour-of-week"), 1), 5);
    assert_eq!(cell(f("waits"), &week, "answered"), "4");
    assert_eq!(cell(f("waits"), &week, "median"), "lt1m");
    assert_eq!(cell(f("wait-buckets"), &week, "lt1m"), "4");
    assert_eq!(
        cell(f("left-before-answer"), &week, "left_before_answer"),
        "1"
    );
    assert_eq!(cell(f("left-before-answer"), &week, "share_left"), "0.2000");
    assert_eq!(cell(f("left-before-answer"), &week, "quick_exits"), "1");
    assert_eq!(cell(f("outcomes"), "information_given", "chats"), "1");
    assert_eq!(cell(f("outcomes"), "referred_to_support", "chats"), "1");
    assert_eq!(cell(f("outcomes"), "report_forwarded", "chats"), "2");
    assert_eq!(cell(f("outcomes"), "visitor_left", "chats"), "1");
    assert_eq!(cell(f("outcomes"), "purged_unclosed", "chats"), "0");
    // Two chats qualified; one with two kinds of facts counts in each.
    assert_eq!(cell(f("facts"), "domestic_violence", "chats"), "2");
    assert_eq!(
        cell(f("facts"), "domestic_violence", "share_of_qualified"),
        "1.0000"
    );
    assert_eq!(cell(f("facts"), "rape", "share_of_qualified"), "0.5000");
    assert_eq!(cell(f("facts"), "incest", "chats"), "0");
    assert_eq!(cell(f("minors-witnesses"), "all", "chats"), "5");
    assert_eq!(cell(f("minors-witnesses"), "minor", "chats"), "1");
    assert_eq!(cell(f("minors-witnesses"), "witness", "share"), "0.2000");
    assert_eq!(cell(f("forwarded-by-force"), "police", "reports"), "2");
    assert_eq!(cell(f("forwarded-by-force"), "gendarmerie", "reports"), "0");
    assert_eq!(cell(f("forwarded-by-force"), "unknown", "reports"), "0");
    assert_eq!(cell(f("forwarded-by-departement"), "69", "reports"), "2");
    assert_eq!(
        f("forwarded-by-departement").len(),
        2,
        "only départements with a report"
    );
    // The unit reached one person within a day; the other has not been reached yet.
    let unit = "commissariat-lyon";
    assert_eq!(cell(f("first-contact"), unit, "reports"), "2");
    assert_eq!(cell(f("first-contact"), unit, "lt1d"), "1");
    assert_eq!(cell(f("first-contact"), unit, "not_yet"), "1");
    assert_eq!(cell(f("first-contact"), unit, "unknown"), "0");

    // The page shows the same counts.
    let page = get(&app, Some(&sup), &format!("/console/statistics?{period}")).await;
    assert!(page.body.contains(&format!("<tr data-key=\"{week}\">")));
    assert!(
        page.body
            .contains("<th scope=\"row\">Commissariat central de Lyon</th>"),
        "the unit by its name"
    );
    assert!(page.body.contains("<tr data-key=\"domestic_violence\"><th scope=\"row\">Violences conjugales ou intrafamiliales</th><td>2</td><td>100,0\u{202f}%</td></tr>"), "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_or_a_unit_is_refused_the_statistics_and_a_stranger_is_sent_to_log_in() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let officer = app.officer("olga").await;
    let unit = app.unit_staff("lyon", "commissariat-lyon").await;
    for path in [
        "/console/statistics".to_string(),
        format!("/console/statistics/facts.svg?{}", this_week()),
        format!("/console/statistics/facts.csv?{}", this_week()),
    ] {
        for who in [&officer, &unit] {
            let got = get(&app, Some(who), &path).await;
            assert_eq!(got.status, 403, "{path}");
            assert!(
                !got.body.contains("<svg") && !got.body.contains("fact,"),
                "{path}"
            );
        }
        let got = get(&app, None, &path).await;
        assert_eq!(got.status, 303, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_or_reversed_period_is_said_on_the_page_and_nothing_is_counted() {
    let app = spawn_app().await;
    let sup = app.staff("sophie", Role::Supervisor).await;
    for (query, said) in [
        (
            "from=2026-13-01&to=2026-02-01",
            "La date de début n’est pas une date valide",
        ),
        (
            "from=2026-01-01&to=demain",
            "La date de fin n’est pas une date valide",
        ),
        (
            "from=2026-03-01&to=2026-01-01",
            "La date de fin est avant la date de début",
        ),
        (
            "from=2020-01-01&to=2026-01-01",
            "ne peut pas dépasser 106 semaines",
        ),
        (
            "from=%ZZ&to=&from=x",
            "La date de début n’est pas une date valide",
        ),
    ] {
        let got = get(&app, Some(&sup), &format!("/console/statistics?{query}")).await;
        assert_eq!(got.status, 400, "{query}");
        assert!(
            got.body.contains("id=\"stats-error\" role=\"alert\""),
            "{query}"
        );
        assert!(got.body.contains(said), "{query}: {}", got.body);
        assert!(
            got.body
                .contains("<form method=\"get\" action=\"/console/statistics\"")
        );
        assert!(!got.body.contains("<figure"), "{query}");
        let csv = get(
            &app,
            Some(&sup),
            &format!("/console/statistics/facts.csv?{query}"),
        )
        .await;
        assert_eq!(csv.status, 400, "{query}");
        assert!(csv.body.contains(said), "{query}: {}", csv.body);
    }
    // What was typed comes back escaped.
    let got = get(
        &app,
        Some(&sup),
        "/console/statistics?from=%22%3E%3Cscript%3E&to=2026-01-01",
    )
    .await;
    assert_eq!(got.status, 400);
    assert!(!got.body.contains("\"><script>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_period_is_widened_to_whole_weeks_and_defaults_to_the_last_eight() {
    let app = spawn_app().await;
    let sup = app.staff("sophie", Role::Supervisor).await;
    // Wednesday 7 January to Tuesday 13 January 2026: weeks 2 and 3, Monday 5 to Sunday 18.
    let got = get(
        &app,
        Some(&sup),
        "/console/statistics?from=2026-01-07&to=2026-01-13",
    )
    .await;
    assert_eq!(got.status, 200);
    assert!(
        got.body
            .contains("Semaines 2026-W02 à 2026-W03, du lundi 05/01/2026 au dimanche 18/01/2026."),
        "{}",
        got.body
    );
    assert!(got.body.contains("value=\"2026-01-05\""));
    assert!(got.body.contains("value=\"2026-01-18\""));
    // The files' links ask for the same weeks (`&` escaped in the attribute).
    assert!(
        got.body
            .contains("facts.csv?from=2026-01-05&amp;to=2026-01-18")
            || got
                .body
                .contains("facts.csv?from=2026-01-05&#38;to=2026-01-18"),
        "{}",
        got.body
    );
    let got = get(&app, Some(&sup), "/console/statistics").await;
    assert_eq!(got.status, 200);
    assert!(got.body.contains("8 semaines."), "{}", got.body);
    // Fourteen days, each in the daily table (two weeks of seven), zeros included.
    let csv = get(
        &app,
        Some(&sup),
        "/console/statistics/chats-per-day.csv?from=2026-01-07&to=2026-01-13",
    )
    .await;
    assert_eq!(
        csv.body,
        "week,monday,tuesday,wednesday,thursday,friday,saturday,sunday\r\n2026-W02,0,0,0,0,0,0,0\r\n2026-W03,0,0,0,0,0,0,0\r\n"
    );
}
