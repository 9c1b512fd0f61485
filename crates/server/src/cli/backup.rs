//! `ecoute backup DEST`: a copy of the SQLite database taken while the server serves, read
//! back before it gets its name, and never with the master key.
//!
//! The copy is made with `VACUUM INTO`, not with SQLite's online backup API. Both give a
//! consistent copy, but the backup API copies a few pages per step and starts over whenever
//! another connection writes between two steps: under a steady flow of messages from the
//! server (another process) it might never finish, unless it copies everything in one step,
//! and then it reports no more progress than `VACUUM INTO` does. `VACUUM INTO` reads in one
//! transaction (the server keeps writing, on the WAL), writes only the live rows (no free
//! page that once held a purged chat, no WAL), and needs nothing but SQL. Its progress is the
//! size of the file it writes, against the size of the pages in use.

use super::*;
use ecoute_store_sqlite::SqliteStore;
use std::path::Path;
use std::time::{Duration, Instant};

/// How often the copy's size is reported.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// Where a backup goes, once checked: a new file, outside the data directory and away from the
/// master key files.
struct Target {
    /// The file to create (its directory resolved).
    path: PathBuf,
    /// The hidden file the copy is written to before it is checked and named.
    partial: PathBuf,
}

impl Target {
    fn check(config: &Config, dest: &Path) -> anyhow::Result<Self> {
        if dest.symlink_metadata().is_ok() {
            bail!(
                "{} exists already: a backup never replaces a file; give a new name",
                dest.display()
            );
        }
        let Some(name) = dest.file_name() else {
            bail!("{} does not name a file", dest.display());
        };
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let dir = parent.canonicalize().with_context(|| {
            format!(
                "cannot write the backup in {}: the directory is not there",
                parent.display()
            )
        })?;
        let data_dir = config
            .data_dir
            .canonicalize()
            .with_context(|| format!("cannot read {}", config.data_dir.display()))?;
        if dir.starts_with(&data_dir) {
            bail!(
                "{} is inside the data directory {}: a backup there sits beside the master key \
                 and is lost with it; write it to another disk or machine",
                dest.display(),
                data_dir.display()
            );
        }
        let keys = KeyFiles::new(config.master_key_path());
        if let Ok(key_dir) = keys.dir().canonicalize()
            && dir.starts_with(&key_dir)
        {
            bail!(
                "{} is in {}, beside the master key files: a backup must be kept apart from \
                 the key that opens it",
                dest.display(),
                key_dir.display()
            );
        }
        let mut suffix = [0u8; 6];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut suffix);
        let partial = dir.join(format!(
            ".{}.{}.partial",
            name.to_string_lossy(),
            crate::audit::hex(&suffix)
        ));
        Ok(Self {
            path: dir.join(name),
            partial,
        })
    }
}

