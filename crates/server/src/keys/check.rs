//! Whether the master keys a process holds are the ones the database's secrets are sealed
//! with, checked before a node serves and before a command uses them.
//!
//! A node started with a master key of its own (a key file not copied from the others, so it
//! made a fresh one) would otherwise start and answer `/readyz`, then fail every TOTP login
//! (the secrets are sealed under the other key), and seal the chats it starts under a key no
//! other node holds. Comparing keys needs something sealed under each: the database keeps, per
//! master key version, a *key check value*, a known constant sealed under that version's key
//! ([`ecoute_crypto::MasterKey::check_value`]; table `master_key_checks`). It is written the
//! first time a process holding the key meets the database, and compared by every process after.
//!
//! A database from before that table has no check values yet, and a migration cannot make them
//! (it has no key). There, the key held is first tried on a secret already sealed under its
//! version (the dossier signing key if there is one, else a TOTP secret, else a conversation's
//! data key), and its check value is written only if it opens it: the first node to start
//! after the upgrade cannot impose a wrong key on the others.
//!
//! The rule: a process is refused when any version it holds is not the database's (its check
//! value does not open, or, without one, its key opens none of the secrets sealed under it), or
//! when the database needs versions and it holds none of them. "Needed" are the versions that
//! seal something, and the newest version recorded (the one that seals new chats). A version
//! held but unknown to the database gets its check value when it is newer than everything the
//! database knows (a fresh database, a rotation just made); an older unknown one is left alone.

use ecoute_crypto::{Keyring, MasterKey, WrappedKey};
use ecoute_store::{KeyKind, SealedKey, Store, StoreError};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use time::OffsetDateTime;

/// Why the keys were not accepted.
#[derive(Debug, thiserror::Error)]
pub enum KeyCheckError {
    /// The database failed.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// The keys held are not the database's.
    #[error(transparent)]
    Mismatch(#[from] Mismatch),
}

/// The master keys held do not match the database's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Mismatch {
    /// The versions held.
    pub held: BTreeSet<u32>,
    /// Those whose key is not the database's key of that version.
    pub differ: BTreeSet<u32>,
    /// The versions the database needs.
    pub needed: BTreeSet<u32>,
    /// The directory of the key files.
    pub dir: PathBuf,
    /// No key file was there, so this process made one just now.
    pub made_now: bool,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the master key files in {} are not this database's: held here: {}",
            self.dir.display(),
            versions(&self.held)
        )?;
        if !self.differ.is_empty() {
            write!(
                f,
                " ({} not the database's key of that version)",
                versions(&self.differ)
            )?;
        }
        write!(f, "; the database needs: {}. ", versions(&self.needed))?;
        if self.made_now {
            write!(f, "There was no key file there, so one was made just now. ")?;
        }
        write!(
            f,
            "With these keys, staff could not log in and new chats would be sealed under a key \
             nobody else holds. Put the key files this database was sealed with in {} (copied \
             from a node already serving, or the ones kept apart from the backups: \
             docs/DEPLOYMENT.md, \"A node with the wrong key\"), then start again",
            self.dir.display()
        )
    }
}

/// `version 1`, `versions 1, 2`, `none`.
fn versions(set: &BTreeSet<u32>) -> String {
    let list: Vec<String> = set.iter().map(u32::to_string).collect();
    match list.len() {
        0 => "none".to_string(),
        1 => format!("version {}", list[0]),
        _ => format!("versions {}", list.join(", ")),
    }
}

/// Whether the check writes check values it lacks (a server and commands that change things),
/// or only reads (`keys status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// Write the check values of versions proven or new.
    Yes,
    /// Change nothing.
    No,
}

/// What a successful check learnt of the database's use of keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyUse {
    /// How many secrets of each kind each version seals.
    pub counts: BTreeMap<KeyKind, BTreeMap<u32, u64>>,
}

/// What is known of one version held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Its check value opens, or (without one) it opened a secret sealed under it.
    Matches { recorded: bool },
    /// Its check value does not open, or it opened none of the secrets tried.
    Differs,
    /// The database has nothing under this version.
    Unknown,
}

