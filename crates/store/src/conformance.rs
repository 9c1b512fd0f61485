//! The storage story every backend must tell the same way.
//!
//! A backend's test file calls [`conformance_tests!`](crate::conformance_tests) with an
//! expression that yields a fresh, empty `Arc<dyn Store>`; each rule below becomes
//! one `#[tokio::test]` named after it.

use crate::*;
use ecoute_domain::{
    Departement, Outcome, ReporterKind, RetentionDays, RetentionPolicy, RetentionRule, StateName,
};
use std::sync::Arc;
use time::Duration;

mod accounts;
mod directory;
mod forwarding;
mod key_checks;
mod presence;
mod routing;
mod shifts;
mod signing;
mod statistics;
mod units;
pub use accounts::*;
mod wellbeing;
pub use directory::*;
pub use forwarding::*;
pub use key_checks::*;
pub use presence::*;
pub use routing::*;
pub use shifts::*;
pub use signing::*;
pub use statistics::*;
pub use units::*;
pub use wellbeing::*;

/// Generates one test per rule of the storage story for a backend.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@tests $make;
            a_new_conversation_waits_in_the_queue_in_arrival_order,
            the_visitor_token_finds_its_conversation_until_revoked,
            twenty_concurrent_claims_give_exactly_one_owner,
            transitions_follow_the_domain_rules,
            messages_get_gap_free_sequence_numbers_shared_by_both_sides,
            a_resent_client_id_is_stored_once,
            concurrent_appends_never_share_or_skip_a_sequence_number,
            concurrent_appends_to_many_conversations_are_each_kept_once,
            a_resend_racing_its_original_is_stored_once,
            messages_appended_together_keep_their_order_and_each_gets_its_own_answer,
            each_senders_messages_keep_their_order_while_many_others_write,
            a_visitor_device_writes_only_while_its_token_opens_the_conversation,
            writing_is_refused_when_the_rules_refuse_it,
            quick_exit_revokes_the_token_and_marks_the_chat,
            an_officer_lists_only_their_own_open_chats,
            closed_chats_are_listed_newest_first_by_officer_and_since_a_time,
            usernames_are_unique_and_credentials_are_found,
            staff_sessions_live_until_deleted,
            the_setup_code_creates_one_first_admin_once,
            unknown_conversations_are_reported_as_absent,
            a_totp_step_is_accepted_once_and_recovery_codes_once_each,
            a_new_password_and_renewed_recovery_codes_replace_the_old_ones_with_their_audit,
            the_pending_authenticator_secret_is_offered_once_per_account_until_cleared,
            login_failures_are_counted_per_username_within_the_window,
            the_audit_log_is_a_hash_chain_written_with_the_action,
            a_user_sees_their_own_sessions_only,
            blocking_a_chat_revokes_its_token,
            purge_candidates_are_exactly_the_conversations_past_their_retention_period,
            purge_candidates_come_in_pages_that_resume_after_the_last_one,
            purging_deletes_a_conversation_its_messages_and_its_wrapped_key,
            purging_keeps_a_conversation_that_is_not_due_any_more,
            conversations_below_a_key_version_are_listed_oldest_version_first_up_to_the_limit,
            a_rewrap_applies_only_while_the_row_holds_the_key_it_was_read_with,
            a_rewrap_changes_the_key_and_nothing_else,
            key_versions_are_counted_over_every_conversation,
            a_key_check_is_recorded_once_per_version_and_the_first_one_stays,
            a_secret_sealed_by_a_key_version_is_found_for_each_kind,
            totp_secrets_below_a_key_version_are_listed_oldest_version_first_up_to_the_limit,
            a_reseal_applies_only_while_the_account_holds_the_secret_it_was_read_with,
            an_officer_never_holds_more_chats_than_their_capacity_whatever_the_timing,
            concurrent_login_attempts_never_pass_the_failure_limit,
            an_officers_skills_and_capacity_are_stored_with_the_account,
            a_claim_respects_skills_until_the_chat_is_open_to_all,
            the_queue_is_served_by_priority_then_waiting_time,
            a_priority_is_never_lowered_and_labels_are_kept_once,
            a_visitor_changing_language_changes_what_the_chat_needs,
            concurrent_take_next_gives_each_chat_one_owner_within_capacity,
            transfers_and_releases_keep_the_history_and_respect_capacity,
            staff_notes_are_kept_in_order_with_their_author,
            the_force_table_is_replaced_whole_and_looked_up,
            a_postal_code_row_beats_its_departement_row,
            the_proposed_unit_is_stored_with_the_conversation,
            units_loaded_are_listed_by_id_and_read_one_by_one,
            a_second_units_load_replaces_the_first_whole,
            loading_units_is_audited,
            closing_a_chat_writes_its_statistics_row_with_the_facts_the_service_passes,
            a_quick_exit_while_waiting_and_a_block_each_write_a_row_without_facts,
            statistics_survive_the_purge_and_an_unclosed_chat_gets_its_row_there,
            the_days_figures_count_since_midnight,
            canned_replies_are_kept_by_unique_shortcut,
            only_the_owner_of_an_open_chat_writes_its_case_file,
            received_and_read_marks_only_move_forward,
            receipts_written_with_messages_keep_both_the_messages_and_the_furthest_marks,
            conversations_started_together_are_each_kept_and_a_taken_token_fails_alone,
            a_return_code_reopens_the_chat_with_a_new_token_but_never_a_blocked_one,
            the_directory_lists_national_services_then_the_departements_own,
            signing_keys_are_stored_once_per_version_and_the_newest_in_service_signs,
            a_signing_key_is_retired_only_while_a_newer_one_is_in_service,
            signing_keys_below_a_key_version_are_listed_counted_and_sealed_again,
            consent_is_asked_by_the_owner_and_answered_once_per_question,
            a_forwarded_chat_has_one_dossier_listed_per_unit,
            dossier_states_follow_the_rules_and_every_record_is_kept_in_order,
            concurrent_records_on_a_dossier_are_numbered_without_gaps,
            a_unit_account_keeps_its_unit,
            notifications_are_logged_without_content,
            purging_a_forwarded_chat_removes_its_dossier,
            a_forwarded_reports_statistics_row_follows_its_dossier_and_outlives_its_purge,
            a_minute_of_presence_is_counted_once_however_many_nodes_sample_it,
            concurrent_samples_of_one_minute_are_counted_once,
            the_presence_history_is_read_by_week_and_hour_within_the_weeks_asked_for,
            // Account administration
            a_disabled_account_loses_every_session_and_gets_none_until_enabled,
            the_last_enabled_administrator_can_be_neither_disabled_nor_demoted,
            two_administrators_disabling_each_other_at_once_leave_one_enabled,
            role_and_display_name_changes_are_stored_with_their_actor,
            an_account_link_is_spent_once_before_it_expires,
            concurrent_redemptions_of_one_link_have_one_winner,
            a_presence_change_closes_the_open_span_and_opens_the_next,
            nodes_recording_the_same_change_together_open_one_span,
            an_unconfirmed_span_is_closed_at_its_last_confirmation,
            the_purge_deletes_only_spans_ended_before_the_limit,
            a_minute_held_is_recorded_once_however_many_nodes_sample_it,
            breaks_start_and_end_with_their_audit_and_one_at_a_time,
            the_wellbeing_purge_keeps_recent_minutes_and_open_breaks,
            an_account_is_created_whole_or_not_at_all,
        );
    };
    (@tests $make:expr; $($name:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let store: std::sync::Arc<dyn $crate::Store> = $make;
                $crate::conformance::$name(store).await;
            }
        )+
    };
}

pub(crate) fn now() -> OffsetDateTime {
    // Whole milliseconds: what every backend can store exactly.
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond((t.nanosecond() / 1_000_000) * 1_000_000)
        .expect("valid nanosecond")
}

fn intake() -> Intake {
    Intake::new(ReporterKind::Victim, false, Departement::parse("75"))
}

pub(crate) async fn new_conversation(
    store: &dyn Store,
    token: u8,
    at: OffsetDateTime,
) -> Conversation {
    store
        .create_conversation(NewConversation {
            id: ConversationId::new(),
            token_hash: [token; 32],
            intake: intake(),
            wrapped_key: vec![1, 2, 3],
            key_version: 1,
            created_at: at,
            force: None,
            proposed_unit: None,
            open_to_all_at: at,
            return_code: None,
        })
        .await
        .expect("create conversation")
}

pub(crate) async fn new_user(store: &dyn Store, name: &str, role: Role) -> User {
    store
        .create_user(
            NewUser {
                id: UserId::new(),
                username: name.to_string(),
                display_name: format!("Agent {name}"),
                role,
                unit: None,
                password_hash: "$argon2id$fake".into(),
                created_at: now(),
            },
            NewAudit::system("user_created", now()),
        )
        .await
        .expect("create user")
}

