//! The directory of support services: parsed from its data file (format in
//! `share/resources.sample.toml` and docs/ROUTING.md), loaded into the store whole, and seeded
//! with the sample file on a first start.

use anyhow::{Context, bail};
use ecoute_domain::{Departement, Resource, ResourceKind};
use ecoute_store::{NewAudit, Store};
use serde::Deserialize;
use std::path::Path;
use time::OffsetDateTime;

/// The sample directory shipped with Écoute (national helplines, and invented local entries).
pub const SAMPLE: &str = include_str!("../../../share/resources.sample.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    resource: Vec<Raw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    departement: Option<String>,
    kind: String,
    name: String,
    phone: Option<String>,
    address: Option<String>,
    hours: Option<String>,
    url: Option<String>,
    #[serde(default)]
    sample: bool,
}

/// Parses a directory, naming the entry of the first problem.
pub fn parse(text: &str) -> anyhow::Result<Vec<Resource>> {
    let file: File = toml::from_str(text).context("not a valid directory file")?;
    if file.resource.is_empty() {
        bail!("no [[resource]]");
    }
    file.resource
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let n = i + 1;
            let departement = raw
                .departement
                .map(|d| {
                    Departement::parse(d.trim())
                        .with_context(|| format!("resource {n}: {d:?} is not a département code"))
                })
                .transpose()?;
            let kind = ResourceKind::parse(&raw.kind)
                .map_err(|e| anyhow::anyhow!("resource {n} ({}): {e}", raw.name))?;
            let name = raw.name.clone();
            Resource {
                departement,
                kind,
                name: raw.name,
                phone: raw.phone,
                address: raw.address,
                hours: raw.hours,
                url: raw.url,
                sample: raw.sample,
            }
            .check()
            .map_err(|e| anyhow::anyhow!("resource {n} ({name}): {e}"))
        })
        .collect()
}

/// Reads, checks and loads a directory file in place of the current one. Returns its size.
pub async fn load_file(store: &dyn Store, path: &Path) -> anyhow::Result<u64> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let entries = parse(&text).with_context(|| format!("in {}", path.display()))?;
    let audit = NewAudit::system("resources_loaded", OffsetDateTime::now_utc()).detail(format!(
        "{} entries from {}",
        entries.len(),
        path.display()
    ));
    Ok(store.load_resources(&entries, audit).await?)
}

/// On a database with an empty directory, loads the sample one.
pub async fn seed(store: &dyn Store) -> anyhow::Result<()> {
    if store.count_resources().await? > 0 {
        return Ok(());
    }
    let entries = parse(SAMPLE).expect("the sample directory is valid");
    let audit = NewAudit::system("resources_loaded", OffsetDateTime::now_utc()).detail(format!(
        "{} entries from the sample directory",
        entries.len()
    ));
    store.load_resources(&entries, audit).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_marks_every_invented_entry() {
        let entries = parse(SAMPLE).unwrap();
        assert!(entries.len() >= 8);
        for e in &entries {
            assert_eq!(e.sample, e.name.starts_with("EXEMPLE"), "{}", e.name);
        }
        assert!(entries.iter().any(|e| e.departement.is_none()));
    }

    #[test]
    fn a_bad_directory_is_refused_with_its_entry() {
        for (text, says) in [
            ("", "no [[resource]]"),
            (
                "[[resource]]\nkind = \"bar\"\nname = \"X\"\n",
                "resource 1 (X): kind",
            ),
            (
                "[[resource]]\ndepartement = \"999\"\nkind = \"medical\"\nname = \"X\"\n",
                "not a département",
            ),
            (
                "[[resource]]\nkind = \"medical\"\nname = \"X\"\nurl = \"http://x\"\n",
                "https",
            ),
            (
                "[[resource]]\nkind = \"medical\"\nname = \"X\"\nemail = \"a@b\"\n",
                "valid directory",
            ),
        ] {
            let e = format!("{:#}", parse(text).unwrap_err());
            assert!(e.contains(says), "{e} should say {says}");
        }
    }
}
