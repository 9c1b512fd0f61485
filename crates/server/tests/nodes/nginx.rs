//! The guide's nginx block (docs/DEPLOYMENT.md, "nginx in front of N nodes"), run by Debian's
//! nginx in front of two nodes: new visitor sockets spread over both, and nginx keeps idle
//! connections to the nodes between ordinary requests.

use super::harness::{Cluster, free_port, ws_to};
use serde_json::json;
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The guide's block for N nodes, as an operator copies it.
fn guide_block() -> String {
    let guide = include_str!("../../../../docs/DEPLOYMENT.md");
    let section = guide
        .split("### nginx in front of N nodes")
        .nth(1)
        .expect("the guide has its nginx section");
    let block = section
        .split("```nginx\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("the section has an nginx block");
    block.to_string()
}

/// The block made to run here: the nodes' real ports, plain HTTP on a free port instead of
/// TLS on 443 (the TLS lines are the operator's certificate), everything else as written.
fn runnable(block: &str, nodes: [u16; 2], port: u16) -> String {
    let mut servers = nodes.iter();
    let mut out = String::new();
    for line in block.lines() {
        let t = line.trim_start();
        if t.starts_with("server 10.0.0.") {
            // The guide lists three nodes; the test runs two.
            if let Some(p) = servers.next() {
                let rest = t.split_once(' ').unwrap().1.split_once(' ').unwrap().1;
                out.push_str(&format!("    server 127.0.0.1:{p} {rest}\n"));
            }
        } else if t.starts_with("listen 443") {
            out.push_str(&format!("    listen 127.0.0.1:{port};\n"));
        } else if !t.starts_with("ssl_certificate") {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(servers.next().is_none(), "the block names every node");
    out
}

struct Nginx {
    child: Child,
    dir: tempfile::TempDir,
}

impl Nginx {
    fn start(site: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        // Workers run as `nobody` when the master is root: they must reach the temp paths.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        // What Debian's nginx.conf gives a site: the http block around it. Two workers, as on a
        // two-core machine, so that the spread holds across workers.
        let conf = format!(
            "daemon off;\nworker_processes 2;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             {site}\n}}\n"
        );
        let path = dir.path().join("nginx.conf");
        std::fs::write(&path, conf).unwrap();
        let test = Command::new("nginx")
            .arg("-t")
            .arg("-c")
            .arg(&path)
            .output()
            .expect("nginx (Debian's package, installed by .ci/run)");
        assert!(
            test.status.success(),
            "nginx -t refuses the guide's block:\n{}",
            String::from_utf8_lossy(&test.stderr)
        );
        let child = Command::new("nginx")
            .arg("-c")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Self { child, dir }
    }

    /// The master's and workers' pids.
    fn pids(&self) -> HashSet<u32> {
        let master = self.child.id();
        let mut pids = HashSet::from([master]);
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // pid (comm) state ppid …
            let ppid = stat
                .rsplit_once(") ")
                .and_then(|(_, rest)| rest.split(' ').nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if ppid == Some(master) {
                pids.insert(pid);
            }
        }
        pids
    }

    /// Established TCP connections from nginx to these ports.
    fn upstream_connections(&self, ports: &[u16]) -> usize {
        let mut inodes = HashSet::new();
        for pid in self.pids() {
            let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
                continue;
            };
            for fd in fds.flatten() {
                if let Ok(target) = std::fs::read_link(fd.path()) {
                    let t = target.to_string_lossy().to_string();
                    if let Some(inode) =
                        t.strip_prefix("socket:[").and_then(|i| i.strip_suffix(']'))
                    {
                        inodes.insert(inode.to_string());
                    }
                }
            }
        }
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        table
            .lines()
            .skip(1)
            .filter(|line| {
                let f: Vec<&str> = line.split_whitespace().collect();
                let remote_port = f[2]
                    .split(':')
                    .nth(1)
                    .and_then(|p| u16::from_str_radix(p, 16).ok());
                f[3] == "01"
                    && remote_port.is_some_and(|p| ports.contains(&p))
                    && inodes.contains(f[9])
            })
            .count()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // Workers outlive a killed master: name them first, then stop them all.
        let pids = self.pids();
        for pid in &pids {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.wait();
    }
}

async fn wait_for(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The value of `ecoute_connections{kind="visitor"}` on a metrics page.
fn visitor_sockets(metrics: &str) -> u64 {
    metrics
        .lines()
        .find(|l| l.starts_with("ecoute_connections{") && l.contains("kind=\"visitor\""))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

#[tokio::test]
async fn behind_the_guides_nginx_new_visitor_sockets_spread_over_the_nodes_and_idle_connections_are_kept()
 {
    let port = free_port();
    let origin = format!("http://127.0.0.1:{port}");
    let mut cluster = Cluster::postgres(2).await;
    cluster.with_admin_listeners();
    cluster.env = vec![
        ("ECOUTE_PUBLIC_ORIGIN".into(), origin.clone()),
        ("ECOUTE_TRUSTED_PROXIES".into(), "127.0.0.1".into()),
    ];
    cluster.start(0).await;
    cluster.start(1).await;
    let nodes = [cluster.port(0), cluster.port(1)];
    let nginx = Nginx::start(&runnable(&guide_block(), nodes, port));
    let http = reqwest::Client::new();
    wait_for("nginx answers", async || {
        http.get(format!("{origin}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;

    // Ten ordinary requests, one after the other: nginx keeps its connections to the nodes
    // open afterwards, instead of closing each (which `'' close` in the map did).
    for _ in 0..10 {
        let r = http.get(format!("{origin}/readyz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle = nginx.upstream_connections(&nodes);
    assert!(
        idle >= 1,
        "nginx keeps idle connections to the nodes after ordinary requests (found {idle})\n{}",
        nginx.log()
    );

    // Four visitors, each as a browser starts: the page, its three files, the start, then the
    // socket. Round-robin counted the five requests and put every socket on one node.
    let mut sockets = Vec::new();
    for _ in 0..4 {
        for path in [
            "/",
            "/assets/visitor.css",
            "/assets/visitor.js",
            "/assets/quick-exit.js",
        ] {
            let r = http.get(format!("{origin}{path}")).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
        }
        let r = http
            .post(format!("{origin}/api/visitor/conversations"))
            .header("origin", &origin)
            .json(&json!({"kind": "victim", "minor": false, "postal_code": "69003"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let v: serde_json::Value = r.json().await.unwrap();
        let mut ws = ws_to(&origin, "/ws/visitor", None)
            .await
            .expect("the socket goes through nginx");
        ws.send(json!({"type": "hello", "token": v["token"], "last_seq": 0}))
            .await;
        ws.recv_type("welcome").await;
        sockets.push(ws);
    }
    let mut counts = [0, 0];
    wait_for("the nodes count the four sockets", async || {
        counts = [
            visitor_sockets(&cluster.metrics(0).await),
            visitor_sockets(&cluster.metrics(1).await),
        ];
        counts[0] + counts[1] == 4
    })
    .await;
    assert_eq!(
        counts,
        [2, 2],
        "new visitor sockets are spread over both nodes"
    );

    drop(sockets);
    drop(nginx);
    cluster.shut_down().await;
}
