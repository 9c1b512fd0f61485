//! Account administration in SQLite: disabling and enabling, role and display name, and the
//! one-time account links. Every write takes the writer lock up front (`BEGIN IMMEDIATE`), so
//! the last-administrator rule checked here cannot be overtaken by another write, and of two
//! redemptions of one link only the first finds it unused.

use super::{
    SqliteStore, WriteTx, err, insert_audit, insert_user, user_from_row, write_recovery_codes,
};
use ecoute_domain::{Language, Role, UserId};
use ecoute_store::stored::{corrupt, from_millis, millis, opt_time};
use ecoute_store::{
    Account, AccountChange, AccountLink, AccountRefusal, Disabled, LinkPurpose, LinkRedemption,
    NewAccountLink, NewAudit, NewStaffAccount, StoreResult, User, account_query,
};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row, Sqlite, SqliteConnection};
use time::OffsetDateTime;

fn account_from_row(row: &SqliteRow) -> StoreResult<Account> {
    Ok(Account {
        user: user_from_row(row)?,
        created_at: from_millis(row.try_get("created_at").map_err(err)?)?,
        disabled_at: opt_time(row.try_get("disabled_at").map_err(err)?)?,
        last_login_at: opt_time(row.try_get("last_login_at").map_err(err)?)?,
        sessions: row.try_get::<i64, _>("sessions").map_err(err)? as u32,
    })
}

async fn load_account(conn: &mut SqliteConnection, user: UserId) -> StoreResult<Option<Account>> {
    sqlx::query(&account_query("WHERE u.id = ?"))
        .bind(user.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(err)?
        .as_ref()
        .map(account_from_row)
        .transpose()
}

/// Whether another enabled administrator than `user` exists.
/// Ends an account change: its audit entry, the account as it now is, and the commit.
async fn audit_and_commit(mut tx: WriteTx, user: UserId, audit: &NewAudit) -> StoreResult<Account> {
    insert_audit(&mut tx, audit).await?;
    let account = load_account(&mut tx, user)
        .await?
        .ok_or_else(|| corrupt("account vanished"))?;
    tx.commit().await?;
    Ok(account)
}

/// Runs `update`, whose last parameter is the account's id, then ends the change as
/// [`audit_and_commit`] does; an update that changes no row names no account (`NotFound`).
async fn update_account<'q>(
    mut tx: WriteTx,
    user: UserId,
    update: Query<'q, Sqlite, SqliteArguments<'q>>,
    audit: &NewAudit,
) -> StoreResult<AccountChange> {
    let changed = update
        .bind(user.to_string())
        .execute(&mut *tx)
        .await
        .map_err(err)?
        .rows_affected();
    if changed == 0 {
        return Ok(Err(AccountRefusal::NotFound));
    }
    Ok(Ok(audit_and_commit(tx, user, audit).await?))
}

async fn another_admin(conn: &mut SqliteConnection, user: UserId) -> StoreResult<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND disabled_at IS NULL \
         AND id <> ?)",
    )
    .bind(user.to_string())
    .fetch_one(&mut *conn)
    .await
    .map_err(err)
}

/// Deletes every session of an account; their cookie hashes.
async fn delete_sessions(conn: &mut SqliteConnection, user: UserId) -> StoreResult<Vec<[u8; 32]>> {
    let hashes: Vec<Vec<u8>> =
        sqlx::query_scalar("DELETE FROM staff_sessions WHERE user_id = ? RETURNING token_hash")
            .bind(user.to_string())
            .fetch_all(&mut *conn)
            .await
            .map_err(err)?;
    hashes
        .into_iter()
        .map(|h| h.try_into().map_err(|_| corrupt("session hash")))
        .collect()
}

impl SqliteStore {
    pub(crate) async fn do_accounts(&self) -> StoreResult<Vec<Account>> {
        sqlx::query(&account_query("ORDER BY u.display_name, u.username"))
            .fetch_all(&self.read)
            .await
            .map_err(err)?
            .iter()
            .map(account_from_row)
            .collect()
    }

