//! Officer wellbeing (docs/WELLBEING.md): the minutes each officer holds chats, sampled and
//! weighed; their exposure within the window; their breaks; "Mon service".

use super::*;
use crate::wellbeing::Exposures;
use ecoute_domain::{ChatFacts, Exposure, ExposureRule, HeldSpan, StateName, paris_offset};
use ecoute_store::wellbeing::{ExposureMinute, StoredBreak};
use std::collections::HashMap;
use tokio::sync::watch;

/// What "Mon service" shows an officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyService {
    /// Exposure within the window that ends now.
    pub window: Exposure,
    /// Exposure since midnight, Paris time.
    pub today: Exposure,
    /// The rule: window and threshold.
    pub rule: ExposureRule,
    /// The break going on, since when.
    pub on_break_since: Option<OffsetDateTime>,
    /// When their latest break ended (within the 35 days breaks are kept).
    pub last_break_ended: Option<OffsetDateTime>,
    /// Breaks begun today.
    pub breaks_today: u32,
}

impl MyService {
    /// Whether the window's exposure reached the threshold.
    pub fn over(&self) -> bool {
        self.rule.over(&self.window)
    }
}

/// One line of the supervisors' wellbeing panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WellbeingLine {
    /// Who.
    pub officer: UserId,
    /// Exposure within the window.
    pub exposure: Exposure,
    /// Reached the threshold.
    pub over: bool,
    /// Their latest break, if any within the 35 days kept.
    pub last_break: Option<StoredBreak>,
}

/// Midnight, Paris time, of the day `now` falls in.
pub fn start_of_day(now: OffsetDateTime) -> OffsetDateTime {
    let local = now.to_offset(paris_offset(now));
    local.replace_time(time::Time::MIDNIGHT)
}

