//! Master key rotation: `ecoute keys rotate`, `keys status` and `keys retire`.
//!
//! A rotation writes master key version N + 1, then re-wraps every conversation's data key
//! under it, a batch per transaction, each row a compare-and-set on what was read. The work
//! left is always exactly the conversations below the newest version, so the command can be
//! stopped at any moment (Ctrl-C, kill, power loss) and run again: it picks up with the same
//! new key. Messages are never touched: only the envelope of each data key changes.
//!
//! Staff TOTP secrets are sealed by the master key too: the same run seals each one again
//! under the new version (the secret itself is unchanged, so authenticators keep working), and
//! a version is retired only once no conversation and no TOTP secret uses it. Both commands
//! write an entry to the audit log (versions and counts, never key material).

use crate::keys::RELOAD_INTERVAL;
use ecoute_crypto::{CryptoError, KeyFiles, Keyring, MasterKey, WrappedKey};
use ecoute_domain::{ConversationId, UserId};
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
    /// Conversations or TOTP secrets use a version whose file is not there: they cannot be
    /// read.
    #[error(
        "master key version {version} {} but its file {} is missing; restore it first",
        in_use(*.count, *.totp), .path.display()
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
    /// Retiring a version that still wraps data keys or seals TOTP secrets.
    #[error(
        "master key version {version} still {}; run `ecoute keys rotate` to move them to the \
         current version first",
        in_use(*.count, *.totp)
    )]
    RetireInUse {
        /// The version.
        version: u32,
        /// How many conversations it wraps.
        count: u64,
        /// How many staff TOTP secrets it seals.
        totp: u64,
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
/// TOTP secrets are still below it), re-wraps every conversation and re-seals every TOTP
/// secret under it, then writes a `key_rotated` entry to the audit log.
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
    check_every_version_held(files, &ring, &counts, &totp)?;
    let newest = ring.current().version();
    let left: u64 = counts.range(..newest).map(|(_, n)| n).sum::<u64>()
        + totp.range(..newest).map(|(_, n)| n).sum::<u64>();
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

    let mut run = Run {
        store,
        ring: &ring,
        target,
        batch: options.batch.max(1),
        done: 0,
        resealed: 0,
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
    };
    let detail = format!(
        "to master key version {version} ({}); versions held before: {}; this run re-wrapped {} \
         and re-sealed {}",
        if created { "new" } else { "resumed" },
        list(&before),
        conversations(rotated.rewrapped),
        totp_secrets(rotated.resealed),
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
    progress: &'a mut (dyn FnMut(Progress) + Send),
}

impl Run<'_> {
    /// Re-wraps conversations and re-seals TOTP secrets until none is left below the target
    /// version; returns how many it found.
    async fn drain(&mut self) -> Result<u64, KeysError> {
        Ok(self.drain_conversations().await? + self.drain_totp().await?)
    }

    /// Re-seals TOTP secrets, a batch per transaction; returns how many it found.
    async fn drain_totp(&mut self) -> Result<u64, KeysError> {
        let version = self.target.version();
        let mut found = 0;
        loop {
            let batch = self
                .store
                .keys_below_version(KeyKind::Totp, version, self.batch)
                .await?;
            if batch.is_empty() {
                return Ok(found);
            }
            found += batch.len() as u64;
            let reseals = batch
                .into_iter()
                .map(|t| {
                    let user = UserId(t.owner);
                    let sealed = crate::auth::reseal_totp(
                        self.ring,
                        self.target,
                        user,
                        t.key_version,
                        &t.sealed,
                    )
                    .map_err(|_| KeysError::Reseal {
                        user,
                        version: t.key_version,
                    })?;
                    Ok(Reseal {
                        owner: t.owner,
                        from_version: t.key_version,
                        from_sealed: t.sealed,
                        to_version: version,
                        sealed: sealed.bytes,
                    })
                })
                .collect::<Result<Vec<_>, KeysError>>()?;
            // An account that enrolled again since the read is skipped here, read again next.
            self.resealed += self.store.reseal_keys(KeyKind::Totp, reseals).await?;
            (self.progress)(Progress::Resealed {
                done: self.resealed,
            });
        }
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

/// The key files present, and the conversations and TOTP secrets each version protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    /// Versions with a file, and that file.
    pub files: BTreeMap<u32, PathBuf>,
    /// Conversations per version in use.
    pub conversations: BTreeMap<u32, u64>,
    /// Staff TOTP secrets per version in use.
    pub totp: BTreeMap<u32, u64>,
}

impl KeyStatus {
    /// The version that wraps new conversations.
    pub fn current(&self) -> Option<u32> {
        self.files.keys().next_back().copied()
    }
}

impl std::fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let versions: BTreeSet<u32> = self
            .files
            .keys()
            .chain(self.conversations.keys())
            .chain(self.totp.keys())
            .copied()
            .collect();
        writeln!(f, "version  conversations  TOTP secrets  key file")?;
        for v in versions {
            let count = thousands(self.conversations.get(&v).copied().unwrap_or(0));
            let totp = thousands(self.totp.get(&v).copied().unwrap_or(0));
            let file = match self.files.get(&v) {
                Some(path) if Some(v) == self.current() => format!("{} (current)", path.display()),
                Some(path) => path.display().to_string(),
                None => "MISSING: these cannot be read".to_string(),
            };
            writeln!(f, "{v:>7}  {count:>13}  {totp:>12}  {file}")?;
        }
        Ok(())
    }
}

