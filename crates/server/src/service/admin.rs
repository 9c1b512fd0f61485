//! Account administration (docs/ADMINISTRATION.md): the accounts listed with their state,
//! created with a one-time enrolment link, disabled and enabled, their role, skills, capacity
//! and display name changed, a new password or authenticator by a one-time link, any session
//! ended.
//!
//! Each action is written once, in the functions over the store below, with its audit entry
//! naming who acted: an administrator signed in ([`Operator::Admin`]) or the operating-system
//! user who ran the command line ([`Operator::Os`]). The pages go through [`ChatService`],
//! which adds what only a server can do (tell the sockets and the queue on the bus); the
//! command line calls the same functions.
//!
//! Disabling: in one store transaction the account is marked disabled and every session of it
//! deleted; the sockets of those sessions are told on the bus at once (and each console also
//! checks its session every second, which covers a disable made from the command line); its
//! open chats (active or left by the visitor) go back to the queue with their history;
//! routing no longer sees it, so no offer goes to it; its login is refused with the same answer
//! as a wrong password. A reset link changes nothing until it is used: the old password or
//! authenticator keeps working until the person chooses the new one (a link sent to the wrong
//! address locks nobody out); when they do, the old one stops working in the same transaction
//! and every session of the account ends.

use super::*;
use crate::auth::{self, Staff};
use ecoute_crypto::totp::{TotpSecret, recovery_codes};
use ecoute_domain::{Password, Skills, UnitId, Username};
use ecoute_store::{
    ACCOUNT_LINK_LIFETIME, Account, AccountLink, AccountRefusal, Disabled, LinkPurpose,
    LinkRedemption, NewAccountLink, NewUser, StoreError,
};

/// Who administers.
#[derive(Debug, Clone, Copy)]
pub enum Operator<'a> {
    /// An administrator signed in.
    Admin(&'a User),
    /// The operating-system user running the command line, as `crate::cli` describes them.
    Os(&'a str),
}

impl Operator<'_> {
    /// The audit entry of an action by this operator; an operating-system user is recorded as
    /// `os:<who>` in the actor's name, with no account id.
    pub fn audit(&self, action: &str, at: OffsetDateTime) -> NewAudit {
        match self {
            Self::Admin(user) => NewAudit::by(user, action, at),
            Self::Os(who) => {
                let mut audit = NewAudit::system(action, at);
                audit.actor_name = Some(format!("os:{who}"));
                audit
            }
        }
    }

    /// Refuses anyone signed in who is not an administrator.
    fn check(&self) -> Result<(), AdminError> {
        match self {
            Self::Admin(user) if user.role != Role::Admin => Err(AdminError::NotAdmin),
            _ => Ok(()),
        }
    }
}

/// Why an administrative action was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Only administrators administer accounts.
    #[error("only an administrator may do this")]
    NotAdmin,
    /// No such account.
    #[error("no such account")]
    NotFound,
    /// The last enabled administrator can be neither disabled nor demoted.
    #[error(
        "this is the last enabled administrator: it can be neither disabled nor demoted; \
         make another administrator first"
    )]
    LastAdmin,
    /// A unit's account keeps its role, and no other account becomes one.
    #[error("a unit's account keeps its role, and no other account becomes a unit's")]
    UnitRole,
    /// The username is taken.
    #[error("this username is already taken")]
    UsernameTaken,
    /// A unit's account names a unit the directory does not list, or another role names one.
    #[error("a unit's account needs a unit of the directory, and only a unit's account has one")]
    Unit,
    /// A field is wrong; the message key says which (also the English message).
    #[error("{0}")]
    Invalid(&'static str),
    /// Anything else (the database, a bug).
    #[error("{0}")]
    Api(#[from] ApiError),
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        Self::Api(e.into())
    }
}

