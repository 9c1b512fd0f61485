//! Master key rotation: `ecoute keys rotate`, `keys status` and `keys retire`.
//!
//! A rotation writes master key version N + 1, then re-wraps every conversation's data key
//! under it, a batch per transaction, each row a compare-and-set on what was read. The work
//! left is always exactly the conversations below the newest version, so the command can be
//! stopped at any moment (Ctrl-C, kill, power loss) and run again: it picks up with the same
//! new key. Messages are never touched: only the envelope of each data key changes.
//!
//! Staff TOTP secrets and the dossier signing keys are sealed by the master key too: the same
//! run seals each one again under the new version (the secret itself is unchanged, so
//! authenticators keep working and signatures keep checking), and a version is retired only
//! once no conversation, TOTP secret or signing key uses it. Both commands
//! write an entry to the audit log (versions and counts, never key material).

mod status;

pub use status::*;

use crate::keys::RELOAD_INTERVAL;
use ecoute_crypto::{CryptoError, KeyFiles, Keyring, MasterKey, WrappedKey};
use ecoute_domain::{ConversationId, UserId};
use ecoute_store::SealedKey;
use ecoute_store::{KeyKind, NewAudit, Reseal, Store, StoreError};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

/// Conversations re-wrapped per transaction by default: short enough that a server's writes
/// barely wait, long enough that a large database is done quickly.
pub const DEFAULT_BATCH: u32 = 200;

/// How long a rotation waits after the last conversation under an older key before it looks
/// a final time: longer than a running server may keep wrapping with the previous key.
pub const SETTLE: Duration = Duration::from_secs(6);

// A server that has not picked up the new key after this many settle periods does not reload
// at all (an older release, for instance); looping on would never end.
const MAX_SETTLE_ROUNDS: u32 = 5;

const _: () = assert!(SETTLE.as_millis() > RELOAD_INTERVAL.as_millis() + 2_000);

/// Why a key command stopped.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    /// A key file could not be read, written or parsed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The database failed.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// No key file at all.
    #[error("no master key was found in {0} (the server creates one on its first start)")]
    NoKeys(PathBuf),
    /// Conversations, TOTP secrets or signing keys use a version whose file is not there:
    /// they cannot be read.
    #[error(
        "master key version {version} {} but its file {} is missing; restore it first",
        in_use(*.count, *.totp, *.signing), .path.display()
    )]
    MissingKey {
        /// The version.
        version: u32,
        /// Its expected file.
        path: PathBuf,
        /// How many conversations it wraps.
        count: u64,
        /// How many staff TOTP secrets it seals.
        totp: u64,
        /// How many dossier signing keys it seals.
        signing: u64,
    },
    /// A TOTP secret did not open with the master key it names.
    #[error(
        "the TOTP secret of account {user} does not open with master key version {version}; \
         nothing was changed for it"
    )]
    Reseal {
        /// The account.
        user: ecoute_domain::UserId,
        /// The version its row names.
        version: u32,
    },
    /// A dossier signing key's secret did not open with the master key it names.
    #[error(
        "the dossier signing key version {signing} does not open with master key version \
         {version}; nothing was changed for it"
    )]
    ResealSigning {
        /// The signing key's version.
        signing: u32,
        /// The master key version its row names.
        version: u32,
    },
    /// A data key did not open with the master key it names.
    #[error(
        "the data key of conversation {conversation} does not open with master key version \
         {version}; nothing was changed for it"
    )]
    Unwrap {
        /// The conversation.
        conversation: ConversationId,
        /// The version its row names.
        version: u32,
    },
    /// The database knows the new version as another key: a rotation elsewhere, with key
    /// files of its own, made the same version.
    #[error(
        "the database already knows master key version {version} as another key: a rotation \
         with key files of its own made it elsewhere. Nothing was re-wrapped by this run. \
         Servers reading {} may have started using it: put the key files of the host that \
         rotated in their place (docs/DEPLOYMENT.md, \"A node with the wrong key\")",
        .path.display()
    )]
    VersionTaken {
        /// The version.
        version: u32,
        /// Its file here.
        path: PathBuf,
    },
    /// Conversations kept arriving under an older key after several waits.
    #[error(
        "conversations keep being created under an older master key: a server that does not \
         reload its keys is running; restart it, then run `ecoute keys rotate` again"
    )]
    StillArriving,
    /// Retiring the key that wraps new conversations.
    #[error(
        "master key version {0} is the current one and wraps new conversations; run \
         `ecoute keys rotate` first, then retire the older version"
    )]
    RetireCurrent(u32),
    /// Retiring a version that still wraps data keys or seals TOTP secrets or signing keys.
    #[error(
        "master key version {version} still {}; run `ecoute keys rotate` to move them to the \
         current version first",
        in_use(*.count, *.totp, *.signing)
    )]
    RetireInUse {
        /// The version.
        version: u32,
        /// How many conversations it wraps.
        count: u64,
        /// How many staff TOTP secrets it seals.
        totp: u64,
        /// How many dossier signing keys it seals.
        signing: u64,
    },
    /// Retiring a version that has no file.
    #[error("there is no master key version {0} (see `ecoute keys status`)")]
    RetireAbsent(u32),
}

