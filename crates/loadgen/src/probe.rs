//! The disk's floor for a commit: 4 KiB written then `fdatasync`ed, many times, in the data
//! directory the server uses. A message is acknowledged only once its commit is on disk, so no
//! acknowledgement can be quicker than this wait; the light-load targets of docs/PERFORMANCE.md
//! ("Issue 23 targets") are stated as a multiple of its p50, measured in the same run.
//!
//! Back to back, the writes find the disk busy; spaced as a light load spaces its commits
//! (`interval`), they find it idle, and on the machine of docs/PERFORMANCE.md an idle disk
//! answers three to four times more slowly (20 ms apart: 0.27–0.37 ms at p50, against 0.08–0.09
//! ms back to back, even with both cores kept busy). The floor of a light load is measured at
//! its own pace.

use crate::report::{Quantiles, Report, histogram};
use anyhow::Context;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// Bytes written before each `fdatasync`: one page, what a small commit adds to a WAL.
pub const WRITE: usize = 4096;
/// The probe's file cycles over this many pages, as a WAL that starts over does, so that the
/// file does not grow with the number of iterations.
const PAGES: u64 = 256;

/// Writes 4 KiB at the next page of a file of its own in `dir` and waits for `fdatasync`,
/// `iterations` times, each write starting `interval` after the previous one started (at once
/// when it took longer, or when `interval` is zero); the file is removed afterwards. The
/// report's `p50_ms`, `p99_ms`, `p999_ms` and `max_ms` are those of one write and its
/// `fdatasync`; `rate_target` is the writes a second asked for (0: back to back).
pub fn fsync(dir: &Path, iterations: u64, interval: Duration) -> anyhow::Result<Report> {
    let path = dir.join(format!(".ecoute-fsync-probe-{}", std::process::id()));
    let result = probe(&path, iterations, interval);
    let _ = std::fs::remove_file(&path);
    result
}

fn probe(path: &Path, iterations: u64, interval: Duration) -> anyhow::Result<Report> {
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
    let mut next = Instant::now();
    for i in 0..iterations {
        file.seek(SeekFrom::Start((i % PAGES) * WRITE as u64))?;
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let t = Instant::now();
        next = t + interval;
        file.write_all(&page)?;
        file.sync_data()?;
        let us = t.elapsed().as_micros() as u64;
        h.record(us.max(1))
            .context("an fdatasync outside the histogram's range")?;
    }
    let q = Quantiles::of(&h);
    Ok(Report {
        scenario: "fsync".into(),
        rate_target: if interval.is_zero() {
            0.0
        } else {
            1.0 / interval.as_secs_f64()
        },
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
        let report = fsync(dir.path(), 20, Duration::ZERO).unwrap();
        assert_eq!(report.scenario, "fsync");
        assert_eq!(report.rate_target, 0.0);
        assert_eq!(report.sent, 20);
        assert!(report.p50_ms > 0.0 && report.p50_ms <= report.p99_ms);
        assert!(report.p99_ms <= report.max_ms);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn spaced_writes_start_an_interval_apart() {
        let dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let report = fsync(dir.path(), 5, Duration::from_millis(20)).unwrap();
        assert!(
            started.elapsed() >= Duration::from_millis(80),
            "four waits of 20 ms"
        );
        assert_eq!(report.rate_target, 50.0);
        assert_eq!(report.sent, 5);
    }
}
