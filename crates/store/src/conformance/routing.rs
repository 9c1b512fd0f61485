//! Routing rules every backend applies the same way: skills and capacity checked inside the
//! claim, the queue order, transfers, releases, risk flags, staff notes and the day's figures.

use super::{new_user, now};
use crate::*;
use ecoute_domain::{Language, Outcome, ReporterKind, Role};
use std::sync::Arc;
use time::Duration;

/// A chat with the given needs; open to every officer only after `overflow`.
async fn chat(
    store: &dyn Store,
    at: OffsetDateTime,
    force: Option<Force>,
    minor: bool,
    language: &str,
    danger: bool,
    overflow: Duration,
) -> Conversation {
    let mut intake = Intake::new(ReporterKind::Victim, minor, None);
    intake.language = Language::parse(language).expect("language");
    intake.danger = danger;
    store
        .create_conversation(NewConversation {
            id: ConversationId::new(),
            token_hash: rand_hash(),
            intake,
            wrapped_key: vec![1, 2, 3],
            key_version: 1,
            created_at: at,
            force,
            proposed_unit: None,
            open_to_all_at: at + overflow,
            return_code: None,
        })
        .await
        .expect("create conversation")
}

fn rand_hash() -> [u8; 32] {
    let mut h = [0u8; 32];
    h[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    h
}

async fn officer_with(store: &dyn Store, name: &str, skills: Skills, capacity: u32) -> User {
    let user = new_user(store, name, Role::Officer).await;
    assert!(
        store
            .set_skills(user.id, &skills, NewAudit::system("skills_changed", now()))
            .await
            .unwrap()
    );
    assert!(
        store
            .set_capacity(
                user.id,
                capacity,
                NewAudit::system("capacity_changed", now())
            )
            .await
            .unwrap()
    );
    store
        .user_credentials(name)
        .await
        .unwrap()
        .expect("user")
        .user
}

fn skills(force: Option<Force>, minors: bool, languages: &str) -> Skills {
    Skills {
        force,
        minors,
        languages: Language::parse_list(languages).expect("languages"),
    }
}

async fn claim(
    store: &dyn Store,
    id: ConversationId,
    officer: UserId,
) -> Result<Conversation, TransitionError> {
    store
        .transition(id, Actor::Officer(officer), Event::Claim, now(), None)
        .await
        .expect("store answers")
        .found()
        .expect("conversation exists")
}

/// Skills are stored with the account and read back with it.
pub async fn an_officers_skills_and_capacity_are_stored_with_the_account(store: Arc<dyn Store>) {
    let s = skills(Some(Force::Gendarmerie), true, "fr,ar");
    let user = officer_with(&*store, "gaelle", s.clone(), 5).await;
    assert_eq!(user.skills, s);
    assert_eq!(user.capacity, 5);
    let loads = store.staff_loads().await.unwrap();
    let mine = loads.iter().find(|l| l.user.id == user.id).expect("listed");
    assert_eq!(mine.user.skills, s);
    assert_eq!(mine.open, 0);
    assert_eq!(mine.last_assigned, None);
    assert!(
        !store
            .set_skills(UserId::new(), &s, NewAudit::system("skills_changed", now()))
            .await
            .unwrap(),
        "an unknown account is reported"
    );
}

/// A claim is refused (not_eligible) when the officer's skills do not cover the chat, until
/// the chat has waited its overflow period; then any officer may take it.
pub async fn a_claim_respects_skills_until_the_chat_is_open_to_all(store: Arc<dyn Store>) {
    let police_fr =
        officer_with(&*store, "paul", skills(Some(Force::Police), false, "fr"), 3).await;
    let t0 = now();
    let gendarmerie = chat(
        &*store,
        t0,
        Some(Force::Gendarmerie),
        false,
        "fr",
        false,
        Duration::hours(1),
    )
    .await;
    let minor = chat(&*store, t0, None, true, "fr", false, Duration::hours(1)).await;
    let arabic = chat(&*store, t0, None, false, "ar", false, Duration::hours(1)).await;
    for c in [&gendarmerie, &minor, &arabic] {
        assert_eq!(
            claim(&*store, c.id, police_fr.id).await,
            Err(TransitionError::NotEligible)
        );
    }
    let overflowed = chat(
        &*store,
        t0 - Duration::hours(2),
        Some(Force::Gendarmerie),
        true,
        "ar",
        false,
        Duration::hours(1),
    )
    .await;
    let owned = claim(&*store, overflowed.id, police_fr.id)
        .await
        .expect("open to all");
    assert_eq!(owned.state.officer(), Some(police_fr.id));
    let fits = chat(
        &*store,
        t0,
        Some(Force::Police),
        false,
        "fr",
        false,
        Duration::hours(1),
    )
    .await;
    assert!(claim(&*store, fits.id, police_fr.id).await.is_ok());
}

/// The queue comes in priority order (danger, flagged, normal), then waiting time; taking the
/// next chat takes the first one the officer may serve.
pub async fn the_queue_is_served_by_priority_then_waiting_time(store: Arc<dyn Store>) {
    let t0 = now();
    let old = chat(
        &*store,
        t0 - Duration::minutes(10),
        None,
        false,
        "fr",
        false,
        Duration::hours(1),
    )
    .await;
    let flagged = chat(
        &*store,
        t0 - Duration::minutes(1),
        None,
        false,
        "fr",
        false,
        Duration::hours(1),
    )
    .await;
    let danger = chat(&*store, t0, None, false, "fr", true, Duration::hours(1)).await;
    let danger_for_minors = chat(
        &*store,
        t0 - Duration::minutes(2),
        None,
        true,
        "fr",
        true,
        Duration::hours(1),
    )
    .await;
    assert_eq!(danger.priority, Priority::Danger);
    assert!(danger.intake.danger);
    let raised = store
        .raise_priority(
            flagged.id,
            Priority::Flagged,
            &["Menace de mort".to_string()],
        )
        .await
        .unwrap()
        .expect("changed");
    assert_eq!(raised.priority, Priority::Flagged);
    assert_eq!(raised.risk_flags, ["Menace de mort"]);

    let queue: Vec<_> = store
        .waiting_queue()
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(queue, [danger_for_minors.id, danger.id, flagged.id, old.id]);

    let officer = officer_with(&*store, "olga", skills(None, false, "fr"), 3).await;
    let audit = NewAudit::by(&officer, "claim", now());
    let mut taken = Vec::new();
    for _ in 0..3 {
        let c = store
            .take_next(officer.id, now(), audit.clone())
            .await
            .unwrap()
            .done()
            .expect("one fits");
        assert_eq!(c.state.officer(), Some(officer.id));
        taken.push(c.id);
    }
    // The minor's chat needs an officer trained for minors: it is skipped, not taken.
    assert_eq!(taken, [danger.id, flagged.id, old.id]);
    assert_eq!(
        store
            .take_next(officer.id, now(), audit.clone())
            .await
            .unwrap(),
        Applied::Refused(TransitionError::AtCapacity)
    );
    let loads = store.staff_loads().await.unwrap();
    let load = loads.iter().find(|l| l.user.id == officer.id).unwrap();
    assert_eq!(load.open, 3);
    assert!(load.last_assigned.is_some());

    let trained = officer_with(&*store, "theo", skills(None, true, "fr"), 3).await;
    let c = store
        .take_next(trained.id, now(), audit.clone())
        .await
        .unwrap()
        .done();
    assert_eq!(c.map(|c| c.id), Some(danger_for_minors.id));
    assert_eq!(
        store.take_next(trained.id, now(), audit).await.unwrap(),
        Applied::NotFound
    );
}

/// A risk flag only raises: a danger chat stays danger, labels are added once each.
pub async fn a_priority_is_never_lowered_and_labels_are_kept_once(store: Arc<dyn Store>) {
    let c = chat(&*store, now(), None, false, "fr", true, Duration::hours(1)).await;
    let label = "Agresseur présent".to_string();
    let after = store
        .raise_priority(c.id, Priority::Flagged, std::slice::from_ref(&label))
        .await
        .unwrap()
        .expect("label added");
    assert_eq!(after.priority, Priority::Danger);
    assert_eq!(after.risk_flags, std::slice::from_ref(&label));
    assert_eq!(
        store
            .raise_priority(c.id, Priority::Flagged, &[label])
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .raise_priority(ConversationId::new(), Priority::Flagged, &[])
            .await
            .unwrap(),
        None
    );
}

/// The visitor switches language while waiting: the chat now needs an officer who reads that
/// language, and says so wherever it is read. Nothing changes when the language is the same or
/// the chat is closed.
pub async fn a_visitor_changing_language_changes_what_the_chat_needs(store: Arc<dyn Store>) {
    let c = chat(&*store, now(), None, false, "fr", false, Duration::hours(1)).await;
    let arabic = Language::parse("ar").unwrap();
    let after = store
        .set_language(c.id, &arabic)
        .await
        .unwrap()
        .expect("changed");
    assert_eq!(after.intake.language, arabic);
    assert_eq!(after.need().language, arabic);
    let reread = store.conversation(c.id).await.unwrap().unwrap();
    assert_eq!(reread.intake.language, arabic);
    assert_eq!(store.set_language(c.id, &arabic).await.unwrap(), None);
    assert_eq!(
        store
            .set_language(ConversationId::new(), &arabic)
            .await
            .unwrap(),
        None
    );

    // Only an officer who reads Arabic takes it (before the overflow delay).
    let french_only = officer_with(&*store, "fanny", skills(None, false, "fr"), 3).await;
    let audit = NewAudit::by(&french_only, "claim", now());
    assert_eq!(
        store
            .take_next(french_only.id, now(), audit.clone())
            .await
            .unwrap(),
        Applied::NotFound
    );
    let reads_arabic = officer_with(&*store, "amal", skills(None, false, "ar"), 3).await;
    let audit = NewAudit::by(&reads_arabic, "claim", now());
    let taken = store
        .take_next(reads_arabic.id, now(), audit)
        .await
        .unwrap()
        .done()
        .expect("fits");
    assert_eq!(taken.id, c.id);

    // A closed chat keeps the language it had.
    let closed = store
        .transition(
            c.id,
            Actor::Officer(reads_arabic.id),
            Event::Close(Outcome::InformationGiven),
            now(),
            None,
        )
        .await
        .unwrap()
        .found()
        .unwrap();
    assert!(closed.is_ok());
    assert_eq!(
        store
            .set_language(c.id, &Language::parse("es").unwrap())
            .await
            .unwrap(),
        None
    );
}

/// Many officers taking the next chat at once: every chat has exactly one owner and nobody
/// holds more than their capacity.
pub async fn concurrent_take_next_gives_each_chat_one_owner_within_capacity(store: Arc<dyn Store>) {
    let t0 = now();
    let mut chats = Vec::new();
    for i in 0..12 {
        chats.push(
            chat(
                &*store,
                t0 + Duration::milliseconds(i),
                None,
                false,
                "fr",
                i % 3 == 0,
                Duration::hours(1),
            )
            .await
            .id,
        );
    }
    let mut officers = Vec::new();
    for i in 0..5 {
        officers.push(officer_with(&*store, &format!("o{i}"), skills(None, false, "fr"), 2).await);
    }
    let mut tasks = Vec::new();
    for o in &officers {
        for _ in 0..4 {
            let store = store.clone();
            let o = o.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .take_next(o.id, now(), NewAudit::by(&o, "claim", now()))
                    .await
                    .unwrap()
            }));
        }
    }
    let mut won: Vec<(UserId, ConversationId)> = Vec::new();
    for t in tasks {
        if let Applied::Done(c) = t.await.unwrap() {
            won.push((c.state.officer().unwrap(), c.id));
        }
    }
    // 5 officers × 2 places = 10 chats taken, each once.
    assert_eq!(won.len(), 10);
    let mut ids: Vec<_> = won.iter().map(|(_, c)| *c).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10, "a chat was taken twice");
    for o in &officers {
        let open = store.open_chats_of(o.id).await.unwrap();
        assert_eq!(open.len(), 2);
    }
    assert_eq!(store.count_waiting().await.unwrap(), 2);
}

