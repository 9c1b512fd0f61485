//! Account administration in PostgreSQL: disabling and enabling, role and display name, and
//! the one-time account links.
//!
//! The last-administrator rule is checked on locked rows: a change that could remove an
//! administrator first locks every enabled administrator's row (`FOR UPDATE`), so two nodes
//! disabling or demoting two administrators at once are taken one after the other, and the
//! second sees the first's change. A link is spent under its row's lock, so of two
//! redemptions racing on two nodes, the second finds it used.

use super::{
    MAX_ATTEMPTS, PgStore, Tx, backoff, bounded, commit, db, insert_audit, insert_user, typed,
    write_recovery_codes,
};
use crate::codec::user_from_row;
use crate::error::{Fail, R, corrupt};
use ecoute_domain::{Force, Language, Role, UserId};
use ecoute_store::stored::{from_millis, millis, opt_time, parse_uuid};
use ecoute_store::{
    Account, AccountChange, AccountLink, AccountRefusal, Disabled, LinkPurpose, LinkRedemption,
    NewAccountLink, NewAudit, NewStaffAccount, StoreResult, User, account_query,
};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use time::OffsetDateTime;

fn account_from_row(row: &PgRow) -> R<Account> {
    Ok(Account {
        user: user_from_row(row)?,
        created_at: from_millis(row.try_get("created_at")?)?,
        disabled_at: opt_time(row.try_get("disabled_at")?)?,
        last_login_at: opt_time(row.try_get("last_login_at")?)?,
        sessions: u32::try_from(row.try_get::<i64, _>("sessions")?)
            .map_err(|_| corrupt("sessions"))?,
    })
}

async fn load_account(conn: &mut PgConnection, user: UserId) -> R<Option<Account>> {
    sqlx::query(&account_query("WHERE u.id = $1"))
        .bind(user.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(account_from_row)
        .transpose()
}

/// Locks the account's row and every enabled administrator's, in id order (so that two such
/// transactions cannot deadlock), then reads the account; `None` when unknown.
async fn lock_for_admin_rule(conn: &mut PgConnection, user: UserId) -> R<Option<Account>> {
    sqlx::query(
        "SELECT id FROM users WHERE id = $1 OR (role = 'admin' AND disabled_at IS NULL) \
         ORDER BY id FOR UPDATE",
    )
    .bind(user.to_string())
    .fetch_all(&mut *conn)
    .await?;
    load_account(conn, user).await
}

/// Whether another enabled administrator than `user` exists.
async fn another_admin(conn: &mut PgConnection, user: UserId) -> R<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND disabled_at IS NULL \
         AND id <> $1)",
    )
    .bind(user.to_string())
    .fetch_one(&mut *conn)
    .await?)
}

/// Deletes every session of an account; their cookie hashes.
async fn delete_sessions(conn: &mut PgConnection, user: UserId) -> R<Vec<[u8; 32]>> {
    let hashes: Vec<Vec<u8>> =
        sqlx::query_scalar("DELETE FROM staff_sessions WHERE user_id = $1 RETURNING token_hash")
            .bind(user.to_string())
            .fetch_all(&mut *conn)
            .await?;
    hashes
        .into_iter()
        .map(|h| h.try_into().map_err(|_| corrupt("session hash")))
        .collect()
}

async fn reread(tx: &mut Tx, user: UserId) -> R<Account> {
    load_account(tx, user)
        .await?
        .ok_or_else(|| corrupt("account vanished"))
}

impl PgStore {
    pub(crate) async fn do_accounts(&self) -> StoreResult<Vec<Account>> {
        let rows = sqlx::query(&account_query("ORDER BY u.display_name, u.username"))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(account_from_row)
            .collect::<R<_>>()
            .map_err(Fail::into_store)
    }