impl From<AccountRefusal> for AdminError {
    fn from(r: AccountRefusal) -> Self {
        match r {
            AccountRefusal::NotFound => Self::NotFound,
            AccountRefusal::LastAdmin => Self::LastAdmin,
            AccountRefusal::UnitRole => Self::UnitRole,
        }
    }
}

impl AdminError {
    /// The locale key of the sentence the pages show.
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::NotAdmin => "admin-err-forbidden",
            Self::NotFound => "admin-err-not-found",
            Self::LastAdmin => "admin-err-last-admin",
            Self::UnitRole => "admin-err-unit-role",
            Self::UsernameTaken => "admin-err-username-taken",
            Self::Unit => "admin-err-unit",
            Self::Invalid(key) => key,
            Self::Api(_) => "admin-err-internal",
        }
    }
}

/// A display name: 1 to 64 characters once trimmed.
pub fn display_name(input: &str) -> Result<String, AdminError> {
    let name = input.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(AdminError::Invalid("admin-err-display-name"));
    }
    Ok(name.to_string())
}

/// What a new account is made of; its password and authenticator are chosen by the person,
/// with the enrolment link.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Login name.
    pub username: Username,
    /// Name or pseudonym shown to visitors.
    pub display_name: String,
    /// What it may do.
    pub role: Role,
    /// The unit of a unit's account.
    pub unit: Option<UnitId>,
    /// What chats it can answer.
    pub skills: Skills,
    /// Most chats at once.
    pub capacity: u32,
}

/// A link made for someone: the secret part of its URL, shown once.
#[derive(Debug, Clone)]
pub struct IssuedLink {
    /// Whose account.
    pub user: User,
    /// What it is for.
    pub purpose: LinkPurpose,
    /// The token the URL carries (only its hash is stored).
    pub token: String,
    /// Until when it works.
    pub expires_at: OffsetDateTime,
}

impl IssuedLink {
    /// The URL to give the person, under `origin` (`https://ecoute.example.fr`). The token is
    /// in the query string, which the server never logs.
    pub fn url(&self, origin: &str) -> String {
        format!("{origin}/account-link?t={}", self.token)
    }
}

/// The path of the page a link opens, for the request logs' sake without its token.
pub const LINK_PAGE: &str = "/account-link";

/// Every account with its state.
pub async fn accounts(store: &dyn Store, op: Operator<'_>) -> Result<Vec<Account>, AdminError> {
    op.check()?;
    Ok(store.accounts().await?)
}

/// One account with its state.
pub async fn account(
    store: &dyn Store,
    op: Operator<'_>,
    id: UserId,
) -> Result<Account, AdminError> {
    op.check()?;
    store.account(id).await?.ok_or(AdminError::NotFound)
}

/// Finds an account by its username (for the command line).
pub async fn account_named(
    store: &dyn Store,
    op: Operator<'_>,
    username: &str,
) -> Result<Account, AdminError> {
    op.check()?;
    let creds = store
        .user_credentials(username)
        .await?
        .ok_or(AdminError::NotFound)?;
    store
        .account(creds.user.id)
        .await?
        .ok_or(AdminError::NotFound)
}

/// Makes a one-time link for an account (audited); any earlier unused link of it stops
/// working.
pub async fn issue_link(
    store: &dyn Store,
    op: Operator<'_>,
    user: &User,
    purpose: LinkPurpose,
) -> Result<IssuedLink, AdminError> {
    op.check()?;
    let token = ecoute_crypto::Token::generate();
    let at = now();
    let expires_at = at + ACCOUNT_LINK_LIFETIME;
    let audit = op.audit("account_link_created", at).detail(format!(
        "{}: {}",
        user.username,
        purpose.as_str()
    ));
    let made = store
        .create_account_link(
            NewAccountLink {
                token_hash: token.hash,
                user: user.id,
                purpose,
                created_at: at,
                expires_at,
            },
            audit,
        )
        .await?;
    if !made {
        return Err(AdminError::NotFound);
    }
    Ok(IssuedLink {
        user: user.clone(),
        purpose,
        token: token.secret,
        expires_at,
    })
}