/// What `keys rotate` reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A new master key version was written.
    Created {
        /// Its version.
        version: u32,
        /// Its file.
        path: PathBuf,
    },
    /// An earlier run left conversations below the newest version: carrying on with it.
    Resuming {
        /// The newest version.
        version: u32,
        /// Conversations left below it.
        left: u64,
    },
    /// A batch was committed.
    Rewrapped {
        /// Conversations re-wrapped by this run so far.
        done: u64,
        /// `done` plus those left.
        total: u64,
    },
    /// A batch of staff TOTP secrets was sealed again.
    Resealed {
        /// TOTP secrets re-sealed by this run so far.
        done: u64,
    },
    /// A batch of dossier signing keys was sealed again.
    ResealedSigning {
        /// Signing keys re-sealed by this run so far.
        done: u64,
    },
    /// Nothing left: waiting for servers to pick up the new key before a final look.
    Settling(Duration),
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Created { version, path } => write!(
                f,
                "created master key version {version} in {}",
                path.display()
            ),
            Self::Resuming { version, left } => write!(
                f,
                "resuming: {} still below master key version {version}",
                conversations(*left)
            ),
            Self::Rewrapped { done, total } => write!(
                f,
                "re-wrapped {} of {}",
                thousands(*done),
                conversations(*total)
            ),
            Self::Resealed { done } => write!(f, "re-sealed {}", totp_secrets(*done)),
            Self::ResealedSigning { done } => write!(f, "re-sealed {}", signing_keys(*done)),
            Self::Settling(wait) => write!(
                f,
                "waiting {} s for running servers to switch to the new key, then a final pass",
                wait.as_secs()
            ),
        }
    }
}

/// How a rotation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// The version every conversation is now wrapped with.
    pub version: u32,
    /// Whether this run wrote that version (rather than resuming with it).
    pub created: bool,
    /// Conversations re-wrapped by this run.
    pub rewrapped: u64,
    /// Staff TOTP secrets re-sealed by this run.
    pub resealed: u64,
    /// Dossier signing keys re-sealed by this run.
    pub signing: u64,
}

/// Tuning of a rotation; [`Default`] is what the command line uses.
#[derive(Debug, Clone, Copy)]
pub struct RotateOptions {
    /// Conversations per transaction (at least 1).
    pub batch: u32,
    /// Wait before the final pass.
    pub settle: Duration,
}

impl Default for RotateOptions {
    fn default() -> Self {
        Self {
            batch: DEFAULT_BATCH,
            settle: SETTLE,
        }
    }
}