/// Groups one-minute rows by officer and measures each between `from` and `to`.
fn measure(
    rows: &[ExposureMinute],
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> HashMap<UserId, Exposure> {
    let mut spans: HashMap<UserId, Vec<HeldSpan>> = HashMap::new();
    for row in rows {
        spans.entry(row.officer).or_default().push(row.span());
    }
    spans
        .into_iter()
        .map(|(officer, spans)| (officer, ecoute_domain::exposure(officer, &spans, from, to)))
        .collect()
}

impl ChatService {
    /// What a held chat is about now: its priority, its visitor's age, and the qualification
    /// its officer saved (opened with its data key; a chat whose file cannot be opened counts
    /// without it, and the failure is logged).
    async fn held_facts(&self, c: &Conversation) -> ChatFacts {
        let qualification = match self.data_key(c) {
            Ok(key) => match self.case_file(c.id, &key).await {
                Ok(file) => file.qualification,
                Err(_) => None,
            },
            Err(_) => None,
        };
        ChatFacts::of(c.priority, c.intake.minor, qualification.as_ref())
    }

    /// Records the minute `now` falls in for every chat held now with its visitor there (an
    /// active chat); a minute another node recorded already stays as it was. Returns how many
    /// minutes were new.
    pub async fn sample_exposure(&self, now: OffsetDateTime) -> Result<u64, ApiError> {
        let minute = ExposureMinute::minute_of(now);
        let mut rows = Vec::new();
        for c in self.store.live_conversations().await? {
            if c.state.name() != StateName::Active {
                continue;
            }
            let Some(officer) = c.state.officer() else {
                continue;
            };
            rows.push(ExposureMinute {
                officer,
                conversation: c.id,
                minute,
                facts: self.held_facts(&c).await,
            });
        }
        Ok(self.store.record_exposure(&rows).await?)
    }

    /// Every officer's exposure within the window that ends at `now`.
    pub async fn measure_exposures(
        &self,
        rule: ExposureRule,
        now: OffsetDateTime,
    ) -> Result<HashMap<UserId, Exposure>, ApiError> {
        let from = rule.window_start(now);
        let rows = self
            .store
            .exposure_minutes(None, ExposureMinute::minute_of(from))
            .await?;
        Ok(measure(&rows, from, now))
    }

    /// Samples and measures every `every` until `stopping` turns true. Every node does it: the
    /// store writes each (chat, minute) once, and each node measures for its own dispatcher and
    /// consoles. Once a minute is the right pace; tests and demonstrations go faster (a minute
    /// is still counted once, held or not at any of its samples).
    pub fn spawn_exposure_sampler(
        &self,
        exposures: Exposures,
        every: std::time::Duration,
        mut stopping: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let chat = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stopping.wait_for(|stop| *stop) => return,
                    _ = tick.tick() => {}
                }
                let now = OffsetDateTime::now_utc();
                if let Err(e) = chat.sample_exposure(now).await {
                    tracing::warn!(error = ?e, "cannot record this minute's exposure");
                }
                match chat.measure_exposures(exposures.rule(), now).await {
                    Ok(measured) => exposures.replace(measured),
                    Err(e) => tracing::warn!(error = ?e, "cannot measure the officers' exposure"),
                }
            }
        })
    }

    /// The officer begins a break now (audited); a break of theirs still open ends now.
    pub async fn begin_break(&self, officer: &User) -> Result<(), ApiError> {
        let at = now();
        let audit = NewAudit::by(officer, "break_started", at);
        Ok(self.store.start_break(officer.id, at, audit).await?)
    }

    /// The officer's break ends now (audited); `false` when none was open.
    pub async fn end_break(&self, officer: &User) -> Result<bool, ApiError> {
        let at = now();
        let audit = NewAudit::by(officer, "break_ended", at);
        Ok(self.store.end_break(officer.id, at, audit).await?)
    }

    /// The officer chose a presence on their console: a break begins when they choose it, and
    /// ends when they choose anything else (the router's presence changes after this).
    pub async fn presence_break(
        &self,
        officer: &User,
        chosen: ecoute_domain::Presence,
    ) -> Result<(), ApiError> {
        if chosen == ecoute_domain::Presence::Break {
            self.begin_break(officer).await
        } else {
            self.end_break(officer).await.map(|_| ())
        }
    }

    /// The break going on for an officer, since when.
    pub async fn break_since(&self, officer: UserId) -> Result<Option<OffsetDateTime>, ApiError> {
        Ok(self
            .store
            .breaks_since(Some(officer), now())
            .await?
            .into_iter()
            .find(|b| b.ended_at.is_none())
            .map(|b| b.started_at))
    }

    /// "Mon service": an officer's own exposure and breaks, measured at `now`.
    pub async fn my_service(
        &self,
        officer: UserId,
        rule: ExposureRule,
        now: OffsetDateTime,
    ) -> Result<MyService, ApiError> {
        let day = start_of_day(now);
        let window_start = rule.window_start(now);
        let from = day.min(window_start);
        let rows = self
            .store
            .exposure_minutes(Some(officer), ExposureMinute::minute_of(from))
            .await?;
        let spans: Vec<HeldSpan> = rows.iter().map(ExposureMinute::span).collect();
        let window = ecoute_domain::exposure(officer, &spans, window_start, now);
        let today = ecoute_domain::exposure(officer, &spans, day, now);
        let breaks = self.store.breaks_since(Some(officer), day).await?;
        let last = self
            .store
            .last_breaks()
            .await?
            .into_iter()
            .find(|b| b.officer == officer);
        Ok(MyService {
            window,
            today,
            rule,
            on_break_since: last.filter(|b| b.ended_at.is_none()).map(|b| b.started_at),
            last_break_ended: last.and_then(|b| b.ended_at),
            breaks_today: breaks.iter().filter(|b| b.started_at >= day).count() as u32,
        })
    }

    /// The supervisors' wellbeing panel: each of `officers` with their exposure as measured,
    /// and their latest break; longest without a break first (on break now last).
    pub async fn wellbeing_lines(
        &self,
        officers: &[UserId],
        exposures: &Exposures,
    ) -> Result<Vec<WellbeingLine>, ApiError> {
        let last: HashMap<UserId, StoredBreak> = self
            .store
            .last_breaks()
            .await?
            .into_iter()
            .map(|b| (b.officer, b))
            .collect();
        let mut lines: Vec<WellbeingLine> = officers
            .iter()
            .map(|id| WellbeingLine {
                officer: *id,
                exposure: exposures.of(*id),
                over: exposures.over(*id),
                last_break: last.get(id).copied(),
            })
            .collect();
        // Never a break first, then the oldest end; a break going on last.
        lines.sort_by_key(|l| match l.last_break {
            None => (0, OffsetDateTime::UNIX_EPOCH),
            Some(StoredBreak {
                ended_at: Some(end),
                ..
            }) => (1, end),
            Some(StoredBreak { started_at, .. }) => (2, started_at),
        });
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_day_starts_at_midnight_paris_time() {
        assert_eq!(
            start_of_day(datetime!(2026-07-01 21:30 UTC)),
            datetime!(2026-07-01 22:00 UTC) - time::Duration::days(1)
        );
        assert_eq!(
            start_of_day(datetime!(2026-07-01 22:30 UTC)),
            datetime!(2026-07-01 22:00 UTC)
        );
        assert_eq!(
            start_of_day(datetime!(2026-12-07 12:00 UTC)),
            datetime!(2026-12-06 23:00 UTC)
        );
    }

    #[test]
    fn sampled_minutes_are_measured_per_officer_within_the_window() {
        let (a, b) = (UserId::new(), UserId::new());
        let c = ConversationId::new();
        let row = |officer, minute, minor| ExposureMinute {
            officer,
            conversation: c,
            minute,
            facts: ChatFacts {
                minor,
                ..ChatFacts::default()
            },
        };
        let rows = [row(a, 100, true), row(a, 101, true), row(b, 102, false)];
        let from = ExposureMinute::start_of(100) + time::Duration::seconds(30);
        let to = ExposureMinute::start_of(103);
        let m = measure(&rows, from, to);
        // Half of minute 100 and all of 101, each weighing 2.
        assert_eq!(m[&a].weighted_seconds, 90 * 2);
        assert_eq!(m[&b].weighted_seconds, 60);
    }
}