/// A transfer hands the chat over with its history; the receiver must have room. A release
/// puts it back in the queue at its old place, for the other force if asked.
pub async fn transfers_and_releases_keep_the_history_and_respect_capacity(store: Arc<dyn Store>) {
    let alice = officer_with(
        &*store,
        "alice",
        skills(Some(Force::Police), false, "fr"),
        3,
    )
    .await;
    let bob = officer_with(&*store, "bob", skills(Some(Force::Police), false, "fr"), 1).await;
    let t0 = now() - Duration::minutes(5);
    let first = chat(
        &*store,
        t0,
        Some(Force::Police),
        false,
        "fr",
        false,
        Duration::hours(1),
    )
    .await;
    let second = chat(
        &*store,
        t0,
        Some(Force::Police),
        false,
        "fr",
        false,
        Duration::hours(1),
    )
    .await;
    claim(&*store, first.id, alice.id).await.unwrap();
    claim(&*store, second.id, alice.id).await.unwrap();
    let cid = ClientMessageId::parse("m1").unwrap();
    let seal = |seq: Seq| format!("sealed-{seq}").into_bytes();
    store
        .append_message(NewMessage {
            conversation: first.id,
            actor: Actor::Visitor,
            client_id: cid.clone(),
            seal: Box::new(seal),
            now: now(),
            visitor_token: None,
        })
        .await
        .unwrap()
        .done()
        .unwrap();

    let moved = store
        .transition(
            first.id,
            Actor::Officer(alice.id),
            Event::Transfer { to: bob.id },
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .expect("bob has room");
    assert_eq!(moved.state, ConversationState::Active { officer: bob.id });
    assert_eq!(moved.last_seq, 1);
    assert_eq!(moved.handovers, 1);
    assert_eq!(
        store.messages_after(first.id, 0, 10).await.unwrap().len(),
        1
    );
    assert_eq!(
        store
            .transition(
                second.id,
                Actor::Officer(alice.id),
                Event::Transfer { to: bob.id },
                now(),
                None
            )
            .await
            .unwrap()
            .found()
            .unwrap(),
        Err(TransitionError::AtCapacity)
    );

    let back = store
        .transition(
            second.id,
            Actor::Officer(alice.id),
            Event::Release {
                to_force: Some(Force::Gendarmerie),
            },
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .expect("released");
    assert_eq!(back.state, ConversationState::Waiting);
    assert_eq!(back.force, Some(Force::Gendarmerie));
    assert!(
        back.open_to_all_at > now() + Duration::minutes(59),
        "the other force gets its own head start"
    );
    assert_eq!(
        back.created_at, second.created_at,
        "keeps its place in the queue"
    );
    assert_eq!(
        claim(&*store, second.id, alice.id).await,
        Err(TransitionError::NotEligible)
    );

    let supervisor = new_user(&*store, "sophie", Role::Supervisor).await;
    let taken = store
        .transition(
            first.id,
            Actor::Officer(supervisor.id),
            Event::TakeOver { from: bob.id },
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .expect("take-over");
    assert_eq!(taken.state.officer(), Some(supervisor.id));
    assert_eq!(taken.handovers, 2);
}

/// Notes are kept in order with their author, their bodies exactly as sealed.
pub async fn staff_notes_are_kept_in_order_with_their_author(store: Arc<dyn Store>) {
    let officer = officer_with(&*store, "nina", skills(None, false, "fr"), 3).await;
    let other = officer_with(&*store, "omar", skills(None, false, "fr"), 3).await;
    let c = chat(&*store, now(), None, false, "fr", false, Duration::hours(1)).await;
    let refuse = |_: u64| b"refused".to_vec();
    for kind in [NoteKind::Note, NoteKind::Whisper] {
        assert!(
            store
                .add_note(c.id, kind, Some(officer.id), &refuse, now(), None)
                .await
                .unwrap()
                .is_none(),
            "no note on a waiting chat"
        );
    }
    claim(&*store, c.id, officer.id).await.unwrap();
    for kind in [NoteKind::Note, NoteKind::Handover] {
        assert!(
            store
                .add_note(c.id, kind, Some(other.id), &refuse, now(), None)
                .await
                .unwrap()
                .is_none(),
            "only the owner writes notes"
        );
    }
    for (i, kind) in [NoteKind::Note, NoteKind::Whisper, NoteKind::Handover]
        .into_iter()
        .enumerate()
    {
        let seal = move |seq: u64| format!("note-{i}-{seq}").into_bytes();
        let n = store
            .add_note(c.id, kind, Some(officer.id), &seal, now(), None)
            .await
            .unwrap()
            .expect("exists");
        assert_eq!(n.seq, i as u64 + 1);
    }
    let notes = store.notes(c.id).await.unwrap();
    let kinds: Vec<_> = notes.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        [NoteKind::Note, NoteKind::Whisper, NoteKind::Handover]
    );
    assert_eq!(notes[1].sealed_body, b"note-1-2");
    assert_eq!(notes[0].author_name.as_deref(), Some("Agent nina"));
    let seal = |_: u64| Vec::new();
    assert!(
        store
            .add_note(
                ConversationId::new(),
                NoteKind::Note,
                None,
                &seal,
                now(),
                None
            )
            .await
            .unwrap()
            .is_none()
    );
}

/// The force table is replaced as a whole and looked up by département.
pub async fn the_force_table_is_replaced_whole_and_looked_up(store: Arc<dyn Store>) {
    let d = |s: &str| Departement::parse(s).unwrap();
    let place = |s: &str| Coverage::parse(s).unwrap();
    assert!(store.forces().await.unwrap().is_empty());
    let n = store
        .load_forces(
            &[
                (place("75"), Force::Police),
                (place("48"), Force::Gendarmerie),
            ],
            NewAudit::system("forces_loaded", now()),
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        store.force_of(None, &d("48")).await.unwrap(),
        Some(Force::Gendarmerie)
    );
    store
        .load_forces(
            &[(place("48"), Force::Police)],
            NewAudit::system("forces_loaded", now()),
        )
        .await
        .unwrap();
    assert_eq!(
        store.force_of(None, &d("48")).await.unwrap(),
        Some(Force::Police)
    );
    assert_eq!(
        store.force_of(None, &d("75")).await.unwrap(),
        None,
        "the old table is gone"
    );
    assert_eq!(
        store.forces().await.unwrap(),
        [(place("48"), Force::Police)]
    );
    assert!(matches!(
        store
            .load_forces(
                &[
                    (place("48"), Force::Police),
                    (place("48"), Force::Gendarmerie)
                ],
                NewAudit::system("forces_loaded", now())
            )
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store.force_of(None, &d("48")).await.unwrap(),
        Some(Force::Police),
        "a refused load changes nothing"
    );
}

/// A postal code's row answers before its département's; a postal code without a row falls
/// back to the département; a place the table lists nowhere needs no particular force.
pub async fn a_postal_code_row_beats_its_departement_row(store: Arc<dyn Store>) {
    let place = |s: &str| Coverage::parse(s).unwrap();
    let lookup = |c: &str| {
        let (store, c) = (store.clone(), PostalCode::parse(c).unwrap());
        async move { store.force_of(Some(&c), &c.departement()).await.unwrap() }
    };
    store
        .load_forces(
            &[
                (place("69"), Force::Police),
                (place("69124"), Force::Gendarmerie),
                (place("69400"), Force::Gendarmerie),
                (place("13"), Force::Police),
            ],
            NewAudit::system("forces_loaded", now()),
        )
        .await
        .unwrap();
    assert_eq!(lookup("69124").await, Some(Force::Gendarmerie), "its row");
    assert_eq!(lookup("69400").await, Some(Force::Gendarmerie), "its row");
    assert_eq!(
        lookup("69003").await,
        Some(Force::Police),
        "no row: its département's"
    );
    assert_eq!(
        store
            .force_of(None, &Departement::parse("69").unwrap())
            .await
            .unwrap(),
        Some(Force::Police),
        "no postal code: the département's"
    );
    assert_eq!(lookup("48000").await, None, "listed nowhere");
    // Every row reads back, by place code (a département before its communes).
    assert_eq!(
        store.forces().await.unwrap(),
        [
            (place("13"), Force::Police),
            (place("69"), Force::Police),
            (place("69124"), Force::Gendarmerie),
            (place("69400"), Force::Gendarmerie),
        ]
    );
    // A postal code row alone, without its département: that code only.
    store
        .load_forces(
            &[(place("48000"), Force::Police)],
            NewAudit::system("forces_loaded", now()),
        )
        .await
        .unwrap();
    assert_eq!(lookup("48000").await, Some(Force::Police));
    assert_eq!(lookup("48100").await, None);
    assert_eq!(lookup("69124").await, None, "the old rows are gone");
    // A postal code listed twice is refused, and the table in force stays.
    assert!(matches!(
        store
            .load_forces(
                &[
                    (place("69124"), Force::Police),
                    (place("69124"), Force::Police)
                ],
                NewAudit::system("forces_loaded", now())
            )
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(lookup("48000").await, Some(Force::Police));
}

/// The unit proposed at start is stored with the conversation and read back with it.
pub async fn the_proposed_unit_is_stored_with_the_conversation(store: Arc<dyn Store>) {
    let unit = UnitId::parse("cgd-villefranche").unwrap();
    let mut created = Vec::new();
    for proposed_unit in [Some(unit.clone()), None] {
        let c = store
            .create_conversation(NewConversation {
                id: ConversationId::new(),
                token_hash: rand_hash(),
                intake: Intake::new(
                    ReporterKind::Victim,
                    false,
                    Some(Departement::parse("69").unwrap()),
                ),
                wrapped_key: vec![1, 2, 3],
                key_version: 1,
                created_at: now(),
                force: Some(Force::Gendarmerie),
                proposed_unit: proposed_unit.clone(),
                open_to_all_at: now(),
                return_code: None,
            })
            .await
            .unwrap();
        assert_eq!(c.proposed_unit, proposed_unit);
        created.push(c);
    }
    for c in created {
        let stored = store.conversation(c.id).await.unwrap().unwrap();
        assert_eq!(stored, c, "read back as created, with its proposed unit");
    }
}

/// The day's figures count what happened since the given moment.
pub async fn the_days_figures_count_since_midnight(store: Arc<dyn Store>) {
    let midnight = now() - Duration::hours(1);
    let officer = officer_with(&*store, "fanny", skills(None, true, "fr"), 5).await;
    let yesterday = chat(
        &*store,
        midnight - Duration::hours(2),
        None,
        false,
        "fr",
        false,
        Duration::hours(1),
    )
    .await;
    let answered = chat(
        &*store,
        now() - Duration::seconds(90),
        None,
        false,
        "fr",
        false,
        Duration::hours(1),
    )
    .await;
    let left = chat(&*store, now(), None, false, "fr", false, Duration::hours(1)).await;
    let _waiting = chat(&*store, now(), None, false, "fr", false, Duration::hours(1)).await;
    claim(&*store, answered.id, officer.id).await.unwrap();
    store
        .transition(
            answered.id,
            Actor::Officer(officer.id),
            Event::Close(Outcome::InformationGiven),
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    store
        .transition(left.id, Actor::Visitor, Event::QuickExit, now(), None)
        .await
        .unwrap()
        .done()
        .unwrap();
    claim(&*store, yesterday.id, officer.id).await.unwrap();
    let f = store.day_figures(midnight).await.unwrap();
    assert_eq!(f.started, 3);
    assert_eq!(f.waiting, 1);
    assert_eq!(f.handled, 1);
    assert_eq!(f.left_unanswered, 1);
    let mut waits = f.waits_secs.clone();
    waits.sort();
    assert_eq!(waits.len(), 2);
    assert!((89..=92).contains(&waits[0]), "{waits:?}");
    assert!(waits[1] >= 3 * 3600 - 5);
}

/// Only the officer who holds an open chat may write its case file.
pub async fn only_the_owner_of_an_open_chat_writes_its_case_file(store: Arc<dyn Store>) {
    let owner = officer_with(&*store, "cora", skills(None, false, "fr"), 3).await;
    let other = officer_with(&*store, "dan", skills(None, false, "fr"), 3).await;
    let c = chat(&*store, now(), None, false, "fr", false, Duration::hours(1)).await;
    let audit = || NewAudit::by(&owner, "qualified", now()).on(c.id);
    assert!(
        !store
            .save_case_file(c.id, owner.id, b"x", audit())
            .await
            .unwrap(),
        "not claimed yet"
    );
    claim(&*store, c.id, owner.id).await.unwrap();
    assert!(
        !store
            .save_case_file(c.id, other.id, b"x", audit())
            .await
            .unwrap()
    );
    assert!(
        store
            .save_case_file(c.id, owner.id, b"sealed-1", audit())
            .await
            .unwrap()
    );
    assert!(
        store
            .save_case_file(c.id, owner.id, b"sealed-2", audit())
            .await
            .unwrap()
    );
    assert_eq!(
        store.case_file(c.id).await.unwrap().as_deref(),
        Some(&b"sealed-2"[..])
    );
    store
        .transition(
            c.id,
            Actor::Officer(owner.id),
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
            .save_case_file(c.id, owner.id, b"late", audit())
            .await
            .unwrap(),
        "closed"
    );
    assert_eq!(
        store.case_file(c.id).await.unwrap().as_deref(),
        Some(&b"sealed-2"[..])
    );
    assert_eq!(store.case_file(ConversationId::new()).await.unwrap(), None);
}

/// Marks only move forward, never past the last message, and read implies received.
pub async fn received_and_read_marks_only_move_forward(store: Arc<dyn Store>) {
    let officer = officer_with(&*store, "mona", skills(None, false, "fr"), 3).await;
    let c = chat(&*store, now(), None, false, "fr", false, Duration::hours(1)).await;
    claim(&*store, c.id, officer.id).await.unwrap();
    let seal = |seq: Seq| format!("sealed-{seq}").into_bytes();
    for (i, actor) in [
        Actor::Visitor,
        Actor::Officer(officer.id),
        Actor::Officer(officer.id),
    ]
    .into_iter()
    .enumerate()
    {
        let cid = ClientMessageId::parse(&format!("m{i}")).unwrap();
        store
            .append_message(NewMessage {
                conversation: c.id,
                actor,
                client_id: cid.clone(),
                seal: Box::new(seal),
                now: now(),
                visitor_token: None,
            })
            .await
            .unwrap()
            .done()
            .unwrap();
    }
    let m = |received, read| Marks { received, read };
    let advance = |reader: Actor, marks: Marks| {
        let store = store.clone();
        async move {
            store
                .advance_marks(c.id, reader, marks)
                .await
                .unwrap()
                .map(|moved| moved.marks)
        }
    };
    assert_eq!(advance(Actor::Visitor, m(2, 0)).await, Some(m(2, 0)));
    assert_eq!(advance(Actor::Visitor, m(1, 0)).await, None, "never back");
    assert_eq!(
        advance(Actor::Visitor, m(0, 9)).await,
        Some(m(3, 3)),
        "bounded, read implies received"
    );
    // An officer's marks count only on their own chat; the answer names who holds it.
    let other = officer_with(&*store, "otto", skills(None, false, "fr"), 3).await;
    assert_eq!(advance(Actor::Officer(other.id), m(1, 1)).await, None);
    let moved = store
        .advance_marks(c.id, Actor::Officer(officer.id), m(1, 1))
        .await
        .unwrap()
        .expect("moved");
    assert_eq!(moved.marks, m(1, 1));
    assert_eq!(moved.owner, Some(officer.id));
    let after = store.conversation(c.id).await.unwrap().unwrap();
    assert_eq!(after.visitor_marks, m(3, 3));
    assert_eq!(after.officer_marks, m(1, 1));
    assert_eq!(
        store
            .advance_marks(ConversationId::new(), Actor::Visitor, m(1, 1))
            .await
            .unwrap(),
        None
    );
}

/// Receipts that arrive while messages are being written (they are written together on the
/// embedded store) lose neither: the conversation keeps every message's sequence number and
/// each side's furthest marks, and each receipt's answer is what it moved, or nothing.
pub async fn receipts_written_with_messages_keep_both_the_messages_and_the_furthest_marks(
    store: Arc<dyn Store>,
) {
    let officer = officer_with(&*store, "nour", skills(None, false, "fr"), 3).await;
    let c = chat(&*store, now(), None, false, "fr", false, Duration::hours(1)).await;
    claim(&*store, c.id, officer.id).await.unwrap();
    let message = |i: usize| {
        let actor = if i.is_multiple_of(2) {
            Actor::Visitor
        } else {
            Actor::Officer(officer.id)
        };
        NewMessage {
            conversation: c.id,
            actor,
            client_id: ClientMessageId::parse(&format!("r{i}")).unwrap(),
            seal: Box::new(|seq: Seq| format!("sealed-{seq}").into_bytes()),
            now: now(),
            visitor_token: None,
        }
    };
    for i in 0..6 {
        store
            .append_message(message(i))
            .await
            .unwrap()
            .done()
            .unwrap();
    }
    let m = |received, read| Marks { received, read };
    // Up to 6 only: the first six messages are stored before, so no receipt is cut down to a
    // last sequence number that depends on timing. The visitor's receipts are not ordered:
    // (6, 1) received further, (2, 4) read further; each mark keeps its own furthest.
    let receipts = [
        (Actor::Visitor, m(6, 1)),
        (Actor::Officer(officer.id), m(6, 6)),
        (Actor::Visitor, m(2, 2)),
        (Actor::Visitor, m(2, 4)),
        (Actor::Officer(officer.id), m(1, 1)),
    ];
    let writes = (6..16).map(|i| {
        let store = store.clone();
        let next = message(i);
        tokio::spawn(async move { store.append_message(next).await })
    });
    let marks = receipts.iter().map(|(reader, marks)| {
        let (store, reader, marks) = (store.clone(), *reader, *marks);
        tokio::spawn(async move { store.advance_marks(c.id, reader, marks).await })
    });
    let marks: Vec<_> = marks.collect();
    for write in writes.collect::<Vec<_>>() {
        write.await.unwrap().unwrap().found().unwrap().unwrap();
    }
    for (handle, (reader, _)) in marks.into_iter().zip(receipts) {
        // What an answer says is never past what that side asked, and read implies received.
        if let Some(moved) = handle.await.unwrap().unwrap() {
            let furthest = if reader == Actor::Visitor {
                m(6, 4)
            } else {
                m(6, 6)
            };
            let moved = moved.marks;
            assert!(moved.read <= moved.received, "{moved:?}");
            assert!(moved.read <= furthest.read && moved.received <= furthest.received);
        }
    }
    let after = store.conversation(c.id).await.unwrap().unwrap();
    assert_eq!(after.last_seq, 16, "every message kept its place");
    assert_eq!(store.messages_after(c.id, 0, 100).await.unwrap().len(), 16);
    assert_eq!(after.visitor_marks, m(6, 4));
    assert_eq!(after.officer_marks, m(6, 6));
}

/// A return code is found by its bucket, reopens the chat with a new token, and never a blocked one.
pub async fn a_return_code_reopens_the_chat_with_a_new_token_but_never_a_blocked_one(
    store: Arc<dyn Store>,
) {
    // Stored with the conversation itself, in the same write.
    let with_code = store
        .create_conversation(NewConversation {
            id: ConversationId::new(),
            token_hash: rand_hash(),
            intake: Intake::new(ReporterKind::Victim, false, None),
            wrapped_key: vec![1, 2, 3],
            key_version: 1,
            created_at: now(),
            force: None,
            proposed_unit: None,
            open_to_all_at: now(),
            return_code: Some((5, "$argon2id$created".to_string())),
        })
        .await
        .unwrap();
    assert_eq!(
        store.return_code_candidates(5).await.unwrap(),
        vec![(with_code.id, "$argon2id$created".to_string())]
    );
    let key = store.install_secret("code_lookup", [7; 32]).await.unwrap();
    assert_eq!(
        store.install_secret("code_lookup", [9; 32]).await.unwrap(),
        key,
        "kept once made"
    );
    let officer = officer_with(&*store, "rita", skills(None, false, "fr"), 3).await;
    let c = chat(&*store, now(), None, false, "fr", false, Duration::hours(1)).await;
    let blocked = chat(&*store, now(), None, false, "fr", false, Duration::hours(1)).await;
    store
        .set_return_code(c.id, 42, "$argon2id$one")
        .await
        .unwrap();
    store
        .set_return_code(blocked.id, 42, "$argon2id$two")
        .await
        .unwrap();
    store
        .transition(
            blocked.id,
            Actor::Officer(officer.id),
            Event::Block,
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    assert_eq!(
        store.return_code_candidates(42).await.unwrap(),
        vec![(c.id, "$argon2id$one".to_string())]
    );
    assert!(store.return_code_candidates(43).await.unwrap().is_empty());
    assert!(
        store
            .resume(blocked.id, [1; 32], now())
            .await
            .unwrap()
            .found()
            .is_none()
    );

    // Left by quick exit during the chat: back with its officer, with the new token only.
    claim(&*store, c.id, officer.id).await.unwrap();
    store
        .transition(c.id, Actor::Visitor, Event::QuickExit, now(), None)
        .await
        .unwrap()
        .done()
        .unwrap();
    let back = store
        .resume(c.id, [2; 32], now())
        .await
        .unwrap()
        .done()
        .unwrap();
    assert_eq!(
        back.state,
        ConversationState::Active {
            officer: officer.id
        }
    );
    assert_eq!(
        store
            .conversation_by_token([2; 32])
            .await
            .unwrap()
            .map(|c| c.id),
        Some(c.id)
    );
    store
        .transition(
            c.id,
            Actor::Officer(officer.id),
            Event::Close(Outcome::InformationGiven),
            now(),
            None,
        )
        .await
        .unwrap()
        .done()
        .unwrap();
    assert_eq!(
        store
            .resume(c.id, [3; 32], now())
            .await
            .unwrap()
            .found()
            .unwrap(),
        Err(TransitionError::Closed)
    );
    assert!(
        store.return_code_candidates(42).await.unwrap().is_empty(),
        "a closed chat's code is forgotten"
    );

    // Left while still waiting: the code reopens it as a new chat in the queue.
    let early = chat(
        &*store,
        now() - Duration::hours(3),
        None,
        false,
        "fr",
        false,
        Duration::minutes(2),
    )
    .await;
    store
        .set_return_code(early.id, 7, "$argon2id$three")
        .await
        .unwrap();
    store
        .transition(early.id, Actor::Visitor, Event::QuickExit, now(), None)
        .await
        .unwrap()
        .done()
        .unwrap();
    assert_eq!(
        store.return_code_candidates(7).await.unwrap().len(),
        1,
        "kept: nobody had read it"
    );
    let t = now();
    let again = store
        .resume(early.id, [4; 32], t)
        .await
        .unwrap()
        .done()
        .unwrap();
    assert_eq!(again.state, ConversationState::Waiting);
    assert_eq!(
        again.created_at, t,
        "waits from now, not from its first start"
    );
    assert_eq!(again.open_to_all_at, t + Duration::minutes(2));
    assert_eq!(again.closed_at, None);
}
