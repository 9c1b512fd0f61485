//! Retention on the real server and the real binary: `ecoute purge --dry-run` changes nothing,
//! `ecoute purge` and the automatic job delete what is past its period (rows and wrapped
//! keys, down to the bytes of the database files) and nothing else.

use crate::helpers::{TestApp, Ws, database, spawn_app_configured};
use ecoute_crypto::{KeyFiles, WrappedKey};
use ecoute_domain::ConversationId;
use ecoute_store::Store;
use serde_json::json;
use sqlx::SqlitePool;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const DAY_MS: i64 = 86_400_000;

/// One chat of the fixture, with what it left in the database.
struct Chat {
    id: ConversationId,
    /// The visitor's message, in plain text.
    canary: String,
    /// The data key, wrapped, as stored in the conversation's row.
    wrapped_key: Vec<u8>,
    /// Every message body as stored: nonce, ciphertext and tag.
    sealed_bodies: Vec<Vec<u8>>,
}

/// The fixture: four chats with messages, two of them past their retention period, on a
/// server that has been stopped so that nothing else touches the files.
struct Aged {
    app: TestApp,
    db: SqlitePool,
    /// Closed as information given 400 days ago: past the default year.
    old_information: Chat,
    /// Closed as report forwarded 400 days ago: kept six years.
    old_forwarded: Chat,
    /// Never claimed, created 400 days ago: past the year for chats never closed.
    old_waiting: Chat,
    /// Closed as information given today.
    recent: Chat,
}

/// A visitor writes `canary`; unless `outcome` is `None` (left waiting), an officer claims,
/// answers and closes with `outcome`.
async fn chat(app: &TestApp, officer: &mut Ws, canary: &str, outcome: Option<&str>) -> Chat {
    let visitor = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&visitor, 0).await;
    v.send(json!({"type": "send", "client_id": "v1", "body": canary}))
        .await;
    v.recv_type("ack").await;
    let id = visitor.conversation_id.clone();
    if let Some(outcome) = outcome {
        officer
            .send(json!({"type": "claim", "conversation_id": id}))
            .await;
        officer.recv_type("claimed").await;
        officer
            .send(
                json!({"type": "send", "conversation_id": id, "client_id": "o1",
                "body": format!("Réponse à {canary}")}),
            )
            .await;
        officer.recv_type("ack").await;
        if outcome == "report_forwarded" {
            // Forwarded with the visitor's yes, given in the chat.
            app.load_sample_units().await;
            officer
                .send(json!({"type": "ask_consent", "conversation_id": id, "unit": "bta-mende"}))
                .await;
            v.recv_type("consent").await;
            v.send(
                json!({"type": "consent_answer", "unit": "bta-mende", "yes": true,
                "do_not_contact": true}),
            )
            .await;
            while officer.recv_type("consent").await["answer"] != json!(true) {}
        }
        officer
            .send(json!({"type": "close", "conversation_id": id, "outcome": outcome}))
            .await;
        officer.recv_type("chat_closed").await;
    }
    v.close().await;
    let id: ConversationId = id.parse().unwrap();
    let stored = app.store.conversation(id).await.unwrap().unwrap();
    let sealed_bodies = app
        .store
        .messages_after(id, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.sealed_body)
        .collect();
    Chat {
        id,
        canary: canary.to_string(),
        wrapped_key: stored.wrapped_key,
        sealed_bodies,
    }
}

/// Moves every time of a conversation and its messages `days` into the past.
async fn make_older(db: &SqlitePool, id: ConversationId, days: i64) {
    let shift = days * DAY_MS;
    sqlx::query(
        "UPDATE conversations SET created_at = created_at - ?1, claimed_at = claimed_at - ?1, \
         visitor_left_at = visitor_left_at - ?1, closed_at = closed_at - ?1 WHERE id = ?2",
    )
    .bind(shift)
    .bind(id.to_string())
    .execute(db)
    .await
    .unwrap();
    sqlx::query("UPDATE messages SET sent_at = sent_at - ? WHERE conversation_id = ?")
        .bind(shift)
        .bind(id.to_string())
        .execute(db)
        .await
        .unwrap();
}

