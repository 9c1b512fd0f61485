//! The message writer's failures, as only the SQLite backend can provoke them.

use ecoute_domain::{Actor, ClientMessageId, ConversationId, Departement, Intake, ReporterKind};
use ecoute_store::{NewConversation, NewMessage, Store, StoreError};
use ecoute_store_sqlite::SqliteStore;
use time::OffsetDateTime;

fn message(conversation: ConversationId, client_id: &str) -> NewMessage {
    NewMessage {
        conversation,
        actor: Actor::Visitor,
        client_id: ClientMessageId::parse(client_id).unwrap(),
        seal: Box::new(|_| vec![7; 40]),
        now: OffsetDateTime::now_utc(),
        visitor_token: None,
    }
}

/// A new chat, waiting for an officer.
async fn waiting_chat(store: &SqliteStore) -> ConversationId {
    let now = OffsetDateTime::now_utc();
    let id = ConversationId::new();
    store
        .create_conversation(NewConversation {
            id,
            token_hash: [9; 32],
            intake: Intake::new(ReporterKind::Victim, false, Departement::parse("75")),
            wrapped_key: vec![1; 72],
            key_version: 1,
            created_at: now,
            force: None,
            proposed_unit: None,
            open_to_all_at: now,
            return_code: None,
        })
        .await
        .unwrap();
    id
}

/// A row that SQLite refuses (here a sequence number taken behind the writer's back) ends the
/// whole batch's transaction: no message of it is said to be written, nothing of it is kept,
/// and the writer goes on with the next batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_row_fails_its_batch_without_a_trace_and_the_writer_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let id = waiting_chat(&store).await;
    let first = store.append_message(message(id, "a")).await.unwrap();
    assert_eq!(first.found().unwrap().unwrap().seq, 1);

    // The next message would be number 2: take it from another connection.
    let db = rusqlite::Connection::open(dir.path().join("ecoute.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    db.execute(
        "INSERT INTO messages (conversation_id, seq, author, client_id, body, sent_at) \
         VALUES (?1, 2, 'visitor', 'intruder', x'00', 0)",
        [id.to_string()],
    )
    .unwrap();
    let refused = store
        .append_messages(vec![message(id, "b"), message(id, "c")])
        .await;
    assert_eq!(refused.len(), 2);
    for answer in &refused {
        assert!(
            matches!(answer, Err(StoreError::Unavailable(_))),
            "{answer:?}"
        );
    }
    let kept: Vec<String> = db
        .prepare("SELECT client_id FROM messages WHERE conversation_id = ?1 ORDER BY seq")
        .unwrap()
        .query_map([id.to_string()], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        kept,
        ["a", "intruder"],
        "nothing of the failed batch is kept"
    );

    // Its clients send again; once the way is clear, the writer writes them.
    db.execute("DELETE FROM messages WHERE client_id = 'intruder'", [])
        .unwrap();
    let again = store.append_message(message(id, "b")).await.unwrap();
    assert_eq!(again.found().unwrap().unwrap().seq, 2);
    let last_seq: i64 = db
        .query_row(
            "SELECT last_seq FROM conversations WHERE id = ?1",
            [id.to_string()],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(last_seq, 2);
}

/// The nice value of a thread, from its directory in `/proc`.
#[cfg(target_os = "linux")]
fn nice_at(task: &std::path::Path) -> i32 {
    let stat = std::fs::read_to_string(task.join("stat")).unwrap();
    // After the command's closing parenthesis: the state is field 3, the nice value field 19.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    fields[19 - 3].parse().unwrap()
}

/// The nice value of this process's thread called `name`.
#[cfg(target_os = "linux")]
fn nice_of_thread(name: &str) -> Option<i32> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .map(|task| task.unwrap().path())
        // A thread may end between the listing and the reading: skip it.
        .find(|task| {
            std::fs::read_to_string(task.join("comm")).is_ok_and(|comm| comm.trim() == name)
        })
        .map(|task| nice_at(&task))
}