/// Creates an account (audited) with an unusable password, and its enrolment link: no
/// password passes through the administrator. All of it in one store transaction.
pub async fn create_account(
    store: &dyn Store,
    op: Operator<'_>,
    new: NewAccount,
) -> Result<IssuedLink, AdminError> {
    op.check()?;
    match (new.role, &new.unit) {
        (Role::Unit, Some(unit)) if store.unit(unit).await?.is_some() => {}
        (Role::Unit, _) | (_, Some(_)) => return Err(AdminError::Unit),
        (_, None) => {}
    }
    if !(1..=ecoute_domain::MAX_CAPACITY).contains(&new.capacity) {
        return Err(AdminError::Invalid("admin-err-capacity"));
    }
    // A password nobody knows, hashed like any other so that a login attempt on the account
    // before enrolment takes the same time as on any account.
    let unknown = Password::parse(ecoute_crypto::Token::generate().secret, &[])
        .map_err(|_| AdminError::Api(ApiError::Internal))?;
    let hash = auth::hash_password(unknown)
        .await
        .map_err(|_| AdminError::Api(ApiError::Internal))?;
    let at = now();
    let user = NewUser {
        id: UserId::new(),
        username: new.username.as_str().to_string(),
        display_name: new.display_name,
        role: new.role,
        unit: new.unit,
        password_hash: hash,
        created_at: at,
    };
    let token = ecoute_crypto::Token::generate();
    let expires_at = at + ACCOUNT_LINK_LIFETIME;
    let link = NewAccountLink {
        token_hash: token.hash,
        user: user.id,
        purpose: LinkPurpose::Enrol,
        created_at: at,
        expires_at,
    };
    let user = create_whole(
        store,
        op,
        user,
        (new.capacity, new.skills),
        Then::Link(link),
        None,
    )
    .await?;
    Ok(IssuedLink {
        user,
        purpose: LinkPurpose::Enrol,
        token: token.secret,
        expires_at,
    })
}

/// Creates an account with the password hash given, for the command line: with `keys`, its
/// authenticator is enrolled at once (the secret returned, to be shown once; its recovery
/// codes are made, and shown at the first login's request for new ones), else the person
/// enrols one at their first login. All of it in one store transaction: a failure leaves no
/// account. The unit, when given, must be checked by the caller.
pub async fn create_with_password(
    store: &dyn Store,
    op: Operator<'_>,
    user: NewUser,
    (capacity, skills): (u32, Skills),
    keys: Option<&ecoute_crypto::Keyring>,
    note: &str,
) -> Result<(User, Option<TotpSecret>), AdminError> {
    op.check()?;
    if !(1..=ecoute_domain::MAX_CAPACITY).contains(&capacity) {
        return Err(AdminError::Invalid("admin-err-capacity"));
    }
    let (then, secret) = match keys {
        Some(keys) => {
            let secret = TotpSecret::generate();
            let stored = auth::seal_totp(keys, user.id, &secret);
            let hashes = recovery_codes().into_iter().map(|(_, h)| h).collect();
            (Then::Totp(stored, hashes), Some(secret))
        }
        None => (Then::Nothing, None),
    };
    let user = create_whole(store, op, user, (capacity, skills), then, Some(note)).await?;
    Ok((user, secret))
}

/// What a new account gets besides its capacity and skills.
enum Then {
    /// An authenticator, with the hashes of its recovery codes.
    Totp(ecoute_store::StoredTotp, Vec<[u8; 32]>),
    /// A one-time link.
    Link(NewAccountLink),
    /// Nothing: the person enrols at their first login.
    Nothing,
}

