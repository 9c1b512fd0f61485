//! A session's messages are written by a task of their own, in the order they were sent.
//!
//! Writing waits for the commit to reach the disk (a few milliseconds, more under load).
//! Meanwhile the session must go on delivering what the other side writes: a session that
//! waited for its own commits held up every message for it behind them (docs/PERFORMANCE.md).
//! The session hands each message over and receives its outcome later, as a frame to send.

use crate::chat::{ChatService, Written};
use crate::error::ApiError;
use ecoute_crypto::DataKey;
use ecoute_domain::{Actor, ClientMessageId, ConversationId, MessageBody};
use ecoute_store::Appended;
use tokio::sync::mpsc;

/// Messages waiting for their writer, at most; beyond, the session waits (back pressure).
const QUEUED: usize = 64;

/// One message to write.
pub struct Job {
    pub conversation: ConversationId,
    pub key: DataKey,
    pub actor: Actor,
    pub client_id: ClientMessageId,
    pub body: MessageBody,
    /// A visitor's token: checked in the transaction that writes (a device whose token was
    /// revoked or replaced by a return code writes nothing more).
    pub token_hash: Option<[u8; 32]>,
}

/// What became of a message.
pub enum Outcome {
    Written {
        conversation: ConversationId,
        client_id: String,
        appended: Appended,
    },
    Refused {
        conversation: ConversationId,
        client_id: String,
        error: ApiError,
    },
    /// The visitor's token no longer opens this conversation.
    TokenGone,
}

/// The session's side of its writer.
///
/// Jobs are bounded (a client sending faster than its messages commit is held back); outcomes
/// are not, so that the writer never waits for the session: a session waiting to hand over a
/// job while the writer waited to hand back an outcome would wait forever.
///
/// The task and its channels are made at the first message: most visitor sockets are people
/// waiting or reading, and an idle connection should cost as little memory as possible.
pub struct Writer {
    chat: ChatService,
    running: Option<Running>,
}

struct Running {
    jobs: mpsc::Sender<Job>,
    /// Outcomes, in the order the messages were handed over.
    done: mpsc::UnboundedReceiver<Outcome>,
}

impl Writer {
    /// A writer for one session; nothing runs until its first message.
    pub fn new(chat: ChatService) -> Writer {
        Writer {
            chat,
            running: None,
        }
    }

    /// The next outcome; never ready before the first message.
    pub async fn next(&mut self) -> Option<Outcome> {
        match &mut self.running {
            Some(running) => running.done.recv().await,
            None => std::future::pending().await,
        }
    }

    /// Hands a message over; `false` when the writer is gone.
    pub async fn submit(&mut self, job: Job) -> bool {
        let chat = &self.chat;
        let running = self.running.get_or_insert_with(|| spawn(chat.clone()));
        running.jobs.send(job).await.is_ok()
    }
}

fn spawn(chat: ChatService) -> Running {
    {
        let (jobs, mut queue) = mpsc::channel::<Job>(QUEUED);
        let (report, done) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(job) = queue.recv().await {
                let (outcome, written) = write(&chat, job).await;
                // The sender's ack goes first; then the message goes out to everyone, the
                // sender's other devices and consoles included.
                let gone = report.send(outcome).is_err();
                if let Some(w) = written {
                    chat.announce_written(w).await;
                }
                if gone {
                    // The session is over: what is still queued is dropped unwritten, and
                    // its sender (who never got an ack) sends it again.
                    return;
                }
            }
        });
        Running { jobs, done }
    }
}

async fn write(chat: &ChatService, job: Job) -> (Outcome, Option<Written>) {
    let client_id = job.client_id.as_str().to_string();
    let written = chat
        .append(
            job.conversation,
            job.key,
            job.actor,
            &job.client_id,
            &job.body,
            job.token_hash,
        )
        .await;
    match written {
        Ok(Some((appended, written))) => (
            Outcome::Written {
                conversation: job.conversation,
                client_id,
                appended,
            },
            Some(written),
        ),
        // The visitor's token was revoked or replaced: this device writes nothing more.
        Ok(None) if job.token_hash.is_some() => (Outcome::TokenGone, None),
        Ok(None) => (
            Outcome::Refused {
                conversation: job.conversation,
                client_id,
                error: ApiError::NotFound,
            },
            None,
        ),
        Err(error) => (
            Outcome::Refused {
                conversation: job.conversation,
                client_id,
                error,
            },
            None,
        ),
    }
}
