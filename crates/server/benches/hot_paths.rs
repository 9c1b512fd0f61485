//! Micro-benchmarks of what every message goes through: sealing and opening its body, encoding
//! and decoding its frames, and the queue's order. `cargo bench -p ecoute` (docs/PERFORMANCE.md).

use criterion::{Criterion, criterion_group, criterion_main};
use ecoute::service::PlainMessage;
use ecoute::ws::frames::{MessageOut, VisitorIn, VisitorOut};
use ecoute_crypto::DataKey;
use ecoute_domain::{
    Author, ConversationId, Force, Language, Need, OfficerLoad, Presence, Priority, QueuedChat,
    Skills, UserId, next_for, queue_order,
};
use std::hint::black_box;
use time::{Duration, OffsetDateTime};

const BODY: &str = "Bonjour, je voudrais savoir comment porter plainte pour des messages \
    insultants reçus depuis plusieurs semaines sur un réseau social, de la part d’un ancien \
    collègue. Est-ce possible même si je ne connais pas son adresse ?";

fn crypto(c: &mut Criterion) {
    let key = DataKey::generate();
    let conversation = uuid::Uuid::new_v4();
    let sealed = key.seal_message(conversation, 42, BODY.as_bytes());
    c.bench_function("seal a 200-byte message", |b| {
        b.iter(|| key.seal_message(black_box(conversation), 42, black_box(BODY.as_bytes())))
    });
    c.bench_function("open a 200-byte message", |b| {
        b.iter(|| key.open_message(black_box(conversation), 42, black_box(&sealed)))
    });
}

fn frames(c: &mut Criterion) {
    let message = PlainMessage {
        conversation: ConversationId::new(),
        seq: 42,
        author: Author::Officer,
        officer_name: Some("Agent Martin".into()),
        client_id: "o-123".into(),
        body: BODY.into(),
        sent_at: OffsetDateTime::now_utc(),
    };
    c.bench_function("encode a message frame", |b| {
        b.iter(|| {
            serde_json::to_string(&VisitorOut::Message(MessageOut::for_visitor(black_box(
                message.clone(),
            ))))
        })
    });
    let send =
        serde_json::json!({"type": "send", "client_id": "m123-456789", "body": BODY}).to_string();
    c.bench_function("decode a send frame", |b| {
        b.iter(|| serde_json::from_str::<VisitorIn>(black_box(&send)))
    });
}

fn queue(c: &mut Criterion) {
    let now = OffsetDateTime::now_utc();
    let chats: Vec<QueuedChat> = (0..500)
        .map(|i| QueuedChat {
            id: ConversationId::new(),
            need: Need {
                force: [None, Some(Force::Police), Some(Force::Gendarmerie)][i % 3],
                minor: i % 7 == 0,
                language: Language::french(),
            },
            priority: [Priority::Normal, Priority::Flagged, Priority::Danger][i % 11 / 5],
            waiting_since: now - Duration::seconds(i as i64),
            open_to_all_at: now + Duration::minutes(2),
        })
        .collect();
    c.bench_function("order a queue of 500 chats", |b| {
        b.iter(|| {
            let mut q = black_box(chats.clone());
            q.sort_by(queue_order);
            q
        })
    });
    let officer = OfficerLoad {
        id: UserId::new(),
        skills: Skills {
            force: Some(Force::Gendarmerie),
            ..Skills::default()
        },
        capacity: 3,
        open: 1,
        presence: Presence::Available,
        last_assigned: None,
        over_exposure: false,
    };
    c.bench_function("next chat for an officer among 500", |b| {
        b.iter(|| next_for(black_box(&officer), &[], black_box(&chats), now))
    });
}

criterion_group!(benches, crypto, frames, queue);
criterion_main!(benches);