/// Checks `ring` against the database (see the module's doc); `dir` and `made_now` are for the
/// message. Writes the check values it can when `record` says so.
pub async fn check(
    store: &dyn Store,
    ring: &Keyring,
    dir: PathBuf,
    made_now: bool,
    record: Record,
) -> Result<KeyUse, KeyCheckError> {
    let (checks, counts) = usage(store).await?;
    let in_use: BTreeSet<u32> = counts.values().flat_map(|c| c.keys().copied()).collect();
    let needed = needed_of(&checks, &in_use);
    let known_newest = checks.keys().chain(&in_use).max().copied();

    let mut verdicts = BTreeMap::new();
    for version in ring.versions() {
        let key = ring.get(version).expect("a version listed is held");
        let verdict = match checks.get(&version) {
            Some(check) if key.matches_check(check) => Verdict::Matches { recorded: true },
            Some(_) => Verdict::Differs,
            None => tried_on_a_secret(store, key, &counts).await?,
        };
        verdicts.insert(version, verdict);
    }
    let mismatch = |differ: BTreeSet<u32>| Mismatch {
        held: ring.versions(),
        differ,
        needed: needed.clone(),
        dir: dir.clone(),
        made_now,
    };
    let differ: BTreeSet<u32> = verdicts
        .iter()
        .filter(|(_, v)| **v == Verdict::Differs)
        .map(|(&version, _)| version)
        .collect();
    let holds_a_needed_one = verdicts
        .iter()
        .any(|(version, v)| needed.contains(version) && matches!(v, Verdict::Matches { .. }));
    if !differ.is_empty() || (!needed.is_empty() && !holds_a_needed_one) {
        return Err(mismatch(differ).into());
    }

    if record == Record::Yes {
        for (&version, verdict) in &verdicts {
            let new = known_newest.is_none_or(|newest| version > newest);
            let worth = match verdict {
                Verdict::Matches { recorded } => !recorded,
                Verdict::Unknown => new,
                Verdict::Differs => false,
            };
            if worth {
                let key = ring.get(version).expect("a version listed is held");
                if !record_check(store, key).await? {
                    return Err(mismatch(BTreeSet::from([version])).into());
                }
            }
        }
    }
    Ok(KeyUse { counts })
}

type Checks = BTreeMap<u32, Vec<u8>>;

/// The check values recorded, and how many secrets of each kind each version seals.
async fn usage(
    store: &dyn Store,
) -> Result<(Checks, BTreeMap<KeyKind, BTreeMap<u32, u64>>), StoreError> {
    let checks = store.key_checks().await?;
    let mut counts = BTreeMap::new();
    for kind in KeyKind::ALL {
        counts.insert(kind, store.key_version_counts(kind).await?);
    }
    Ok((checks, counts))
}

/// The versions that seal something, and the newest version recorded.
fn needed_of(checks: &Checks, in_use: &BTreeSet<u32>) -> BTreeSet<u32> {
    in_use
        .iter()
        .copied()
        .chain(checks.keys().next_back().copied())
        .collect()
}

/// The versions the database needs a process to hold (see the module's doc): none on a fresh
/// database, where a process without keys may make the first one.
pub async fn needed_versions(store: &dyn Store) -> Result<BTreeSet<u32>, StoreError> {
    let (checks, counts) = usage(store).await?;
    let in_use: BTreeSet<u32> = counts.values().flat_map(|c| c.keys().copied()).collect();
    Ok(needed_of(&checks, &in_use))
}

/// Writes `key`'s check value for its version unless one is there; `false` when the one there
/// is another key's (a process elsewhere wrote that version with its own key a moment before).
pub async fn record_check(store: &dyn Store, key: &MasterKey) -> Result<bool, StoreError> {
    let recorded = store
        .record_key_check(key.version(), &key.check_value(), OffsetDateTime::now_utc())
        .await?;
    Ok(key.matches_check(&recorded))
}

/// A version without a check value: tries the key on a secret sealed under its version, the
/// installation's own first (the dossier signing key, made by the first node ever started, and
/// sealed again only by rotations), then a TOTP secret, then a conversation's data key. The
/// first one found decides. Not "any of them": a database where a node with another key once
/// sealed some secrets (before this check existed) holds both keys' secrets under one version,
/// and the signing key says which of the two the installation began with.
async fn tried_on_a_secret(
    store: &dyn Store,
    key: &MasterKey,
    counts: &BTreeMap<KeyKind, BTreeMap<u32, u64>>,
) -> Result<Verdict, StoreError> {
    let version = key.version();
    for kind in [KeyKind::Signing, KeyKind::Totp, KeyKind::Data] {
        if !counts.get(&kind).is_some_and(|c| c.contains_key(&version)) {
            continue;
        }
        // Gone since it was counted (purged, sealed again): nothing to try.
        let Some(sample) = store.sealed_key_at_version(kind, version).await? else {
            continue;
        };
        match opens(kind, key, &sample) {
            Some(true) => return Ok(Verdict::Matches { recorded: false }),
            Some(false) => return Ok(Verdict::Differs),
            None => {}
        }
    }
    Ok(Verdict::Unknown)
}

