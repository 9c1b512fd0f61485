//! WebSocket sessions. Each socket is one task that owns its connection and selects over
//! the client's frames, the bus and the queue; the database is the truth it resyncs from.

pub mod delivery;
pub mod frames;
pub mod pace;
pub mod staff;
pub mod visitor;
pub mod writer;

use crate::error::ApiError;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use frames::ErrorOut;
use serde::Serialize;
use std::time::Duration;
use tokio::time::Instant;

/// Largest frame or message accepted from a client.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// What the WebSocket layer itself reads before giving up. Frames between the two limits
/// are read whole and refused with `frame_too_large` and close 1009, cleanly; larger ones
/// make the library drop the connection at once, without reading them.
pub const MAX_WIRE_BYTES: usize = 256 * 1024;
/// A socket silent this long is closed (clients ping every 25 s).
pub const IDLE_LIMIT: Duration = Duration::from_secs(60);
/// The visitor must say `hello` within this time.
pub const HELLO_LIMIT: Duration = Duration::from_secs(10);

/// Close code: policy violation (authentication refused or revoked).
pub const CLOSE_POLICY: u16 = 1008;
/// Close code: message too big.
pub const CLOSE_TOO_BIG: u16 = 1009;
/// Close code: a text frame that is not UTF-8.
pub const CLOSE_INVALID_DATA: u16 = 1007;
/// A client that does not read for this long is dropped, so a stuck peer cannot hold a session.
pub const SEND_LIMIT: Duration = Duration::from_secs(10);
/// Close code: normal.
pub const CLOSE_NORMAL: u16 = 1000;
/// Close code: the server is restarting; reconnect, maybe elsewhere.
pub const CLOSE_RESTART: u16 = 1012;

/// What came in from the client.
pub enum Incoming {
    /// A text frame.
    Text(String),
    /// A binary frame, which the protocol does not use.
    Binary,
    /// A frame over [`MAX_FRAME_BYTES`].
    TooLarge,
    /// The client left or the connection broke.
    Gone,
}

/// What a socket may send: a whole frame of one side's protocol, never a part of one (an
/// `ErrorOut` alone would reach the client without its `type`).
pub trait OutFrame: Serialize {}
impl OutFrame for frames::VisitorOut {}
impl OutFrame for frames::StaffOut {}

/// A socket with the small vocabulary every session needs.
pub struct Conn {
    socket: WebSocket,
    open: bool,
    pace: pace::Pace,
}

impl Conn {
    /// Wraps an upgraded socket that may send `messages_per_minute` messages a minute, and
    /// other frames on an allowance of their own ([`pace`]).
    pub fn new(socket: WebSocket, messages_per_minute: u32) -> Self {
        Self {
            socket,
            open: true,
            pace: pace::Pace::new(messages_per_minute),
        }
    }

    /// Counts a frame against its allowance: `Err` with how long to wait when the client
    /// sends faster than allowed; the frame is then refused with `rate_limited` and not acted
    /// on (a resend after that wait is welcome).
    pub fn pace(&self, kind: pace::FrameKind) -> Result<(), Duration> {
        self.pace.take(kind)
    }

    /// The next frame that matters (pings and pongs are answered by the library).
    pub async fn recv(&mut self) -> Incoming {
        loop {
            match self.socket.recv().await {
                Some(Ok(Message::Text(t))) if t.len() > MAX_FRAME_BYTES => {
                    return Incoming::TooLarge;
                }
                Some(Ok(Message::Text(t))) => return Incoming::Text(t.as_str().to_owned()),
                Some(Ok(Message::Binary(b))) if b.len() > MAX_FRAME_BYTES => {
                    return Incoming::TooLarge;
                }
                Some(Ok(Message::Binary(_))) => return Incoming::Binary,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Close(_))) | None => {
                    self.open = false;
                    return Incoming::Gone;
                }
                Some(Err(e)) => {
                    // A text frame that is not UTF-8 is a protocol error the peer must hear
                    // about as 1007 (RFC 6455 §8.1); the library reports it without closing.
                    if e.to_string().to_ascii_lowercase().contains("utf-8") {
                        self.close(CLOSE_INVALID_DATA, "invalid_utf8").await;
                    }
                    tracing::debug!(error = %e, "socket error");
                    self.open = false;
                    return Incoming::Gone;
                }
            }
        }
    }

    /// Sends one JSON frame; `false` when the client is gone.
    pub async fn send<T: OutFrame>(&mut self, frame: &T) -> bool {
        if !self.open {
            return false;
        }
        let text = match serde_json::to_string(frame) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "cannot encode a frame");
                return true;
            }
        };
        let sent = tokio::time::timeout(SEND_LIMIT, self.socket.send(Message::Text(text.into())));
        if !matches!(sent.await, Ok(Ok(()))) {
            self.open = false;
        }
        self.open
    }

    /// Closes with a code and a short reason (the error code).
    pub async fn close(&mut self, code: u16, reason: &'static str) {
        if self.open {
            let frame = Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            }));
            let _ = tokio::time::timeout(SEND_LIMIT, self.socket.send(frame)).await;
            self.open = false;
        }
    }

    /// Whether the client is still there.
    pub fn is_open(&self) -> bool {
        self.open
    }
}

