//! The floor under the message writer: how fast SQLite itself writes what the appender writes,
//! with nothing of Écoute around it (docs/PERFORMANCE.md, "The floor under the writer").
//!
//! One thread commits batches of messages, as fast as it can, into the real schema (the
//! store's migrations) with the appender's settings: WAL, `synchronous = FULL` (each commit
//! waits for the disk), no foreign-key checks. A second thread copies the WAL back every
//! 200 ms, and the writer lets the WAL start over as the appender does. There is no network,
//! no encryption (the body is random bytes of a sealed body's length), no reading of the
//! conversations before the write and no resend lookup: only the rows written.
//!
//! A floor, not a copy of the appender: each message updates its own conversation once (in
//! the server, receipts also move conversations with no message in the batch); a batch is one
//! statement (the appender cuts it into power-of-two chunks); the client ids are random and
//! about 26 characters long (the generator's are about 15); and the writer lets the WAL start
//! over after every complete round of the checkpointer (the server waits for 1,000 frames).
//!
//! ```text
//! cargo run --release -p ecoute-store-sqlite --example write_floor -- \
//!     [--seconds 10] [--batch 25] [--conversations 1000] [--body 60] \
//!     [--no-update] [--no-unique]
//! ```
//!
//! The database is made in a temporary directory (`TMPDIR`): point it at the disk the server's
//! data directory is on.
//!
//! `--no-update` leaves out the update of each conversation's counters, `--no-unique` the
//! index that makes a resend idempotent (the table is made again without it): what each
//! costs. It prints the messages written a second, the writer's time on a CPU for each
//! message, and the bytes and write calls it made for each message.

use rusqlite::{Connection, params_from_iter, types::Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

struct Options {
    seconds: f64,
    batch: usize,
    conversations: usize,
    body: usize,
    update: bool,
    unique: bool,
}

fn options() -> Options {
    let mut o = Options {
        seconds: 10.0,
        batch: 25,
        conversations: 1000,
        body: 60,
        update: true,
        unique: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> f64 {
            let value = args.next().unwrap_or_default();
            value.parse().unwrap_or_else(|_| {
                eprintln!("{name} needs a number, not {value:?}");
                std::process::exit(2)
            })
        };
        match arg.as_str() {
            "--seconds" => o.seconds = number("--seconds"),
            "--batch" => o.batch = number("--batch") as usize,
            "--conversations" => o.conversations = number("--conversations") as usize,
            "--body" => o.body = number("--body") as usize,
            "--no-update" => o.update = false,
            "--no-unique" => o.unique = false,
            other => {
                eprintln!(
                    "unknown option {other:?}; see the top of \
                     crates/store-sqlite/examples/write_floor.rs"
                );
                std::process::exit(2)
            }
        }
    }
    if o.batch == 0 || o.conversations == 0 || !(o.seconds > 0.0 && o.seconds.is_finite()) {
        eprintln!("--batch, --conversations and --seconds must be above zero (and finite)");
        std::process::exit(2)
    }
    if o.batch > 256 {
        eprintln!("--batch is at most 256, as the appender's (MAX_BATCH)");
        std::process::exit(2)
    }
    // A batch writes to as many different conversations.
    o.batch = o.batch.min(o.conversations);
    o
}

/// A small generator of random numbers (xorshift64*): the rows need variety, not secrecy.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// This thread's time on a CPU and waiting for one, in nanoseconds (Linux only: elsewhere the
/// program says it cannot measure and stops).
fn schedstat() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
    match (fields.next().flatten(), fields.next().flatten()) {
        (Some(cpu), Some(wait)) => (cpu, wait),
        _ => {
            eprintln!("cannot read /proc/thread-self/schedstat: this needs Linux");
            std::process::exit(2)
        }
    }
}

fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let db = Connection::open(path)?;
    db.busy_timeout(Duration::from_secs(5))?;
    db.execute_batch(ecoute_store_sqlite::WRITER_PRAGMAS)?;
    Ok(db)
}

