//! `ecoute dossier verify`: whether a dossier file a unit received is exactly what the service
//! signed, and with which key (docs/DOSSIER.md); `ecoute keys signing new|retire|list`: the
//! keys that sign them.

use super::*;
use ecoute_crypto::PublicKey;
use ecoute_dossier::{KeyList, KeyStatus, Verdict};
use ecoute_store::Store;
use std::path::Path;

/// Checks `file` (PDF or JSON) against the key list in `keys`, or against the keys in this
/// installation's database without it; prints the verdict, and fails when the file is not
/// intact.
pub(super) async fn dossier_verify(
    config: Config,
    file: &Path,
    keys: Option<&Path>,
) -> anyhow::Result<()> {
    let keys = match keys {
        Some(path) => keys_from_file(path)?,
        None => {
            // Read-only: checking a file must not create or migrate a database.
            let store = open_store_to_read(&config).await?;
            let keys = keys_of(&*store).await;
            store.close().await;
            keys?
        }
    };
    verify_with(file, &keys)
}

/// The keys of a key list file.
fn keys_from_file(path: &Path) -> anyhow::Result<Vec<(PublicKey, KeyStatus)>> {
    let list = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    KeyList::parse(&list).with_context(|| format!("{}", path.display()))
}

/// The published keys, read from the database.
async fn keys_of(store: &dyn Store) -> anyhow::Result<Vec<(PublicKey, KeyStatus)>> {
    let stored = store
        .signing_keys()
        .await
        .context("cannot read the signing keys")?;
    Ok(crate::signing::published(&stored)?)
}

fn verify_with(file: &Path, keys: &[(PublicKey, KeyStatus)]) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let verdict = ecoute_dossier::verify(&bytes, keys);
    println!("{}: {}", file.display(), describe(&verdict));
    if !verdict.is_intact() {
        bail!("{} is not intact", file.display());
    }
    Ok(())
}
/// `ecoute keys signing new|retire|list`: each change is audited by the store.
pub(super) async fn signing(
    store: &dyn Store,
    files: &KeyFiles,
    command: SigningCommand,
) -> anyhow::Result<()> {
    match command {
        SigningCommand::New => {
            let ring = files.load()?;
            let before = store.current_signing_key().await?;
            let key = crate::signing::create_next(store, &ring).await?;
            println!(
                "made dossier signing key {} (version {}): it signs the dossiers from now on",
                key.id(),
                key.version()
            );
            if let Some(before) = before {
                println!(
                    "version {0} no longer signs, but still checks the dossiers it signed and \
                     stays listed as current until you run `ecoute keys signing retire {0}`",
                    before.version
                );
            }
        }
        SigningCommand::Retire { version } => {
            crate::signing::retire(store, version).await?;
            println!(
                "retired dossier signing key version {version}: listed as retired, it still \
                 checks the dossiers it signed"
            );
        }
        SigningCommand::List => {
            let keys = store.signing_keys().await?;
            let published = crate::signing::published(&keys)?;
            let signer = keys.iter().rev().find(|k| k.retired_at.is_none());
            println!("version  id                   status   made                  retired");
            for (k, (public, _)) in keys.iter().zip(&published) {
                let status = match k.retired_at {
                    Some(_) => "retired",
                    None if Some(k.version) == signer.map(|s| s.version) => "signing",
                    None => "current",
                };
                println!(
                    "{:>7}  {:<19}  {status:<7}  {}  {}",
                    k.version,
                    public.id(),
                    minute(k.created_at),
                    k.retired_at.map_or_else(|| "-".to_string(), minute),
                );
            }
        }
    }
    Ok(())
}

/// A time to the minute, in UTC: `2026-07-14 09:12 UTC`.
fn minute(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// One sentence for a person: what the check found, naming the key.
fn describe(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Intact { key } => format!("intact, signed by key {key} (current)"),
        Verdict::IntactRetiredKey { key } => format!(
            "intact, signed by key {key}, which is RETIRED: it signed dossiers before its \
             retirement and signs none now"
        ),
        Verdict::Altered { key: Some(key) } => {
            format!("ALTERED: the file is not what key {key} signed")
        }
        Verdict::Altered { key: None } => "ALTERED: its signature field is damaged".into(),
        Verdict::UnknownKey { key } => {
            format!("signed by key {key}, which is not in the key list: cannot be trusted")
        }
        Verdict::NotADossier => "not a signed Écoute dossier (PDF or JSON)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecoute_crypto::SigningKey;
    use ecoute_dossier::{KeyStatus, sample, signed_pdf};

    #[test]
    fn verify_passes_an_intact_file_and_fails_an_altered_one() {
        let dir = tempfile::tempdir().unwrap();
        let key = SigningKey::generate(1);
        let keys = dir.path().join("keys.json");
        let list = KeyList::of(&[(key.public(), KeyStatus::Current)]);
        std::fs::write(&keys, serde_json::to_vec(&list).unwrap()).unwrap();
        let mut pdf = signed_pdf(&sample::dossier(), &key).unwrap();
        let file = dir.path().join("dossier.pdf");
        std::fs::write(&file, &pdf).unwrap();
        let keys = keys_from_file(&keys).unwrap();
        verify_with(&file, &keys).unwrap();
        let middle = pdf.len() / 2;
        pdf[middle] ^= 1;
        std::fs::write(&file, &pdf).unwrap();
        let refused = verify_with(&file, &keys).unwrap_err();
        assert!(refused.to_string().contains("not intact"), "{refused}");
    }

    #[tokio::test]
    async fn a_file_signed_by_a_key_retired_since_is_named_retired_with_the_keys_of_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let ring = KeyFiles::new(dir.path().join("master.key"))
            .load_or_create()
            .unwrap();
        let store = ecoute_store_sqlite::SqliteStore::open(dir.path())
            .await
            .unwrap();
        crate::signing::ensure_first(&store, &ring).await.unwrap();
        let first = crate::signing::current(&store, &ring)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.version(), 1);
        let json = ecoute_dossier::signed_json(&sample::dossier(), &first).unwrap();
        let file = dir.path().join("dossier.json");
        std::fs::write(&file, &json).unwrap();

        let second = crate::signing::create_next(&store, &ring).await.unwrap();
        assert_eq!(second.version(), 2);
        assert!(matches!(
            crate::signing::retire(&store, 2).await,
            Err(crate::signing::SigningError::NoNewer(2))
        ));
        crate::signing::retire(&store, 1).await.unwrap();
        store.close().await;

        // As the command runs it: the data directory opened read-only.
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        let store = open_store_to_read(&config).await.unwrap();
        let keys = keys_of(&*store).await.unwrap();
        store.close().await;
        let verdict = ecoute_dossier::verify(&json, &keys);
        assert!(
            matches!(&verdict, Verdict::IntactRetiredKey { key } if *key == first.public().id()),
            "{verdict:?}"
        );
        assert!(describe(&verdict).contains("RETIRED"));
        dossier_verify(config, &file, None).await.unwrap();
    }

    #[test]
    fn every_verdict_names_the_key_it_is_about() {
        let key = "v2:0011223344556677".to_string();
        for verdict in [
            Verdict::Intact { key: key.clone() },
            Verdict::IntactRetiredKey { key: key.clone() },
            Verdict::Altered {
                key: Some(key.clone()),
            },
            Verdict::UnknownKey { key: key.clone() },
        ] {
            assert!(describe(&verdict).contains(&key), "{verdict:?}");
        }
        assert!(describe(&Verdict::IntactRetiredKey { key }).contains("RETIRED"));
    }
}
