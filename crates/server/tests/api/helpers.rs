//! A real server per test, on a random port with a fresh database, and real clients.

use ecoute::{Application, Config};
use ecoute_crypto::KeyFiles;
use ecoute_crypto::totp::TotpSecret;
use ecoute_domain::{Password, Role, UserId};
use ecoute_store::{NewAudit, NewUser, Store};
use ecoute_store_sqlite::SqliteStore;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const NEUTRAL_URL: &str = "https://neutral.invalid/";
pub const PASSWORD: &str = "a long enough password";

pub struct TestApp {
    /// TOTP secrets of the accounts this test created, and the last step used for each.
    pub secrets: std::sync::Mutex<std::collections::HashMap<String, (TotpSecret, u64)>>,
    pub addr: String,
    pub origin: String,
    pub data_dir: tempfile::TempDir,
    pub store: SqliteStore,
    pub http: reqwest::Client,
    pub setup_link: Option<String>,
    /// The metrics listener, when the test asked for one.
    pub admin: Option<std::net::SocketAddr>,
    /// The running server; it ends when the shutdown future given at spawn completes.
    pub server: tokio::task::JoinHandle<anyhow::Result<()>>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_until(std::future::pending()).await
}

/// A server that stops when `shutdown` completes.
pub async fn spawn_app_until(
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> TestApp {
    spawn_app_on(tempfile::tempdir().expect("temp dir"), shutdown).await
}

/// A server on an existing data directory (a restart), stopping when `shutdown` completes.
pub async fn spawn_app_on(
    data_dir: tempfile::TempDir,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> TestApp {
    spawn_app_configured(data_dir, |_| {}, shutdown).await
}

/// A server with some settings changed.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_configured(
        tempfile::tempdir().expect("temp dir"),
        tweak,
        std::future::pending(),
    )
    .await
}

/// A server on `data_dir` with some settings changed, stopping when `shutdown` completes.
pub async fn spawn_app_configured(
    data_dir: tempfile::TempDir,
    tweak: impl FnOnce(&mut Config),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> TestApp {
    let mut config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.path().to_path_buf(),
        neutral_url: NEUTRAL_URL.to_string(),
        log: "warn".into(),
        // Most tests claim chats themselves; the offer tests ask for offers.
        routing: ecoute::config::RoutingConfig {
            mode: ecoute::config::RoutingMode::Pull,
            ..Default::default()
        },
        // A small stock of return codes hashed ahead: starts take from it and, once it is
        // empty, hash their own, so both roads are used; a full stock would keep a core busy
        // for 20 s in every test.
        limits: ecoute::config::Limits {
            ready_return_codes: 2,
            ..Default::default()
        },
        ..Config::default()
    };
    tweak(&mut config);
    let app = Application::build(config).await.expect("server builds");
    let addr = app.local_addr().to_string();
    let setup_link = app.setup_link().map(str::to_string);
    let admin = app.admin_addr();
    let server = tokio::spawn(app.run_until(shutdown));
    let store = SqliteStore::open(data_dir.path())
        .await
        .expect("second handle on the store");
    TestApp {
        secrets: Default::default(),
        origin: format!("http://{addr}"),
        addr,
        data_dir,
        store,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        setup_link,
        admin,
        server,
    }
}

#[derive(Clone)]
pub struct Visitor {
    pub conversation_id: String,
    pub token: String,
    /// The return code shown at start, grouped as the page shows it.
    pub return_code: String,
}

/// A chat closed as forwarded, with the visitor's yes, and its dossier produced.
pub struct Forwarded {
    pub visitor: Visitor,
    pub conversation_id: ecoute_domain::ConversationId,
    pub dossier: ecoute_store::DossierRow,
}

#[derive(Clone)]
pub struct Officer {
    pub id: String,
    pub display_name: String,
    pub cookie: String,
}

