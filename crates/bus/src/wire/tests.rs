use super::*;
use ecoute_domain::{ConversationId, UserId};
use time::macros::datetime;

const VARIANTS: usize = 20;

/// Exhaustive on purpose: a new `BusEvent` variant does not compile here until it has an
/// index, and then `every_bus_event_variant_round_trips` fails until it has a sample.
fn variant_index(event: &BusEvent) -> usize {
    match event {
        BusEvent::Message(_) => 0,
        BusEvent::StateChanged { .. } => 1,
        BusEvent::Claimed { .. } => 2,
        BusEvent::VisitorLeft { .. } => 3,
        BusEvent::TokenRevoked { .. } => 4,
        BusEvent::SessionEnded { .. } => 5,
        BusEvent::QueueChanged => 6,
        BusEvent::Offered { .. } => 7,
        BusEvent::OfferWithdrawn { .. } => 8,
        BusEvent::Flagged { .. } => 9,
        BusEvent::Note(_) => 10,
        BusEvent::HandedOver { .. } => 11,
        BusEvent::StaffChanged => 12,
        BusEvent::VisitorBack { .. } => 13,
        BusEvent::LanguageChanged { .. } => 14,
        BusEvent::Typing { .. } => 15,
        BusEvent::Marks { .. } => 16,
        BusEvent::PresenceChosen { .. } => 17,
        BusEvent::Desk(_) => 18,
        BusEvent::ConsentChanged { .. } => 19,
    }
}

/// At least one sample of every variant, and every static string and optional field shape.
pub(crate) fn samples() -> Vec<BusEvent> {
    let c = ConversationId::new();
    let at = datetime!(2025-03-04 05:06:07.123456789 +01:30);
    let mut events = vec![
        BusEvent::Message(MessageEvent {
            conversation: c,
            seq: 42,
            author: Author::Visitor,
            officer_name: None,
            client_id: "c-1".into(),
            sealed_body: (0..=255).collect(),
            sent_at: at,
        }),
        BusEvent::Message(MessageEvent {
            conversation: c,
            seq: u64::MAX,
            author: Author::Officer,
            officer_name: Some("Agent Dupré".into()),
            client_id: String::new(),
            sealed_body: Vec::new(),
            sent_at: OffsetDateTime::UNIX_EPOCH,
        }),
        BusEvent::StateChanged {
            conversation: c,
            state: StateName::Closed,
            officer_name: Some("Agent".into()),
            outcome: Some(Outcome::Blocked),
        },
        BusEvent::StateChanged {
            conversation: c,
            state: StateName::Waiting,
            officer_name: None,
            outcome: None,
        },
        BusEvent::Claimed { conversation: c },
        BusEvent::VisitorLeft {
            conversation: c,
            at,
        },
        BusEvent::TokenRevoked { conversation: c },
        BusEvent::SessionEnded { session: [7; 32] },
        BusEvent::QueueChanged,
        BusEvent::Offered {
            conversation: c,
            expires_at: at,
        },
        BusEvent::OfferWithdrawn { conversation: c },
        BusEvent::Flagged {
            conversation: c,
            priority: Priority::Danger,
            labels: vec!["danger".into(), "violence".into()],
        },
        BusEvent::Flagged {
            conversation: c,
            priority: Priority::Normal,
            labels: Vec::new(),
        },
        BusEvent::StaffChanged,
        BusEvent::VisitorBack { conversation: c },
        BusEvent::ConsentChanged { conversation: c },
        BusEvent::LanguageChanged {
            conversation: c,
            language: Language::parse("ar").unwrap(),
        },
        BusEvent::Typing {
            conversation: c,
            who: Author::Officer,
        },
        BusEvent::Marks {
            conversation: c,
            reader: Author::Visitor,
            received: 10,
            read: 9,
        },
    ];
    for (i, kind) in NoteKind::ALL.into_iter().enumerate() {
        events.push(BusEvent::Note(NoteEvent {
            conversation: c,
            seq: i as u64,
            kind,
            author_name: (i % 2 == 0).then(|| "Chef".into()),
            sealed_body: vec![1, 2, 3],
            at,
        }));
    }
    for reason in HandoverReason::ALL {
        events.push(BusEvent::HandedOver {
            conversation: c,
            reason,
        });
    }
    for status in [
        Presence::Available,
        Presence::Paused,
        Presence::Offline,
        Presence::Break,
    ] {
        events.push(BusEvent::PresenceChosen { status });
    }
    events.push(BusEvent::Desk(crate::DeskReport {
        node: uuid::Uuid::new_v4(),
        seats: Vec::new(),
        visitors: Vec::new(),
    }));
    events.push(BusEvent::Desk(crate::DeskReport {
        node: uuid::Uuid::new_v4(),
        seats: vec![
            crate::DeskSeat {
                officer: UserId(uuid::Uuid::new_v4()),
                presence: Presence::Available,
                consoles: 2,
            },
            crate::DeskSeat {
                officer: UserId(uuid::Uuid::new_v4()),
                presence: Presence::Paused,
                consoles: 1,
            },
        ],
        visitors: vec![c, ConversationId::new()],
    }));
    events
}

