//! Envelope encryption and secret handling.
//!
//! Each conversation has its own random data key. Message bodies are sealed with
//! XChaCha20-Poly1305 under that key, with associated data naming the conversation
//! and the message's sequence number, so a ciphertext moved to another row or
//! another conversation fails to open. The data key is stored only wrapped
//! (sealed) by the master key, which lives outside the database. Destroying a
//! conversation's wrapped key destroys its messages (crypto-shredding).
//!
//! Master keys carry a version and live in a [`Keyring`]: the highest version wraps, older
//! ones only unwrap until every data key has been re-wrapped ([`keyring`]).
#![forbid(unsafe_code)]

pub mod keyring;
pub mod signing;

pub use keyring::{KeyFiles, Keyring};
pub use signing::{PublicKey, SealedSigningKey, SigningKey};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use uuid::Uuid;
use zeroize::{Zeroize, ZeroizeOnDrop};

pub mod audit;
pub mod follow_up;
pub mod return_code;
pub mod totp;

const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;

/// What can go wrong with keys and ciphertexts.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// A ciphertext did not authenticate: wrong key, wrong row, or tampering.
    #[error("ciphertext does not authenticate")]
    Open,
    /// A key file or key string is not a 32-byte key.
    #[error("a master key is 32 bytes, given as 43 base64url characters")]
    BadKey,
    /// The wrapped key names a master key version this process does not hold.
    #[error("master key version {0} is not available")]
    UnknownKeyVersion(u32),
    /// There is no master key at all.
    #[error("no master key file was found")]
    NoKey,
    /// A key file does not hold a key.
    #[error("the key file {0} does not hold a 32-byte key in base64url")]
    BadKeyFile(PathBuf),
    /// The key file of this version exists already; key files are never overwritten.
    #[error("the file of master key version {0} exists already")]
    KeyExists(u32),
    /// Reading, writing or listing key files failed.
    #[error("key file {path}: {source}")]
    KeyFileIo {
        /// The file or directory concerned.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// The key that wraps every conversation's data key. Never stored in the database.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey {
    #[zeroize(skip)]
    version: u32,
    bytes: [u8; KEY_LEN],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey(v{})", self.version)
    }
}

impl MasterKey {
    /// A fresh random key.
    pub fn generate(version: u32) -> Self {
        let mut bytes = [0u8; KEY_LEN];
        OsRng.fill_bytes(&mut bytes);
        Self { version, bytes }
    }

    /// Parses a key given as base64url (43 characters, padding optional).
    pub fn from_base64(version: u32, text: &str) -> Result<Self, CryptoError> {
        let decoded = URL_SAFE_NO_PAD
            .decode(text.trim().trim_end_matches('='))
            .map_err(|_| CryptoError::BadKey)?;
        let bytes: [u8; KEY_LEN] = decoded.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(Self { version, bytes })
    }

    /// The key as base64url, for writing to its file.
    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.bytes)
    }

    /// The version recorded next to every key it wraps.
    pub fn version(&self) -> u32 {
        self.version
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.bytes).into())
    }

    /// Seals a conversation's data key; the result is bound to that conversation.
    pub fn wrap(&self, key: &DataKey, conversation: Uuid) -> WrappedKey {
        let ad = associated_data(b"ecoute/dek/v1", conversation, self.version as u64);
        WrappedKey {
            version: self.version,
            bytes: seal(&self.cipher(), &key.0, &ad),
        }
    }

    /// Seals a small secret that belongs to one record (a staff member's TOTP secret, say):
    /// `purpose` and `id` are bound into the ciphertext.
    pub fn seal_secret(&self, purpose: &[u8], id: Uuid, secret: &[u8]) -> WrappedKey {
        let ad = associated_data(purpose, id, self.version as u64);
        WrappedKey {
            version: self.version,
            bytes: seal(&self.cipher(), secret, &ad),
        }
    }

    /// Opens what [`MasterKey::seal_secret`] sealed with the same purpose and id.
    pub fn open_secret(
        &self,
        purpose: &[u8],
        id: Uuid,
        sealed: &WrappedKey,
    ) -> Result<Vec<u8>, CryptoError> {
        if sealed.version != self.version {
            return Err(CryptoError::UnknownKeyVersion(sealed.version));
        }
        open(
            &self.cipher(),
            &sealed.bytes,
            &associated_data(purpose, id, self.version as u64),
        )
    }

    /// Opens a wrapped data key; fails if it was wrapped for another conversation or key.
    pub fn unwrap(&self, wrapped: &WrappedKey, conversation: Uuid) -> Result<DataKey, CryptoError> {
        if wrapped.version != self.version {
            return Err(CryptoError::UnknownKeyVersion(wrapped.version));
        }
        let ad = associated_data(b"ecoute/dek/v1", conversation, self.version as u64);
        let mut plain = open(&self.cipher(), &wrapped.bytes, &ad)?;
        let key: Result<[u8; KEY_LEN], _> = plain.as_slice().try_into();
        let out = key.map(DataKey).map_err(|_| CryptoError::Open);
        plain.zeroize();
        out
    }
}

