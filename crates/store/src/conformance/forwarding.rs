//! Forwarded reports: the consent asked and answered in the chat, one dossier per chat, the
//! states a unit records under the domain's rules, the person's withdrawal and messages, unit
//! accounts, the notification log, and the purge that takes dossiers with their chat.

use super::{closed_conversation, new_conversation, new_user, now};
use crate::*;
use ecoute_domain::{DossierError, DossierState, Outcome, RetentionDays, RetentionPolicy};
use std::sync::Arc;
use time::Duration;

fn unit(id: &str) -> UnitId {
    UnitId::parse(id).unwrap()
}

fn audit(action: &str) -> NewAudit {
    NewAudit::system(action, now())
}

fn new_dossier(conversation: ConversationId, unit_id: &str, at: OffsetDateTime) -> NewDossier {
    NewDossier {
        id: uuid::Uuid::new_v4(),
        conversation,
        reference: format!("ECT-{}", &conversation.to_string()[..8]),
        unit: unit(unit_id),
        produced_at: at,
        sealed_json: b"sealed json".to_vec(),
        sealed_pdf: b"sealed pdf".to_vec(),
        digest: "ab".repeat(32),
        signed_by: 1,
        statistics: None,
    }
}

/// A forwarded chat of `officer`, closed now, with its dossier for `unit_id`.
async fn forwarded(
    store: &dyn Store,
    officer: UserId,
    token: u8,
    unit_id: &str,
) -> (Conversation, NewDossier) {
    let c = closed_conversation(
        store,
        officer,
        token,
        now(),
        Outcome::ReportForwarded,
        now(),
    )
    .await;
    let d = new_dossier(c.id, unit_id, now());
    assert!(
        store
            .create_dossier(d.clone(), audit("dossier_produced"))
            .await
            .unwrap()
    );
    (c, d)
}

fn by_unit(by: UserId, state: DossierState) -> NewDossierEvent {
    NewDossierEvent {
        change: DossierChange::Unit { by, state },
        sealed_text: Some(b"note".to_vec()),
        at: now(),
        statistics: None,
    }
}

