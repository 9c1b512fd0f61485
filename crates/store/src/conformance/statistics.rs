//! The statistics record (docs/STATISTICS.md): one row per chat that ended, written in the
//! transaction that closed it or purged it unclosed, that survives the purge and holds nothing
//! that links it back to the chat.

use super::{closed_conversation, new_conversation, new_user, now};
use crate::*;
use ecoute_domain::{
    ChatStatistics, ClosingFacts, DurationBucket, Ending, Fact, Handovers, HourOfWeek, IsoWeek,
    Language, Outcome, ReporterKind, RetentionPolicy, WaitBucket,
};
use std::sync::Arc;
use time::Duration;

/// Every row, from the week of `from` to the week of `to`.
async fn rows(store: &dyn Store, from: OffsetDateTime, to: OffsetDateTime) -> Vec<ChatStatistics> {
    store
        .statistics(IsoWeek::of(from), IsoWeek::of(to))
        .await
        .expect("statistics")
}

/// A witness, a minor, writing in English, who said they are in danger now; a risk rule fires
/// twice, they wait 3 minutes, the chat changes hands once and closes forwarded 40 minutes
/// after it was taken, with two facts. The row says exactly that, coarsely, and no more; a
/// close the rules refuse writes nothing.
pub async fn closing_a_chat_writes_its_statistics_row_with_the_facts_the_service_passes(
    store: Arc<dyn Store>,
) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let bob = new_user(&*store, "bob", Role::Officer).await;
    let start = now() - Duration::hours(2);
    let mut intake = Intake::new(ReporterKind::Witness, true, Departement::parse("69"));
    intake.language = Language::parse("en").unwrap();
    intake.danger = true;
    let conv = store
        .create_conversation(NewConversation {
            id: ConversationId::new(),
            token_hash: [7; 32],
            intake,
            wrapped_key: vec![1, 2, 3],
            key_version: 1,
            created_at: start,
            force: Some(Force::Gendarmerie),
            proposed_unit: UnitId::parse("bpdj-69"),
            open_to_all_at: start,
            return_code: None,
        })
        .await
        .unwrap();
    store
        .raise_priority(
            conv.id,
            Priority::Danger,
            &["threat".to_string(), "suicide".to_string()],
        )
        .await
        .unwrap();
    let step = |actor, event, at| {
        let store = store.clone();
        async move {
            store
                .transition(conv.id, actor, event, at, None)
                .await
                .unwrap()
                .done()
                .unwrap()
        }
    };
    let claimed = start + Duration::minutes(3);
    step(Actor::Officer(alice.id), Event::Claim, claimed).await;
    step(
        Actor::Officer(alice.id),
        Event::Transfer { to: bob.id },
        claimed + Duration::minutes(5),
    )
    .await;
    assert!(rows(&*store, start, now()).await.is_empty(), "still open");

    let closing = ClosingFacts {
        facts: vec![Fact::Incest, Fact::Rape, Fact::Incest],
        unit: UnitId::parse("bpdj-69"),
        link: None,
    };
    let closed = store
        .transition_closing(
            conv.id,
            Actor::Officer(bob.id),
            Event::Close(Outcome::ReportForwarded),
            claimed + Duration::minutes(40),
            Some(NewAudit::by(&bob, "close", now()).on(conv.id)),
            closing.clone(),
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    let again = store
        .transition_closing(
            conv.id,
            Actor::Officer(bob.id),
            Event::Close(Outcome::InformationGiven),
            now(),
            None,
            closing,
        )
        .await
        .unwrap();
    assert!(matches!(again, Applied::Refused(_)));

    let expected = ChatStatistics {
        week: IsoWeek::of(start),
        hour: HourOfWeek::of(start),
        departement: Departement::parse("69"),
        force: Some(Force::Gendarmerie),
        unit: UnitId::parse("bpdj-69"),
        reporter: ReporterKind::Witness,
        minor: true,
        language: Language::parse("en").unwrap(),
        facts: vec![Fact::Rape, Fact::Incest],
        ending: Ending::Closed(Outcome::ReportForwarded),
        wait: Some(WaitBucket::OneToFive),
        duration: Some(DurationBucket::ThirtyToSixty),
        handovers: Handovers::of(1),
        quick_exit: false,
        left_before_answer: false,
        danger_path: true,
        risk_labels: vec!["suicide".into(), "threat".into()],
        // Filled in as its dossier goes on (conformance/forwarding.rs).
        dossier_state: None,
        first_contact: None,
    };
    let written = rows(&*store, start, now()).await;
    assert_eq!(written, [expected]);
    // Nothing in the row names the chat or the officers.
    let shown = format!("{written:?}");
    for secret in [
        conv.id.to_string(),
        alice.id.to_string(),
        bob.id.to_string(),
        "Agent".to_string(),
    ] {
        assert!(!shown.contains(&secret), "{secret} in {shown}");
    }
    assert!(closed.closed_at.is_some());
}