async fn aged_chats() -> Aged {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut app = spawn_app_configured(tempfile::tempdir().unwrap(), |_| {}, async move {
        let _ = stopped.await;
    })
    .await;
    let officer = app.officer("martin").await;
    let (mut o, _) = app.staff_socket(&officer).await;
    let old_information = chat(
        &app,
        &mut o,
        "CANARY-PURGE-info-1d2e",
        Some("information_given"),
    )
    .await;
    let old_forwarded = chat(
        &app,
        &mut o,
        "CANARY-PURGE-forwarded-3f4a",
        Some("report_forwarded"),
    )
    .await;
    let old_waiting = chat(&app, &mut o, "CANARY-PURGE-waiting-5b6c", None).await;
    let recent = chat(
        &app,
        &mut o,
        "CANARY-PURGE-recent-7d8e",
        Some("information_given"),
    )
    .await;
    o.close().await;
    stop.send(()).unwrap();
    (&mut app.server).await.unwrap().unwrap();

    let db = database(app.data_dir.path()).await;
    for c in [&old_information, &old_forwarded, &old_waiting] {
        make_older(&db, c.id, 400).await;
    }
    // Everything copied into the database file and the WAL emptied: the checkpointer of the
    // test's own store handle, still running, then has nothing left to change in the files
    // that the dry run must leave as they are.
    for _ in 0..50 {
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&db)
            .await
            .unwrap();
        if busy == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
    Aged {
        app,
        db,
        old_information,
        old_forwarded,
        old_waiting,
        recent,
    }
}

/// Every row of both tables, as text, to compare before and after.
async fn rows(db: &SqlitePool) -> Vec<String> {
    let conversations = sqlx::query_scalar::<_, String>(
        "SELECT id || '|' || state || '|' || IFNULL(outcome, '-') || '|' || hex(wrapped_key) \
         || '|' || key_version || '|' || last_seq || '|' || created_at || '|' \
         || IFNULL(closed_at, '-') || '|' || IFNULL(hex(token_hash), '-') \
         FROM conversations ORDER BY id",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let messages = sqlx::query_scalar::<_, String>(
        "SELECT conversation_id || '|' || seq || '|' || author || '|' || client_id || '|' \
         || hex(body) || '|' || sent_at FROM messages ORDER BY conversation_id, seq",
    )
    .fetch_all(db)
    .await
    .unwrap();
    conversations.into_iter().chain(messages).collect()
}

async fn count(db: &SqlitePool, sql: &str, id: ConversationId) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id.to_string())
        .fetch_one(db)
        .await
        .unwrap()
}

/// The bytes of the database and its WAL, as they are on disk.
fn database_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    ["ecoute.db", "ecoute.db-wal"]
        .into_iter()
        .map(|name| {
            (
                name.to_string(),
                std::fs::read(dir.join(name)).unwrap_or_default(),
            )
        })
        .collect()
}

/// The files of the data directory (database, WAL, shared memory…) holding `needle`.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            std::fs::read(p)
                .unwrap_or_default()
                .windows(needle.len())
                .any(|w| w == needle)
        })
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Runs the real binary on `dir`.
async fn ecoute(args: &[&str], dir: &Path) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_ecoute"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("ECOUTE_LOG", "warn")
        .env("NO_COLOR", "1")
        .output()
        .await
        .unwrap()
}

