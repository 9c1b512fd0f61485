//! Return codes: drawn uniformly at random, looked up by a short keyed hash, checked with
//! argon2id by the caller.
//!
//! The lookup hash is deliberately short ([`BUCKET_BITS`] bits): it only narrows the search to a
//! handful of conversations, and says almost nothing about a code. Whoever holds the database and
//! the lookup key still faces, for each conversation, some 10^16 / 2^20 ≈ 10^10 candidate codes,
//! each costing an argon2id computation.

use hmac::{Hmac, Mac};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::Sha256;

/// Bits of the lookup hash kept.
pub const BUCKET_BITS: u32 = 20;

/// A fresh code: 16 decimal digits, each uniform (rejection sampling, no modulo bias).
pub fn generate_return_code() -> String {
    let mut out = String::with_capacity(16);
    let mut byte = [0u8; 1];
    while out.len() < 16 {
        OsRng.fill_bytes(&mut byte);
        if byte[0] < 250 {
            out.push(char::from(b'0' + byte[0] % 10));
        }
    }
    out
}

/// The lookup bucket of a code's digits under the installation's lookup key.
pub fn return_code_bucket(lookup_key: &[u8; 32], digits: &str) -> u32 {
    let mut mac = Hmac::<Sha256>::new_from_slice(lookup_key).expect("any key length");
    mac.update(b"ecoute/return-code/v1");
    mac.update(digits.as_bytes());
    let tag = mac.finalize().into_bytes();
    u32::from_be_bytes([tag[0], tag[1], tag[2], tag[3]]) >> (32 - BUCKET_BITS)
}

/// A new random lookup key for an installation.
pub fn generate_lookup_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sixteen_digits_and_do_not_repeat() {
        let a = generate_return_code();
        let b = generate_return_code();
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| c.is_ascii_digit()));
        assert_ne!(a, b);
    }

    #[test]
    fn the_bucket_depends_on_the_key_and_fits_its_bits() {
        let k1 = generate_lookup_key();
        let k2 = generate_lookup_key();
        let code = "0612345678901234";
        assert_eq!(return_code_bucket(&k1, code), return_code_bucket(&k1, code));
        assert!(return_code_bucket(&k1, code) < 1 << BUCKET_BITS);
        // Two random keys almost surely give different buckets for some of these codes.
        let differ = (0..20)
            .map(|i| format!("{i:016}"))
            .any(|c| return_code_bucket(&k1, &c) != return_code_bucket(&k2, &c));
        assert!(differ);
    }

    #[test]
    fn digits_are_uniform_enough() {
        let mut counts = [0u32; 10];
        for _ in 0..500 {
            for c in generate_return_code().bytes() {
                counts[(c - b'0') as usize] += 1;
            }
        }
        // 8000 digits: each about 800; far outside 650..950 would mean a biased generator.
        assert!(
            counts.iter().all(|&n| (650..950).contains(&n)),
            "{counts:?}"
        );
    }
}
