//! Staff accounts: logins and sessions, the authenticator's enrolment, the first administrator,
//! and reading the audit log. Each action writes its own audit entry.

use super::*;
use crate::auth::{self, LoginAttempt, Staff};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecoute_crypto::WrappedKey;
use ecoute_crypto::totp::TotpSecret;
use ecoute_domain::{Password, Username};
use ecoute_store::{AuditRecord, NewUser, SessionInfo};

/// What binds a pending enrolment to its purpose.
const PENDING_PURPOSE: &[u8] = b"ecoute/totp-pending/v1";
/// How long the QR code shown stays valid for confirming.
const PENDING_SECS: i64 = 15 * 60;

impl ChatService {
    /// The staff member whose session cookie this is, if it is still valid.
    pub async fn authenticate(&self, cookie: &str) -> Result<Staff, ApiError> {
        auth::authenticate(&self.store, cookie).await
    }

    /// Checks a login and starts a session (audited); the account and the cookie value.
    pub async fn log_in(&self, attempt: LoginAttempt<'_>) -> Result<(User, String), ApiError> {
        let user = auth::login(&self.store, &self.keys, attempt).await?;
        let cookie = auth::start_session(&self.store, &user).await?;
        tracing::info!(user = %user.id, "staff login");
        Ok((user, cookie))
    }

    /// Deletes one of a user's sessions and tells its open sockets to close.
    pub async fn end_session(&self, user: UserId, session: [u8; 32]) -> Result<(), ApiError> {
        self.store.delete_session(session).await?;
        self.bus
            .publish(Topic::Officer(user), BusEvent::SessionEnded { session });
        Ok(())
    }

    /// Ends one of the staff member's own sessions by its public id (audited); `true` when it
    /// was the current one. Another user's session is not found.
    pub async fn end_own_session(&self, staff: &Staff, id: &str) -> Result<bool, ApiError> {
        let sessions = self.store.sessions_of(staff.user.id).await?;
        let target = sessions
            .into_iter()
            .find(|s| !s.id.is_empty() && s.id == id)
            .ok_or(ApiError::NotFound)?;
        self.end_session(staff.user.id, target.token_hash).await?;
        let audit = NewAudit::by(&staff.user, "session_ended", now());
        self.store.append_audit(audit).await?;
        Ok(target.token_hash == staff.session)
    }

    /// A user's sessions, most recent first.
    pub async fn sessions_of(&self, user: UserId) -> Result<Vec<SessionInfo>, ApiError> {
        Ok(self.store.sessions_of(user).await?)
    }

    /// How many unused recovery codes a user has left.
    pub async fn recovery_codes_left(&self, user: UserId) -> Result<u64, ApiError> {
        Ok(self.store.recovery_codes_left(user).await?)
    }

