//! Prometheus metrics, served on a separate admin listener (`admin_listen`), never on the public
//! port. What is measured: open connections by kind, messages written, commit durations, queue
//! depth and waiting time, delivery latency, errors by code, and the process's memory and CPU.
//!
//! No label ever holds a conversation, a person or a text: only kinds and error codes.

use axum::Router;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Latency buckets, in seconds: fine below 10 ms, where delivery should sit.
const SECONDS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0,
    300.0, 1800.0,
];

/// Installs the recorder once per process (several servers in one test process share it).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
            .expect("buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder already set (a test harness): metrics then go there, and this
        // handle renders what it has.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// The admin routes: `GET /metrics`.
pub fn router() -> Router {
    let handle = install();
    Router::new().route(
        "/metrics",
        get(move || async move {
            let mut text = handle.render();
            text.push_str(&process_metrics());
            (
                [(
                    axum::http::header::CONTENT_TYPE,
                    "text/plain; version=0.0.4; charset=utf-8",
                )],
                text,
            )
        }),
    )
}

/// Resident memory, CPU time and open descriptors of this process, from `/proc` (Linux); empty
/// elsewhere.
fn process_metrics() -> String {
    let mut out = String::new();
    let page = 4096.0;
    if let Ok(statm) = std::fs::read_to_string("/proc/self/statm")
        && let Some(resident) = statm.split_whitespace().nth(1)
        && let Ok(pages) = resident.parse::<f64>()
    {
        out.push_str("# TYPE process_resident_memory_bytes gauge\n");
        out.push_str(&format!("process_resident_memory_bytes {}\n", pages * page));
    }
    if let Ok(stat) = std::fs::read_to_string("/proc/self/stat")
        // The command name may hold spaces: fields are counted after its closing parenthesis.
        && let Some((_, rest)) = stat.rsplit_once(')')
    {
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second).
        if let (Some(u), Some(s)) = (fields.get(11), fields.get(12))
            && let (Ok(u), Ok(s)) = (u.parse::<f64>(), s.parse::<f64>())
        {
            out.push_str("# TYPE process_cpu_seconds_total counter\n");
            out.push_str(&format!("process_cpu_seconds_total {}\n", (u + s) / 100.0));
        }
    }
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        out.push_str("# TYPE process_open_fds gauge\n");
        out.push_str(&format!("process_open_fds {}\n", fds.count()));
    }
    out
}

/// Counts an open connection of one kind while it lives.
pub struct ConnectionGauge(&'static str);

impl ConnectionGauge {
    pub fn open(kind: &'static str) -> Self {
        metrics::gauge!("ecoute_connections", "kind" => kind).increment(1.0);
        Self(kind)
    }
}

impl Drop for ConnectionGauge {
    fn drop(&mut self) {
        metrics::gauge!("ecoute_connections", "kind" => self.0).decrement(1.0);
    }
}

/// A message reached the other side's socket live: how long after it was stored.
pub fn delivered(to: &'static str, sent_at: time::OffsetDateTime) {
    let after = (time::OffsetDateTime::now_utc() - sent_at)
        .as_seconds_f64()
        .max(0.0);
    metrics::histogram!("ecoute_delivery_seconds", "to" => to).record(after);
}

/// Messages the gate takes at once now (`service/gate.rs`): the floor when quiet, more as the
/// server answers faster.
pub fn gate_limit(limit: usize) {
    metrics::gauge!("ecoute_messages_admitted_at_once").set(limit as f64);
}

/// A refusal answered to a client, by its stable code.
pub fn error(code: &'static str) {
    metrics::counter!("ecoute_errors_total", "code" => code).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_figures_are_read_from_proc() {
        let text = process_metrics();
        if cfg!(target_os = "linux") {
            assert!(text.contains("process_resident_memory_bytes "));
            assert!(text.contains("process_cpu_seconds_total "));
            let rss: f64 = text
                .lines()
                .find_map(|l| l.strip_prefix("process_resident_memory_bytes "))
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                rss > 1_000_000.0,
                "a test process holds more than 1 MB: {rss}"
            );
        }
    }
}
