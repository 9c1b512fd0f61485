//! What a unit's check of a file says: intact, altered, unknown key, retired key.

use ecoute_crypto::SigningKey;
use ecoute_dossier::{
    KeyList, KeyStatus, Verdict, sample, sha256_hex, signed_json, signed_pdf, verify,
};

fn keys(current: &SigningKey, retired: &SigningKey) -> Vec<(ecoute_crypto::PublicKey, KeyStatus)> {
    let list = KeyList::of(&[
        (retired.public(), KeyStatus::Retired),
        (current.public(), KeyStatus::Current),
    ]);
    // Through the published format, as the command line reads it.
    KeyList::parse(&serde_json::to_vec(&list).unwrap()).unwrap()
}

#[test]
fn a_json_file_checks_as_intact_and_names_its_key() {
    let (current, retired) = (SigningKey::generate(2), SigningKey::generate(1));
    let file = signed_json(&sample::dossier(), &current).unwrap();
    assert_eq!(
        verify(&file, &keys(&current, &retired)),
        Verdict::Intact {
            key: current.public().id()
        }
    );
}

#[test]
fn the_json_form_and_its_signature_are_reproducible() {
    let key = SigningKey::generate(1);
    let d = sample::dossier();
    assert_eq!(
        signed_json(&d, &key).unwrap(),
        signed_json(&d, &key).unwrap()
    );
    let hash = sha256_hex(&d).unwrap();
    assert_eq!(hash.len(), 64);
    assert!(
        String::from_utf8(signed_json(&d, &key).unwrap())
            .unwrap()
            .contains(&hash)
    );
}

#[test]
fn any_changed_byte_of_a_json_file_makes_it_altered() {
    let (current, retired) = (SigningKey::generate(2), SigningKey::generate(1));
    let file = signed_json(&sample::dossier(), &current).unwrap();
    let keys = keys(&current, &retired);
    let text = String::from_utf8(file.clone()).unwrap();
    // A word of a message, a time, and a space added between tokens.
    for (from, to) in [
        ("hier soir", "hier midi"),
        ("23:40:05", "23:41:05"),
        ("\"seq\":2", "\"seq\": 2"),
    ] {
        assert!(text.contains(from), "{from}");
        let changed = text.replacen(from, to, 1);
        assert!(
            matches!(
                verify(changed.as_bytes(), &keys),
                Verdict::Altered { key: Some(_) }
            ),
            "{from} -> {to}"
        );
    }
    // Every single byte, flipped one at a time, in a stretch of the dossier.
    let start = text.find("Bonjour").unwrap();
    for i in start..start + 200 {
        let mut changed = file.clone();
        changed[i] ^= 0x01;
        assert!(!verify(&changed, &keys).is_intact(), "byte {i}");
    }
}

#[test]
fn a_second_member_of_the_same_name_is_refused() {
    let key = SigningKey::generate(1);
    let file = String::from_utf8(signed_json(&sample::dossier(), &key).unwrap()).unwrap();
    // A reader might show the first "departement", the parser keeps the last.
    let forged = file.replacen("{\"consent\"", "{\"departement\":\"13\",\"consent\"", 1);
    assert_ne!(forged, file);
    let keys = [(key.public(), KeyStatus::Current)];
    assert!(matches!(
        verify(forged.as_bytes(), &keys),
        Verdict::Altered { .. }
    ));
}

#[test]
fn a_pdf_file_checks_as_intact_and_any_changed_byte_makes_it_altered() {
    let (current, retired) = (SigningKey::generate(2), SigningKey::generate(1));
    let file = signed_pdf(&sample::dossier(), &current).unwrap();
    let keys = keys(&current, &retired);
    assert_eq!(
        verify(&file, &keys),
        Verdict::Intact {
            key: current.public().id()
        }
    );
    // Bytes across the whole file: header, content, fonts, metadata, signature field, trailer.
    let field = file
        .windows(20)
        .position(|w| w == b"ecoute-signature/v1:")
        .unwrap();
    let mut places: Vec<usize> = (0..file.len()).step_by(997).collect();
    places.extend([field + 25, field + 100, file.len() - 3]);
    for i in places {
        let mut changed = file.clone();
        changed[i] ^= 0x20;
        assert!(
            matches!(
                verify(&changed, &keys),
                Verdict::Altered { .. } | Verdict::UnknownKey { .. } | Verdict::NotADossier
            ),
            "byte {i}"
        );
    }
    // Bytes added after the end are a change too.
    let mut longer = file.clone();
    longer.extend_from_slice(b"\n% added\n");
    assert!(matches!(verify(&longer, &keys), Verdict::Altered { .. }));
}

#[test]
fn a_file_signed_by_a_retired_key_is_intact_and_names_the_retired_key() {
    let (current, retired) = (SigningKey::generate(2), SigningKey::generate(1));
    let keys = keys(&current, &retired);
    let expected = Verdict::IntactRetiredKey {
        key: retired.public().id(),
    };
    let d = sample::dossier();
    assert_eq!(verify(&signed_json(&d, &retired).unwrap(), &keys), expected);
    assert_eq!(verify(&signed_pdf(&d, &retired).unwrap(), &keys), expected);
}

#[test]
fn a_file_signed_by_a_key_not_in_the_list_is_refused_as_unknown() {
    let (current, retired) = (SigningKey::generate(2), SigningKey::generate(1));
    let stranger = SigningKey::generate(2);
    let keys = keys(&current, &retired);
    let d = sample::dossier();
    let expected = Verdict::UnknownKey {
        key: stranger.public().id(),
    };
    assert_eq!(
        verify(&signed_json(&d, &stranger).unwrap(), &keys),
        expected
    );
    assert_eq!(verify(&signed_pdf(&d, &stranger).unwrap(), &keys), expected);
}

#[test]
fn a_key_list_whose_id_does_not_match_its_key_is_refused() {
    let key = SigningKey::generate(3);
    let mut list = KeyList::of(&[(key.public(), KeyStatus::Current)]);
    list.keys[0].id = "v3:0000000000000000".into();
    assert!(KeyList::parse(&serde_json::to_vec(&list).unwrap()).is_err());
    assert!(KeyList::parse(b"[]").is_err());
}

#[test]
fn a_file_that_is_not_a_dossier_says_so() {
    let key = SigningKey::generate(1);
    let keys = [(key.public(), KeyStatus::Current)];
    assert_eq!(verify(b"hello", &keys), Verdict::NotADossier);
    assert_eq!(verify(b"%PDF-1.7\n%%EOF", &keys), Verdict::NotADossier);
    assert_eq!(verify(b"{\"a\":1}", &keys), Verdict::NotADossier);
}