/// One store transaction for the whole account, each step with the audit entry it had when it
/// was a step of its own (`user_created`, `capacity_changed`, `skills_changed`, then
/// `totp_enrolled` or `account_link_created`).
async fn create_whole(
    store: &dyn Store,
    op: Operator<'_>,
    user: NewUser,
    (capacity, skills): (u32, Skills),
    then: Then,
    note: Option<&str>,
) -> Result<User, AdminError> {
    let at = user.created_at;
    let name = user.username.clone();
    let mut audits = vec![
        op.audit("user_created", at).detail(format!(
            "{name} as {}{}{}",
            user.role.as_str(),
            user.unit
                .as_ref()
                .map(|u| format!(" of {}", u.as_str()))
                .unwrap_or_default(),
            note.map(|n| format!(", {n}")).unwrap_or_default()
        )),
        op.audit("capacity_changed", at)
            .detail(format!("{name} may hold {capacity} chats")),
        op.audit("skills_changed", at)
            .detail(skills_detail(&name, &skills)),
    ];
    let (totp, link) = match then {
        Then::Totp(stored, hashes) => {
            audits.push(
                op.audit("totp_enrolled", at)
                    .detail(note.unwrap_or_default().to_string()),
            );
            (Some((stored, hashes)), None)
        }
        Then::Link(link) => {
            audits.push(
                op.audit("account_link_created", at)
                    .detail(format!("{name}: {}", link.purpose.as_str())),
            );
            (None, Some(link))
        }
        Then::Nothing => (None, None),
    };
    match store
        .create_account(
            ecoute_store::NewStaffAccount {
                user,
                capacity,
                skills,
                totp,
                link,
            },
            audits,
        )
        .await
    {
        Ok(user) => Ok(user),
        Err(StoreError::Conflict) => Err(AdminError::UsernameTaken),
        Err(e) => Err(e.into()),
    }
}

/// `alice: force any, minors no, languages fr`.
fn skills_detail(username: &str, skills: &Skills) -> String {
    let langs: Vec<&str> = skills.languages.iter().map(|l| l.as_str()).collect();
    format!(
        "{username}: force {}, minors {}, languages {}",
        skills.force.map_or("any", Force::as_str),
        if skills.minors { "yes" } else { "no" },
        langs.join(",")
    )
}

/// Sets how many chats an account may hold at once (audited).
pub async fn set_capacity(
    store: &dyn Store,
    op: Operator<'_>,
    user: &User,
    capacity: u32,
) -> Result<User, AdminError> {
    op.check()?;
    if !(1..=ecoute_domain::MAX_CAPACITY).contains(&capacity) {
        return Err(AdminError::Invalid("admin-err-capacity"));
    }
    let audit = op
        .audit("capacity_changed", now())
        .detail(format!("{} may hold {capacity} chats", user.username));
    if !store.set_capacity(user.id, capacity, audit).await? {
        return Err(AdminError::NotFound);
    }
    Ok(User {
        capacity,
        ..user.clone()
    })
}

/// Sets an account's skills (audited).
pub async fn set_skills(
    store: &dyn Store,
    op: Operator<'_>,
    user: &User,
    skills: Skills,
) -> Result<User, AdminError> {
    op.check()?;
    let audit = op
        .audit("skills_changed", now())
        .detail(skills_detail(&user.username, &skills));
    if !store.set_skills(user.id, &skills, audit).await? {
        return Err(AdminError::NotFound);
    }
    Ok(User {
        skills,
        ..user.clone()
    })
}

/// Gives an account another platform role (audited); never demotes the last administrator.
pub async fn set_role(
    store: &dyn Store,
    op: Operator<'_>,
    user: &User,
    role: Role,
) -> Result<Account, AdminError> {
    op.check()?;
    let audit = op.audit("role_changed", now()).detail(format!(
        "{}: {} to {}",
        user.username,
        user.role.as_str(),
        role.as_str()
    ));
    Ok(store.set_role(user.id, role, audit).await??)
}

