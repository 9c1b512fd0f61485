//! The pass a person receives for following their forwarded report, once their return code
//! has been checked: short-lived, bound to one dossier, checked without the database (a keyed
//! MAC under an installation secret), so that the costly return-code check runs once per visit
//! rather than once per page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

const DOMAIN: &[u8] = b"ecoute/follow-up/v1";

fn mac(key: &[u8; 32], dossier: Uuid, expires: i64) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(DOMAIN);
    mac.update(dossier.as_bytes());
    mac.update(&expires.to_be_bytes());
    mac.finalize().into_bytes().into()
}

/// A pass for `dossier`, valid until `expires` (Unix seconds).
pub fn issue(key: &[u8; 32], dossier: Uuid, expires: i64) -> String {
    let mut raw = Vec::with_capacity(16 + 8 + 32);
    raw.extend_from_slice(dossier.as_bytes());
    raw.extend_from_slice(&expires.to_be_bytes());
    raw.extend_from_slice(&mac(key, dossier, expires));
    URL_SAFE_NO_PAD.encode(raw)
}

/// The dossier a pass opens at `now` (Unix seconds); `None` when it is forged, altered or
/// expired.
pub fn check(key: &[u8; 32], pass: &str, now: i64) -> Option<Uuid> {
    let raw = URL_SAFE_NO_PAD.decode(pass.trim()).ok()?;
    if raw.len() != 56 {
        return None;
    }
    let dossier = Uuid::from_slice(&raw[..16]).ok()?;
    let expires = i64::from_be_bytes(raw[16..24].try_into().ok()?);
    let expected = mac(key, dossier, expires);
    (crate::constant_time_eq(&expected, &raw[24..]) && now < expires).then_some(dossier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_opens_its_dossier_until_it_expires_and_never_once_altered() {
        let key = [7u8; 32];
        let dossier = Uuid::new_v4();
        let pass = issue(&key, dossier, 1_000);
        assert_eq!(check(&key, &pass, 999), Some(dossier));
        assert_eq!(check(&key, &pass, 1_000), None, "expired");
        assert_eq!(check(&[8u8; 32], &pass, 10), None, "another installation");
        let mut raw = URL_SAFE_NO_PAD.decode(&pass).unwrap();
        raw[20] ^= 1; // a later expiry
        assert_eq!(check(&key, &URL_SAFE_NO_PAD.encode(&raw), 10), None);
        let mut raw = URL_SAFE_NO_PAD.decode(&pass).unwrap();
        raw[0] ^= 1; // another dossier
        assert_eq!(check(&key, &URL_SAFE_NO_PAD.encode(&raw), 10), None);
        assert_eq!(check(&key, "not a pass", 10), None);
    }
}
