//! The parsers of everything a person types or a client sends as a secret: postal codes,
//! client ids, message bodies, usernames, tokens, TOTP and recovery codes, master keys.
#![no_main]

use ecoute_crypto::totp::{TotpSecret, recovery_code_hash};
use ecoute_crypto::{MasterKey, hash_token};
use ecoute_domain::{ClientMessageId, MessageBody, Password, PostalCode, Username};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(code) = PostalCode::parse(&text) {
        // Whatever is accepted reduces to a département that parses back.
        let dep = code.departement();
        assert!(ecoute_domain::Departement::parse(dep.as_str()).is_some());
    }
    let _ = ClientMessageId::parse(&text);
    let _ = MessageBody::parse(text.to_string());
    let _ = Username::parse(&text);
    let _ = Password::parse(text.to_string());
    let _ = hash_token(&text);
    let _ = recovery_code_hash(&text);
    let _ = MasterKey::from_base64(1, &text);
    let _ = TotpSecret::from_base32(&text);
    let secret = TotpSecret::from_bytes(&[7u8; 20]).expect("20 bytes");
    let _ = secret.verify(&text, 1_700_000_000, None);
});