/// Changes the name shown to visitors (audited).
pub async fn set_display_name(
    store: &dyn Store,
    op: Operator<'_>,
    user: &User,
    name: &str,
) -> Result<Account, AdminError> {
    op.check()?;
    let name = display_name(name)?;
    let audit = op
        .audit("display_name_changed", now())
        .detail(user.username.clone());
    Ok(store.set_display_name(user.id, &name, audit).await??)
}

/// Disables an account (audited): its sessions are deleted in the same transaction. Never the
/// last enabled administrator. Its chats are given back by [`requeue_chats_of`].
pub async fn disable(
    store: &dyn Store,
    op: Operator<'_>,
    user: &User,
) -> Result<Disabled, AdminError> {
    op.check()?;
    let at = now();
    let audit = op
        .audit("account_disabled", at)
        .detail(user.username.clone());
    Ok(store.disable_account(user.id, at, audit).await??)
}

/// Enables a disabled account again (audited).
pub async fn enable(
    store: &dyn Store,
    op: Operator<'_>,
    user: &User,
) -> Result<Account, AdminError> {
    op.check()?;
    let audit = op
        .audit("account_enabled", now())
        .detail(user.username.clone());
    Ok(store.enable_account(user.id, audit).await??)
}

/// Gives every open chat of `officer` (active, or left by the visitor) back to the queue with
/// its history, each audited as a requeue by `op`; the chats as they are now. A chat closed
/// or handed over meanwhile is left as it is.
pub async fn requeue_chats_of(
    store: &dyn Store,
    op: Operator<'_>,
    officer: &User,
) -> Result<Vec<Conversation>, AdminError> {
    op.check()?;
    let mut requeued = Vec::new();
    for c in store.open_chats_of(officer.id).await? {
        let at = now();
        let audit = op
            .audit("requeued", at)
            .on(c.id)
            .detail(format!("account of {} disabled", officer.username));
        match store
            .transition(
                c.id,
                Actor::Officer(officer.id),
                Event::Release { to_force: None },
                at,
                Some(audit),
            )
            .await?
        {
            Applied::Done(after) => requeued.push(after),
            Applied::Refused(_) | Applied::NotFound => {}
        }
    }
    Ok(requeued)
}

/// What an administrator still has to do before the service can take chats, as the store shows
/// it: each step stays on the console until it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextSteps {
    /// No officer account exists yet: nobody would answer.
    pub add_officers: bool,
    /// The directory of local units is empty: nothing could be forwarded.
    pub load_units: bool,
    /// The force table is still the one shipped, a starting table rather than an official
    /// assignment.
    pub check_forces: bool,
}

impl NextSteps {
    /// Whether anything is left to do.
    pub fn any(&self) -> bool {
        self.add_officers || self.load_units || self.check_forces
    }
}

impl ChatService {
    /// What is left of the first run for an administrator (see [`NextSteps`]).
    pub async fn next_steps(&self) -> Result<NextSteps, ApiError> {
        let accounts = self.store.accounts().await?;
        let forces = self.store.forces().await?;
        let shipped =
            crate::forces::parse(crate::forces::SHIPPED).map_err(|_| ApiError::Internal)?;
        Ok(NextSteps {
            add_officers: !accounts
                .iter()
                .any(|a| a.user.role == Role::Officer && a.disabled_at.is_none()),
            load_units: self.store.units().await?.is_empty(),
            check_forces: same_table(&forces, &shipped),
        })
    }

    /// Every account with its state, for an administrator.
    pub async fn admin_accounts(&self, admin: &Staff) -> Result<Vec<Account>, AdminError> {
        accounts(&*self.store, Operator::Admin(&admin.user)).await
    }

    /// One account with its state and its sessions, for an administrator.
    pub async fn admin_account(
        &self,
        admin: &Staff,
        id: UserId,
    ) -> Result<(Account, Vec<ecoute_store::SessionInfo>), AdminError> {
        let account = account(&*self.store, Operator::Admin(&admin.user), id).await?;
        let sessions = self.store.sessions_of(id).await?;
        Ok((account, sessions))
    }

