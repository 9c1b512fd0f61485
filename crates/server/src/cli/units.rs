//! The directory of local units that receive forwarded reports: `ecoute units load FILE`
//! replaces it whole, `ecoute units show` prints it as a table.

use super::*;
use ecoute_domain::{Unit, parse_units};

pub(super) async fn units_load(config: Config, file: &std::path::Path) -> anyhow::Result<()> {
    // Checked before the database is touched: a bad file changes nothing.
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let units = parse_units(&text).with_context(|| format!("in {}", file.display()))?;
    require_database(&config)?;
    let store = open_store(&config).await?;
    let audit = NewAudit::system("units_loaded", OffsetDateTime::now_utc()).detail(format!(
        "{} from {}",
        plural(units.len() as u64, "unit", "units"),
        file.display()
    ));
    let result = store.load_units(&units, audit).await;
    store.close().await;
    let n = result?;
    let of = |force: Force| units.iter().filter(|u| u.force == force).count();
    println!(
        "loaded {} from {}: {} police, {} gendarmerie",
        plural(n, "unit", "units"),
        file.display(),
        of(Force::Police),
        of(Force::Gendarmerie)
    );
    Ok(())
}

pub(super) async fn units_show(config: Config) -> anyhow::Result<()> {
    let store = open_store_to_read(&config).await?;
    let units = store.units().await;
    store.close().await;
    let units = units?;
    if units.is_empty() {
        // Nothing is loaded on the first start (the sample's addresses are placeholders): say
        // how to load one rather than print an empty table.
        println!("no units loaded");
        println!("load a directory with: ecoute units load FILE (format: share/units.sample.txt)");
        return Ok(());
    }
    print!("{}", table(&units));
    Ok(())
}

/// The directory as aligned columns, one unit a line, under a header.
fn table(units: &[Unit]) -> String {
    let header = ["ID", "FORCE", "KIND", "NAME", "NOTIFY", "COVERS"];
    let rows: Vec<[String; 6]> = units
        .iter()
        .map(|u| {
            let covers: Vec<&str> = u.covers.iter().map(|c| c.as_str()).collect();
            [
                u.id.as_str().to_string(),
                u.force.as_str().to_string(),
                u.kind.as_str().to_string(),
                u.name.clone(),
                u.notify.clone(),
                covers.join(" "),
            ]
        })
        .collect();
    // Widths in characters: names carry accents, and `{:<w$}` pads by characters too.
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header);
    for row in &rows {
        out.push_str(&line(row.each_ref().map(String::as_str)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_aligns_columns_by_characters() {
        let units = parse_units(
            "bta-mende;gendarmerie;brigade;Brigade d’Été;b@x.fr;48\n\
             cl;police;commissariat;Commissariat;c@x.fr;75011 75\n",
        )
        .unwrap();
        let out = table(&units);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[0].starts_with("ID         FORCE        KIND"),
            "{out}"
        );
        assert!(lines[2].ends_with("c@x.fr  75011 75"), "{out}");
        // Every column starts at the same character on each line.
        let at = |l: &str| l.chars().position(|c| c == '@').unwrap();
        assert_eq!(at(lines[1]), at(lines[2]));
    }
}
