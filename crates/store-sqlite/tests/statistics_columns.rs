//! Every column of the statistics table is justified in docs/STATISTICS.md: a column added to
//! the schema without saying there why it cannot identify anyone fails this test.

use ecoute_store_sqlite::{DATABASE_FILE, SqliteStore};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::collections::BTreeSet;

/// The column names of the table under `## Columns` in docs/STATISTICS.md: the first cell of
/// each row, written as code.
fn justified_columns() -> BTreeSet<String> {
    let doc = include_str!("../../../docs/STATISTICS.md");
    let section = doc
        .split("\n## Columns\n")
        .nth(1)
        .expect("docs/STATISTICS.md has a Columns section");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_statistics_column_is_justified_in_the_documentation() {
    let dir = tempfile::tempdir().unwrap();
    drop(SqliteStore::open(dir.path()).await.unwrap());
    let mut conn = SqliteConnectOptions::new()
        .filename(dir.path().join(DATABASE_FILE))
        .connect()
        .await
        .unwrap();
    let columns: BTreeSet<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info('chat_statistics')")
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .collect();
    conn.close().await.unwrap();

    assert!(!columns.is_empty(), "the chat_statistics table exists");
    let justified = justified_columns();
    let unjustified: Vec<_> = columns.difference(&justified).collect();
    assert!(
        unjustified.is_empty(),
        "columns of chat_statistics not justified in docs/STATISTICS.md: {unjustified:?}"
    );
    // The documentation describes no column that is not there.
    let stale: Vec<_> = justified.difference(&columns).collect();
    assert!(
        stale.is_empty(),
        "docs/STATISTICS.md describes columns chat_statistics does not have: {stale:?}"
    );
    // The rule of the record itself: nothing that names a conversation, a person or a time.
    for forbidden in [
        "conversation_id",
        "officer_id",
        "created_at",
        "closed_at",
        "token_hash",
    ] {
        assert!(
            !columns.contains(forbidden),
            "{forbidden} in chat_statistics"
        );
    }
}

#[test]
fn the_documentation_parser_finds_the_columns_and_nothing_else() {
    let justified = justified_columns();
    assert!(justified.contains("iso_week") && justified.contains("risk_labels"));
    assert!(
        !justified.contains("column"),
        "the header row is not a column"
    );
}
