//! What a run found: a table for people, JSON for scripts (the keys docs/PERFORMANCE.md names).

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latencies in microseconds, from 1 µs to 10 minutes, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

/// p50, p99, p99.9 and max of a histogram, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Quantiles {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub count: u64,
}

impl Quantiles {
    pub fn of(h: &Histogram<u64>) -> Quantiles {
        if h.is_empty() {
            return Quantiles::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        Quantiles {
            p50_ms: ms(h.value_at_quantile(0.5)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            p999_ms: ms(h.value_at_quantile(0.999)),
            max_ms: ms(h.max()),
            count: h.len(),
        }
    }
}

/// One run, or one step of a ramp.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub scenario: String,
    pub rate_target: f64,
    pub rate_achieved: f64,
    /// End to end, both directions (storm: start to welcome).
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub ack_p50_ms: f64,
    pub ack_p99_ms: f64,
    pub visitor_to_officer: Quantiles,
    pub officer_to_visitor: Quantiles,
    pub ack: Quantiles,
    /// Messages the pacer sent (storm: visitors it started).
    pub sent: u64,
    pub acked: u64,
    pub delivered: u64,
    /// Acknowledged, never delivered to the other side.
    pub lost: u64,
    /// Delivered more than once to the other side.
    pub duplicated: u64,
    /// Sent, never acknowledged (refused or still in flight at the end).
    pub unacked: u64,
    pub errors: u64,
    pub server_rss_kib: Option<u64>,
    pub server_cpu_percent: Option<f64>,
    /// Mean messages per database commit during the run (from the server's metrics).
    pub messages_per_commit: Option<f64>,
    pub connections: u64,
    pub duration_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_per_connection_kib: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub knee_rate: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Report>,
    /// Storm: return codes the server had hashed ahead when the storm began.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_codes_ready_before: Option<f64>,
    /// Storm: starts that found no code hashed ahead and hashed their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_codes_hashed_on_start: Option<f64>,
}

impl Report {
    pub fn table(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: String| out.push_str(&format!("{k:<28} {v}\n"));
        line("scenario", self.scenario.clone());
        if self.scenario == "fsync" {
            line(
                "write 4 KiB + fdatasync",
                format!(
                    "p50 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3} ms  ({} writes)",
                    self.p50_ms, self.p99_ms, self.p999_ms, self.max_ms, self.sent
                ),
            );
            return out;
        }
        line(
            "rate (target / achieved)",
            format!("{:.0} / {:.0} per s", self.rate_target, self.rate_achieved),
        );
        let q = |q: &Quantiles| {
            format!(
                "p50 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2} ms  ({} samples)",
                q.p50_ms, q.p99_ms, q.p999_ms, q.max_ms, q.count
            )
        };
        if self.scenario == "storm" {
            line(
                "start to welcome",
                format!(
                    "p50 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2} ms",
                    self.p50_ms, self.p99_ms, self.p999_ms, self.max_ms
                ),
            );
            if let (Some(ready), Some(hashed)) = (
                self.return_codes_ready_before,
                self.return_codes_hashed_on_start,
            ) {
                line(
                    "return codes",
                    format!("{ready:.0} hashed ahead at the start; {hashed:.0} hashed on start"),
                );
            }
        } else if self.scenario != "idle" {
            line("visitor → officer", q(&self.visitor_to_officer));
            line("officer → visitor", q(&self.officer_to_visitor));
            line("send → ack", q(&self.ack));
            line(
                "both directions",
                format!(
                    "p50 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2} ms",
                    self.p50_ms, self.p99_ms, self.p999_ms, self.max_ms
                ),
            );
        }
        line(
            "sent / acked / delivered",
            format!("{} / {} / {}", self.sent, self.acked, self.delivered),
        );
        line(
            "lost / duplicated",
            format!("{} / {}", self.lost, self.duplicated),
        );
        line(
            "unacked / errors",
            format!("{} / {}", self.unacked, self.errors),
        );
        line("connections", self.connections.to_string());
        if let Some(rss) = self.server_rss_kib {
            line("server RSS", format!("{rss} KiB"));
        }
        if let Some(per) = self.rss_per_connection_kib {
            line("server RSS per connection", format!("{per:.1} KiB"));
        }
        if let Some(cpu) = self.server_cpu_percent {
            line("server CPU", format!("{cpu:.0} % of one core"));
        }
        if let Some(b) = self.messages_per_commit {
            line("messages per commit", format!("{b:.1}"));
        }
        if let Some(knee) = self.knee_rate {
            line("knee", format!("{knee:.0} msg/s"));
        }
        for s in &self.steps {
            line(
                "  step",
                format!(
                    "{:>7.0} → {:>7.0}/s  p50 {:>7.2}  p99 {:>8.2}  p99.9 {:>8.2} ms  lost {}  cpu {}",
                    s.rate_target,
                    s.rate_achieved,
                    s.p50_ms,
                    s.p99_ms,
                    s.p999_ms,
                    s.lost,
                    s.server_cpu_percent
                        .map(|c| format!("{c:.0} %"))
                        .unwrap_or_else(|| "-".into())
                ),
            );
        }
        out
    }

    pub fn json(&self) -> anyhow::Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}

/// Reads the server's Prometheus text: resident memory (KiB), CPU seconds, and the sum and
/// count of messages per commit.
pub async fn scrape(url: &str) -> anyhow::Result<(u64, f64, f64, f64)> {
    let text = reqwest::get(url).await?.error_for_status()?.text().await?;
    let find = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    let rss = find("process_resident_memory_bytes ")
        .ok_or_else(|| anyhow::anyhow!("{url}: no process_resident_memory_bytes"))?;
    let cpu = find("process_cpu_seconds_total ").unwrap_or_default();
    let batch_sum = find("ecoute_commit_batch_size_sum ").unwrap_or_default();
    let batch_count = find("ecoute_commit_batch_size_count ").unwrap_or_default();
    Ok(((rss / 1024.0) as u64, cpu, batch_sum, batch_count))
}

/// One unlabelled figure of the server's metrics (0 when the server has not reported it yet).
pub async fn scrape_value(url: &str, name: &str) -> anyhow::Result<f64> {
    let text = reqwest::get(url).await?.error_for_status()?.text().await?;
    let prefix = format!("{name} ");
    Ok(text
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_come_from_microseconds_in_milliseconds() {
        let mut h = histogram();
        for us in 1..=1000u64 {
            h.record(us * 10).unwrap();
        }
        let q = Quantiles::of(&h);
        assert!((q.p50_ms - 5.0).abs() < 0.01, "{q:?}");
        assert!((q.p99_ms - 9.9).abs() < 0.01, "{q:?}");
        assert!((q.max_ms - 10.0).abs() < 0.01, "{q:?}");
        assert_eq!(q.count, 1000);
        assert_eq!(Quantiles::of(&histogram()).count, 0);
    }

    #[test]
    fn the_json_has_the_keys_scripts_rely_on() {
        let r = Report {
            scenario: "chat".into(),
            ..Report::default()
        };
        let v: serde_json::Value = serde_json::from_str(&r.json().unwrap()).unwrap();
        for key in [
            "scenario",
            "rate_target",
            "rate_achieved",
            "p50_ms",
            "p99_ms",
            "p999_ms",
            "max_ms",
            "ack_p50_ms",
            "sent",
            "delivered",
            "lost",
            "duplicated",
            "server_rss_kib",
            "connections",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
    }
}