    /// Creates an account and its enrolment link (shown once).
    pub async fn admin_create_account(
        &self,
        admin: &Staff,
        new: NewAccount,
    ) -> Result<IssuedLink, AdminError> {
        let issued = create_account(&*self.store, Operator::Admin(&admin.user), new).await?;
        tracing::info!(user = %issued.user.id, "account created by an administrator");
        self.bus.publish(Topic::Supervision, BusEvent::StaffChanged);
        Ok(issued)
    }

    /// A new one-time link for an account: a new password or a new authenticator.
    pub async fn admin_issue_link(
        &self,
        admin: &Staff,
        id: UserId,
        purpose: LinkPurpose,
    ) -> Result<IssuedLink, AdminError> {
        let op = Operator::Admin(&admin.user);
        let target = account(&*self.store, op, id).await?;
        issue_link(&*self.store, op, &target.user, purpose).await
    }

    /// Disables an account: every session ended and each of its sockets told on the bus (on
    /// every node), its chats back in the queue with their history, routing stops offering it
    /// chats; its login is refused from now on.
    pub async fn admin_disable(&self, admin: &Staff, id: UserId) -> Result<Account, AdminError> {
        let op = Operator::Admin(&admin.user);
        let target = account(&*self.store, op, id).await?;
        let disabled = disable(&*self.store, op, &target.user).await?;
        for session in &disabled.ended_sessions {
            self.bus.publish(
                Topic::Officer(id),
                BusEvent::SessionEnded { session: *session },
            );
        }
        for after in requeue_chats_of(&*self.store, op, &target.user).await? {
            self.handed_over(id, &after, HandoverReason::Requeued);
        }
        self.bus.publish(Topic::Supervision, BusEvent::StaffChanged);
        self.bus.publish(Topic::Queue, BusEvent::QueueChanged);
        tracing::info!(user = %id, "account disabled by an administrator");
        Ok(disabled.account)
    }

    /// Enables a disabled account again: it may log in.
    pub async fn admin_enable(&self, admin: &Staff, id: UserId) -> Result<Account, AdminError> {
        let op = Operator::Admin(&admin.user);
        let target = account(&*self.store, op, id).await?;
        let account = enable(&*self.store, op, &target.user).await?;
        self.bus.publish(Topic::Supervision, BusEvent::StaffChanged);
        Ok(account)
    }

    /// Gives an account another role.
    pub async fn admin_set_role(
        &self,
        admin: &Staff,
        id: UserId,
        role: Role,
    ) -> Result<Account, AdminError> {
        let op = Operator::Admin(&admin.user);
        let target = account(&*self.store, op, id).await?;
        let account = set_role(&*self.store, op, &target.user, role).await?;
        self.bus.publish(Topic::Supervision, BusEvent::StaffChanged);
        Ok(account)
    }

    /// Changes the name shown to visitors.
    pub async fn admin_set_display_name(
        &self,
        admin: &Staff,
        id: UserId,
        name: &str,
    ) -> Result<Account, AdminError> {
        let op = Operator::Admin(&admin.user);
        let target = account(&*self.store, op, id).await?;
        set_display_name(&*self.store, op, &target.user, name).await
    }

    /// Changes skills and capacity (each audited only when it changes).
    pub async fn admin_set_skills(
        &self,
        admin: &Staff,
        id: UserId,
        skills: Skills,
        capacity: u32,
    ) -> Result<(), AdminError> {
        let op = Operator::Admin(&admin.user);
        let target = account(&*self.store, op, id).await?.user;
        if !(1..=ecoute_domain::MAX_CAPACITY).contains(&capacity) {
            return Err(AdminError::Invalid("admin-err-capacity"));
        }
        if target.capacity != capacity {
            set_capacity(&*self.store, op, &target, capacity).await?;
        }
        if target.skills != skills {
            set_skills(&*self.store, op, &target, skills).await?;
        }
        self.bus.publish(Topic::Supervision, BusEvent::StaffChanged);
        Ok(())
    }