/// Writes the next master key version (or resumes with the newest one if conversations or
/// TOTP secrets or signing keys are still below it), re-wraps every conversation and re-seals
/// every TOTP secret and signing key under it, then writes a `key_rotated` entry to the audit log.
pub async fn rotate(
    store: &dyn Store,
    files: &KeyFiles,
    options: RotateOptions,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Rotated, KeysError> {
    let ring = load(files)?;
    let before = ring.versions();
    let counts = store.key_version_counts(KeyKind::Data).await?;
    let totp = store.key_version_counts(KeyKind::Totp).await?;
    let signing = store.key_version_counts(KeyKind::Signing).await?;
    check_every_version_held(files, &ring, &counts, &totp, &signing)?;
    let newest = ring.current().version();
    let left: u64 = [&counts, &totp, &signing]
        .iter()
        .map(|c| c.range(..newest).map(|(_, n)| n).sum::<u64>())
        .sum();
    let (version, created) = if left > 0 {
        progress(Progress::Resuming {
            version: newest,
            left,
        });
        (newest, false)
    } else {
        let next = newest + 1;
        match files.create(next) {
            Ok(_) => {
                progress(Progress::Created {
                    version: next,
                    path: files.path_of(next),
                });
                (next, true)
            }
            // Another rotation wrote it a moment ago: share its work.
            Err(CryptoError::KeyExists(_)) => (next, false),
            Err(e) => return Err(e.into()),
        }
    };
    let ring = load(files)?;
    let target = ring
        .get(version)
        .ok_or(CryptoError::UnknownKeyVersion(version))?;
    // Recorded before anything is sealed under it, so that a node holding another key as this
    // version is refused (crates/server/src/keys/check.rs).
    if !crate::keys::record_check(store, target).await? {
        return Err(KeysError::VersionTaken {
            version,
            path: files.path_of(version),
        });
    }

    let mut run = Run {
        store,
        ring: &ring,
        target,
        batch: options.batch.max(1),
        done: 0,
        resealed: 0,
        signing: 0,
        progress,
    };
    run.drain().await?;
    let mut rounds = 0;
    loop {
        (run.progress)(Progress::Settling(options.settle));
        tokio::time::sleep(options.settle).await;
        // Anything found now was wrapped by a server that had not seen the new key yet;
        // after re-wrapping it, wait once more in case another one follows.
        if run.drain().await? == 0 {
            break;
        }
        rounds += 1;
        if rounds >= MAX_SETTLE_ROUNDS {
            return Err(KeysError::StillArriving);
        }
    }
    let rotated = Rotated {
        version,
        created,
        rewrapped: run.done,
        resealed: run.resealed,
        signing: run.signing,
    };
    let detail = format!(
        "to master key version {version} ({}); versions held before: {}; this run re-wrapped {}, \
         re-sealed {} and {}",
        if created { "new" } else { "resumed" },
        list(&before),
        conversations(rotated.rewrapped),
        totp_secrets(rotated.resealed),
        signing_keys(rotated.signing),
    );
    store
        .append_audit(
            NewAudit::system("key_rotated", time::OffsetDateTime::now_utc()).detail(detail),
        )
        .await?;
    Ok(rotated)
}

struct Run<'a> {
    store: &'a dyn Store,
    ring: &'a Keyring,
    target: &'a MasterKey,
    batch: u32,
    done: u64,
    resealed: u64,
    signing: u64,
    progress: &'a mut (dyn FnMut(Progress) + Send),
}

