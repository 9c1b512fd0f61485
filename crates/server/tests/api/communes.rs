//! Commune rows of the force table: the visitor's postal code chooses the force (its commune's
//! row before its département's) and the unit proposed for forwarding; only the département
//! and the proposed unit are stored, never the postal code.

use crate::helpers::*;
use ecoute_domain::{Force, UnitId, parse_units};
use ecoute_store::{Conversation, NewAudit, Store};
use serde_json::{Value, json};
use sqlx::{Column, Row, TypeInfo, ValueRef};

async fn start_at(app: &TestApp, postal_code: &str) -> Conversation {
    let v = app
        .start_visitor_with(json!({"kind": "victim", "minor": false, "postal_code": postal_code}))
        .await;
    app.store
        .conversation(v.conversation_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
}

/// Every column of a conversation's row in the database, as text.
async fn stored_row(app: &TestApp, c: &Conversation) -> Vec<(String, String)> {
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        app.data_dir.path().join("ecoute.db").display()
    ))
    .await
    .unwrap();
    let row = sqlx::query("SELECT * FROM conversations WHERE id = ?")
        .bind(c.id.to_string())
        .fetch_one(&db)
        .await
        .unwrap();
    let mut columns = Vec::new();
    for (i, column) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(i).unwrap();
        let text = if raw.is_null() {
            String::new()
        } else {
            match raw.type_info().name() {
                "INTEGER" => row.get::<i64, _>(i).to_string(),
                "TEXT" => row.get::<String, _>(i),
                _ => String::from_utf8_lossy(&row.get::<Vec<u8>, _>(i)).into_owned(),
            }
        };
        columns.push((column.name().to_string(), text));
    }
    db.close().await;
    columns
}

#[tokio::test]
async fn a_lyon_postal_code_goes_to_the_police_and_a_village_of_the_rhone_to_the_gendarmerie_with_its_unit()
 {
    let app = spawn_app().await;
    let sample = parse_units(include_str!("../../../../share/units.sample.txt")).unwrap();
    app.store
        .load_units(
            &sample,
            NewAudit::system("units_loaded", time::OffsetDateTime::now_utc()),
        )
        .await
        .unwrap();

    // The shipped table: the Rhône is police, Lyon's codes are police, Belleville (69220) is
    // gendarmerie; 69380 has no row of its own and takes its département's force.
    let lyon = start_at(&app, "69003").await;
    let village = start_at(&app, "69 220").await;
    let unlisted = start_at(&app, "69380").await;
    for c in [&lyon, &village, &unlisted] {
        assert_eq!(c.intake.departement.as_ref().unwrap().as_str(), "69");
    }
    assert_eq!(lyon.force, Some(Force::Police));
    assert_eq!(village.force, Some(Force::Gendarmerie));
    assert_eq!(unlisted.force, Some(Force::Police), "the département's row");

    // The unit proposed for forwarding is chosen at start, with the chosen force, and stored.
    let unit = |id: &str| Some(UnitId::parse(id).unwrap());
    assert_eq!(lyon.proposed_unit, unit("commissariat-lyon"));
    assert_eq!(village.proposed_unit, unit("bta-villefranche"));
    assert_eq!(
        unlisted.proposed_unit, None,
        "no police unit covers 69380 or the Rhône in the sample"
    );

    // The postal code itself is stored nowhere in the conversation's row: its département and
    // its proposed unit are. (The canary test in logs.rs checks every database file.)
    let row = stored_row(&app, &village).await;
    let value = |name: &str| {
        row.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    assert_eq!(value("departement"), "69");
    assert_eq!(value("proposed_unit"), "bta-villefranche");
    assert_eq!(value("force"), "gendarmerie");
    for (name, text) in &row {
        assert!(
            !name.contains("postal") && !text.contains("69220") && !text.contains("69 220"),
            "column {name} holds the postal code: {text:?}"
        );
    }

    // The console sees the proposed unit next to the département.
    let officer = app.officer("lea").await;
    let (mut ws, _) = app.staff_socket(&officer).await;
    let queue = ws.recv_type("queue").await;
    let item = |id: &str| -> Value {
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["conversation_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not in the queue: {queue}"))
    };
    let village_item = item(&village.id.to_string());
    assert_eq!(village_item["departement"], "69");
    assert_eq!(village_item["proposed_unit"], "bta-villefranche");
    assert_eq!(village_item["force"], "gendarmerie");
    assert_eq!(
        item(&lyon.id.to_string())["proposed_unit"],
        "commissariat-lyon"
    );
    assert_eq!(item(&unlisted.id.to_string())["proposed_unit"], Value::Null);
    assert!(!queue.to_string().contains("69220"));
}