/// What a key check value seals: a constant, so that opening it proves the key and nothing else.
const KEY_CHECK: &[u8] = b"ecoute master key check";
/// The purpose a key check value is bound to, so no other sealed secret can pass for one.
const KEY_CHECK_PURPOSE: &[u8] = b"ecoute/key-check/v1";

impl MasterKey {
    /// This key's check value: a known constant sealed under it, bound to its version. Kept in
    /// the database, it tells a process whether the key it holds as this version is the one the
    /// data was sealed with. It reveals nothing of the key (the key is used the way it always
    /// is, by the AEAD, never in a second primitive such as an HMAC), and each one is different
    /// (random nonce).
    pub fn check_value(&self) -> Vec<u8> {
        self.seal_secret(KEY_CHECK_PURPOSE, Uuid::nil(), KEY_CHECK)
            .bytes
    }

    /// Whether `check` is a check value that this very key made as this version.
    pub fn matches_check(&self, check: &[u8]) -> bool {
        let sealed = WrappedKey {
            version: self.version,
            bytes: check.to_vec(),
        };
        self.open_secret(KEY_CHECK_PURPOSE, Uuid::nil(), &sealed)
            .is_ok_and(|plain| plain == KEY_CHECK)
    }
}

/// A data key wrapped by a master key, as stored with its conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// Which master key wrapped it.
    pub version: u32,
    /// Nonce followed by ciphertext and tag.
    pub bytes: Vec<u8>,
}

/// One conversation's key. Lives in memory only, unwrapped, and is wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; KEY_LEN]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    /// A fresh random key for a new conversation.
    pub fn generate() -> Self {
        let mut bytes = [0u8; KEY_LEN];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }

    /// Seals a message body, bound to its conversation and sequence number.
    pub fn seal_message(&self, conversation: Uuid, seq: u64, body: &[u8]) -> Vec<u8> {
        seal(
            &self.cipher(),
            body,
            &associated_data(b"ecoute/msg/v1", conversation, seq),
        )
    }

    /// Opens a message body; fails if the row was moved or altered.
    pub fn open_message(
        &self,
        conversation: Uuid,
        seq: u64,
        sealed: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        open(
            &self.cipher(),
            sealed,
            &associated_data(b"ecoute/msg/v1", conversation, seq),
        )
    }
}

impl DataKey {
    /// Seals a staff-only note (private note, handover note, whisper), bound to its
    /// conversation, its number and its kind: a note can never be opened as a message, nor a
    /// whisper as another kind of note.
    pub fn seal_note(&self, conversation: Uuid, seq: u64, kind: &str, body: &[u8]) -> Vec<u8> {
        seal(&self.cipher(), body, &note_ad(conversation, seq, kind))
    }

    /// Opens a staff-only note; fails if the row was moved, re-labelled or altered.
    pub fn open_note(
        &self,
        conversation: Uuid,
        seq: u64,
        kind: &str,
        sealed: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        open(&self.cipher(), sealed, &note_ad(conversation, seq, kind))
    }
}

impl DataKey {
    /// Seals a chat's case file (qualification, forwarding), bound to its conversation.
    pub fn seal_case(&self, conversation: Uuid, body: &[u8]) -> Vec<u8> {
        seal(
            &self.cipher(),
            body,
            &associated_data(b"ecoute/case/v1", conversation, 0),
        )
    }

    /// Opens a chat's case file; fails if it was moved to another chat or altered.
    pub fn open_case(&self, conversation: Uuid, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        open(
            &self.cipher(),
            sealed,
            &associated_data(b"ecoute/case/v1", conversation, 0),
        )
    }
}

impl DataKey {
    /// Seals a piece of a forwarded report (the consent's details, a dossier's files, what a
    /// unit or the person records on it), bound to its conversation and to what it is
    /// (`part`): a dossier's PDF never opens as its JSON, nor a unit's note as a case file.
    pub fn seal_forwarding(&self, conversation: Uuid, part: &str, body: &[u8]) -> Vec<u8> {
        seal(&self.cipher(), body, &forwarding_ad(conversation, part))
    }

    /// Opens a piece of a forwarded report; fails if it was moved, relabelled or altered.
    pub fn open_forwarding(
        &self,
        conversation: Uuid,
        part: &str,
        sealed: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        open(&self.cipher(), sealed, &forwarding_ad(conversation, part))
    }
}

fn forwarding_ad(conversation: Uuid, part: &str) -> Vec<u8> {
    let mut ad = associated_data(b"ecoute/forwarding/v1", conversation, 0);
    ad.extend_from_slice(part.as_bytes());
    ad
}

fn note_ad(conversation: Uuid, seq: u64, kind: &str) -> Vec<u8> {
    let mut ad = associated_data(b"ecoute/note/v1", conversation, seq);
    ad.extend_from_slice(kind.as_bytes());
    ad
}

