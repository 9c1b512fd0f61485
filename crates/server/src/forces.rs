//! The département → force table: parsed from its data file (format in `share/forces.csv` and
//! docs/ROUTING.md), loaded into the store whole, and seeded with the shipped file on the first
//! start.

use anyhow::{Context, bail};
use ecoute_domain::{Departement, Force};
use ecoute_store::{NewAudit, Store};
use std::collections::HashSet;
use std::path::Path;
use time::OffsetDateTime;

/// The table shipped with Écoute (a starting table, not an official assignment).
pub const SHIPPED: &str = include_str!("../../../share/forces.csv");

/// Parses a table, naming the line of the first problem.
pub fn parse(text: &str) -> anyhow::Result<Vec<(Departement, Force)>> {
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line == "departement,force" {
            continue;
        }
        let Some((d, f)) = line.split_once(',') else {
            bail!("line {n}: expected `departement,force`, found {line:?}");
        };
        let (d, f) = (d.trim(), f.trim());
        let departement = Departement::parse(&d.to_ascii_uppercase())
            .with_context(|| format!("line {n}: {d:?} is not a département code"))?;
        let force = Force::parse(f).with_context(|| {
            format!("line {n}: {f:?} is not a force (expected `police` or `gendarmerie`)")
        })?;
        if !seen.insert(departement.clone()) {
            bail!("line {n}: département {d} is listed twice");
        }
        rows.push((departement, force));
    }
    if rows.is_empty() {
        bail!("the table lists no département");
    }
    Ok(rows)
}

/// Reads, checks and loads a table file, replacing the current one. Returns its size.
pub async fn load_file(store: &dyn Store, path: &Path) -> anyhow::Result<u64> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let rows = parse(&text).with_context(|| format!("in {}", path.display()))?;
    let audit = NewAudit::system("forces_loaded", OffsetDateTime::now_utc()).detail(format!(
        "{} départements from {}",
        rows.len(),
        path.display()
    ));
    Ok(store.load_forces(&rows, audit).await?)
}

/// On a database that has no table yet, loads the shipped one.
pub async fn seed(store: &dyn Store) -> anyhow::Result<()> {
    if !store.forces().await?.is_empty() {
        return Ok(());
    }
    let rows = parse(SHIPPED).expect("the shipped table is valid");
    let audit = NewAudit::system("forces_loaded", OffsetDateTime::now_utc()).detail(format!(
        "{} départements from the shipped table",
        rows.len()
    ));
    store.load_forces(&rows, audit).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_lists_every_departement_once() {
        let rows = parse(SHIPPED).unwrap();
        assert_eq!(rows.len(), 101);
        assert!(
            rows.iter()
                .any(|(d, f)| d.as_str() == "75" && *f == Force::Police)
        );
        assert!(rows.iter().any(|(d, _)| d.as_str() == "2A"));
    }

    #[test]
    fn a_bad_table_is_refused_with_its_line() {
        for (text, says) in [
            ("75,police\n99x,police\n", "line 2"),
            ("75;police\n", "line 1: expected"),
            ("75,army\n", "not a force"),
            ("75,police\n75,gendarmerie\n", "listed twice"),
            ("# nothing\n", "no département"),
        ] {
            let e = format!("{:#}", parse(text).unwrap_err());
            assert!(e.contains(says), "{e} should say {says}");
        }
        assert_eq!(parse("2a , gendarmerie\n").unwrap()[0].0.as_str(), "2A");
    }
}
