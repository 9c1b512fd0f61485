//! Staff authentication: argon2id passwords, TOTP with replay protection and recovery codes,
//! login limits, and sessions held by a cookie.

use crate::error::ApiError;
use crate::keys::LiveKeys;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use ecoute_crypto::totp::{TotpSecret, recovery_code_hash};
use ecoute_crypto::{CryptoError, Keyring, MasterKey, Token, WrappedKey, hash_token};
use ecoute_domain::{Password, UserId};
use ecoute_store::{LoginReservation, NewAudit, Store, StoredTotp, User};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock};
use time::{Duration, OffsetDateTime};

/// A session ends after this long without a person's action.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(15);
/// A session ends this long after login, whatever happens.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// Activity is written back at most this often, to spare the single writer.
const TOUCH_EVERY: Duration = Duration::seconds(60);
/// Failed logins allowed per username within [`FAILURE_WINDOW`]; the next attempt is refused.
pub const MAX_FAILURES: u64 = 100;
/// The window over which failures are counted.
pub const FAILURE_WINDOW: Duration = Duration::hours(1);
/// What binds a sealed TOTP secret to its purpose.
pub(crate) const TOTP_PURPOSE: &[u8] = b"ecoute/totp/v1";

fn argon2() -> Argon2<'static> {
    // security.md: at least 19 MiB, t = 2, p = 1.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// argon2id computations running at once, at most: one per core. Each holds 19 MiB while it
/// runs; without a bound, a burst of new visitors would hold that many times over, on as many
/// blocking threads, whose allocator arenas keep the memory afterwards.
static ARGON2_WORK: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// Runs argon2id work on a blocking thread, within [`ARGON2_WORK`].
async fn argon2_work<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _permit = ARGON2_WORK.acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// Hashes a return code's digits with argon2id, on a blocking thread.
pub async fn hash_code(digits: String) -> anyhow::Result<String> {
    argon2_work(move || hash_code_here(&digits)).await?
}

/// Hashes a return code's digits with argon2id on the calling thread (tens of milliseconds).
pub(crate) fn hash_code_here(digits: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(digits.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// Which of `hashes` (if any) the digits match. Every hash is checked, and one dummy when there
/// is none, so the time taken says nothing about how many conversations share the bucket.
pub async fn match_code(digits: String, hashes: Vec<String>) -> anyhow::Result<Option<usize>> {
    argon2_work(move || {
        let mut found = None;
        if hashes.is_empty() {
            let parsed = PasswordHash::new(dummy_hash()).expect("valid dummy hash");
            let _ = argon2().verify_password(digits.as_bytes(), &parsed);
        }
        for (i, hash) in hashes.iter().enumerate() {
            let Ok(parsed) = PasswordHash::new(hash) else {
                continue;
            };
            if argon2().verify_password(digits.as_bytes(), &parsed).is_ok() && found.is_none() {
                found = Some(i);
            }
        }
        found
    })
    .await
}

/// Hashes a password on a blocking thread (argon2 takes tens of milliseconds of CPU).
pub async fn hash_password(password: Password) -> anyhow::Result<String> {
    argon2_work(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

/// A hash of a password nobody knows, checked when the username is unknown so that
/// the answer takes as long as for a real account.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2()
            .hash_password(b"no account has this password, it only burns time", &salt)
            .expect("hashing a constant works")
            .to_string()
    })
}

/// Warms the dummy hash so the first unknown-user login is not faster than the others.
pub fn prepare() {
    let _ = dummy_hash();
}

/// Seals a TOTP secret for storage with the current master key, bound to its account.
pub fn seal_totp(keys: &Keyring, user: UserId, secret: &TotpSecret) -> StoredTotp {
    let sealed = keys.seal_secret(TOTP_PURPOSE, user.0, secret.as_bytes());
    StoredTotp {
        sealed: sealed.bytes,
        key_version: sealed.version,
        last_step: None,
    }
}

/// Opens a stored TOTP secret with `keys` (by the version it names) and seals it again with
/// `target`, for a key rotation. The secret itself does not change, so the person's
/// authenticator keeps working.
pub fn reseal_totp(
    keys: &Keyring,
    target: &MasterKey,
    user: UserId,
    version: u32,
    sealed: &[u8],
) -> Result<WrappedKey, CryptoError> {
    let sealed = WrappedKey {
        version,
        bytes: sealed.to_vec(),
    };
    let mut plain = keys.open_secret(TOTP_PURPOSE, user.0, &sealed)?;
    let out = target.seal_secret(TOTP_PURPOSE, user.0, &plain);
    zeroize::Zeroize::zeroize(&mut plain);
    Ok(out)
}

/// Opens a stored TOTP secret with the master key of the version it was sealed with.
fn open_totp(keys: &LiveKeys, user: UserId, stored: &StoredTotp) -> Option<TotpSecret> {
    let sealed = WrappedKey {
        version: stored.key_version,
        bytes: stored.sealed.clone(),
    };
    let mut bytes = keys.open_secret(TOTP_PURPOSE, user.0, &sealed).ok()?;
    let secret = TotpSecret::from_bytes(&bytes);
    zeroize::Zeroize::zeroize(&mut bytes);
    secret
}

/// A per-address limit (login attempts, new conversations), held in memory only: addresses
/// never reach the disk or a log.
pub struct AddressLimiter {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl AddressLimiter {
    /// `burst` attempts at once, then one more every `per_secs / burst` seconds.
    pub fn new(burst: u32, per_secs: u64) -> Self {
        let burst = NonZeroU32::new(burst.max(1)).expect("at least one");
        let period = std::time::Duration::from_secs(per_secs.max(1)) / burst.get();
        let quota = Quota::with_period(period)
            .expect("a non-zero period")
            .allow_burst(burst);
        Self {
            per_address: RateLimiter::keyed(quota),
        }
    }

    /// Refuses an attempt from an address that has made too many. An IPv6 address counts with
    /// its whole /64 (what one subscriber gets), so that changing the last bits gains nothing.
    pub fn check(&self, address: IpAddr) -> Result<(), ApiError> {
        let address = match address {
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::from(octets)
            }
            v4 => v4,
        };
        self.per_address.check_key(&address).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyAttempts {
                retry_after_secs: wait.as_secs() + 1,
            }
        })
    }

    /// Forgets addresses whose budget is full again, so memory stays bounded.
    pub fn forget_idle(&self) {
        self.per_address.retain_recent();
        self.per_address.shrink_to_fit();
    }
}

