//! What the store keeps for the administration of staff accounts: an account's state (enabled
//! or disabled, last login, open sessions) and the one-time links that let a person choose
//! their password or enrol their authenticator without any secret passing through an
//! administrator.

use crate::{NewUser, StoredTotp, User};
use ecoute_domain::{Skills, UserId};
use time::{Duration, OffsetDateTime};

/// How long a one-time account link stays valid.
pub const ACCOUNT_LINK_LIFETIME: Duration = Duration::hours(24);

/// An account as the administrators' list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The account itself.
    pub user: User,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it was disabled; `None` while it is enabled.
    pub disabled_at: Option<OffsetDateTime>,
    /// When it last logged in.
    pub last_login_at: Option<OffsetDateTime>,
    /// Sessions stored for it (some may have timed out without being cleaned yet).
    pub sessions: u32,
}

/// What a one-time account link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkPurpose {
    /// A new account: choose a password and enrol an authenticator.
    Enrol,
    /// Choose a new password; the authenticator stays.
    ResetPassword,
    /// Enrol a new authenticator (with new recovery codes); the password stays.
    ResetTotp,
}

impl LinkPurpose {
    /// Every purpose.
    pub const ALL: [Self; 3] = [Self::Enrol, Self::ResetPassword, Self::ResetTotp];

    /// Stable name used in storage and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enrol => "enrol",
            Self::ResetPassword => "reset_password",
            Self::ResetTotp => "reset_totp",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether redeeming the link sets a password.
    pub fn sets_password(self) -> bool {
        matches!(self, Self::Enrol | Self::ResetPassword)
    }

    /// Whether redeeming the link enrols an authenticator.
    pub fn sets_totp(self) -> bool {
        matches!(self, Self::Enrol | Self::ResetTotp)
    }
}

/// A one-time link to store: only the hash of its token is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccountLink {
    /// SHA-256 of the token that the URL carries.
    pub token_hash: [u8; 32],
    /// Whose account.
    pub user: UserId,
    /// What it lets the holder do.
    pub purpose: LinkPurpose,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// Until when it may be used.
    pub expires_at: OffsetDateTime,
}

/// A staff account made whole in one transaction ([`crate::Store::create_account`]): the
/// account, its capacity and skills, and, when given, its authenticator with its recovery codes
/// and its first one-time link. Either all of it is written, or nothing.
#[derive(Debug, Clone)]
pub struct NewStaffAccount {
    /// The account itself.
    pub user: NewUser,
    /// How many chats it may hold at once (1 to [`ecoute_domain::MAX_CAPACITY`]).
    pub capacity: u32,
    /// What it may answer.
    pub skills: Skills,
    /// Its TOTP secret (sealed) and the hashes of its recovery codes, enrolled at once.
    pub totp: Option<(StoredTotp, Vec<[u8; 32]>)>,
    /// Its first one-time link (an enrolment link).
    pub link: Option<NewAccountLink>,
}

/// A link still usable, as its holder's page needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLink {
    /// Whose account.
    pub user: User,
    /// What it lets the holder do.
    pub purpose: LinkPurpose,
    /// Until when it may be used.
    pub expires_at: OffsetDateTime,
}

/// What the holder of a link chose, written when the link is spent. A password for the
/// purposes that set one, an authenticator (with its recovery codes' hashes) for those that
/// enrol one: a redemption that does not carry exactly what its link's purpose asks for is
/// refused and spends nothing.
#[derive(Debug, Clone)]
pub struct LinkRedemption {
    /// The new argon2id password hash.
    pub password_hash: Option<String>,
    /// The new TOTP secret, sealed, and the hashes of fresh recovery codes.
    pub totp: Option<(StoredTotp, Vec<[u8; 32]>)>,
}

/// Why an administrative change to an account was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRefusal {
    /// No such account.
    NotFound,
    /// It would leave no enabled administrator: the last one cannot be disabled or demoted.
    LastAdmin,
    /// A unit's account keeps its role, and no other account becomes a unit's.
    UnitRole,
}

/// What an administrative change to an account did.
pub type AccountChange = Result<Account, AccountRefusal>;

/// What disabling an account did: the account, and the sessions ended with it (their cookie
/// hashes, so that their sockets can be told at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disabled {
    /// The account as it is now.
    pub account: Account,
    /// The sessions deleted in the same transaction.
    pub ended_sessions: Vec<[u8; 32]>,
}

/// Accounts with their state, `filter` being the rest of the query (both backends read the
/// same columns: the user's, then `created_at`, `disabled_at`, `last_login_at`, `sessions`).
pub fn account_query(filter: &str) -> String {
    format!(
        "SELECT {}, u.created_at, u.disabled_at, u.last_login_at, \
         (SELECT COUNT(*) FROM staff_sessions s WHERE s.user_id = u.id) AS sessions \
         FROM users u {filter}",
        crate::stored::USER_COLUMNS
    )
}
