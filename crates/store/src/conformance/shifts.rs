//! Presence spans (docs/SHIFTS.md): one open span per person, closed when the presence
//! changes, confirmed by the node that holds the console, closed at its last confirmation when
//! no node confirms it any more, and purged once old.

use crate::shifts::PresenceSpan;
use crate::*;
use std::sync::Arc;
use time::Duration;

fn base() -> time::OffsetDateTime {
    // Whole milliseconds: what the store keeps.
    time::OffsetDateTime::from_unix_timestamp(1_780_000_000).expect("a time")
}

fn span(
    user: UserId,
    state: &str,
    from: time::OffsetDateTime,
    to: Option<time::OffsetDateTime>,
) -> PresenceSpan {
    PresenceSpan {
        user,
        state: state.into(),
        started_at: from,
        ended_at: to,
    }
}

/// A change closes the open span and opens the next; the same state again changes nothing;
/// going offline only closes. Spans are read by overlap with the period asked for.
pub async fn a_presence_change_closes_the_open_span_and_opens_the_next(store: Arc<dyn Store>) {
    let alice = super::new_user(&*store, "spans_alice", Role::Officer).await;
    let bob = super::new_user(&*store, "spans_bob", Role::Supervisor).await;
    let t = base();
    let m = Duration::minutes;
    store
        .record_presence_span(alice.id, Some("available"), t)
        .await
        .unwrap();
    store
        .record_presence_span(alice.id, Some("available"), t + m(5))
        .await
        .unwrap();
    store
        .record_presence_span(alice.id, Some("paused"), t + m(10))
        .await
        .unwrap();
    store
        .record_presence_span(alice.id, None, t + m(20))
        .await
        .unwrap();
    store
        .record_presence_span(alice.id, None, t + m(25))
        .await
        .unwrap();
    store
        .record_presence_span(bob.id, Some("paused"), t + m(15))
        .await
        .unwrap();

    let mut all = store.presence_spans(t - m(60), t + m(60)).await.unwrap();
    all.sort_by_key(|s| (s.user.0, s.started_at));
    let mut expected = vec![
        span(alice.id, "available", t, Some(t + m(10))),
        span(alice.id, "paused", t + m(10), Some(t + m(20))),
        span(bob.id, "paused", t + m(15), None),
    ];
    expected.sort_by_key(|s| (s.user.0, s.started_at));
    assert_eq!(all, expected);

    // Only what overlaps: from minute 12 to minute 14, Alice's pause alone.
    let overlap = store.presence_spans(t + m(12), t + m(14)).await.unwrap();
    assert_eq!(
        overlap,
        vec![span(alice.id, "paused", t + m(10), Some(t + m(20)))]
    );
    // Before anything: nothing.
    assert!(store.presence_spans(t - m(60), t).await.unwrap().is_empty());
}

/// Twenty nodes recording the same change at once open one span between them.
pub async fn nodes_recording_the_same_change_together_open_one_span(store: Arc<dyn Store>) {
    let carol = super::new_user(&*store, "spans_carol", Role::Officer).await;
    let t = base();
    let mut racing = Vec::new();
    for n in 0..20 {
        let store = store.clone();
        racing.push(tokio::spawn(async move {
            store
                .record_presence_span(carol.id, Some("available"), t + Duration::milliseconds(n))
                .await
        }));
    }
    for r in racing {
        r.await.unwrap().unwrap();
    }
    let spans = store
        .presence_spans(t - Duration::hours(1), t + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(spans[0].state, "available");
    assert_eq!(spans[0].ended_at, None);
}

/// A span its node keeps confirming stays open; one nobody confirmed since the limit is closed
/// at its last confirmation, not at the time of the sweep.
pub async fn an_unconfirmed_span_is_closed_at_its_last_confirmation(store: Arc<dyn Store>) {
    let dora = super::new_user(&*store, "spans_dora", Role::Officer).await;
    let eve = super::new_user(&*store, "spans_eve", Role::Officer).await;
    let t = base();
    let m = Duration::minutes;
    store
        .record_presence_span(dora.id, Some("available"), t)
        .await
        .unwrap();
    store
        .record_presence_span(eve.id, Some("paused"), t)
        .await
        .unwrap();
    // Dora's node confirms her twice; Eve's node died at once.
    store
        .confirm_presence_spans(&[dora.id], t + m(1))
        .await
        .unwrap();
    store
        .confirm_presence_spans(&[dora.id], t + m(3))
        .await
        .unwrap();
    // An older confirmation arriving late never moves it back.
    store
        .confirm_presence_spans(&[dora.id], t + m(2))
        .await
        .unwrap();
    let closed = store.close_lapsed_presence_spans(t + m(2)).await.unwrap();
    assert_eq!(closed, 1);
    let spans = store.presence_spans(t - m(1), t + m(10)).await.unwrap();
    let of = |u: UserId| of_user(&spans, u);
    assert_eq!(of(eve.id).ended_at, Some(t));
    assert_eq!(of(dora.id).ended_at, None);
    // Nothing left to close until Dora's confirmations stop too.
    assert_eq!(
        store.close_lapsed_presence_spans(t + m(3)).await.unwrap(),
        0
    );
    assert_eq!(
        store.close_lapsed_presence_spans(t + m(4)).await.unwrap(),
        1
    );
    let spans = store.presence_spans(t, t + m(10)).await.unwrap();
    assert_eq!(of_user(&spans, dora.id).ended_at, Some(t + m(3)));
}

fn of_user(spans: &[PresenceSpan], user: UserId) -> PresenceSpan {
    spans
        .iter()
        .find(|s| s.user == user)
        .cloned()
        .expect("a span")
}

/// The purge deletes spans that ended before its limit, never an open one.
pub async fn the_purge_deletes_only_spans_ended_before_the_limit(store: Arc<dyn Store>) {
    let finn = super::new_user(&*store, "spans_finn", Role::Officer).await;
    let t = base();
    let d = Duration::days;
    store
        .record_presence_span(finn.id, Some("available"), t - d(40))
        .await
        .unwrap();
    store
        .record_presence_span(finn.id, Some("paused"), t - d(36))
        .await
        .unwrap();
    store
        .record_presence_span(finn.id, Some("available"), t - d(34))
        .await
        .unwrap();
    assert_eq!(store.purge_presence_spans(t - d(35)).await.unwrap(), 1);
    let left = store.presence_spans(t - d(50), t).await.unwrap();
    assert_eq!(
        left,
        vec![
            span(finn.id, "paused", t - d(36), Some(t - d(34))),
            span(finn.id, "available", t - d(34), None),
        ]
    );
    // An open span is never purged, however old its start.
    assert_eq!(store.purge_presence_spans(t).await.unwrap(), 1);
    assert_eq!(
        store.presence_spans(t - d(50), t).await.unwrap(),
        vec![span(finn.id, "available", t - d(34), None)]
    );
}