async fn append(
    store: &dyn Store,
    conv: ConversationId,
    actor: Actor,
    client_id: &str,
) -> Result<Appended, TransitionError> {
    let cid = ClientMessageId::parse(client_id).expect("valid client id");
    let seal = |seq: Seq| format!("sealed-{seq}").into_bytes();
    store
        .append_message(NewMessage {
            conversation: conv,
            actor,
            client_id: cid.clone(),
            seal: Box::new(seal),
            now: now(),
            visitor_token: None,
        })
        .await
        .expect("store answers")
        .found()
        .expect("conversation exists")
}

/// Forty visitors start at once while messages are written (a backend may write them all in
/// one transaction): each gets their conversation, and the one start whose token is taken is
/// refused as a conflict without failing the others.
pub async fn conversations_started_together_are_each_kept_and_a_taken_token_fails_alone(
    store: Arc<dyn Store>,
) {
    let existing = new_conversation(&*store, 0, now()).await;
    let mut starts = Vec::new();
    for token in 1..=40u8 {
        let store = store.clone();
        // The last one draws a token already taken.
        let token_hash = [if token == 40 { 0 } else { token }; 32];
        starts.push(tokio::spawn(async move {
            store
                .create_conversation(NewConversation {
                    id: ConversationId::new(),
                    token_hash,
                    intake: intake(),
                    wrapped_key: vec![token],
                    key_version: 1,
                    created_at: now(),
                    force: None,
                    proposed_unit: None,
                    open_to_all_at: now(),
                    return_code: None,
                })
                .await
        }));
    }
    let mut writes = Vec::new();
    for i in 0..10 {
        let store = store.clone();
        writes.push(tokio::spawn(async move {
            append(&*store, existing.id, Actor::Visitor, &format!("v{i}")).await
        }));
    }
    let mut kept = Vec::new();
    for (i, start) in starts.into_iter().enumerate() {
        match start.await.expect("start task") {
            Ok(c) => kept.push(c),
            Err(StoreError::Conflict) if i == 39 => {}
            other => panic!("start {} answered {other:?}", i + 1),
        }
    }
    assert_eq!(kept.len(), 39, "every start but the one with a taken token");
    for write in writes {
        write.await.expect("write task").expect("written");
    }
    for c in &kept {
        let token = c.wrapped_key[0];
        let found = store
            .conversation_by_token([token; 32])
            .await
            .unwrap()
            .expect("found by its token");
        assert_eq!(found.id, c.id);
        assert_eq!(found.state, ConversationState::Waiting);
    }
    assert_eq!(
        store
            .conversation_by_token([0; 32])
            .await
            .unwrap()
            .unwrap()
            .id,
        existing.id,
        "the taken token still opens the conversation that had it"
    );
    assert_eq!(store.count_waiting().await.unwrap(), 40);
    let messages = store.messages_after(existing.id, 0, 100).await.unwrap();
    assert_eq!(messages.len(), 10);
}

/// Waiting conversations come out oldest first, with what the visitor told us.
pub async fn a_new_conversation_waits_in_the_queue_in_arrival_order(store: Arc<dyn Store>) {
    let t0 = now();
    let second = new_conversation(&*store, 2, t0 + Duration::seconds(5)).await;
    let first = new_conversation(&*store, 1, t0).await;
    assert_eq!(first.state, ConversationState::Waiting);
    assert_eq!(first.last_seq, 0);
    let queue = store.waiting_queue().await.unwrap();
    let ids: Vec<_> = queue.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![first.id, second.id]);
    assert_eq!(store.count_waiting().await.unwrap(), 2);
    assert_eq!(queue[0].intake, intake());
    assert_eq!(queue[0].created_at, t0);
    assert_eq!(queue[0].wrapped_key, vec![1, 2, 3]);
}

/// A token opens its own conversation, and nothing once revoked.
pub async fn the_visitor_token_finds_its_conversation_until_revoked(store: Arc<dyn Store>) {
    let conv = new_conversation(&*store, 7, now()).await;
    let found = store.conversation_by_token([7; 32]).await.unwrap().unwrap();
    assert_eq!(found.id, conv.id);
    assert!(
        store
            .conversation_by_token([8; 32])
            .await
            .unwrap()
            .is_none()
    );
    store.quick_exit([7; 32], now()).await.unwrap().unwrap();
    assert!(
        store
            .conversation_by_token([7; 32])
            .await
            .unwrap()
            .is_none()
    );
}

/// Twenty officers claiming the same chat at the same moment: one wins, nineteen are told.
pub async fn twenty_concurrent_claims_give_exactly_one_owner(store: Arc<dyn Store>) {
    let conv = new_conversation(&*store, 1, now()).await;
    let mut officers = Vec::new();
    for i in 0..20 {
        officers.push(new_user(&*store, &format!("officer{i}"), Role::Officer).await);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(officers.len()));
    let mut tasks = Vec::new();
    for officer in &officers {
        let (store, barrier, id) = (store.clone(), barrier.clone(), officer.id);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store
                .transition(conv.id, Actor::Officer(id), Event::Claim, now(), None)
                .await
                .unwrap()
                .found()
                .unwrap()
                .map(|c| (id, c))
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(won) => winners.push(won),
            Err(e) => assert_eq!(e, TransitionError::AlreadyClaimed),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one owner");
    let (winner, state) = &winners[0];
    assert_eq!(state.state, ConversationState::Active { officer: *winner });
    let stored = store.conversation(conv.id).await.unwrap().unwrap();
    assert_eq!(stored.state, ConversationState::Active { officer: *winner });
    assert!(stored.claimed_at.is_some());
    assert!(store.waiting_queue().await.unwrap().is_empty());
}

/// The backend applies the domain's rules, and records the times of each step.
pub async fn transitions_follow_the_domain_rules(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let bob = new_user(&*store, "bob", Role::Officer).await;
    let conv = new_conversation(&*store, 1, now()).await;
    let close = Event::Close(Outcome::InformationGiven);
    let t = |actor, event| {
        let store = store.clone();
        async move {
            store
                .transition(conv.id, actor, event, now(), None)
                .await
                .unwrap()
                .found()
                .unwrap()
        }
    };
    assert_eq!(
        t(Actor::Officer(alice.id), close).await,
        Err(TransitionError::NotClaimed)
    );
    let claimed = t(Actor::Officer(alice.id), Event::Claim).await.unwrap();
    assert_eq!(claimed.officer_name.as_deref(), Some("Agent alice"));
    assert_eq!(
        t(Actor::Officer(bob.id), close).await,
        Err(TransitionError::NotOwner)
    );
    let closed = t(Actor::Officer(alice.id), close).await.unwrap();
    assert_eq!(
        closed.state,
        ConversationState::Closed {
            outcome: Outcome::InformationGiven,
            officer: Some(alice.id)
        }
    );
    assert!(closed.closed_at.is_some());
    assert_eq!(
        t(Actor::Officer(alice.id), close).await,
        Err(TransitionError::Closed)
    );
}

/// Both sides share one sequence, 1, 2, 3…, and the sealed bytes are stored as given.
pub async fn messages_get_gap_free_sequence_numbers_shared_by_both_sides(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let conv = new_conversation(&*store, 1, now()).await;
    assert_eq!(
        append(&*store, conv.id, Actor::Visitor, "v1")
            .await
            .unwrap()
            .seq,
        1
    );
    store
        .transition(conv.id, Actor::Officer(alice.id), Event::Claim, now(), None)
        .await
        .unwrap()
        .done()
        .unwrap();
    assert_eq!(
        append(&*store, conv.id, Actor::Officer(alice.id), "o1")
            .await
            .unwrap()
            .seq,
        2
    );
    assert_eq!(
        append(&*store, conv.id, Actor::Visitor, "v2")
            .await
            .unwrap()
            .seq,
        3
    );
    let all = store.messages_after(conv.id, 0, 100).await.unwrap();
    let seqs: Vec<_> = all.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    assert_eq!(all[1].author, Author::Officer);
    assert_eq!(all[1].officer_id, Some(alice.id));
    assert_eq!(all[1].officer_name.as_deref(), Some("Agent alice"));
    assert_eq!(all[2].sealed_body, b"sealed-3");
    assert_eq!(all[2].client_id, "v2");
    let tail = store.messages_after(conv.id, 1, 1).await.unwrap();
    assert_eq!(tail.len(), 1);
    assert_eq!(tail[0].seq, 2);
    let stored = store.conversation(conv.id).await.unwrap().unwrap();
    assert_eq!(stored.last_seq, 3);
}

/// A resend with a known client id returns the first sequence number and writes nothing.
pub async fn a_resent_client_id_is_stored_once(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let conv = new_conversation(&*store, 1, now()).await;
    let first = append(&*store, conv.id, Actor::Visitor, "same")
        .await
        .unwrap();
    let again = append(&*store, conv.id, Actor::Visitor, "same")
        .await
        .unwrap();
    assert!(!first.duplicate);
    assert!(again.duplicate);
    assert_eq!(first.seq, again.seq);
    assert_eq!(first.sent_at, again.sent_at);
    assert_eq!(first.message, again.message);
    assert_eq!(first.message.sealed_body, b"sealed-1");
    // The same client id from the other side is another message.
    store
        .transition(conv.id, Actor::Officer(alice.id), Event::Claim, now(), None)
        .await
        .unwrap()
        .done()
        .unwrap();
    let officer = append(&*store, conv.id, Actor::Officer(alice.id), "same")
        .await
        .unwrap();
    assert_eq!(officer.seq, 2);
    assert_eq!(
        store.messages_after(conv.id, 0, 100).await.unwrap().len(),
        2
    );
}

/// Many writers at once: every message gets its own number and none is skipped.
pub async fn concurrent_appends_never_share_or_skip_a_sequence_number(store: Arc<dyn Store>) {
    let conv = new_conversation(&*store, 1, now()).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            append(&*store, conv.id, Actor::Visitor, &format!("m{i}"))
                .await
                .unwrap()
                .seq
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
}

/// Many conversations written at once (a backend may commit them together): every message
/// acknowledged is there afterwards, once, with its own conversation's sequence numbers; a
/// refusal among them changes nothing for the others.
pub async fn concurrent_appends_to_many_conversations_are_each_kept_once(store: Arc<dyn Store>) {
    let mut convs = Vec::new();
    for i in 0..20u8 {
        convs.push(new_conversation(&*store, 100 + i, now()).await);
    }
    let refused = convs[0].id;
    store.quick_exit([100; 32], now()).await.unwrap().unwrap();
    let mut tasks = Vec::new();
    for (c, conv) in convs.iter().enumerate() {
        for i in 0..10 {
            let store = store.clone();
            let id = conv.id;
            tasks.push(tokio::spawn(async move {
                (
                    c,
                    append(&*store, id, Actor::Visitor, &format!("c{c}m{i}")).await,
                )
            }));
        }
    }
    for t in tasks {
        let (c, outcome) = t.await.unwrap();
        if c == 0 {
            assert_eq!(outcome, Err(TransitionError::Closed));
        } else {
            assert!(outcome.is_ok(), "conversation {c}: {outcome:?}");
        }
    }
    for (c, conv) in convs.iter().enumerate() {
        let stored = store.messages_after(conv.id, 0, 100).await.unwrap();
        if conv.id == refused {
            assert!(stored.is_empty());
            continue;
        }
        let seqs: Vec<u64> = stored.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=10).collect::<Vec<_>>(), "conversation {c}");
        let mut ids: Vec<&str> = stored.iter().map(|m| m.client_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 10, "conversation {c}: each message once");
    }
}

