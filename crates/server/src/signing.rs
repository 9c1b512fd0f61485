//! The installation's dossier signing keys (docs/DOSSIER.md): version 1 made on the first
//! start, a new version made by `ecoute keys signing new`, an older one retired by
//! `ecoute keys signing retire`, and the list of their public halves that the service
//! publishes and `ecoute dossier verify` reads.
//!
//! The key that signs is the newest one not retired. A key stays `current` in the published
//! list until it is retired, even once a newer one signs: nodes still running with it, or
//! dossiers being made at that moment, must keep checking as current. Its secret is stored only
//! sealed by the master key, and `ecoute keys rotate` seals it again (crates/server/src/rotation).

use ecoute_crypto::{CryptoError, Keyring, PublicKey, SealedSigningKey, SigningKey, WrappedKey};
use ecoute_dossier::{KeyList, KeyStatus};
use ecoute_store::{
    NewAudit, NewSigningKey, SigningRetirement, Store, StoreError, StoredSigningKey,
};
use time::OffsetDateTime;

/// Why a signing key command stopped.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The database failed.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// A stored key does not make sense (its public half is not a key).
    #[error("stored signing key version {0} is not a valid Ed25519 key")]
    Corrupt(u32),
    /// A stored secret does not open with the master keys held.
    #[error("signing key version {version} does not open with the master keys held: {source}")]
    Open {
        /// The signing key's version.
        version: u32,
        /// Why.
        source: CryptoError,
    },
    /// No key has this version.
    #[error("there is no signing key version {0} (see `ecoute keys signing list`)")]
    Unknown(u32),
    /// Already retired.
    #[error("signing key version {0} is retired already")]
    AlreadyRetired(u32),
    /// No newer key is in service.
    #[error(
        "signing key version {0} is the newest in service and signs the dossiers; make a new \
         one first with `ecoute keys signing new`, then retire this one"
    )]
    NoNewer(u32),
    /// Another command or node made the same version at the same moment.
    #[error("another signing key version {0} was made at the same moment; run the command again")]
    Raced(u32),
}

/// Makes the next signing key version, sealed by the current master key, and stores it with a
/// `signing_key_created` audit entry. Returns its public half.
pub async fn create_next(store: &dyn Store, ring: &Keyring) -> Result<PublicKey, SigningError> {
    let next = store
        .signing_keys()
        .await?
        .last()
        .map_or(1, |k| k.version + 1);
    create(store, ring, next).await.map_err(|e| match e {
        SigningError::Store(StoreError::Conflict) => SigningError::Raced(next),
        e => e,
    })
}

async fn create(
    store: &dyn Store,
    ring: &Keyring,
    version: u32,
) -> Result<PublicKey, SigningError> {
    let key = SigningKey::generate(version);
    let sealed = key.seal(ring);
    let now = OffsetDateTime::now_utc();
    let public = key.public();
    store
        .add_signing_key(
            NewSigningKey {
                version,
                public: sealed.public,
                sealed: sealed.secret.bytes,
                key_version: sealed.secret.version,
                created_at: now,
            },
            NewAudit::system("signing_key_created", now).detail(format!(
                "dossier signing key {} made, sealed by master key version {}",
                public.id(),
                sealed.secret.version
            )),
        )
        .await?;
    Ok(public)
}

/// On a server's first start, makes signing key version 1 when there is none. Several nodes
/// starting at once make one between them: the others find it taken and go on.
pub async fn ensure_first(store: &dyn Store, ring: &Keyring) -> Result<(), SigningError> {
    if !store.signing_keys().await?.is_empty() {
        return Ok(());
    }
    match create(store, ring, 1).await {
        Ok(key) => {
            tracing::info!(key = %key.id(), "made the first dossier signing key");
            Ok(())
        }
        Err(SigningError::Store(StoreError::Conflict)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Retires a version, with a `signing_key_retired` audit entry, once a newer one is in service.
pub async fn retire(store: &dyn Store, version: u32) -> Result<(), SigningError> {
    let now = OffsetDateTime::now_utc();
    let audit = NewAudit::system("signing_key_retired", now).detail(format!(
        "dossier signing key version {version} retired: it signs no more, and stays listed to \
         check what it signed"
    ));
    match store.retire_signing_key(version, now, audit).await? {
        SigningRetirement::Retired => Ok(()),
        SigningRetirement::Unknown => Err(SigningError::Unknown(version)),
        SigningRetirement::AlreadyRetired => Err(SigningError::AlreadyRetired(version)),
        SigningRetirement::NoNewer => Err(SigningError::NoNewer(version)),
    }
}

/// The public half and published status of each stored key, by version.
pub fn published(keys: &[StoredSigningKey]) -> Result<Vec<(PublicKey, KeyStatus)>, SigningError> {
    keys.iter()
        .map(|k| {
            let public = PublicKey::from_bytes(k.version, &k.public)
                .map_err(|_| SigningError::Corrupt(k.version))?;
            let status = match k.retired_at {
                Some(_) => KeyStatus::Retired,
                None => KeyStatus::Current,
            };
            Ok((public, status))
        })
        .collect()
}

/// The key list as published, read from the store.
pub async fn key_list(store: &dyn Store) -> Result<KeyList, SigningError> {
    Ok(KeyList::of(&published(&store.signing_keys().await?)?))
}

/// The key that signs now, opened with the master keys held; `None` before the first start.
pub async fn current(
    store: &dyn Store,
    ring: &Keyring,
) -> Result<Option<SigningKey>, SigningError> {
    let Some(k) = store.current_signing_key().await? else {
        return Ok(None);
    };
    let sealed = SealedSigningKey {
        version: k.version,
        public: k.public,
        secret: WrappedKey {
            version: k.key_version,
            bytes: k.sealed,
        },
    };
    SigningKey::open(&sealed, ring)
        .map(Some)
        .map_err(|source| SigningError::Open {
            version: k.version,
            source,
        })
}