/// What `keys status` shows.
pub async fn status(store: &dyn Store, files: &KeyFiles) -> Result<KeyStatus, KeysError> {
    let present = files.versions()?;
    Ok(KeyStatus {
        files: present.into_iter().map(|v| (v, files.path_of(v))).collect(),
        conversations: store.key_version_counts(KeyKind::Data).await?,
        totp: store.key_version_counts(KeyKind::Totp).await?,
    })
}

/// Deletes the file of an older master key version once no conversation and no TOTP secret
/// uses it, and writes a `key_retired` entry to the audit log.
pub async fn retire(
    store: &dyn Store,
    files: &KeyFiles,
    version: u32,
) -> Result<PathBuf, KeysError> {
    let present = files.versions()?;
    if !present.contains(&version) {
        return Err(KeysError::RetireAbsent(version));
    }
    if present.last() == Some(&version) {
        return Err(KeysError::RetireCurrent(version));
    }
    let count = store
        .key_version_counts(KeyKind::Data)
        .await?
        .get(&version)
        .copied()
        .unwrap_or(0);
    let totp = store
        .key_version_counts(KeyKind::Totp)
        .await?
        .get(&version)
        .copied()
        .unwrap_or(0);
    if count > 0 || totp > 0 {
        return Err(KeysError::RetireInUse {
            version,
            count,
            totp,
        });
    }
    files.remove(version)?;
    let left: BTreeSet<u32> = present.into_iter().filter(|&v| v != version).collect();
    store
        .append_audit(
            NewAudit::system("key_retired", time::OffsetDateTime::now_utc()).detail(format!(
                "master key version {version} retired (its file deleted); versions held now: {}",
                list(&left)
            )),
        )
        .await?;
    Ok(files.path_of(version))
}

