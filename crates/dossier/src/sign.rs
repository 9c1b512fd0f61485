//! Signed files and their verification.
//!
//! **JSON**: the file is the canonical form ([`crate::canonical`]) of
//! `{"dossier": D, "signature": {"algorithm": "Ed25519", "key": ID, "sha256": H, "sig": S}}`
//! followed by one line feed, where `H` is the hex SHA-256 of the canonical form of `D` and
//! `S` the base64url Ed25519 signature, by key `ID`, of `JSON_CONTEXT` followed by that
//! canonical form. A file that is not exactly in canonical form is refused as altered: that
//! closes the door to a second member of the same name, which one reader would show and
//! another would sign.
//!
//! **PDF**: the document's metadata (its keywords, written both in the Info dictionary and
//! in the XMP packet) holds a field of fixed length, `MARKER` then `FIELD_LEN` bytes. The
//! signature covers `PDF_CONTEXT` followed by the whole file with every such field filled
//! with `0`; the field then receives `ID SIGHEX` padded with spaces. Checking it needs no
//! rewriting of the file, and the file stays a valid PDF/A (nothing after `%%EOF`).

use crate::canonical::to_canonical;
use crate::model::Dossier;
use crate::pdf::{self, Hole};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecoute_crypto::{PublicKey, SigningKey};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Prefixed to what a JSON signature covers, so it can never pass for a PDF's.
const JSON_CONTEXT: &[u8] = b"ecoute/dossier-json/v1\n";
/// Prefixed to what a PDF signature covers.
const PDF_CONTEXT: &[u8] = b"ecoute/dossier-pdf/v1\n";
/// Opens the signature field in a PDF's metadata.
const MARKER: &[u8] = b"ecoute-signature/v1:";
/// The signature field's length: a key id (at most `v4294967295:` and 16 hex digits), a
/// space, 128 hex digits of signature, padding.
const FIELD_LEN: usize = 160;

/// What can stop a dossier from being produced.
#[derive(Debug, thiserror::Error)]
pub enum DossierError {
    /// The data could not be put in canonical form.
    #[error(transparent)]
    Canonical(#[from] crate::canonical::NotCanonical),
    /// The PDF writer failed.
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
    /// The signature field is not where it was written (the PDF writer changed how it
    /// writes metadata).
    #[error("the PDF writer did not keep the signature field as written")]
    NoSignatureField,
}

/// The canonical JSON bytes of a dossier (without envelope): what its hash is taken of.
pub fn canonical_bytes(dossier: &Dossier) -> Result<Vec<u8>, DossierError> {
    let value = serde_json::to_value(dossier).expect("a dossier is plain data");
    Ok(to_canonical(&value)?)
}

/// The hex SHA-256 of the dossier's canonical JSON, printed on every page of its PDF.
pub fn sha256_hex(dossier: &Dossier) -> Result<String, DossierError> {
    Ok(hex(&Sha256::digest(canonical_bytes(dossier)?)))
}

/// The signed JSON file of a dossier.
pub fn signed_json(dossier: &Dossier, key: &SigningKey) -> Result<Vec<u8>, DossierError> {
    let canonical = canonical_bytes(dossier)?;
    let sig = key.sign(&[JSON_CONTEXT, &canonical].concat());
    let envelope = json!({
        "dossier": serde_json::to_value(dossier).expect("a dossier is plain data"),
        "signature": {
            "algorithm": "Ed25519",
            "key": key.public().id(),
            "sha256": hex(&Sha256::digest(&canonical)),
            "sig": URL_SAFE_NO_PAD.encode(sig),
        },
    });
    let mut out = to_canonical(&envelope)?;
    out.push(b'\n');
    Ok(out)
}

/// The dossier inside a signed JSON file, without checking its signature (for a file the
/// service produced and kept sealed; a file from elsewhere is checked with [`verify`]).
pub fn parse_signed_json(file: &[u8]) -> Result<Dossier, serde_json::Error> {
    #[derive(Deserialize)]
    struct Envelope {
        dossier: Dossier,
    }
    serde_json::from_slice::<Envelope>(file).map(|e| e.dossier)
}

/// The signed PDF file of a dossier.
pub fn signed_pdf(dossier: &Dossier, key: &SigningKey) -> Result<Vec<u8>, DossierError> {
    let placeholder = placeholder_field();
    let mut pdf = pdf::render(dossier, &sha256_hex(dossier)?, Hole(&placeholder))?;
    let holes = holes(&pdf);
    if holes.is_empty() {
        return Err(DossierError::NoSignatureField);
    }
    let sig = key.sign(&[PDF_CONTEXT, &pdf].concat());
    let field = format!("{} {}", key.public().id(), hex(&sig));
    let field = format!("{field:<FIELD_LEN$}");
    debug_assert_eq!(field.len(), FIELD_LEN);
    for at in holes {
        pdf[at..at + FIELD_LEN].copy_from_slice(field.as_bytes());
    }
    Ok(pdf)
}

fn placeholder_field() -> String {
    let marker = std::str::from_utf8(MARKER).expect("ASCII");
    format!("{marker}{}", "0".repeat(FIELD_LEN))
}

/// Where each signature field's content starts.
fn holes(pdf: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = find(&pdf[from..], MARKER) {
        let start = from + i + MARKER.len();
        if start + FIELD_LEN > pdf.len() {
            break;
        }
        found.push(start);
        from = start + FIELD_LEN;
    }
    found
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The public keys a file may have been signed with: the format of `--keys FILE` and of
/// `/.well-known/ecoute-dossier-keys.json` (docs/DOSSIER.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyList {
    /// Always `ecoute-dossier-keys/1`.
    pub format: String,
    /// Every key that has signed dossiers, current and retired.
    pub keys: Vec<KeyEntry>,
}

/// One published key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyEntry {
    /// `v<version>:<fingerprint>`, as written in the files it signed.
    pub id: String,
    /// The signing key's version.
    pub version: u32,
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The 32-byte public key, base64url without padding.
    pub public_key: String,
    /// `current` (signs new dossiers) or `retired` (signed earlier ones, no longer signs).
    pub status: KeyStatus,
}

