//! Wellbeing (docs/WELLBEING.md): the minutes officers held chats, each (chat, minute) counted
//! once however many nodes sample it, and the breaks they take.

use super::{new_user, now};
use crate::wellbeing::{ExposureMinute, StoredBreak};
use crate::*;
use ecoute_domain::ChatFacts;
use std::sync::Arc;
use time::Duration;

fn minute(
    officer: UserId,
    conversation: ConversationId,
    minute: i64,
    minor: bool,
) -> ExposureMinute {
    ExposureMinute {
        officer,
        conversation,
        minute,
        facts: ChatFacts {
            minor,
            ..ChatFacts::default()
        },
    }
}

/// Two nodes sample the same minute of a chat: the first writes it, the second nothing, even
/// with other facts; reading back gives each officer's minutes from the minute asked for on.
pub async fn a_minute_held_is_recorded_once_however_many_nodes_sample_it(store: Arc<dyn Store>) {
    let a = new_user(&*store, "wb-a", Role::Officer).await;
    let b = new_user(&*store, "wb-b", Role::Officer).await;
    let (c1, c2) = (ConversationId::new(), ConversationId::new());
    let first = [minute(a.id, c1, 1000, true), minute(a.id, c2, 1000, false)];
    assert_eq!(store.record_exposure(&first).await.unwrap(), 2);
    assert_eq!(
        store
            .record_exposure(&[minute(b.id, c1, 1000, false), minute(a.id, c1, 1001, true)])
            .await
            .unwrap(),
        1,
        "the first sample of a (chat, minute) stands"
    );
    assert_eq!(store.record_exposure(&[]).await.unwrap(), 0);
    // Transferred: minute 1002 is officer b's.
    store
        .record_exposure(&[minute(b.id, c1, 1002, true)])
        .await
        .unwrap();

    let of_a = store.exposure_minutes(Some(a.id), 1000).await.unwrap();
    assert_eq!(
        of_a,
        [
            minute(a.id, c1.min(c2), 1000, c1 < c2),
            minute(a.id, c1.max(c2), 1000, c1 > c2),
            minute(a.id, c1, 1001, true),
        ]
    );
    assert_eq!(
        store.exposure_minutes(Some(a.id), 1001).await.unwrap(),
        [minute(a.id, c1, 1001, true)]
    );
    assert_eq!(
        store.exposure_minutes(Some(b.id), 0).await.unwrap(),
        [minute(b.id, c1, 1002, true)]
    );
    assert_eq!(store.exposure_minutes(None, 0).await.unwrap().len(), 4);
}

/// A break starts and ends with its audit; starting one while another is open ends the open
/// one; ending when none is open changes nothing and audits nothing; each officer's latest
/// break is found.
pub async fn breaks_start_and_end_with_their_audit_and_one_at_a_time(store: Arc<dyn Store>) {
    let a = new_user(&*store, "wb-c", Role::Officer).await;
    let b = new_user(&*store, "wb-d", Role::Officer).await;
    let t0 = now() - Duration::hours(3);
    let at = |m: i64| t0 + Duration::minutes(m);
    let audits = |s: &Arc<dyn Store>| {
        let s = s.clone();
        async move { s.audit_page(None, 1000).await.unwrap().len() }
    };
    let before = audits(&store).await;
    store
        .start_break(a.id, at(0), NewAudit::by(&a, "break_started", at(0)))
        .await
        .unwrap();
    assert!(
        store
            .end_break(a.id, at(15), NewAudit::by(&a, "break_ended", at(15)))
            .await
            .unwrap()
    );
    assert!(
        !store
            .end_break(a.id, at(16), NewAudit::by(&a, "break_ended", at(16)))
            .await
            .unwrap(),
        "no break open"
    );
    assert_eq!(audits(&store).await, before + 2);
    store
        .start_break(a.id, at(60), NewAudit::by(&a, "break_started", at(60)))
        .await
        .unwrap();
    // A second console starts one while the first is open: the first ends then.
    store
        .start_break(a.id, at(70), NewAudit::by(&a, "break_started", at(70)))
        .await
        .unwrap();
    store
        .start_break(b.id, at(5), NewAudit::by(&b, "break_started", at(5)))
        .await
        .unwrap();

    let of_a = store.breaks_since(Some(a.id), at(-10)).await.unwrap();
    assert_eq!(
        of_a,
        [
            StoredBreak {
                officer: a.id,
                started_at: at(0),
                ended_at: Some(at(15))
            },
            StoredBreak {
                officer: a.id,
                started_at: at(60),
                ended_at: Some(at(70))
            },
            StoredBreak {
                officer: a.id,
                started_at: at(70),
                ended_at: None
            },
        ]
    );
    // From minute 20 on: the first break is over before, so it is left out.
    assert_eq!(
        store.breaks_since(Some(a.id), at(20)).await.unwrap().len(),
        2
    );
    // Open breaks are listed whenever they began.
    assert_eq!(
        store.breaks_since(None, at(100)).await.unwrap(),
        [
            StoredBreak {
                officer: b.id,
                started_at: at(5),
                ended_at: None
            },
            StoredBreak {
                officer: a.id,
                started_at: at(70),
                ended_at: None
            },
        ]
    );
    let mut last = store.last_breaks().await.unwrap();
    last.sort_by_key(|b| b.started_at);
    assert_eq!(
        last.iter()
            .map(|b| (b.officer, b.started_at))
            .collect::<Vec<_>>(),
        [(b.id, at(5)), (a.id, at(70))]
    );
}

/// The purge removes the minutes before a minute and the breaks over before a time; open
/// breaks stay whatever their age.
pub async fn the_wellbeing_purge_keeps_recent_minutes_and_open_breaks(store: Arc<dyn Store>) {
    let a = new_user(&*store, "wb-e", Role::Officer).await;
    let c = ConversationId::new();
    store
        .record_exposure(&[minute(a.id, c, 10, false), minute(a.id, c, 20, false)])
        .await
        .unwrap();
    let t0 = now() - Duration::days(40);
    store
        .start_break(a.id, t0, NewAudit::by(&a, "break_started", t0))
        .await
        .unwrap();
    let t1 = t0 + Duration::minutes(10);
    store
        .end_break(a.id, t1, NewAudit::by(&a, "break_ended", t1))
        .await
        .unwrap();
    let t2 = t0 + Duration::days(1);
    store
        .start_break(a.id, t2, NewAudit::by(&a, "break_started", t2))
        .await
        .unwrap();
    let gone = store
        .purge_wellbeing(15, now() - Duration::days(35))
        .await
        .unwrap();
    assert_eq!(gone, 2);
    assert_eq!(
        store.exposure_minutes(Some(a.id), 0).await.unwrap(),
        [minute(a.id, c, 20, false)]
    );
    assert_eq!(
        store.breaks_since(Some(a.id), t0).await.unwrap(),
        [StoredBreak {
            officer: a.id,
            started_at: t2,
            ended_at: None
        }]
    );
}