/// Fails with [`KeysError::NoKeys`] unless at least one key file exists, so that a mistyped
/// data directory is reported before anything is created in it.
pub fn require_keys(files: &KeyFiles) -> Result<(), KeysError> {
    match files.versions() {
        Ok(present) if !present.is_empty() => Ok(()),
        Ok(_) => Err(KeysError::NoKeys(files.dir().to_path_buf())),
        Err(CryptoError::KeyFileIo { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            Err(KeysError::NoKeys(files.dir().to_path_buf()))
        }
        Err(e) => Err(e.into()),
    }
}

fn load(files: &KeyFiles) -> Result<Keyring, KeysError> {
    files.load().map_err(|e| match e {
        CryptoError::NoKey => KeysError::NoKeys(files.dir().to_path_buf()),
        other => other.into(),
    })
}

fn check_every_version_held(
    files: &KeyFiles,
    ring: &Keyring,
    counts: &BTreeMap<u32, u64>,
    totp: &BTreeMap<u32, u64>,
) -> Result<(), KeysError> {
    for &version in counts.keys().chain(totp.keys()) {
        if ring.get(version).is_none() {
            return Err(KeysError::MissingKey {
                version,
                path: files.path_of(version),
                count: counts.get(&version).copied().unwrap_or(0),
                totp: totp.get(&version).copied().unwrap_or(0),
            });
        }
    }
    Ok(())
}

/// What a version is used for: `wraps the data key of 3 conversations and seals 1 TOTP secret`.
fn in_use(conversations_n: u64, totp: u64) -> String {
    match (conversations_n, totp) {
        (c, 0) => format!("wraps the data key of {}", conversations(c)),
        (0, t) => format!("seals {}", totp_secrets(t)),
        (c, t) => format!(
            "wraps the data key of {} and seals {}",
            conversations(c),
            totp_secrets(t)
        ),
    }
}

/// `1 TOTP secret`, `12 TOTP secrets`.
pub fn totp_secrets(n: u64) -> String {
    match n {
        1 => "1 TOTP secret".to_string(),
        n => format!("{} TOTP secrets", thousands(n)),
    }
}

/// `1, 2, 3` (or `none`).
fn list(versions: &BTreeSet<u32>) -> String {
    if versions.is_empty() {
        return "none".to_string();
    }
    versions
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `1 conversation`, `1,234 conversations`.
pub fn conversations(n: u64) -> String {
    match n {
        1 => "1 conversation".to_string(),
        n => format!("{} conversations", thousands(n)),
    }
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecoute_crypto::DataKey;
    use ecoute_crypto::totp::TotpSecret;
    use ecoute_domain::{Departement, Intake, ReporterKind};
    use ecoute_domain::{Role, UserId};
    use ecoute_store::{NewConversation, NewUser};
    use ecoute_store_sqlite::SqliteStore;
    use std::sync::Arc;

    struct Fixture {
        _dir: tempfile::TempDir,
        files: KeyFiles,
        store: SqliteStore,
        // Each conversation's data key, to check it still opens after re-wrapping.
        sealed: Vec<(ConversationId, Vec<u8>)>,
    }

    const QUICK: RotateOptions = RotateOptions {
        batch: 3,
        settle: Duration::from_millis(10),
    };

    async fn fixture(conversations: usize) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let files = KeyFiles::new(dir.path().join("master.key"));
        let ring = files.load_or_create().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let mut f = Fixture {
            _dir: dir,
            files,
            store,
            sealed: Vec::new(),
        };
        f.add(&ring, conversations).await;
        f
    }

    impl Fixture {
        async fn add(&mut self, ring: &Keyring, n: usize) {
            for _ in 0..n {
                let id = ConversationId::new();
                let key = DataKey::generate();
                let wrapped = ring.wrap(&key, id.0);
                self.store
                    .create_conversation(NewConversation {
                        id,
                        token_hash: rand::random(),
                        intake: Intake::new(ReporterKind::Witness, false, Departement::parse("13")),
                        wrapped_key: wrapped.bytes,
                        key_version: wrapped.version,
                        created_at: time::OffsetDateTime::now_utc(),
                        force: None,
                        open_to_all_at: time::OffsetDateTime::now_utc(),
                        return_code: None,
                    })
                    .await
                    .unwrap();
                self.sealed.push((id, key.seal_message(id.0, 1, b"canary")));
            }
        }

        /// Every data key opens with the keys on disk and still opens its message.
        async fn every_data_key_opens(&self) {
            let ring = self.files.load().unwrap();
            for (id, sealed) in &self.sealed {
                let c = self.store.conversation(*id).await.unwrap().unwrap();
                let wrapped = WrappedKey {
                    version: c.key_version,
                    bytes: c.wrapped_key,
                };
                let key = ring.unwrap(&wrapped, id.0).unwrap();
                assert_eq!(key.open_message(id.0, 1, sealed).unwrap(), b"canary");
            }
        }

        async fn counts(&self) -> BTreeMap<u32, u64> {
            self.store.key_version_counts(KeyKind::Data).await.unwrap()
        }

        /// A staff account with a TOTP secret sealed by `ring`'s current key.
        async fn enrol(&self, ring: &Keyring, name: &str) -> (UserId, TotpSecret) {
            let now = time::OffsetDateTime::now_utc();
            let user = self
                .store
                .create_user(
                    NewUser {
                        id: UserId::new(),
                        username: name.into(),
                        display_name: name.into(),
                        role: Role::Officer,
                        password_hash: "$argon2id$fake".into(),
                        created_at: now,
                    },
                    NewAudit::system("user_created", now),
                )
                .await
                .unwrap();
            let secret = TotpSecret::generate();
            let stored = crate::auth::seal_totp(ring, user.id, &secret);
            self.store
                .enrol_totp(
                    user.id,
                    stored,
                    Vec::new(),
                    NewAudit::system("totp_enrolled", now),
                )
                .await
                .unwrap();
            (user.id, secret)
        }

        /// The TOTP secret stored for `name` opens, with the keys on disk, to `secret`.
        async fn totp_opens(&self, name: &str, secret: &TotpSecret) -> u32 {
            let ring = self.files.load().unwrap();
            let creds = self.store.user_credentials(name).await.unwrap().unwrap();
            let stored = creds.totp.unwrap();
            let sealed = WrappedKey {
                version: stored.key_version,
                bytes: stored.sealed,
            };
            let plain = ring
                .open_secret(crate::auth::TOTP_PURPOSE, creds.user.id.0, &sealed)
                .unwrap();
            assert_eq!(&plain[..], secret.as_bytes());
            stored.key_version
        }

        async fn audit(&self) -> Vec<(String, String)> {
            self.store
                .audit_after(0, 1000)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.entry)
                .filter(|a| a.action.starts_with("key_"))
                .map(|a| (a.action, a.detail.unwrap_or_default()))
                .collect()
        }
    }

    async fn rotate_quietly(f: &Fixture) -> (Result<Rotated, KeysError>, Vec<Progress>) {
        let mut seen = Vec::new();
        let result = rotate(&f.store, &f.files, QUICK, &mut |p| seen.push(p)).await;
        (result, seen)
    }

    #[tokio::test]
    async fn a_rotation_writes_the_next_version_and_rewraps_every_conversation_under_it() {
        let f = fixture(10).await;
        let (rotated, seen) = rotate_quietly(&f).await;
        assert_eq!(
            rotated.unwrap(),
            Rotated {
                version: 2,
                created: true,
                rewrapped: 10,
                resealed: 0,
            }
        );
        assert_eq!(f.counts().await, BTreeMap::from([(2, 10)]));
        assert!(matches!(seen[0], Progress::Created { version: 2, .. }));
        let batches: Vec<_> = seen
            .iter()
            .filter_map(|p| match p {
                Progress::Rewrapped { done, total } => Some((*done, *total)),
                _ => None,
            })
            .collect();
        assert_eq!(batches, vec![(3, 10), (6, 10), (9, 10), (10, 10)]);
        f.every_data_key_opens().await;
        retire(&f.store, &f.files, 1).await.unwrap();
        f.every_data_key_opens().await;
    }

    #[tokio::test]
    async fn a_rotation_reseals_every_totp_secret_and_retire_waits_for_them() {
        let f = fixture(2).await;
        let ring = f.files.load().unwrap();
        let (_, anne) = f.enrol(&ring, "anne").await;
        let (_, bruno) = f.enrol(&ring, "bruno").await;
        let (rotated, seen) = rotate_quietly(&f).await;
        let rotated = rotated.unwrap();
        assert_eq!((rotated.rewrapped, rotated.resealed), (2, 2));
        assert!(seen.contains(&Progress::Resealed { done: 2 }), "{seen:?}");
        assert_eq!(f.totp_opens("anne", &anne).await, 2);
        assert_eq!(f.totp_opens("bruno", &bruno).await, 2);
        assert_eq!(
            f.store.key_version_counts(KeyKind::Totp).await.unwrap(),
            BTreeMap::from([(2, 2)])
        );

        // A server that had not reloaded yet enrols someone under version 1: retire refuses,
        // the status shows it, and the next rotation run picks it up.
        let (_, chloe) = f.enrol(&ring, "chloe").await;
        let e = retire(&f.store, &f.files, 1).await.unwrap_err();
        assert!(
            matches!(
                e,
                KeysError::RetireInUse {
                    version: 1,
                    count: 0,
                    totp: 1
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("still seals 1 TOTP secret"), "{e}");
        let shown = status(&f.store, &f.files).await.unwrap().to_string();
        assert!(shown.contains("TOTP secrets"), "{shown}");
        assert!(
            shown.lines().any(|l| l.trim_start().starts_with("1 ")
                && l.trim_end().ends_with("master.key")
                && l.split_whitespace().nth(2) == Some("1")),
            "{shown}"
        );
        let resumed = rotate_quietly(&f).await.0.unwrap();
        assert_eq!(
            resumed,
            Rotated {
                version: 2,
                created: false,
                rewrapped: 0,
                resealed: 1,
            }
        );
        assert_eq!(f.totp_opens("chloe", &chloe).await, 2);
        retire(&f.store, &f.files, 1).await.unwrap();
        assert_eq!(f.totp_opens("anne", &anne).await, 2);

        let audit = f.audit().await;
        let actions: Vec<&str> = audit.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(actions, ["key_rotated", "key_rotated", "key_retired"]);
        assert!(
            audit[0].1.contains("to master key version 2 (new)"),
            "{audit:?}"
        );
        assert!(audit[0].1.contains("versions held before: 1;"), "{audit:?}");
        assert!(
            audit[0].1.contains("re-wrapped 2 conversations"),
            "{audit:?}"
        );
        assert!(audit[0].1.contains("re-sealed 2 TOTP secrets"), "{audit:?}");
        assert!(audit[1].1.contains("(resumed)"), "{audit:?}");
        assert!(audit[1].1.contains("re-sealed 1 TOTP secret"), "{audit:?}");
        assert!(audit[2].1.contains("version 1 retired"), "{audit:?}");
        assert!(audit[2].1.contains("versions held now: 2"), "{audit:?}");
        // Never key material.
        for key in [
            ring.current().to_base64(),
            f.files.load().unwrap().current().to_base64(),
        ] {
            assert!(audit.iter().all(|(_, d)| !d.contains(&key)));
        }
        assert!(matches!(
            crate::audit::verify(&f.store, None, |_| {}).await.unwrap(),
            crate::audit::Verdict::Intact { .. }
        ));
    }

    #[tokio::test]
    async fn a_rotation_refuses_to_start_when_a_totp_secret_uses_a_version_with_no_file() {
        let f = fixture(0).await;
        let ring = f.files.load().unwrap();
        f.enrol(&ring, "anne").await;
        f.files.create(2).unwrap();
        std::fs::remove_file(f.files.path_of(1)).unwrap();
        let e = rotate_quietly(&f).await.0.unwrap_err();
        assert!(
            matches!(
                e,
                KeysError::MissingKey {
                    version: 1,
                    count: 0,
                    totp: 1,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("seals 1 TOTP secret but"), "{e}");
    }

    #[tokio::test]
    async fn a_rotation_with_conversations_left_below_the_newest_key_resumes_with_it() {
        let f = fixture(5).await;
        // An earlier run wrote version 2 and was stopped before re-wrapping anything.
        f.files.create(2).unwrap();
        let (rotated, seen) = rotate_quietly(&f).await;
        assert_eq!(
            rotated.unwrap(),
            Rotated {
                version: 2,
                created: false,
                rewrapped: 5,
                resealed: 0,
            }
        );
        assert_eq!(
            seen[0],
            Progress::Resuming {
                version: 2,
                left: 5
            }
        );
        assert!(!f.files.path_of(3).exists());
        assert_eq!(f.counts().await, BTreeMap::from([(2, 5)]));
        f.every_data_key_opens().await;
    }

    #[tokio::test]
    async fn a_rotation_with_nothing_left_starts_a_new_version() {
        let f = fixture(2).await;
        rotate_quietly(&f).await.0.unwrap();
        let again = rotate_quietly(&f).await.0.unwrap();
        assert_eq!((again.version, again.created), (3, true));
        assert_eq!(f.counts().await, BTreeMap::from([(3, 2)]));
        f.every_data_key_opens().await;
    }

    #[tokio::test]
    async fn a_conversation_created_under_the_old_key_during_the_wait_is_rewrapped() {
        let mut f = fixture(2).await;
        let old = f.files.load().unwrap();
        let store: Arc<dyn Store> = Arc::new(f.store.clone());
        let files = f.files.clone();
        let options = RotateOptions {
            batch: 10,
            settle: Duration::from_millis(300),
        };
        let rotation =
            tokio::spawn(async move { rotate(&*store, &files, options, &mut |_| {}).await });
        // A server that has not reloaded yet still wraps with version 1.
        tokio::time::sleep(Duration::from_millis(100)).await;
        f.add(&old, 1).await;
        let rotated = rotation.await.unwrap().unwrap();
        assert_eq!(rotated.rewrapped, 3);
        assert_eq!(f.counts().await, BTreeMap::from([(2, 3)]));
        f.every_data_key_opens().await;
    }

    #[tokio::test]
    async fn a_server_that_never_switches_keys_makes_the_rotation_stop_with_an_error() {
        let f = fixture(1).await;
        let old = f.files.load().unwrap();
        let store = f.store.clone();
        // An old release that never reloads: new conversations under version 1, all along.
        let stale_server = tokio::spawn(async move {
            let mut f = Fixture {
                _dir: tempfile::tempdir().unwrap(),
                files: KeyFiles::new("unused"),
                store,
                sealed: Vec::new(),
            };
            loop {
                f.add(&old, 1).await;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        let options = RotateOptions {
            batch: 50,
            settle: Duration::from_millis(60),
        };
        let result = rotate(&f.store, &f.files, options, &mut |_| {}).await;
        stale_server.abort();
        let e = result.unwrap_err();
        assert!(matches!(e, KeysError::StillArriving), "{e:?}");
        assert!(e.to_string().contains("restart it"));
    }

    #[tokio::test]
    async fn a_rotation_refuses_to_start_when_a_version_in_use_has_no_file() {
        let f = fixture(1).await;
        f.files.create(2).unwrap();
        std::fs::remove_file(f.files.path_of(1)).unwrap();
        let (result, seen) = rotate_quietly(&f).await;
        let e = result.unwrap_err();
        assert!(matches!(
            e,
            KeysError::MissingKey {
                version: 1,
                count: 1,
                ..
            }
        ));
        assert!(
            e.to_string()
                .contains("wraps the data key of 1 conversation but")
        );
        assert!(seen.is_empty());
        assert!(!f.files.path_of(3).exists());
    }

    #[tokio::test]
    async fn retiring_is_refused_for_the_current_a_used_or_an_absent_version() {
        let f = fixture(1).await;
        assert!(matches!(
            retire(&f.store, &f.files, 1).await,
            Err(KeysError::RetireCurrent(1))
        ));
        f.files.create(2).unwrap();
        assert!(matches!(
            retire(&f.store, &f.files, 1).await,
            Err(KeysError::RetireInUse {
                version: 1,
                count: 1,
                totp: 0,
            })
        ));
        assert!(matches!(
            retire(&f.store, &f.files, 2).await,
            Err(KeysError::RetireCurrent(2))
        ));
        for absent in [0, 3, u32::MAX] {
            assert!(matches!(
                retire(&f.store, &f.files, absent).await,
                Err(KeysError::RetireAbsent(v)) if v == absent
            ));
        }
        assert!(f.files.path_of(1).exists());
        assert!(f.files.path_of(2).exists());
    }

    #[tokio::test]
    async fn the_status_lists_each_version_its_file_and_its_conversations() {
        let f = fixture(3).await;
        f.files.create(2).unwrap();
        let s = status(&f.store, &f.files).await.unwrap();
        assert_eq!(s.current(), Some(2));
        assert_eq!(s.conversations, BTreeMap::from([(1, 3)]));
        let shown = s.to_string();
        assert!(shown.contains("master-v2.key (current)"), "{shown}");
        assert!(
            shown
                .lines()
                .any(|l| l.trim_start().starts_with("1 ") && l.contains(" 3 "))
        );
    }

    #[test]
    fn a_directory_without_key_files_is_reported_before_anything_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        for files in [
            KeyFiles::new(dir.path().join("master.key")),
            KeyFiles::new(dir.path().join("typo").join("master.key")),
        ] {
            let e = require_keys(&files).unwrap_err();
            assert!(matches!(e, KeysError::NoKeys(_)), "{e:?}");
        }
        assert!(!dir.path().join("typo").exists());
    }

    #[test]
    fn counts_are_written_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(
            Progress::Rewrapped {
                done: 400,
                total: 1_234
            }
            .to_string(),
            "re-wrapped 400 of 1,234 conversations"
        );
    }
}
