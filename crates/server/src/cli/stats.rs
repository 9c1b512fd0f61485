//! `ecoute stats export`: the open-data export of a period, written as files (docs/STATISTICS.md,
//! "Open data").

use super::*;
use crate::service::open_data;
use ecoute_domain::{Period, Threshold};
use std::path::Path;

/// Writes the export of `from`..`to` into `out` (created when missing; the export's files in
/// it are replaced, nothing else is touched), one line of progress per file.
pub(super) async fn stats_export(
    config: Config,
    from: &str,
    to: &str,
    out: &Path,
    threshold: u64,
) -> anyhow::Result<()> {
    // Everything that can be refused is checked before the database is opened.
    let period = Period::parse(from, to).context("--from/--to")?;
    let threshold = Threshold::new(threshold).context("--threshold")?;
    if out.exists() && !out.is_dir() {
        bail!("{} exists and is not a directory", out.display());
    }
    require_database(&config)?;
    let store = open_store(&config).await?;
    let now = OffsetDateTime::now_utc();
    let result = open_data::export(&*store, period, threshold, None, now).await;
    store.close().await;
    let data = result.map_err(|e| anyhow::anyhow!("cannot read the statistics: {e}"))?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let files = open_data::files(&data, now);
    let count = files.len();
    for (i, (name, content)) in files.into_iter().enumerate() {
        let path = out.join(&name);
        // Written aside then renamed: a file is either the old one or the whole new one.
        let partial = out.join(format!(".{name}.partial"));
        std::fs::write(&partial, content)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        std::fs::rename(&partial, &path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("[{}/{count}] {}", i + 1, path.display());
    }
    println!(
        "exported {} to {}: {} chats, counts under {} withheld (\"<{}\") or hidden (\"s\")",
        data.from,
        data.to,
        data.chats,
        threshold.get(),
        threshold.get()
    );
    Ok(())
}
