//! The PDF's text can be extracted: every message, accents and Arabic included, and the
//! hash of the JSON form on every page. Needs `pdftotext` (Debian's poppler-utils).

use ecoute_crypto::SigningKey;
use ecoute_dossier::{model::Message, sample, sha256_hex, signed_pdf};
use std::process::Command;

/// Text as compared: no bidi marks that the extractor adds, single spaces.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn extract(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dossier.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext is installed (Debian package poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text without each page's header and footer, so that a message cut by a page break reads
/// as one.
fn body(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_start_matches('\u{c}'))
        .filter(|l| {
            !(l.starts_with("SHA-256 du dossier JSON")
                || l.starts_with("page ")
                || l.starts_with("Écoute — dossier "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_rtl_letter(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Latin text must come out whole. Right-to-left text comes out word by word (the extractor
/// orders runs between punctuation left to right), so each of its words must be found.
fn assert_found(page_text: &str, message: &Message) {
    let text = normalise(page_text);
    if !message.text.chars().any(is_rtl_letter) {
        assert!(
            text.contains(&normalise(&message.text)),
            "message {} not found",
            message.seq
        );
        return;
    }
    for word in message.text.split_whitespace() {
        let word: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
        assert!(
            text.contains(&word),
            "word {word:?} of message {} not found",
            message.seq
        );
    }
}

#[test]
fn every_message_and_the_json_hash_on_every_page_can_be_extracted() {
    let dossier = sample::dossier();
    let pdf = signed_pdf(&dossier, &SigningKey::generate(1)).unwrap();
    let text = extract(&pdf);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() >= 2, "the sample fills two pages");
    let hash = sha256_hex(&dossier).unwrap();
    for (i, page) in pages.iter().enumerate() {
        assert!(
            normalise(page).contains(&format!("SHA-256 du dossier JSON : {hash}")),
            "page {}",
            i + 1
        );
        assert!(
            page.contains(&format!("page {} / {}", i + 1, pages.len())),
            "page {}",
            i + 1
        );
    }
    let body = body(&text);
    for message in &dossier.messages {
        assert_found(&body, message);
    }
    for words in ["Saint-Étienne", "sœur", "« Acceptez-vous", "veste kaki"] {
        assert!(normalise(&text).contains(words), "{words}");
    }
}

#[test]
fn a_long_message_wraps_and_runs_over_pages_without_losing_a_word() {
    let mut dossier = sample::dossier();
    let long: Vec<String> = (1..=900).map(|i| format!("mot{i}")).collect();
    dossier.messages[2].text = long.join(" ");
    let pdf = signed_pdf(&dossier, &SigningKey::generate(1)).unwrap();
    let text = normalise(&body(&extract(&pdf)));
    for word in &long {
        assert!(text.contains(&format!("{word} ")), "{word}");
    }
}
