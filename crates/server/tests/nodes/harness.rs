//! Écoute nodes as separate processes (so that they can be killed with SIGKILL), on one
//! database (PostgreSQL, or SQLite for one node) and one NATS server, and clients that speak
//! the real protocol to any of them.

use ecoute_crypto::KeyFiles;
use ecoute_crypto::totp::TotpSecret;
use ecoute_domain::{Password, Role, UserId};
use ecoute_store::{NewAudit, NewUser, Store};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const PASSWORD: &str = "a long enough password";

/// The PostgreSQL server the tests create their databases on.
pub fn postgres_url() -> String {
    std::env::var("ECOUTE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The NATS server the nodes share.
pub fn nats_url() -> String {
    std::env::var("ECOUTE_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// A database of its own for one test, on the shared PostgreSQL server.
pub struct Database {
    pub url: String,
    name: String,
}

impl Database {
    pub async fn fresh() -> Self {
        let admin = postgres_url();
        let name = format!("ecoute_n_{}", uuid::Uuid::new_v4().simple());
        let mut conn = connect_admin(&admin).await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create the test database");
        let (base, _) = admin
            .rsplit_once('/')
            .expect("a database URL ends in /NAME");
        Self {
            url: format!("{base}/{name}"),
            name,
        }
    }

    /// Drops the database (the nodes must be stopped).
    pub async fn drop_now(self) {
        let mut conn = connect_admin(&postgres_url()).await;
        let _ = sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await;
    }
}

async fn connect_admin(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url).await.unwrap_or_else(|e| {
        panic!("cannot reach PostgreSQL at {url} ({e}); set ECOUTE_TEST_POSTGRES_URL")
    })
}

/// Where the nodes keep their data.
pub enum Backend {
    /// One PostgreSQL database for every node.
    Postgres(Database),
    /// The embedded database: one node, in `DIR/node-0`.
    Sqlite,
}

/// A running node.
pub struct Node {
    child: Child,
    log: PathBuf,
}

/// Several nodes of one deployment.
pub struct Cluster {
    pub dir: tempfile::TempDir,
    pub backend: Backend,
    /// NATS subject prefix of this deployment (none: no NATS).
    nats_prefix: Option<String>,
    nodes: Vec<Option<Node>>,
    ports: Vec<u16>,
    pub store: Arc<dyn Store>,
    /// The database URL the nodes get, when not the test's own (through a proxy).
    pub node_database_url: Option<String>,
    /// More `[routing]` settings for every node, one per line.
    pub routing: String,
    /// A node on NATS under another prefix: it hears nothing from the others (events lost).
    pub deaf: Option<usize>,
    secrets: Mutex<std::collections::HashMap<String, (TotpSecret, u64)>>,
    pub http: reqwest::Client,
    /// More environment variables for every node.
    pub env: Vec<(String, String)>,
    /// Each node's admin listener (metrics), when the test asked for them.
    admin_ports: Option<Vec<u16>>,
}

/// Settings every test node runs with: pull routing (tests claim chats themselves) and limits
/// that a test's traffic from one address does not reach.
const CONFIG: &str = r#"
log = "warn"
[routing]
mode = "pull"
[limits]
max_waiting = 100000
starts_per_source_per_hour = 1000000
logins_per_source_per_quarter = 100000
messages_per_minute = 1000000
ready_return_codes = 2
"#;

impl Cluster {
    /// `nodes` nodes on a fresh PostgreSQL database and the NATS server, none started yet.
    pub async fn postgres(nodes: usize) -> Self {
        let db = Database::fresh().await;
        let store: Arc<dyn Store> = Arc::new(
            ecoute_store_postgres::PgStore::connect(&db.url)
                .await
                .expect("the test's store"),
        );
        Self::new(
            Backend::Postgres(db),
            store,
            nodes,
            Some(format!("ecoute-test.{}", uuid::Uuid::new_v4().simple())),
        )
    }

    /// One node on the embedded SQLite database.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("node-0");
        std::fs::create_dir_all(&data).unwrap();
        let store: Arc<dyn Store> = Arc::new(
            ecoute_store_sqlite::SqliteStore::open(&data)
                .await
                .expect("the test's store"),
        );
        let mut cluster = Self::new(Backend::Sqlite, store, 1, None);
        cluster.dir = dir;
        cluster
    }

    fn new(
        backend: Backend,
        store: Arc<dyn Store>,
        nodes: usize,
        nats_prefix: Option<String>,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self {
            dir,
            backend,
            nats_prefix,
            nodes: (0..nodes).map(|_| None).collect(),
            ports: (0..nodes).map(|_| free_port()).collect(),
            store,
            node_database_url: None,
            routing: String::new(),
            deaf: None,
            env: Vec::new(),
            admin_ports: None,
            secrets: Mutex::default(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        }
    }

    fn key_file(&self) -> PathBuf {
        self.dir.path().join("master.key")
    }

    /// The command that runs node `i` (also used for `ecoute` subcommands).
    pub fn command(&self, i: usize) -> Command {
        let data = self.dir.path().join(format!("node-{i}"));
        std::fs::create_dir_all(&data).unwrap();
        let config = self.dir.path().join("ecoute.toml");
        if !config.exists() {
            let text = CONFIG.replace(
                "mode = \"pull\"\n",
                &format!("mode = \"pull\"\n{}\n", self.routing),
            );
            std::fs::write(&config, text).unwrap();
        }
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecoute"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("ECOUTE_CONFIG", &config)
            .env("ECOUTE_DATA_DIR", &data)
            .env("ECOUTE_MASTER_KEY_FILE", self.key_file())
            .env("ECOUTE_LISTEN", format!("127.0.0.1:{}", self.ports[i]));
        for (name, value) in &self.env {
            cmd.env(name, value);
        }
        if let Some(ports) = &self.admin_ports {
            cmd.env("ECOUTE_ADMIN_LISTEN", format!("127.0.0.1:{}", ports[i]));
        }
        if let Backend::Postgres(db) = &self.backend {
            let url = self.node_database_url.as_ref().unwrap_or(&db.url);
            cmd.env("ECOUTE_DATABASE_URL", url);
        }
        if let Some(prefix) = &self.nats_prefix {
            let prefix = if self.deaf == Some(i) {
                format!("{prefix}.deaf")
            } else {
                prefix.clone()
            };
            cmd.env("ECOUTE_NATS_URL", nats_url())
                .env("ECOUTE_NATS_PREFIX", prefix);
        }
        cmd
    }

    /// Starts node `i` and waits until it is ready.
    pub async fn start(&mut self, i: usize) {
        assert!(self.nodes[i].is_none(), "node {i} is already running");
        // Every node needs the same master key: made once, before the first node starts.
        KeyFiles::new(self.key_file()).load_or_create().unwrap();
        let log = self.dir.path().join(format!("node-{i}.log"));
        let child = self
            .command(i)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the ecoute binary starts");
        self.nodes[i] = Some(Node { child, log });
        self.wait_ready(i).await;
    }

    async fn wait_ready(&mut self, i: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let node = self.nodes[i].as_mut().unwrap();
            if let Some(status) = node.child.try_wait().unwrap() {
                panic!(
                    "node {i} exited ({status}) while starting:\n{}",
                    std::fs::read_to_string(&node.log).unwrap_or_default()
                );
            }
            if let Ok(r) = self.http.get(self.url(i, "/readyz")).send().await
                && r.status() == 200
            {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "node {i} not ready after 60 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills node `i` at once (SIGKILL): nothing runs on its way out.
    pub fn kill(&mut self, i: usize) {
        let mut node = self.nodes[i].take().expect("node is running");
        node.child.kill().unwrap();
        node.child.wait().unwrap();
    }

    /// Asks node `i` to stop (SIGTERM) and waits for it to exit, returning its status.
    #[allow(unsafe_code)]
    pub async fn stop(&mut self, i: usize) -> std::process::ExitStatus {
        let mut node = self.nodes[i].take().expect("node is running");
        // SAFETY: the pid is our own child's, not yet waited for.
        unsafe { libc::kill(node.child.id() as i32, libc::SIGTERM) };
        tokio::task::spawn_blocking(move || node.child.wait().unwrap())
            .await
            .unwrap()
    }

    /// Gives every node an admin listener (Prometheus metrics), before they start.
    pub fn with_admin_listeners(&mut self) {
        self.admin_ports = Some(self.ports.iter().map(|_| free_port()).collect());
    }

    /// Node `i`'s metrics page, as Prometheus reads it.
    pub async fn metrics(&self, i: usize) -> String {
        let port = self.admin_ports.as_ref().expect("with_admin_listeners")[i];
        let r = self
            .http
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.text().await.unwrap()
    }

    /// The port node `i` serves on.
    pub fn port(&self, i: usize) -> u16 {
        self.ports[i]
    }

    pub fn origin(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.ports[i])
    }

    pub fn url(&self, i: usize, path: &str) -> String {
        format!("{}{path}", self.origin(i))
    }

    /// Starts a conversation on node `i`.
    pub async fn start_visitor(&self, i: usize) -> Visitor {
        let r = self
            .http
            .post(self.url(i, "/api/visitor/conversations"))
            .json(&json!({"kind": "victim", "minor": false, "postal_code": "69003"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "start on node {i}");
        let v: Value = r.json().await.unwrap();
        Visitor {
            conversation_id: v["conversation_id"].as_str().unwrap().to_string(),
            token: v["token"].as_str().unwrap().to_string(),
            return_code: v["return_code"].as_str().unwrap().to_string(),
        }
    }

    /// Creates an officer (with an authenticator) of this capacity and logs them in on node `i`.
    pub async fn officer(&self, i: usize, username: &str, capacity: u32) -> Officer {
        self.staff(i, username, Role::Officer, capacity).await
    }

    /// Creates a staff member with this role and logs them in on node `i`.
    pub async fn staff(&self, i: usize, username: &str, role: Role, capacity: u32) -> Officer {
        self.account(i, username, role, None, capacity).await
    }

    /// Creates a unit's account for `unit` and logs it in on node `i`.
    pub async fn unit_staff(&self, i: usize, username: &str, unit: &str) -> Officer {
        let unit = ecoute_domain::UnitId::parse(unit).unwrap();
        self.account(i, username, Role::Unit, Some(unit), 1).await
    }

    async fn account(
        &self,
        i: usize,
        username: &str,
        role: Role,
        unit: Option<ecoute_domain::UnitId>,
        capacity: u32,
    ) -> Officer {
        let hash = ecoute::auth::hash_password(Password::parse(PASSWORD.into(), &[]).unwrap())
            .await
            .unwrap();
        let now = time::OffsetDateTime::now_utc();
        let id = UserId::new();
        self.store
            .create_user(
                NewUser {
                    id,
                    username: username.into(),
                    display_name: format!("Agent {username}"),
                    role,
                    unit,
                    password_hash: hash,
                    created_at: now,
                },
                NewAudit::system("user_created", now),
            )
            .await
            .unwrap();
        self.store
            .set_capacity(id, capacity, NewAudit::system("capacity_set", now))
            .await
            .unwrap();
        let keys = KeyFiles::new(self.key_file()).load_or_create().unwrap();
        let secret = TotpSecret::generate();
        let sealed = ecoute::auth::seal_totp(&keys, id, &secret);
        self.store
            .enrol_totp(
                id,
                sealed,
                Vec::new(),
                NewAudit::system("totp_enrolled", now),
            )
            .await
            .unwrap();
        let step = now.unix_timestamp() as u64 / 30;
        let code = format!("{:06}", secret.code_at_step(step));
        self.secrets
            .lock()
            .unwrap()
            .insert(username.into(), (secret, step));
        let r = self
            .http
            .post(self.url(i, "/api/staff/login"))
            .header("origin", self.origin(i))
            .json(&json!({"username": username, "password": PASSWORD, "code": code}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login of {username} on node {i}");
        let cookie = r
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        Officer {
            id: id.to_string(),
            cookie,
        }
    }

    /// A WebSocket to node `i`, or the error of the upgrade.
    pub async fn try_ws(
        &self,
        i: usize,
        path: &str,
        cookie: Option<&str>,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        ws_to(&self.origin(i), path, cookie).await
    }

    /// A visitor socket on node `i` that said hello and read its welcome.
    pub async fn visitor_socket(&self, i: usize, visitor: &Visitor, last_seq: u64) -> (Ws, Value) {
        let mut ws = self.try_ws(i, "/ws/visitor", None).await.expect("upgrade");
        ws.send(json!({"type": "hello", "token": visitor.token, "last_seq": last_seq}))
            .await;
        let welcome = ws.recv_type("welcome").await;
        (ws, welcome)
    }

    /// A staff socket on node `i` that read its welcome.
    pub async fn staff_socket(&self, i: usize, officer: &Officer) -> (Ws, Value) {
        let mut ws = self
            .try_ws(i, "/ws/staff", Some(&officer.cookie))
            .await
            .expect("upgrade");
        let welcome = ws.recv_type("welcome").await;
        (ws, welcome)
    }

    /// Stops every node still running and drops the database.
    pub async fn shut_down(mut self) {
        for i in 0..self.nodes.len() {
            if self.nodes[i].is_some() {
                self.kill(i);
            }
        }
        self.store.close().await;
        if let Backend::Postgres(db) = std::mem::replace(&mut self.backend, Backend::Sqlite) {
            db.drop_now().await;
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // A failed test must not leave nodes running.
        for node in self.nodes.iter_mut().flatten() {
            let _ = node.child.kill();
            let _ = node.child.wait();
        }
    }
}

/// A WebSocket to `path` at `origin` (`http://host:port`), sent with that origin, as a
/// browser on that page would.
pub async fn ws_to(
    origin: &str,
    path: &str,
    cookie: Option<&str>,
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let mut request = format!("{}{path}", origin.replacen("http://", "ws://", 1))
        .into_client_request()
        .unwrap();
    let headers = request.headers_mut();
    headers.insert("origin", HeaderValue::from_str(origin).unwrap());
    if let Some(cookie) = cookie {
        headers.insert("cookie", HeaderValue::from_str(cookie).unwrap());
    }
    let (stream, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(Ws { stream })
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[derive(Clone, Debug)]
pub struct Visitor {
    pub conversation_id: String,
    pub token: String,
    /// The return code shown at start.
    pub return_code: String,
}

#[derive(Clone, Debug)]
pub struct Officer {
    pub id: String,
    pub cookie: String,
}

pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Ws {
    pub async fn send(&mut self, v: Value) {
        self.stream
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("send a frame");
    }

    /// Sends, or says the connection is gone.
    pub async fn try_send(&mut self, v: Value) -> bool {
        self.stream
            .send(Message::Text(v.to_string().into()))
            .await
            .is_ok()
    }

    /// The next JSON frame; `None` when the socket closed or broke.
    pub async fn next(&mut self, within: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(within, self.stream.next()).await {
                Err(_) => panic!("no frame within {within:?}"),
                Ok(Some(Ok(Message::Text(t)))) => return Some(serde_json::from_str(&t).unwrap()),
                Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return None,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// The next JSON frame, or `None` when nothing came within `within` or the socket closed.
    pub async fn next_or_quiet(&mut self, within: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(within, self.stream.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => return Some(serde_json::from_str(&t).unwrap()),
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)))) => continue,
                Ok(Some(Ok(Message::Binary(_)))) => continue,
                _ => return None,
            }
        }
    }

    /// The next frame of this type, skipping others.
    pub async fn recv_type(&mut self, kind: &str) -> Value {
        loop {
            let frame = self
                .next(Duration::from_secs(15))
                .await
                .unwrap_or_else(|| panic!("closed while waiting for {kind}"));
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Reads until the socket closes, returning the close code.
    pub async fn closed(&mut self, within: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => panic!("still open after {within:?}"),
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| f.code.into()),
                Ok(None) | Ok(Some(Err(_))) => return None,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }
}
