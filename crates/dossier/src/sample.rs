//! An invented dossier, for tests, examples and the documentation: French accents, an Arabic
//! message, a handover and a summer and a winter time.

use crate::model::*;
use crate::paris::Moment;
use time::macros::datetime;

/// The invented dossier.
pub fn dossier() -> Dossier {
    let camille = Officer {
        id: "c.martin".into(),
        name: "Camille".into(),
    };
    let yanis = Officer {
        id: "y.benali".into(),
        name: "Yanis".into(),
    };
    let texts: [(Author, &str); 6] = [
        (
            Author::Visitor,
            "Bonjour, je voudrais parler à quelqu'un de ce qui s'est passé hier soir.",
        ),
        (
            Author::Officer(camille.clone()),
            "Bonjour, je suis Camille, policière. Je vous écoute, prenez votre temps. Êtes-vous en sécurité là où vous êtes ?",
        ),
        (
            Author::Visitor,
            "Oui, je suis chez ma sœur à Saint-Étienne. Il m'a suivie jusqu'à l'arrêt du tramway et il m'a agressée ; j'ai eu très peur, je n'ose plus sortir seule depuis.",
        ),
        (
            Author::Visitor,
            "أختي تتكلم العربية أفضل مني، هل يمكنها أن تكتب لكم؟",
        ),
        (
            Author::Officer(yanis.clone()),
            "Bien sûr. مرحبا، أنا يانيس، يمكنك الكتابة بالعربية.",
        ),
        (
            Author::Visitor,
            "Merci. Je préfère qu'on m'appelle seulement le matin, avant 9 h.",
        ),
    ];
    let start = datetime!(2026-03-28 23:40:05 UTC);
    let messages = texts
        .into_iter()
        .enumerate()
        .map(|(i, (author, text))| Message {
            seq: i as u64 + 1,
            author,
            at: Moment::new(start + time::Duration::minutes(7 * i as i64)),
            text: text.into(),
        })
        .collect();
    Dossier {
        format: FORMAT.into(),
        reference: "EC-7K3M-9QXA".into(),
        unit: Unit {
            name: "Commissariat de police de Saint-Étienne".into(),
            force: Force::Police,
        },
        departement: "42".into(),
        qualification: Qualification {
            facts: "Agression sexuelle dans l'espace public par un inconnu, après une filature ; la victime décrit l'homme (environ 30 ans, veste kaki).".into(),
            standing: Standing::Victim,
            minor: false,
        },
        consent: Consent {
            at: Moment::new(datetime!(2026-03-29 00:31:40 UTC)),
            language: "fr".into(),
            question: "Acceptez-vous que cette conversation soit transmise au commissariat ou à la brigade de votre secteur, qui pourra vous recontacter ?".into(),
        },
        contact: SafeContact::Instructions {
            text: "Appeler le matin avant 9 h au numéro donné oralement ; ne pas laisser de message vocal.".into(),
        },
        handovers: vec![Handover {
            from: camille,
            to: yanis.clone(),
            reason: "La sœur de la personne écrit en arabe ; Yanis le lit.".into(),
            at: Moment::new(datetime!(2026-03-29 00:05:00 UTC)),
        }],
        messages,
        produced: Production {
            at: Moment::new(datetime!(2026-07-14 09:12:30 UTC)),
            by: yanis,
        },
    }
}