/// A chat left by quick exit while it waited, and a chat blocked while it waited, each end in
/// their transaction with a row: no facts, no duration, left before an answer; a chat that
/// was not forwarded keeps no unit even if the caller passes one.
pub async fn a_quick_exit_while_waiting_and_a_block_each_write_a_row_without_facts(
    store: Arc<dyn Store>,
) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let t = now();
    new_conversation(&*store, 1, t - Duration::seconds(30)).await;
    store.quick_exit([1; 32], t).await.unwrap().unwrap();
    let spam = new_conversation(&*store, 2, t - Duration::minutes(20)).await;
    store
        .transition_closing(
            spam.id,
            Actor::Officer(alice.id),
            Event::Block,
            t,
            None,
            ClosingFacts {
                facts: vec![],
                unit: UnitId::parse("bpdj-69"),
                link: None,
            },
        )
        .await
        .unwrap()
        .done()
        .unwrap();

    let mut written = rows(&*store, t - Duration::hours(1), t).await;
    written.sort_by_key(|r| r.ending.as_str());
    let endings: Vec<_> = written.iter().map(|r| r.ending).collect();
    assert_eq!(
        endings,
        [
            Ending::Closed(Outcome::Blocked),
            Ending::Closed(Outcome::VisitorLeft)
        ]
    );
    let (blocked, left) = (&written[0], &written[1]);
    assert_eq!(left.wait, Some(WaitBucket::UnderOneMinute));
    assert!(left.quick_exit && left.left_before_answer);
    assert_eq!(blocked.wait, Some(WaitBucket::FifteenToSixty));
    assert!(!blocked.quick_exit && blocked.left_before_answer);
    for row in &written {
        assert!(row.facts.is_empty());
        assert_eq!(row.duration, None);
        assert_eq!(row.unit, None);
        assert_eq!(row.handovers, Handovers::of(0));
    }
}

/// The purge deletes the chats and keeps their rows: a closed chat keeps the row of its close
/// (and gets no second one), a chat never closed gets its row in the purge's transaction.
pub async fn statistics_survive_the_purge_and_an_unclosed_chat_gets_its_row_there(
    store: Arc<dyn Store>,
) {
    let policy = RetentionPolicy::default();
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let t = now();
    let long_ago = t - Duration::days(3000);
    let closed = closed_conversation(
        &*store,
        alice.id,
        1,
        long_ago,
        Outcome::InformationGiven,
        t - Duration::days(400),
    )
    .await;
    let waiting = new_conversation(&*store, 2, t - Duration::days(400)).await;
    assert_eq!(rows(&*store, long_ago, t).await.len(), 1);

    let purged = store
        .purge(&[closed.id, waiting.id], &policy, t)
        .await
        .unwrap();
    assert_eq!(purged.conversations.len(), 2);
    assert!(store.conversation(closed.id).await.unwrap().is_none());
    assert!(store.conversation(waiting.id).await.unwrap().is_none());

    let written = rows(&*store, long_ago, t).await;
    let endings: Vec<_> = written.iter().map(|r| r.ending).collect();
    assert_eq!(
        endings,
        [
            Ending::Closed(Outcome::InformationGiven),
            Ending::PurgedUnclosed
        ],
        "ordered by week: the closed chat started first"
    );
    let unclosed = &written[1];
    assert_eq!(unclosed.week, IsoWeek::of(waiting.created_at));
    assert!(unclosed.left_before_answer);
    assert_eq!((unclosed.wait, unclosed.duration), (None, None));
    // Outside the weeks asked for, nothing.
    let later = IsoWeek::of(t + Duration::days(14));
    assert!(store.statistics(later, later).await.unwrap().is_empty());
}