/// Whether a key still signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// It signs the dossiers produced now.
    Current,
    /// It signed earlier dossiers and signs no more.
    Retired,
}

/// A key list that does not hold together.
#[derive(Debug, thiserror::Error)]
pub enum KeyListError {
    /// Not JSON of the documented shape.
    #[error("not a dossier key list: {0}")]
    Malformed(String),
    /// An entry's key does not parse, or its id is not that key's id.
    #[error("key {0}: the public key is not valid or does not have this id")]
    BadKey(String),
}

impl KeyList {
    /// The list of these keys, for publishing.
    pub fn of(keys: &[(PublicKey, KeyStatus)]) -> Self {
        Self {
            format: "ecoute-dossier-keys/1".into(),
            keys: keys
                .iter()
                .map(|(k, status)| KeyEntry {
                    id: k.id(),
                    version: k.version(),
                    algorithm: "Ed25519".into(),
                    public_key: k.to_base64(),
                    status: *status,
                })
                .collect(),
        }
    }

    /// Reads and checks a key list: each id must be its key's id.
    pub fn parse(bytes: &[u8]) -> Result<Vec<(PublicKey, KeyStatus)>, KeyListError> {
        let list: KeyList =
            serde_json::from_slice(bytes).map_err(|e| KeyListError::Malformed(e.to_string()))?;
        if list.format != "ecoute-dossier-keys/1" {
            return Err(KeyListError::Malformed(format!(
                "unknown format {:?}",
                list.format
            )));
        }
        list.keys
            .into_iter()
            .map(|e| {
                let key = PublicKey::from_base64(e.version, &e.public_key)
                    .map_err(|_| KeyListError::BadKey(e.id.clone()))?;
                if e.algorithm != "Ed25519" || key.id() != e.id {
                    return Err(KeyListError::BadKey(e.id));
                }
                Ok((key, e.status))
            })
            .collect()
    }
}