impl TestApp {
    /// Records `count` failed logins for `name` an hour ago, as a guesser would leave them
    /// (written directly: argon2 is slow).
    pub async fn record_login_failures(&self, name: &str, count: usize) {
        let now = time::OffsetDateTime::now_utc();
        for _ in 0..count {
            let mut audit = ecoute_store::NewAudit::system("login_failed", now);
            audit.actor_name = Some(name.into());
            self.store
                .record_login_failure(name, now - time::Duration::hours(1), audit)
                .await
                .unwrap();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn start_visitor(&self) -> Visitor {
        self.start_visitor_with(json!({"kind": "victim", "minor": false, "postal_code": "69003"}))
            .await
    }

    pub async fn start_visitor_with(&self, body: Value) -> Visitor {
        let r = self
            .http
            .post(self.url("/api/visitor/conversations"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        Visitor {
            conversation_id: v["conversation_id"].as_str().unwrap().to_string(),
            token: v["token"].as_str().unwrap().to_string(),
            return_code: v["return_code"].as_str().unwrap().to_string(),
        }
    }

    /// Creates an account with an authenticator enrolled (its secret kept for [`Self::code`]).
    pub async fn create_user(&self, username: &str, role: Role) {
        self.create_account(username, role, None).await;
    }

    /// Loads the sample directory of units (`share/units.sample.txt`): `commissariat-lyon-3`
    /// covers 69001 to 69009, `bta-villefranche` 69400, `bta-mende` all of 48…
    pub async fn load_sample_units(&self) {
        let sample = include_str!("../../../../share/units.sample.txt");
        let units = ecoute_domain::parse_units(sample).unwrap();
        self.store
            .load_units(
                &units,
                NewAudit::system("units_loaded", time::OffsetDateTime::now_utc()),
            )
            .await
            .unwrap();
    }

    /// Creates a unit's account for `unit` (with an authenticator) and logs it in.
    pub async fn unit_staff(&self, username: &str, unit: &str) -> Officer {
        self.create_account(username, Role::Unit, Some(unit)).await;
        self.log_in_as(username).await
    }

    /// A chat of `officer` (a new visitor, who writes `visitor_says`) forwarded to `unit` with
    /// the visitor's yes given in the chat and contact instructions; returns once its dossier
    /// is stored.
    pub async fn forwarded_chat(
        &self,
        officer: &Officer,
        unit: &str,
        visitor_says: &str,
    ) -> Forwarded {
        let visitor = self.start_visitor().await;
        let id = visitor.conversation_id.clone();
        let (mut ws, _) = self.staff_socket(officer).await;
        ws.send(json!({"type": "claim", "conversation_id": id}))
            .await;
        ws.recv_type("claimed").await;
        let (mut v, _) = self.visitor_socket(&visitor, 0).await;
        v.send(json!({"type": "send", "client_id": "v1", "body": visitor_says}))
            .await;
        v.recv_type("ack").await;
        ws.send(json!({"type": "ask_consent", "conversation_id": id, "unit": unit}))
            .await;
        let question = v.recv_type("consent").await;
        assert_eq!(question["unit"], unit);
        v.send(json!({"type": "consent_answer", "unit": unit, "yes": true,
            "instructions": "Le matin avant 9 h ; dire que c'est la mutuelle"}))
            .await;
        loop {
            let c = ws.recv_type("consent").await;
            if c["answer"] == json!(true) {
                break;
            }
        }
        ws.send(json!({"type": "close", "conversation_id": id, "outcome": "report_forwarded"}))
            .await;
        ws.recv_type("chat_closed").await;
        let conversation_id: ecoute_domain::ConversationId = id.parse().unwrap();
        let dossier = self
            .store
            .dossier_of(conversation_id)
            .await
            .unwrap()
            .expect("the dossier is produced at closing");
        Forwarded {
            visitor,
            conversation_id,
            dossier,
        }
    }

    /// Creates an account that has not enrolled an authenticator yet.
    pub async fn create_user_without_totp(&self, username: &str, role: Role) -> UserId {
        self.create_account_without_totp(username, role, None).await
    }

    async fn create_account(&self, username: &str, role: Role, unit: Option<&str>) {
        let id = self.create_account_without_totp(username, role, unit).await;
        self.enrol(id, username, Vec::new()).await;
    }

    /// An account with an authenticator (its secret kept for [`TestApp::code`]) and ten
    /// recovery codes, returned as typed: for tests that log in more often than a 30-second
    /// step allows authenticator codes.
    pub async fn create_user_with_recovery_codes(
        &self,
        username: &str,
        role: Role,
    ) -> (UserId, Vec<String>) {
        let id = self.create_user_without_totp(username, role).await;
        let codes = ecoute_crypto::totp::recovery_codes();
        self.enrol(id, username, codes.iter().map(|(_, h)| *h).collect())
            .await;
        (id, codes.into_iter().map(|(c, _)| c).collect())
    }

    /// Enrols a new authenticator for `id`, with these recovery code hashes.
    async fn enrol(&self, id: UserId, username: &str, recovery_hashes: Vec<[u8; 32]>) {
        let keys = KeyFiles::new(self.data_dir.path().join("master.key"))
            .load_or_create()
            .unwrap();
        let secret = TotpSecret::generate();
        let stored = ecoute::auth::seal_totp(&keys, id, &secret);
        self.store
            .enrol_totp(
                id,
                stored,
                recovery_hashes,
                NewAudit::system("totp_enrolled", time::OffsetDateTime::now_utc()),
            )
            .await
            .unwrap();
        self.secrets
            .lock()
            .unwrap()
            .insert(username.to_string(), (secret, 0));
    }

    async fn create_account_without_totp(
        &self,
        username: &str,
        role: Role,
        unit: Option<&str>,
    ) -> UserId {
        let hash = ecoute::auth::hash_password(Password::parse(PASSWORD.into(), &[]).unwrap())
            .await
            .unwrap();
        let id = UserId::new();
        self.store
            .create_user(
                NewUser {
                    id,
                    username: username.into(),
                    display_name: format!("Agent {username}"),
                    role,
                    unit: unit.map(|u| ecoute_domain::UnitId::parse(u).unwrap()),
                    password_hash: hash,
                    created_at: time::OffsetDateTime::now_utc(),
                },
                NewAudit::system("user_created", time::OffsetDateTime::now_utc()),
            )
            .await
            .unwrap();
        id
    }

    /// A fresh, never used TOTP code for an account this test created (the next step's code
    /// when this step's was already used: one step of drift is accepted).
    pub fn code(&self, username: &str) -> Option<String> {
        let mut secrets = self.secrets.lock().unwrap();
        let (secret, last) = secrets.get_mut(username)?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64 / 30;
        let step = if now > *last { now } else { *last + 1 };
        *last = step;
        Some(format!("{:06}", secret.code_at_step(step)))
    }

    /// Logs in with the password and, when the account has one, a fresh TOTP code.
    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        let code = self.code(username);
        self.login_with(username, password, code.as_deref()).await
    }

    pub async fn login_with(
        &self,
        username: &str,
        password: &str,
        code: Option<&str>,
    ) -> reqwest::Response {
        self.http
            .post(self.url("/api/staff/login"))
            .header("origin", &self.origin)
            .json(&json!({"username": username, "password": password, "code": code}))
            .send()
            .await
            .unwrap()
    }

    /// Creates an officer and logs them in.
    pub async fn officer(&self, username: &str) -> Officer {
        self.staff(username, Role::Officer).await
    }

    /// Creates a staff account with this role and logs it in.
    pub async fn staff(&self, username: &str, role: Role) -> Officer {
        self.create_user(username, role).await;
        self.log_in_as(username).await
    }

    /// Logs in an account this test created.
    pub async fn log_in_as(&self, username: &str) -> Officer {
        let r = self.login(username, PASSWORD).await;
        assert_eq!(r.status(), 200);
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
        let me: Value = r.json().await.unwrap();
        Officer {
            id: me["id"].as_str().unwrap().to_string(),

            display_name: me["display_name"].as_str().unwrap().to_string(),
            cookie,
        }
    }

    pub async fn ws(&self, path: &str, cookie: Option<&str>) -> Ws {
        self.try_ws(path, cookie, Some(&self.origin))
            .await
            .expect("upgrade accepted")
    }

    pub async fn try_ws(
        &self,
        path: &str,
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        let mut request = format!("ws://{}{}", self.addr, path)
            .into_client_request()
            .unwrap();
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", HeaderValue::from_str(origin).unwrap());
        }
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert("cookie", HeaderValue::from_str(cookie).unwrap());
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Ws { stream })
    }

    /// A visitor socket that has said hello and read the welcome.
    pub async fn visitor_socket(&self, visitor: &Visitor, last_seq: u64) -> (Ws, Value) {
        let mut ws = self.ws("/ws/visitor", None).await;
        ws.send(json!({"type": "hello", "token": visitor.token, "last_seq": last_seq}))
            .await;
        let welcome = ws.recv_type("welcome").await;
        (ws, welcome)
    }

    /// A staff socket that has read its welcome.
    pub async fn staff_socket(&self, officer: &Officer) -> (Ws, Value) {
        let mut ws = self.ws("/ws/staff", Some(&officer.cookie)).await;
        let welcome = ws.recv_type("welcome").await;
        (ws, welcome)
    }
}

pub struct Ws {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

pub enum Next {
    Frame(Value),
    Closed(Option<u16>),
}

impl Ws {
    pub async fn send(&mut self, v: Value) {
        self.stream
            .send(Message::Text(v.to_string().into()))
            .await
            .unwrap();
    }