/// A client that resends before its first attempt was answered (several sockets of one
/// device, a reconnect): the attempts may land in one commit, and still only one is stored,
/// and every attempt is told the same number.
pub async fn a_resend_racing_its_original_is_stored_once(store: Arc<dyn Store>) {
    let conv = new_conversation(&*store, 1, now()).await;
    let mut tasks = Vec::new();
    for attempt in 0..3 {
        for i in 0..20 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let appended = append(&*store, conv.id, Actor::Visitor, &format!("m{i}"))
                    .await
                    .unwrap();
                (i, attempt, appended)
            }));
        }
    }
    let mut answers: std::collections::BTreeMap<usize, Vec<Appended>> = Default::default();
    for t in tasks {
        let (i, _, appended) = t.await.unwrap();
        answers.entry(i).or_default().push(appended);
    }
    for (i, attempts) in &answers {
        assert_eq!(attempts.len(), 3);
        let fresh = attempts.iter().filter(|a| !a.duplicate).count();
        assert_eq!(fresh, 1, "m{i}: exactly one attempt writes");
        assert!(
            attempts.iter().all(|a| a.message == attempts[0].message),
            "m{i}: every attempt is told the same stored message"
        );
    }
    let stored = store.messages_after(conv.id, 0, 100).await.unwrap();
    let seqs: Vec<u64> = stored.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>());
    for m in &stored {
        let i: usize = m.client_id[1..].parse().unwrap();
        assert_eq!(
            answers[&i][0].seq, m.seq,
            "{} answered with its stored number",
            m.client_id
        );
    }
    assert_eq!(
        store.conversation(conv.id).await.unwrap().unwrap().last_seq,
        20
    );
}

/// One sender's messages handed over together (a console writing in several chats): stored in
/// the order given, each answered as if appended alone, a refusal among them changing nothing
/// for the others.
pub async fn messages_appended_together_keep_their_order_and_each_gets_its_own_answer(
    store: Arc<dyn Store>,
) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let first = new_conversation(&*store, 1, now()).await;
    let second = new_conversation(&*store, 2, now()).await;
    let not_hers = new_conversation(&*store, 3, now()).await;
    for c in [first.id, second.id] {
        store
            .transition(c, Actor::Officer(alice.id), Event::Claim, now(), None)
            .await
            .unwrap()
            .done()
            .unwrap();
    }
    append(&*store, first.id, Actor::Officer(alice.id), "before")
        .await
        .unwrap();
    let plan = [
        (first.id, "a"),
        (second.id, "b"),
        (not_hers.id, "c"),
        (first.id, "d"),
        (first.id, "before"),
        (second.id, "e"),
    ];
    let messages = plan
        .iter()
        .map(|(c, id)| NewMessage {
            conversation: *c,
            actor: Actor::Officer(alice.id),
            client_id: ClientMessageId::parse(id).unwrap(),
            seal: Box::new(|seq| format!("sealed-{seq}").into_bytes()),
            now: now(),
            visitor_token: None,
        })
        .collect();
    let answers: Vec<_> = store
        .append_messages(messages)
        .await
        .into_iter()
        .map(|a| {
            a.expect("store answers")
                .found()
                .expect("conversation exists")
        })
        .collect();
    assert_eq!(answers.len(), plan.len());
    let seqs: Vec<Option<(u64, bool)>> = answers
        .iter()
        .map(|a| a.as_ref().ok().map(|a| (a.seq, a.duplicate)))
        .collect();
    assert_eq!(
        seqs,
        vec![
            Some((2, false)),
            Some((1, false)),
            None,
            Some((3, false)),
            Some((1, true)),
            Some((2, false)),
        ]
    );
    assert_eq!(answers[2], Err(TransitionError::NotClaimed));
    let stored: Vec<_> = store
        .messages_after(first.id, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.seq, m.client_id))
        .collect();
    assert_eq!(
        stored,
        vec![(1, "before".into()), (2, "a".into()), (3, "d".into())]
    );
    assert_eq!(
        store.messages_after(second.id, 0, 10).await.unwrap().len(),
        2
    );
    assert!(
        store
            .messages_after(not_hers.id, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Many senders at once (a backend may gather them in one commit): ten visitors each writing
/// twenty messages one after the other, as their page sends them, while one officer's console
/// hands over a message for each of its three chats at a time. Each sender's messages are
/// stored in the order sent, every chat's numbers have no gap, and nothing is stored twice.
pub async fn each_senders_messages_keep_their_order_while_many_others_write(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let mut chats = Vec::new();
    for i in 0..10u8 {
        chats.push(new_conversation(&*store, 10 + i, now()).await.id);
    }
    for &c in &chats[..3] {
        store
            .transition(c, Actor::Officer(alice.id), Event::Claim, now(), None)
            .await
            .unwrap()
            .done()
            .unwrap();
    }
    let mut tasks = Vec::new();
    for &c in &chats {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..20 {
                append(&*store, c, Actor::Visitor, &format!("v{i:02}"))
                    .await
                    .expect("the visitor may write");
            }
        }));
    }
    let console = {
        let store = store.clone();
        let hers: Vec<ConversationId> = chats[..3].to_vec();
        tokio::spawn(async move {
            for i in 0..10 {
                let messages = hers
                    .iter()
                    .map(|&c| NewMessage {
                        conversation: c,
                        actor: Actor::Officer(alice.id),
                        client_id: ClientMessageId::parse(&format!("o{i:02}")).unwrap(),
                        seal: Box::new(|seq| format!("sealed-{seq}").into_bytes()),
                        now: now(),
                        visitor_token: None,
                    })
                    .collect();
                for answer in store.append_messages(messages).await {
                    let appended = answer.expect("store answers").done().expect("written");
                    assert!(!appended.duplicate);
                }
            }
        })
    };
    for t in tasks {
        t.await.unwrap();
    }
    console.await.unwrap();
    for (n, &c) in chats.iter().enumerate() {
        let stored = store.messages_after(c, 0, 100).await.unwrap();
        let total = if n < 3 { 30 } else { 20 };
        let seqs: Vec<u64> = stored.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=total).collect::<Vec<_>>(), "chat {n}");
        for author in [Author::Visitor, Author::Officer] {
            let ids: Vec<&str> = stored
                .iter()
                .filter(|m| m.author == author)
                .map(|m| m.client_id.as_str())
                .collect();
            let mut sorted = ids.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(
                ids, sorted,
                "chat {n}: {author:?} messages in the order sent"
            );
        }
    }
}

