//! Master key checks: one check value per key version, the first recorded staying, and one
//! secret of each kind found per version to try a key on.

use super::{conversation_at_version, enrol_at_version, new_user, now};
use crate::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A version's check value is recorded once; a later or racing one gets the first back.
pub async fn a_key_check_is_recorded_once_per_version_and_the_first_one_stays(
    store: Arc<dyn Store>,
) {
    assert!(store.key_checks().await.unwrap().is_empty());
    assert_eq!(
        store.record_key_check(1, b"first", now()).await.unwrap(),
        b"first"
    );
    assert_eq!(
        store.record_key_check(1, b"another", now()).await.unwrap(),
        b"first",
        "a check value is never replaced"
    );
    store.record_key_check(2, b"second", now()).await.unwrap();
    assert_eq!(
        store.key_checks().await.unwrap(),
        BTreeMap::from([(1, b"first".to_vec()), (2, b"second".to_vec())])
    );

    // Ten processes meeting the database with version 3 at once agree on one of theirs.
    let racing: Vec<_> = (0..10u8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.record_key_check(3, &[i; 40], now()).await.unwrap() })
        })
        .collect();
    let mut got = Vec::new();
    for r in racing {
        got.push(r.await.unwrap());
    }
    assert!(got.iter().all(|g| g == &got[0]), "{got:?}");
    assert!((0..10u8).any(|i| got[0] == [i; 40]));
    assert_eq!(store.key_checks().await.unwrap()[&3], got[0]);
}

/// For each kind of secret, one sealed by a given version is found when there is one.
pub async fn a_secret_sealed_by_a_key_version_is_found_for_each_kind(store: Arc<dyn Store>) {
    for kind in KeyKind::ALL {
        assert_eq!(store.sealed_key_at_version(kind, 1).await.unwrap(), None);
    }
    conversation_at_version(&*store, 1, 1).await;
    conversation_at_version(&*store, 2, 1).await;
    let third = conversation_at_version(&*store, 3, 3).await;
    let found = store
        .sealed_key_at_version(KeyKind::Data, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.key_version, 1);
    assert!(found.owner != third.id.0);
    assert_eq!(
        store.sealed_key_at_version(KeyKind::Data, 3).await.unwrap(),
        Some(SealedKey {
            owner: third.id.0,
            key_version: 3,
            sealed: third.wrapped_key.clone(),
        })
    );
    assert_eq!(
        store.sealed_key_at_version(KeyKind::Data, 2).await.unwrap(),
        None
    );

    // An account without an authenticator has no secret to find.
    let anne = new_user(&*store, "anne", Role::Officer).await;
    new_user(&*store, "bruno", Role::Officer).await;
    enrol_at_version(&*store, &anne, 2, None).await;
    assert_eq!(
        store.sealed_key_at_version(KeyKind::Totp, 2).await.unwrap(),
        Some(SealedKey {
            owner: anne.id.0,
            key_version: 2,
            sealed: format!("sealed-{}-v2", anne.id).into_bytes(),
        })
    );
    assert_eq!(
        store.sealed_key_at_version(KeyKind::Totp, 1).await.unwrap(),
        None
    );

    store
        .add_signing_key(
            NewSigningKey {
                version: 4,
                public: [4; 32],
                sealed: b"sealed-signing".to_vec(),
                key_version: 2,
                created_at: now(),
            },
            NewAudit::system("signing_key_created", now()),
        )
        .await
        .unwrap();
    let signing = store
        .sealed_key_at_version(KeyKind::Signing, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(signing.key_version, 2);
    assert_eq!(signing.sealed, b"sealed-signing");
    assert_eq!(
        store
            .sealed_key_at_version(KeyKind::Signing, 1)
            .await
            .unwrap(),
        None
    );
}