    pub async fn send_raw(&mut self, m: Message) {
        let _ = self.stream.send(m).await;
    }

    pub async fn next(&mut self) -> Next {
        loop {
            let m = tokio::time::timeout(Duration::from_secs(5), self.stream.next())
                .await
                .expect("no frame within 5 s");
            match m {
                Some(Ok(Message::Text(t))) => {
                    return Next::Frame(serde_json::from_str(t.as_str()).unwrap());
                }
                Some(Ok(Message::Close(frame))) => {
                    return Next::Closed(frame.map(|f| u16::from(f.code)));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Next::Closed(None),
            }
        }
    }

    /// The next frame, which must not be a close.
    pub async fn recv(&mut self) -> Value {
        match self.next().await {
            Next::Frame(v) => v,
            Next::Closed(code) => panic!("socket closed ({code:?}) while a frame was expected"),
        }
    }

    /// Skips frames until one of this type arrives (queue updates, for example).
    pub async fn recv_type(&mut self, kind: &str) -> Value {
        loop {
            let v = self.recv().await;
            if v["type"] == kind {
                return v;
            }
            assert_ne!(
                v["type"], "error",
                "unexpected error while waiting for {kind}: {v}"
            );
        }
    }

    /// The next frame that is not a status update (the queue, or wellbeing: sent when they
    /// change, at times of their own).
    pub async fn recv_skipping_queue(&mut self) -> Value {
        loop {
            let v = self.recv().await;
            if !is_status(&v) {
                return v;
            }
        }
    }

    /// Reads until the server closes; returns the close code.
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            if let Next::Closed(code) = self.next().await {
                return code;
            }
        }
    }