fn placeholders(rows: usize, width: usize) -> String {
    let row = format!("({})", vec!["?"; width].join(", "));
    vec![row; rows].join(", ")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = options();
    let dir = tempfile::tempdir()?;
    // The schema is the store's own: its migrations, applied by opening it.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let store = ecoute_store_sqlite::SqliteStore::open(dir.path()).await?;
            store.close().await;
            Ok::<_, ecoute_store::StoreError>(())
        })?;
    let path = dir.path().join(ecoute_store_sqlite::DATABASE_FILE);
    let db = open(&path)?;
    let mut random = Random(0x9e37_79b9_7f4a_7c15);

    if !o.unique {
        // The same table without its UNIQUE (conversation_id, author, client_id), and without
        // its foreign keys (not checked on this connection anyway).
        db.execute_batch(
            "DROP TABLE messages; \
             CREATE TABLE messages ( \
                 conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, \
                 author TEXT NOT NULL CHECK (author IN ('visitor', 'officer')), \
                 officer_id TEXT, client_id TEXT NOT NULL, body BLOB NOT NULL, \
                 sent_at INTEGER NOT NULL, PRIMARY KEY (conversation_id, seq) \
             ) STRICT, WITHOUT ROWID;",
        )?;
    }

    // Officers and their conversations, all active, as after the generator's setup.
    let officers: Vec<String> = (0..50).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let conversations: Vec<String> = (0..o.conversations)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    db.execute_batch("BEGIN")?;
    for (i, officer) in officers.iter().enumerate() {
        db.execute(
            "INSERT INTO users (id, username, display_name, role, password_hash, created_at) \
             VALUES (?1, ?2, ?2, 'officer', 'x', 0)",
            (officer, format!("officer{i}")),
        )?;
    }
    for (i, conversation) in conversations.iter().enumerate() {
        db.execute(
            "INSERT INTO conversations (id, token_hash, kind, minor, state, officer_id, \
             wrapped_key, key_version, created_at, claimed_at) \
             VALUES (?1, ?2, 'victim', 0, 'active', ?3, ?4, 1, 0, 0)",
            (
                conversation,
                random.bytes(32),
                &officers[i % officers.len()],
                random.bytes(72),
            ),
        )?;
    }
    db.execute_batch("COMMIT")?;
    let mut last_seq = vec![0u64; conversations.len()];

    // The checkpointer: copies the WAL back every 200 ms on its own connection, and says so
    // when it copied everything, so that the writer lets the WAL start over (lib.rs).
    let stop = Arc::new(AtomicBool::new(false));
    let backfilled = Arc::new(AtomicBool::new(false));
    let checkpointer = {
        let (stop, backfilled, path) = (stop.clone(), backfilled.clone(), path.clone());
        std::thread::spawn(move || -> rusqlite::Result<()> {
            let db = open(&path)?;
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let (busy, log, copied): (i64, i64, i64) =
                    db.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })?;
                if busy == 0 && log > 0 && log == copied {
                    backfilled.store(true, Ordering::Release);
                }
            }
            Ok(())
        })
    };

    let insert = format!(
        "INSERT OR ROLLBACK INTO messages (conversation_id, seq, author, officer_id, client_id, \
         body, sent_at) VALUES {}",
        placeholders(o.batch, 7)
    );
    let update = format!(
        "UPDATE OR ROLLBACK conversations SET last_seq = v.column2, \
         visitor_received_seq = v.column3, visitor_read_seq = v.column4, \
         officer_received_seq = v.column5, officer_read_seq = v.column6 \
         FROM (VALUES {}) AS v WHERE conversations.id = v.column1",
        placeholders(o.batch, 6)
    );
    let wal = path.with_extension("db-wal");
    let started = Instant::now();
    let (cpu0, wait0) = schedstat();
    let io0 = std::fs::read_to_string("/proc/thread-self/io").unwrap_or_default();
    let mut written = 0u64;
    let mut batches = 0u64;
    let mut last_report = Instant::now();
    while started.elapsed().as_secs_f64() < o.seconds {
        if backfilled.swap(false, Ordering::Acquire) {
            db.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        }
        let mut rows = Vec::with_capacity(o.batch * 7);
        let mut counters = Vec::with_capacity(o.batch * 6);
        let mut picked = std::collections::HashSet::with_capacity(o.batch);
        while picked.len() < o.batch {
            picked.insert(random.next() as usize % conversations.len());
        }
        for &c in &picked {
            last_seq[c] += 1;
            let seq = last_seq[c] as i64;
            let officer = seq % 2 == 0;
            rows.extend([
                Value::Text(conversations[c].clone()),
                Value::Integer(seq),
                Value::Text(if officer { "officer" } else { "visitor" }.into()),
                if officer {
                    Value::Text(officers[c % officers.len()].clone())
                } else {
                    Value::Null
                },
                Value::Text(format!("m{}-{}", random.next() % 100_000, random.next())),
                Value::Blob(random.bytes(o.body)),
                Value::Integer(started.elapsed().as_millis() as i64),
            ]);
            counters.extend([
                Value::Text(conversations[c].clone()),
                Value::Integer(seq),
                Value::Integer(seq - 1),
                Value::Integer(seq - 1),
                Value::Integer(seq - 1),
                Value::Integer(seq - 1),
            ]);
        }
        db.execute_batch("BEGIN IMMEDIATE")?;
        db.prepare_cached(&insert)?
            .execute(params_from_iter(rows.iter()))?;
        if o.update {
            db.prepare_cached(&update)?
                .execute(params_from_iter(counters.iter()))?;
        }
        db.execute_batch("COMMIT")?;
        written += o.batch as u64;
        batches += 1;
        if last_report.elapsed() >= Duration::from_secs(2) {
            eprintln!(
                "{:.0} s: {written} messages, WAL {} KiB",
                started.elapsed().as_secs_f64(),
                std::fs::metadata(&wal).map(|m| m.len() / 1024).unwrap_or(0)
            );
            last_report = Instant::now();
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (cpu1, wait1) = schedstat();
    let io1 = std::fs::read_to_string("/proc/thread-self/io").unwrap_or_default();
    stop.store(true, Ordering::Relaxed);
    checkpointer.join().expect("the checkpointer ends")?;

    let field = |text: &str, name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    let bytes = field(&io1, "wchar:").saturating_sub(field(&io0, "wchar:"));
    let calls = field(&io1, "syscw:").saturating_sub(field(&io0, "syscw:"));
    let per = |x: f64| x / written as f64;
    println!(
        "batch {} conversations {} body {} B{}{}",
        o.batch,
        o.conversations,
        o.body,
        if o.update { "" } else { ", no update" },
        if o.unique { "" } else { ", no unique index" }
    );
    println!(
        "written            {written} messages in {elapsed:.1} s: {:.0} messages/s, {batches} commits",
        written as f64 / elapsed
    );
    println!(
        "writer on a CPU    {:.1} µs per message ({:.0} % of the time); waiting for a CPU {:.1} s",
        per((cpu1 - cpu0) as f64 / 1e3),
        (cpu1 - cpu0) as f64 / 1e9 / elapsed * 100.0,
        (wait1 - wait0) as f64 / 1e9
    );
    println!(
        "writer's writes    {:.0} bytes and {:.1} write calls per message",
        per(bytes as f64),
        per(calls as f64)
    );
    Ok(())
}
