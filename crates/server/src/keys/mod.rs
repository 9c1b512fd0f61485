//! The master keys of a running server, kept in step with their files.
//!
//! `ecoute keys rotate` runs as another process: it writes a new key file, then re-wraps
//! every conversation. A server sees the new file within [`RELOAD_INTERVAL`] and wraps new
//! conversations with it from then on; it also reloads at once when it meets a version it
//! does not hold (a row re-wrapped before its next check).
//!
//! Before a server serves or a command uses the keys, [`check()`] compares them with the ones
//! the database's secrets are sealed with, and refuses keys that are not those (`check.rs`).

mod check;

pub use check::{KeyCheckError, KeyUse, Mismatch, Record, check, needed_versions, record_check};

use ecoute_crypto::{CryptoError, DataKey, KeyFiles, Keyring, WrappedKey};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// How often a server looks for a new key file. `keys rotate` waits longer than this (plus
/// the time of a write) before its final pass, so no conversation is left under the old key.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(2);

/// A keyring shared by every handler, replaced whole when the key files change.
#[derive(Clone)]
pub struct LiveKeys {
    files: Arc<KeyFiles>,
    ring: Arc<RwLock<Arc<Keyring>>>,
    // The last reload failure reported, so a lasting problem is logged once, not every tick.
    last_failure: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for LiveKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveKeys")
            .field("ring", &*self.ring())
            .finish()
    }
}

impl LiveKeys {
    /// Loads every key file, creating version 1 on a fresh installation.
    pub fn open(files: KeyFiles) -> Result<Self, CryptoError> {
        let ring = files.load_or_create()?;
        Ok(Self {
            files: Arc::new(files),
            ring: Arc::new(RwLock::new(Arc::new(ring))),
            last_failure: Arc::new(Mutex::new(None)),
        })
    }

    /// The keys held now.
    pub fn ring(&self) -> Arc<Keyring> {
        self.ring.read().expect("keyring lock").clone()
    }

    /// Wraps a new conversation's data key with the newest master key held.
    pub fn wrap(&self, key: &DataKey, conversation: Uuid) -> WrappedKey {
        self.ring().wrap(key, conversation)
    }

    /// Opens a wrapped data key. A version not held yet makes the server read the key files
    /// again before giving up: another process may have just written it.
    pub fn unwrap(&self, wrapped: &WrappedKey, conversation: Uuid) -> Result<DataKey, CryptoError> {
        match self.ring().unwrap(wrapped, conversation) {
            Err(CryptoError::UnknownKeyVersion(_)) => {
                self.reload();
                self.ring().unwrap(wrapped, conversation)
            }
            other => other,
        }
    }

    /// Seals a small secret of one record (a TOTP secret, a pending enrolment) with the newest
    /// master key held.
    pub fn seal_secret(&self, purpose: &[u8], id: Uuid, secret: &[u8]) -> WrappedKey {
        self.ring().seal_secret(purpose, id, secret)
    }

    /// Opens a sealed secret with the master key of the version it names, reading the key
    /// files again first when that version is not held yet.
    pub fn open_secret(
        &self,
        purpose: &[u8],
        id: Uuid,
        sealed: &WrappedKey,
    ) -> Result<Vec<u8>, CryptoError> {
        match self.ring().open_secret(purpose, id, sealed) {
            Err(CryptoError::UnknownKeyVersion(_)) => {
                self.reload();
                self.ring().open_secret(purpose, id, sealed)
            }
            other => other,
        }
    }

    /// Reads the key files again if the versions on disk differ from those held. The keys held
    /// stay in use when the files cannot be read (a failure is logged once).
    pub fn refresh(&self) {
        match self.files.versions() {
            Ok(on_disk) if on_disk == self.ring().versions() => self.forget_failure(),
            Ok(_) => self.reload(),
            Err(e) => self.report_failure(e),
        }
    }