    pub(crate) async fn do_account(&self, user: UserId) -> StoreResult<Option<Account>> {
        let mut conn = self.read.acquire().await.map_err(err)?;
        load_account(&mut conn, user).await
    }

    pub(crate) async fn do_disable_account(
        &self,
        user: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<Result<Disabled, AccountRefusal>> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let Some(before) = load_account(&mut tx, user).await? else {
            return Ok(Err(AccountRefusal::NotFound));
        };
        if before.user.role == Role::Admin
            && before.disabled_at.is_none()
            && !another_admin(&mut tx, user).await?
        {
            return Ok(Err(AccountRefusal::LastAdmin));
        }
        sqlx::query("UPDATE users SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?")
            .bind(millis(at))
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        let ended_sessions = delete_sessions(&mut tx, user).await?;
        let account = audit_and_commit(tx, user, &audit).await?;
        Ok(Ok(Disabled {
            account,
            ended_sessions,
        }))
    }

    pub(crate) async fn do_enable_account(
        &self,
        user: UserId,
        audit: NewAudit,
    ) -> StoreResult<AccountChange> {
        let tx = WriteTx::begin(&self.write).await?;
        let update = sqlx::query("UPDATE users SET disabled_at = NULL WHERE id = ?");
        update_account(tx, user, update, &audit).await
    }