    /// Asserts that nothing but status updates (queue, wellbeing) arrive for a short while.
    pub async fn quiet(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return,
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    assert!(is_status(&v), "unexpected frame: {v}");
                }
                Ok(other) => panic!("unexpected: {other:?}"),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// A frame that says where things stand rather than what happened: the queue, and the
/// officer's and the board's wellbeing (docs/WELLBEING.md).
pub fn is_status(v: &Value) -> bool {
    matches!(
        v["type"].as_str(),
        Some("queue" | "wellbeing" | "wellbeing_board")
    )
}

pub fn binary() -> Message {
    Message::Binary(Bytes::from_static(b"\x00\x01"))
}

pub fn normal_close() -> u16 {
    u16::from(CloseCode::Normal)
}

/// Kills a child process when dropped, so that a failing test leaves no server running.
pub struct Reap(pub u32);

impl Drop for Reap {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-9", &self.0.to_string()])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// Runs the `ecoute` binary with `args` and `stdin`, away from the caller's environment:
/// whether it succeeded, its standard output and its standard error.
pub fn ecoute(args: &[&str], stdin: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ecoute"))
        .args(args)
        .env_remove("ECOUTE_DATA_DIR")
        .env_remove("ECOUTE_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What a run of the binary said.
pub struct Ran {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `ecoute --data-dir DIR ARGS` with `env` added, away from the caller's environment, and
/// waits for it to end.
pub async fn ecoute_in(data_dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Ran {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ecoute"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("ECOUTE_LOG", "warn")
        .env_remove("ECOUTE_CONFIG")
        .env_remove("ECOUTE_DATA_DIR")
        .env_remove("ECOUTE_DATABASE_URL")
        .env_remove("ECOUTE_MASTER_KEY_FILE")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().await.expect("the binary runs");
    Ran {
        success: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// CSV read as RFC 4180 writes it: records end with CRLF; a quoted field may hold commas, line
/// breaks and doubled quotes; a bare quote or LF outside quotes, or a record cut short, fails.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    assert!(
        text.is_empty() || text.ends_with("\r\n"),
        "records end with CRLF"
    );
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR is followed by LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => {
                assert!(c != '"' && c != '\n', "a bare quote or LF in {text:?}");
                field.push(c);
            }
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "a record is cut"
    );
    records
}

/// The test's own handle on a server's database file, for what no API may do (moving time
/// back, writing statistics rows of past weeks).
pub async fn database(dir: &std::path::Path) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.join("ecoute.db"))
        .busy_timeout(Duration::from_secs(10));
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap()
}

/// `GET path` as `who`, the console in French.
pub async fn get_as(app: &TestApp, who: &Officer, path: &str) -> reqwest::Response {
    app.http
        .get(app.url(path))
        .header("cookie", &who.cookie)
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap()
}

/// The authenticator key an enrolment page shows for manual entry (in groups of four, each in
/// its own element; the groups joined are the key).
pub fn shown_totp_key(page: &str) -> TotpSecret {
    let start = page
        .find("id=\"totp-secret\"")
        .expect("the page shows a key");
    let start = start + page[start..].find('>').unwrap() + 1;
    let end = start + page[start..].find("</code>").unwrap();
    let mut key = String::new();
    let mut in_tag = false;
    for c in page[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => key.push(c),
            _ => {}
        }
    }
    TotpSecret::from_base32(&key).expect("the key shown parses")
}
