//! A bare WebSocket relay speaking the part of Écoute's protocol the generator uses: hello and
//! welcome, claim and claimed, send, ack and message, marks, ping and pong. No database, no
//! encryption, no routing rules, no durability: the ceiling a server on this machine could
//! reach with the same frames, measured in the same run as the real server.

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

type Tx = mpsc::UnboundedSender<Message>;

#[derive(Default)]
struct Chat {
    visitor: Option<Tx>,
    officer: Option<Tx>,
    seq: u64,
}

#[derive(Default)]
struct Relay {
    chats: Mutex<HashMap<String, Chat>>,
}

#[derive(Deserialize)]
struct In {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    conversation_id: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    received_seq: u64,
    #[serde(default)]
    read_seq: u64,
}

/// Listens on `url`'s host and port (port 0: any free one); returns the address bound.
pub async fn spawn(url: &str) -> anyhow::Result<SocketAddr> {
    let host = url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(url)
        .trim_end_matches('/');
    let listener = TcpListener::bind(host)
        .await
        .with_context(|| format!("the relay cannot listen on {host}"))?;
    let addr = listener.local_addr()?;
    let relay = Arc::new(Relay::default());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let relay = relay.clone();
            tokio::spawn(async move {
                let _ = serve(relay, stream).await;
            });
        }
    });
    Ok(addr)
}

// The handshake callback's type is tungstenite's; its error is a whole HTTP response.
#[allow(clippy::result_large_err)]
async fn serve(relay: Arc<Relay>, stream: TcpStream) -> anyhow::Result<()> {
    stream.set_nodelay(true)?;
    let mut path = String::new();
    let ws = tokio_tungstenite::accept_hdr_async(
        stream,
        |req: &tokio_tungstenite::tungstenite::handshake::server::Request, resp| {
            path = req.uri().path().to_string();
            Ok(resp)
        },
    )
    .await?;
    let officer = path == "/ws/staff";
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            if sink.send(m).await.is_err() {
                break;
            }
        }
    });
    if officer {
        let _ = tx.send(Message::text(r#"{"type":"welcome","chats":[]}"#));
    }
    let mut mine: Option<String> = None;
    while let Some(Ok(msg)) = stream.next().await {
        let Message::Text(text) = msg else { continue };
        let Ok(frame) = serde_json::from_str::<In>(&text) else {
            continue;
        };
        match frame.kind.as_str() {
            "hello" => {
                let id = frame.token.unwrap_or_default();
                relay
                    .chats
                    .lock()
                    .expect("chats")
                    .entry(id.clone())
                    .or_default()
                    .visitor = Some(tx.clone());
                let _ = tx.send(Message::text(format!(
                    r#"{{"type":"welcome","conversation_id":{},"state":"waiting","last_seq":0}}"#,
                    serde_json::to_string(&id)?
                )));
                mine = Some(id);
            }
            "claim" => {
                let id = frame.conversation_id.unwrap_or_default();
                relay
                    .chats
                    .lock()
                    .expect("chats")
                    .entry(id.clone())
                    .or_default()
                    .officer = Some(tx.clone());
                let _ = tx.send(Message::text(format!(
                    r#"{{"type":"claimed","chat":{{"conversation_id":{}}}}}"#,
                    serde_json::to_string(&id)?
                )));
            }
            "send" => {
                let id = if officer {
                    frame.conversation_id.unwrap_or_default()
                } else {
                    mine.clone().unwrap_or_default()
                };
                let client_id = serde_json::to_string(&frame.client_id.unwrap_or_default())?;
                let body = serde_json::to_string(&frame.body.unwrap_or_default())?;
                let author = if officer { "officer" } else { "visitor" };
                let (seq, other) = {
                    let mut chats = relay.chats.lock().expect("chats");
                    let chat = chats.entry(id.clone()).or_default();
                    chat.seq += 1;
                    let other = if officer {
                        chat.visitor.clone()
                    } else {
                        chat.officer.clone()
                    };
                    (chat.seq, other)
                };
                let id = serde_json::to_string(&id)?;
                let _ = tx.send(Message::text(format!(
                    r#"{{"type":"ack","conversation_id":{id},"client_id":{client_id},"seq":{seq}}}"#
                )));
                if let Some(other) = other {
                    let _ = other.send(Message::text(format!(
                        r#"{{"type":"message","conversation_id":{id},"seq":{seq},"author":"{author}","client_id":{client_id},"body":{body}}}"#
                    )));
                }
            }
            // Receipts go to the other side, as the server's do.
            "marks" => {
                let id = if officer {
                    frame.conversation_id.unwrap_or_default()
                } else {
                    mine.clone().unwrap_or_default()
                };
                let other = {
                    let chats = relay.chats.lock().expect("chats");
                    chats.get(&id).and_then(|chat| {
                        if officer {
                            chat.visitor.clone()
                        } else {
                            chat.officer.clone()
                        }
                    })
                };
                if let Some(other) = other {
                    let _ = other.send(Message::text(format!(
                        r#"{{"type":"marks","conversation_id":{},"received_seq":{},"read_seq":{}}}"#,
                        serde_json::to_string(&id)?,
                        frame.received_seq,
                        frame.read_seq
                    )));
                }
            }
            "ping" => {
                let _ = tx.send(Message::text(r#"{"type":"pong"}"#));
            }
            _ => {}
        }
    }
    drop(tx);
    let _ = writer.await;
    Ok(())
}
