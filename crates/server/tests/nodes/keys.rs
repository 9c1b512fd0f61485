//! A node whose master key is not the one the others use refuses to start: it exits saying
//! which versions it holds and which the database needs, and never answers `/readyz`.

use crate::harness::Cluster;
use serde_json::json;
use std::process::Stdio;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_node_with_another_master_key_exits_saying_which_versions_and_is_never_ready() {
    let mut cluster = Cluster::postgres(2).await;
    cluster.start(0).await;
    cluster.officer(0, "martin", 3).await;
    let before = cluster.start_visitor(0).await;

    // The forgotten copy step: node 1 is pointed at a key file that is not there, so it makes
    // a key of its own.
    let own = cluster.dir.path().join("node-1-keys");
    std::fs::create_dir_all(&own).unwrap();
    let log = cluster.dir.path().join("node-1-own-key.log");
    let mut child = cluster
        .command(1)
        .env("ECOUTE_MASTER_KEY_FILE", own.join("master.key"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("the ecoute binary starts");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if let Ok(r) = cluster.http.get(cluster.url(1, "/readyz")).send().await {
            let _ = child.kill();
            panic!("node 1 answered /readyz with {}", r.status());
        }
        if tokio::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("node 1 neither served nor stopped within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(!status.success());
    let said = std::fs::read_to_string(&log).unwrap();
    assert!(
        said.contains(&format!(
            "the master key files in {} are not this database's: held here: version 1 \
             (version 1 not the database's key of that version); the database needs: version 1.",
            own.display()
        )),
        "{said}"
    );
    assert!(
        said.contains("There was no key file there, so one was made just now."),
        "{said}"
    );
    assert!(
        cluster
            .http
            .get(cluster.url(1, "/readyz"))
            .send()
            .await
            .is_err(),
        "nothing listens on node 1's port"
    );

    // Node 0 serves on, and node 1 with the key file of the others starts: staff log in there
    // (their TOTP secret opens), and a chat it starts opens on node 0.
    cluster.start(1).await;
    cluster.officer(1, "claire", 3).await;
    let started_on_1 = cluster.start_visitor(1).await;
    let (mut on_1, _) = cluster.visitor_socket(1, &started_on_1, 0).await;
    on_1.send(json!({"type": "send", "client_id": "v1", "body": "écrit sur le nœud 1"}))
        .await;
    on_1.recv_type("ack").await;
    let (mut on_0, welcome) = cluster.visitor_socket(0, &started_on_1, 0).await;
    assert_eq!(welcome["last_seq"], 1);
    assert_eq!(
        on_0.recv_type("message").await["body"],
        "écrit sur le nœud 1"
    );
    let (_, welcome) = cluster.visitor_socket(0, &before, 0).await;
    assert_eq!(welcome["type"], "welcome");
    cluster.shut_down().await;
}
