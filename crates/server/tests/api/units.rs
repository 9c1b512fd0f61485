//! The directory of local units, managed from the command line against a running server's
//! data directory.

use crate::helpers::*;
use ecoute_store::Store;

#[tokio::test]
async fn the_units_directory_is_loaded_and_shown_from_the_command_line_and_a_bad_file_changes_nothing()
 {
    let app = spawn_app().await;
    let dir = app.data_dir.path().to_str().unwrap().to_string();
    let d = ["--data-dir", dir.as_str()];

    // Nothing is loaded at start (the sample has placeholder addresses): show says how to.
    let (ok, out, err) = ecoute(&["units", "show", d[0], d[1]], "");
    assert!(ok, "{err}");
    assert!(
        out.contains("no units loaded") && out.contains("ecoute units load FILE"),
        "{out}"
    );

    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../share/units.sample.txt");
    let (ok, out, err) = ecoute(&["units", "load", sample, d[0], d[1]], "");
    assert!(ok, "{err}");
    assert!(
        out.contains("loaded 9 units") && out.contains("5 police, 4 gendarmerie"),
        "{out}"
    );
    assert_eq!(app.store.units().await.unwrap().len(), 9);
    let audit = app.store.audit_page(None, 50).await.unwrap();
    assert!(
        audit.iter().any(|r| r.entry.action == "units_loaded"
            && r.entry.detail.as_deref().unwrap_or("").contains("9 units")),
        "the load is audited"
    );

    let (ok, shown, err) = ecoute(&["units", "show", d[0], d[1]], "");
    assert!(ok, "{err}");
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 10, "a header and one line a unit: {shown}");
    for column in ["ID", "FORCE", "KIND", "NAME", "NOTIFY", "COVERS"] {
        assert!(lines[0].contains(column), "{shown}");
    }
    let brigade = lines
        .iter()
        .find(|l| l.starts_with("bta-villefranche "))
        .expect("listed by id");
    for cell in [
        "gendarmerie",
        "brigade",
        "Brigade territoriale autonome de Villefranche-sur-Saône",
        "bta.villefranche@example.invalid",
        "69400 69220 69640",
    ] {
        assert!(brigade.contains(cell), "{brigade}");
    }

    // A bad line 3 refuses the whole file, naming the file and the line; the directory in
    // force stays.
    let bad = app.data_dir.path().join("bad-units.txt");
    std::fs::write(
        &bad,
        "# ours\n\
         bta-mende;gendarmerie;brigade;Brigade de Mende;bta.mende@example.invalid;48\n\
         cl-ajaccio;marine;commissariat;Commissariat d'Ajaccio;cl@example.invalid;2A\n",
    )
    .unwrap();
    let (ok, _, err) = ecoute(&["units", "load", bad.to_str().unwrap(), d[0], d[1]], "");
    assert!(!ok);
    assert!(
        err.contains("bad-units.txt") && err.contains("line 3") && err.contains("marine"),
        "{err}"
    );
    assert_eq!(app.store.units().await.unwrap().len(), 9);
    let (ok, again, _) = ecoute(&["units", "show", d[0], d[1]], "");
    assert!(ok);
    assert_eq!(again, shown, "the previous directory is in place");
}
