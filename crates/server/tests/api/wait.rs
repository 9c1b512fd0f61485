//! The waiting room's estimate is honest: no number while no officer who may answer is
//! available, a number once one is.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::Duration;

/// The next `queue` frame within `secs` seconds that satisfies `wanted`.
async fn queue_frame(ws: &mut Ws, secs: u64, wanted: impl Fn(&Value) -> bool) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Err(_) => return None,
            Ok(Next::Frame(v)) if v["type"] == "queue" && wanted(&v) => return Some(v),
            Ok(Next::Frame(_)) => continue,
            Ok(Next::Closed(code)) => panic!("socket closed ({code:?}) waiting for a queue frame"),
        }
    }
}

fn no_one(v: &Value) -> bool {
    v["estimate"] == "no_one_available" && v["estimated_wait_secs"].is_null()
}

fn a_number(v: &Value) -> bool {
    v["estimate"] == "seconds" && v["estimated_wait_secs"].is_u64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wait_has_no_number_until_an_officer_who_may_answer_is_available() {
    let app = spawn_app().await;
    let visitor = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    let first = queue_frame(&mut v, 5, |_| true)
        .await
        .expect("a queue frame");
    assert_eq!(first["position"], 1);
    assert!(no_one(&first), "no officer at a console: {first}");

    // An officer at the console, available: a number.
    let officer = app.officer("martin").await;
    let (mut o, welcome) = app.staff_socket(&officer).await;
    assert_eq!(welcome["presence"], "available");
    let with_officer = queue_frame(&mut v, 5, a_number)
        .await
        .expect("a number once an officer is available");
    assert_eq!(with_officer["position"], 1);

    // Paused: no one available again; back: a number again.
    o.send(json!({"type": "presence", "status": "paused"}))
        .await;
    assert!(
        queue_frame(&mut v, 5, no_one).await.is_some(),
        "paused is no one"
    );
    o.send(json!({"type": "presence", "status": "available"}))
        .await;
    assert!(queue_frame(&mut v, 5, a_number).await.is_some());

    // The console closes: no one again once the officer is gone.
    o.close().await;
    assert!(
        queue_frame(&mut v, 5, no_one).await.is_some(),
        "gone is no one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_without_the_skills_is_no_one_available_for_a_minor() {
    let app = spawn_app().await;
    let officer = app.officer("martin").await;
    let (_o, _) = app.staff_socket(&officer).await;
    let minor = app
        .start_visitor_with(json!({"kind": "victim", "minor": true, "postal_code": "69003"}))
        .await;
    let (mut v, _) = app.visitor_socket(&minor, 0).await;
    // The staff view is refreshed every second: give it time to hold the officer.
    let adult = app.start_visitor().await;
    let (mut a, _) = app.visitor_socket(&adult, 0).await;
    assert!(
        queue_frame(&mut a, 5, a_number).await.is_some(),
        "the adult's chat has its officer"
    );
    let frame = queue_frame(&mut v, 3, |_| true)
        .await
        .expect("a queue frame");
    assert!(no_one(&frame), "no officer trained for minors: {frame}");
    assert!(
        queue_frame(&mut v, 2, a_number).await.is_none(),
        "no number for the minor"
    );
}