/// Only the officer holding the open chat asks; the visitor answers the question about that
/// unit once; a new question (another unit) forgets the earlier answer; nothing is answered
/// once the chat is closed.
pub async fn consent_is_asked_by_the_owner_and_answered_once_per_question(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let bob = new_user(&*store, "bob", Role::Officer).await;
    let c = new_conversation(&*store, 1, now()).await;
    let lyon = unit("commissariat-lyon");
    let villefranche = unit("bta-villefranche");
    assert!(
        !store
            .ask_consent(c.id, alice.id, &lyon, now(), audit("consent_asked"))
            .await
            .unwrap(),
        "nobody holds a waiting chat"
    );
    store
        .transition(c.id, Actor::Officer(alice.id), Event::Claim, now(), None)
        .await
        .unwrap()
        .done()
        .unwrap();
    assert!(store.consent(c.id).await.unwrap().is_none());
    assert!(
        !store
            .ask_consent(c.id, bob.id, &lyon, now(), audit("consent_asked"))
            .await
            .unwrap(),
        "not bob's chat"
    );
    assert!(
        !store
            .answer_consent(c.id, &lyon, true, b"x", now(), audit("consent_answered"))
            .await
            .unwrap(),
        "nothing asked yet"
    );
    assert!(
        store
            .ask_consent(c.id, alice.id, &lyon, now(), audit("consent_asked"))
            .await
            .unwrap()
    );
    let asked = store.consent(c.id).await.unwrap().unwrap();
    assert_eq!((asked.unit.clone(), asked.answer), (lyon.clone(), None));
    assert_eq!(asked.asked_by, alice.id);
    assert!(
        !store
            .answer_consent(c.id, &villefranche, true, b"x", now(), audit("a"))
            .await
            .unwrap(),
        "an answer about another unit than the one asked"
    );
    assert!(
        store
            .answer_consent(c.id, &lyon, true, b"sealed", now(), audit("a"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .answer_consent(c.id, &lyon, false, b"x", now(), audit("a"))
            .await
            .unwrap(),
        "answered once"
    );
    let given = store.consent(c.id).await.unwrap().unwrap();
    assert_eq!(given.answer, Some(true));
    assert_eq!(given.sealed.as_deref(), Some(&b"sealed"[..]));
    assert!(given.answered_at.is_some());

    // Asking about another unit forgets the yes.
    assert!(
        store
            .ask_consent(c.id, alice.id, &villefranche, now(), audit("q"))
            .await
            .unwrap()
    );
    let again = store.consent(c.id).await.unwrap().unwrap();
    assert_eq!(
        (again.unit, again.answer, again.sealed),
        (villefranche.clone(), None, None)
    );
    store
        .transition(
            c.id,
            Actor::Officer(alice.id),
            Event::Close(Outcome::InformationGiven),
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    assert!(
        !store
            .answer_consent(c.id, &villefranche, true, b"x", now(), audit("a"))
            .await
            .unwrap(),
        "the chat is closed"
    );
}

/// A chat has at most one dossier; a forwarded chat without one is listed for production; a
/// dossier is read by id, by chat and in lists per unit, open ones first.
pub async fn a_forwarded_chat_has_one_dossier_listed_per_unit(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let c = closed_conversation(&*store, alice.id, 1, now(), Outcome::ReportForwarded, now()).await;
    let informed = closed_conversation(
        &*store,
        alice.id,
        2,
        now(),
        Outcome::InformationGiven,
        now(),
    )
    .await;
    assert_eq!(
        store.forwarded_without_dossier(10).await.unwrap(),
        vec![c.id]
    );
    let d = new_dossier(c.id, "commissariat-lyon", now());
    assert!(
        store
            .create_dossier(d.clone(), audit("dossier_produced"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .create_dossier(new_dossier(c.id, "commissariat-lyon", now()), audit("x"))
            .await
            .unwrap(),
        "one dossier per chat"
    );
    assert!(
        store
            .forwarded_without_dossier(10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.dossier_of(informed.id).await.unwrap().is_none());
    let row = store.dossier(d.id).await.unwrap().unwrap();
    assert_eq!(row.state, DossierState::Sent);
    assert_eq!(row.conversation, c.id);
    assert_eq!(row.reference, d.reference);
    assert_eq!(row.produced_at, d.produced_at);
    assert_eq!((row.acknowledged_at, row.first_contact_at), (None, None));
    assert_eq!(store.dossier_of(c.id).await.unwrap(), Some(row.clone()));
    assert_eq!(
        store.dossier_files(d.id).await.unwrap(),
        Some((d.sealed_json.clone(), d.sealed_pdf.clone()))
    );
    assert!(store.dossier(uuid::Uuid::new_v4()).await.unwrap().is_none());

    let (_, other) = forwarded(&*store, alice.id, 3, "bta-villefranche").await;
    let (_, closed) = forwarded(&*store, alice.id, 4, "commissariat-lyon").await;
    let clerk = new_user(&*store, "clerk", Role::Officer).await;
    store
        .record_dossier_event(
            closed.id,
            by_unit(clerk.id, DossierState::Closed),
            audit("s"),
        )
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let lyon = store
        .dossiers(Some(&unit("commissariat-lyon")), 10)
        .await
        .unwrap();
    assert_eq!(
        lyon.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![d.id, closed.id],
        "open first, then closed"
    );
    let all = store.dossiers(None, 10).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().any(|d| d.id == other.id));
    assert_eq!(store.dossiers(None, 1).await.unwrap().len(), 1);
}

/// States follow the domain's rules, atomically: the first record acknowledges, the first
/// contact is dated once, a closed dossier takes nothing more; the person's messages change no
/// state; withdrawal closes. Everything recorded reads back in order, with who recorded it.
pub async fn dossier_states_follow_the_rules_and_every_record_is_kept_in_order(
    store: Arc<dyn Store>,
) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let clerk = new_user(&*store, "clerk", Role::Officer).await;
    let (_, d) = forwarded(&*store, alice.id, 1, "commissariat-lyon").await;
    let before = now() + Duration::seconds(1);
    assert_eq!(store.count_unacknowledged(before).await.unwrap(), 1);
    assert_eq!(
        store
            .count_unacknowledged(d.produced_at - Duration::seconds(1))
            .await
            .unwrap(),
        0,
        "only those older than the limit"
    );
    let record = |e| {
        let store = store.clone();
        async move {
            store
                .record_dossier_event(d.id, e, audit("dossier_state"))
                .await
                .unwrap()
                .unwrap()
        }
    };
    let r = record(by_unit(clerk.id, DossierState::Received))
        .await
        .unwrap();
    assert_eq!(r.state, DossierState::Received);
    assert!(r.acknowledged_at.is_some() && r.first_contact_at.is_none());
    assert_eq!(store.count_unacknowledged(before).await.unwrap(), 0);
    assert_eq!(
        record(by_unit(clerk.id, DossierState::Received)).await,
        Err(DossierError::AlreadyReceived)
    );
    let person = NewDossierEvent {
        change: DossierChange::PersonMessage,
        sealed_text: Some(b"je suis disponible le soir".to_vec()),
        at: now(),
        statistics: None,
    };
    assert_eq!(
        record(person.clone()).await.unwrap().state,
        DossierState::Received
    );
    let contacted = record(by_unit(clerk.id, DossierState::Contacted))
        .await
        .unwrap();
    let first = contacted.first_contact_at.unwrap();
    let later = record(by_unit(clerk.id, DossierState::AppointmentSet))
        .await
        .unwrap();
    assert_eq!(later.first_contact_at, Some(first), "dated once");
    assert_eq!(later.acknowledged_at, r.acknowledged_at);
    let withdraw = NewDossierEvent {
        change: DossierChange::Withdraw,
        sealed_text: None,
        at: now(),
        statistics: None,
    };
    assert_eq!(
        record(withdraw.clone()).await.unwrap().state,
        DossierState::Withdrawn
    );
    assert_eq!(
        record(by_unit(clerk.id, DossierState::Closed)).await,
        Err(DossierError::Closed)
    );
    assert_eq!(record(person).await, Err(DossierError::Closed));
    assert_eq!(record(withdraw).await, Err(DossierError::Closed));
    assert_eq!(
        store.dossier(d.id).await.unwrap().unwrap().state,
        DossierState::Withdrawn
    );
    let events = store.dossier_events(d.id).await.unwrap();
    let summary: Vec<_> = events
        .iter()
        .map(|e| (e.seq, e.state, e.by, e.by_name.clone()))
        .collect();
    let name = Some("Agent clerk".to_string());
    assert_eq!(
        summary,
        vec![
            (
                1,
                Some(DossierState::Received),
                Some(clerk.id),
                name.clone()
            ),
            (2, None, None, None),
            (
                3,
                Some(DossierState::Contacted),
                Some(clerk.id),
                name.clone()
            ),
            (4, Some(DossierState::AppointmentSet), Some(clerk.id), name),
            (5, Some(DossierState::Withdrawn), None, None),
        ]
    );
    assert_eq!(
        events[1].sealed_text.as_deref(),
        Some(&b"je suis disponible le soir"[..])
    );
    assert!(
        store
            .record_dossier_event(
                uuid::Uuid::new_v4(),
                by_unit(clerk.id, DossierState::Received),
                audit("x")
            )
            .await
            .unwrap()
            .is_none()
    );
}

/// Many records at once on one dossier: each gets its own number, and "received" is taken
/// once whatever the timing.
pub async fn concurrent_records_on_a_dossier_are_numbered_without_gaps(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let clerk = new_user(&*store, "clerk", Role::Officer).await;
    let (_, d) = forwarded(&*store, alice.id, 1, "commissariat-lyon").await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let store = store.clone();
        let state = if i % 2 == 0 {
            DossierState::Received
        } else {
            DossierState::ContactAttempted
        };
        tasks.push(tokio::spawn(async move {
            store
                .record_dossier_event(d.id, by_unit(clerk.id, state), audit("s"))
                .await
                .unwrap()
                .unwrap()
        }));
    }
    let mut received = 0;
    let mut done = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => done += 1,
            Err(DossierError::AlreadyReceived) => {}
            Err(e) => panic!("{e}"),
        }
    }
    let events = store.dossier_events(d.id).await.unwrap();
    for e in &events {
        if e.state == Some(DossierState::Received) {
            received += 1;
        }
    }
    assert!(received <= 1, "received at most once");
    assert_eq!(events.len(), done);
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=done as u64).collect::<Vec<_>>());
}

