//! The Ed25519 keys that sign what leaves the service (the dossiers sent to units).
//!
//! A signing key has a version, like a master key, so that a unit can tell which key signed a
//! file and whether that key has since been retired. Its secret half is stored only sealed by
//! the current master key ([`SigningKey::seal`]), bound to its version and to its public half;
//! the public half is published, with its id ([`PublicKey::id`]), for anyone to check a file.

use crate::{CryptoError, Keyring, MasterKey, WrappedKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::Zeroize;

/// What a sealed signing key is bound to, so it can never be opened as another kind of secret.
const PURPOSE: &[u8] = b"ecoute/dossier-signing/v1";

/// The length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// A private Ed25519 signing key with its version. The secret is wiped on drop.
pub struct SigningKey {
    version: u32,
    key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public().id())
    }
}

impl SigningKey {
    /// A fresh random key.
    pub fn generate(version: u32) -> Self {
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        seed.zeroize();
        Self { version, key }
    }

    /// The version this key was created as.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The half that is published and checks signatures.
    pub fn public(&self) -> PublicKey {
        PublicKey {
            version: self.version,
            key: self.key.verifying_key(),
        }
    }

    /// Signs `message` (the caller prefixes it with what it is, so that a signature over one
    /// kind of document can never pass for another).
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.key.sign(message).to_bytes()
    }

    /// Seals the secret half with the keyring's current master key, for storage.
    pub fn seal(&self, ring: &Keyring) -> SealedSigningKey {
        let public = self.key.verifying_key().to_bytes();
        SealedSigningKey {
            version: self.version,
            public,
            secret: ring.seal_secret(PURPOSE, record_id(self.version), self.key.as_bytes()),
        }
    }

    /// Opens a sealed signing key with the master key of the version that sealed it. Fails when
    /// the secret was moved to another version, altered, or does not match its public half.
    pub fn open(sealed: &SealedSigningKey, ring: &Keyring) -> Result<Self, CryptoError> {
        let mut secret = ring.open_secret(PURPOSE, record_id(sealed.version), &sealed.secret)?;
        let seed: Result<[u8; 32], _> = secret.as_slice().try_into();
        secret.zeroize();
        let mut seed = seed.map_err(|_| CryptoError::Open)?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        seed.zeroize();
        // The public half is stored in clear beside it: a swapped one would make every
        // signature unverifiable, so refuse the pair now rather than sign with it.
        if key.verifying_key().to_bytes() != sealed.public {
            return Err(CryptoError::Open);
        }
        Ok(Self {
            version: sealed.version,
            key,
        })
    }
}

/// The record id a sealed signing key is bound to: its version. Public so that the store can
/// name the row a master key rotation seals again by the same id.
pub fn record_id(version: u32) -> Uuid {
    Uuid::from_u128(u128::from(version))
}

/// Opens the sealed secret of signing key `version` and seals the same secret again with
/// `target`, for a master key rotation; the key itself, and so its public half, is unchanged.
pub fn reseal(
    ring: &Keyring,
    target: &MasterKey,
    version: u32,
    sealed: &WrappedKey,
) -> Result<WrappedKey, CryptoError> {
    let mut secret = ring.open_secret(PURPOSE, record_id(version), sealed)?;
    let out = target.seal_secret(PURPOSE, record_id(version), &secret);
    secret.zeroize();
    Ok(out)
}

/// Whether `key` opens the sealed secret of signing key `version`: a master key tried on a
/// secret already in the database, before it is trusted with new ones.
pub fn opens(key: &MasterKey, version: u32, sealed: &WrappedKey) -> bool {
    key.open_secret(PURPOSE, record_id(version), sealed)
        .map(|mut secret| secret.zeroize())
        .is_ok()
}

/// A signing key as stored: its public half in clear, its secret sealed by a master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedSigningKey {
    /// The signing key's version.
    pub version: u32,
    /// The public key, 32 bytes.
    pub public: [u8; 32],
    /// The 32-byte secret seed, sealed by a master key (whose version it names).
    pub secret: WrappedKey,
}

