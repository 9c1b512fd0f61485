//! Prometheus metrics on the admin listener, and only there.

use crate::helpers::*;
use serde_json::json;

fn value(text: &str, line_start: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn the_admin_listener_serves_what_the_load_generator_reads_and_the_public_port_does_not() {
    let app = spawn_app_with(|c| c.admin_listen = Some("127.0.0.1:0".parse().unwrap())).await;
    let admin = app.admin.expect("an admin listener");
    assert_ne!(admin.to_string(), app.addr);

    let visitor = app.start_visitor().await;
    let officer = app.officer("olga").await;
    let (mut os, _) = app.staff_socket(&officer).await;
    os.send(json!({"type": "claim", "conversation_id": visitor.conversation_id}))
        .await;
    os.recv_type("claimed").await;
    let (mut vs, _) = app.visitor_socket(&visitor, 0).await;
    vs.send(json!({"type": "send", "client_id": "m1", "body": "Un message"}))
        .await;
    vs.recv_type("ack").await;
    os.recv_type("message").await;
    os.send(json!({"type": "send", "conversation_id": visitor.conversation_id, "client_id": "o1", "body": "Une réponse"}))
        .await;
    os.recv_type("ack").await;
    vs.recv_type("message").await;
    vs.send(json!({"type": "send", "client_id": "", "body": "x"}))
        .await;
    vs.recv_type("error").await;

    let r = app
        .http
        .get(format!("http://{admin}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = r.text().await.unwrap();
    // Tests share one process, and so one recorder: figures are at least this test's.
    for (metric, at_least) in [
        (r#"ecoute_connections{kind="visitor"}"#, 1.0),
        (r#"ecoute_connections{kind="staff"}"#, 1.0),
        (r#"ecoute_messages_total{author="visitor"}"#, 1.0),
        (r#"ecoute_messages_total{author="officer"}"#, 1.0),
        ("ecoute_commit_seconds_count", 2.0),
        (r#"ecoute_delivery_seconds_count{to="officer"}"#, 1.0),
        (r#"ecoute_delivery_seconds_count{to="visitor"}"#, 1.0),
        ("ecoute_queue_wait_seconds_count", 1.0),
        (r#"ecoute_errors_total{code="invalid_client_id"}"#, 1.0),
        ("process_resident_memory_bytes", 1_000_000.0),
        ("process_cpu_seconds_total", 0.0),
    ] {
        let v = value(&text, metric).unwrap_or_else(|| panic!("{metric} missing:\n{text}"));
        assert!(
            v >= at_least,
            "{metric} = {v}, expected at least {at_least}"
        );
    }
    assert!(text.contains("ecoute_queue_depth"), "{text}");
    assert!(text.contains("ecoute_delivery_seconds_bucket"));
    // Nothing about a person or a conversation in any label.
    assert!(!text.contains(&visitor.conversation_id));
    assert!(!text.contains("olga"));

    let public = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), 404, "metrics never on the public port");
}