/// What a login form or request carries.
pub struct LoginAttempt<'a> {
    /// As typed.
    pub username: &'a str,
    /// As typed.
    pub password: String,
    /// A 6-digit code from the authenticator, or a recovery code.
    pub code: Option<&'a str>,
}

/// Checks a login. The same error, in the same time, whatever is wrong (unknown user, wrong
/// password, wrong or replayed code); the 101st failure within the hour is refused before
/// anything is checked, with a Retry-After. An account without an authenticator gets in with its
/// password only, to enrol one, and can do nothing else until it has.
pub async fn login(
    store: &Arc<dyn Store>,
    keys: &LiveKeys,
    attempt: LoginAttempt<'_>,
) -> Result<User, ApiError> {
    let now = OffsetDateTime::now_utc();
    let username = attempt.username.trim();
    // The attempt counts as a failure from the start, in the same transaction as the count:
    // attempts checked at the same time cannot all slip under the limit.
    let reservation = store
        .reserve_login_attempt(username, now - FAILURE_WINDOW, now, MAX_FAILURES)
        .await?;
    let reservation = match reservation {
        LoginReservation::Reserved(id) => id,
        LoginReservation::Refused { oldest } => {
            let free_at = oldest.unwrap_or(now) + FAILURE_WINDOW;
            return Err(ApiError::TooManyAttempts {
                retry_after_secs: (free_at - now).whole_seconds().max(1) as u64,
            });
        }
    };

    let found = store.user_credentials(username).await?;
    let (creds, hash) = match found {
        Some(c) => {
            let hash = c.password_hash.clone();
            (Some(c), hash)
        }
        None => (None, dummy_hash().to_string()),
    };
    let password = attempt.password;
    let password_ok = argon2_work(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|_| ApiError::Internal)?;

    // A disabled account is refused after the same work as any other, with the same answer
    // as a wrong password: the answer says nothing of the account's state.
    let accepted = match (&creds, password_ok) {
        (Some(c), true) if !c.disabled => match &c.totp {
            None => true,
            Some(stored) => {
                second_factor(store, keys, c.user.id, stored, attempt.code, now).await?
            }
        },
        _ => false,
    };
    match creds {
        Some(c) if accepted => {
            store.clear_login_attempt(reservation).await?;
            Ok(c.user)
        }
        creds => {
            let mut audit = match &creds {
                Some(c) if c.disabled => {
                    NewAudit::by(&c.user, "login_failed", now).detail("account disabled")
                }
                Some(c) => NewAudit::by(&c.user, "login_failed", now),
                None => NewAudit::system("login_failed", now).detail("unknown username"),
            };
            if audit.actor_name.is_none() {
                audit.actor_name = Some(username.chars().take(64).collect());
            }
            // The failure itself was recorded by the reservation.
            store.append_audit(audit).await?;
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// Checks, for a signed-in account about to change its password or recovery codes, its current
/// password and a code from its authenticator (not a recovery code). It spends the same per-account
/// failure budget as logins (the 101st failure within the hour is refused before anything is
/// checked); a used code cannot be used again. `Ok(false)` for a wrong password or code, or an
/// account without an authenticator; each failure is audited.
pub async fn confirm_identity(
    store: &Arc<dyn Store>,
    keys: &LiveKeys,
    user: &User,
    password: String,
    code: &str,
) -> Result<bool, ApiError> {
    let now = OffsetDateTime::now_utc();
    let reservation = store
        .reserve_login_attempt(&user.username, now - FAILURE_WINDOW, now, MAX_FAILURES)
        .await?;
    let reservation = match reservation {
        LoginReservation::Reserved(id) => id,
        LoginReservation::Refused { oldest } => {
            let free_at = oldest.unwrap_or(now) + FAILURE_WINDOW;
            return Err(ApiError::TooManyAttempts {
                retry_after_secs: (free_at - now).whole_seconds().max(1) as u64,
            });
        }
    };
    let creds = store.user_credentials(&user.username).await?;
    let creds = creds.filter(|c| c.user.id == user.id);
    let hash = creds
        .as_ref()
        .map_or_else(|| dummy_hash().to_string(), |c| c.password_hash.clone());
    let password_ok = argon2_work(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|_| ApiError::Internal)?;
    let code = code.trim();
    let accepted = match (&creds, password_ok) {
        (Some(c), true) => match &c.totp {
            // A recovery code is for a lost authenticator at login, not for these changes.
            Some(stored) if recovery_code_hash(code).is_none() => {
                second_factor(store, keys, c.user.id, stored, Some(code), now).await?
            }
            _ => false,
        },
        _ => false,
    };
    if accepted {
        store.clear_login_attempt(reservation).await?;
    } else {
        let audit = NewAudit::by(user, "identity_check_failed", now);
        store.append_audit(audit).await?;
    }
    Ok(accepted)
}

async fn second_factor(
    store: &Arc<dyn Store>,
    keys: &LiveKeys,
    user: UserId,
    stored: &StoredTotp,
    code: Option<&str>,
    now: OffsetDateTime,
) -> Result<bool, ApiError> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(false);
    };
    if let Some(hash) = recovery_code_hash(code) {
        return Ok(store.use_recovery_code(user, hash, now).await?);
    }
    let Some(secret) = open_totp(keys, user, stored) else {
        tracing::error!(
            %user,
            version = stored.key_version,
            "the TOTP secret cannot be opened with the master key version it names"
        );
        return Err(ApiError::Internal);
    };
    let unix = now.unix_timestamp().max(0) as u64;
    match secret.verify(code, unix, stored.last_step) {
        // Recording the step is a compare-and-set: two logins racing with one code, one wins.
        Some(step) => Ok(store.use_totp_step(user, step).await?),
        None => Ok(false),
    }
}

/// Starts a session for a checked user and returns the cookie value (kept only as a hash).
pub async fn start_session(store: &Arc<dyn Store>, user: &User) -> Result<String, ApiError> {
    let token = Token::generate();
    let now = OffsetDateTime::now_utc();
    let id = uuid::Uuid::new_v4().to_string();
    match store
        .create_session(
            token.hash,
            &id,
            user.id,
            now,
            NewAudit::by(user, "login", now),
        )
        .await
    {
        Ok(()) => Ok(token.secret),
        // Disabled between the check of its login and now: refused like a wrong password.
        Err(ecoute_store::StoreError::Conflict) => Err(ApiError::InvalidCredentials),
        Err(e) => Err(e.into()),
    }
}

/// A staff member authenticated by a valid session.
#[derive(Debug, Clone)]
pub struct Staff {
    /// The account.
    pub user: User,
    /// Hash of the session cookie, to end it.
    pub session: [u8; 32],
}

/// Whether a session is over at `now`, given its last activity.
pub fn expired(
    created_at: OffsetDateTime,
    last_activity: OffsetDateTime,
    now: OffsetDateTime,
) -> bool {
    now - last_activity > IDLE_TIMEOUT || now - created_at > ABSOLUTE_TIMEOUT
}

/// Records activity on a session if the stored time is older than a minute.
pub async fn touch(
    store: &Arc<dyn Store>,
    session: [u8; 32],
    stored_last_seen: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    if now - stored_last_seen > TOUCH_EVERY {
        store.touch_session(session, now).await?;
    }
    Ok(())
}

/// Finds the live session of a cookie value, ending it if it has expired. The account may
/// still lack an authenticator: callers that need a full login check [`Staff::require_totp`].
pub async fn authenticate(store: &Arc<dyn Store>, cookie: &str) -> Result<Staff, ApiError> {
    let hash = hash_token(cookie);
    let session = store
        .session(hash)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let now = OffsetDateTime::now_utc();
    if expired(session.created_at, session.last_seen_at, now) {
        store.delete_session(hash).await?;
        return Err(ApiError::Unauthenticated);
    }
    touch(store, hash, session.last_seen_at, now).await?;
    Ok(Staff {
        user: session.user,
        session: hash,
    })
}

impl Staff {
    /// Refuses an account that has not enrolled its authenticator yet.
    pub fn require_totp(self) -> Result<Self, ApiError> {
        if self.user.totp_enrolled {
            Ok(self)
        } else {
            Err(ApiError::TotpEnrolmentRequired)
        }
    }

    /// Refuses an officer: only supervisors and admins pass.
    pub fn require_supervisor(self) -> Result<Self, ApiError> {
        match self.user.role {
            ecoute_domain::Role::Supervisor | ecoute_domain::Role::Admin => Ok(self),
            ecoute_domain::Role::Officer | ecoute_domain::Role::Unit => Err(ApiError::Forbidden),
        }
    }

    /// Refuses a unit's account: chats, the queue and the board are the platform's staff's.
    pub fn require_platform(self) -> Result<Self, ApiError> {
        match self.user.role {
            ecoute_domain::Role::Unit => Err(ApiError::Forbidden),
            _ => Ok(self),
        }
    }

    /// Only a unit's account passes, with its unit.
    pub fn require_unit(self) -> Result<(Self, ecoute_domain::UnitId), ApiError> {
        match (self.user.role, self.user.unit.clone()) {
            (ecoute_domain::Role::Unit, Some(unit)) => Ok((self, unit)),
            _ => Err(ApiError::Forbidden),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_after_15_idle_minutes_or_12_hours_whatever_the_activity() {
        let t0 = OffsetDateTime::now_utc();
        assert!(!expired(t0, t0, t0 + Duration::minutes(15)));
        assert!(expired(
            t0,
            t0,
            t0 + Duration::minutes(15) + Duration::seconds(1)
        ));
        let busy = t0 + Duration::hours(12);
        assert!(!expired(t0, busy, t0 + Duration::hours(12)));
        assert!(expired(
            t0,
            busy,
            t0 + Duration::hours(12) + Duration::seconds(1)
        ));
    }

    #[tokio::test]
    async fn a_password_hash_is_argon2id_with_the_required_cost() {
        let hash = hash_password(Password::parse("correct horse battery".into(), &[]).unwrap())
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("horse"));
    }

    #[test]
    fn a_sealed_totp_secret_opens_only_for_its_account() {
        let dir = tempfile::tempdir().unwrap();
        let keys =
            LiveKeys::open(ecoute_crypto::KeyFiles::new(dir.path().join("master.key"))).unwrap();
        let secret = TotpSecret::generate();
        let alice = UserId::new();
        let stored = seal_totp(&keys.ring(), alice, &secret);
        assert!(!stored.sealed.windows(20).any(|w| w == secret.as_bytes()));
        assert_eq!(open_totp(&keys, alice, &stored), Some(secret.clone()));
        assert_eq!(open_totp(&keys, UserId::new(), &stored), None);
    }

    #[test]
    fn a_totp_secret_opens_by_its_version_before_and_after_it_is_resealed() {
        let dir = tempfile::tempdir().unwrap();
        let files = ecoute_crypto::KeyFiles::new(dir.path().join("master.key"));
        let keys = LiveKeys::open(files.clone()).unwrap();
        let secret = TotpSecret::generate();
        let alice = UserId::new();
        let old = seal_totp(&keys.ring(), alice, &secret);
        assert_eq!(old.key_version, 1);
        // Another process (`keys rotate`) writes version 2: the server has not reloaded yet.
        let ring = {
            files.create(2).unwrap();
            files.load().unwrap()
        };
        let resealed =
            reseal_totp(&ring, ring.current(), alice, old.key_version, &old.sealed).unwrap();
        assert_eq!(resealed.version, 2);
        let new = StoredTotp {
            sealed: resealed.bytes,
            key_version: resealed.version,
            last_step: None,
        };
        assert_eq!(open_totp(&keys, alice, &new), Some(secret.clone()));
        assert_eq!(open_totp(&keys, alice, &old), Some(secret));
        assert_eq!(
            seal_totp(&keys.ring(), alice, &TotpSecret::generate()).key_version,
            2
        );
    }

    #[test]
    fn the_address_limiter_refuses_past_the_burst_with_a_wait() {
        let limiter = AddressLimiter::new(3, 60);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            limiter.check(a).unwrap();
        }
        match limiter.check(a) {
            Err(ApiError::TooManyAttempts { retry_after_secs }) => {
                assert!((1..=21).contains(&retry_after_secs))
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        limiter.check(b).unwrap();
    }
}
