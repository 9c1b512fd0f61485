//! Before the measured part: accounts, logins, conversations, sockets. None of it is timed.

use crate::Args;
use anyhow::{Context, anyhow, bail};
use ecoute_crypto::totp::TotpSecret;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// Where visitors and officers connect.
#[derive(Debug, Clone)]
pub struct Target {
    /// `http://host:port` for visitors.
    pub visitor_url: String,
    /// `http://host:port` for officers.
    pub officer_url: String,
    /// A bare relay: no HTTP, no accounts, tokens made up here.
    pub relay: bool,
}

impl Target {
    pub fn server(args: &Args) -> anyhow::Result<Target> {
        let visitor_url = base(&args.url)?;
        let officer_url = match &args.officer_url {
            Some(u) => base(u)?,
            None => visitor_url.clone(),
        };
        Ok(Target {
            visitor_url,
            officer_url,
            relay: false,
        })
    }

    pub fn relay(addr: SocketAddr) -> Target {
        let url = format!("http://{addr}");
        Target {
            visitor_url: url.clone(),
            officer_url: url,
            relay: true,
        }
    }
}

fn base(url: &str) -> anyhow::Result<String> {
    let url = url.trim_end_matches('/');
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        bail!("{url}: give an http:// or https:// URL");
    }
    Ok(url.to_string())
}

fn host_port(url: &str) -> anyhow::Result<SocketAddr> {
    let rest = url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(url)
        .split('/')
        .next()
        .unwrap_or_default();
    use std::net::ToSocketAddrs;
    rest.to_socket_addrs()
        .with_context(|| format!("{url}: not a host:port"))?
        .next()
        .ok_or_else(|| anyhow!("{url}: no address"))
}

/// Source addresses, handed out in turn.
pub struct Sources {
    ips: Vec<IpAddr>,
    next: AtomicUsize,
    http: Vec<reqwest::Client>,
}

impl Sources {
    pub fn new(count: u8) -> anyhow::Result<Sources> {
        let ips: Vec<IpAddr> = (1..=count)
            .map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, i)))
            .collect();
        let http = ips
            .iter()
            .map(|ip| {
                reqwest::Client::builder()
                    .local_address(*ip)
                    .pool_max_idle_per_host(64)
                    .build()
                    .context("HTTP client")
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Sources {
            ips,
            next: AtomicUsize::new(0),
            http,
        })
    }

    fn pick(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed) % self.ips.len()
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http[self.pick()]
    }

    /// A WebSocket to `url` + `path` from the next source address.
    pub async fn connect(
        &self,
        url: &str,
        path: &str,
        cookie: Option<&str>,
    ) -> anyhow::Result<Socket> {
        let addr = host_port(url)?;
        let ip = self.ips[self.pick()];
        let ip = if addr.ip().is_loopback() {
            ip
        } else {
            // Only the loopback network has many addresses to spread over.
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        };
        let socket = TcpSocket::new_v4()?;
        socket.bind(SocketAddr::new(ip, 0))?;
        let stream = socket
            .connect(addr)
            .await
            .with_context(|| format!("connect {addr}"))?;
        stream.set_nodelay(true)?;
        let ws_url = format!("{}{path}", url.replacen("http", "ws", 1));
        let mut request = ws_url.as_str().into_client_request()?;
        let headers = request.headers_mut();
        headers.insert("origin", HeaderValue::from_str(url)?);
        if let Some(c) = cookie {
            headers.insert("cookie", HeaderValue::from_str(c)?);
        }
        let (ws, _) = tokio_tungstenite::client_async(request, stream)
            .await
            .with_context(|| format!("WebSocket {ws_url}"))?;
        Ok(ws)
    }
}

/// A visitor with its conversation.
#[derive(Debug, Clone)]
pub struct VisitorId {
    pub conversation_id: String,
    pub token: String,
}

/// Starts a conversation (relay: makes one up).
pub async fn start_visitor(
    target: &Target,
    sources: &Sources,
    n: usize,
) -> anyhow::Result<VisitorId> {
    if target.relay {
        return Ok(VisitorId {
            conversation_id: format!("c{n}"),
            token: format!("c{n}"),
        });
    }
    let r = sources
        .http()
        .post(format!("{}/api/visitor/conversations", target.visitor_url))
        .json(&json!({"kind": "victim", "minor": false}))
        .send()
        .await
        .context("POST /api/visitor/conversations")?;
    let status = r.status();
    let body: Value = r.json().await.unwrap_or_default();
    if status.as_u16() != 201 {
        bail!(
            "starting a conversation: {status} {} (raise [limits] for benchmarks: docs/PERFORMANCE.md)",
            body["error"]
        );
    }
    Ok(VisitorId {
        conversation_id: body["conversation_id"]
            .as_str()
            .context("conversation_id")?
            .into(),
        token: body["token"].as_str().context("token")?.into(),
    })
}

/// Opens a visitor socket and says hello; returns it after `welcome`.
pub async fn visitor_socket(
    target: &Target,
    sources: &Sources,
    visitor: &VisitorId,
) -> anyhow::Result<Socket> {
    let mut ws = sources
        .connect(&target.visitor_url, "/ws/visitor", None)
        .await?;
    let hello = json!({"type": "hello", "token": visitor.token, "last_seq": 0});
    ws.send(Message::text(hello.to_string())).await?;
    wait_for(&mut ws, "welcome").await?;
    Ok(ws)
}

