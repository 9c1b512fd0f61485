//! The dossier a local police or gendarmerie unit receives when an officer forwards a chat:
//! its data ([`model`]), its canonical JSON and PDF forms, and their Ed25519 signatures.
//!
//! A crate of its own, beside the server: it holds no I/O and no database access, so the
//! server can wire it to the store later; and the PDF writer it needs (krilla, with its font
//! shaping) is compiled and tested here without rebuilding the server's test binaries.
#![forbid(unsafe_code)]

pub mod canonical;
pub mod model;
pub mod paris;
mod pdf;
pub mod sample;
pub mod sign;

pub use model::Dossier;
pub use paris::Moment;
pub use sign::{
    DossierError, KeyList, KeyStatus, Verdict, canonical_bytes, sha256_hex, signed_json,
    signed_pdf, verify,
};