/// A visitor's device writes only while its token opens the conversation: another token, a
/// quick exit (which revokes it) or a return code (which replaces it) stop it, as if the
/// conversation were unknown. Officers carry no token.
pub async fn a_visitor_device_writes_only_while_its_token_opens_the_conversation(
    store: Arc<dyn Store>,
) {
    let conv = new_conversation(&*store, 7, now()).await;
    let other = new_conversation(&*store, 8, now()).await;
    let write = |id: ConversationId, token: [u8; 32], client_id: &str| {
        let store = store.clone();
        let client_id = ClientMessageId::parse(client_id).unwrap();
        async move {
            store
                .append_message(NewMessage {
                    conversation: id,
                    actor: Actor::Visitor,
                    client_id,
                    seal: Box::new(|seq| format!("sealed-{seq}").into_bytes()),
                    now: now(),
                    visitor_token: Some(token),
                })
                .await
                .expect("store answers")
        }
    };
    let first = write(conv.id, [7; 32], "a").await.found().unwrap().unwrap();
    assert_eq!(first.seq, 1);
    // Another conversation's token does not open this one, and the other way round.
    assert!(write(conv.id, [8; 32], "b").await.found().is_none());
    assert!(write(other.id, [7; 32], "c").await.found().is_none());
    // Revoked by a quick exit: nothing more from that device, not even a resend.
    store.quick_exit([7; 32], now()).await.unwrap().unwrap();
    assert!(write(conv.id, [7; 32], "d").await.found().is_none());
    assert!(write(conv.id, [7; 32], "a").await.found().is_none());
    let stored = store.messages_after(conv.id, 0, 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].client_id, "a");
    assert!(
        store
            .messages_after(other.id, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// No message is stored where the rules refuse it.
pub async fn writing_is_refused_when_the_rules_refuse_it(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let bob = new_user(&*store, "bob", Role::Officer).await;
    let conv = new_conversation(&*store, 1, now()).await;
    assert_eq!(
        append(&*store, conv.id, Actor::Officer(alice.id), "o1").await,
        Err(TransitionError::NotClaimed)
    );
    store
        .transition(conv.id, Actor::Officer(alice.id), Event::Claim, now(), None)
        .await
        .unwrap()
        .done()
        .unwrap();
    assert_eq!(
        append(&*store, conv.id, Actor::Officer(bob.id), "b1").await,
        Err(TransitionError::NotOwner)
    );
    store.quick_exit([1; 32], now()).await.unwrap().unwrap();
    assert_eq!(
        append(&*store, conv.id, Actor::Visitor, "v1").await,
        Err(TransitionError::Closed)
    );
    assert!(
        store
            .messages_after(conv.id, 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Quick exit: token revoked, chat marked, officer kept so they can be alerted and close it.
pub async fn quick_exit_revokes_the_token_and_marks_the_chat(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let _waiting = new_conversation(&*store, 1, now()).await;
    let active = new_conversation(&*store, 2, now()).await;
    store
        .transition(
            active.id,
            Actor::Officer(alice.id),
            Event::Claim,
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();

    let left_waiting = store.quick_exit([1; 32], now()).await.unwrap().unwrap();
    assert_eq!(
        left_waiting.state,
        ConversationState::Closed {
            outcome: Outcome::VisitorLeft,
            officer: None
        }
    );
    assert!(left_waiting.visitor_left_at.is_some());
    assert!(store.waiting_queue().await.unwrap().is_empty());

    let left_active = store.quick_exit([2; 32], now()).await.unwrap().unwrap();
    assert_eq!(
        left_active.state,
        ConversationState::VisitorLeft { officer: alice.id }
    );
    assert!(left_active.visitor_left_at.is_some());
    let open = store.open_chats_of(alice.id).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].state.name(), StateName::VisitorLeft);

    // A second exit with the same token finds nothing.
    assert!(store.quick_exit([2; 32], now()).await.unwrap().is_none());
}

/// An officer's list holds their open chats and nobody else's.
pub async fn an_officer_lists_only_their_own_open_chats(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let bob = new_user(&*store, "bob", Role::Officer).await;
    let a1 = new_conversation(&*store, 1, now()).await;
    let a2 = new_conversation(&*store, 2, now()).await;
    let b1 = new_conversation(&*store, 3, now()).await;
    for (c, o) in [(a1.id, alice.id), (a2.id, alice.id), (b1.id, bob.id)] {
        store
            .transition(c, Actor::Officer(o), Event::Claim, now(), None)
            .await
            .unwrap()
            .done()
            .unwrap();
    }
    store
        .transition(
            a2.id,
            Actor::Officer(alice.id),
            Event::Close(Outcome::ReferredToSupport),
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    let mine: Vec<_> = store
        .open_chats_of(alice.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(mine, vec![a1.id]);
}

/// Closed chats: an officer's own, or everyone's, closed since a time, the latest first.
pub async fn closed_chats_are_listed_newest_first_by_officer_and_since_a_time(
    store: Arc<dyn Store>,
) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let bob = new_user(&*store, "bob", Role::Officer).await;
    let t0 = now() - days(10);
    let at = |d: i64| t0 + days(d);
    let old = closed_conversation(
        &*store,
        alice.id,
        1,
        at(0),
        Outcome::InformationGiven,
        at(1),
    )
    .await;
    let a = closed_conversation(
        &*store,
        alice.id,
        2,
        at(2),
        Outcome::InformationGiven,
        at(3),
    )
    .await;
    let b = closed_conversation(&*store, bob.id, 3, at(2), Outcome::InformationGiven, at(4)).await;
    let a_later = closed_conversation(
        &*store,
        alice.id,
        4,
        at(5),
        Outcome::ReferredToSupport,
        at(6),
    )
    .await;
    let open = new_conversation(&*store, 5, at(5)).await;
    let ids = |cs: Vec<Conversation>| cs.into_iter().map(|c| c.id).collect::<Vec<_>>();

    let alices = store
        .closed_conversations(Some(alice.id), at(2), 10)
        .await
        .unwrap();
    assert_eq!(
        ids(alices),
        vec![a_later.id, a.id],
        "hers, since day 2, latest first"
    );
    let everyone = store.closed_conversations(None, at(0), 10).await.unwrap();
    assert_eq!(ids(everyone), vec![a_later.id, b.id, a.id, old.id]);
    assert!(
        !store
            .closed_conversations(None, at(0), 10)
            .await
            .unwrap()
            .iter()
            .any(|c| c.id == open.id)
    );
    let first = store.closed_conversations(None, at(0), 2).await.unwrap();
    assert_eq!(ids(first), vec![a_later.id, b.id], "at most the limit");
    assert!(
        store
            .closed_conversations(Some(bob.id), at(5), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Usernames are unique; credentials come back with the hash.
pub async fn usernames_are_unique_and_credentials_are_found(store: Arc<dyn Store>) {
    assert_eq!(store.count_users().await.unwrap(), 0);
    let alice = new_user(&*store, "alice", Role::Supervisor).await;
    assert_eq!(store.count_users().await.unwrap(), 1);
    let again = store
        .create_user(
            NewUser {
                id: UserId::new(),
                username: "alice".into(),
                display_name: "Other".into(),
                role: Role::Officer,
                unit: None,
                password_hash: "x".into(),
                created_at: now(),
            },
            NewAudit::system("user_created", now()),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict)));
    let found = store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(found.user, alice);
    assert_eq!(found.password_hash, "$argon2id$fake");
    assert!(store.user_credentials("nobody").await.unwrap().is_none());
}

/// A session is found by its hash, remembers activity, and is gone once deleted.
pub async fn staff_sessions_live_until_deleted(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let t0 = now();
    store
        .create_session(
            [9; 32],
            "s-9",
            alice.id,
            t0,
            NewAudit::by(&alice, "login", t0),
        )
        .await
        .unwrap();
    let s = store.session([9; 32]).await.unwrap().unwrap();
    assert_eq!(s.user, alice);
    assert_eq!(s.created_at, t0);
    let later = t0 + Duration::minutes(3);
    store.touch_session([9; 32], later).await.unwrap();
    let s = store.session([9; 32]).await.unwrap().unwrap();
    assert_eq!(s.last_seen_at, later);
    assert_eq!(s.created_at, t0);
    store.delete_session([9; 32]).await.unwrap();
    assert!(store.session([9; 32]).await.unwrap().is_none());
    assert!(store.session([8; 32]).await.unwrap().is_none());
}

/// The setup code works once, before it expires, only while no account exists, and only the
/// last one issued: each start of a node with no account prints a new link, which withdraws the
/// links printed before it (a cluster started at once has one valid link, not one per node).
pub async fn the_setup_code_creates_one_first_admin_once(store: Arc<dyn Store>) {
    let t0 = now();
    let admin = |name: &str| NewUser {
        id: UserId::new(),
        username: name.into(),
        display_name: name.into(),
        role: Role::Admin,
        unit: None,
        password_hash: "h".into(),
        created_at: t0,
    };
    let redeem = |code: u8, name: &'static str| {
        let store = store.clone();
        async move {
            store
                .redeem_setup_code([code; 32], t0, admin(name), NewAudit::system("setup", t0))
                .await
                .unwrap()
        }
    };
    store
        .create_setup_code([3; 32], t0 - Duration::seconds(1))
        .await
        .unwrap();
    assert!(redeem(3, "late").await.is_none(), "expired");
    store
        .create_setup_code([1; 32], t0 + Duration::hours(1))
        .await
        .unwrap();
    store
        .create_setup_code([2; 32], t0 + Duration::hours(1))
        .await
        .unwrap();
    assert!(
        redeem(1, "first").await.is_none(),
        "replaced by a later link"
    );
    assert!(redeem(4, "wrong").await.is_none(), "unknown");
    let created = redeem(2, "root").await.unwrap();
    assert_eq!(created.role, Role::Admin);
    assert!(redeem(2, "again").await.is_none(), "used");
    store
        .create_setup_code([5; 32], t0 + Duration::hours(1))
        .await
        .unwrap();
    assert!(redeem(5, "second").await.is_none(), "an account exists");
    assert_eq!(store.count_users().await.unwrap(), 1);
}

/// Asking about a conversation that does not exist is not an error, it is an absence.
pub async fn unknown_conversations_are_reported_as_absent(store: Arc<dyn Store>) {
    let ghost = ConversationId::new();
    assert!(store.conversation(ghost).await.unwrap().is_none());
    assert!(
        store
            .transition(ghost, Actor::Visitor, Event::QuickExit, now(), None)
            .await
            .unwrap()
            .found()
            .is_none()
    );
    let cid = ClientMessageId::parse("x").unwrap();
    let seal = |_s: Seq| Vec::new();
    assert!(
        store
            .append_message(NewMessage {
                conversation: ghost,
                actor: Actor::Visitor,
                client_id: cid.clone(),
                seal: Box::new(seal),
                now: now(),
                visitor_token: None,
            })
            .await
            .unwrap()
            .found()
            .is_none()
    );
    assert!(store.messages_after(ghost, 0, 10).await.unwrap().is_empty());
}

/// Enrolment stores the sealed secret; each step and each recovery code works once.
pub async fn a_totp_step_is_accepted_once_and_recovery_codes_once_each(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    assert!(!alice.totp_enrolled);
    store
        .enrol_totp(
            alice.id,
            StoredTotp {
                sealed: vec![7; 40],
                key_version: 1,
                last_step: None,
            },
            vec![[1; 32], [2; 32]],
            NewAudit::by(&alice, "totp_enrolled", now()),
        )
        .await
        .unwrap();
    let creds = store.user_credentials("alice").await.unwrap().unwrap();
    assert!(creds.user.totp_enrolled);
    let totp = creds.totp.unwrap();
    assert_eq!(totp.sealed, vec![7; 40]);
    assert_eq!(totp.last_step, None);
    assert!(store.use_totp_step(alice.id, 100).await.unwrap());
    assert!(!store.use_totp_step(alice.id, 100).await.unwrap(), "replay");
    assert!(
        !store.use_totp_step(alice.id, 99).await.unwrap(),
        "older step"
    );
    assert!(store.use_totp_step(alice.id, 101).await.unwrap());
    let creds = store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(creds.totp.unwrap().last_step, Some(101));

    assert_eq!(store.recovery_codes_left(alice.id).await.unwrap(), 2);
    assert!(
        store
            .use_recovery_code(alice.id, [1; 32], now())
            .await
            .unwrap()
    );
    assert!(
        !store
            .use_recovery_code(alice.id, [1; 32], now())
            .await
            .unwrap()
    );
    assert!(
        !store
            .use_recovery_code(alice.id, [9; 32], now())
            .await
            .unwrap()
    );
    assert_eq!(store.recovery_codes_left(alice.id).await.unwrap(), 1);
    // A second enrolment is refused and changes nothing: a secret is never replaced silently.
    let again = store
        .enrol_totp(
            alice.id,
            StoredTotp {
                sealed: vec![8; 40],
                key_version: 1,
                last_step: Some(5),
            },
            vec![[3; 32]],
            NewAudit::by(&alice, "totp_enrolled", now()),
        )
        .await
        .unwrap();
    assert!(!again);
    let creds = store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(creds.totp.unwrap().sealed, vec![7; 40]);
    assert!(
        store
            .use_recovery_code(alice.id, [2; 32], now())
            .await
            .unwrap()
    );
}

/// A new password hash replaces the old one; renewed recovery codes replace every old code,
/// spent or not; each change is written with its audit entry.
pub async fn a_new_password_and_renewed_recovery_codes_replace_the_old_ones_with_their_audit(
    store: Arc<dyn Store>,
) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    store
        .enrol_totp(
            alice.id,
            StoredTotp {
                sealed: vec![7; 40],
                key_version: 1,
                last_step: None,
            },
            vec![[1; 32], [2; 32]],
            NewAudit::by(&alice, "totp_enrolled", now()),
        )
        .await
        .unwrap();
    assert!(
        store
            .use_recovery_code(alice.id, [1; 32], now())
            .await
            .unwrap()
    );
    store
        .set_password(
            alice.id,
            "new-hash",
            NewAudit::by(&alice, "password_changed", now()),
        )
        .await
        .unwrap();
    let creds = store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(creds.password_hash, "new-hash");
    assert_eq!(creds.totp.unwrap().sealed, vec![7; 40], "the secret stays");

    store
        .replace_recovery_codes(
            alice.id,
            vec![[3; 32], [4; 32], [5; 32]],
            NewAudit::by(&alice, "recovery_codes_renewed", now()),
        )
        .await
        .unwrap();
    assert_eq!(store.recovery_codes_left(alice.id).await.unwrap(), 3);
    assert!(
        !store
            .use_recovery_code(alice.id, [2; 32], now())
            .await
            .unwrap(),
        "an old unspent code no longer works"
    );
    assert!(
        store
            .use_recovery_code(alice.id, [3; 32], now())
            .await
            .unwrap()
    );
    let actions: Vec<_> = store
        .audit_page(None, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.actor == Some(alice.id))
        .map(|r| r.entry.action)
        .collect();
    assert!(actions.contains(&"password_changed".to_string()));
    assert!(actions.contains(&"recovery_codes_renewed".to_string()));
}

/// Failures are counted per typed username, known or not, and forgotten after the window.
pub async fn login_failures_are_counted_per_username_within_the_window(store: Arc<dyn Store>) {
    let t0 = now();
    let fail = |name: &'static str, at: OffsetDateTime| {
        let store = store.clone();
        async move {
            let mut audit = NewAudit::system("login_failed", at);
            audit.actor_name = Some(name.to_string());
            store
                .record_login_failure(name, at - Duration::hours(1), audit)
                .await
                .unwrap();
        }
    };
    fail("ghost", t0 - Duration::minutes(90)).await;
    fail("ghost", t0 - Duration::minutes(30)).await;
    fail("ghost", t0 - Duration::minutes(10)).await;
    fail("other", t0).await;
    let (n, oldest) = store
        .login_failures_since("ghost", t0 - Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(oldest, Some(t0 - Duration::minutes(30)));
    assert_eq!(
        store
            .login_failures_since("nobody", t0 - Duration::hours(1))
            .await
            .unwrap(),
        (0, None)
    );
}

/// Entries chain by hash, are written in the same transaction as the action they record, and
/// come back page by page.
pub async fn the_audit_log_is_a_hash_chain_written_with_the_action(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let conv = new_conversation(&*store, 1, now()).await;
    store
        .transition(
            conv.id,
            Actor::Officer(alice.id),
            Event::Claim,
            now(),
            Some(NewAudit::by(&alice, "claim", now()).on(conv.id)),
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    // A refused transition writes no entry.
    let refused = store
        .transition(
            conv.id,
            Actor::Officer(alice.id),
            Event::Claim,
            now(),
            Some(NewAudit::by(&alice, "claim", now()).on(conv.id)),
        )
        .await
        .unwrap()
        .found()
        .unwrap();
    assert!(refused.is_err());
    store
        .append_audit(NewAudit::by(&alice, "read", now()).on(conv.id))
        .await
        .unwrap();

    let all = store.audit_after(0, 100).await.unwrap();
    let actions: Vec<_> = all.iter().map(|r| r.entry.action.as_str()).collect();
    assert_eq!(actions, vec!["user_created", "claim", "read"]);
    let mut prev = ecoute_crypto::audit::GENESIS.to_vec();
    for (i, record) in all.iter().enumerate() {
        assert_eq!(record.seq, i as u64 + 1);
        assert_eq!(record.prev_hash, prev);
        let prev_arr: [u8; 32] = record.prev_hash.clone().try_into().unwrap();
        assert_eq!(
            record.hash,
            record.entry.hash(record.seq, &prev_arr).to_vec()
        );
        prev = record.hash.clone();
    }
    assert_eq!(all[1].entry.conversation, Some(conv.id));
    assert_eq!(all[1].entry.actor, Some(alice.id));
    let newest = store.audit_page(None, 2).await.unwrap();
    assert_eq!(newest.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![3, 2]);
    let older = store.audit_page(Some(2), 10).await.unwrap();
    assert_eq!(older.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1]);
}

/// Listing sessions shows one's own, with a public id.
pub async fn a_user_sees_their_own_sessions_only(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let bob = new_user(&*store, "bob", Role::Officer).await;
    let t0 = now();
    for (hash, id, user) in [
        ([1; 32], "a1", &alice),
        ([2; 32], "a2", &alice),
        ([3; 32], "b1", &bob),
    ] {
        store
            .create_session(hash, id, user.id, t0, NewAudit::by(user, "login", t0))
            .await
            .unwrap();
    }
    let mine = store.sessions_of(alice.id).await.unwrap();
    let mut ids: Vec<_> = mine.iter().map(|s| s.id.clone()).collect();
    ids.sort();
    assert_eq!(ids, vec!["a1", "a2"]);
    assert_eq!(store.session([3; 32]).await.unwrap().unwrap().id, "b1");
}

/// A blocked chat is closed and its token no longer opens it.
pub async fn blocking_a_chat_revokes_its_token(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let conv = new_conversation(&*store, 4, now()).await;
    let blocked = store
        .transition(
            conv.id,
            Actor::Officer(alice.id),
            Event::Block,
            now(),
            Some(NewAudit::by(&alice, "block", now()).on(conv.id)),
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    assert_eq!(
        blocked.state,
        ConversationState::Closed {
            outcome: Outcome::Blocked,
            officer: Some(alice.id)
        }
    );
    assert!(
        store
            .conversation_by_token([4; 32])
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.waiting_queue().await.unwrap().is_empty());
}

/// Opens a conversation at `created`, claims it, and closes it with `outcome` at `closed`.
pub(crate) async fn closed_conversation(
    store: &dyn Store,
    officer: UserId,
    token: u8,
    created: OffsetDateTime,
    outcome: Outcome,
    closed: OffsetDateTime,
) -> Conversation {
    let conv = new_conversation(store, token, created).await;
    store
        .transition(
            conv.id,
            Actor::Officer(officer),
            Event::Claim,
            created,
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    store
        .transition(
            conv.id,
            Actor::Officer(officer),
            Event::Close(outcome),
            closed,
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap()
}

/// Every candidate, page after page.
async fn all_candidates(
    store: &dyn Store,
    policy: &RetentionPolicy,
    at: OffsetDateTime,
    page: u32,
) -> Vec<PurgeCandidate> {
    let mut all: Vec<PurgeCandidate> = Vec::new();
    loop {
        let next = store
            .purge_candidates(policy, at, all.last(), page)
            .await
            .unwrap();
        assert!(next.len() <= page as usize, "a page holds at most `limit`");
        if next.is_empty() {
            return all;
        }
        all.extend(next);
    }
}

fn days(d: i64) -> Duration {
    Duration::days(d)
}

/// With the French defaults (1 year; 6 years for forwarded reports and interventions; 1 year
/// from creation for chats never closed), candidates are those whose period is over, and only
/// those, each with the rule that applies.
pub async fn purge_candidates_are_exactly_the_conversations_past_their_retention_period(
    store: Arc<dyn Store>,
) {
    let policy = RetentionPolicy::default();
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let t = now();
    let long_ago = t - days(3000);

    let info_old = closed_conversation(
        &*store,
        alice.id,
        1,
        long_ago,
        Outcome::InformationGiven,
        t - days(366),
    )
    .await;
    let _info_recent = closed_conversation(
        &*store,
        alice.id,
        2,
        long_ago,
        Outcome::InformationGiven,
        t - days(364),
    )
    .await;
    let _forwarded_two_years = closed_conversation(
        &*store,
        alice.id,
        3,
        long_ago,
        Outcome::ReportForwarded,
        t - days(730),
    )
    .await;
    let forwarded_old = closed_conversation(
        &*store,
        alice.id,
        4,
        long_ago,
        Outcome::ReportForwarded,
        t - days(2191),
    )
    .await;
    let left_on_the_day = closed_conversation(
        &*store,
        alice.id,
        5,
        long_ago,
        Outcome::VisitorLeft,
        t - days(365),
    )
    .await;

    let waiting_old = new_conversation(&*store, 10, t - days(400)).await;
    let _waiting_recent = new_conversation(&*store, 11, t - days(10)).await;
    let active_old = new_conversation(&*store, 12, t - days(500)).await;
    store
        .transition(
            active_old.id,
            Actor::Officer(alice.id),
            Event::Claim,
            t,
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    let left_old = new_conversation(&*store, 13, t - days(366)).await;
    store
        .transition(left_old.id, Actor::Officer(alice.id), Event::Claim, t, None)
        .await
        .unwrap()
        .done()
        .unwrap();
    store.quick_exit([13; 32], t).await.unwrap().unwrap();

    let found = all_candidates(&*store, &policy, t, 100).await;
    let mut ids: Vec<_> = found.iter().map(|c| c.id).collect();
    ids.sort();
    let mut expected = vec![
        info_old.id,
        forwarded_old.id,
        left_on_the_day.id,
        waiting_old.id,
        active_old.id,
        left_old.id,
    ];
    expected.sort();
    assert_eq!(ids, expected);

    let rule_of = |id| found.iter().find(|c| c.id == id).unwrap().due.rule;
    assert_eq!(
        rule_of(info_old.id),
        RetentionRule::Closed(Outcome::InformationGiven)
    );
    assert_eq!(
        rule_of(forwarded_old.id),
        RetentionRule::Closed(Outcome::ReportForwarded)
    );
    for id in [waiting_old.id, active_old.id, left_old.id] {
        assert_eq!(rule_of(id), RetentionRule::Unclosed);
    }
    let active = found.iter().find(|c| c.id == active_old.id).unwrap();
    assert_eq!(
        active.state,
        ConversationState::Active { officer: alice.id }
    );
    assert_eq!(active.created_at, t - days(500));
    assert_eq!(active.due.counted_from, t - days(500));
    let info = found.iter().find(|c| c.id == info_old.id).unwrap();
    assert_eq!(info.closed_at, Some(t - days(366)));
    assert!(found.iter().all(|c| c.due.is_due(t)));

    // A shorter period for one outcome brings its conversations in, and only them.
    let strict = RetentionPolicy::default()
        .with_outcome(Outcome::ReportForwarded, RetentionDays::new(700).unwrap());
    let found = all_candidates(&*store, &strict, t, 100).await;
    assert_eq!(found.len(), expected.len() + 1);

    // A thousand days earlier, nothing was due yet.
    assert!(
        all_candidates(&*store, &policy, t - days(1000), 100)
            .await
            .is_empty()
    );
}

/// A listing in small pages sees every candidate once, in the order of the rules.
pub async fn purge_candidates_come_in_pages_that_resume_after_the_last_one(store: Arc<dyn Store>) {
    let policy = RetentionPolicy::default();
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let t = now();
    let mut expected = Vec::new();
    for i in 0..4u8 {
        // Two pairs share their closing time: the id breaks the tie.
        let closed = t - days(400 + i64::from(i / 2));
        let outcome = if i % 2 == 0 {
            Outcome::InformationGiven
        } else {
            Outcome::VisitorLeft
        };
        expected.push(
            closed_conversation(&*store, alice.id, i + 1, t - days(900), outcome, closed)
                .await
                .id,
        );
    }
    for i in 0..3u8 {
        expected.push(new_conversation(&*store, 20 + i, t - days(400)).await.id);
    }
    for page in [1, 2, 3, 100] {
        let found = all_candidates(&*store, &policy, t, page).await;
        let mut ids: Vec<_> = found.iter().map(|c| c.id).collect();
        let order: Vec<_> = found.iter().map(|c| c.due.rule).collect();
        let rules: Vec<_> = RetentionRule::all().collect();
        let position = |r: &RetentionRule| rules.iter().position(|x| x == r).unwrap();
        assert!(
            order.windows(2).all(|w| position(&w[0]) <= position(&w[1])),
            "ordered by rule (page of {page})"
        );
        ids.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(ids, want, "every candidate once with pages of {page}");
    }
}

/// Purging removes the conversation and its messages, and with its row its wrapped data key;
/// the others stay as they were.
pub async fn purging_deletes_a_conversation_its_messages_and_its_wrapped_key(
    store: Arc<dyn Store>,
) {
    let policy = RetentionPolicy::default();
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let t = now();
    let old = new_conversation(&*store, 1, t - days(400)).await;
    let recent = new_conversation(&*store, 2, t - days(3)).await;
    for conv in [old.id, recent.id] {
        append(&*store, conv, Actor::Visitor, "v1").await.unwrap();
        append(&*store, conv, Actor::Visitor, "v2").await.unwrap();
    }
    let closed_old = closed_conversation(
        &*store,
        alice.id,
        3,
        t - days(800),
        Outcome::ReferredToSupport,
        t - days(790),
    )
    .await;

    let ids: Vec<_> = all_candidates(&*store, &policy, t, 10)
        .await
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids.len(), 2);
    let purged = store.purge(&ids, &policy, t).await.unwrap();
    let mut gone = purged.conversations.clone();
    gone.sort();
    let mut want = vec![old.id, closed_old.id];
    want.sort();
    assert_eq!(gone, want);
    assert_eq!(purged.messages, 2);
    assert_ne!(
        purged.files_scrubbed,
        Some(false),
        "nothing kept the backend from erasing"
    );

    for id in [old.id, closed_old.id] {
        assert!(store.conversation(id).await.unwrap().is_none());
        assert!(store.messages_after(id, 0, 100).await.unwrap().is_empty());
        assert!(
            store
                .transition(id, Actor::Officer(alice.id), Event::Claim, t, None)
                .await
                .unwrap()
                .found()
                .is_none()
        );
    }
    assert!(
        store
            .conversation_by_token([1; 32])
            .await
            .unwrap()
            .is_none()
    );
    let kept = store.conversation(recent.id).await.unwrap().unwrap();
    assert_eq!(kept.wrapped_key, vec![1, 2, 3]);
    assert_eq!(kept.last_seq, 2);
    assert_eq!(
        store.messages_after(recent.id, 0, 100).await.unwrap().len(),
        2
    );
    assert_eq!(store.waiting_queue().await.unwrap().len(), 1);
    assert!(
        all_candidates(&*store, &policy, t, 10).await.is_empty(),
        "nothing left to purge"
    );
    let again = store.purge(&ids, &policy, t).await.unwrap();
    assert!(
        again.conversations.is_empty(),
        "a second purge finds nothing"
    );
    assert!(
        store
            .purge(&[], &policy, t)
            .await
            .unwrap()
            .conversations
            .is_empty()
    );
}

/// The purge checks each conversation again when it deletes: one that is not due (never was,
/// or was closed since it was listed, so its period now counts from the closing) is kept.
pub async fn purging_keeps_a_conversation_that_is_not_due_any_more(store: Arc<dyn Store>) {
    let policy = RetentionPolicy::default();
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let t = now();
    let abandoned = new_conversation(&*store, 1, t - days(400)).await;
    let recent = new_conversation(&*store, 2, t - days(1)).await;
    store
        .transition(
            abandoned.id,
            Actor::Officer(alice.id),
            Event::Claim,
            t - days(399),
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    let listed: Vec<_> = all_candidates(&*store, &policy, t, 10)
        .await
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(listed, vec![abandoned.id]);
    // The officer closes it between the listing and the purge.
    store
        .transition(
            abandoned.id,
            Actor::Officer(alice.id),
            Event::Close(Outcome::InformationGiven),
            t,
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    let purged = store
        .purge(
            &[abandoned.id, recent.id, ConversationId::new()],
            &policy,
            t,
        )
        .await
        .unwrap();
    assert!(purged.conversations.is_empty());
    assert_eq!(purged.messages, 0);
    assert!(store.conversation(abandoned.id).await.unwrap().is_some());
    assert!(store.conversation(recent.id).await.unwrap().is_some());
}

/// A rotation finds the rows left below the new version, oldest first, a batch at a time.
pub async fn conversations_below_a_key_version_are_listed_oldest_version_first_up_to_the_limit(
    store: Arc<dyn Store>,
) {
    let mut at_version: std::collections::BTreeMap<u32, Vec<Conversation>> = Default::default();
    for (n, version) in [(1, 2), (2, 1), (3, 3), (4, 1), (5, 2), (6, 1)] {
        let c = conversation_at_version(&*store, n, version).await;
        at_version.entry(version).or_default().push(c);
    }
    assert!(
        store
            .keys_below_version(KeyKind::Data, 1, 100)
            .await
            .unwrap()
            .is_empty()
    );

    let below_2 = store
        .keys_below_version(KeyKind::Data, 2, 100)
        .await
        .unwrap();
    let mut ids: Vec<_> = below_2.iter().map(|k| ConversationId(k.owner)).collect();
    ids.sort_by_key(|id| id.to_string());
    let mut expected: Vec<_> = at_version[&1].iter().map(|c| c.id).collect();
    expected.sort_by_key(|id| id.to_string());
    assert_eq!(ids, expected);
    for key in &below_2 {
        let c = at_version[&1].iter().find(|c| c.id.0 == key.owner).unwrap();
        assert_eq!(key.key_version, 1);
        assert_eq!(key.sealed, c.wrapped_key);
    }

    let below_3 = store
        .keys_below_version(KeyKind::Data, 3, 100)
        .await
        .unwrap();
    let versions: Vec<_> = below_3.iter().map(|k| k.key_version).collect();
    assert_eq!(versions, vec![1, 1, 1, 2, 2], "oldest version first");

    let batch = store.keys_below_version(KeyKind::Data, 3, 2).await.unwrap();
    assert_eq!(batch.len(), 2);
    assert!(batch.iter().all(|k| k.key_version == 1));
}

/// Re-wrapping is a compare-and-set on the version and wrapped key read: a row changed since
/// (re-wrapped by another run, shredded, deleted) is left as it is.
pub async fn a_rewrap_applies_only_while_the_row_holds_the_key_it_was_read_with(
    store: Arc<dyn Store>,
) {
    let current = conversation_at_version(&*store, 1, 1).await;
    let other_version = conversation_at_version(&*store, 2, 1).await;
    let other_bytes = conversation_at_version(&*store, 3, 1).await;
    let mut stale_version = rewrap_of(&other_version, 2);
    stale_version.from_version = 2;
    let mut stale_bytes = rewrap_of(&other_bytes, 2);
    stale_bytes.from_sealed = b"what it held before".to_vec();
    let mut ghost = rewrap_of(&current, 2);
    ghost.owner = ConversationId::new().0;
    let ghost_id = ConversationId(ghost.owner);

    let updated = store
        .reseal_keys(
            KeyKind::Data,
            vec![rewrap_of(&current, 2), stale_version, stale_bytes, ghost],
        )
        .await
        .unwrap();
    assert_eq!(updated, 1);

    let moved = store.conversation(current.id).await.unwrap().unwrap();
    assert_eq!(moved.key_version, 2);
    assert_eq!(moved.wrapped_key, rewrap_of(&current, 2).sealed);
    for untouched in [&other_version, &other_bytes] {
        let stored = store.conversation(untouched.id).await.unwrap().unwrap();
        assert_eq!(stored.key_version, 1);
        assert_eq!(stored.wrapped_key, untouched.wrapped_key);
    }
    assert!(
        store.conversation(ghost_id).await.unwrap().is_none(),
        "never inserts"
    );

    // Replaying the same rewrap finds the row moved on and changes nothing.
    assert_eq!(
        store
            .reseal_keys(KeyKind::Data, vec![rewrap_of(&current, 2)])
            .await
            .unwrap(),
        0
    );
    let mut newer = rewrap_of(&current, 3);
    newer.sealed = b"third".to_vec();
    newer.from_sealed = b"stale".to_vec();
    newer.from_version = 1;
    assert_eq!(
        store.reseal_keys(KeyKind::Data, vec![newer]).await.unwrap(),
        0
    );
    let still = store.conversation(current.id).await.unwrap().unwrap();
    assert_eq!(still.key_version, 2);
    assert_eq!(
        store.reseal_keys(KeyKind::Data, Vec::new()).await.unwrap(),
        0
    );
}

/// Only the envelope moves: the state, the token, the messages and their sequence stay.
pub async fn a_rewrap_changes_the_key_and_nothing_else(store: Arc<dyn Store>) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let conv = new_conversation(&*store, 4, now()).await;
    append(&*store, conv.id, Actor::Visitor, "v1")
        .await
        .unwrap();
    store
        .transition(conv.id, Actor::Officer(alice.id), Event::Claim, now(), None)
        .await
        .unwrap()
        .done()
        .unwrap();
    append(&*store, conv.id, Actor::Officer(alice.id), "o1")
        .await
        .unwrap();
    let before = store.conversation(conv.id).await.unwrap().unwrap();
    let messages_before = store.messages_after(conv.id, 0, 100).await.unwrap();

    assert_eq!(
        store
            .reseal_keys(KeyKind::Data, vec![rewrap_of(&before, 2)])
            .await
            .unwrap(),
        1
    );

    let after = store.conversation(conv.id).await.unwrap().unwrap();
    assert_eq!(
        Conversation {
            wrapped_key: before.wrapped_key.clone(),
            key_version: before.key_version,
            ..after.clone()
        },
        before
    );
    assert_eq!(after.key_version, 2);
    assert_eq!(
        store.messages_after(conv.id, 0, 100).await.unwrap(),
        messages_before
    );
    let by_token = store.conversation_by_token([4; 32]).await.unwrap().unwrap();
    assert_eq!(by_token.id, conv.id);
    assert_eq!(
        append(&*store, conv.id, Actor::Visitor, "v2")
            .await
            .unwrap()
            .seq,
        3
    );
}

/// The count per version covers every conversation, waiting, open or closed.
pub async fn key_versions_are_counted_over_every_conversation(store: Arc<dyn Store>) {
    assert!(
        store
            .key_version_counts(KeyKind::Data)
            .await
            .unwrap()
            .is_empty()
    );
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let closed = conversation_at_version(&*store, 1, 1).await;
    store
        .transition(
            closed.id,
            Actor::Officer(alice.id),
            Event::Claim,
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    store
        .transition(
            closed.id,
            Actor::Officer(alice.id),
            Event::Close(Outcome::InformationGiven),
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    conversation_at_version(&*store, 2, 1).await;
    conversation_at_version(&*store, 3, 3).await;
    let counts = store.key_version_counts(KeyKind::Data).await.unwrap();
    assert_eq!(counts, std::collections::BTreeMap::from([(1, 2), (3, 1)]));
}

/// Enrols `user` with a secret sealed by `version`, with bytes unique to the pair.
async fn enrol_at_version(store: &dyn Store, user: &User, version: u32, last_step: Option<u64>) {
    store
        .enrol_totp(
            user.id,
            StoredTotp {
                sealed: format!("sealed-{}-v{version}", user.id).into_bytes(),
                key_version: version,
                last_step,
            },
            vec![[version as u8; 32]],
            NewAudit::system("totp_enrolled", now()),
        )
        .await
        .unwrap();
}

/// A rotation finds the TOTP secrets left below the new version, a batch at a time; accounts
/// without an authenticator are not counted.
pub async fn totp_secrets_below_a_key_version_are_listed_oldest_version_first_up_to_the_limit(
    store: Arc<dyn Store>,
) {
    let mut users = Vec::new();
    for (name, version) in [("anne", 2), ("bruno", 1), ("chloe", 3), ("david", 1)] {
        let user = new_user(&*store, name, Role::Officer).await;
        enrol_at_version(&*store, &user, version, None).await;
        users.push((user, version));
    }
    new_user(&*store, "emma", Role::Officer).await;

    let all = store
        .keys_below_version(KeyKind::Totp, 3, 10)
        .await
        .unwrap();
    let versions: Vec<u32> = all.iter().map(|t| t.key_version).collect();
    assert_eq!(versions, vec![1, 1, 2]);
    for t in &all {
        let (user, version) = users.iter().find(|(u, _)| u.id.0 == t.owner).unwrap();
        assert_eq!(t.key_version, *version);
        assert_eq!(
            t.sealed,
            format!("sealed-{}-v{version}", user.id).into_bytes()
        );
    }
    assert_eq!(
        store.keys_below_version(KeyKind::Totp, 3, 2).await.unwrap(),
        all[..2]
    );
    assert!(
        store
            .keys_below_version(KeyKind::Totp, 1, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.key_version_counts(KeyKind::Totp).await.unwrap(),
        std::collections::BTreeMap::from([(1, 2), (2, 1), (3, 1)])
    );
}

/// A re-seal is a compare-and-set on what was read, and changes the sealed secret and its
/// version only: the last step used and the recovery codes stay.
pub async fn a_reseal_applies_only_while_the_account_holds_the_secret_it_was_read_with(
    store: Arc<dyn Store>,
) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let bob = new_user(&*store, "bob", Role::Officer).await;
    enrol_at_version(&*store, &alice, 1, Some(1_000)).await;
    enrol_at_version(&*store, &bob, 1, None).await;
    let read = store
        .keys_below_version(KeyKind::Totp, 2, 10)
        .await
        .unwrap();
    assert_eq!(read.len(), 2);
    // Another rotation re-seals Bob's secret between the read and the write.
    let bob_read = read.iter().find(|t| t.owner == bob.id.0).unwrap();
    assert_eq!(
        store
            .reseal_keys(
                KeyKind::Totp,
                vec![Reseal {
                    owner: bob.id.0,
                    from_version: bob_read.key_version,
                    from_sealed: bob_read.sealed.clone(),
                    to_version: 2,
                    sealed: format!("sealed-{}-v2", bob.id).into_bytes(),
                }]
            )
            .await
            .unwrap(),
        1
    );
    let reseals = read
        .iter()
        .map(|t| Reseal {
            owner: t.owner,
            from_version: t.key_version,
            from_sealed: t.sealed.clone(),
            to_version: 2,
            sealed: format!("resealed-{}", t.owner).into_bytes(),
        })
        .collect();
    assert_eq!(store.reseal_keys(KeyKind::Totp, reseals).await.unwrap(), 1);
    assert_eq!(
        store.reseal_keys(KeyKind::Totp, Vec::new()).await.unwrap(),
        0
    );

    let a = store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(
        a.totp,
        Some(StoredTotp {
            sealed: format!("resealed-{}", alice.id).into_bytes(),
            key_version: 2,
            last_step: Some(1_000),
        })
    );
    assert_eq!(store.recovery_codes_left(alice.id).await.unwrap(), 1);
    let b = store.user_credentials("bob").await.unwrap().unwrap();
    assert_eq!(
        b.totp.unwrap().sealed,
        format!("sealed-{}-v2", bob.id).into_bytes(),
        "a concurrent change is not overwritten"
    );
    assert_eq!(
        store.key_version_counts(KeyKind::Totp).await.unwrap(),
        std::collections::BTreeMap::from([(2, 2)])
    );
}

async fn keyed_conversation(
    store: &dyn Store,
    token_hash: [u8; 32],
    key_version: u32,
    wrapped_key: Vec<u8>,
    at: OffsetDateTime,
) -> Conversation {
    store
        .create_conversation(NewConversation {
            id: ConversationId::new(),
            token_hash,
            intake: intake(),
            wrapped_key,
            key_version,
            created_at: at,
            force: None,
            proposed_unit: None,
            open_to_all_at: at,
            return_code: None,
        })
        .await
        .expect("create conversation")
}

/// A conversation wrapped by master key `version`, with wrapped bytes unique to it.
async fn conversation_at_version(store: &dyn Store, n: u8, version: u32) -> Conversation {
    let mut token = [0; 32];
    token[0] = n;
    token[1] = version as u8;
    keyed_conversation(store, token, version, vec![n, version as u8], now()).await
}

fn rewrap_of(c: &Conversation, to_version: u32) -> Reseal {
    Reseal {
        owner: c.id.0,
        from_version: c.key_version,
        from_sealed: c.wrapped_key.clone(),
        to_version,
        sealed: format!("rewrapped-{}", c.id).into_bytes(),
    }
}

/// One officer claiming many chats at once ends up with exactly their capacity, and may take
/// another once one is closed.
pub async fn an_officer_never_holds_more_chats_than_their_capacity_whatever_the_timing(
    store: Arc<dyn Store>,
) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    assert!(
        store
            .set_capacity(alice.id, 2, NewAudit::system("capacity_changed", now()))
            .await
            .unwrap()
    );
    let mut chats = Vec::new();
    for token in 0..6u8 {
        chats.push(new_conversation(&*store, 100 + token, now()).await);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(chats.len()));
    let mut tasks = Vec::new();
    for chat in &chats {
        let (store, barrier, id) = (store.clone(), barrier.clone(), chat.id);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store
                .transition(id, Actor::Officer(alice.id), Event::Claim, now(), None)
                .await
                .unwrap()
                .found()
                .unwrap()
        }));
    }
    let mut won = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(c) => won.push(c.id),
            Err(e) => assert_eq!(e, TransitionError::AtCapacity),
        }
    }
    assert_eq!(won.len(), 2, "exactly the capacity");
    assert_eq!(store.open_chats_of(alice.id).await.unwrap().len(), 2);
    store
        .transition(
            won[0],
            Actor::Officer(alice.id),
            Event::Close(Outcome::InformationGiven),
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    let waiting = chats.iter().find(|c| !won.contains(&c.id)).unwrap();
    assert!(
        store
            .transition(
                waiting.id,
                Actor::Officer(alice.id),
                Event::Claim,
                now(),
                None
            )
            .await
            .unwrap()
            .found()
            .unwrap()
            .is_ok(),
        "room again after a close"
    );
    assert!(
        !store
            .set_capacity(
                UserId::new(),
                2,
                NewAudit::system("capacity_changed", now())
            )
            .await
            .unwrap()
    );
}

/// Many attempts checked at the same time: no more than the limit are let through, and a
/// success gives its reservation back.
pub async fn concurrent_login_attempts_never_pass_the_failure_limit(store: Arc<dyn Store>) {
    let t0 = now();
    let barrier = Arc::new(tokio::sync::Barrier::new(30));
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store
                .reserve_login_attempt("alice", t0 - Duration::hours(1), t0, 10)
                .await
                .unwrap()
        }));
    }
    let mut allowed = Vec::new();
    for t in tasks {
        if let LoginReservation::Reserved(id) = t.await.unwrap() {
            allowed.push(id);
        }
    }
    assert_eq!(allowed.len(), 10);
    let refused = store
        .reserve_login_attempt("alice", t0 - Duration::hours(1), t0, 10)
        .await
        .unwrap();
    assert_eq!(refused, LoginReservation::Refused { oldest: Some(t0) });
    store.clear_login_attempt(allowed[0]).await.unwrap();
    assert!(
        store
            .reserve_login_attempt("alice", t0 - Duration::hours(1), t0, 10)
            .await
            .unwrap()
            .is_reserved(),
        "a success gives its place back"
    );
    // Older than the window: forgotten.
    assert!(
        store
            .reserve_login_attempt(
                "alice",
                t0 + Duration::hours(2),
                t0 + Duration::hours(2),
                10
            )
            .await
            .unwrap()
            .is_reserved()
    );
}