/// Copies the database to `dest`, checks the copy, names it, and audits the backup.
pub(super) async fn backup(config: Config, dest: &Path) -> anyhow::Result<()> {
    if config.database_url.is_some() {
        bail!(
            "this installation keeps its data in PostgreSQL, which `ecoute backup` does not \
             copy: back it up with pg_dump, or with base backups and WAL archiving, and keep \
             the master key files apart from those backups (docs/DEPLOYMENT.md, \"Backups\")"
        );
    }
    require_database(&config)?;
    let target = Target::check(&config, dest)?;
    // Made empty first, owner-only: SQLite would create it readable by everyone.
    ecoute_crypto::write_private(&target.partial, b"")
        .with_context(|| format!("cannot create {}", target.partial.display()))?;
    let made = copy_and_check(&config, &target).await;
    let made = match made {
        Ok(made) => made,
        Err(e) => {
            let _ = std::fs::remove_file(&target.partial);
            return Err(e);
        }
    };
    let named = std::fs::hard_link(&target.partial, &target.path);
    let _ = std::fs::remove_file(&target.partial);
    match named {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "{} appeared while the copy was made; it was left as it is and the copy deleted",
            target.path.display()
        ),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot create {}", target.path.display()));
        }
    }
    if let Some(dir) = target.path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }

    let head = match &made.audit {
        crate::audit::Verdict::Intact {
            head: Some((seq, hash)),
            ..
        } => format!("{seq}:{hash}"),
        crate::audit::Verdict::Intact { head: None, .. } => "none".to_string(),
        crate::audit::Verdict::Broken { seq, .. } => format!("broken at entry {seq}"),
    };
    let store = open_store(&config).await?;
    let audited = store
        .append_audit(
            NewAudit::system("backup_made", OffsetDateTime::now_utc()).detail(format!(
                "database copied to {} ({} bytes, audit head {head}) by {}",
                target.path.display(),
                made.bytes,
                os_user()
            )),
        )
        .await;
    store.close().await;
    audited?;

    println!(
        "backed up to {} ({}) in {:.1} s",
        target.path.display(),
        mebibytes(made.bytes),
        made.took.as_secs_f64()
    );
    let keys = KeyFiles::new(config.master_key_path());
    let key_files: Vec<String> = keys
        .versions()
        .unwrap_or_default()
        .into_iter()
        .map(|v| keys.path_of(v).display().to_string())
        .collect();
    println!(
        "the master key is not in the backup: keep a copy of {} apart from it, or it cannot be \
         read",
        if key_files.is_empty() {
            keys.path_of(1).display().to_string()
        } else {
            key_files.join(" and ")
        }
    );
    if let crate::audit::Verdict::Broken { seq, reason } = made.audit {
        bail!(
            "the backup was written, but the audit log it holds is broken at entry {seq}: \
             {reason}; so is the live one: run `ecoute audit verify`"
        );
    }
    println!(
        "audit head of the backup: {head} (after a restore: ecoute audit verify --expect-head {head})"
    );
    Ok(())
}

/// A copy written, synced and read back.
struct Made {
    bytes: u64,
    took: Duration,
    audit: crate::audit::Verdict,
}

async fn copy_and_check(config: &Config, target: &Target) -> anyhow::Result<Made> {
    let live = SqliteStore::open_read_only(&config.data_dir)
        .await
        .with_context(|| format!("cannot open the database in {}", config.data_dir.display()))?;
    let about = live.used_bytes().await;
    let about = match about {
        Ok(n) => n,
        Err(e) => {
            live.close().await;
            return Err(e.into());
        }
    };
    eprintln!(
        "copying the database (about {}) to {}",
        mebibytes(about),
        target.path.display()
    );
    let started = Instant::now();
    let copied = {
        let copy = live.copy_into(&target.partial);
        tokio::pin!(copy);
        let mut every = tokio::time::interval(PROGRESS_EVERY);
        every.tick().await;
        loop {
            tokio::select! {
                copied = &mut copy => break copied,
                _ = every.tick() => {
                    let written = std::fs::metadata(&target.partial).map_or(0, |m| m.len());
                    eprintln!("copied {} of about {}", mebibytes(written), mebibytes(about));
                }
            }
        }
    };
    live.close().await;
    copied.context("the copy failed")?;
    let took = started.elapsed();
    // SQLite leaves the copy to the operating system's cache: make it durable before it gets
    // its name.
    std::fs::File::open(&target.partial)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot sync {}", target.partial.display()))?;
    let bytes = std::fs::metadata(&target.partial)?.len();
    eprintln!(
        "copied {} in {:.1} s; reading the copy back",
        mebibytes(bytes),
        took.as_secs_f64()
    );

    let copy = SqliteStore::open_file_read_only(&target.partial)
        .await
        .context("the copy does not open")?;
    let checked = copy.quick_check().await;
    let audit = match checked {
        Ok(()) => crate::audit::verify(&copy, None, |n| {
            eprintln!("checked {n} audit entries of the copy")
        })
        .await
        .map_err(anyhow::Error::from),
        Err(e) => Err(anyhow::Error::from(e).context("the copy does not read back whole")),
    };
    copy.close().await;
    Ok(Made {
        bytes,
        took,
        audit: audit?,
    })
}

/// `12.3 MiB`.
fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
