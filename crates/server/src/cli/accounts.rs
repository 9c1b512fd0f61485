//! Staff accounts from the command line: `user add` and `user set`.

use super::*;

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
    let display_name = display_name
        .map(|d| d.trim().to_string())
        .unwrap_or_else(|| username.as_str().to_string());
    if display_name.is_empty() || display_name.chars().count() > 64 {
        bail!("--display-name: 1 to 64 characters");
    }
    let password =
        Password::parse(read_password()?).map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let hash = crate::auth::hash_password(password).await?;
    let store = open_store(&config).await?;
    if let Some(u) = &unit
        && store.unit(u).await?.is_none()
    {
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
    let now = OffsetDateTime::now_utc();
    let audit = NewAudit::system("user_created", now).detail(format!(
        "{} as {}{}, from the command line",
        username.as_str(),
        role.as_str(),
        unit.as_ref()
            .map(|u| format!(" of {}", u.as_str()))
            .unwrap_or_default()
    ));
    let created = store
        .create_user(
            NewUser {
                id: UserId::new(),
                username: username.as_str().to_string(),
                display_name,
                role,
                unit,
                password_hash: hash,
                created_at: now,
            },
            audit,
        )
        .await;
    if let Ok(user) = &created {
        store
            .set_capacity(
                user.id,
                capacity,
                NewAudit::system("capacity_changed", now)
                    .detail(format!("{} may hold {capacity} chats", user.username)),
            )
            .await?;
        store
            .set_skills(
                user.id,
                &skills,
                NewAudit::system("skills_changed", now).detail(format!(
                    "{}: {}",
                    user.username,
                    describe(&skills)
                )),
            )
            .await?;
    }
    let result = match (created, keys) {
        (Ok(user), Some(keys)) => {
            let secret = TotpSecret::generate();
            let stored = crate::auth::seal_totp(&keys, user.id, &secret);
            let hashes = recovery_codes().into_iter().map(|(_, h)| h).collect();
            store
                .enrol_totp(
                    user.id,
                    stored,
                    hashes,
                    NewAudit::system("totp_enrolled", now).detail("from the command line"),
                )
                .await?;
            eprintln!(
                "created {} ({}) with id {}",
                user.username,
                user.role.as_str(),
                user.id
            );
            println!("{}", secret.otpauth_uri("Écoute", &user.username));
            Ok(())
        }
        (Ok(user), None) => {
            println!(
                "created {} ({}) with id {}",
                user.username,
                user.role.as_str(),
                user.id
            );
            println!("they enrol an authenticator at their first login, at /console/security");
            Ok(())
        }
        (Err(StoreError::Conflict), _) => Err(anyhow::anyhow!(
            "the username {} is already taken",
            username.as_str()
        )),
        (Err(e), _) => Err(e.into()),
    };
    store.close().await;
    result
}

/// The master keys that seal a new account's TOTP secret, once compared with the database's.
async fn totp_keys(
    config: &Config,
    store: &dyn ecoute_store::Store,
) -> anyhow::Result<ecoute_crypto::Keyring> {
    let key_path = config.master_key_path();
    let files = KeyFiles::new(&key_path);
    let made_now = files.versions().map_or(true, |held| held.is_empty());
    let keys = files
        .load_or_create()
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
) -> anyhow::Result<()> {
    require_database(&config)?;
    let store = open_store(&config).await?;
    let result = async {
        let user = store
            .user_credentials(username)
            .await?
            .with_context(|| format!("no account named {username}"))?
            .user;
        let now = OffsetDateTime::now_utc();
        let new_skills = skills.apply(user.skills.clone())?;
        if let Some(capacity) = capacity {
            store
                .set_capacity(
                    user.id,
                    capacity,
                    NewAudit::system("capacity_changed", now)
                        .detail(format!("{username} may hold {capacity} chats")),
                )
                .await?;
        }
        if new_skills != user.skills {
            store
                .set_skills(
                    user.id,
                    &new_skills,
                    NewAudit::system("skills_changed", now)
                        .detail(format!("{username}: {}", describe(&new_skills))),
                )
                .await?;
        }
        println!(
            "{username}: capacity {}, {}",
            capacity.unwrap_or(user.capacity),
            describe(&new_skills)
        );
        anyhow::Ok(())
    }
    .await;
    store.close().await;
    result
}
