//! Staff authentication: argon2id passwords, and sessions held by a cookie.

use crate::error::ApiError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use ecoute_crypto::{Token, hash_token};
use ecoute_domain::{Password, UserId};
use ecoute_store::{Store, User};
use std::sync::{Arc, OnceLock};
use time::{Duration, OffsetDateTime};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(15);
/// A session ends this long after login, whatever happens.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// Activity is written back at most this often, to spare the single writer.
const TOUCH_EVERY: Duration = Duration::seconds(60);

fn argon2() -> Argon2<'static> {
    // security.md: at least 19 MiB, t = 2, p = 1.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password on a blocking thread (argon2 takes tens of milliseconds of CPU).
pub async fn hash_password(password: Password) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
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

/// Checks a username and password; the same error, in the same time, whatever is wrong.
pub async fn verify_login(
    store: &Arc<dyn Store>,
    username: &str,
    password: String,
) -> Result<User, ApiError> {
    let found = store.user_credentials(username).await?;
    let (user, hash) = match found {
        Some(c) => (Some(c.user), c.password_hash),
        None => (None, dummy_hash().to_string()),
    };
    let ok = tokio::task::spawn_blocking(move || {
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
    match (user, ok) {
        (Some(user), true) => Ok(user),
        _ => Err(ApiError::InvalidCredentials),
    }
}

/// Starts a session and returns the cookie value (kept only as a hash on the server).
pub async fn start_session(store: &Arc<dyn Store>, user: UserId) -> Result<String, ApiError> {
    let token = Token::generate();
    store
        .create_session(token.hash, user, OffsetDateTime::now_utc())
        .await?;
    Ok(token.secret)
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

/// Finds the live session of a cookie value, ending it if it has expired.
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
        let hash = hash_password(Password::parse("correct horse battery".into()).unwrap())
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("horse"));
    }
}