fn associated_data(domain: &[u8], conversation: Uuid, n: u64) -> Vec<u8> {
    let mut ad = Vec::with_capacity(domain.len() + 16 + 8);
    ad.extend_from_slice(domain);
    ad.extend_from_slice(conversation.as_bytes());
    ad.extend_from_slice(&n.to_be_bytes());
    ad
}

fn seal(cipher: &XChaCha20Poly1305, plain: &[u8], ad: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: ad,
            },
        )
        .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

fn open(cipher: &XChaCha20Poly1305, sealed: &[u8], ad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < NONCE_LEN {
        return Err(CryptoError::Open);
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: ad })
        .map_err(|_| CryptoError::Open)
}

/// Writes a secret file readable by its owner only (mode 0600 on Unix).
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// A bearer secret handed to a client once; the server keeps only its hash.
pub struct Token {
    /// The secret, base64url; give it to the client and forget it.
    pub secret: String,
    /// What the server stores and looks up.
    pub hash: [u8; 32],
}

impl Token {
    /// 32 random bytes.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let secret = URL_SAFE_NO_PAD.encode(bytes);
        bytes.zeroize();
        let hash = hash_token(&secret);
        Self { secret, hash }
    }
}

/// The lookup hash of a token. Tokens have 256 bits of entropy, so a plain SHA-256 suffices.
pub fn hash_token(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Compares two secrets in constant time.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_opens_only_in_its_own_conversation_and_place() {
        let key = DataKey::generate();
        let conv = Uuid::new_v4();
        let sealed = key.seal_message(conv, 7, b"je suis en danger");
        assert_eq!(
            key.open_message(conv, 7, &sealed).unwrap(),
            b"je suis en danger"
        );
        assert!(key.open_message(conv, 8, &sealed).is_err());
        assert!(key.open_message(Uuid::new_v4(), 7, &sealed).is_err());
        assert!(DataKey::generate().open_message(conv, 7, &sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(key.open_message(conv, 7, &tampered).is_err());
        assert!(key.open_message(conv, 7, &sealed[..10]).is_err());
    }

    #[test]
    fn the_ciphertext_does_not_contain_the_plaintext() {
        let key = DataKey::generate();
        let sealed = key.seal_message(Uuid::new_v4(), 1, b"CANARY-CANARY-CANARY");
        assert!(!sealed.windows(6).any(|w| w == b"CANARY"));
    }

    #[test]
    fn a_wrapped_key_opens_only_for_its_conversation_and_master_key() {
        let master = MasterKey::generate(1);
        let conv = Uuid::new_v4();
        let key = DataKey::generate();
        let wrapped = master.wrap(&key, conv);
        let back = master.unwrap(&wrapped, conv).unwrap();
        let sealed = key.seal_message(conv, 1, b"x");
        assert_eq!(back.open_message(conv, 1, &sealed).unwrap(), b"x");
        assert!(master.unwrap(&wrapped, Uuid::new_v4()).is_err());
        assert!(MasterKey::generate(1).unwrap(&wrapped, conv).is_err());
        assert!(matches!(
            MasterKey::generate(2).unwrap(&wrapped, conv),
            Err(CryptoError::UnknownKeyVersion(1))
        ));
    }

    #[test]
    fn a_check_value_matches_only_the_key_and_version_that_made_it() {
        let key = MasterKey::generate(1);
        let check = key.check_value();
        assert!(key.matches_check(&check));
        assert!(!MasterKey::generate(1).matches_check(&check));
        let same_bytes_as_v2 = MasterKey::from_base64(2, &key.to_base64()).unwrap();
        assert!(!same_bytes_as_v2.matches_check(&check));
        assert_ne!(check, key.check_value(), "a fresh nonce each time");
        let mut altered = check.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(!key.matches_check(&altered));
        assert!(!key.matches_check(&[]));
        // Another secret sealed by the same key is not a check value.
        let other = key.seal_secret(b"ecoute/totp/v1", Uuid::nil(), b"ecoute master key check");
        assert!(!key.matches_check(&other.bytes));
    }

    #[test]
    fn a_malformed_master_key_is_refused() {
        assert!(MasterKey::from_base64(1, "short").is_err());
        assert!(MasterKey::from_base64(1, &"A".repeat(44)).is_err());
        let k = MasterKey::generate(1);
        assert!(MasterKey::from_base64(1, &format!("{}\n", k.to_base64())).is_ok());
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let a = Token::generate();
        let b = Token::generate();
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.hash, hash_token(&a.secret));
        assert!(constant_time_eq(&a.hash, &hash_token(&a.secret)));
        assert!(!constant_time_eq(&a.hash, &b.hash));
    }

    #[test]
    fn a_note_opens_only_as_the_note_it_was_sealed_as() {
        let key = DataKey::generate();
        let c = Uuid::new_v4();
        let sealed = key.seal_note(c, 1, "whisper", b"advice");
        assert_eq!(key.open_note(c, 1, "whisper", &sealed).unwrap(), b"advice");
        assert!(key.open_note(c, 1, "note", &sealed).is_err());
        assert!(key.open_note(c, 2, "whisper", &sealed).is_err());
        assert!(key.open_message(c, 1, &sealed).is_err());
    }
}