    fn reload(&self) {
        match self.files.load() {
            Ok(ring) => {
                let (before, after) = (self.ring().versions(), ring.versions());
                let current = ring.current().version();
                *self.ring.write().expect("keyring lock") = Arc::new(ring);
                self.forget_failure();
                if before != after {
                    tracing::info!(
                        current,
                        versions = ?after,
                        "master keys reloaded"
                    );
                }
            }
            Err(e) => self.report_failure(e),
        }
    }

    fn report_failure(&self, e: CryptoError) {
        let text = e.to_string();
        let mut last = self.last_failure.lock().expect("failure lock");
        if last.as_deref() != Some(text.as_str()) {
            tracing::warn!(error = %text, "cannot reload the master keys; keeping those loaded");
            *last = Some(text);
        }
    }

    fn forget_failure(&self) {
        *self.last_failure.lock().expect("failure lock") = None;
    }

    /// Checks the key files every `interval` until the server stops.
    pub fn spawn_watcher(&self, interval: Duration, mut stopping: watch::Receiver<bool>) {
        let keys = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = async { let _ = stopping.wait_for(|stop| *stop).await; } => return,
                    _ = ticks.tick() => {
                        let keys = keys.clone();
                        // Directory listing and file reads: keep them off the async workers.
                        let _ = tokio::task::spawn_blocking(move || keys.refresh()).await;
                    }
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys() -> (tempfile::TempDir, KeyFiles, LiveKeys) {
        let dir = tempfile::tempdir().unwrap();
        let files = KeyFiles::new(dir.path().join("master.key"));
        let keys = LiveKeys::open(files.clone()).unwrap();
        (dir, files, keys)
    }

    #[tokio::test]
    async fn a_server_wraps_with_a_newer_key_file_within_the_reload_interval() {
        let (_dir, files, keys) = keys();
        let (_stop, stopping) = watch::channel(false);
        keys.spawn_watcher(Duration::from_millis(50), stopping);
        assert_eq!(keys.wrap(&DataKey::generate(), Uuid::new_v4()).version, 1);
        files.create(2).unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while keys.wrap(&DataKey::generate(), Uuid::new_v4()).version != 2 {
            assert!(tokio::time::Instant::now() < deadline, "never reloaded");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(keys.ring().versions(), BTreeSet::from([1, 2]));
    }

    #[test]
    fn an_unknown_version_makes_the_server_read_the_key_files_before_refusing() {
        let (_dir, files, keys) = keys();
        let conv = Uuid::new_v4();
        let v2 = files.create(2).unwrap();
        let data = DataKey::generate();
        let sealed = data.seal_message(conv, 1, b"hello");
        let wrapped = v2.wrap(&data, conv);
        let opened = keys.unwrap(&wrapped, conv).unwrap();
        assert_eq!(opened.open_message(conv, 1, &sealed).unwrap(), b"hello");

        let from_nowhere = ecoute_crypto::MasterKey::generate(9).wrap(&data, conv);
        assert!(matches!(
            keys.unwrap(&from_nowhere, conv),
            Err(CryptoError::UnknownKeyVersion(9))
        ));
    }

    #[test]
    fn a_broken_key_file_leaves_the_loaded_keys_in_use() {
        let (_dir, files, keys) = keys();
        std::fs::write(files.path_of(2), "half a key").unwrap();
        keys.refresh();
        assert_eq!(keys.ring().versions(), BTreeSet::from([1]));
        assert_eq!(keys.wrap(&DataKey::generate(), Uuid::new_v4()).version, 1);
    }

    #[test]
    fn a_retired_key_file_leaves_the_server_at_the_next_check() {
        let (_dir, files, keys) = keys();
        files.create(2).unwrap();
        keys.refresh();
        assert_eq!(keys.ring().versions(), BTreeSet::from([1, 2]));
        files.remove(1).unwrap();
        keys.refresh();
        assert_eq!(keys.ring().versions(), BTreeSet::from([2]));
    }
}
