//! Checking the audit log's hash chain.

use ecoute_store::{Store, StoreError};

/// What a check of the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry is in place; the last one is `head` (sequence, hash in hex).
    Intact {
        /// Entries checked.
        entries: u64,
        /// The last entry, to keep somewhere else and compare later (tail truncation).
        head: Option<(u64, String)>,
    },
    /// The first entry that does not fit, and why.
    Broken {
        /// Its sequence number (for a gap: the first missing one).
        seq: u64,
        /// What is wrong.
        reason: String,
    },
}

/// Bytes as lowercase hexadecimal, as heads and hashes are shown.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Walks the whole chain, page by page, calling `progress` with the count checked so far.
/// `expect_head` is a head recorded earlier (`seq:hash`): it must still be there, unchanged.
pub async fn verify(
    store: &dyn Store,
    expect_head: Option<(u64, String)>,
    mut progress: impl FnMut(u64),
) -> Result<Verdict, StoreError> {
    let mut prev = ecoute_crypto::audit::GENESIS;
    let mut last_seq = 0u64;
    let mut head = None;
    loop {
        let page = store.audit_after(last_seq, 1000).await?;
        if page.is_empty() {
            break;
        }
        for record in page {
            if record.seq != last_seq + 1 {
                return Ok(Verdict::Broken {
                    seq: last_seq + 1,
                    reason: format!("entry {} is missing", last_seq + 1),
                });
            }
            if record.prev_hash != prev {
                return Ok(Verdict::Broken {
                    seq: record.seq,
                    reason: "it does not follow the entry before it (removed or reordered)".into(),
                });
            }
            if record.hash != record.entry.hash(record.seq, &prev) {
                return Ok(Verdict::Broken {
                    seq: record.seq,
                    reason: "its content does not match its hash (edited)".into(),
                });
            }
            prev = record
                .hash
                .clone()
                .try_into()
                .map_err(|_| StoreError::Corrupt("audit hash length".into()))?;
            last_seq = record.seq;
            head = Some((record.seq, hex(&record.hash)));
        }
        progress(last_seq);
    }
    if let Some((seq, hash)) = expect_head {
        let found = store.audit_after(seq.saturating_sub(1), 1).await?;
        match found.first() {
            Some(r) if r.seq == seq && hex(&r.hash) == hash.to_ascii_lowercase() => {}
            _ => {
                return Ok(Verdict::Broken {
                    seq,
                    reason: "the head recorded earlier is gone or changed (entries removed from the end)"
                        .into(),
                });
            }
        }
    }
    Ok(Verdict::Intact {
        entries: last_seq,
        head,
    })
}