/// An error frame's content.
pub fn error_out(code: &'static str, message: impl Into<String>) -> ErrorOut {
    crate::metrics::error(code);
    ErrorOut {
        code,
        message: message.into(),
        conversation_id: None,
        client_id: None,
        frame: None,
        retry_after_ms: None,
    }
}

/// How long a client waits before sending again a frame refused as `unavailable`.
pub const UNAVAILABLE_RETRY_MS: u64 = 1000;

/// The refusal of a frame sent faster than allowed.
pub fn rate_limited(wait: Duration) -> ErrorOut {
    let mut e = error_out(
        "rate_limited",
        "sent faster than allowed; send the same frame again after retry_after_ms",
    );
    e.retry_after_ms = Some(pace::retry_after_ms(wait));
    e
}

/// The refusal of a message sent while an earlier refused one of the same conversation has
/// not come again (PROTOCOL.md §4).
pub fn out_of_order(client_id: String, waiting_for: pace::OutOfOrder) -> ErrorOut {
    let mut e = error_out(
        "out_of_order",
        format!(
            "message {} was refused and must be sent again before any later one",
            waiting_for.waiting_for
        ),
    );
    e.client_id = Some(client_id);
    e
}

/// An error frame from an [`ApiError`].
pub fn api_error_out(e: &ApiError) -> ErrorOut {
    let mut out = error_out(e.code(), e.to_string());
    out.retry_after_ms = match e {
        ApiError::Unavailable => Some(UNAVAILABLE_RETRY_MS),
        ApiError::Overloaded { retry_after_ms } => Some(*retry_after_ms),
        _ => None,
    };
    out
}

/// The error frame for a frame that could not be decoded.
pub fn bad_frame(e: &serde_json::Error) -> ErrorOut {
    error_out("bad_frame", format!("this frame is not understood: {e}"))
}

/// What woke a session among the things every session waits on.
pub enum Wake {
    /// A text frame to act on.
    Frame(String),
    /// A frame the socket layer answered itself (a binary one): the client is alive.
    Answered,
    /// The writer is done with a message.
    Written(writer::Outcome),
    /// The session is over: the server is stopping (the client was told to reconnect), the
    /// client left, or it sent a frame too large and was closed.
    Over,
}

/// What a socket session does with what [`wake`] brings.
pub trait Answers {
    /// Acts on a client's text frame; `false` ends the session.
    fn frame(&mut self, text: &str) -> impl Future<Output = bool> + Send;
    /// Answers a message the writer is done with; `false` ends the session.
    fn written(&mut self, outcome: writer::Outcome) -> impl Future<Output = bool> + Send;
}

/// Acts on what woke a session; `false` ends it. Anything from the client pushes the idle
/// deadline back.
pub async fn on_wake(session: &mut impl Answers, wake: Wake, deadline: &mut Instant) -> bool {
    match wake {
        Wake::Frame(text) => {
            *deadline = Instant::now() + IDLE_LIMIT;
            session.frame(&text).await
        }
        Wake::Answered => {
            *deadline = Instant::now() + IDLE_LIMIT;
            true
        }
        Wake::Written(outcome) => session.written(outcome).await,
        Wake::Over => false,
    }
}

/// Waits on what every socket session shares, in this order: the server stopping, the
/// client's next frame, the session's writer. Frames the protocol does not accept are answered
/// here, with `error` wrapping the refusal in the session's own frame type.
pub async fn wake<F: OutFrame>(
    stopping: &mut tokio::sync::watch::Receiver<bool>,
    conn: &mut Conn,
    writer: &mut writer::Writer,
    error: fn(ErrorOut) -> F,
) -> Wake {
    tokio::select! {
        biased;
        // The guard `wait_for` returns is dropped at once: it may not be held across an await.
        () = async { let _ = stopping.wait_for(|stop| *stop).await; } => {
            conn.close(CLOSE_RESTART, "restarting").await;
            Wake::Over
        }
        incoming = conn.recv() => match incoming {
            Incoming::Text(text) => Wake::Frame(text),
            Incoming::Binary => {
                conn.send(&error(error_out("binary_not_supported", "frames are JSON text")))
                    .await;
                Wake::Answered
            }
            Incoming::TooLarge => {
                conn.send(&error(error_out("frame_too_large", "frame over 64 KiB")))
                    .await;
                conn.close(CLOSE_TOO_BIG, "frame_too_large").await;
                Wake::Over
            }
            Incoming::Gone => Wake::Over,
        },
        outcome = writer.next() => outcome.map_or(Wake::Over, Wake::Written),
    }
}
