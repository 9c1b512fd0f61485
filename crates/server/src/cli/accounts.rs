//! Staff accounts from the command line: `user add|set|list|disable|enable|link`. Every change
//! goes through the administration's own functions (`crate::service::admin`), with the same
//! rules (the last administrator stays) and an audit entry naming the operating-system user
//! who ran the command (`os:uid 1000 (alice)`, see [`os_user`]).

use super::*;
use crate::service::admin::{self, AdminError, Operator};
use ecoute_store::LinkPurpose;

pub(super) async fn user_add(
    config: Config,
    username: &str,
    (role, unit): (&str, Option<&str>),
    display_name: Option<String>,
    capacity: u32,
    totp_uri: bool,
    skills: SkillArgs,
) -> anyhow::Result<()> {
    let username = Username::parse(username).map_err(|e| anyhow::anyhow!("--username: {e}"))?;
    let skills = skills.apply(Skills::default())?;
    let role = Role::parse(role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let unit = match (role, unit) {
        (Role::Unit, Some(u)) => Some(
            ecoute_domain::UnitId::parse(u)
                .with_context(|| format!("--unit: {u:?} is not a unit id"))?,
        ),
        (Role::Unit, None) => {
            bail!("--unit: a unit's account needs its unit (see `ecoute units show`)")
        }
        (_, Some(_)) => bail!("--unit is only for --role unit"),
        (_, None) => None,
    };
    let display_name = display_name_of(display_name)?;
    let password = Password::parse(read_password()?, &[username.as_str(), &display_name])
        .map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let hash = crate::auth::hash_password(password).await?;
    let store = open_store(&config).await?;
    if let Some(u) = &unit
        && store.unit(u).await?.is_none()
    {
        store.close().await;
        bail!(
            "--unit: the directory has no unit {:?} (load it with `ecoute units load`)",
            u.as_str()
        );
    }
    // Checked before the account is made: sealed under a key that is not the database's, the
    // secret would never open.
    let keys = if totp_uri {
        match totp_keys(&config, &*store).await {
            Ok(keys) => Some(keys),
            Err(e) => {
                store.close().await;
                return Err(e);
            }
        }
    } else {
        None
    };
    let who = os_user();
    let op = Operator::Os(&who);
    let made = admin::create_with_password(
        &*store,
        op,
        NewUser {
            id: UserId::new(),
            username: username.as_str().to_string(),
            display_name,
            role,
            unit,
            password_hash: hash,
            created_at: OffsetDateTime::now_utc(),
        },
        (capacity, skills),
        keys.as_ref(),
        "from the command line",
    )
    .await;
    store.close().await;
    let (user, enrolled) = match made {
        Ok(made) => made,
        Err(AdminError::UsernameTaken) => {
            bail!("the username {} is already taken", username.as_str())
        }
        Err(e) => bail!("{e}"),
    };
    match enrolled {
        Some(secret) => {
            eprintln!(
                "created {} ({}) with id {}",
                user.username,
                user.role.as_str(),
                user.id
            );
            println!("{}", secret.otpauth_uri("Écoute", &user.username));
        }
        None => {
            println!(
                "created {} ({}) with id {}",
                user.username,
                user.role.as_str(),
                user.id
            );
            println!("they enrol an authenticator at their first login, at /console/security");
        }
    }
    Ok(())
}

/// The master keys that seal a new account's TOTP secret, once compared with the database's.
///
/// With a database URL, no key is ever made here: the nodes share one master key, and a key
/// made by a command would seal the secret where no node can open it. Without one (SQLite, a
/// single node whose key lives beside its database), the first key may be made, as `serve`
/// would make it, but only while the database needs none: a data directory whose key is
/// missing is refused before anything is written.
async fn totp_keys(
    config: &Config,
    store: &dyn ecoute_store::Store,
) -> anyhow::Result<ecoute_crypto::Keyring> {
    let key_path = config.master_key_path();
    let files = KeyFiles::new(&key_path);
    let held = match files.versions() {
        Ok(held) => held,
        Err(ecoute_crypto::CryptoError::KeyFileIo { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            Default::default()
        }
        Err(e) => return Err(e).with_context(|| format!("master key {}", key_path.display())),
    };
    let made_now = held.is_empty();
    if made_now {
        if config.database_url.is_some() {
            bail!(
                "no master key file at {}: with a database URL set, commands never make a master \
                 key (the nodes share one, and a secret sealed under another would never open). \
                 Copy the key files of a node serving this database into {} (or set \
                 ECOUTE_MASTER_KEY_FILE to where they are; docs/DEPLOYMENT.md, \"What each node \
                 needs\"), then run the command again. Nothing was written",
                key_path.display(),
                files.dir().display()
            );
        }
        let needed = crate::keys::needed_versions(store).await?;
        if !needed.is_empty() {
            return Err(crate::keys::Mismatch {
                held: Default::default(),
                differ: Default::default(),
                needed,
                dir: files.dir().to_path_buf(),
                made_now: false,
            }
            .into());
        }
    }
    let keys = if made_now {
        files.load_or_create()
    } else {
        files.load()
    }
    .with_context(|| format!("master key {}", key_path.display()))?;
    check_keys(store, &files, &keys, made_now, Record::Yes).await?;
    Ok(keys)
}

pub(super) fn describe(skills: &Skills) -> String {
    let langs: Vec<&str> = skills.languages.iter().map(Language::as_str).collect();
    format!(
        "force {}, minors {}, languages {}",
        skills.force.map_or("any", Force::as_str),
        if skills.minors { "yes" } else { "no" },
        langs.join(",")
    )
}

pub(super) async fn user_set(
    config: Config,
    username: &str,
    capacity: Option<u32>,
    skills: SkillArgs,
    role: Option<&str>,
    display_name: Option<&str>,
) -> anyhow::Result<()> {
    let role = role
        .map(|r| Role::parse(r).map_err(|e| anyhow::anyhow!("--role: {e}")))
        .transpose()?;
    with_store(config, |store, op| async move {
        let account = named(&*store, op, username).await?;
        let mut user = account.user;
        let new_skills = skills.apply(user.skills.clone())?;
        if let Some(capacity) = capacity.filter(|c| *c != user.capacity) {
            user = admin::set_capacity(&*store, op, &user, capacity).await?;
        }
        if new_skills != user.skills {
            user = admin::set_skills(&*store, op, &user, new_skills).await?;
        }
        if let Some(role) = role.filter(|r| *r != user.role) {
            user = admin::set_role(&*store, op, &user, role).await?.user;
        }
        if let Some(name) = display_name {
            user = admin::set_display_name(&*store, op, &user, name)
                .await?
                .user;
        }
        println!(
            "{username}: {}, capacity {}, {}, shown as {:?}",
            user.role.as_str(),
            user.capacity,
            describe(&user.skills),
            user.display_name
        );
        Ok(())
    })
    .await
}

/// Runs `work` on the database, as the operating-system user running the command, and closes
/// the store whatever happens.
async fn with_store<F, Fut>(config: Config, work: F) -> anyhow::Result<()>
where
    F: FnOnce(std::sync::Arc<dyn ecoute_store::Store>, Operator<'static>) -> Fut,
    Fut: std::future::Future<Output = Result<(), CliError>>,
{
    require_database(&config)?;
    let store = open_store(&config).await?;
    // Leaked once per process: a command runs one action and exits.
    let who: &'static str = Box::leak(os_user().into_boxed_str());
    let result = work(store.clone(), Operator::Os(who)).await;
    store.close().await;
    result.map_err(|e| match e {
        CliError::Admin(e) => anyhow::anyhow!("{e}"),
        CliError::Other(e) => e,
    })
}

/// The account of this username, or an error naming it.
async fn named(
    store: &dyn ecoute_store::Store,
    op: Operator<'_>,
    username: &str,
) -> Result<ecoute_store::Account, CliError> {
    match admin::account_named(store, op, username).await {
        Ok(account) => Ok(account),
        Err(AdminError::NotFound) => Err(CliError::Other(anyhow::anyhow!(
            "no account named {username}"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// A failure of an account command: a refusal of the administration's rules, or anything else.
pub(super) enum CliError {
    Admin(AdminError),
    Other(anyhow::Error),
}

impl From<AdminError> for CliError {
    fn from(e: AdminError) -> Self {
        Self::Admin(e)
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        Self::Other(e)
    }
}

/// `user list`: every account with its role, state, skills, capacity, last login and sessions.
pub(super) async fn user_list(config: Config) -> anyhow::Result<()> {
    with_store(config, |store, op| async move {
        let accounts = admin::accounts(&*store, op).await?;
        println!(
            "{:<24} {:<10} {:<8} {:>3} {:>8}  {:<17} {:<24} SKILLS",
            "USERNAME", "ROLE", "STATE", "CAP", "SESSIONS", "LAST LOGIN (UTC)", "NAME"
        );
        for a in accounts {
            let last = a
                .last_login_at
                .and_then(|t| {
                    t.format(time::macros::format_description!(
                        "[year]-[month]-[day] [hour]:[minute]"
                    ))
                    .ok()
                })
                .unwrap_or_else(|| "never".into());
            println!(
                "{:<24} {:<10} {:<8} {:>3} {:>8}  {:<17} {:<24} {}{}",
                a.user.username,
                a.user.role.as_str(),
                if a.disabled_at.is_some() {
                    "disabled"
                } else {
                    "enabled"
                },
                a.user.capacity,
                a.sessions,
                last,
                a.user.display_name,
                describe(&a.user.skills),
                a.user
                    .unit
                    .as_ref()
                    .map(|u| format!(", unit {}", u.as_str()))
                    .unwrap_or_default()
            );
        }
        Ok(())
    })
    .await
}

/// `user disable USERNAME`: its sessions end (its consoles on the server notice within a
/// second, at their next session check), its chats go back to the queue, its login is refused.
pub(super) async fn user_disable(config: Config, username: &str) -> anyhow::Result<()> {
    with_store(config, |store, op| async move {
        let account = named(&*store, op, username).await?;
        let disabled = admin::disable(&*store, op, &account.user).await?;
        let requeued = admin::requeue_chats_of(&*store, op, &account.user).await?;
        println!(
            "{username} is disabled: {} session(s) ended, {} chat(s) back in the queue",
            disabled.ended_sessions.len(),
            requeued.len()
        );
        Ok(())
    })
    .await
}

/// `user enable USERNAME`.
pub(super) async fn user_enable(config: Config, username: &str) -> anyhow::Result<()> {
    with_store(config, |store, op| async move {
        let account = named(&*store, op, username).await?;
        admin::enable(&*store, op, &account.user).await?;
        println!("{username} is enabled: it can log in");
        Ok(())
    })
    .await
}

/// `user link USERNAME [--purpose enrol|password|totp]`: prints a one-time link (valid 24
/// hours) on standard output.
pub(super) async fn user_link(config: Config, username: &str, purpose: &str) -> anyhow::Result<()> {
    let purpose = match purpose {
        "enrol" => LinkPurpose::Enrol,
        "password" => LinkPurpose::ResetPassword,
        "totp" => LinkPurpose::ResetTotp,
        other => bail!("--purpose: {other:?} is not enrol, password or totp"),
    };
    let origin = config.allowed_origins(config.listen.port())[0].clone();
    if config.public_origin.is_none() {
        eprintln!(
            "note: no public_origin is configured; the link uses {origin}, where this \
             configuration listens"
        );
    }
    with_store(config, |store, op| async move {
        let account = named(&*store, op, username).await?;
        let link = admin::issue_link(&*store, op, &account.user, purpose).await?;
        eprintln!(
            "one-time link for {username} ({}), valid until {} UTC; any earlier link stops working:",
            purpose.as_str(),
            link.expires_at
                .format(time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]"
                ))
                .unwrap_or_default()
        );
        println!("{}", link.url(&origin));
        Ok(())
    })
    .await
}
