//! A forwarded report on PostgreSQL, across two nodes sharing NATS: the officer's console is on
//! one node and the person's page on the other, the unit's desk and the person's follow-up on
//! either; the same rules hold as on the embedded database.

use crate::harness::{Cluster, Officer};
use ecoute_store::NewAudit;
use serde_json::{Value, json};

const A: usize = 0;
const B: usize = 1;

async fn get(cluster: &Cluster, i: usize, who: &Officer, path: &str) -> reqwest::Response {
    cluster
        .http
        .get(cluster.url(i, path))
        .header("cookie", &who.cookie)
        .send()
        .await
        .unwrap()
}

async fn post(cluster: &Cluster, i: usize, path: &str, body: Value) -> (u16, Value) {
    let r = cluster
        .http
        .post(cluster.url(i, path))
        .header("origin", cluster.origin(i))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_postgresql_across_nodes_a_report_leaves_only_with_the_yes_and_reaches_only_its_unit() {
    let mut cluster = Cluster::postgres(2).await;
    cluster.start(A).await;
    cluster.start(B).await;
    let units =
        ecoute_domain::parse_units(include_str!("../../../../share/units.sample.txt")).unwrap();
    cluster
        .store
        .load_units(
            &units,
            NewAudit::system("units_loaded", time::OffsetDateTime::now_utc()),
        )
        .await
        .unwrap();

    // The person writes on node B; the officer answers from node A.
    let visitor = cluster.start_visitor(B).await;
    let id = visitor.conversation_id.clone();
    let olga = cluster.officer(A, "olga", 3).await;
    let (mut ws, _) = cluster.staff_socket(A, &olga).await;
    let (mut v, _) = cluster.visitor_socket(B, &visitor, 0).await;
    ws.send(json!({"type": "claim", "conversation_id": id}))
        .await;
    ws.recv_type("claimed").await;
    v.send(json!({"type": "send", "client_id": "v1", "body": "Dans le bus, CANARY-PG-42"}))
        .await;
    v.recv_type("ack").await;

    ws.send(json!({"type": "close", "conversation_id": id, "outcome": "report_forwarded"}))
        .await;
    assert_eq!(ws.recv_type("error").await["code"], "no_consent");
    // The question crosses the bus to the person's node; the answer comes back.
    ws.send(json!({"type": "ask_consent", "conversation_id": id, "unit": "commissariat-lyon"}))
        .await;
    let q = v.recv_type("consent").await;
    assert_eq!(q["unit_name"], "Commissariat central de Lyon");
    v.send(json!({"type": "consent_answer", "unit": "commissariat-lyon", "yes": false}))
        .await;
    while ws.recv_type("consent").await["answer"] != json!(false) {}
    ws.send(json!({"type": "close", "conversation_id": id, "outcome": "report_forwarded"}))
        .await;
    assert_eq!(ws.recv_type("error").await["code"], "no_consent");
    ws.send(json!({"type": "ask_consent", "conversation_id": id, "unit": "commissariat-lyon"}))
        .await;
    // The new question, not the "no" just recorded.
    while v.recv_type("consent").await["answer"] != Value::Null {}
    v.send(
        json!({"type": "consent_answer", "unit": "commissariat-lyon", "yes": true,
        "do_not_contact": true}),
    )
    .await;
    while ws.recv_type("consent").await["answer"] != json!(true) {}
    ws.send(json!({"type": "close", "conversation_id": id, "outcome": "report_forwarded"}))
        .await;
    ws.recv_type("chat_closed").await;
    let cid: ecoute_domain::ConversationId = id.parse().unwrap();
    let dossier = cluster
        .store
        .dossier_of(cid)
        .await
        .unwrap()
        .expect("produced at the closing");

    // Lyon's desk, on the other node, has it; Villefranche's does not.
    let lyon = cluster
        .unit_staff(B, "lyon.desk", "commissariat-lyon")
        .await;
    let other = cluster.unit_staff(A, "vf.desk", "bta-villefranche").await;
    let pdf = get(
        &cluster,
        B,
        &lyon,
        &format!("/desk/{}/dossier.pdf", dossier.id),
    )
    .await;
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    for path in [
        format!("/desk/{}", dossier.id),
        format!("/desk/{}/dossier.json", dossier.id),
    ] {
        assert_eq!(
            get(&cluster, A, &other, &path).await.status(),
            404,
            "{path}"
        );
    }
    let list = get(&cluster, A, &other, "/desk")
        .await
        .text()
        .await
        .unwrap();
    assert!(!list.contains(&dossier.reference), "another unit's list");
    assert_eq!(
        get(&cluster, A, &lyon, "/console").await.status(),
        303,
        "a unit's account goes to its desk"
    );

    // The person follows it with the code on one node; the pass works on the other.
    let (status, opened) = post(
        &cluster,
        A,
        "/api/visitor/follow-up",
        json!({"code": visitor.return_code}),
    )
    .await;
    assert_eq!(status, 200, "{opened}");
    assert_eq!(opened["stage"], "transmitted");
    let pass = opened["pass"].as_str().unwrap();
    let (status, withdrawn) = post(
        &cluster,
        B,
        "/api/visitor/follow-up/withdraw",
        json!({"pass": pass}),
    )
    .await;
    assert_eq!(status, 200, "{withdrawn}");
    assert_eq!(withdrawn["stage"], "withdrawn");
    assert_eq!(
        cluster
            .store
            .dossier(dossier.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        ecoute_domain::DossierState::Withdrawn
    );
    cluster.shut_down().await;
}
