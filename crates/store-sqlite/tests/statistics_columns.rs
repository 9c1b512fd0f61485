//! Every column of the statistics tables is justified in docs/STATISTICS.md: a column added to
//! the schema without saying there why it cannot identify anyone fails this test. Two tables:
//! `chat_statistics` (its section `## Columns`) and the staffing plan's `presence_history` (its
//! section `## The presence history`).

use ecoute_store_sqlite::{DATABASE_FILE, SqliteStore};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::collections::BTreeSet;

/// The column names of the table under `## {heading}` in docs/STATISTICS.md: the first cell of
/// each row, written as code.
fn justified_columns(heading: &str) -> BTreeSet<String> {
    let doc = include_str!("../../../docs/STATISTICS.md");
    let section = doc
        .split(&format!("\n## {heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("docs/STATISTICS.md has a section `## {heading}`"));
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().split('|').map(str::trim).collect();
            // "| `name` | holds | why |" splits into ["", "`name`", "holds", "why", ""].
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let why = cells.get(3)?;
            (!why.is_empty()).then(|| name.to_string())
        })
        .collect()
}

/// The columns of `table` in a fresh database.
async fn columns_of(table: &str) -> BTreeSet<String> {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(dir.path()).await.unwrap());
    let mut conn = SqliteConnectOptions::new()
        .filename(dir.path().join(DATABASE_FILE))
        .connect()
        .await
        .unwrap();
    let columns: BTreeSet<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
        .bind(table)
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .collect();
    conn.close().await.unwrap();
    columns
}

/// The table's columns and the documentation's are the same, and none is forbidden.
async fn assert_justified(table: &str, heading: &str, forbidden: &[&str]) {
    let columns = columns_of(table).await;
    assert!(!columns.is_empty(), "the {table} table exists");
    let justified = justified_columns(heading);
    let unjustified: Vec<_> = columns.difference(&justified).collect();
    assert!(
        unjustified.is_empty(),
        "columns of {table} not justified in docs/STATISTICS.md: {unjustified:?}"
    );
    // The documentation describes no column that is not there.
    let stale: Vec<_> = justified.difference(&columns).collect();
    assert!(
        stale.is_empty(),
        "docs/STATISTICS.md describes columns {table} does not have: {stale:?}"
    );
    for name in forbidden {
        assert!(!columns.contains(*name), "{name} in {table}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_statistics_column_is_justified_in_the_documentation() {
    // The rule of the record itself: nothing that names a conversation, a person or a time.
    assert_justified(
        "chat_statistics",
        "Columns",
        &[
            "conversation_id",
            "officer_id",
            "created_at",
            "closed_at",
            "token_hash",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_presence_history_column_is_justified_in_the_documentation() {
    // Counts per hour: no officer, no time finer than the hour.
    assert_justified(
        "presence_history",
        "The presence history",
        &[
            "officer_id",
            "user_id",
            "username",
            "display_name",
            "at",
            "sampled_at",
            "minute",
        ],
    )
    .await;
}

#[test]
fn the_documentation_parser_finds_the_columns_and_nothing_else() {
    let justified = justified_columns("Columns");
    assert!(justified.contains("iso_week") && justified.contains("risk_labels"));
    assert!(
        !justified.contains("column"),
        "the header row is not a column"
    );
    let presence = justified_columns("The presence history");
    assert!(presence.contains("officer_minutes") && presence.contains("minute_mask"));
    assert!(
        !presence.contains("risk_labels"),
        "each section its own table"
    );
}