/// A public Ed25519 key with the version of the signing key it belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    version: u32,
    key: ed25519_dalek::VerifyingKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.id())
    }
}

impl PublicKey {
    /// A public key from its 32 bytes; fails when they are not a point of the curve.
    pub fn from_bytes(version: u32, bytes: &[u8; 32]) -> Result<Self, CryptoError> {
        let key =
            ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(|_| CryptoError::BadKey)?;
        Ok(Self { version, key })
    }

    /// A public key given as base64url (43 characters, padding optional).
    pub fn from_base64(version: u32, text: &str) -> Result<Self, CryptoError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim().trim_end_matches('='))
            .map_err(|_| CryptoError::BadKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Self::from_bytes(version, &bytes)
    }

    /// The key as base64url, as published.
    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.as_bytes())
    }

    /// The version of the signing key.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The first 8 bytes of the SHA-256 of the key, in hex: short enough to read aloud on the
    /// phone, and a wrong key list is caught anyway because the signature would not check.
    pub fn fingerprint(&self) -> String {
        Sha256::digest(self.key.as_bytes())[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The id written next to every signature: `v<version>:<fingerprint>`.
    pub fn id(&self) -> String {
        format!("v{}:{}", self.version, self.fingerprint())
    }

    /// Whether `signature` is this key's signature of `message` (strict Ed25519: no
    /// malleable or small-order signatures).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; SIGNATURE_LEN]>::try_from(signature) else {
            return false;
        };
        let signature = ed25519_dalek::Signature::from_bytes(&bytes);
        self.key.verify_strict(message, &signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MasterKey;

    #[test]
    fn a_signature_checks_only_for_its_message_and_key() {
        let key = SigningKey::generate(1);
        let sig = key.sign(b"dossier");
        assert!(key.public().verify(b"dossier", &sig));
        assert!(!key.public().verify(b"dossieR", &sig));
        assert!(!SigningKey::generate(1).public().verify(b"dossier", &sig));
        assert!(!key.public().verify(b"dossier", &sig[..63]));
    }

    #[test]
    fn a_sealed_key_opens_under_its_master_key_and_signs_the_same() {
        let ring = Keyring::new([MasterKey::generate(1)]).unwrap();
        let key = SigningKey::generate(4);
        let sealed = key.seal(&ring);
        assert_eq!(sealed.version, 4);
        assert_eq!(sealed.secret.version, 1);
        let opened = SigningKey::open(&sealed, &ring).unwrap();
        assert_eq!(opened.public(), key.public());
        assert!(key.public().verify(b"x", &opened.sign(b"x")));
        // The sealed bytes do not contain the secret seed.
        let seed = key.key.as_bytes();
        assert!(!sealed.secret.bytes.windows(32).any(|w| w == seed));
    }

    #[test]
    fn a_sealed_key_moved_to_another_version_or_public_half_is_refused() {
        let ring = Keyring::new([MasterKey::generate(1)]).unwrap();
        let sealed = SigningKey::generate(2).seal(&ring);
        let moved = SealedSigningKey {
            version: 3,
            ..sealed.clone()
        };
        assert!(SigningKey::open(&moved, &ring).is_err());
        let swapped = SealedSigningKey {
            public: SigningKey::generate(2).public().key.to_bytes(),
            ..sealed.clone()
        };
        assert!(SigningKey::open(&swapped, &ring).is_err());
        let other_ring = Keyring::new([MasterKey::generate(1)]).unwrap();
        assert!(SigningKey::open(&sealed, &other_ring).is_err());
    }

    #[test]
    fn a_public_key_round_trips_and_its_id_names_version_and_fingerprint() {
        let public = SigningKey::generate(7).public();
        let back = PublicKey::from_base64(7, &public.to_base64()).unwrap();
        assert_eq!(back, public);
        let id = public.id();
        assert!(id.starts_with("v7:"));
        assert_eq!(id.len(), 3 + 16);
        assert!(PublicKey::from_base64(7, "short").is_err());
        assert!(format!("{:?}", SigningKey::generate(1)).starts_with("SigningKey(v1:"));
    }
}