fn topics() -> [Topic; 5] {
    [
        Topic::Conversation(ConversationId::new()),
        Topic::Officer(UserId(uuid::Uuid::new_v4())),
        Topic::Queue,
        Topic::Supervision,
        Topic::Desk,
    ]
}

#[test]
fn every_bus_event_variant_round_trips() {
    let samples = samples();
    let mut seen = [false; VARIANTS];
    for event in &samples {
        seen[variant_index(event)] = true;
        let frame = encode(Topic::Queue, event).unwrap();
        assert_eq!(frame[0], WIRE_VERSION);
        assert_eq!(decode(&frame).unwrap(), (Topic::Queue, event.clone()));
    }
    let missing: Vec<usize> = (0..VARIANTS).filter(|i| !seen[*i]).collect();
    assert!(missing.is_empty(), "variants without a sample: {missing:?}");
}

#[test]
fn every_topic_round_trips() {
    for topic in topics() {
        let frame = encode(topic, &BusEvent::QueueChanged).unwrap();
        assert_eq!(decode(&frame).unwrap(), (topic, BusEvent::QueueChanged));
    }
}

#[test]
fn note_kinds_and_handover_reasons_decode_to_the_same_values() {
    for event in samples() {
        let (_, back) = decode(&encode(Topic::Supervision, &event).unwrap()).unwrap();
        match (&event, &back) {
            (BusEvent::Note(a), BusEvent::Note(b)) => assert_eq!(a.kind, b.kind),
            (BusEvent::HandedOver { reason: a, .. }, BusEvent::HandedOver { reason: b, .. }) => {
                assert_eq!(a, b);
            }
            _ => {}
        }
    }
}

#[test]
fn the_offset_of_a_time_survives_the_wire() {
    let at = datetime!(2025-03-04 05:06:07.5 -03:00);
    let event = BusEvent::VisitorLeft {
        conversation: ConversationId::new(),
        at,
    };
    let (_, back) = decode(&encode(Topic::Queue, &event).unwrap()).unwrap();
    let BusEvent::VisitorLeft { at: back, .. } = back else {
        panic!("wrong variant")
    };
    assert_eq!(back.offset(), at.offset());
    assert_eq!(back, at);
}

#[test]
fn an_unknown_note_kind_is_refused_on_both_sides() {
    let c = ConversationId::new();
    let note = |kind: NoteKind| {
        BusEvent::Note(NoteEvent {
            conversation: c,
            seq: 1,
            kind,
            author_name: None,
            sealed_body: vec![9],
            at: OffsetDateTime::UNIX_EPOCH,
        })
    };
    // This node cannot send one: `NoteKind` has no such value. A frame carrying "gossip", as a
    // newer or hostile node could send it: same length as "whisper" is not needed, the string
    // is length-prefixed.
    let frame = encode(Topic::Supervision, &note(NoteKind::Whisper)).unwrap();
    let at = find(&frame, b"whisper");
    let mut forged = frame[..at - 1].to_vec();
    forged.push(6);
    forged.extend_from_slice(b"gossip");
    forged.extend_from_slice(&frame[at + 7..]);
    assert_eq!(
        decode(&forged),
        Err(WireError::UnknownNoteKind("gossip".into()))
    );
}

#[test]
fn an_unknown_handover_reason_is_refused_on_both_sides() {
    let c = ConversationId::new();
    let event = |reason: HandoverReason| BusEvent::HandedOver {
        conversation: c,
        reason,
    };
    // As for note kinds, this node cannot send one: `HandoverReason` has no such value.
    let frame = encode(Topic::Queue, &event(HandoverReason::Requeued)).unwrap();
    let at = find(&frame, b"requeued");
    let mut forged = frame[..at].to_vec();
    forged.extend_from_slice(b"REQUEUED");
    assert_eq!(
        decode(&forged),
        Err(WireError::UnknownHandoverReason("REQUEUED".into()))
    );
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in frame")
}