/// What a check of a file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Unchanged since it was signed by this current key.
    Intact {
        /// The key's id.
        key: String,
    },
    /// Unchanged since it was signed by this key, which has been retired since.
    IntactRetiredKey {
        /// The key's id.
        key: String,
    },
    /// Changed after it was signed (or signed by another key with the same id).
    Altered {
        /// The key it names, when it names one.
        key: Option<String>,
    },
    /// Signed by a key that is not in the list.
    UnknownKey {
        /// The id it names.
        key: String,
    },
    /// Neither a signed dossier PDF nor a signed dossier JSON file.
    NotADossier,
}

impl Verdict {
    /// Whether the file is exactly what was signed.
    pub fn is_intact(&self) -> bool {
        matches!(self, Self::Intact { .. } | Self::IntactRetiredKey { .. })
    }
}

/// Checks a signed dossier file, PDF or JSON, against a list of public keys.
pub fn verify(file: &[u8], keys: &[(PublicKey, KeyStatus)]) -> Verdict {
    if file.starts_with(b"%PDF-") {
        verify_pdf(file, keys)
    } else {
        verify_json(file, keys)
    }
}

fn verify_json(file: &[u8], keys: &[(PublicKey, KeyStatus)]) -> Verdict {
    let Ok(envelope) = serde_json::from_slice::<Value>(file) else {
        return Verdict::NotADossier;
    };
    let (Some(dossier), Some(signature)) = (envelope.get("dossier"), envelope.get("signature"))
    else {
        return Verdict::NotADossier;
    };
    let Some(key_id) = signature.get("key").and_then(Value::as_str) else {
        return Verdict::NotADossier;
    };
    let key_id = key_id.to_string();
    let altered = || Verdict::Altered {
        key: Some(key_id.clone()),
    };
    let Some((key, status)) = keys.iter().find(|(k, _)| k.id() == key_id) else {
        return Verdict::UnknownKey { key: key_id };
    };
    let (Ok(whole), Ok(canonical)) = (to_canonical(&envelope), to_canonical(dossier)) else {
        return altered();
    };
    if file.strip_suffix(b"\n").unwrap_or(file) != whole.as_slice() {
        return altered();
    }
    let sig = signature
        .get("sig")
        .and_then(Value::as_str)
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok());
    let hash_matches = signature.get("sha256").and_then(Value::as_str)
        == Some(hex(&Sha256::digest(&canonical)).as_str());
    match sig {
        Some(sig) if hash_matches && key.verify(&[JSON_CONTEXT, &canonical].concat(), &sig) => {
            intact(key_id, *status)
        }
        _ => altered(),
    }
}

fn verify_pdf(file: &[u8], keys: &[(PublicKey, KeyStatus)]) -> Verdict {
    let holes = holes(file);
    let Some(&first) = holes.first() else {
        return Verdict::NotADossier;
    };
    let field = &file[first..first + FIELD_LEN];
    let text = String::from_utf8_lossy(field);
    let mut parts = text.split_whitespace();
    let (Some(key_id), Some(sig_hex)) = (parts.next(), parts.next()) else {
        return Verdict::Altered { key: None };
    };
    let key_id = key_id.to_string();
    let Some((key, status)) = keys.iter().find(|(k, _)| k.id() == key_id) else {
        return Verdict::UnknownKey { key: key_id };
    };
    let sig = unhex(sig_hex);
    let mut blanked = Vec::with_capacity(PDF_CONTEXT.len() + file.len());
    blanked.extend_from_slice(PDF_CONTEXT);
    blanked.extend_from_slice(file);
    for at in &holes {
        let at = PDF_CONTEXT.len() + at;
        // Every copy of the field must say the same; the signed bytes have them all blank.
        if blanked[at..at + FIELD_LEN] != *field {
            return Verdict::Altered { key: Some(key_id) };
        }
        blanked[at..at + FIELD_LEN].fill(b'0');
    }
    match sig {
        Some(sig) if key.verify(&blanked, &sig) => intact(key_id, *status),
        _ => Verdict::Altered { key: Some(key_id) },
    }
}

fn intact(key: String, status: KeyStatus) -> Verdict {
    match status {
        KeyStatus::Current => Verdict::Intact { key },
        KeyStatus::Retired => Verdict::IntactRetiredKey { key },
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}
