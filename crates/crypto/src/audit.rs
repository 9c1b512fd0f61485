//! The audit log's hash chain: each entry's hash covers the previous entry's hash and every
//! field of its own, so editing, removing or reordering an entry breaks every hash after it.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: [u8; 32] = [0u8; 32];

/// Hashes one entry after `prev`. Each field is length-prefixed so that no two different
/// entries can produce the same byte stream.
pub fn entry_hash(prev: &[u8; 32], fields: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"ecoute/audit/v1");
    h.update(prev);
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_depends_on_the_previous_hash_and_on_every_field_boundary() {
        let a = entry_hash(&GENESIS, &[b"login", b"alice"]);
        assert_ne!(a, entry_hash(&[1; 32], &[b"login", b"alice"]));
        assert_ne!(a, entry_hash(&GENESIS, &[b"logina", b"lice"]));
        assert_ne!(a, entry_hash(&GENESIS, &[b"login", b"alice", b""]));
        assert_eq!(a, entry_hash(&GENESIS, &[b"login", b"alice"]));
    }
}
