//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) and the
//! recovery codes that stand in for a lost authenticator.
//!
//! Written here rather than taken from a crate: the algorithm is a dozen lines on top of the
//! `hmac` and `sha1` crates we already use, and the TOTP crates pull a second generation of the
//! RustCrypto hashes into the build.

use crate::{constant_time_eq, hash_token};
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use sha1::Sha1;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Seconds per step.
pub const STEP_SECS: u64 = 30;
/// Steps accepted on each side of the current one, for clocks that drift.
const SKEW: u64 = 1;

/// A staff member's TOTP secret (160 bits, as RFC 4226 recommends).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct TotpSecret([u8; 20]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// A fresh random secret.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 20];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// From stored bytes; `None` if they are not 20 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// Parses the base32 form shown to people (spaces and case ignored).
    pub fn from_base32(text: &str) -> Option<Self> {
        let clean: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = BASE32_NOPAD
            .decode(clean.trim_end_matches('=').as_bytes())
            .ok()?;
        Self::from_bytes(&bytes)
    }

    /// The raw bytes, to seal for storage.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The base32 form typed into an authenticator app by hand.
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The `otpauth://` URI an authenticator app reads from a QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECS}",
            percent(issuer),
            percent(account),
            self.to_base32(),
            percent(issuer)
        )
    }

    /// The 6-digit code of a given step.
    pub fn code_at_step(&self, step: u64) -> u32 {
        let mut mac = Hmac::<Sha1>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = (digest[19] & 0x0f) as usize;
        let value = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        value % 1_000_000
    }

    /// The code shown at a Unix time, as text with leading zeros.
    pub fn code_at(&self, unix_secs: u64) -> String {
        format!("{:06}", self.code_at_step(unix_secs / STEP_SECS))
    }

    /// Checks a typed code at a Unix time. Returns the step it belongs to, if it is valid and
    /// later than `last_used_step`: a code, once used, can never be used again.
    pub fn verify(&self, code: &str, unix_secs: u64, last_used_step: Option<u64>) -> Option<u64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = unix_secs / STEP_SECS;
        let mut found = None;
        // Every candidate is computed, so the time taken does not depend on which one matches.
        for step in now.saturating_sub(SKEW)..=now + SKEW {
            let expected = format!("{:06}", self.code_at_step(step));
            let fresh = last_used_step.is_none_or(|last| step > last);
            if constant_time_eq(expected.as_bytes(), code.as_bytes()) && fresh && found.is_none() {
                found = Some(step);
            }
        }
        found
    }
}

fn percent(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How many recovery codes an account gets at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// Fresh recovery codes (80 bits each, shown as `ABCD-EFGH-IJKL-MNOP`) and the hashes to store.
pub fn recovery_codes() -> Vec<(String, [u8; 32])> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            OsRng.fill_bytes(&mut bytes);
            let raw = BASE32_NOPAD.encode(&bytes);
            bytes.zeroize();
            let shown = raw
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).expect("base32 is ASCII"))
                .collect::<Vec<_>>()
                .join("-");
            let hash = recovery_code_hash(&shown).expect("a fresh code is well formed");
            (shown, hash)
        })
        .collect()
}

/// The stored hash of a recovery code as typed (dashes, spaces and case ignored); `None` when
/// it cannot be a recovery code.
pub fn recovery_code_hash(typed: &str) -> Option<[u8; 32]> {
    let clean: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if clean.len() != 16 || BASE32_NOPAD.decode(clean.as_bytes()).is_err() {
        return None;
    }
    Some(hash_token(&clean))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SHA-1 test secret of RFC 6238, appendix B.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890").unwrap()
    }

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // RFC 6238 gives 8-digit values; ours are their last 6 digits.
        for (time, eight) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(rfc_secret().code_at(time), eight[2..], "at {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_within_one_step_of_drift_and_never_twice() {
        let secret = TotpSecret::generate();
        let now = 1_700_000_000;
        let code = secret.code_at(now);
        let step = secret.verify(&code, now, None).expect("valid now");
        assert_eq!(step, now / STEP_SECS);
        assert!(
            secret.verify(&code, now + STEP_SECS, None).is_some(),
            "30 s late"
        );
        assert!(
            secret.verify(&code, now + 3 * STEP_SECS, None).is_none(),
            "90 s late"
        );
        assert!(
            secret.verify(&code, now, Some(step)).is_none(),
            "replay refused"
        );
        let next = secret.code_at(now + STEP_SECS);
        assert!(
            secret.verify(&next, now, Some(step)).is_some(),
            "the next step still works"
        );
    }

    #[test]
    fn malformed_codes_are_refused() {
        let secret = TotpSecret::generate();
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert!(secret.verify(bad, 1_700_000_000, None).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_secret_round_trips_through_base32_and_the_otpauth_uri() {
        let secret = TotpSecret::generate();
        let text = secret.to_base32();
        assert_eq!(
            TotpSecret::from_base32(&text.to_lowercase()),
            Some(secret.clone())
        );
        let uri = secret.otpauth_uri("Écoute", "j.martin");
        assert!(uri.starts_with("otpauth://totp/%C3%89coute:j.martin?secret="));
        assert!(uri.contains(&format!("secret={text}&")));
        assert!(!format!("{secret:?}").contains(&text));
    }

    #[test]
    fn recovery_codes_are_distinct_and_match_their_hash_however_typed() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let (shown, hash) = &codes[0];
        assert_eq!(shown.len(), 19);
        assert_eq!(recovery_code_hash(shown), Some(*hash));
        assert_eq!(
            recovery_code_hash(&shown.to_lowercase().replace('-', " ")),
            Some(*hash)
        );
        assert_ne!(codes[0].1, codes[1].1);
        assert!(recovery_code_hash("123456").is_none());
    }
}
