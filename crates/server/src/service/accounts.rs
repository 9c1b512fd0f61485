//! Staff accounts: logins and sessions, the authenticator's enrolment, the first administrator,
//! and reading the audit log. Each action writes its own audit entry.

use super::*;
use crate::auth::{self, LoginAttempt, Staff};
use ecoute_crypto::WrappedKey;
use ecoute_crypto::totp::TotpSecret;
use ecoute_domain::{Password, Username};
use ecoute_store::{AuditRecord, NewUser, PendingTotp, SessionInfo};

/// What binds a pending enrolment to its purpose.
const PENDING_PURPOSE: &[u8] = b"ecoute/totp-pending/v2";
/// How long the secret offered for enrolment waits for a code from it: as long as an enrolment
/// link, so that a person who scanned it and comes back the next day still gets in.
pub const PENDING_LIFETIME: time::Duration = time::Duration::hours(24);

/// The authenticator secret an enrolment page shows.
pub struct OfferedTotp {
    /// The secret, the same on every page until it is enrolled or expires.
    pub secret: TotpSecret,
    /// An earlier one expired (or no longer opens) and this one replaces it: the person must
    /// delete the earlier entry from their app.
    pub replaced: bool,
}

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

    /// The authenticator secret offered to an account not enrolled yet: the same one on every
    /// page (reloads, new logins, the enrolment link) until a code from it enrols it or it
    /// expires after [`PENDING_LIFETIME`]. Only then is a new one made, and `replaced` says so,
    /// for the page to tell the person to delete the earlier entry from their app. One that no
    /// longer opens (its master key retired) is replaced the same way.
    pub async fn offered_totp(&self, user: UserId) -> Result<OfferedTotp, ApiError> {
        let at = now();
        let before = self.store.pending_totp(user).await?;
        if let Some(pending) = &before {
            if pending.expires_at > at
                && let Some(secret) = self.open_pending(user, pending)
            {
                return Ok(OfferedTotp {
                    secret,
                    replaced: false,
                });
            }
            self.store.clear_pending_totp(user).await?;
        }
        let secret = TotpSecret::generate();
        let sealed = self
            .keys
            .seal_secret(PENDING_PURPOSE, user.0, secret.as_bytes());
        let fresh = PendingTotp {
            sealed: sealed.bytes,
            key_version: sealed.version,
            issued_at: at,
            expires_at: at + PENDING_LIFETIME,
        };
        // Another page may have offered one meanwhile: both show the one stored.
        let current = self.store.offer_pending_totp(user, fresh).await?;
        let secret = self
            .open_pending(user, &current)
            .ok_or(ApiError::Internal)?;
        Ok(OfferedTotp {
            secret,
            replaced: before.is_some(),
        })
    }

    /// The secret offered to this account, while it is valid: the one a code is checked against.
    pub async fn pending_totp(&self, user: UserId) -> Result<Option<TotpSecret>, ApiError> {
        let pending = self.store.pending_totp(user).await?;
        Ok(pending
            .filter(|p| p.expires_at > now())
            .and_then(|p| self.open_pending(user, &p)))
    }

    fn open_pending(&self, user: UserId, pending: &PendingTotp) -> Option<TotpSecret> {
        let sealed = WrappedKey {
            version: pending.key_version,
            bytes: pending.sealed.clone(),
        };
        // Any version still held opens it: an enrolment begun before a rotation completes.
        let mut plain = self
            .keys
            .open_secret(PENDING_PURPOSE, user.0, &sealed)
            .ok()?;
        let secret = TotpSecret::from_bytes(&plain);
        zeroize::Zeroize::zeroize(&mut plain);
        secret
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
        self.store.clear_pending_totp(staff.user.id).await?;
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

    /// Whether any account exists: then the first-run setup is over.
    pub async fn any_account(&self) -> Result<bool, ApiError> {
        Ok(self.store.count_users().await? > 0)
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