/// A unit's account keeps its unit; the other roles have none.
pub async fn a_unit_account_keeps_its_unit(store: Arc<dyn Store>) {
    let lyon = unit("commissariat-lyon");
    let created = store
        .create_user(
            NewUser {
                id: UserId::new(),
                username: "mpf-lyon".into(),
                display_name: "MPF Lyon".into(),
                role: Role::Unit,
                unit: Some(lyon.clone()),
                password_hash: "$argon2id$fake".into(),
                created_at: now(),
            },
            audit("user_created"),
        )
        .await
        .unwrap();
    assert_eq!(created.unit.as_ref(), Some(&lyon));
    let read = store.user_credentials("mpf-lyon").await.unwrap().unwrap();
    assert_eq!(read.user.role, Role::Unit);
    assert_eq!(read.user.unit, Some(lyon));
    let officer = new_user(&*store, "alice", Role::Officer).await;
    let read = store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!((read.user.unit, officer.unit), (None, None));
}

/// The notification log keeps who was told, when, and how it went, and nothing else.
pub async fn notifications_are_logged_without_content(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let (_, d) = forwarded(&*store, alice.id, 1, "commissariat-lyon").await;
    assert!(store.notifications(d.id).await.unwrap().is_empty());
    let first = NotificationRecord {
        dossier: d.id,
        unit: unit("commissariat-lyon"),
        at: now(),
        outcome: "unreachable".into(),
        attempts: 3,
    };
    let second = NotificationRecord {
        outcome: "delivered".into(),
        attempts: 1,
        at: now() + Duration::seconds(1),
        ..first.clone()
    };
    store.log_notification(first.clone()).await.unwrap();
    store.log_notification(second.clone()).await.unwrap();
    assert_eq!(
        store.notifications(d.id).await.unwrap(),
        vec![first, second]
    );
}

