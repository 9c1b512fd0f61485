//! Failures inside the backend, and how they become [`StoreError`]s.

use ecoute_store::StoreError;

/// A failure inside a storage call, before it is reported: kept as the driver's error so that
/// the retry loop can tell a lost race (worth running the transaction again) from the rest.
#[derive(Debug)]
pub(crate) enum Fail {
    /// The driver or the database refused.
    Db(sqlx::Error),
    /// Already decided (corrupt data, for instance).
    Store(StoreError),
}

/// Result inside the backend.
pub(crate) type R<T> = Result<T, Fail>;

impl From<sqlx::Error> for Fail {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// SQLSTATEs of a transaction that lost a race and may simply run again.
const SERIALIZATION_FAILURE: &str = "40001";
const DEADLOCK_DETECTED: &str = "40P01";

impl Fail {
    /// Whether running the whole transaction again may succeed.
    pub(crate) fn retryable(&self) -> bool {
        match self {
            Self::Db(sqlx::Error::Database(db)) => matches!(
                db.code().as_deref(),
                Some(SERIALIZATION_FAILURE | DEADLOCK_DETECTED)
            ),
            _ => false,
        }
    }

    /// What the caller is told.
    pub(crate) fn into_store(self) -> StoreError {
        match self {
            Self::Db(e) => from_sqlx(e),
            Self::Store(e) => e,
        }
    }
}

/// The same mapping as the SQLite backend: a taken unique value is a conflict, data that does
/// not decode is corrupt, and anything else (connection refused or lost, pool exhausted, a
/// race lost too many times) is unavailability, which the server answers with 503.
pub(crate) fn from_sqlx(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::TypeNotFound { .. }
        | sqlx::Error::ColumnNotFound(_) => StoreError::Corrupt(e.to_string()),
        _ => StoreError::Unavailable(e.to_string()),
    }
}

/// Stored data that makes no sense.
pub(crate) fn corrupt(what: &str) -> Fail {
    Fail::Store(StoreError::Corrupt(what.to_string()))
}
