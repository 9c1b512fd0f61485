//! Account administration: disabling ends every session and refuses new ones until the account
//! is enabled again; the last enabled administrator stays; a one-time link is spent once,
//! before it expires, by exactly one of two racing redemptions.

use super::{new_user, now};
use crate::*;
use std::sync::Arc;
use time::Duration;

async fn login(store: &dyn Store, user: &User, token: u8) -> StoreResult<()> {
    let at = now();
    store
        .create_session(
            [token; 32],
            &format!("s-{token}"),
            user.id,
            at,
            NewAudit::by(user, "login", at),
        )
        .await
}

async fn newest_audit(store: &dyn Store) -> AuditRecord {
    store.audit_page(None, 1).await.unwrap().remove(0)
}

fn by(admin: &User, action: &str) -> NewAudit {
    NewAudit::by(admin, action, now())
}

fn link(user: UserId, token: u8, purpose: LinkPurpose, at: OffsetDateTime) -> NewAccountLink {
    NewAccountLink {
        token_hash: [token; 32],
        user,
        purpose,
        created_at: at,
        expires_at: at + ACCOUNT_LINK_LIFETIME,
    }
}

fn password(hash: &str) -> LinkRedemption {
    LinkRedemption {
        password_hash: Some(hash.into()),
        totp: None,
    }
}

fn totp(sealed: u8) -> (StoredTotp, Vec<[u8; 32]>) {
    (
        StoredTotp {
            sealed: vec![sealed; 8],
            key_version: 1,
            last_step: Some(42),
        },
        vec![[sealed; 32], [sealed.wrapping_add(1); 32]],
    )
}

