//! The disk's floor for a commit: 4 KiB written then `fdatasync`ed, many times, in the data
//! directory the server uses. A message is acknowledged only once its commit is on disk, so no
//! acknowledgement can be quicker than this wait; the light-load targets of docs/PERFORMANCE.md
//! ("Issue 23 targets") are stated as a multiple of its p50, measured in the same run.

use crate::report::{Quantiles, Report, histogram};
use anyhow::Context;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Instant;

/// Bytes written before each `fdatasync`: one page, what a small commit adds to a WAL.
pub const WRITE: usize = 4096;
/// The probe's file cycles over this many pages, as a WAL that starts over does, so that the
/// file does not grow with the number of iterations.
const PAGES: u64 = 256;

/// Writes 4 KiB at the next page of a file of its own in `dir` and waits for `fdatasync`,
/// `iterations` times; the file is removed afterwards. The report's `p50_ms`, `p99_ms`,
/// `p999_ms` and `max_ms` are those of one write and its `fdatasync`.
pub fn fsync(dir: &Path, iterations: u64) -> anyhow::Result<Report> {
    let path = dir.join(format!(".ecoute-fsync-probe-{}", std::process::id()));
    let result = probe(&path, iterations);
    let _ = std::fs::remove_file(&path);
    result
}

fn probe(path: &Path, iterations: u64) -> anyhow::Result<Report> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    // The file exists at its full size and on disk before the first timed write: each timed
    // write then changes data only, as a commit in a WAL that starts over does.
    file.write_all(&vec![0u8; WRITE * PAGES as usize])?;
    file.sync_all()?;
    let page = vec![0x5au8; WRITE];
    let mut h = histogram();
    let started = Instant::now();
    for i in 0..iterations {
        file.seek(SeekFrom::Start((i % PAGES) * WRITE as u64))?;
        let t = Instant::now();
        file.write_all(&page)?;
        file.sync_data()?;
        let us = t.elapsed().as_micros() as u64;
        h.record(us.max(1))
            .context("an fdatasync outside the histogram's range")?;
    }
    let q = Quantiles::of(&h);
    Ok(Report {
        scenario: "fsync".into(),
        p50_ms: q.p50_ms,
        p99_ms: q.p99_ms,
        p999_ms: q.p999_ms,
        max_ms: q.max_ms,
        sent: iterations,
        duration_s: started.elapsed().as_secs_f64(),
        ..Report::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_times_each_write_and_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let report = fsync(dir.path(), 20).unwrap();
        assert_eq!(report.scenario, "fsync");
        assert_eq!(report.sent, 20);
        assert!(report.p50_ms > 0.0 && report.p50_ms <= report.p99_ms);
        assert!(report.p99_ms <= report.max_ms);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
