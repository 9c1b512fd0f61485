//! The presence history (docs/STATISTICS.md, "The presence history"): per hour of each week,
//! the officer-minutes available over the minutes sampled, each minute counted once however
//! many nodes sample it.

use crate::*;
use ecoute_domain::{HourOfWeek, IsoWeek, PresenceHour, PresenceSample};
use std::sync::Arc;

fn sample(week: IsoWeek, hour: u8, minute: u8, officers: u32) -> PresenceSample {
    PresenceSample {
        week,
        hour: HourOfWeek::new(hour).expect("an hour of the week"),
        minute,
        officers,
    }
}

fn week(number: u8) -> IsoWeek {
    IsoWeek::new(2026, number).expect("a week of 2026")
}

/// Two nodes sample the same minute: the first one counts, the second writes nothing, even with
/// another count (its view of the others lagged). Other minutes of the hour add up.
pub async fn a_minute_of_presence_is_counted_once_however_many_nodes_sample_it(
    store: Arc<dyn Store>,
) {
    let w = week(10);
    assert!(store.record_presence(sample(w, 14, 5, 3)).await.unwrap());
    assert!(!store.record_presence(sample(w, 14, 5, 4)).await.unwrap());
    assert!(!store.record_presence(sample(w, 14, 5, 3)).await.unwrap());
    assert!(store.record_presence(sample(w, 14, 6, 2)).await.unwrap());
    assert!(store.record_presence(sample(w, 14, 59, 0)).await.unwrap());
    assert!(store.record_presence(sample(w, 14, 0, 1)).await.unwrap());

    let history = store.presence_history(w, w).await.unwrap();
    assert_eq!(
        history,
        [PresenceHour {
            week: w,
            hour: HourOfWeek::new(14).unwrap(),
            officer_minutes: 6,
            minutes_sampled: 4,
            minute_mask: (1 << 0) | (1 << 5) | (1 << 6) | (1 << 59),
        }]
    );
    assert_eq!(history[0].mean(), Some(1.5));
}

/// Twenty nodes racing on one minute: exactly one of them writes it.
pub async fn concurrent_samples_of_one_minute_are_counted_once(store: Arc<dyn Store>) {
    let w = week(11);
    let mut racing = Vec::new();
    for n in 0..20 {
        let store = store.clone();
        racing.push(tokio::spawn(async move {
            store.record_presence(sample(w, 100, 30, 2 + n % 2)).await
        }));
    }
    let mut written = 0;
    for r in racing {
        if r.await.unwrap().unwrap() {
            written += 1;
        }
    }
    assert_eq!(written, 1);
    let history = store.presence_history(w, w).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].minutes_sampled, 1);
    assert!((2..=3).contains(&history[0].officer_minutes));
}

/// The history is read by week and hour, for the weeks asked for only, whatever order it was
/// written in; a minute with nobody present is a minute of the record (a zero, not a gap).
pub async fn the_presence_history_is_read_by_week_and_hour_within_the_weeks_asked_for(
    store: Arc<dyn Store>,
) {
    for s in [
        sample(week(13), 167, 0, 1),
        sample(week(12), 3, 0, 0),
        sample(week(13), 0, 0, 2),
        sample(week(12), 2, 10, 5),
        sample(week(14), 0, 0, 9),
        sample(week(11), 0, 0, 9),
    ] {
        assert!(store.record_presence(s).await.unwrap());
    }
    let read: Vec<(IsoWeek, u8, u64, u32)> = store
        .presence_history(week(12), week(13))
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.week, h.hour.get(), h.officer_minutes, h.minutes_sampled))
        .collect();
    assert_eq!(
        read,
        [
            (week(12), 2, 5, 1),
            (week(12), 3, 0, 1),
            (week(13), 0, 2, 1),
            (week(13), 167, 1, 1),
        ]
    );
    assert!(
        store
            .presence_history(week(20), week(30))
            .await
            .unwrap()
            .is_empty()
    );
}
