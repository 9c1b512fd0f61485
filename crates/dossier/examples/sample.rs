//! Writes the invented dossier, signed with a fresh key, as PDF and JSON, and prints the key
//! list that checks them: `cargo run -p ecoute-dossier --example sample -- OUT_DIR`.

use ecoute_crypto::SigningKey;
use ecoute_dossier::{KeyList, KeyStatus, sample, signed_json, signed_pdf};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let key = SigningKey::generate(1);
    let dossier = sample::dossier();
    std::fs::write(dir.join("dossier-sample.pdf"), signed_pdf(&dossier, &key)?)?;
    std::fs::write(
        dir.join("dossier-sample.json"),
        signed_json(&dossier, &key)?,
    )?;
    let keys = KeyList::of(&[(key.public(), KeyStatus::Current)]);
    std::fs::write(
        dir.join("dossier-keys.json"),
        serde_json::to_string_pretty(&keys)?,
    )?;
    Ok(())
}
