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

/// Refused `send` frames, by the codes that invite a resend (PROTOCOL.md §3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Refusals {
    pub overloaded: u64,
    pub rate_limited: u64,
    pub unavailable: u64,
    pub out_of_order: u64,
}

impl Refusals {
    /// From counts in the order of `outbox::RETRYABLE`.
    pub fn from_counts(c: [u64; 4]) -> Refusals {
        Refusals {
            overloaded: c[0],
            rate_limited: c[1],
            unavailable: c[2],
            out_of_order: c[3],
        }
    }

    pub fn total(&self) -> u64 {
        self.overloaded + self.rate_limited + self.unavailable + self.out_of_order
    }
}

/// One second of the recovery after an overload: the messages first sent in it, and how long
/// the server took to acknowledge them (from the send of the attempt it acknowledged).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Second {
    /// Seconds since the overload ended (0: the first second after it).
    pub second: u64,
    pub first_sent: u64,
    pub acked: u64,
    pub ack_p50_ms: f64,
    pub ack_p99_ms: f64,
}

/// How `recovered_after_s` is defined; in the report beside the figure.
pub const RECOVERED_RULE: &str = "the start of the first second after the overload from which \
    every later second's ack p99 (from the send of the attempt acknowledged, of the messages \
    first sent that second) is at most max(2 × the baseline's ack p99, the baseline's ack p99 \
    + 10 ms); a second in which nothing was acknowledged does not count as recovered";

/// The bound a second's ack p99 must keep for the server to count as recovered. The 10 ms
/// leave room for the noise of a p99 over one second at light load (about a thousand
/// messages): on a server that never saw an overload, seconds go from 4 to 11 ms.
pub fn recovery_threshold_ms(baseline_ack_p99_ms: f64) -> f64 {
    (2.0 * baseline_ack_p99_ms).max(baseline_ack_p99_ms + 10.0)
}

/// The start of the first second from which every later second's ack p99 is at most
/// max(2 × baseline ack p99, baseline ack p99 + 10 ms) (RECOVERED_RULE); None when even the
/// last second is over it, or the series is empty. A second with no acknowledgement is not
/// recovered: a server that answers nothing has not come back.
pub fn recovered_after_s(series: &[Second], baseline_ack_p99_ms: f64) -> Option<u64> {
    let bound = recovery_threshold_ms(baseline_ack_p99_ms);
    let mut from = None;
    for s in series.iter().rev() {
        if s.acked == 0 || s.ack_p99_ms > bound {
            break;
        }
        from = Some(s.second);
    }
    from
}

/// What the `overload` scenario adds to its report (docs/PERFORMANCE.md, issue 23 target 2).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overload {
    /// The baseline's ack p99 from send, which the recovery is judged against.
    pub baseline_ack_p99_ms: f64,
    /// max(2 × baseline, baseline + 10 ms).
    pub recovered_threshold_ms: f64,
    /// RECOVERED_RULE.
    pub recovered_rule: String,
    /// See RECOVERED_RULE; null when the server had not recovered by the end.
    pub recovered_after_s: Option<u64>,
    pub recovery_series: Vec<Second>,
    /// The server's RSS samples taken (every 500 ms across the phases and the drain).
    pub rss_samples: u64,
}