    pub(crate) async fn do_set_role(
        &self,
        user: UserId,
        role: Role,
        audit: NewAudit,
    ) -> StoreResult<AccountChange> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let Some(before) = load_account(&mut tx, user).await? else {
            return Ok(Err(AccountRefusal::NotFound));
        };
        if role == Role::Unit || before.user.role == Role::Unit {
            return Ok(Err(AccountRefusal::UnitRole));
        }
        if before.user.role == Role::Admin
            && role != Role::Admin
            && before.disabled_at.is_none()
            && !another_admin(&mut tx, user).await?
        {
            return Ok(Err(AccountRefusal::LastAdmin));
        }
        sqlx::query("UPDATE users SET role = ? WHERE id = ?")
            .bind(role.as_str())
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        let account = audit_and_commit(tx, user, &audit).await?;
        Ok(Ok(account))
    }

    pub(crate) async fn do_set_display_name(
        &self,
        user: UserId,
        display_name: &str,
        audit: NewAudit,
    ) -> StoreResult<AccountChange> {
        let tx = WriteTx::begin(&self.write).await?;
        let update =
            sqlx::query("UPDATE users SET display_name = ? WHERE id = ?").bind(display_name);
        update_account(tx, user, update, &audit).await
    }

    pub(crate) async fn do_create_account(
        &self,
        account: NewStaffAccount,
        audits: Vec<NewAudit>,
    ) -> StoreResult<User> {
        let NewStaffAccount {
            user,
            capacity,
            skills,
            totp,
            link,
        } = account;
        let capacity = capacity.clamp(1, ecoute_domain::MAX_CAPACITY);
        let languages: Vec<&str> = skills.languages.iter().map(Language::as_str).collect();
        // Dropped without a commit on any error: nothing of the account stays.
        let mut tx = WriteTx::begin(&self.write).await?;
        insert_user(&mut tx, &user).await?;
        sqlx::query(
            "UPDATE users SET capacity = ?, force = ?, minors = ?, languages = ? WHERE id = ?",
        )
        .bind(capacity as i64)
        .bind(skills.force.map(ecoute_domain::Force::as_str))
        .bind(skills.minors)
        .bind(languages.join(","))
        .bind(user.id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        if let Some((stored, hashes)) = &totp {
            sqlx::query(
                "UPDATE users SET totp_secret = ?, totp_key_version = ?, totp_last_step = ? \
                 WHERE id = ?",
            )
            .bind(&stored.sealed)
            .bind(stored.key_version as i64)
            .bind(stored.last_step.map(|s| s as i64))
            .bind(user.id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err)?;
            write_recovery_codes(&mut tx, user.id, hashes).await?;
        }
        if let Some(link) = &link {
            sqlx::query(
                "INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&link.token_hash[..])
            .bind(user.id.to_string())
            .bind(link.purpose.as_str())
            .bind(millis(link.created_at))
            .bind(millis(link.expires_at))
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        }
        for audit in &audits {
            insert_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(User {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role: user.role,
            unit: user.unit,
            totp_enrolled: totp.is_some(),
            skills,
            capacity,
        })
    }

    pub(crate) async fn do_create_account_link(
        &self,
        link: NewAccountLink,
        audit: NewAudit,
    ) -> StoreResult<bool> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let known: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)")
            .bind(link.user.to_string())
            .fetch_one(&mut *tx)
            .await
            .map_err(err)?;
        if !known {
            return Ok(false);
        }
        // One link at a time per account: an earlier one, perhaps sent to the wrong person,
        // stops working.
        sqlx::query("UPDATE account_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL")
            .bind(millis(link.created_at))
            .bind(link.user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        sqlx::query(
            "INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&link.token_hash[..])
        .bind(link.user.to_string())
        .bind(link.purpose.as_str())
        .bind(millis(link.created_at))
        .bind(millis(link.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn do_account_link(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<Option<AccountLink>> {
        let mut conn = self.read.acquire().await.map_err(err)?;
        usable_link(&mut conn, token_hash, now).await
    }

    pub(crate) async fn do_redeem_account_link(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        redemption: LinkRedemption,
        audit: NewAudit,
    ) -> StoreResult<Option<(User, Vec<[u8; 32]>)>> {
        let mut tx = WriteTx::begin(&self.write).await?;
        let Some(link) = usable_link(&mut tx, token_hash, now).await? else {
            return Ok(None);
        };
        if link.purpose.sets_password() != redemption.password_hash.is_some()
            || link.purpose.sets_totp() != redemption.totp.is_some()
        {
            return Ok(None);
        }
        let user = link.user.id;
        sqlx::query("UPDATE account_links SET used_at = ? WHERE token_hash = ?")
            .bind(millis(now))
            .bind(&token_hash[..])
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        if let Some(hash) = &redemption.password_hash {
            sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
                .bind(hash)
                .bind(user.to_string())
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        if let Some((totp, recovery)) = &redemption.totp {
            sqlx::query(
                "UPDATE users SET totp_secret = ?, totp_key_version = ?, totp_last_step = ? \
                 WHERE id = ?",
            )
            .bind(&totp.sealed)
            .bind(totp.key_version as i64)
            .bind(totp.last_step.map(|s| s as i64))
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(err)?;
            write_recovery_codes(&mut tx, user, recovery).await?;
        }
        let ended = delete_sessions(&mut tx, user).await?;
        let account = audit_and_commit(tx, user, &audit).await?;
        Ok(Some((account.user, ended)))
    }
}

async fn usable_link(
    conn: &mut SqliteConnection,
    token_hash: [u8; 32],
    now: OffsetDateTime,
) -> StoreResult<Option<AccountLink>> {
    let row = sqlx::query(
        "SELECT l.user_id, l.purpose, l.expires_at FROM account_links l \
         JOIN users u ON u.id = l.user_id \
         WHERE l.token_hash = ? AND l.used_at IS NULL AND l.expires_at > ? \
         AND u.disabled_at IS NULL",
    )
    .bind(&token_hash[..])
    .bind(millis(now))
    .fetch_optional(&mut *conn)
    .await
    .map_err(err)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let purpose: String = row.try_get("purpose").map_err(err)?;
    let user: String = row.try_get("user_id").map_err(err)?;
    let user = UserId(ecoute_store::stored::parse_uuid(&user)?);
    let account = load_account(conn, user)
        .await?
        .ok_or_else(|| corrupt("link without account"))?;
    Ok(Some(AccountLink {
        user: account.user,
        purpose: LinkPurpose::parse(&purpose).ok_or_else(|| corrupt("link purpose"))?,
        expires_at: from_millis(row.try_get("expires_at").map_err(err)?)?,
    }))
}