/// Every message waits for the writer's one thread: when this process may (root,
/// `CAP_SYS_NICE`, a nice limit), that thread runs ahead of the others; when it may not, the
/// store still works.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_thread_runs_ahead_of_the_others_when_the_system_allows_it() {
    // The nice value this process runs at (threads start with their creator's), and whether it
    // may take the writer's, tried on a thread of its own.
    let inherited = nice_at(std::path::Path::new("/proc/thread-self"));
    let allowed = std::thread::spawn(|| unsafe {
        let thread = libc::gettid() as libc::id_t;
        libc::setpriority(
            libc::PRIO_PROCESS,
            thread,
            ecoute_store_sqlite::APPENDER_NICE,
        ) == 0
    })
    .join()
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let id = waiting_chat(&store).await;
    let written = store.append_message(message(id, "a")).await.unwrap();
    assert_eq!(written.found().unwrap().unwrap().seq, 1);
    let nice = nice_of_thread("ecoute-appender").expect("the writer's thread");
    let expected = if allowed {
        ecoute_store_sqlite::APPENDER_NICE
    } else {
        inherited
    };
    assert_eq!(nice, expected, "allowed to lower nice values: {allowed}");
    // The rest of the process keeps its own.
    assert_eq!(
        nice_at(std::path::Path::new("/proc/thread-self")),
        inherited
    );
}

/// A message whose sealer, called when its batch is written, first says so on `entered`, then
/// waits until `gate` opens: the writer is held inside that batch meanwhile.
fn held_message(
    conversation: ConversationId,
    client_id: &str,
    entered: tokio::sync::mpsc::UnboundedSender<()>,
    gate: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
) -> NewMessage {
    NewMessage {
        seal: Box::new(move |_| {
            let _ = entered.send(());
            let _ = gate.lock().unwrap().recv();
            vec![7; 40]
        }),
        ..message(conversation, client_id)
    }
}

/// Thirty visitors write while the writer is busy with a batch: everything that arrived
/// meanwhile is written together, in one more batch, however many there are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_arriving_during_a_commit_are_written_together_in_the_next_batch() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(SqliteStore::open(dir.path()).await.unwrap());
    let id = waiting_chat(&store).await;
    let first = store.append_message(message(id, "first")).await.unwrap();
    assert!(first.done().is_some());
    let (entered, mut is_in) = tokio::sync::mpsc::unbounded_channel();
    let (open, gate) = std::sync::mpsc::channel();
    let held = {
        let store = store.clone();
        let held = held_message(id, "held", entered, std::sync::Mutex::new(gate));
        tokio::spawn(async move { store.append_message(held).await })
    };
    is_in.recv().await.expect("the writer is in the held batch");
    let before = store.message_batches();
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.append_message(message(id, &format!("m{i}"))).await
        }));
    }
    // Every one of them is waiting for the writer well before it is let go.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(tasks.iter().all(|t| !t.is_finished()));
    open.send(()).unwrap();
    assert_eq!(held.await.unwrap().unwrap().done().unwrap().seq, 2);
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().unwrap().done().unwrap().seq);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (3..=32).collect::<Vec<_>>());
    assert_eq!(
        store.message_batches() - before,
        2,
        "the held batch, then the thirty messages together"
    );
}

/// A message on a quiet server is written at once, even right after another commit: the
/// writer never waits for more messages to come (no spacing between commits). Each of forty
/// messages, sent one after the other, is its own batch; the time from its sending to the
/// start of its batch (when its sealer is called) is, at least once, far under a millisecond;
/// a writer that spaced its commits 2 ms apart would have made every one wait over 1.5 ms
/// (the database is in memory-backed storage when there is some, so that commits are quick).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_message_is_written_at_once_even_right_after_a_commit() {
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let id = waiting_chat(&store).await;
    let first = store.append_message(message(id, "first")).await.unwrap();
    assert!(first.done().is_some());
    let before = store.message_batches();
    let mut quickest = std::time::Duration::MAX;
    for i in 0..40 {
        let sealed_at = std::sync::Arc::new(std::sync::Mutex::new(None));
        let at = sealed_at.clone();
        let sent = std::time::Instant::now();
        let appended = store
            .append_message(NewMessage {
                seal: Box::new(move |_| {
                    *at.lock().unwrap() = Some(std::time::Instant::now());
                    vec![7; 40]
                }),
                ..message(id, &format!("m{i}"))
            })
            .await
            .unwrap();
        assert!(appended.done().is_some());
        let started = sealed_at.lock().unwrap().expect("sealed in its batch");
        quickest = quickest.min(started.duration_since(sent));
    }
    assert_eq!(store.message_batches() - before, 40, "each message alone");
    assert!(
        quickest < std::time::Duration::from_millis(1),
        "the quickest message waited {quickest:?} for its batch to start"
    );
}
