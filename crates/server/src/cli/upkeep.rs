//! Upkeep: the purge at the end of retention (and its dry run), and the master keys.

use super::*;

/// Refuses to go on without an existing database: purging a mistyped directory would
/// otherwise create an empty one and report that nothing was due.
pub(super) fn require_database(config: &Config) -> anyhow::Result<()> {
    if config.database_url.is_some() {
        // PostgreSQL: connecting says whether it is there.
        return Ok(());
    }
    let path = config.data_dir.join(ecoute_store_sqlite::DATABASE_FILE);
    if !path.is_file() {
        bail!(
            "no database at {} (check --data-dir or ECOUTE_DATA_DIR)",
            path.display()
        );
    }
    Ok(())
}

/// `closed/report_forwarded`, or the state of a conversation never closed.
pub(super) fn state_and_outcome(state: &ConversationState) -> String {
    match state {
        ConversationState::Closed { outcome, .. } => format!("closed/{}", outcome.as_str()),
        other => other.name().as_str().to_string(),
    }
}

pub(super) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Lists, on standard output, what `ecoute purge` would delete now, and changes nothing.
pub(super) async fn purge_dry_run(config: Config) -> anyhow::Result<()> {
    let store = open_store_to_read(&config).await?;
    let retention = &config.retention;
    let now = OffsetDateTime::now_utc();
    let (mut conversations, mut messages) = (0u64, 0u64);
    println!(
        "{:<36}  {:<34}  {:>10}  rule",
        "conversation", "state/outcome", "age (days)"
    );
    let listed = crate::purge::list_due(&*store, &retention.policy, now, |page| {
        for c in page {
            print_candidate(c, &retention.setting_of(c.due.rule), now);
            conversations += 1;
            messages += c.messages;
        }
    })
    .await;
    store.close().await;
    listed?;
    println!(
        "would purge {} and {} (dry run: nothing was changed)",
        plural(conversations, "conversation", "conversations"),
        plural(messages, "message", "messages"),
    );
    Ok(())
}

pub(super) fn print_candidate(c: &PurgeCandidate, setting: &str, now: OffsetDateTime) {
    let from = if c.due.rule.counts_from_closing() {
        "closing"
    } else {
        "creation"
    };
    println!(
        "{:<36}  {:<34}  {:>10}  {setting}, counted from {from}",
        c.id,
        state_and_outcome(&c.state),
        c.due.age_days(now),
    );
}

/// Deletes what is due now, batch by batch, with progress on standard error.
pub(super) async fn purge(config: Config) -> anyhow::Result<()> {
    require_database(&config)?;
    let store = open_store(&config).await?;
    let now = OffsetDateTime::now_utc();
    let result = crate::purge::purge_due(&*store, &config.retention.policy, now, |_, totals| {
        eprintln!(
            "purged {} and {} so far",
            plural(totals.conversations, "conversation", "conversations"),
            plural(totals.messages, "message", "messages"),
        );
        ControlFlow::Continue(())
    })
    .await;
    // Staff records have their own keeping (docs/SHIFTS.md, docs/WELLBEING.md); the server's
    // purge job deletes them with the conversations, and so does this command.
    let now = OffsetDateTime::now_utc();
    let spans = crate::purge::purge_presence_spans(&*store, now).await;
    let wellbeing = crate::purge::purge_wellbeing(&*store, now).await;
    store.close().await;
    let totals = result?;
    let spans = spans.ok_or_else(|| anyhow::anyhow!("the presence spans could not be purged"))?;
    let wellbeing = wellbeing?;
    if !totals.files_scrubbed {
        eprintln!(
            "warning: the database's write-ahead log could not be truncated (a reader held it); \
             deleted pages may remain in it until the next purge"
        );
    }
    println!(
        "purged {} and {}",
        plural(totals.conversations, "conversation", "conversations"),
        plural(totals.messages, "message", "messages"),
    );
    println!(
        "purged {} and {} past their keeping",
        plural(spans, "presence span", "presence spans"),
        plural(wellbeing, "wellbeing record", "wellbeing records"),
    );
    Ok(())
}

/// Refuses key files that are not the database's (crates/server/src/keys/check.rs), writing
/// the check values it may when `record` says so.
pub(super) async fn check_keys(
    store: &dyn ecoute_store::Store,
    files: &KeyFiles,
    ring: &ecoute_crypto::Keyring,
    made_now: bool,
    record: Record,
) -> anyhow::Result<()> {
    crate::keys::check(store, ring, files.dir().to_path_buf(), made_now, record).await?;
    Ok(())
}

pub(super) async fn keys(config: Config, command: KeysCommand) -> anyhow::Result<()> {
    let files = KeyFiles::new(config.master_key_path());
    rotation::require_keys(&files)?;
    let store = open_store(&config).await?;
    let ring = files
        .load()
        .with_context(|| format!("master keys in {}", files.dir().display()));
    if let KeysCommand::Status = command {
        // The table first, whatever the keys are: it is what one reads to see what is wrong.
        let status = rotation::status(&*store, &files).await;
        let checked = match &ring {
            Ok(ring) => check_keys(&*store, &files, ring, false, Record::No).await,
            Err(_) => Ok(()),
        };
        store.close().await;
        print!("{}", status?);
        ring?;
        return checked;
    }
    let checked = match &ring {
        Ok(ring) => check_keys(&*store, &files, ring, false, Record::Yes).await,
        Err(_) => Ok(()),
    };
    if let Err(e) = ring.and(checked) {
        store.close().await;
        return Err(e);
    }
    if let KeysCommand::Signing(command) = command {
        let result = signing(&*store, &files, command).await;
        store.close().await;
        return result;
    }
    let result =
        match command {
            // Handled above: it prints even when the keys are refused.
            KeysCommand::Status => Ok(()),
            KeysCommand::Rotate { batch_size } => {
                let options = RotateOptions {
                    batch: batch_size,
                    ..RotateOptions::default()
                };
                // Progress goes to standard error, so standard output stays for results.
                let mut report = |p: rotation::Progress| eprintln!("{p}");
                rotation::rotate(&*store, &files, options, &mut report)
                    .await
                    .map(|done| {
                        println!(
                            "re-wrapped {}, re-sealed {} and {} by this run; every conversation, \
                         TOTP secret and signing key is now under master key version {}; retire \
                         older versions with `ecoute keys retire --version N`",
                            rotation::conversations(done.rewrapped),
                            rotation::totp_secrets(done.resealed),
                            rotation::signing_keys(done.signing),
                            done.version
                        )
                    })
            }
            KeysCommand::Retire { version } => rotation::retire(&*store, &files, version)
                .await
                .map(|path| {
                    println!(
                        "retired master key version {version}: deleted {}",
                        path.display()
                    )
                }),
            // Handled above: it has its own errors.
            KeysCommand::Signing(_) => Ok(()),
        };
    store.close().await;
    Ok(result?)
}
