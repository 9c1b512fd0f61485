//! The statistics record written at close (docs/STATISTICS.md): the facts of the sealed
//! qualification reach the row through the close, and nothing in the row links it back.

use crate::helpers::*;
use ecoute_domain::{ChatStatistics, Ending, Fact, IsoWeek, Outcome, UnitId};
use ecoute_store::Store;
use serde_json::json;
use time::{Duration, OffsetDateTime};

async fn this_weeks_rows(app: &TestApp) -> Vec<ChatStatistics> {
    let now = OffsetDateTime::now_utc();
    app.store
        .statistics(
            IsoWeek::of(now - Duration::days(1)),
            IsoWeek::of(now + Duration::days(1)),
        )
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_qualified_chat_records_its_facts_in_the_statistics() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let o = app.officer("olga").await;
    let (mut ws, _) = app.staff_socket(&o).await;
    let id = visitor.conversation_id.as_str();
    ws.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    ws.recv_type("claimed").await;
    ws.send(json!({"type": "qualify", "conversation_id": id, "qualification":
        {"facts": ["domestic_violence", "sexual_assault"], "reporter": "victim", "minor": false, "danger": "serious"}}))
        .await;
    ws.recv_type("case_file").await;
    assert!(this_weeks_rows(&app).await.is_empty(), "written at close");

    ws.send(json!({"type": "close", "conversation_id": id, "outcome": "information_given"}))
        .await;
    ws.recv_type("chat_closed").await;

    let rows = this_weeks_rows(&app).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.facts, [Fact::SexualAssault, Fact::DomesticViolence]);
    assert_eq!(row.ending, Ending::Closed(Outcome::InformationGiven));
    assert!(!row.left_before_answer);
    assert_eq!(row.unit, None);
    let shown = format!("{rows:?}");
    assert!(!shown.contains(id), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_report_records_the_unit_it_went_to() {
    let app = spawn_app().await;
    app.load_sample_units().await;
    let o = app.officer("olga").await;
    let unit = "commissariat-lyon";
    app.forwarded_chat(&o, unit, "Au parc, hier soir.").await;
    let rows = this_weeks_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].ending, Ending::Closed(Outcome::ReportForwarded));
    assert_eq!(rows[0].unit, UnitId::parse(unit));
    assert!(rows[0].facts.is_empty(), "not qualified");
    assert_eq!(
        rows[0].dossier_state,
        Some(ecoute_domain::DossierState::Sent),
        "the dossier's production reached the row through the chat's sealed link"
    );

    // What the database holds beside the chat is sealed: the row's id appears nowhere in it,
    // so a copy of the database without the master key cannot tie the row to the chat.
    let db = database(app.data_dir.path()).await;
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM chat_statistics")
        .fetch_all(&db)
        .await
        .unwrap();
    let links: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT sealed_statistics_id FROM statistics_links")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(links.len(), 1);
    let id = uuid::Uuid::parse_str(&ids[0]).unwrap();
    let sealed = &links[0];
    assert!(sealed.len() > 16 + 16, "nonce, id and tag");
    assert!(
        !sealed.windows(16).any(|w| w == id.as_bytes()),
        "the id in clear"
    );
    assert!(!String::from_utf8_lossy(sealed).contains(&ids[0]));
}
