//! The retention purge: finds the conversations whose retention period is over and deletes
//! them, batch by batch. The server runs it on its own every `purge_interval_secs`; operators
//! run it, or preview it, with `ecoute purge [--dry-run]`.
//!
//! Logs carry counts only: never a conversation id, which would tie a log line to a chat.

use crate::config::RetentionConfig;
use ecoute_bus::{BusEvent, LocalBus, Topic};
use ecoute_domain::RetentionPolicy;
use ecoute_store::{PurgeCandidate, Purged, Store, StoreResult};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Conversations deleted per transaction: small enough that chats waiting for the single
/// writer are never held up for long, large enough that a backlog goes quickly.
pub const BATCH: u32 = 100;

/// The first run comes this long after the start (or after one interval, if shorter), so a
/// server that was stopped for a while catches up without delaying its start.
pub const FIRST_RUN_DELAY: Duration = Duration::from_secs(10);

/// What a purge run removed, in total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeTotals {
    /// Conversations deleted, with their wrapped data keys.
    pub conversations: u64,
    /// Messages deleted with them.
    pub messages: u64,
    /// Transactions used.
    pub batches: u64,
    /// Whether every batch also erased the deleted bytes from the database files.
    pub files_scrubbed: bool,
}

impl Default for PurgeTotals {
    fn default() -> Self {
        Self {
            conversations: 0,
            messages: 0,
            batches: 0,
            files_scrubbed: true,
        }
    }
}

/// Lists every conversation due at `now`, page by page, without changing anything.
pub async fn list_due(
    store: &dyn Store,
    policy: &RetentionPolicy,
    now: OffsetDateTime,
    mut on_page: impl FnMut(&[PurgeCandidate]),
) -> StoreResult<()> {
    let mut after: Option<PurgeCandidate> = None;
    loop {
        let page = store
            .purge_candidates(policy, now, after.as_ref(), BATCH)
            .await?;
        let Some(last) = page.last().cloned() else {
            return Ok(());
        };
        on_page(&page);
        after = Some(last);
    }
}

/// Purges every conversation due at `now`, one transaction per batch. `on_batch` hears about
/// each batch and may stop the run between two batches.
pub async fn purge_due(
    store: &dyn Store,
    policy: &RetentionPolicy,
    now: OffsetDateTime,
    mut on_batch: impl FnMut(&Purged, &PurgeTotals) -> ControlFlow<()>,
) -> StoreResult<PurgeTotals> {
    let mut totals = PurgeTotals::default();
    // The cursor moves past each batch even if some of it was kept (closed meanwhile), so a
    // run always ends.
    let mut after: Option<PurgeCandidate> = None;
    loop {
        let page = store
            .purge_candidates(policy, now, after.as_ref(), BATCH)
            .await?;
        let Some(last) = page.last().cloned() else {
            return Ok(totals);
        };
        let ids: Vec<_> = page.iter().map(|c| c.id).collect();
        let purged = store.purge(&ids, policy, now).await?;
        totals.conversations += purged.conversations.len() as u64;
        totals.messages += purged.messages;
        totals.batches += 1;
        // `None` (PostgreSQL) cannot be helped by purging again: only a failure to erase warns.
        totals.files_scrubbed &= purged.files_scrubbed != Some(false);
        if on_batch(&purged, &totals).is_break() {
            return Ok(totals);
        }
        after = Some(last);
    }
}

/// Starts the purge job: once shortly after the start, then every `purge_interval`, until
/// `stopping` turns true. A run in progress stops after its current batch; await the handle
/// before closing the store.
pub fn spawn_job(
    store: Arc<dyn Store>,
    bus: LocalBus,
    retention: RetentionConfig,
    mut stopping: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut next = Instant::now() + retention.purge_interval.min(FIRST_RUN_DELAY);
        loop {
            tokio::select! {
                // An error means the server is gone: stop as well.
                _ = stopping.wait_for(|stop| *stop) => return,
                () = tokio::time::sleep_until(next) => {}
            }
            run_once(&*store, &bus, &retention.policy, &stopping).await;
            next = Instant::now() + retention.purge_interval;
        }
    })
}

/// One run of the job: purge, tell live connections, log the counts.
async fn run_once(
    store: &dyn Store,
    bus: &LocalBus,
    policy: &RetentionPolicy,
    stopping: &watch::Receiver<bool>,
) {
    let started = Instant::now();
    let result = purge_due(store, policy, OffsetDateTime::now_utc(), |purged, _| {
        for &id in &purged.conversations {
            // A chat purged while never closed may still have a visitor socket holding its
            // data key in memory: revoking the token closes it.
            bus.publish(
                Topic::Conversation(id),
                BusEvent::TokenRevoked { conversation: id },
            );
        }
        if !purged.conversations.is_empty() {
            bus.publish(Topic::Queue, BusEvent::QueueChanged);
        }
        if *stopping.borrow() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .await;
    match result {
        Ok(totals) if totals.conversations > 0 => {
            tracing::info!(
                conversations = totals.conversations,
                messages = totals.messages,
                batches = totals.batches,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "retention purge deleted conversations past their retention period"
            );
            if !totals.files_scrubbed {
                tracing::warn!(
                    "the database's write-ahead log could not be truncated after the purge; \
                     deleted pages may remain in it until the next purge"
                );
            }
        }
        Ok(_) => tracing::debug!("retention purge found nothing to delete"),
        Err(e) => tracing::warn!(error = %e, "retention purge failed; it will run again"),
    }
    purge_presence_spans(store, OffsetDateTime::now_utc()).await;
    match purge_wellbeing(store, OffsetDateTime::now_utc()).await {
        Ok(n) => tracing::debug!(rows = n, "wellbeing purge"),
        Err(e) => tracing::warn!(error = %e, "wellbeing purge failed; it will run again"),
    }
}

/// How long the minutes officers held chats are kept: two days, enough for the longest window
/// (a day) and for "today" (docs/WELLBEING.md).
pub const EXPOSURE_KEPT: time::Duration = time::Duration::days(2);

/// How long breaks are kept once over: 35 days, so "time since the last break" reaches back
/// across holidays.
pub const BREAKS_KEPT: time::Duration = time::Duration::days(35);

/// Deletes the wellbeing records past their keeping (staff data, kept no longer than needed).
pub async fn purge_wellbeing(store: &dyn Store, now: OffsetDateTime) -> StoreResult<u64> {
    let minutes_before = ecoute_store::wellbeing::ExposureMinute::minute_of(now - EXPOSURE_KEPT);
    store
        .purge_wellbeing(minutes_before, now - BREAKS_KEPT)
        .await
}

/// Deletes the presence spans that ended more than
/// [`SPANS_KEPT_DAYS`](crate::service::shift::SPANS_KEPT_DAYS) days before `now`
/// (docs/SHIFTS.md). Returns how many, `None` when the database refused.
pub async fn purge_presence_spans(store: &dyn Store, now: OffsetDateTime) -> Option<u64> {
    let before = now - time::Duration::days(crate::service::shift::SPANS_KEPT_DAYS);
    match store.purge_presence_spans(before).await {
        Ok(n) => {
            if n > 0 {
                tracing::info!(spans = n, "presence spans past their retention deleted");
            }
            Some(n)
        }
        Err(e) => {
            tracing::warn!(error = %e, "presence spans purge failed; it will run again");
            None
        }
    }
}