/// One run, or one step of a ramp (or one phase of an overload).
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
    /// From when the message was due (the pacer's time) to its acknowledgement; a message
    /// refused and sent again counts its wait.
    pub ack: Quantiles,
    /// From the send of the attempt that was acknowledged to its acknowledgement: the
    /// server's own latency for what it took.
    pub ack_from_send: Quantiles,
    /// `send` frames refused with a code that invites a resend, by code.
    pub refused: Refusals,
    /// From the send of an attempt to its refusal ("refused early").
    pub refusal: Quantiles,
    /// Messages sent again after a refusal (each attempt after the first).
    pub resends: u64,
    /// `message` frames a socket received of its own side: its own message sent back to it.
    pub echoes: u64,
    /// Still waiting in the generator at the end, refused or kept behind a refusal, not sent
    /// since (not lost: never acknowledged).
    pub held: u64,
    /// Due but never written: the conversation's page already held `PAGE_HOLDS` messages
    /// waiting after a refusal (a person does not write on and on meanwhile). Not counted
    /// as unacknowledged.
    pub not_written: u64,
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
    /// Overload: which phase this step is (`baseline`, `overload`, `recovery`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Overload: the highest server RSS sampled (the phase's, or over all phases at the top).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_rss_max_kib: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overload: Option<Overload>,
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
            line("attempt → ack", q(&self.ack_from_send));
            let r = &self.refused;
            line(
                "refused",
                format!(
                    "{} (overloaded {}, rate_limited {}, unavailable {}, out_of_order {})",
                    r.total(),
                    r.overloaded,
                    r.rate_limited,
                    r.unavailable,
                    r.out_of_order
                ),
            );
            line("attempt → refusal", q(&self.refusal));
            line(
                "resends / echoes / held / not written",
                format!(
                    "{} / {} / {} / {}",
                    self.resends, self.echoes, self.held, self.not_written
                ),
            );
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
        if let Some(rss) = self.server_rss_max_kib {
            line("server RSS, highest sampled", format!("{rss} KiB"));
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
        if let Some(o) = &self.overload {
            for s in &self.steps {
                line(
                    &format!("  {}", s.phase.as_deref().unwrap_or("phase")),
                    format!(
                        "{:>7.0} → {:>7.0}/s  ack p50 {:.2} p99 {:.2} (from send {:.2} / {:.2})  \
                         delivery p50 {:.2} p99 {:.2} ms  refused {}  RSS end {} max {}",
                        s.rate_target,
                        s.rate_achieved,
                        s.ack.p50_ms,
                        s.ack.p99_ms,
                        s.ack_from_send.p50_ms,
                        s.ack_from_send.p99_ms,
                        s.p50_ms,
                        s.p99_ms,
                        s.refused.total(),
                        s.server_rss_kib
                            .map(|k| format!("{k} KiB"))
                            .unwrap_or_else(|| "-".into()),
                        s.server_rss_max_kib
                            .map(|k| format!("{k} KiB"))
                            .unwrap_or_else(|| "-".into()),
                    ),
                );
            }
            for s in &o.recovery_series {
                line(
                    "  recovery second",
                    format!(
                        "{:>3}: {:>6} first sent, {:>6} acked, ack from send p50 {:.2} p99 {:.2} ms",
                        s.second, s.first_sent, s.acked, s.ack_p50_ms, s.ack_p99_ms
                    ),
                );
            }
            line(
                "recovered after",
                match o.recovered_after_s {
                    Some(s) => format!("{s} s"),
                    None => "not within the recovery phase".into(),
                },
            );
            line(
                "  meaning",
                format!(
                    "{} (here {:.2} ms, baseline {:.2} ms)",
                    o.recovered_rule, o.recovered_threshold_ms, o.baseline_ack_p99_ms
                ),
            );
            return out;
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

    fn second(second: u64, acked: u64, ack_p99_ms: f64) -> Second {
        Second {
            second,
            first_sent: acked,
            acked,
            ack_p50_ms: ack_p99_ms / 2.0,
            ack_p99_ms,
        }
    }

    #[test]
    fn recovery_bound_is_twice_the_baseline_or_ten_ms_above_it_whichever_is_larger() {
        assert_eq!(recovery_threshold_ms(2.0), 12.0);
        assert_eq!(recovery_threshold_ms(20.0), 40.0);
    }

    #[test]
    fn recovered_after_is_the_first_second_from_which_every_later_one_keeps_the_bound() {
        // Baseline p99 4 ms: bound 14 ms.
        let series = vec![
            second(0, 900, 400.0),
            second(1, 1000, 8.0), // under, but a later second is over
            second(2, 1000, 30.0),
            second(3, 1000, 14.0),
            second(4, 1000, 5.0),
        ];
        assert_eq!(recovered_after_s(&series, 4.0), Some(3));
        // Every second under: recovered at once.
        let calm = vec![second(0, 1000, 3.0), second(1, 1000, 4.0)];
        assert_eq!(recovered_after_s(&calm, 4.0), Some(0));
        // The last second over: not recovered.
        let late = vec![second(0, 1000, 3.0), second(1, 1000, 15.0)];
        assert_eq!(recovered_after_s(&late, 4.0), None);
        assert_eq!(recovered_after_s(&[], 4.0), None);
    }

    #[test]
    fn a_second_with_nothing_acknowledged_is_not_recovered() {
        let series = vec![
            second(0, 1000, 3.0),
            second(1, 0, 0.0),
            second(2, 1000, 3.0),
        ];
        assert_eq!(recovered_after_s(&series, 4.0), Some(2));
    }

    #[test]
    fn the_json_has_the_overload_figures() {
        let phase = Report {
            scenario: "overload".into(),
            phase: Some("baseline".into()),
            ..Report::default()
        };
        let r = Report {
            scenario: "overload".into(),
            refused: Refusals::from_counts([4, 3, 2, 1]),
            resends: 7,
            echoes: 1,
            held: 2,
            server_rss_max_kib: Some(1234),
            overload: Some(Overload {
                baseline_ack_p99_ms: 4.0,
                recovered_threshold_ms: 9.0,
                recovered_rule: RECOVERED_RULE.into(),
                recovered_after_s: None,
                recovery_series: vec![second(0, 10, 3.0)],
                rss_samples: 3,
            }),
            steps: vec![phase],
            ..Report::default()
        };
        let v: serde_json::Value = serde_json::from_str(&r.json().unwrap()).unwrap();
        for key in [
            "ack_from_send",
            "refusal",
            "resends",
            "echoes",
            "held",
            "not_written",
            "server_rss_max_kib",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        assert_eq!(v["refused"]["overloaded"], 4);
        assert_eq!(v["refused"]["rate_limited"], 3);
        assert_eq!(v["refused"]["unavailable"], 2);
        assert_eq!(v["refused"]["out_of_order"], 1);
        assert!(v["ack_from_send"].get("p99_ms").is_some());
        assert!(v["refusal"].get("p99_ms").is_some());
        let o = &v["overload"];
        // Not recovered is said, not left out.
        assert!(o["recovered_after_s"].is_null());
        assert_eq!(o["recovered_threshold_ms"], 9.0);
        assert_eq!(o["recovery_series"][0]["second"], 0);
        assert_eq!(o["recovery_series"][0]["ack_p99_ms"], 3.0);
        assert_eq!(v["steps"][0]["phase"], "baseline");
        // Other scenarios' reports carry no overload figures.
        let chat: serde_json::Value =
            serde_json::from_str(&Report::default().json().unwrap()).unwrap();
        assert!(chat.get("overload").is_none() && chat.get("phase").is_none());
    }
}
