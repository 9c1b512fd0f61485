//! Master keys by version, and the files that hold them.
//!
//! Version 1 is the original key file (`master.key`, or the configured path). Each rotation
//! adds version N + 1 as `master-vN.key` in the same directory, so a key kept away from the
//! database and its backups stays away after a rotation. The highest version wraps new data
//! keys; every older version still present only unwraps, until its conversations have been
//! re-wrapped and it is retired.

use crate::{CryptoError, DataKey, MasterKey, WrappedKey};
use rand::RngCore;
use rand::rngs::OsRng;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Every master key this process holds, by version. Never empty.
#[derive(Clone)]
pub struct Keyring {
    keys: BTreeMap<u32, MasterKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("versions", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Keyring {
    /// A keyring of these keys; [`CryptoError::NoKey`] when there are none. A version given
    /// twice keeps the last key given.
    pub fn new(keys: impl IntoIterator<Item = MasterKey>) -> Result<Self, CryptoError> {
        let keys: BTreeMap<u32, MasterKey> = keys.into_iter().map(|k| (k.version(), k)).collect();
        if keys.is_empty() {
            return Err(CryptoError::NoKey);
        }
        Ok(Self { keys })
    }

    /// The highest version: the one that wraps new data keys.
    pub fn current(&self) -> &MasterKey {
        self.keys
            .values()
            .next_back()
            .expect("a keyring is never empty")
    }

    /// The versions held, lowest first.
    pub fn versions(&self) -> BTreeSet<u32> {
        self.keys.keys().copied().collect()
    }

    /// The key of one version, if held.
    pub fn get(&self, version: u32) -> Option<&MasterKey> {
        self.keys.get(&version)
    }

    /// Wraps a new conversation's data key with the current master key.
    pub fn wrap(&self, key: &DataKey, conversation: Uuid) -> WrappedKey {
        self.current().wrap(key, conversation)
    }

    /// Opens a wrapped data key with the master key of the version it names.
    pub fn unwrap(&self, wrapped: &WrappedKey, conversation: Uuid) -> Result<DataKey, CryptoError> {
        self.get(wrapped.version)
            .ok_or(CryptoError::UnknownKeyVersion(wrapped.version))?
            .unwrap(wrapped, conversation)
    }

    /// Opens a wrapped data key and wraps the same data key again with the current master key.
    /// The messages it sealed are untouched: only the envelope changes.
    pub fn rewrap(
        &self,
        wrapped: &WrappedKey,
        conversation: Uuid,
    ) -> Result<WrappedKey, CryptoError> {
        let key = self.unwrap(wrapped, conversation)?;
        Ok(self.wrap(&key, conversation))
    }

    /// Seals a small secret of one record with the current master key (see
    /// [`MasterKey::seal_secret`]).
    pub fn seal_secret(&self, purpose: &[u8], id: Uuid, secret: &[u8]) -> WrappedKey {
        self.current().seal_secret(purpose, id, secret)
    }

    /// Opens a sealed secret with the master key of the version it names.
    pub fn open_secret(
        &self,
        purpose: &[u8],
        id: Uuid,
        sealed: &WrappedKey,
    ) -> Result<Vec<u8>, CryptoError> {
        self.get(sealed.version)
            .ok_or(CryptoError::UnknownKeyVersion(sealed.version))?
            .open_secret(purpose, id, sealed)
    }
}

/// Where the master key files are: version 1 at its own path, version N ≥ 2 as
/// `master-vN.key` in the same directory.
#[derive(Debug, Clone)]
pub struct KeyFiles {
    first: PathBuf,
    dir: PathBuf,
}

impl KeyFiles {
    /// The key files around version 1's file (by default `DATA_DIR/master.key`).
    pub fn new(first: impl Into<PathBuf>) -> Self {
        let first = first.into();
        let dir = match first.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Self { first, dir }
    }

    /// The directory that holds every version after the first.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of one version, whether it exists or not.
    pub fn path_of(&self, version: u32) -> PathBuf {
        if version == 1 {
            self.first.clone()
        } else {
            self.dir.join(format!("master-v{version}.key"))
        }
    }

    /// The versions whose file exists now, lowest first.
    pub fn versions(&self) -> Result<BTreeSet<u32>, CryptoError> {
        let mut versions = BTreeSet::new();
        if self.first.try_exists().map_err(|e| io_at(&self.first, e))? {
            versions.insert(1);
        }
        let entries = std::fs::read_dir(&self.dir).map_err(|e| io_at(&self.dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_at(&self.dir, e))?;
            let name = entry.file_name();
            let Some(version) = name.to_str().and_then(version_in_name) else {
                continue;
            };
            // A configured version-1 file could itself be named like a later version.
            if entry.path() != self.first {
                versions.insert(version);
            }
        }
        Ok(versions)
    }

    /// Reads every key file present; [`CryptoError::NoKey`] when there is none.
    pub fn load(&self) -> Result<Keyring, CryptoError> {
        let mut keys = Vec::new();
        for version in self.versions()? {
            let path = self.path_of(version);
            match std::fs::read_to_string(&path) {
                Ok(text) => keys.push(
                    MasterKey::from_base64(version, &text)
                        .map_err(|_| CryptoError::BadKeyFile(path))?,
                ),
                // Retired between the listing and the read: it is simply not there.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_at(&path, e)),
            }
        }
        Keyring::new(keys)
    }

    /// Reads every key file, or creates version 1 when no version exists at all. Once a later
    /// version exists, a missing version 1 means it was retired, and it is not created again.
    pub fn load_or_create(&self) -> Result<Keyring, CryptoError> {
        if self.versions()?.is_empty() {
            match self.create(1) {
                Ok(_) | Err(CryptoError::KeyExists(_)) => {}
                Err(e) => return Err(e),
            }
        }
        self.load()
    }

    /// Creates the key file of `version` with a fresh random key, readable by its owner only.
    /// [`CryptoError::KeyExists`] if it is already there: a key file is never overwritten.
    ///
    /// The key is written to a temporary file first and then linked under its name, so a
    /// server that lists the directory at any moment sees either no file or a complete key.
    pub fn create(&self, version: u32) -> Result<MasterKey, CryptoError> {
        let key = MasterKey::generate(version);
        let path = self.path_of(version);
        let mut suffix = [0u8; 8];
        OsRng.fill_bytes(&mut suffix);
        let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
        let temp = self.dir.join(format!(".master-v{version}.{suffix}.tmp"));
        crate::write_private(&temp, key.to_base64().as_bytes()).map_err(|e| io_at(&temp, e))?;
        // The new key belongs to whoever owns the previous one (the server's account), not to
        // whoever runs the command (often root): a server that cannot read its newest key
        // could open neither the conversations nor the TOTP secrets re-wrapped under it.
        #[cfg(unix)]
        if let Some(previous) = (1..version)
            .rev()
            .map(|v| self.path_of(v))
            .find(|p| p.exists())
        {
            use std::os::unix::fs::MetadataExt;
            let owner = std::fs::metadata(&previous).map_err(|e| io_at(&previous, e))?;
            if let Err(e) = std::os::unix::fs::chown(&temp, Some(owner.uid()), Some(owner.gid())) {
                let _ = std::fs::remove_file(&temp);
                return Err(io_at(&temp, e));
            }
        }
        let linked = std::fs::hard_link(&temp, &path);
        let _ = std::fs::remove_file(&temp);
        match linked {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(CryptoError::KeyExists(version));
            }
            Err(e) => return Err(io_at(&path, e)),
        }
        sync_dir(&self.dir);
        Ok(key)
    }

    /// Deletes the key file of `version`. Every data key it still wraps becomes unreadable:
    /// the caller checks that none is left.
    pub fn remove(&self, version: u32) -> Result<(), CryptoError> {
        let path = self.path_of(version);
        std::fs::remove_file(&path).map_err(|e| io_at(&path, e))?;
        sync_dir(&self.dir);
        Ok(())
    }
}

/// `master-v7.key` → 7, for versions from 2 up, spelt exactly as [`KeyFiles::path_of`] does.
fn version_in_name(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("master-v")?.strip_suffix(".key")?;
    let version: u32 = digits.parse().ok()?;
    (version >= 2 && version.to_string() == digits).then_some(version)
}

fn io_at(path: &Path, source: std::io::Error) -> CryptoError {
    CryptoError::KeyFileIo {
        path: path.to_path_buf(),
        source,
    }
}

/// Makes a created or removed name durable. Best effort: not every platform can open a
/// directory, and the key's own contents were already synced.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> (tempfile::TempDir, KeyFiles) {
        let dir = tempfile::tempdir().unwrap();
        let files = KeyFiles::new(dir.path().join("master.key"));
        (dir, files)
    }

    #[test]
    fn the_highest_version_wraps_and_every_version_held_unwraps() {
        let (v1, v2) = (MasterKey::generate(1), MasterKey::generate(2));
        let old_ring = Keyring::new([v1.clone()]).unwrap();
        let ring = Keyring::new([v2, v1]).unwrap();
        assert_eq!(ring.current().version(), 2);
        let conv = Uuid::new_v4();
        let key = DataKey::generate();
        let sealed = key.seal_message(conv, 1, b"message");

        let old = old_ring.wrap(&key, conv);
        assert_eq!(old.version, 1);
        let new = ring.wrap(&key, conv);
        assert_eq!(new.version, 2);
        for wrapped in [&old, &new] {
            let opened = ring.unwrap(wrapped, conv).unwrap();
            assert_eq!(opened.open_message(conv, 1, &sealed).unwrap(), b"message");
        }
    }

    #[test]
    fn a_data_key_wrapped_under_a_version_the_ring_lacks_is_refused_by_version() {
        let ring = Keyring::new([MasterKey::generate(2)]).unwrap();
        let conv = Uuid::new_v4();
        let wrapped = MasterKey::generate(1).wrap(&DataKey::generate(), conv);
        assert!(matches!(
            ring.unwrap(&wrapped, conv),
            Err(CryptoError::UnknownKeyVersion(1))
        ));
    }

    #[test]
    fn a_secret_seals_with_the_current_version_and_opens_by_its_own() {
        let v1 = MasterKey::generate(1);
        let ring = Keyring::new([v1.clone(), MasterKey::generate(2)]).unwrap();
        let user = Uuid::new_v4();
        let old = v1.seal_secret(b"purpose", user, b"secret");
        assert_eq!(ring.open_secret(b"purpose", user, &old).unwrap(), b"secret");
        assert_eq!(ring.seal_secret(b"purpose", user, b"x").version, 2);

        let new = ring.seal_secret(b"purpose", user, b"secret");
        assert_eq!(new.version, 2);
        assert_eq!(ring.open_secret(b"purpose", user, &new).unwrap(), b"secret");
        // Still bound to its purpose and record.
        assert!(ring.open_secret(b"other", user, &new).is_err());
        assert!(ring.open_secret(b"purpose", Uuid::new_v4(), &new).is_err());
        let only_v2 = Keyring::new([MasterKey::generate(2)]).unwrap();
        assert!(matches!(
            only_v2.open_secret(b"purpose", user, &old),
            Err(CryptoError::UnknownKeyVersion(1))
        ));
    }

    #[test]
    fn rewrapping_moves_a_data_key_to_the_current_version_and_keeps_the_data_key() {
        let v1 = MasterKey::generate(1);
        let ring = Keyring::new([v1.clone(), MasterKey::generate(2)]).unwrap();
        let conv = Uuid::new_v4();
        let key = DataKey::generate();
        let sealed = key.seal_message(conv, 3, b"kept");
        let moved = ring.rewrap(&v1.wrap(&key, conv), conv).unwrap();
        assert_eq!(moved.version, 2);
        // Only version 2 is needed from now on.
        let only_new = Keyring::new([ring.current().clone()]).unwrap();
        let opened = only_new.unwrap(&moved, conv).unwrap();
        assert_eq!(opened.open_message(conv, 3, &sealed).unwrap(), b"kept");
        // The new envelope is bound to its conversation like the old one.
        assert!(only_new.unwrap(&moved, Uuid::new_v4()).is_err());
    }

    #[test]
    fn a_keyring_holds_at_least_one_key_and_shows_no_key_material() {
        assert!(matches!(Keyring::new([]), Err(CryptoError::NoKey)));
        let key = MasterKey::generate(3);
        let secret = key.to_base64();
        let shown = format!("{:?}", Keyring::new([key]).unwrap());
        assert!(shown.contains('3'));
        assert!(!shown.contains(&secret));
    }

    #[test]
    fn version_one_is_the_configured_file_and_later_versions_sit_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let files = KeyFiles::new(dir.path().join("keys").join("ecoute-master.key"));
        assert_eq!(files.path_of(1), dir.path().join("keys/ecoute-master.key"));
        assert_eq!(files.path_of(2), dir.path().join("keys/master-v2.key"));
        assert_eq!(files.path_of(12), dir.path().join("keys/master-v12.key"));
        assert_eq!(KeyFiles::new("master.key").dir(), Path::new("."));
    }

    #[test]
    fn the_first_key_is_created_once_with_owner_only_access() {
        let (_dir, files) = files();
        let first = files.load_or_create().unwrap();
        let again = files.load_or_create().unwrap();
        assert_eq!(first.versions(), BTreeSet::from([1]));
        assert_eq!(first.current().to_base64(), again.current().to_base64());
        assert_owner_only(&files.path_of(1));
    }

    #[test]
    fn a_new_version_is_created_once_never_overwritten_with_owner_only_access() {
        let (_dir, files) = files();
        files.load_or_create().unwrap();
        let v2 = files.create(2).unwrap();
        assert!(matches!(files.create(2), Err(CryptoError::KeyExists(2))));
        let ring = files.load().unwrap();
        assert_eq!(ring.versions(), BTreeSet::from([1, 2]));
        assert_eq!(ring.current().to_base64(), v2.to_base64());
        assert_owner_only(&files.path_of(2));
        let leftovers: Vec<_> = std::fs::read_dir(files.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }

    #[test]
    fn a_retired_first_key_is_not_created_again() {
        let (_dir, files) = files();
        files.load_or_create().unwrap();
        files.create(2).unwrap();
        files.remove(1).unwrap();
        let ring = files.load_or_create().unwrap();
        assert_eq!(ring.versions(), BTreeSet::from([2]));
        assert!(!files.path_of(1).exists());
    }

    #[test]
    fn files_that_are_not_spelt_like_a_key_version_are_ignored() {
        let (dir, files) = files();
        files.load_or_create().unwrap();
        for name in [
            "master-v02.key",
            "master-v1.key",
            "master-v0.key",
            "master-vx.key",
            "master-v3.key.bak",
            ".master-v4.0011223344556677.tmp",
            "ecoute.db",
        ] {
            std::fs::write(dir.path().join(name), "not a key").unwrap();
        }
        assert_eq!(files.versions().unwrap(), BTreeSet::from([1]));
        assert_eq!(files.load().unwrap().versions(), BTreeSet::from([1]));
    }

    #[test]
    fn a_malformed_key_file_is_named_in_the_error() {
        let (_dir, files) = files();
        files.load_or_create().unwrap();
        std::fs::write(files.path_of(2), "short").unwrap();
        match files.load() {
            Err(CryptoError::BadKeyFile(path)) => assert_eq!(path, files.path_of(2)),
            other => panic!("expected a bad key file, got {other:?}"),
        }
    }

    #[test]
    fn no_key_file_at_all_is_reported_as_no_key() {
        let (_dir, files) = files();
        assert!(matches!(files.load(), Err(CryptoError::NoKey)));
    }

    fn assert_owner_only(path: &Path) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
        }
        #[cfg(not(unix))]
        let _ = path;
    }
}
