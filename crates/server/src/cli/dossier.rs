//! `ecoute dossier verify`: whether a dossier file a unit received is exactly what the service
//! signed, and with which key (docs/DOSSIER.md).

use anyhow::{Context, bail};
use ecoute_dossier::{KeyList, Verdict};
use std::path::Path;

/// Checks `file` (PDF or JSON) against the key list in `keys`, prints the verdict, and fails
/// when the file is not intact.
pub(super) fn dossier_verify(file: &Path, keys: &Path) -> anyhow::Result<()> {
    let list = std::fs::read(keys).with_context(|| format!("cannot read {}", keys.display()))?;
    let keys = KeyList::parse(&list).with_context(|| format!("{}", keys.display()))?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let verdict = ecoute_dossier::verify(&bytes, &keys);
    println!("{}: {}", file.display(), describe(&verdict));
    if !verdict.is_intact() {
        bail!("{} is not intact", file.display());
    }
    Ok(())
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
        dossier_verify(&file, &keys).unwrap();
        let middle = pdf.len() / 2;
        pdf[middle] ^= 1;
        std::fs::write(&file, &pdf).unwrap();
        let refused = dossier_verify(&file, &keys).unwrap_err();
        assert!(refused.to_string().contains("not intact"), "{refused}");
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
