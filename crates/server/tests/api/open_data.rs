//! The open-data export (docs/STATISTICS.md, "Open data"): the console's button and
//! `ecoute stats export` give the suppressed tables of a period, audited; officers are refused.

use crate::helpers::*;
use ecoute_domain::{IsoWeek, Role};
use ecoute_store::Store;
use serde_json::json;
use time::OffsetDateTime;

/// `n` chats taken by `officer` and closed with `outcome`.
async fn closed_chats(app: &TestApp, officer: &Officer, n: usize, outcome: &str) {
    let (mut ws, _) = app.staff_socket(officer).await;
    for _ in 0..n {
        let visitor = app.start_visitor().await;
        let id = visitor.conversation_id.as_str();
        ws.send(json!({"type": "claim", "conversation_id": id}))
            .await;
        ws.recv_type("claimed").await;
        ws.send(json!({"type": "close", "conversation_id": id, "outcome": outcome}))
            .await;
        ws.recv_type("chat_closed").await;
    }
}

fn value(records: &[Vec<String>], table: &str, row: &str, column: &str) -> String {
    records
        .iter()
        .find(|r| r[0] == table && r[1] == row && r[2] == column)
        .unwrap_or_else(|| panic!("no {table}/{row}/{column}"))[3]
        .clone()
}

/// `ecoute --data-dir DIR stats export --from FROM --to TO --out OUT`, then `more`.
fn stats_export(
    dir: &str,
    from: &str,
    to: &str,
    out: &std::path::Path,
    more: &[&str],
) -> (bool, String, String) {
    let out = out.to_str().unwrap();
    let mut args = vec![
        "--data-dir",
        dir,
        "stats",
        "export",
        "--from",
        from,
        "--to",
        to,
        "--out",
        out,
    ];
    args.extend_from_slice(more);
    ecoute(&args, "")
}

async fn post_export(app: &TestApp, who: &Officer, from: &str, to: &str) -> reqwest::Response {
    app.http
        .post(app.url("/console/statistics/export"))
        .header("cookie", &who.cookie)
        .header("origin", &app.origin)
        .form(&[("from", from), ("to", to)])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_button_gives_every_figure_with_small_counts_withheld_and_is_audited() {
    let app = spawn_app().await;
    let olga = app.officer("olga").await;
    closed_chats(&app, &olga, 6, "information_given").await;
    closed_chats(&app, &olga, 2, "referred_to_support").await;
    let week = IsoWeek::of(OffsetDateTime::now_utc()).to_string();
    let sam = app.staff("sam", Role::Supervisor).await;

    let r = post_export(&app, &sam, &week, &week).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"ecoute-{week}-{week}-open-data.csv\"")
    );
    let records = parse_csv(&r.text().await.unwrap());
    assert_eq!(records[0], ["table", "row", "column", "value"]);
    assert!(records.iter().all(|r| r.len() == 4), "four fields a line");
    // 2 is withheld, and the 6 beside it too, or 8 − 6 would give it away; the total stays.
    assert_eq!(
        value(&records, "outcomes", "referred_to_support", "chats"),
        "<5"
    );
    assert_eq!(
        value(&records, "outcomes", "information_given", "chats"),
        "s"
    );
    assert_eq!(value(&records, "outcomes", "total", "chats"), "8");
    assert_eq!(
        value(&records, "chats_by_week_and_day", &week, "total"),
        "8"
    );
    for r in &records[1..] {
        if let Ok(n) = r[3].parse::<u64>() {
            assert!(n == 0 || n >= 5, "{r:?} publishes a small count");
        }
    }

    let audit = app.store.audit_page(None, 50).await.unwrap();
    let entry = audit
        .iter()
        .find(|a| a.entry.action == "statistics_exported")
        .expect("the export is audited");
    assert_eq!(entry.entry.actor_name.as_deref(), Some("sam"));
    assert_eq!(
        entry.entry.detail.as_deref(),
        Some(format!("{week} to {week}, threshold 5").as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_may_not_export_and_a_bad_period_is_refused_clearly() {
    let app = spawn_app().await;
    let olga = app.officer("olga").await;
    let r = post_export(&app, &olga, "2026-W01", "2026-W02").await;
    assert_eq!(r.status().as_u16(), 403);
    let audit = app.store.audit_page(None, 50).await.unwrap();
    assert!(
        !audit
            .iter()
            .any(|a| a.entry.action == "statistics_exported")
    );

    let sam = app.staff("sam", Role::Supervisor).await;
    let r = post_export(&app, &sam, "2026-W09", "2026-W02").await;
    assert_eq!(r.status().as_u16(), 400);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("ends (2026-W02) before it starts (2026-W09)"),
        "{body}"
    );
    let r = post_export(&app, &sam, "yesterday", "2026-W02").await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("neither a week"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_export_writes_each_table_the_long_file_and_metadata_with_progress() {
    let app = spawn_app().await;
    let olga = app.officer("olga").await;
    closed_chats(&app, &olga, 5, "information_given").await;
    let week = IsoWeek::of(OffsetDateTime::now_utc()).to_string();
    let out = tempfile::tempdir().unwrap();
    let dir = app.data_dir.path().to_str().unwrap().to_string();
    let target = out.path().join("export");
    let (ok, stdout, stderr) = stats_export(&dir, &week, &week, &target, &[]);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("[1/"), "progress, file by file: {stdout}");
    assert!(
        stdout.contains(&format!("exported {week} to {week}: 5 chats")),
        "{stdout}"
    );
    let read = |name: &str| std::fs::read_to_string(target.join(name)).unwrap();
    let outcomes = parse_csv(&read("outcomes.csv"));
    assert_eq!(outcomes[0], ["outcome", "chats"]);
    assert!(outcomes.contains(&vec!["information_given".into(), "5".into()]));
    let days = parse_csv(&read("chats_by_week_and_day.csv"));
    assert_eq!(days[0].len(), 9, "week, seven days, total");
    assert_eq!(days[1][8], "5");
    let facts = parse_csv(&read("facts.csv"));
    assert_eq!(facts[0], ["fact", "chats"]);
    let long = parse_csv(&read("open-data.csv"));
    assert_eq!(value(&long, "outcomes", "information_given", "chats"), "5");
    let metadata: serde_json::Value = serde_json::from_str(&read("metadata.json")).unwrap();
    assert_eq!(metadata["threshold"], 5);
    assert_eq!(metadata["from"], week.as_str());
    assert_eq!(metadata["legend"]["<5"], "a count from 1 to 4, withheld");
    assert!(
        metadata["tables"]
            .as_array()
            .unwrap()
            .contains(&json!("first_contact_by_force.csv"))
    );
    let audit = app.store.audit_page(None, 50).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.entry.action == "statistics_exported" && a.entry.actor.is_none())
    );

    // A bad period changes nothing and says why.
    let (ok, _, stderr) = stats_export(&dir, "2026-W10", "2026-W01", &target, &[]);
    assert!(!ok);
    assert!(stderr.contains("before it starts"), "{stderr}");
    let (ok, _, stderr) = stats_export(&dir, &week, &week, &target, &["--threshold", "2"]);
    assert!(!ok);
    assert!(stderr.contains("at least 3"), "{stderr}");
}
