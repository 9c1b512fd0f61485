//! A session's messages are written by a task of their own, in the order they were sent.
//!
//! Writing waits for the commit to reach the disk (a few milliseconds, more under load).
//! Meanwhile the session must go on delivering what the other side writes: a session that
//! waited for its own commits held up every message for it behind them (docs/PERFORMANCE.md).
//! The session hands each message over and receives its outcome later, as a frame to send.
//! The messages handed over while earlier ones were being written go to the store together,
//! in order, and share a commit.

use crate::error::ApiError;
use crate::service::gate::Permit;
use crate::service::{ChatService, Draft, Written};
use ecoute_domain::ConversationId;
use ecoute_store::Appended;
use tokio::sync::mpsc;

/// Messages waiting for their writer, at most; beyond, the session waits (back pressure).
const QUEUED: usize = 64;

/// One message to write, and its place among the messages in flight (`service/gate.rs`),
/// given back once its sender has the outcome.
pub struct Job {
    pub draft: Draft,
    pub permit: Permit,
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
            let mut jobs = Vec::with_capacity(QUEUED);
            // Everything the session handed over meanwhile is written together, in order:
            // a console writing in twenty chats does not wait for one commit per message.
            while queue.recv_many(&mut jobs, QUEUED).await > 0 {
                let mut gone = false;
                for (outcome, written, permit) in write_all(&chat, std::mem::take(&mut jobs)).await
                {
                    // The sender's ack goes first; then the message goes out to everyone,
                    // the sender's other devices and consoles included.
                    gone = gone || report.send(outcome).is_err();
                    // Answered: it no longer counts as in flight.
                    drop(permit);
                    // Stored is announced, even once the sender's session is over: the other
                    // side must see it, and the risk rules must read it (a resend would be a
                    // duplicate, which they skip).
                    if let Some(w) = written {
                        chat.announce_written(w).await;
                    }
                }
                if gone {
                    // The session is over: what it handed over after this batch is dropped
                    // unwritten, and its sender (who never got an ack) sends it again.
                    return;
                }
            }
        });
        Running { jobs, done }
    }
}

async fn write_all(chat: &ChatService, jobs: Vec<Job>) -> Vec<(Outcome, Option<Written>, Permit)> {
    let mut drafts = Vec::with_capacity(jobs.len());
    let mut about = Vec::with_capacity(jobs.len());
    for Job { draft, permit } in jobs {
        about.push((
            draft.conversation,
            draft.client_id.as_str().to_string(),
            draft.token_hash.is_some(),
            permit,
        ));
        drafts.push(draft);
    }
    let answers = chat.append_all(drafts).await;
    answers
        .into_iter()
        .zip(about)
        .map(|(answer, (conversation, client_id, visitor, permit))| {
            let (outcome, written) = match answer {
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
            };
            (outcome, written, permit)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::LiveKeys;
    use crate::risk::RiskRules;
    use ecoute_bus::{BusEvent, LocalBus, Topic};
    use ecoute_crypto::{DataKey, KeyFiles};
    use ecoute_domain::{Actor, ClientMessageId, Departement, Intake, MessageBody, ReporterKind};
    use ecoute_store::{NewConversation, Store};
    use std::sync::Arc;
    use std::time::Duration;

    /// A session that ends while its messages are being written: every message its batch
    /// stored is still announced (the other side sees it, the risk rules read it), not only the
    /// first one.
    #[tokio::test]
    async fn every_message_stored_after_its_session_ended_is_announced() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(
            ecoute_store_sqlite::SqliteStore::open(dir.path())
                .await
                .unwrap(),
        );
        let keys = LiveKeys::open(KeyFiles::new(dir.path().join("master.key"))).unwrap();
        let bus = LocalBus::new();
        let chat = ChatService::new(
            store.clone(),
            bus.clone(),
            keys.clone(),
            RiskRules::built_in(),
            Duration::from_secs(60),
            crate::codes::ReadyCodes::none(),
        );
        let id = ConversationId::new();
        let key = DataKey::generate();
        let wrapped = keys.wrap(&key, id.0);
        let now = time::OffsetDateTime::now_utc();
        store
            .create_conversation(NewConversation {
                id,
                token_hash: [1; 32],
                intake: Intake::new(ReporterKind::Victim, false, Departement::parse("75")),
                wrapped_key: wrapped.bytes,
                key_version: wrapped.version,
                created_at: now,
                force: None,
                proposed_unit: None,
                open_to_all_at: now,
                return_code: None,
            })
            .await
            .unwrap();
        let mut heard = bus.subscribe(Topic::Conversation(id));

        let mut writer = Writer::new(chat.clone());
        for i in 0..3 {
            let job = Job {
                draft: crate::service::Draft {
                    conversation: id,
                    key: key.clone(),
                    actor: Actor::Visitor,
                    client_id: ClientMessageId::parse(&format!("m{i}")).unwrap(),
                    body: MessageBody::parse(format!("message {i}")).unwrap(),
                    token_hash: Some([1; 32]),
                },
                permit: chat.admit_message().unwrap(),
            };
            assert!(writer.submit(job).await);
        }
        // The session is gone before its writer ran (one thread: it runs at the next await),
        // so nobody reads the outcomes of the three messages written together.
        drop(writer);

        let mut announced = Vec::new();
        while announced.len() < 3 {
            let event = tokio::time::timeout(Duration::from_secs(5), heard.recv())
                .await
                .expect("every stored message is announced")
                .unwrap();
            if let BusEvent::Message(m) = &*event {
                announced.push(m.seq);
            }
        }
        assert_eq!(announced, vec![1, 2, 3]);
        assert_eq!(store.messages_after(id, 0, 10).await.unwrap().len(), 3);
    }
}