/// Opens every message of a conversation with the master key, as the server would.
fn read_back(dir: &Path, chat: &Chat, wrapped_key: Vec<u8>, sealed: &[Vec<u8>]) -> Vec<String> {
    let keys = KeyFiles::new(dir.join("master.key"))
        .load_or_create()
        .unwrap();
    let key = keys
        .unwrap(
            &WrappedKey {
                version: keys.current().version(),
                bytes: wrapped_key,
            },
            chat.id.0,
        )
        .unwrap();
    sealed
        .iter()
        .enumerate()
        .map(|(i, body)| {
            String::from_utf8(key.open_message(chat.id.0, i as u64 + 1, body).unwrap()).unwrap()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_dry_run_lists_what_is_past_its_retention_period_and_changes_nothing() {
    let f = aged_chats().await;
    let dir = f.app.data_dir.path();
    let rows_before = rows(&f.db).await;
    let files_before = database_files(dir);

    let out = ecoute(&["purge", "--dry-run"], dir).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let line_of = |c: &Chat| {
        stdout
            .lines()
            .find(|l| l.starts_with(&c.id.to_string()))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    assert_eq!(
        line_of(&f.old_information).as_deref(),
        Some(
            format!(
                "{} closed/information_given 400 default_days = 365, counted from closing",
                f.old_information.id
            )
            .as_str()
        ),
        "{stdout}"
    );
    assert_eq!(
        line_of(&f.old_waiting).as_deref(),
        Some(
            format!(
                "{} waiting 400 unclosed_days = 365, counted from creation",
                f.old_waiting.id
            )
            .as_str()
        ),
        "{stdout}"
    );
    assert_eq!(line_of(&f.old_forwarded), None, "kept six years: {stdout}");
    assert_eq!(line_of(&f.recent), None, "{stdout}");
    assert!(
        stdout
            .contains("would purge 2 conversations and 3 messages (dry run: nothing was changed)"),
        "{stdout}"
    );

    assert_eq!(rows(&f.db).await, rows_before, "no row changed");
    assert_eq!(
        database_files(dir),
        files_before,
        "not a byte of the database or its WAL changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_deletes_old_conversations_rows_and_wrapped_keys_down_to_the_file_bytes_and_keeps_recent_ones_readable()
 {
    let f = aged_chats().await;
    let dir = f.app.data_dir.path();
    let gone = [&f.old_information, &f.old_waiting];
    for c in gone {
        assert_eq!(
            c.sealed_bodies.len(),
            if c.id == f.old_waiting.id { 1 } else { 2 }
        );
        for needle in c.sealed_bodies.iter().chain([&c.wrapped_key]) {
            assert!(
                !files_holding(dir, needle).is_empty(),
                "before the purge, the search finds what is stored"
            );
        }
    }

    let out = ecoute(&["purge"], dir).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("purged 2 conversations and 3 messages"),
        "{stdout}"
    );
    assert!(
        stderr.contains("purged 2 conversations and 3 messages so far"),
        "progress on stderr: {stderr}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");

    for c in gone {
        let conversations = "SELECT COUNT(*) FROM conversations WHERE id = ?";
        let messages = "SELECT COUNT(*) FROM messages WHERE conversation_id = ?";
        assert_eq!(count(&f.db, conversations, c.id).await, 0);
        assert_eq!(count(&f.db, messages, c.id).await, 0);
        assert!(f.app.store.conversation(c.id).await.unwrap().is_none());
        for (what, needle) in c
            .sealed_bodies
            .iter()
            .map(|b| ("a message's ciphertext", b))
            .chain([("the wrapped data key", &c.wrapped_key)])
        {
            assert_eq!(
                files_holding(dir, needle),
                Vec::<String>::new(),
                "{what} of a purged conversation is still in the files"
            );
        }
        assert_eq!(
            files_holding(dir, c.canary.as_bytes()),
            Vec::<String>::new()
        );
    }

    for c in [&f.old_forwarded, &f.recent] {
        let stored = f.app.store.conversation(c.id).await.unwrap().unwrap();
        assert_eq!(stored.wrapped_key, c.wrapped_key);
        let sealed: Vec<_> = f
            .app
            .store
            .messages_after(c.id, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.sealed_body)
            .collect();
        assert_eq!(sealed, c.sealed_bodies);
        let plain = read_back(dir, c, stored.wrapped_key, &sealed);
        assert_eq!(plain[0], c.canary);
        assert_eq!(plain[1], format!("Réponse à {}", c.canary));
    }

    // Nothing is left to do.
    let again = ecoute(&["purge"], dir).await;
    assert!(String::from_utf8_lossy(&again.stdout).contains("purged 0 conversations"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_refuses_a_data_directory_without_a_database_instead_of_creating_one() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["purge"][..], &["purge", "--dry-run"][..]] {
        let out = ecoute(args, dir.path()).await;
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("no database"));
        assert!(!dir.path().join("ecoute.db").exists());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purge_job_runs_on_its_own_and_closes_the_socket_of_a_purged_chat() {
    let app = spawn_app_configured(
        tempfile::tempdir().unwrap(),
        |c| c.retention.purge_interval = Duration::from_secs(1),
        std::future::pending(),
    )
    .await;
    let abandoned = app.start_visitor().await;
    let (mut v, _) = app.visitor_socket(&abandoned, 0).await;
    v.send(json!({"type": "send", "client_id": "v1", "body": "Il y a quelqu'un ?"}))
        .await;
    v.recv_type("ack").await;
    let recent = app.start_visitor().await;
    let abandoned_id: ConversationId = abandoned.conversation_id.parse().unwrap();
    let recent_id: ConversationId = recent.conversation_id.parse().unwrap();

    let db = database(app.data_dir.path()).await;
    make_older(&db, abandoned_id, 366).await;

    // The job runs every second: the visitor's socket is told its token is gone, and closed.
    let error = v.recv_type("error").await;
    assert_eq!(error["code"], "invalid_token");
    assert_eq!(v.closed().await, Some(1008));
    assert!(
        app.store
            .conversation(abandoned_id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        app.store
            .messages_after(abandoned_id, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let queue: Vec<_> = app
        .store
        .waiting_queue()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(queue, vec![recent_id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_server_purges_on_its_own_and_logs_counts_never_ids_or_content() {
    let f = aged_chats().await;
    let dir = f.app.data_dir.path();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_ecoute"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("ECOUTE_RETENTION_PURGE_INTERVAL_SECS", "1")
        .env("ECOUTE_LOG", "debug")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _reap = crate::helpers::Reap(server.id());
    let logs = Arc::new(Mutex::new(String::new()));
    let (purged_tx, purged_rx) = std::sync::mpsc::channel::<()>();
    let stderr = server.stderr.take().unwrap();
    let sink = logs.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("retention purge deleted") {
                let _ = purged_tx.send(());
            }
            let mut logs = sink.lock().unwrap();
            logs.push_str(&line);
            logs.push('\n');
        }
    });
    let purged = purged_rx.recv_timeout(Duration::from_secs(30));
    let _ = server.kill();
    let _ = server.wait();
    reader.join().unwrap();
    let logs = logs.lock().unwrap().clone();
    assert!(purged.is_ok(), "the job did not purge within 30 s:\n{logs}");

    let line = logs
        .lines()
        .find(|l| l.contains("retention purge deleted"))
        .unwrap();
    assert!(line.contains("conversations=2"), "{line}");
    assert!(line.contains("messages=3"), "{line}");
    for c in [
        &f.old_information,
        &f.old_waiting,
        &f.old_forwarded,
        &f.recent,
    ] {
        assert!(
            !logs.contains(&c.id.to_string()),
            "a conversation id is in the logs"
        );
        assert!(!logs.contains(&c.canary), "a message is in the logs");
    }
    for c in [&f.old_information, &f.old_waiting] {
        assert!(f.app.store.conversation(c.id).await.unwrap().is_none());
    }
    for c in [&f.old_forwarded, &f.recent] {
        assert!(f.app.store.conversation(c.id).await.unwrap().is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ecoute_purge_also_deletes_the_staff_records_past_their_keeping() {
    use ecoute_domain::ChatFacts;
    use ecoute_domain::UserId;
    use ecoute_store::wellbeing::ExposureMinute;
    let app = crate::helpers::spawn_app().await;
    let olga = app.officer("olga").await;
    let olga = UserId(olga.id.parse().unwrap());
    let now = time::OffsetDateTime::now_utc();
    let day = time::Duration::days;
    // A span that ended 36 days ago (past the 35 days kept) and one that ended 34 days ago.
    for (state, at) in [
        (Some("available"), now - day(40)),
        (Some("paused"), now - day(36)),
        (None, now - day(34)),
    ] {
        app.store
            .record_presence_span(olga, state, at)
            .await
            .unwrap();
    }
    // Minutes held three days ago (past the two days kept) and one minute ago.
    let minute = ExposureMinute::minute_of(now);
    let chat = ConversationId::new();
    let held = |minute| ExposureMinute {
        officer: olga,
        conversation: chat,
        minute,
        facts: ChatFacts::default(),
    };
    let rows = [held(minute - 3 * 24 * 60), held(minute - 1)];
    assert_eq!(app.store.record_exposure(&rows).await.unwrap(), 2);

    let out = ecoute(&["purge"], app.data_dir.path()).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("purged 1 presence span and 1 wellbeing record past their keeping"),
        "{stdout}"
    );
    let spans = app.store.presence_spans(now - day(60), now).await.unwrap();
    let states: Vec<&str> = spans.iter().map(|s| s.state.as_str()).collect();
    assert_eq!(
        states,
        ["paused"],
        "the span that ended 34 days ago is kept"
    );
    let left = app.store.exposure_minutes(Some(olga), 0).await.unwrap();
    assert_eq!(
        left.iter().map(|m| m.minute).collect::<Vec<_>>(),
        [minute - 1]
    );
}