/// The purge takes a forwarded chat's dossier, its records, its consent and its notification
/// log with the chat (the files were sealed with the chat's key, which goes too); a dossier
/// whose chat is not due stays.
pub async fn purging_a_forwarded_chat_removes_its_dossier(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let clerk = new_user(&*store, "clerk", Role::Officer).await;
    let long_ago = now() - Duration::days(400);
    let old = closed_conversation(
        &*store,
        alice.id,
        1,
        long_ago,
        Outcome::ReportForwarded,
        long_ago,
    )
    .await;
    let old_dossier = new_dossier(old.id, "commissariat-lyon", long_ago);
    store
        .create_dossier(old_dossier.clone(), audit("p"))
        .await
        .unwrap();
    store
        .record_dossier_event(
            old_dossier.id,
            by_unit(clerk.id, DossierState::Received),
            audit("s"),
        )
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    store
        .log_notification(NotificationRecord {
            dossier: old_dossier.id,
            unit: unit("commissariat-lyon"),
            at: long_ago,
            outcome: "delivered".into(),
            attempts: 1,
        })
        .await
        .unwrap();
    let (recent, recent_dossier) = forwarded(&*store, alice.id, 2, "commissariat-lyon").await;
    // Forwarded reports kept one year here, so that the old one is due and the recent one not.
    let year = RetentionDays::new(365).unwrap();
    let policy = RetentionPolicy::default().with_outcome(Outcome::ReportForwarded, year);
    let purged = store
        .purge(&[old.id, recent.id], &policy, now())
        .await
        .unwrap();
    assert_eq!(purged.conversations, vec![old.id]);
    assert_eq!(purged.dossiers, 1);
    assert!(store.dossier(old_dossier.id).await.unwrap().is_none());
    assert!(store.dossier_files(old_dossier.id).await.unwrap().is_none());
    assert!(
        store
            .dossier_events(old_dossier.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .notifications(old_dossier.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.consent(old.id).await.unwrap().is_none());
    assert!(store.dossier(recent_dossier.id).await.unwrap().is_some());
}

/// A forwarded report's statistics row follows its dossier: no state before the dossier is
/// produced, `sent` once it is, then the latest state the unit records; the time to first
/// contact is measured from the production and set once. The purge takes the dossier and the
/// chat, and the row keeps what it had learnt.
pub async fn a_forwarded_reports_statistics_row_follows_its_dossier_and_outlives_its_purge(
    store: Arc<dyn Store>,
) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let clerk = new_user(&*store, "clerk", Role::Officer).await;
    let long_ago = now() - Duration::days(400);
    let week = ecoute_domain::IsoWeek::of(long_ago);
    let row = || {
        let store = store.clone();
        async move {
            let rows: Vec<_> = store
                .statistics(week, week)
                .await
                .unwrap()
                .into_iter()
                .filter(|r| r.ending == ecoute_domain::Ending::Closed(Outcome::ReportForwarded))
                .collect();
            assert_eq!(rows.len(), 1, "one row for the one forwarded chat");
            rows.into_iter().next().unwrap()
        }
    };
    // The service draws the row's id and seals it with the chat's key; the store keeps the
    // sealed copy beside the chat and writes the row under that id.
    let link = ecoute_domain::StatisticsLink {
        row: uuid::Uuid::new_v4(),
        sealed: b"the row's id, sealed with the chat's key".to_vec(),
    };
    let c = new_conversation(&*store, 1, long_ago).await;
    store
        .transition(c.id, Actor::Officer(alice.id), Event::Claim, long_ago, None)
        .await
        .unwrap()
        .done()
        .unwrap();
    store
        .transition_closing(
            c.id,
            Actor::Officer(alice.id),
            Event::Close(Outcome::ReportForwarded),
            long_ago + Duration::minutes(30),
            None,
            ecoute_domain::ClosingFacts {
                link: Some(link.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    assert_eq!(
        store.statistics_link(c.id).await.unwrap(),
        Some(link.sealed.clone()),
        "only the sealed id is kept beside the chat"
    );
    // Another chat closed the same week with another outcome: its row never moves.
    closed_conversation(
        &*store,
        alice.id,
        2,
        long_ago,
        Outcome::InformationGiven,
        long_ago + Duration::minutes(20),
    )
    .await;
    assert_eq!(row().await.dossier_state, None, "no dossier yet");

    let produced = long_ago + Duration::hours(1);
    let d = NewDossier {
        statistics: Some(link.row),
        ..new_dossier(c.id, "commissariat-lyon", produced)
    };
    store
        .create_dossier(d.clone(), audit("dossier_produced"))
        .await
        .unwrap();
    let r = row().await;
    assert_eq!(r.dossier_state, Some(DossierState::Sent));
    assert_eq!(r.first_contact, None);

    let record = |state, at| {
        let store = store.clone();
        async move {
            let event = NewDossierEvent {
                at,
                statistics: Some(link.row),
                ..by_unit(clerk.id, state)
            };
            store
                .record_dossier_event(d.id, event, audit("dossier_state"))
                .await
                .unwrap()
                .unwrap()
                .unwrap();
        }
    };
    record(DossierState::Received, produced + Duration::hours(2)).await;
    let r = row().await;
    assert_eq!(r.dossier_state, Some(DossierState::Received));
    assert_eq!(
        r.first_contact, None,
        "receiving is not reaching the person"
    );

    record(DossierState::Contacted, produced + Duration::hours(30)).await;
    record(DossierState::ComplaintTaken, produced + Duration::days(9)).await;
    let r = row().await;
    assert_eq!(r.dossier_state, Some(DossierState::ComplaintTaken));
    assert_eq!(
        r.first_contact,
        Some(ecoute_domain::ContactBucket::OneToThreeDays),
        "30 hours after the production, not the 9 days of the last record"
    );
    let others: Vec<_> = store
        .statistics(week, week)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.ending == ecoute_domain::Ending::Closed(Outcome::InformationGiven))
        .collect();
    assert_eq!(others.len(), 1);
    assert_eq!(others[0].dossier_state, None);

    let year = RetentionDays::new(365).unwrap();
    let policy = RetentionPolicy::default().with_outcome(Outcome::ReportForwarded, year);
    let purged = store.purge(&[c.id], &policy, now()).await.unwrap();
    assert_eq!(purged.conversations, vec![c.id]);
    assert!(store.dossier(d.id).await.unwrap().is_none());
    assert_eq!(
        store.statistics_link(c.id).await.unwrap(),
        None,
        "the link goes with the chat"
    );
    let r = row().await;
    assert_eq!(r.dossier_state, Some(DossierState::ComplaintTaken));
    assert_eq!(
        r.first_contact,
        Some(ecoute_domain::ContactBucket::OneToThreeDays)
    );
}