    /// A fresh secret sealed for the enrolment form, so that nothing is stored before the
    /// person proves, with a code, that their authenticator holds it.
    pub fn seal_pending_totp(&self, user: UserId, secret: &TotpSecret) -> String {
        let expires = now().unix_timestamp() + PENDING_SECS;
        let mut plain = secret.as_bytes().to_vec();
        plain.extend_from_slice(&expires.to_be_bytes());
        let sealed = self.keys.seal_secret(PENDING_PURPOSE, user.0, &plain);
        let mut out = sealed.version.to_be_bytes().to_vec();
        out.extend_from_slice(&sealed.bytes);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// The secret sealed by [`Self::seal_pending_totp`] for this user, unless it expired or
    /// was tampered with.
    pub fn open_pending_totp(&self, user: UserId, pending: &str) -> Option<TotpSecret> {
        let raw = URL_SAFE_NO_PAD.decode(pending.trim()).ok()?;
        if raw.len() < 4 {
            return None;
        }
        let (version, bytes) = raw.split_at(4);
        let sealed = WrappedKey {
            version: u32::from_be_bytes(version.try_into().ok()?),
            bytes: bytes.to_vec(),
        };
        // Any version still held opens it: an enrolment begun just before a rotation completes.
        let plain = self
            .keys
            .open_secret(PENDING_PURPOSE, user.0, &sealed)
            .ok()?;
        let (secret, expires) = plain.split_at(20);
        let expires = i64::from_be_bytes(expires.try_into().ok()?);
        if now().unix_timestamp() > expires {
            return None;
        }
        TotpSecret::from_bytes(secret)
    }

    /// Enrols the authenticator whose code was just checked at time step `step` (audited), with
    /// its recovery codes' hashes; `false` when the account was enrolled meanwhile.
    pub async fn enrol_totp(
        &self,
        staff: &Staff,
        secret: &TotpSecret,
        step: u64,
        recovery_hashes: Vec<[u8; 32]>,
    ) -> Result<bool, ApiError> {
        let mut stored = auth::seal_totp(&self.keys.ring(), staff.user.id, secret);
        // The code just typed may not be used again to log in.
        stored.last_step = Some(step);
        let audit = NewAudit::by(&staff.user, "totp_enrolled", now());
        if !self
            .store
            .enrol_totp(staff.user.id, stored, recovery_hashes, audit)
            .await?
        {
            return Ok(false);
        }
        // Any other session of this account was opened with the password alone: it must not
        // become a full session now that the account has an authenticator.
        for s in self.store.sessions_of(staff.user.id).await? {
            if s.token_hash != staff.session {
                self.end_session(staff.user.id, s.token_hash).await?;
            }
        }
        Ok(true)
    }

    /// Changes the staff member's own password after checking the current one and a code from
    /// the authenticator (audited); every other session of the account ends, the current one
    /// stays. `Ok(false)` (and nothing changed) when the check fails.
    pub async fn change_own_password(
        &self,
        staff: &Staff,
        current: String,
        code: &str,
        new: Password,
    ) -> Result<bool, ApiError> {
        if !auth::confirm_identity(&self.store, &self.keys, &staff.user, current, code).await? {
            return Ok(false);
        }
        let hash = auth::hash_password(new)
            .await
            .map_err(|_| ApiError::Internal)?;
        let audit = NewAudit::by(&staff.user, "password_changed", now());
        self.store.set_password(staff.user.id, &hash, audit).await?;
        for s in self.store.sessions_of(staff.user.id).await? {
            if s.token_hash != staff.session {
                self.end_session(staff.user.id, s.token_hash).await?;
            }
        }
        Ok(true)
    }

    /// Replaces the staff member's recovery codes after checking the password and a code from
    /// the authenticator (audited); the new codes, to be shown once, or `None` (and nothing
    /// changed) when the check fails.
    pub async fn renew_own_recovery_codes(
        &self,
        staff: &Staff,
        password: String,
        code: &str,
    ) -> Result<Option<Vec<String>>, ApiError> {
        if !auth::confirm_identity(&self.store, &self.keys, &staff.user, password, code).await? {
            return Ok(None);
        }
        let codes = ecoute_crypto::totp::recovery_codes();
        let hashes = codes.iter().map(|(_, h)| *h).collect();
        let audit = NewAudit::by(&staff.user, "recovery_codes_renewed", now());
        self.store
            .replace_recovery_codes(staff.user.id, hashes, audit)
            .await?;
        Ok(Some(codes.into_iter().map(|(c, _)| c).collect()))
    }

    /// Creates the first administrator with the one-time setup code (audited); `None` when the
    /// code opens nothing (wrong, used or expired).
    pub async fn create_first_admin(
        &self,
        setup_code: &str,
        username: Username,
        display_name: &str,
        password: Password,
    ) -> Result<Option<User>, ApiError> {
        let hash = auth::hash_password(password)
            .await
            .map_err(|_| ApiError::Internal)?;
        let now = now();
        let admin = NewUser {
            id: UserId::new(),
            username: username.as_str().to_string(),
            display_name: display_name.to_string(),
            role: Role::Admin,
            unit: None,
            password_hash: hash,
            created_at: now,
        };
        let audit =
            NewAudit::system("user_created", now).detail("first administrator, by setup link");
        let created = self
            .store
            .redeem_setup_code(ecoute_crypto::hash_token(setup_code), now, admin, audit)
            .await?;
        if let Some(user) = &created {
            tracing::info!(user = %user.id, "first administrator created");
        }
        Ok(created)
    }

    /// A page of the audit log: at most `limit` entries before `before`, newest first.
    pub async fn audit_page(
        &self,
        before: Option<u64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, ApiError> {
        Ok(self.store.audit_page(before, limit).await?)
    }
}