#[test]
fn malformed_frames_are_refused_with_an_error() {
    assert_eq!(decode(&[]), Err(WireError::Empty));
    assert_eq!(decode(&[0, 2]), Err(WireError::UnsupportedVersion(0)));
    assert_eq!(decode(&[2, 2]), Err(WireError::UnsupportedVersion(2)));
    assert!(matches!(
        decode(&[WIRE_VERSION]),
        Err(WireError::Malformed(_))
    ));
    assert!(matches!(
        decode(b"{\"topic\":\"queue\"}"),
        Err(WireError::UnsupportedVersion(b'{'))
    ));
    // Unknown topic and event variants.
    assert!(matches!(
        decode(&[WIRE_VERSION, 5, 6]),
        Err(WireError::Malformed(_))
    ));
    assert!(matches!(
        decode(&[WIRE_VERSION, 2, 20]),
        Err(WireError::Malformed(_))
    ));
    assert!(matches!(
        decode(&[WIRE_VERSION, 2, 200]),
        Err(WireError::Malformed(_))
    ));
    // A valid frame followed by garbage, and every truncation of a valid frame.
    let mut frame = encode(Topic::Queue, &samples()[0]).unwrap();
    for len in 0..frame.len() {
        assert!(decode(&frame[..len]).is_err(), "truncated to {len}");
    }
    frame.push(0);
    assert_eq!(decode(&frame), Err(WireError::TrailingBytes(1)));
    // A huge length prefix does not allocate it.
    let mut huge = vec![WIRE_VERSION, 2, 9, 16];
    huge.extend_from_slice(&[0; 16]);
    huge.push(0);
    huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    assert!(matches!(decode(&huge), Err(WireError::Malformed(_))));
    // A language the domain refuses.
    let frame = encode(
        Topic::Queue,
        &BusEvent::LanguageChanged {
            conversation: ConversationId(uuid::Uuid::nil()),
            language: Language::parse("fr").unwrap(),
        },
    )
    .unwrap();
    let mut bad = frame.clone();
    let at = find(&bad, b"fr");
    bad[at] = b'1';
    assert!(matches!(decode(&bad), Err(WireError::Malformed(_))));
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap deterministic fuzz: every single-byte mutation of every sample.
    for event in samples() {
        let frame = encode(Topic::Supervision, &event).unwrap();
        for i in 0..frame.len() {
            for b in [0u8, 1, 0x7f, 0x80, 0xff] {
                let mut m = frame.clone();
                m[i] = b;
                let _ = decode(&m);
            }
        }
    }
}

/// The exact bytes of a frame: a change here is a wire change that needs a new
/// `WIRE_VERSION`.
#[test]
fn the_wire_format_is_pinned() {
    let id = uuid::Uuid::from_bytes([0xab; 16]);
    let c = ConversationId(id);
    let frame = encode(
        Topic::Conversation(c),
        &BusEvent::TokenRevoked { conversation: c },
    )
    .unwrap();
    let mut expected = vec![1, 0, 16];
    expected.extend_from_slice(&[0xab; 16]);
    expected.extend_from_slice(&[4, 16]);
    expected.extend_from_slice(&[0xab; 16]);
    assert_eq!(frame, expected);

    let frame = encode(
        Topic::Supervision,
        &BusEvent::Marks {
            conversation: c,
            reader: Author::Officer,
            received: 300,
            read: 2,
        },
    )
    .unwrap();
    let mut expected = vec![1, 3, 16, 16];
    expected.extend_from_slice(&[0xab; 16]);
    expected.extend_from_slice(&[1, 0xac, 0x02, 2]);
    assert_eq!(frame, expected);

    // Note kinds and hand-over reasons travel as their names, as when they were strings.
    let frame = encode(
        Topic::Queue,
        &BusEvent::HandedOver {
            conversation: c,
            reason: HandoverReason::TakenOver,
        },
    )
    .unwrap();
    let mut expected = vec![1, 2, 11, 16];
    expected.extend_from_slice(&[0xab; 16]);
    expected.push(10);
    expected.extend_from_slice(b"taken_over");
    assert_eq!(frame, expected);

    let frame = encode(
        Topic::Supervision,
        &BusEvent::Note(NoteEvent {
            conversation: c,
            seq: 3,
            kind: NoteKind::Whisper,
            author_name: Some("Chef".into()),
            sealed_body: vec![1, 2, 3],
            at: OffsetDateTime::UNIX_EPOCH,
        }),
    )
    .unwrap();
    let mut expected = vec![1, 3, 10, 16];
    expected.extend_from_slice(&[0xab; 16]);
    expected.extend_from_slice(&[3, 7]);
    expected.extend_from_slice(b"whisper");
    expected.extend_from_slice(&[1, 4]);
    expected.extend_from_slice(b"Chef");
    expected.extend_from_slice(&[3, 1, 2, 3, 228, 30, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(frame, expected);
}

/// Postcard writes enum variants by index: the domain enums carried on the wire must keep
/// their order (append only).
#[test]
fn domain_enums_keep_their_wire_index() {
    fn index<T: Serialize>(value: T) -> Vec<u8> {
        postcard::to_allocvec(&value).unwrap()
    }
    assert_eq!(index(Author::Visitor), [0]);
    assert_eq!(index(Author::Officer), [1]);
    assert_eq!(index(StateName::Waiting), [0]);
    assert_eq!(index(StateName::Active), [1]);
    assert_eq!(index(StateName::VisitorLeft), [2]);
    assert_eq!(index(StateName::Closed), [3]);
    assert_eq!(index(Outcome::InformationGiven), [0]);
    assert_eq!(index(Outcome::ReferredToSupport), [1]);
    assert_eq!(index(Outcome::ReportForwarded), [2]);
    assert_eq!(index(Outcome::InterventionRequested), [3]);
    assert_eq!(index(Outcome::VisitorLeft), [4]);
    assert_eq!(index(Outcome::Blocked), [5]);
    assert_eq!(index(Priority::Normal), [0]);
    assert_eq!(index(Priority::Flagged), [1]);
    assert_eq!(index(Priority::Danger), [2]);
    assert_eq!(index(Presence::Available), [0]);
    assert_eq!(index(Presence::Paused), [1]);
    assert_eq!(index(Presence::Offline), [2]);
    assert_eq!(index(Presence::Break), [3]);
}