impl Run<'_> {
    /// Re-wraps conversations and re-seals TOTP secrets and signing keys until none is left
    /// below the target version; returns how many it found.
    async fn drain(&mut self) -> Result<u64, KeysError> {
        Ok(self.drain_conversations().await?
            + self.drain_totp().await?
            + self.drain_signing().await?)
    }

    /// Re-seals TOTP secrets, a batch per transaction; returns how many it found.
    async fn drain_totp(&mut self) -> Result<u64, KeysError> {
        let (ring, target) = (self.ring, self.target);
        let (resealed, progress) = (&mut self.resealed, &mut self.progress);
        let reseal = |t: &SealedKey| {
            let user = UserId(t.owner);
            crate::auth::reseal_totp(ring, target, user, t.key_version, &t.sealed).map_err(|_| {
                KeysError::Reseal {
                    user,
                    version: t.key_version,
                }
            })
        };
        let changed = |n| {
            *resealed += n;
            progress(Progress::Resealed { done: *resealed });
        };
        let (store, batch) = (self.store, self.batch);
        drain_sealed(store, KeyKind::Totp, target, batch, reseal, changed).await
    }

    /// Re-seals dossier signing keys (retired ones too: their secret must not outlive the
    /// master key that sealed it), a batch per transaction; returns how many it found.
    async fn drain_signing(&mut self) -> Result<u64, KeysError> {
        let (ring, target) = (self.ring, self.target);
        let (signing, progress) = (&mut self.signing, &mut self.progress);
        let reseal = |k: &SealedKey| {
            let version = u32::try_from(k.owner.as_u128()).unwrap_or(0);
            let fail = || KeysError::ResealSigning {
                signing: version,
                version: k.key_version,
            };
            // The row's id is the record id derived from its version: anything else was not
            // written by this service, and is left alone rather than sealed under a guess.
            if ecoute_crypto::signing::record_id(version) != k.owner {
                return Err(fail());
            }
            let sealed = WrappedKey {
                version: k.key_version,
                bytes: k.sealed.clone(),
            };
            ecoute_crypto::signing::reseal(ring, target, version, &sealed).map_err(|_| fail())
        };
        let changed = |n| {
            *signing += n;
            progress(Progress::ResealedSigning { done: *signing });
        };
        let (store, batch) = (self.store, self.batch);
        drain_sealed(store, KeyKind::Signing, target, batch, reseal, changed).await
    }

    /// Re-wraps batches until none is left below the target version; returns how many it found.
    async fn drain_conversations(&mut self) -> Result<u64, KeysError> {
        let version = self.target.version();
        // Counted once per drain: counting after every batch would read the whole table each time.
        let left: u64 = self
            .store
            .key_version_counts(KeyKind::Data)
            .await?
            .range(..version)
            .map(|(_, n)| n)
            .sum();
        let mut total = self.done + left;
        let mut found = 0;
        loop {
            let batch = self
                .store
                .keys_below_version(KeyKind::Data, version, self.batch)
                .await?;
            if batch.is_empty() {
                return Ok(found);
            }
            found += batch.len() as u64;
            let rewraps = batch
                .into_iter()
                .map(|c| {
                    let old = WrappedKey {
                        version: c.key_version,
                        bytes: c.sealed,
                    };
                    let key = self
                        .ring
                        .unwrap(&old, c.owner)
                        .map_err(|_| KeysError::Unwrap {
                            conversation: ConversationId(c.owner),
                            version: c.key_version,
                        })?;
                    Ok(Reseal {
                        owner: c.owner,
                        from_version: old.version,
                        from_sealed: old.bytes,
                        to_version: version,
                        sealed: self.target.wrap(&key, c.owner).bytes,
                    })
                })
                .collect::<Result<Vec<_>, KeysError>>()?;
            // A row changed since it was read is skipped here and read again next batch.
            self.done += self.store.reseal_keys(KeyKind::Data, rewraps).await?;
            // Conversations created under the old key meanwhile make the work grow.
            total = total.max(self.done);
            (self.progress)(Progress::Rewrapped {
                done: self.done,
                total,
            });
        }
    }
}

/// Seals the secrets of `kind` below the target version again, a batch per transaction, until
/// none is left: `reseal` opens one and seals it under `target`, `changed` hears how many rows
/// each batch changed. Returns how many it found.
async fn drain_sealed(
    store: &dyn Store,
    kind: KeyKind,
    target: &MasterKey,
    batch: u32,
    reseal: impl Fn(&SealedKey) -> Result<WrappedKey, KeysError>,
    mut changed: impl FnMut(u64),
) -> Result<u64, KeysError> {
    let version = target.version();
    let mut found = 0;
    loop {
        let read = store.keys_below_version(kind, version, batch).await?;
        if read.is_empty() {
            return Ok(found);
        }
        found += read.len() as u64;
        let reseals = read
            .into_iter()
            .map(|k| {
                let sealed = reseal(&k)?;
                Ok(Reseal {
                    owner: k.owner,
                    from_version: k.key_version,
                    from_sealed: k.sealed,
                    to_version: version,
                    sealed: sealed.bytes,
                })
            })
            .collect::<Result<Vec<_>, KeysError>>()?;
        // A row changed since the read (an account that enrolled again) is skipped here and
        // read again next batch.
        changed(store.reseal_keys(kind, reseals).await?);
    }
}

#[cfg(test)]
mod tests;