    pub(crate) async fn do_account(&self, user: UserId) -> StoreResult<Option<Account>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        load_account(&mut conn, user)
            .await
            .map_err(Fail::into_store)
    }

    pub(crate) async fn do_disable_account(
        &self,
        user: UserId,
        at: OffsetDateTime,
        audit: NewAudit,
    ) -> StoreResult<Result<Disabled, AccountRefusal>> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let Some(before) = lock_for_admin_rule(&mut tx, user).await? else {
                return Ok(Err(AccountRefusal::NotFound));
            };
            if before.user.role == Role::Admin
                && before.disabled_at.is_none()
                && !another_admin(&mut tx, user).await?
            {
                return Ok(Err(AccountRefusal::LastAdmin));
            }
            sqlx::query("UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2")
                .bind(millis(at))
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?;
            let ended_sessions = delete_sessions(&mut tx, user).await?;
            insert_audit(&mut tx, &audit).await?;
            let account = reread(&mut tx, user).await?;
            commit(tx).await?;
            Ok(Ok(Disabled {
                account,
                ended_sessions,
            }))
        })
    }

    pub(crate) async fn do_enable_account(
        &self,
        user: UserId,
        audit: NewAudit,
    ) -> StoreResult<AccountChange> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let changed = sqlx::query("UPDATE users SET disabled_at = NULL WHERE id = $1")
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Ok(Err(AccountRefusal::NotFound));
            }
            insert_audit(&mut tx, &audit).await?;
            let account = reread(&mut tx, user).await?;
            commit(tx).await?;
            Ok(Ok(account))
        })
    }

    pub(crate) async fn do_set_role(
        &self,
        user: UserId,
        role: Role,
        audit: NewAudit,
    ) -> StoreResult<AccountChange> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let Some(before) = lock_for_admin_rule(&mut tx, user).await? else {
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
            sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                .bind(role.as_str())
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?;
            insert_audit(&mut tx, &audit).await?;
            let account = reread(&mut tx, user).await?;
            commit(tx).await?;
            Ok(Ok(account))
        })
    }

    pub(crate) async fn do_set_display_name(
        &self,
        user: UserId,
        display_name: &str,
        audit: NewAudit,
    ) -> StoreResult<AccountChange> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let changed = sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
                .bind(display_name)
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Ok(Err(AccountRefusal::NotFound));
            }
            insert_audit(&mut tx, &audit).await?;
            let account = reread(&mut tx, user).await?;
            commit(tx).await?;
            Ok(Ok(account))
        })
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
        let languages = languages.join(",");
        // Rolled back on any error: nothing of the account stays.
        transaction!(async {
            let mut tx = self.begin().await?;
            insert_user(&mut tx, &user).await?;
            sqlx::query(
                "UPDATE users SET capacity = $1, force = $2, minors = $3, languages = $4 \
                 WHERE id = $5",
            )
            .bind(i64::from(capacity))
            .bind(skills.force.map(Force::as_str))
            .bind(skills.minors)
            .bind(&languages)
            .bind(user.id.to_string())
            .execute(&mut *tx)
            .await?;
            if let Some((stored, hashes)) = &totp {
                sqlx::query(
                    "UPDATE users SET totp_secret = $1, totp_key_version = $2, \
                     totp_last_step = $3 WHERE id = $4",
                )
                .bind(&stored.sealed)
                .bind(i64::from(stored.key_version))
                .bind(stored.last_step.map(|s| s as i64))
                .bind(user.id.to_string())
                .execute(&mut *tx)
                .await?;
                write_recovery_codes(&mut tx, user.id, hashes).await?;
            }
            if let Some(link) = &link {
                sqlx::query(
                    "INSERT INTO account_links (token_hash, user_id, purpose, created_at, \
                     expires_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&link.token_hash[..])
                .bind(user.id.to_string())
                .bind(link.purpose.as_str())
                .bind(millis(link.created_at))
                .bind(millis(link.expires_at))
                .execute(&mut *tx)
                .await?;
            }
            for audit in &audits {
                insert_audit(&mut tx, audit).await?;
            }
            commit(tx).await
        })?;
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
        transaction!(async {
            let mut tx = self.begin().await?;
            let known = sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE")
                .bind(link.user.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            if !known {
                return Ok(false);
            }
            // One link at a time per account: an earlier one, perhaps sent to the wrong
            // person, stops working.
            sqlx::query(
                "UPDATE account_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
            )
            .bind(millis(link.created_at))
            .bind(link.user.to_string())
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO account_links (token_hash, user_id, purpose, created_at, \
                 expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&link.token_hash[..])
            .bind(link.user.to_string())
            .bind(link.purpose.as_str())
            .bind(millis(link.created_at))
            .bind(millis(link.expires_at))
            .execute(&mut *tx)
            .await?;
            insert_audit(&mut tx, &audit).await?;
            commit(tx).await?;
            Ok(true)
        })
    }

    pub(crate) async fn do_account_link(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> StoreResult<Option<AccountLink>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        usable_link(&mut conn, token_hash, now, false)
            .await
            .map_err(Fail::into_store)
    }

    pub(crate) async fn do_redeem_account_link(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
        redemption: LinkRedemption,
        audit: NewAudit,
    ) -> StoreResult<Option<(User, Vec<[u8; 32]>)>> {
        transaction!(async {
            let mut tx = self.begin().await?;
            let Some(link) = usable_link(&mut tx, token_hash, now, true).await? else {
                return Ok(None);
            };
            if link.purpose.sets_password() != redemption.password_hash.is_some()
                || link.purpose.sets_totp() != redemption.totp.is_some()
            {
                return Ok(None);
            }
            let user = link.user.id;
            sqlx::query("UPDATE account_links SET used_at = $1 WHERE token_hash = $2")
                .bind(millis(now))
                .bind(&token_hash[..])
                .execute(&mut *tx)
                .await?;
            if let Some(hash) = &redemption.password_hash {
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(hash)
                    .bind(user.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some((totp, recovery)) = &redemption.totp {
                sqlx::query(
                    "UPDATE users SET totp_secret = $1, totp_key_version = $2, \
                     totp_last_step = $3 WHERE id = $4",
                )
                .bind(&totp.sealed)
                .bind(i64::from(totp.key_version))
                .bind(totp.last_step.map(|s| s as i64))
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?;
                write_recovery_codes(&mut tx, user, recovery).await?;
            }
            let ended = delete_sessions(&mut tx, user).await?;
            insert_audit(&mut tx, &audit).await?;
            let account = reread(&mut tx, user).await?;
            commit(tx).await?;
            Ok(Some((account.user, ended)))
        })
    }
}

/// The link if usable at `now`; with `lock`, its row stays locked until the transaction ends
/// (a redemption waiting on another sees it used once that one commits).
async fn usable_link(
    conn: &mut PgConnection,
    token_hash: [u8; 32],
    now: OffsetDateTime,
    lock: bool,
) -> R<Option<AccountLink>> {
    let row = sqlx::query(&format!(
        "SELECT l.user_id, l.purpose, l.expires_at FROM account_links l \
         JOIN users u ON u.id = l.user_id \
         WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 \
         AND u.disabled_at IS NULL{}",
        if lock { " FOR UPDATE OF l" } else { "" }
    ))
    .bind(&token_hash[..])
    .bind(millis(now))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let purpose: String = row.try_get("purpose")?;
    let user: String = row.try_get("user_id")?;
    let user = UserId(parse_uuid(&user)?);
    let account = load_account(conn, user)
        .await?
        .ok_or_else(|| corrupt("link without account"))?;
    Ok(Some(AccountLink {
        user: account.user,
        purpose: LinkPurpose::parse(&purpose).ok_or_else(|| corrupt("link purpose"))?,
        expires_at: from_millis(row.try_get("expires_at")?)?,
    }))
}