/// Reads frames until one of this type (an `error` is a failure).
pub async fn wait_for(ws: &mut Socket, kind: &str) -> anyhow::Result<Value> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let next = tokio::time::timeout_at(deadline, ws.next())
            .await
            .map_err(|_| anyhow!("no {kind} within 30 s"))?;
        match next {
            Some(Ok(Message::Text(t))) => {
                let v: Value = serde_json::from_str(&t)?;
                if v["type"] == kind {
                    return Ok(v);
                }
                if v["type"] == "error" {
                    bail!("waiting for {kind}: {v}");
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => bail!("closed while waiting for {kind}"),
        }
    }
}

/// An officer able to log in.
#[derive(Debug, Clone)]
pub struct OfficerAccount {
    pub username: String,
    pub password: String,
    pub totp: String,
}

/// The officer accounts of this run: read from a file, or created with `ecoute user add`.
pub async fn officer_accounts(args: &Args, count: usize) -> anyhow::Result<Vec<OfficerAccount>> {
    if let Some(file) = &args.officer_credentials {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let accounts: Vec<OfficerAccount> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .enumerate()
            .map(|(i, l)| {
                // The password is the rest of the line: it may hold spaces.
                let mut parts = l.trim().splitn(3, ' ');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(u), Some(t), Some(p)) if !p.is_empty() => Ok(OfficerAccount {
                        username: u.into(),
                        password: p.into(),
                        totp: t.into(),
                    }),
                    _ => Err(anyhow!(
                        "{} line {}: expected `username totp_base32 password`",
                        file.display(),
                        i + 1
                    )),
                }
            })
            .collect::<anyhow::Result<_>>()?;
        if accounts.len() < count {
            bail!(
                "{} holds {} accounts, {count} needed",
                file.display(),
                accounts.len()
            );
        }
        return Ok(accounts.into_iter().take(count).collect());
    }
    let data_dir = args
        .data_dir
        .as_ref()
        .context("--data-dir or --officer-credentials")?;
    let bin = ecoute_bin(args);
    let run = format!("lg{}x{}", std::process::id(), now_secs() % 100_000);
    let mut accounts = Vec::new();
    for i in 0..count {
        let username = format!("{run}o{i}");
        let password = format!("loadgen-password-{run}-{i}");
        let mut child = tokio::process::Command::new(&bin)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["user", "add", "--username", &username, "--role", "officer"])
            .args(["--display-name", &format!("Agent {i}")])
            .args(["--capacity", "20", "--languages", "fr", "--totp-uri"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot run {}", bin.display()))?;
        {
            use tokio::io::AsyncWriteExt;
            let mut stdin = child.stdin.take().context("stdin")?;
            stdin.write_all(password.as_bytes()).await?;
        }
        let out = child.wait_with_output().await?;
        if !out.status.success() {
            bail!(
                "ecoute user add {username}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let totp = stdout
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("secret="))
            .map(|s| s.trim().to_string())
            .with_context(|| format!("no otpauth URI in: {stdout}"))?;
        accounts.push(OfficerAccount {
            username,
            password,
            totp,
        });
        if (i + 1) % 10 == 0 || i + 1 == count {
            eprintln!("officer accounts: {}/{count}", i + 1);
        }
    }
    Ok(accounts)
}

fn ecoute_bin(args: &Args) -> PathBuf {
    if let Some(b) = &args.ecoute_bin {
        return b.clone();
    }
    std::env::current_exe()
        .ok()
        .and_then(|me| me.parent().map(|d| d.join("ecoute")))
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("ecoute"))
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Logs an officer in; returns the session cookie (`name=value`).
pub async fn login(
    target: &Target,
    sources: &Sources,
    account: &OfficerAccount,
) -> anyhow::Result<Option<String>> {
    if target.relay {
        return Ok(None);
    }
    let secret = TotpSecret::from_base32(&account.totp)
        .with_context(|| format!("{}: the TOTP secret is not base32", account.username))?;
    let r = sources
        .http()
        .post(format!("{}/api/staff/login", target.officer_url))
        .header("origin", &target.officer_url)
        .json(&json!({
            "username": account.username,
            "password": account.password,
            "code": secret.code_at(now_secs()),
        }))
        .send()
        .await
        .context("POST /api/staff/login")?;
    if !r.status().is_success() {
        let status = r.status();
        let body = r.text().await.unwrap_or_default();
        bail!("login {}: {status} {body}", account.username);
    }
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next().map(str::to_string))
        .context("no session cookie")?;
    Ok(Some(cookie))
}

/// An officer's socket after `welcome`.
pub async fn officer_socket(
    target: &Target,
    sources: &Sources,
    cookie: Option<&str>,
) -> anyhow::Result<Socket> {
    let mut ws = sources
        .connect(&target.officer_url, "/ws/staff", cookie)
        .await?;
    wait_for(&mut ws, "welcome").await?;
    Ok(ws)
}
