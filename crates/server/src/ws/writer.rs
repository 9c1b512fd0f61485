//! A session's messages are written by a task of their own, in the order they were sent.
//!
//! Writing waits for the commit to reach the disk (a few milliseconds, more under load).
//! Meanwhile the session must go on delivering what the other side writes: a session that
//! waited for its own commits held up every message for it behind them (docs/PERFORMANCE.md).
//! The session hands each message over and receives its outcome later, as a frame to send.
//! The messages handed over while earlier ones were being written go to the store together,
//! in order, and share a commit.

use crate::chat::{ChatService, Draft, Written};
use crate::error::ApiError;
use ecoute_domain::ConversationId;
use ecoute_store::Appended;
use tokio::sync::mpsc;

/// Messages waiting for their writer, at most; beyond, the session waits (back pressure).
const QUEUED: usize = 64;

/// One message to write.
pub type Job = Draft;

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
            let mut jobs = Vec::with_capacity(QUEUED);
            // Everything the session handed over meanwhile is written together, in order:
            // a console writing in twenty chats does not wait for one commit per message.
            while queue.recv_many(&mut jobs, QUEUED).await > 0 {
                for (outcome, written) in write_all(&chat, std::mem::take(&mut jobs)).await {
                    // The sender's ack goes first; then the message goes out to everyone,
                    // the sender's other devices and consoles included.
                    let gone = report.send(outcome).is_err();
                    if let Some(w) = written {
                        chat.announce_written(w).await;
                    }
                    if gone {
                        // The session is over: what is still queued is dropped unwritten,
                        // and its sender (who never got an ack) sends it again.
                        return;
                    }
                }
            }
        });
        Running { jobs, done }
    }
}

async fn write_all(chat: &ChatService, jobs: Vec<Job>) -> Vec<(Outcome, Option<Written>)> {
    let about: Vec<_> = jobs
        .iter()
        .map(|j| {
            (
                j.conversation,
                j.client_id.as_str().to_string(),
                j.token_hash.is_some(),
            )
        })
        .collect();
    let answers = chat.append_all(jobs).await;
    answers
        .into_iter()
        .zip(about)
        .map(
            |(answer, (conversation, client_id, visitor))| match answer {
                Ok(Some((appended, written))) => (
                    Outcome::Written {
                        conversation,
                        client_id,
                        appended,
                    },
                    Some(written),
                ),
                // The visitor's token was revoked or replaced: this device writes nothing more.
                Ok(None) if visitor => (Outcome::TokenGone, None),
                Ok(None) => (
                    Outcome::Refused {
                        conversation,
                        client_id,
                        error: ApiError::NotFound,
                    },
                    None,
                ),
                Err(error) => (
                    Outcome::Refused {
                        conversation,
                        client_id,
                        error,
                    },
                    None,
                ),
            },
        )
        .collect()
}