    /// Ends any session of any account by its public id (audited); `true` when it was the
    /// administrator's own current one.
    pub async fn admin_end_session(
        &self,
        admin: &Staff,
        id: UserId,
        session: &str,
    ) -> Result<bool, AdminError> {
        let op = Operator::Admin(&admin.user);
        let target = account(&*self.store, op, id).await?.user;
        let found = self
            .store
            .sessions_of(id)
            .await?
            .into_iter()
            .find(|s| !s.id.is_empty() && s.id == session)
            .ok_or(AdminError::NotFound)?;
        self.end_session(id, found.token_hash).await?;
        let audit = op
            .audit("session_ended", now())
            .detail(format!("a session of {}", target.username));
        self.store.append_audit(audit).await?;
        Ok(found.token_hash == admin.session)
    }

    /// The link of this token, if it may still be used.
    pub async fn open_account_link(&self, token: &str) -> Result<Option<AccountLink>, ApiError> {
        Ok(self
            .store
            .account_link(ecoute_crypto::hash_token(token), now())
            .await?)
    }

    /// Spends a link with what its holder chose (audited as their own action): the password,
    /// and the authenticator checked with a code at `step`. Returns the account and, for an
    /// authenticator, the recovery codes to show once; `None` when the link no longer opens
    /// (used meanwhile, expired, or its account disabled). Every session of the account ends.
    pub async fn redeem_account_link(
        &self,
        token: &str,
        password: Option<Password>,
        totp: Option<(&TotpSecret, u64)>,
    ) -> Result<Option<(User, Vec<String>)>, ApiError> {
        let Some(link) = self.open_account_link(token).await? else {
            return Ok(None);
        };
        let password_hash = match password {
            Some(p) => Some(
                auth::hash_password(p)
                    .await
                    .map_err(|_| ApiError::Internal)?,
            ),
            None => None,
        };
        let mut shown = Vec::new();
        let totp = totp.map(|(secret, step)| {
            let mut stored = auth::seal_totp(&self.keys.ring(), link.user.id, secret);
            // The code just typed may not be used again to log in.
            stored.last_step = Some(step);
            let codes = recovery_codes();
            let hashes = codes.iter().map(|(_, h)| *h).collect();
            shown = codes.into_iter().map(|(c, _)| c).collect();
            (stored, hashes)
        });
        let at = now();
        let audit = NewAudit::by(&link.user, "account_link_used", at).detail(link.purpose.as_str());
        let redeemed = self
            .store
            .redeem_account_link(
                ecoute_crypto::hash_token(token),
                at,
                LinkRedemption {
                    password_hash,
                    totp,
                },
                audit,
            )
            .await?;
        let Some((user, ended)) = redeemed else {
            return Ok(None);
        };
        for session in ended {
            self.bus
                .publish(Topic::Officer(user.id), BusEvent::SessionEnded { session });
        }
        // The secret it offered is enrolled now (or was not asked for): nothing waits any more.
        self.store.clear_pending_totp(user.id).await?;
        Ok(Some((user, shown)))
    }
}

/// Whether two force tables assign the same forces to the same places, in any order.
fn same_table(
    a: &[(ecoute_domain::Coverage, ecoute_domain::Force)],
    b: &[(ecoute_domain::Coverage, ecoute_domain::Force)],
) -> bool {
    let key = |rows: &[(ecoute_domain::Coverage, ecoute_domain::Force)]| {
        let mut rows: Vec<(String, String)> = rows
            .iter()
            .map(|(c, f)| (c.as_str().to_string(), f.as_str().to_string()))
            .collect();
        rows.sort();
        rows
    };
    key(a) == key(b)
}