/// Disabling deletes every session (in the same transaction, returning them), hides the account
/// from routing, marks its credentials, and refuses it a new session; enabling gives it back
/// its login. The list shows the state, the last login and the sessions.
pub async fn a_disabled_account_loses_every_session_and_gets_none_until_enabled(
    store: Arc<dyn Store>,
) {
    let admin = new_user(&*store, "admin", Role::Admin).await;
    let alice = new_user(&*store, "alice", Role::Officer).await;
    login(&*store, &alice, 1).await.unwrap();
    login(&*store, &alice, 2).await.unwrap();
    let listed = store.account(alice.id).await.unwrap().unwrap();
    assert_eq!(listed.sessions, 2);
    assert!(listed.last_login_at.is_some());
    assert_eq!(listed.disabled_at, None);

    let at = now();
    let disabled = store
        .disable_account(alice.id, at, by(&admin, "account_disabled"))
        .await
        .unwrap()
        .expect("an officer can be disabled");
    let mut ended = disabled.ended_sessions.clone();
    ended.sort();
    assert_eq!(ended, vec![[1; 32], [2; 32]]);
    assert_eq!(disabled.account.disabled_at, Some(at));
    assert_eq!(disabled.account.sessions, 0);
    assert!(store.sessions_of(alice.id).await.unwrap().is_empty());
    assert!(store.session([1; 32]).await.unwrap().is_none());
    let audit = newest_audit(&*store).await;
    assert_eq!(audit.entry.action, "account_disabled");
    assert_eq!(audit.entry.actor, Some(admin.id));

    let creds = store.user_credentials("alice").await.unwrap().unwrap();
    assert!(creds.disabled);
    assert!(
        login(&*store, &alice, 3).await.is_err(),
        "a disabled account gets no session"
    );
    assert!(store.session([3; 32]).await.unwrap().is_none());
    assert!(
        !store
            .staff_loads()
            .await
            .unwrap()
            .iter()
            .any(|l| l.user.id == alice.id),
        "routing no longer sees a disabled account"
    );
    // Disabling again keeps the first time.
    let again = store
        .disable_account(
            alice.id,
            at + Duration::minutes(1),
            by(&admin, "account_disabled"),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.account.disabled_at, Some(at));

    let enabled = store
        .enable_account(alice.id, by(&admin, "account_enabled"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(enabled.disabled_at, None);
    assert!(
        !store
            .user_credentials("alice")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    login(&*store, &alice, 4).await.unwrap();
    assert_eq!(
        store.session([4; 32]).await.unwrap().unwrap().user.id,
        alice.id
    );
    let all = store.accounts().await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().any(|a| a.user.id == alice.id && a.sessions == 1));

    let nobody = UserId::new();
    assert_eq!(
        store
            .disable_account(nobody, at, by(&admin, "account_disabled"))
            .await
            .unwrap()
            .err(),
        Some(AccountRefusal::NotFound)
    );
    assert_eq!(
        store
            .enable_account(nobody, by(&admin, "account_enabled"))
            .await
            .unwrap()
            .err(),
        Some(AccountRefusal::NotFound)
    );
}

/// The last enabled administrator can be neither disabled nor demoted; with two, one can, and
/// then the other is the last. A disabled administrator does not count.
pub async fn the_last_enabled_administrator_can_be_neither_disabled_nor_demoted(
    store: Arc<dyn Store>,
) {
    let first = new_user(&*store, "first", Role::Admin).await;
    let refused = store
        .disable_account(first.id, now(), by(&first, "account_disabled"))
        .await
        .unwrap();
    assert_eq!(refused.err(), Some(AccountRefusal::LastAdmin));
    let refused = store
        .set_role(first.id, Role::Officer, by(&first, "role_changed"))
        .await
        .unwrap();
    assert_eq!(refused.err(), Some(AccountRefusal::LastAdmin));
    assert!(
        !store
            .user_credentials("first")
            .await
            .unwrap()
            .unwrap()
            .disabled,
        "nothing changed"
    );
    assert_eq!(
        store.account(first.id).await.unwrap().unwrap().user.role,
        Role::Admin
    );

    let second = new_user(&*store, "second", Role::Officer).await;
    let promoted = store
        .set_role(second.id, Role::Admin, by(&first, "role_changed"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(promoted.user.role, Role::Admin);
    store
        .disable_account(second.id, now(), by(&first, "account_disabled"))
        .await
        .unwrap()
        .expect("another admin is enabled");
    // The disabled one does not count: the first is the last again.
    assert_eq!(
        store
            .set_role(first.id, Role::Supervisor, by(&first, "role_changed"))
            .await
            .unwrap()
            .err(),
        Some(AccountRefusal::LastAdmin)
    );
    store
        .enable_account(second.id, by(&first, "account_enabled"))
        .await
        .unwrap()
        .unwrap();
    let demoted = store
        .set_role(first.id, Role::Supervisor, by(&second, "role_changed"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(demoted.user.role, Role::Supervisor);
    assert_eq!(
        store
            .disable_account(second.id, now(), by(&second, "account_disabled"))
            .await
            .unwrap()
            .err(),
        Some(AccountRefusal::LastAdmin)
    );
}

/// Two administrators disabling each other at the same moment: one wins, one administrator
/// stays enabled.
pub async fn two_administrators_disabling_each_other_at_once_leave_one_enabled(
    store: Arc<dyn Store>,
) {
    for round in 0..5 {
        let a = new_user(&*store, &format!("a{round}"), Role::Admin).await;
        let b = new_user(&*store, &format!("b{round}"), Role::Admin).await;
        // Every earlier round left one admin enabled: disable it so these two are the only ones.
        for account in store.accounts().await.unwrap() {
            if account.user.role == Role::Admin
                && account.disabled_at.is_none()
                && account.user.id != a.id
                && account.user.id != b.id
            {
                store
                    .disable_account(account.user.id, now(), by(&a, "account_disabled"))
                    .await
                    .unwrap()
                    .unwrap();
            }
        }
        let (s1, s2) = (store.clone(), store.clone());
        let (a1, b1, a2, b2) = (a.clone(), b.clone(), a.clone(), b.clone());
        let one = tokio::spawn(async move {
            s1.disable_account(b1.id, now(), by(&a1, "account_disabled"))
                .await
                .unwrap()
        });
        let two = tokio::spawn(async move {
            s2.disable_account(a2.id, now(), by(&b2, "account_disabled"))
                .await
                .unwrap()
        });
        let outcomes = [one.await.unwrap(), two.await.unwrap()];
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
        assert_eq!(
            outcomes.iter().filter(|o| o.is_err()).count(),
            1,
            "the other is refused as the last admin"
        );
        let enabled_admins = store
            .accounts()
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.user.role == Role::Admin && a.disabled_at.is_none())
            .count();
        assert_eq!(enabled_admins, 1);
    }
}

/// A role changes among the platform's roles, never to or from a unit's; a display name
/// changes; each with its audit entry by the acting administrator.
pub async fn role_and_display_name_changes_are_stored_with_their_actor(store: Arc<dyn Store>) {
    let admin = new_user(&*store, "admin", Role::Admin).await;
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let changed = store
        .set_role(alice.id, Role::Supervisor, by(&admin, "role_changed"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.user.role, Role::Supervisor);
    assert_eq!(newest_audit(&*store).await.entry.actor, Some(admin.id));
    assert_eq!(
        store
            .set_role(alice.id, Role::Unit, by(&admin, "role_changed"))
            .await
            .unwrap()
            .err(),
        Some(AccountRefusal::UnitRole)
    );
    let renamed = store
        .set_display_name(alice.id, "Agent Martin", by(&admin, "display_name_changed"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renamed.user.display_name, "Agent Martin");
    let audit = newest_audit(&*store).await;
    assert_eq!(audit.entry.action, "display_name_changed");
    assert_eq!(audit.entry.actor_name.as_deref(), Some("admin"));
    assert_eq!(
        store
            .set_display_name(UserId::new(), "x", by(&admin, "display_name_changed"))
            .await
            .unwrap()
            .err(),
        Some(AccountRefusal::NotFound)
    );
}

/// A link opens until it is spent or expires: spent once, with what its purpose asks for
/// (a redemption carrying anything else spends nothing), and its account's sessions end. A
/// newer link of the same account replaces it; a disabled account's link opens nothing.
pub async fn an_account_link_is_spent_once_before_it_expires(store: Arc<dyn Store>) {
    let admin = new_user(&*store, "admin", Role::Admin).await;
    let alice = new_user(&*store, "alice", Role::Officer).await;
    login(&*store, &alice, 9).await.unwrap();
    let t0 = now();
    assert!(
        store
            .create_account_link(
                link(alice.id, 1, LinkPurpose::Enrol, t0),
                by(&admin, "link_created")
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .create_account_link(
                link(UserId::new(), 2, LinkPurpose::Enrol, t0),
                by(&admin, "link_created")
            )
            .await
            .unwrap(),
        "no link for an unknown account"
    );
    let found = store.account_link([1; 32], t0).await.unwrap().unwrap();
    assert_eq!(found.user.id, alice.id);
    assert_eq!(found.purpose, LinkPurpose::Enrol);
    assert_eq!(found.expires_at, t0 + ACCOUNT_LINK_LIFETIME);
    assert!(store.account_link([7; 32], t0).await.unwrap().is_none());

    // An enrolment needs both a password and an authenticator: a password alone spends nothing.
    assert!(
        store
            .redeem_account_link(
                [1; 32],
                t0,
                password("$argon2id$new"),
                by(&alice, "enrolled")
            )
            .await
            .unwrap()
            .is_none()
    );
    let both = LinkRedemption {
        password_hash: Some("$argon2id$chosen".into()),
        totp: Some(totp(5)),
    };
    let (user, ended) = store
        .redeem_account_link([1; 32], t0, both.clone(), by(&alice, "enrolled"))
        .await
        .unwrap()
        .expect("the link opens once");
    assert_eq!(user.id, alice.id);
    assert!(user.totp_enrolled);
    assert_eq!(ended, vec![[9; 32]]);
    let creds = store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(creds.password_hash, "$argon2id$chosen");
    assert_eq!(creds.totp.as_ref().unwrap().sealed, vec![5; 8]);
    assert_eq!(creds.totp.as_ref().unwrap().last_step, Some(42));
    assert_eq!(store.recovery_codes_left(alice.id).await.unwrap(), 2);
    assert_eq!(newest_audit(&*store).await.entry.action, "enrolled");
    assert!(
        store
            .redeem_account_link([1; 32], t0, both, by(&alice, "enrolled"))
            .await
            .unwrap()
            .is_none(),
        "a spent link opens nothing"
    );
    assert!(store.account_link([1; 32], t0).await.unwrap().is_none());

    // A reset of the authenticator: new secret and recovery codes, the password stays.
    store
        .create_account_link(
            link(alice.id, 3, LinkPurpose::ResetTotp, t0),
            by(&admin, "link_created"),
        )
        .await
        .unwrap();
    let reset = LinkRedemption {
        password_hash: None,
        totp: Some(totp(6)),
    };
    store
        .redeem_account_link([3; 32], t0, reset, by(&alice, "totp_reset"))
        .await
        .unwrap()
        .unwrap();
    let creds = store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(creds.password_hash, "$argon2id$chosen");
    assert_eq!(creds.totp.unwrap().sealed, vec![6; 8]);
    assert!(
        !store
            .use_recovery_code(alice.id, [5; 32], t0)
            .await
            .unwrap(),
        "the old recovery codes stop working"
    );

    // Expiry: a link opens nothing once its 24 hours are over.
    store
        .create_account_link(
            link(alice.id, 4, LinkPurpose::ResetPassword, t0),
            by(&admin, "link_created"),
        )
        .await
        .unwrap();
    let late = t0 + ACCOUNT_LINK_LIFETIME + Duration::milliseconds(1);
    assert!(store.account_link([4; 32], late).await.unwrap().is_none());
    assert!(
        store
            .redeem_account_link([4; 32], late, password("$late"), by(&alice, "x"))
            .await
            .unwrap()
            .is_none()
    );
    let just_before = t0 + ACCOUNT_LINK_LIFETIME - Duration::milliseconds(1);
    assert!(
        store
            .account_link([4; 32], just_before)
            .await
            .unwrap()
            .is_some()
    );

    // A newer link replaces the older one.
    store
        .create_account_link(
            link(alice.id, 5, LinkPurpose::ResetPassword, t0),
            by(&admin, "link_created"),
        )
        .await
        .unwrap();
    assert!(store.account_link([4; 32], t0).await.unwrap().is_none());
    assert!(store.account_link([5; 32], t0).await.unwrap().is_some());

    // A disabled account's link opens nothing.
    store
        .disable_account(alice.id, t0, by(&admin, "account_disabled"))
        .await
        .unwrap()
        .unwrap();
    assert!(store.account_link([5; 32], t0).await.unwrap().is_none());
    assert!(
        store
            .redeem_account_link([5; 32], t0, password("$x"), by(&alice, "x"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .user_credentials("alice")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "$argon2id$chosen"
    );
}

/// Ten redemptions of one link at once: exactly one writes its password.
pub async fn concurrent_redemptions_of_one_link_have_one_winner(store: Arc<dyn Store>) {
    let admin = new_user(&*store, "admin", Role::Admin).await;
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let t0 = now();
    store
        .create_account_link(
            link(alice.id, 1, LinkPurpose::ResetPassword, t0),
            by(&admin, "link_created"),
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = store.clone();
        let alice = alice.clone();
        tasks.push(tokio::spawn(async move {
            store
                .redeem_account_link(
                    [1; 32],
                    t0,
                    password(&format!("$hash-{i}")),
                    by(&alice, "password_reset"),
                )
                .await
                .unwrap()
                .map(|_| i)
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        if let Some(i) = task.await.unwrap() {
            winners.push(i);
        }
    }
    assert_eq!(winners.len(), 1, "one redemption wins: {winners:?}");
    assert_eq!(
        store
            .user_credentials("alice")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        format!("$hash-{}", winners[0])
    );
}

fn new_staff(name: &str) -> NewUser {
    NewUser {
        id: UserId::new(),
        username: name.to_string(),
        display_name: format!("Agent {name}"),
        role: Role::Officer,
        unit: None,
        password_hash: "$argon2id$fake".into(),
        created_at: now(),
    }
}

/// An account is made whole in one transaction (its capacity, skills, authenticator, recovery
/// codes, link and audit entries) or not at all: a taken username, or a failure after the
/// account's row is written, leaves no account, no code, no link and no audit entry.
pub async fn an_account_is_created_whole_or_not_at_all(store: Arc<dyn Store>) {
    let admin = new_user(&*store, "admin", Role::Admin).await;
    let t0 = now();
    let skills = Skills {
        force: Some(ecoute_domain::Force::Gendarmerie),
        minors: true,
        languages: ecoute_domain::Language::parse_list("fr,en").unwrap(),
    };
    let made = store
        .create_account(
            NewStaffAccount {
                user: new_staff("alice"),
                capacity: 5,
                skills: skills.clone(),
                totp: Some(totp(3)),
                link: None,
            },
            vec![by(&admin, "user_created"), by(&admin, "totp_enrolled")],
        )
        .await
        .unwrap();
    assert_eq!(made.capacity, 5);
    assert_eq!(made.skills, skills);
    assert!(made.totp_enrolled);
    let creds = store.user_credentials("alice").await.unwrap().unwrap();
    assert_eq!(creds.user, made);
    assert_eq!(creds.totp, Some(totp(3).0));
    assert_eq!(store.recovery_codes_left(made.id).await.unwrap(), 2);
    let audits = store.audit_page(None, 10).await.unwrap();
    assert_eq!(audits[0].entry.action, "totp_enrolled");
    assert_eq!(audits[1].entry.action, "user_created");

    // With an enrolment link instead of an authenticator.
    let bob = store
        .create_account(
            NewStaffAccount {
                user: new_staff("bob"),
                capacity: 2,
                skills: Skills::default(),
                totp: None,
                link: Some(link(UserId::new(), 1, LinkPurpose::Enrol, t0)),
            },
            vec![
                by(&admin, "user_created"),
                by(&admin, "account_link_created"),
            ],
        )
        .await
        .unwrap();
    assert!(!bob.totp_enrolled);
    let found = store.account_link([1; 32], t0).await.unwrap().unwrap();
    assert_eq!(found.user.id, bob.id, "the link is the new account's");
    assert_eq!(found.purpose, LinkPurpose::Enrol);

    let users = store.count_users().await.unwrap();
    let newest = newest_audit(&*store).await.seq;
    // The username is taken: nothing is written.
    let taken = store
        .create_account(
            NewStaffAccount {
                user: new_staff("alice"),
                capacity: 3,
                skills: Skills::default(),
                totp: Some(totp(4)),
                link: None,
            },
            vec![by(&admin, "user_created")],
        )
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict)), "{taken:?}");
    // A failure after the account's row is written (its link's token is bob's): rolled back.
    let carol = new_staff("carol");
    let carol_id = carol.id;
    let failed = store
        .create_account(
            NewStaffAccount {
                user: carol,
                capacity: 3,
                skills: Skills::default(),
                totp: Some(totp(6)),
                link: Some(link(carol_id, 1, LinkPurpose::Enrol, t0)),
            },
            vec![by(&admin, "user_created")],
        )
        .await;
    assert!(failed.is_err(), "a link token already used is refused");
    assert!(store.user_credentials("carol").await.unwrap().is_none());
    assert!(store.account(carol_id).await.unwrap().is_none());
    assert_eq!(store.recovery_codes_left(carol_id).await.unwrap(), 0);
    assert_eq!(store.count_users().await.unwrap(), users);
    assert_eq!(newest_audit(&*store).await.seq, newest);
    let link_again = store.account_link([1; 32], t0).await.unwrap().unwrap();
    assert_eq!(link_again.user.id, bob.id);
}

fn pending(byte: u8, at: OffsetDateTime) -> PendingTotp {
    PendingTotp {
        sealed: vec![byte; 40],
        key_version: 1,
        issued_at: at,
        expires_at: at + Duration::hours(24),
    }
}

/// One authenticator secret is offered to an account at a time: the first offer stays (a second
/// page loaded meanwhile gets it too) until it is cleared, and each account has its own.
pub async fn the_pending_authenticator_secret_is_offered_once_per_account_until_cleared(
    store: Arc<dyn Store>,
) {
    let alice = new_user(&*store, "alice", Role::Officer).await;
    let bob = new_user(&*store, "bob", Role::Officer).await;
    let t0 = now();
    assert_eq!(store.pending_totp(alice.id).await.unwrap(), None);
    let first = store
        .offer_pending_totp(alice.id, pending(1, t0))
        .await
        .unwrap();
    assert_eq!(first, pending(1, t0));
    // Offered again (a reload, another tab): the first one is kept.
    let again = store
        .offer_pending_totp(alice.id, pending(2, t0 + Duration::seconds(5)))
        .await
        .unwrap();
    assert_eq!(again, pending(1, t0));
    assert_eq!(
        store.pending_totp(alice.id).await.unwrap(),
        Some(pending(1, t0))
    );
    // Another account's is its own.
    let theirs = store
        .offer_pending_totp(bob.id, pending(3, t0))
        .await
        .unwrap();
    assert_eq!(theirs, pending(3, t0));
    // Cleared (enrolled, expired), the next offer is taken.
    store.clear_pending_totp(alice.id).await.unwrap();
    assert_eq!(store.pending_totp(alice.id).await.unwrap(), None);
    let later = t0 + Duration::hours(25);
    let renewed = store
        .offer_pending_totp(alice.id, pending(4, later))
        .await
        .unwrap();
    assert_eq!(renewed, pending(4, later));
    assert_eq!(
        store.pending_totp(bob.id).await.unwrap(),
        Some(pending(3, t0))
    );
}
