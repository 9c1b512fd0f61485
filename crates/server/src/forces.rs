//! The force table: which force answers each département, and the communes (by postal code)
//! that differ from their département. Parsed from its data file (format in `share/forces.csv`
//! and docs/ROUTING.md), loaded into the store whole, and seeded with the shipped file on the
//! first start.

use anyhow::{Context, bail};
use ecoute_domain::{Coverage, Force};
use ecoute_store::{NewAudit, Store};
use std::collections::HashSet;
use std::path::Path;
use time::OffsetDateTime;

/// The table shipped with Écoute (a starting table, not an official assignment).
pub const SHIPPED: &str = include_str!("../../../share/forces.csv");

/// The header lines a table may start with (the second is the older name).
const HEADERS: [&str; 2] = ["place,force", "departement,force"];

/// Parses a table of `place,force` rows, a place being a département code or a five-digit
/// postal code, naming the line of the first problem.
pub fn parse(text: &str) -> anyhow::Result<Vec<(Coverage, Force)>> {
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || HEADERS.contains(&line) {
            continue;
        }
        let Some((p, f)) = line.split_once(',') else {
            bail!("line {n}: expected `place,force`, found {line:?}");
        };
        let (p, f) = (p.trim(), f.trim());
        let place = Coverage::parse(p).with_context(|| {
            format!("line {n}: {p:?} is neither a département code nor a five-digit postal code")
        })?;
        let force = Force::parse(f).with_context(|| {
            format!("line {n}: {f:?} is not a force (expected `police` or `gendarmerie`)")
        })?;
        if !seen.insert(place.clone()) {
            bail!("line {n}: {} is listed twice", place.as_str());
        }
        rows.push((place, force));
    }
    if rows.is_empty() {
        bail!("the table lists no place");
    }
    Ok(rows)
}

/// What a table holds, in words: "101 départements" or "101 départements and 12 postal codes".
pub fn describe(rows: &[(Coverage, Force)]) -> String {
    let codes = rows
        .iter()
        .filter(|(p, _)| matches!(p, Coverage::PostalCode(_)))
        .count();
    let departements = rows.len() - codes;
    let mut words = plural(departements, "département", "départements");
    if codes > 0 {
        words.push_str(" and ");
        words.push_str(&plural(codes, "postal code", "postal codes"));
    }
    words
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Reads, checks and loads a table file, replacing the current one. Returns what it held, in
/// words ([`describe`]).
pub async fn load_file(store: &dyn Store, path: &Path) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let rows = parse(&text).with_context(|| format!("in {}", path.display()))?;
    let audit = NewAudit::system("forces_loaded", OffsetDateTime::now_utc()).detail(format!(
        "{} from {}",
        describe(&rows),
        path.display()
    ));
    store.load_forces(&rows, audit).await?;
    Ok(describe(&rows))
}

/// On a database that has no table yet, loads the shipped one.
pub async fn seed(store: &dyn Store) -> anyhow::Result<()> {
    if !store.forces().await?.is_empty() {
        return Ok(());
    }
    let rows = parse(SHIPPED).expect("the shipped table is valid");
    let audit = NewAudit::system("forces_loaded", OffsetDateTime::now_utc())
        .detail(format!("{} from the shipped table", describe(&rows)));
    store.load_forces(&rows, audit).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn force_of<'a>(rows: &'a [(Coverage, Force)], place: &str) -> Option<&'a Force> {
        rows.iter()
            .find(|(p, _)| p.as_str() == place)
            .map(|(_, f)| f)
    }

    #[test]
    fn the_shipped_table_lists_every_departement_once_and_some_communes() {
        let rows = parse(SHIPPED).unwrap();
        let departements = rows
            .iter()
            .filter(|(p, _)| matches!(p, Coverage::Departement(_)))
            .count();
        assert_eq!(departements, 101);
        assert_eq!(force_of(&rows, "75"), Some(&Force::Police));
        assert!(force_of(&rows, "2A").is_some());
        // The Rhône: Lyon is police, villages around it gendarmerie.
        assert_eq!(force_of(&rows, "69"), Some(&Force::Police));
        for lyon in 1..=9 {
            assert_eq!(
                force_of(&rows, &format!("6900{lyon}")),
                Some(&Force::Police)
            );
        }
        assert!(rows.iter().any(|(p, f)| p.as_str().starts_with("69")
            && p.as_str().len() == 5
            && *f == Force::Gendarmerie));
        assert!(describe(&rows).starts_with("101 départements and "));
    }

    #[test]
    fn postal_code_rows_stand_beside_departement_rows() {
        let twice = parse("place,force\n69,police\n69400,gendarmerie\n69 , police \n");
        assert!(format!("{:#}", twice.unwrap_err()).contains("line 4: 69 is listed twice"));
        let rows = parse("departement,force\n69,police\n69400 , gendarmerie\n").unwrap();
        assert_eq!(
            rows,
            [
                (Coverage::parse("69").unwrap(), Force::Police),
                (Coverage::parse("69400").unwrap(), Force::Gendarmerie),
            ]
        );
        assert_eq!(describe(&rows), "1 département and 1 postal code");
        assert_eq!(describe(&rows[..1]), "1 département");
    }

    #[test]
    fn a_bad_table_is_refused_with_its_line() {
        for (text, says) in [
            ("75,police\n99x,police\n", "line 2"),
            ("75;police\n", "line 1: expected"),
            ("75,army\n", "not a force"),
            ("75,police\n75,gendarmerie\n", "line 2: 75 is listed twice"),
            (
                "# Rhône\n69,police\n69400,police\n\n69400,gendarmerie\n",
                "line 5: 69400 is listed twice",
            ),
            (
                "69,police\n6940,gendarmerie\n",
                "line 2: \"6940\" is neither",
            ),
            (
                "69,police\n694000,gendarmerie\n",
                "line 2: \"694000\" is neither",
            ),
            (
                "69,police\n99100,gendarmerie\n",
                "line 2: \"99100\" is neither",
            ),
            ("69,police\n6940a,gendarmerie\n", "line 2"),
            ("# nothing\n", "no place"),
        ] {
            let e = format!("{:#}", parse(text).unwrap_err());
            assert!(e.contains(says), "{e} should say {says}");
        }
        assert_eq!(parse("2a , gendarmerie\n").unwrap()[0].0.as_str(), "2A");
    }
}