/// Whether `key` opens a secret of `kind`; `None` when the row cannot tell (a signing key row
/// whose id is not derived from a version).
fn opens(kind: KeyKind, key: &MasterKey, sample: &SealedKey) -> Option<bool> {
    let sealed = WrappedKey {
        version: sample.key_version,
        bytes: sample.sealed.clone(),
    };
    match kind {
        KeyKind::Data => Some(key.unwrap(&sealed, sample.owner).is_ok()),
        KeyKind::Totp => Some(
            key.open_secret(crate::auth::TOTP_PURPOSE, sample.owner, &sealed)
                .map(|mut secret| zeroize::Zeroize::zeroize(&mut secret))
                .is_ok(),
        ),
        KeyKind::Signing => {
            let version = u32::try_from(sample.owner.as_u128()).ok()?;
            (ecoute_crypto::signing::record_id(version) == sample.owner)
                .then(|| ecoute_crypto::signing::opens(key, version, &sealed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecoute_crypto::DataKey;
    use ecoute_domain::{ConversationId, Departement, Intake, ReporterKind};
    use ecoute_store::NewConversation;
    use ecoute_store_sqlite::SqliteStore;
    use std::sync::Arc;

    async fn fresh() -> (tempfile::TempDir, Arc<dyn Store>) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        (dir, Arc::new(store))
    }

    fn ring(keys: &[&MasterKey]) -> Keyring {
        Keyring::new(keys.iter().map(|k| (*k).clone())).unwrap()
    }

    async fn run(store: &dyn Store, ring: &Keyring, record: Record) -> Result<KeyUse, Mismatch> {
        match check(store, ring, PathBuf::from("/etc/ecoute"), false, record).await {
            Ok(used) => Ok(used),
            Err(KeyCheckError::Mismatch(m)) => Err(m),
            Err(e) => panic!("{e}"),
        }
    }

    /// A conversation whose data key `key` wraps, as a node holding it would start one.
    async fn conversation(store: &dyn Store, key: &MasterKey, n: u8) {
        let id = ConversationId::new();
        let wrapped = key.wrap(&DataKey::generate(), id.0);
        let now = OffsetDateTime::now_utc();
        store
            .create_conversation(NewConversation {
                id,
                token_hash: [n; 32],
                intake: Intake::new(ReporterKind::Victim, false, Departement::parse("69")),
                wrapped_key: wrapped.bytes,
                key_version: wrapped.version,
                created_at: now,
                force: None,
                proposed_unit: None,
                open_to_all_at: now,
                return_code: None,
            })
            .await
            .unwrap();
    }

    fn set(versions: &[u32]) -> BTreeSet<u32> {
        versions.iter().copied().collect()
    }

    #[tokio::test]
    async fn the_first_key_to_meet_a_fresh_database_is_recorded_and_another_is_refused_after() {
        let (_dir, store) = fresh().await;
        let (ours, theirs) = (MasterKey::generate(1), MasterKey::generate(1));
        run(&*store, &ring(&[&ours]), Record::Yes).await.unwrap();
        assert!(ours.matches_check(&store.key_checks().await.unwrap()[&1]));
        run(&*store, &ring(&[&ours]), Record::Yes).await.unwrap();

        let refused = run(&*store, &ring(&[&theirs]), Record::Yes)
            .await
            .unwrap_err();
        assert_eq!(
            (&refused.held, &refused.differ, &refused.needed),
            (&set(&[1]), &set(&[1]), &set(&[1]))
        );
        assert_eq!(
            refused.to_string(),
            "the master key files in /etc/ecoute are not this database's: held here: version 1 \
             (version 1 not the database's key of that version); the database needs: version 1. \
             With these keys, staff could not log in and new chats would be sealed under a key \
             nobody else holds. Put the key files this database was sealed with in /etc/ecoute \
             (copied from a node already serving, or the ones kept apart from the backups: \
             docs/DEPLOYMENT.md, \"A node with the wrong key\"), then start again"
        );
        assert!(ours.matches_check(&store.key_checks().await.unwrap()[&1]));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_processes_meeting_a_fresh_database_at_once_with_different_keys_agree_on_one() {
        let (_dir, store) = fresh().await;
        let rings: Vec<Keyring> = (0..2).map(|_| ring(&[&MasterKey::generate(1)])).collect();
        let racing: Vec<_> = rings
            .iter()
            .cloned()
            .map(|ring| {
                let store = store.clone();
                tokio::spawn(async move { run(&*store, &ring, Record::Yes).await.is_ok() })
            })
            .collect();
        let mut passed = Vec::new();
        for r in racing {
            passed.push(r.await.unwrap());
        }
        assert_eq!(passed.iter().filter(|p| **p).count(), 1, "{passed:?}");
        let winner = &rings[passed.iter().position(|p| *p).unwrap()];
        assert!(
            winner
                .current()
                .matches_check(&store.key_checks().await.unwrap()[&1])
        );
    }

    #[tokio::test]
    async fn a_database_from_before_the_check_takes_the_key_that_opens_its_secrets() {
        let (_dir, store) = fresh().await;
        let (ours, theirs) = (MasterKey::generate(1), MasterKey::generate(1));
        crate::signing::ensure_first(&*store, &ring(&[&ours]))
            .await
            .unwrap();
        conversation(&*store, &ours, 1).await;
        assert!(store.key_checks().await.unwrap().is_empty());

        // The first process after the upgrade holds another key: refused, and nothing recorded.
        let refused = run(&*store, &ring(&[&theirs]), Record::Yes)
            .await
            .unwrap_err();
        assert_eq!(refused.differ, set(&[1]));
        assert!(store.key_checks().await.unwrap().is_empty());

        // The right key opens the signing key, and its check value is written.
        let used = run(&*store, &ring(&[&ours]), Record::Yes).await.unwrap();
        assert_eq!(used.counts[&KeyKind::Data], BTreeMap::from([(1, 1)]));
        assert!(ours.matches_check(&store.key_checks().await.unwrap()[&1]));
    }

    #[tokio::test]
    async fn where_another_key_once_sealed_some_secrets_the_signing_key_says_which_is_right() {
        let (_dir, store) = fresh().await;
        let (ours, theirs) = (MasterKey::generate(1), MasterKey::generate(1));
        crate::signing::ensure_first(&*store, &ring(&[&ours]))
            .await
            .unwrap();
        // Before the check existed, a second node with its own key started chats.
        for n in 0..3 {
            conversation(&*store, &theirs, n).await;
        }
        // Whichever meets the upgraded database first.
        assert!(run(&*store, &ring(&[&theirs]), Record::Yes).await.is_err());
        assert!(store.key_checks().await.unwrap().is_empty());
        run(&*store, &ring(&[&ours]), Record::Yes).await.unwrap();
    }

    #[tokio::test]
    async fn holding_none_of_the_versions_the_database_needs_is_refused_and_says_which() {
        let (_dir, store) = fresh().await;
        let (v1, v2) = (MasterKey::generate(1), MasterKey::generate(2));
        run(&*store, &ring(&[&v1]), Record::Yes).await.unwrap();
        run(&*store, &ring(&[&v1, &v2]), Record::Yes).await.unwrap();
        conversation(&*store, &v2, 1).await;
        // Version 1 retired: a process holding only a fresh version 3 would seal new chats
        // under a key no one else has.
        let refused = run(&*store, &ring(&[&MasterKey::generate(3)]), Record::Yes)
            .await
            .unwrap_err();
        assert_eq!(
            (&refused.held, &refused.differ, &refused.needed),
            (&set(&[3]), &set(&[]), &set(&[2]))
        );
        assert!(
            refused
                .to_string()
                .contains("held here: version 3; the database needs: version 2."),
            "{refused}"
        );
        assert_eq!(store.key_checks().await.unwrap().len(), 2);
        run(&*store, &ring(&[&v2]), Record::Yes).await.unwrap();
    }

    #[tokio::test]
    async fn a_new_version_is_recorded_but_an_unknown_older_one_is_left_alone() {
        let (_dir, store) = fresh().await;
        let (v2, v3) = (MasterKey::generate(2), MasterKey::generate(3));
        run(&*store, &ring(&[&v2]), Record::Yes).await.unwrap();
        conversation(&*store, &v2, 1).await;
        // A stray version 1 beside the right version 2, and a rotation's new version 3.
        let stray = MasterKey::generate(1);
        run(&*store, &ring(&[&stray, &v2, &v3]), Record::Yes)
            .await
            .unwrap();
        let recorded = store.key_checks().await.unwrap();
        assert_eq!(recorded.keys().copied().collect::<Vec<_>>(), [2, 3]);
        assert!(v3.matches_check(&recorded[&3]));
    }

    #[tokio::test]
    async fn a_check_that_only_reads_writes_nothing() {
        let (_dir, store) = fresh().await;
        let key = MasterKey::generate(1);
        run(&*store, &ring(&[&key]), Record::No).await.unwrap();
        assert!(store.key_checks().await.unwrap().is_empty());
        run(&*store, &ring(&[&key]), Record::Yes).await.unwrap();
        assert!(
            run(&*store, &ring(&[&MasterKey::generate(1)]), Record::No)
                .await
                .is_err()
        );
    }
}
