//! What the keys are now: the versions held and in use, retiring one, checking that every
//! version in use is held.

use super::*;

/// The key files present, and the conversations, TOTP secrets and signing keys each version
/// protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    /// Versions with a file, and that file.
    pub files: BTreeMap<u32, PathBuf>,
    /// Conversations per version in use.
    pub conversations: BTreeMap<u32, u64>,
    /// Staff TOTP secrets per version in use.
    pub totp: BTreeMap<u32, u64>,
    /// Dossier signing keys per version in use.
    pub signing: BTreeMap<u32, u64>,
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
            .chain(self.signing.keys())
            .copied()
            .collect();
        writeln!(
            f,
            "version  conversations  TOTP secrets  signing keys  key file"
        )?;
        for v in versions {
            let count = thousands(self.conversations.get(&v).copied().unwrap_or(0));
            let totp = thousands(self.totp.get(&v).copied().unwrap_or(0));
            let signing = thousands(self.signing.get(&v).copied().unwrap_or(0));
            let file = match self.files.get(&v) {
                Some(path) if Some(v) == self.current() => format!("{} (current)", path.display()),
                Some(path) => path.display().to_string(),
                None => "MISSING: these cannot be read".to_string(),
            };
            writeln!(f, "{v:>7}  {count:>13}  {totp:>12}  {signing:>12}  {file}")?;
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
        signing: store.key_version_counts(KeyKind::Signing).await?,
    })
}

/// Deletes the file of an older master key version once no conversation, TOTP secret or
/// signing key uses it, and writes a `key_retired` entry to the audit log.
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
    let signing = store
        .key_version_counts(KeyKind::Signing)
        .await?
        .get(&version)
        .copied()
        .unwrap_or(0);
    if count > 0 || totp > 0 || signing > 0 {
        return Err(KeysError::RetireInUse {
            version,
            count,
            totp,
            signing,
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

pub(super) fn load(files: &KeyFiles) -> Result<Keyring, KeysError> {
    files.load().map_err(|e| match e {
        CryptoError::NoKey => KeysError::NoKeys(files.dir().to_path_buf()),
        other => other.into(),
    })
}

pub(super) fn check_every_version_held(
    files: &KeyFiles,
    ring: &Keyring,
    counts: &BTreeMap<u32, u64>,
    totp: &BTreeMap<u32, u64>,
    signing: &BTreeMap<u32, u64>,
) -> Result<(), KeysError> {
    for &version in counts.keys().chain(totp.keys()).chain(signing.keys()) {
        if ring.get(version).is_none() {
            return Err(KeysError::MissingKey {
                version,
                path: files.path_of(version),
                count: counts.get(&version).copied().unwrap_or(0),
                totp: totp.get(&version).copied().unwrap_or(0),
                signing: signing.get(&version).copied().unwrap_or(0),
            });
        }
    }
    Ok(())
}

/// What a version is used for: `wraps the data key of 3 conversations and seals 1 TOTP secret
/// and 1 signing key`.
pub(super) fn in_use(conversations_n: u64, totp: u64, signing: u64) -> String {
    let mut sealed = Vec::new();
    if totp > 0 {
        sealed.push(totp_secrets(totp));
    }
    if signing > 0 {
        sealed.push(signing_keys(signing));
    }
    let sealed = sealed.join(" and ");
    match (conversations_n, sealed.is_empty()) {
        (c, true) => format!("wraps the data key of {}", conversations(c)),
        (0, false) => format!("seals {sealed}"),
        (c, false) => format!(
            "wraps the data key of {} and seals {sealed}",
            conversations(c)
        ),
    }
}

/// `1 signing key`, `2 signing keys`.
pub fn signing_keys(n: u64) -> String {
    match n {
        1 => "1 signing key".to_string(),
        n => format!("{} signing keys", thousands(n)),
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
pub(super) fn list(versions: &BTreeSet<u32>) -> String {
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
pub(super) fn thousands(n: u64) -> String {
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
