//! Dossier signing keys: which one signs, retiring one, and sealing them again in a master
//! key rotation.

use super::now;
use crate::*;
use std::sync::Arc;

fn key(version: u32, key_version: u32) -> NewSigningKey {
    NewSigningKey {
        version,
        public: [version as u8; 32],
        sealed: format!("sealed-signing-v{version}-m{key_version}").into_bytes(),
        key_version,
        created_at: now(),
    }
}

async fn add(store: &dyn Store, version: u32, key_version: u32) {
    store
        .add_signing_key(
            key(version, key_version),
            NewAudit::system("signing_key_created", now()),
        )
        .await
        .unwrap();
}

async fn actions(store: &dyn Store, action: &str) -> usize {
    let page = store.audit_page(None, 1_000).await.unwrap();
    page.iter().filter(|r| r.entry.action == action).count()
}

/// A version is stored once, with its audit entry; the newest version not retired signs.
pub async fn signing_keys_are_stored_once_per_version_and_the_newest_in_service_signs(
    store: Arc<dyn Store>,
) {
    assert_eq!(store.current_signing_key().await.unwrap(), None);
    assert!(store.signing_keys().await.unwrap().is_empty());
    add(&*store, 1, 1).await;
    let current = store.current_signing_key().await.unwrap().unwrap();
    let expected = key(1, 1);
    assert_eq!(current.version, 1);
    assert_eq!(current.public, expected.public);
    assert_eq!(current.sealed, expected.sealed);
    assert_eq!(current.key_version, 1);
    assert_eq!(current.retired_at, None);

    // Two nodes making the first key at once: the second is told, and nothing is recorded.
    assert!(matches!(
        store
            .add_signing_key(key(1, 1), NewAudit::system("signing_key_created", now()))
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(actions(&*store, "signing_key_created").await, 1);

    add(&*store, 2, 1).await;
    assert_eq!(
        store.current_signing_key().await.unwrap().unwrap().version,
        2
    );
    let all = store.signing_keys().await.unwrap();
    assert_eq!(
        all.iter().map(|k| k.version).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(all.iter().all(|k| k.retired_at.is_none()));
    assert_eq!(actions(&*store, "signing_key_created").await, 2);
}

/// A key is retired only while a newer one is in service: the key that signs never changes by
/// a retirement, and retiring twice records nothing the second time.
pub async fn a_signing_key_is_retired_only_while_a_newer_one_is_in_service(store: Arc<dyn Store>) {
    let audit = || NewAudit::system("signing_key_retired", now());
    let at = now();
    assert_eq!(
        store.retire_signing_key(1, at, audit()).await.unwrap(),
        SigningRetirement::Unknown
    );
    add(&*store, 1, 1).await;
    assert_eq!(
        store.retire_signing_key(1, at, audit()).await.unwrap(),
        SigningRetirement::NoNewer,
        "the only key in service"
    );
    add(&*store, 2, 1).await;
    add(&*store, 3, 1).await;
    assert_eq!(
        store.retire_signing_key(3, at, audit()).await.unwrap(),
        SigningRetirement::NoNewer,
        "the key that signs"
    );
    assert_eq!(
        store.retire_signing_key(2, at, audit()).await.unwrap(),
        SigningRetirement::Retired
    );
    assert_eq!(
        store.retire_signing_key(2, at, audit()).await.unwrap(),
        SigningRetirement::AlreadyRetired
    );
    assert_eq!(
        store.retire_signing_key(1, at, audit()).await.unwrap(),
        SigningRetirement::Retired
    );
    assert_eq!(
        store.current_signing_key().await.unwrap().unwrap().version,
        3
    );
    let retired: Vec<_> = store
        .signing_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.version, k.retired_at))
        .collect();
    assert_eq!(retired, vec![(1, Some(at)), (2, Some(at)), (3, None)]);
    assert_eq!(actions(&*store, "signing_key_retired").await, 2);
}

/// A rotation lists, counts and seals signing keys again like the other secrets: a
/// compare-and-set that changes the sealed secret and its master key version only.
pub async fn signing_keys_below_a_key_version_are_listed_counted_and_sealed_again(
    store: Arc<dyn Store>,
) {
    add(&*store, 1, 1).await;
    add(&*store, 2, 2).await;
    add(&*store, 3, 1).await;
    store
        .retire_signing_key(1, now(), NewAudit::system("signing_key_retired", now()))
        .await
        .unwrap();
    assert_eq!(
        store.key_version_counts(KeyKind::Signing).await.unwrap(),
        std::collections::BTreeMap::from([(1, 2), (2, 1)])
    );
    let below = store
        .keys_below_version(KeyKind::Signing, 2, 10)
        .await
        .unwrap();
    assert_eq!(
        below,
        [1, 3]
            .map(|v| SealedKey {
                owner: ecoute_crypto::signing::record_id(v),
                key_version: 1,
                sealed: key(v, 1).sealed,
            })
            .to_vec(),
        "retired keys too: the dossiers they signed are checked with their public half only, \
         but the secret stays sealed by a key that is to be retired"
    );
    assert_eq!(
        store
            .keys_below_version(KeyKind::Signing, 2, 1)
            .await
            .unwrap(),
        below[..1]
    );
    let reseal = |k: &SealedKey, from_sealed: Vec<u8>| Reseal {
        owner: k.owner,
        from_version: k.key_version,
        from_sealed,
        to_version: 2,
        sealed: format!("resealed-{}", k.owner).into_bytes(),
    };
    // Read before a concurrent change: not applied.
    assert_eq!(
        store
            .reseal_keys(KeyKind::Signing, vec![reseal(&below[0], b"other".to_vec())])
            .await
            .unwrap(),
        0
    );
    let reseals = below.iter().map(|k| reseal(k, k.sealed.clone())).collect();
    assert_eq!(
        store.reseal_keys(KeyKind::Signing, reseals).await.unwrap(),
        2
    );
    let after = store.signing_keys().await.unwrap();
    for k in &after {
        assert_eq!(k.key_version, 2);
        assert_eq!(
            k.public, [k.version as u8; 32],
            "the public half is unchanged"
        );
    }
    assert_eq!(
        after[0].sealed,
        format!("resealed-{}", ecoute_crypto::signing::record_id(1)).into_bytes()
    );
    assert_eq!(after[1].sealed, key(2, 2).sealed);
    assert!(after[0].retired_at.is_some() && after[2].retired_at.is_none());
    assert_eq!(
        store.key_version_counts(KeyKind::Signing).await.unwrap(),
        std::collections::BTreeMap::from([(2, 3)])
    );
    assert!(
        store
            .keys_below_version(KeyKind::Signing, 2, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
