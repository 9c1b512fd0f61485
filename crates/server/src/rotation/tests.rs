//! Rotation: resumed after a stop, racing new conversations, every version checked.

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
                    proposed_unit: None,
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
                    unit: None,
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
            signing: 0,
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
async fn a_rotation_records_its_new_version_and_stops_if_another_key_holds_it_already() {
    let f = fixture(4).await;
    let (rotated, _) = rotate_quietly(&f).await;
    assert_eq!(rotated.unwrap().version, 2);
    let ring = f.files.load().unwrap();
    let checks = f.store.key_checks().await.unwrap();
    assert!(ring.get(2).unwrap().matches_check(&checks[&2]));

    // A rotation elsewhere, with key files of its own, recorded version 3 a moment before.
    let elsewhere = MasterKey::generate(3);
    f.store
        .record_key_check(3, &elsewhere.check_value(), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    let (rotated, _) = rotate_quietly(&f).await;
    match rotated {
        Err(KeysError::VersionTaken { version: 3, path }) => {
            assert_eq!(path, f.files.path_of(3))
        }
        other => panic!("expected the version to be taken, got {other:?}"),
    }
    assert_eq!(
        f.counts().await,
        BTreeMap::from([(2, 4)]),
        "nothing re-wrapped"
    );
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
                totp: 1,
                signing: 0,
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
            signing: 0,
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
async fn a_rotation_reseals_the_signing_keys_and_retire_waits_for_them() {
    let f = fixture(1).await;
    let ring = f.files.load().unwrap();
    let mut public = Vec::new();
    for version in [1, 2] {
        let key = ecoute_crypto::SigningKey::generate(version);
        let sealed = key.seal(&ring);
        f.store
            .add_signing_key(
                ecoute_store::NewSigningKey {
                    version,
                    public: sealed.public,
                    sealed: sealed.secret.bytes,
                    key_version: sealed.secret.version,
                    created_at: time::OffsetDateTime::now_utc(),
                },
                NewAudit::system("signing_key_created", time::OffsetDateTime::now_utc()),
            )
            .await
            .unwrap();
        public.push(key.public());
    }
    f.files.create(2).unwrap();
    let e = retire(&f.store, &f.files, 1).await.unwrap_err();
    assert!(e.to_string().contains("seals 2 signing keys"), "{e}");

    let (rotated, seen) = rotate_quietly(&f).await;
    assert_eq!(rotated.unwrap().signing, 2);
    assert!(
        seen.contains(&Progress::ResealedSigning { done: 2 }),
        "{seen:?}"
    );
    assert!(
        Progress::ResealedSigning { done: 2 }
            .to_string()
            .contains("re-sealed 2 signing keys")
    );
    retire(&f.store, &f.files, 1).await.unwrap();
    // Opened with the new master key alone, each is the same key: it signs as before.
    let ring = f.files.load().unwrap();
    for (stored, public) in f.store.signing_keys().await.unwrap().iter().zip(&public) {
        assert_eq!(stored.key_version, 2);
        let key = ecoute_crypto::SigningKey::open(
            &ecoute_crypto::SealedSigningKey {
                version: stored.version,
                public: stored.public,
                secret: WrappedKey {
                    version: stored.key_version,
                    bytes: stored.sealed.clone(),
                },
            },
            &ring,
        )
        .unwrap();
        assert!(public.verify(b"m", &key.sign(b"m")));
    }
    let audit = f.audit().await;
    assert!(
        audit.iter().any(|(a, d)| a == "key_rotated"
            && d.contains("re-sealed 0 TOTP secrets and 2 signing keys")),
        "{audit:?}"
    );
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
            signing: 0,
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
    let rotation = tokio::spawn(async move { rotate(&*store, &files, options, &mut |_| {}).await });
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
            signing: 0,
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
