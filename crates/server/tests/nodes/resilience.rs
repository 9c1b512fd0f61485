//! Crashes and outages: kill -9 during traffic, many times, on each backend; the database
//! unreachable for a few seconds.

use crate::harness::{Backend, Cluster, postgres_url};
use crate::talk::{Traffic, assert_all_kept};
use rand::Rng;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

const CRASHES: usize = 10;

/// Visitors write without pause while the only node is killed with SIGKILL at random moments
/// and started again; then every acknowledged message must be there, once, in order.
async fn crash_loop(mut cluster: Cluster) {
    cluster.start(0).await;
    let mut visitors = Vec::new();
    for _ in 0..3 {
        visitors.push(cluster.start_visitor(0).await);
    }
    let traffic = Traffic::start(cluster, &visitors, 0);
    for _ in 0..CRASHES {
        let pause = rand::thread_rng().gen_range(150..900);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let mut c = traffic.cluster.write().await;
        c.kill(0);
        c.start(0).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (cluster, results) = traffic.stop().await;
    for (v, (acks, reconnects)) in visitors.iter().zip(&results) {
        assert!(
            *reconnects as usize > CRASHES / 2,
            "the visitor came back after the crashes"
        );
        assert!(acks.len() >= 10, "traffic flowed: {}", acks.len());
        assert_all_kept(&cluster, &v.conversation_id, acks).await;
    }
    // The audit log's hash chain is whole (it is written in the same transactions).
    let verified = cluster
        .command(0)
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "audit verify: {}",
        String::from_utf8_lossy(&verified.stderr)
    );
    if let Backend::Sqlite = cluster.backend {
        use sqlx::Connection;
        let path = cluster.dir.path().join("node-0").join("ecoute.db");
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display()))
                .await
                .unwrap();
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(check, "ok");
    }
    cluster.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_again_and_again_during_traffic_sqlite_keeps_every_acknowledged_message() {
    crash_loop(Cluster::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_again_and_again_during_traffic_postgres_keeps_every_acknowledged_message() {
    crash_loop(Cluster::postgres(1).await).await;
}

/// A TCP proxy in front of PostgreSQL that can cut every connection and refuse new ones.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    links: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn to(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let links: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (c, l) = (cut.clone(), links.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if c.load(Ordering::SeqCst) {
                    // Unreachable: closed at once.
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                l.lock().unwrap().push(link.abort_handle());
            }
        });
        Self { port, cut, links }
    }

    /// The database becomes unreachable: open connections are cut, new ones refused.
    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

/// `host:port` of a PostgreSQL URL.
fn authority(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let rest = rest.split('/').next().unwrap();
    rest.rsplit('@').next().unwrap().to_string()
}

async fn readyz(cluster: &Cluster) -> u16 {
    match cluster.http.get(cluster.url(0, "/readyz")).send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_database_unreachable_for_seconds_gives_503_then_recovers_with_nothing_acknowledged_lost()
 {
    let mut cluster = Cluster::postgres(1).await;
    let upstream = authority(&postgres_url());
    let proxy = Proxy::to(upstream.clone()).await;
    if let Backend::Postgres(db) = &cluster.backend {
        cluster.node_database_url = Some(
            db.url
                .replace(&upstream, &format!("127.0.0.1:{}", proxy.port)),
        );
    }
    cluster.start(0).await;
    let visitor = cluster.start_visitor(0).await;
    let traffic = Traffic::start(cluster, std::slice::from_ref(&visitor), 0);
    tokio::time::sleep(Duration::from_millis(1000)).await;

    proxy.cut();
    let cut_at = tokio::time::Instant::now();
    {
        let c = traffic.cluster.read().await;
        loop {
            if readyz(&c).await == 503 {
                break;
            }
            assert!(
                cut_at.elapsed() < Duration::from_secs(10),
                "readiness still says ready 10 s after the database went away"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // A visitor starting now is told to come back, not left hanging.
        let r = c
            .http
            .post(c.url(0, "/api/visitor/conversations"))
            .json(&serde_json::json!({"kind": "victim", "minor": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 503);
    }
    tokio::time::sleep(Duration::from_secs(3).saturating_sub(cut_at.elapsed())).await;

    proxy.restore();
    let back_at = tokio::time::Instant::now();
    {
        let c = traffic.cluster.read().await;
        while readyz(&c).await != 200 {
            assert!(
                back_at.elapsed() < Duration::from_secs(15),
                "not ready 15 s after the database came back"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (cluster, mut results) = traffic.stop().await;
    let (acks, _) = results.remove(0);
    let after: Vec<_> = acks.keys().collect();
    assert!(acks.len() >= 10, "traffic flowed: {after:?}");
    assert_all_kept(&cluster, &visitor.conversation_id, &acks).await;
    // The node itself came through: it still serves new visitors.
    cluster.start_visitor(0).await;
    cluster.shut_down().await;
}
