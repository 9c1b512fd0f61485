//! Inputs parsed once at the edge. A value of these types is valid by construction.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest chat message accepted, in Unicode scalar values.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// Why an input was refused. Each maps to one stable error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Not five digits, or not a French postal code.
    #[error("a postal code is five digits, for example 75011")]
    PostalCode,
    /// Nothing but spaces.
    #[error("the message is empty")]
    EmptyMessage,
    /// Longer than [`MAX_MESSAGE_CHARS`].
    #[error("the message is longer than {MAX_MESSAGE_CHARS} characters")]
    MessageTooLong,
    /// Client message ids are 1 to 64 characters among letters, digits, '-' and '_'.
    #[error("client_id must be 1 to 64 letters, digits, '-' or '_'")]
    ClientId,
    /// Usernames are 3 to 32 characters among lowercase letters, digits, '.', '-' and '_'.
    #[error("a username is 3 to 32 lowercase letters, digits, '.', '-' or '_'")]
    Username,
    /// Passwords are 12 to 128 characters.
    #[error("a password is 12 to 128 characters")]
    Password,
    /// A password that is common or easily guessed (a word, a name, a keyboard run, a date,
    /// the account's own names): see [`Password::parse`].
    #[error("the password is too common or too easy to guess")]
    GuessablePassword,
    /// Unknown role name.
    #[error("the role is one of officer, supervisor, admin")]
    Role,
}

impl InputError {
    /// The stable error code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PostalCode => "invalid_postal_code",
            Self::EmptyMessage => "empty_message",
            Self::MessageTooLong => "message_too_long",
            Self::ClientId => "invalid_client_id",
            Self::Username => "invalid_username",
            Self::Password => "invalid_password",
            Self::GuessablePassword => "guessable_password",
            Self::Role => "invalid_role",
        }
    }
}

/// A French postal code as typed by the visitor. Never stored: only its [`Departement`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalCode(String);

impl PostalCode {
    /// Accepts "75011" and "75 011", ignoring surrounding spaces: exactly the strings the
    /// OpenAPI document's pattern for `postal_code` allows.
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let trimmed = input.trim();
        let digits = match trimmed.as_bytes() {
            [a, b, b' ', rest @ ..] if rest.len() == 3 => {
                format!("{}{}{}", *a as char, *b as char, &trimmed[3..])
            }
            _ => trimmed.to_string(),
        };
        if digits.len() != 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InputError::PostalCode);
        }
        // 00xxx does not exist; 96xxx and 99xxx are not used for addresses.
        if digits.starts_with("00") || digits.starts_with("96") || digits.starts_with("99") {
            return Err(InputError::PostalCode);
        }
        Ok(Self(digits))
    }

    /// The five digits, to choose a force and a unit; never stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The département this postal code belongs to, which is all that routing needs.
    pub fn departement(&self) -> Departement {
        let code = &self.0;
        let dep = if code.starts_with("97") || code.starts_with("98") {
            // Overseas départements and collectivities use three digits (971 … 988).
            code[..3].to_string()
        } else if let Some(rest) = code.strip_prefix("20") {
            // Corsica: 200xx and 201xx are Corse-du-Sud, the rest Haute-Corse.
            if rest.starts_with('0') || rest.starts_with('1') {
                "2A".to_string()
            } else {
                "2B".to_string()
            }
        } else {
            code[..2].to_string()
        };
        Departement(dep)
    }
}

/// A French département code: "01" … "95", "2A", "2B", "971" … "988".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct Departement(String);

impl Departement {
    /// Parses a stored département code.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = match s.len() {
            2 => s == "2A" || s == "2B" || s.bytes().all(|b| b.is_ascii_digit()),
            3 => s.starts_with("97") || s.starts_with("98"),
            _ => false,
        };
        ok.then(|| Self(s.to_string()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A chat message's text, non-empty and at most [`MAX_MESSAGE_CHARS`] characters.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl std::fmt::Debug for MessageBody {
    // Message bodies must never reach a log, even through a stray `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MessageBody({} chars)", self.0.chars().count())
    }
}

impl MessageBody {
    /// Accepts any text that is not blank and not too long. Line breaks are kept.
    pub fn parse(input: String) -> Result<Self, InputError> {
        if input.trim().is_empty() {
            return Err(InputError::EmptyMessage);
        }
        if input.chars().count() > MAX_MESSAGE_CHARS {
            return Err(InputError::MessageTooLong);
        }
        Ok(Self(input))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Gives the text back.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The id a client gives its message so that a resend is stored once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientMessageId(String);

impl ClientMessageId {
    /// Accepts 1 to 64 characters among ASCII letters, digits, '-' and '_'.
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let ok = (1..=64).contains(&input.len())
            && input
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(input.to_string()))
        } else {
            Err(InputError::ClientId)
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A staff login name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// Accepts 3 to 32 characters among lowercase ASCII letters, digits, '.', '-' and '_'.
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let ok = (3..=32).contains(&input.len())
            && input.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
            });
        if ok {
            Ok(Self(input.to_string()))
        } else {
            Err(InputError::Username)
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A staff password that meets the rules: its length, and not common or easily guessed. Its
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// The lowest strength accepted, on zxcvbn's scale of 0 to 4: 3 is "safely unguessable:
/// moderate protection from an offline slow-hash scenario" (about 10^8 guesses or more).
const MIN_STRENGTH: u8 = 3;

/// How much of a password the strength estimate reads. Its matching grows faster than the
/// length, and every path that sets a password is reachable before a login (the setup form, a
/// one-time link); a password whose first 64 characters are hard to guess is not weakened by
/// what follows.
const STRENGTH_PREFIX: usize = 64;

/// Words anyone would try first against this service, whatever the account.
const SERVICE_WORDS: [&str; 6] = [
    "ecoute",
    "écoute",
    "police",
    "gendarmerie",
    "commissariat",
    "signalement",
];

impl Password {
    /// Accepts a password someone chooses: 12 to 128 characters (Unicode scalar values), as
    /// security.md asks, that is not common or easily guessed: a strength estimate (zxcvbn,
    /// with its lists of common passwords, names and words, keyboard runs, repeats, sequences
    /// and dates) of at least [`MIN_STRENGTH`]. `about` holds what an attacker knows of the
    /// account (its username, its display name), counted as guessable words too. Every path that
    /// sets a password goes through here: the setup form, one-time links, one's own change, and
    /// `ecoute user add`.
    pub fn parse(input: String, about: &[&str]) -> Result<Self, InputError> {
        let n = input.chars().count();
        if !(12..=128).contains(&n) {
            return Err(InputError::Password);
        }
        let head: String = input.chars().take(STRENGTH_PREFIX).collect();
        // The account's names first (zxcvbn ranks a word by its place in the list), split on
        // their separators too: "j.martin" and "Jeanne Martin" also give "martin".
        let mut known: Vec<&str> = about.to_vec();
        known.extend(
            about
                .iter()
                .flat_map(|a| a.split(|c: char| !c.is_alphanumeric()))
                .filter(|w| w.chars().count() >= 3),
        );
        known.extend(SERVICE_WORDS);
        let lowered: Vec<String> = known.iter().map(|w| w.to_lowercase()).collect();
        let words: Vec<&str> = lowered.iter().map(String::as_str).collect();
        if u8::from(zxcvbn::zxcvbn(&head, &words).score()) < MIN_STRENGTH {
            return Err(InputError::GuessablePassword);
        }
        Ok(Self(input))
    }

    /// The secret, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// What a staff account may do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Answers chats.
    Officer,
    /// Answers chats and oversees the service.
    Supervisor,
    /// Manages accounts and settings.
    Admin,
    /// Works in a local unit: reads and follows only the dossiers forwarded to that unit.
    Unit,
}

impl Role {
    /// Stable name used in storage, on the command line and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
            Self::Unit => "unit",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Result<Self, InputError> {
        match s {
            "officer" => Ok(Self::Officer),
            "supervisor" => Ok(Self::Supervisor),
            "admin" => Ok(Self::Admin),
            "unit" => Ok(Self::Unit),
            _ => Err(InputError::Role),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(code: &str) -> String {
        PostalCode::parse(code)
            .unwrap()
            .departement()
            .as_str()
            .to_string()
    }

    #[test]
    fn a_postal_code_is_reduced_to_its_departement() {
        assert_eq!(dep("75011"), "75");
        assert_eq!(dep("01000"), "01");
        assert_eq!(dep(" 13 001 "), "13");
        assert_eq!(dep("13001\n"), "13");
        assert_eq!(dep("20000"), "2A");
        assert_eq!(dep("20167"), "2A");
        assert_eq!(dep("20200"), "2B");
        assert_eq!(dep("20600"), "2B");
        assert_eq!(dep("97200"), "972");
        assert_eq!(dep("97411"), "974");
        assert_eq!(dep("98800"), "988");
    }

    #[test]
    fn a_postal_code_that_cannot_exist_is_refused() {
        for bad in [
            "", "7501", "750111", "7501a", "00100", "99000", "96000", "abcde", "7 5011", "750 11",
        ] {
            assert_eq!(PostalCode::parse(bad), Err(InputError::PostalCode), "{bad}");
        }
    }

    #[test]
    fn a_stored_departement_parses_back() {
        for ok in ["01", "75", "2A", "2B", "971", "988"] {
            assert_eq!(Departement::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "7", "2C", "123", "7501"] {
            assert!(Departement::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_message_must_have_text_and_a_bounded_length() {
        assert_eq!(
            MessageBody::parse("  \n ".into()),
            Err(InputError::EmptyMessage)
        );
        assert!(MessageBody::parse("é".repeat(MAX_MESSAGE_CHARS)).is_ok());
        assert_eq!(
            MessageBody::parse("é".repeat(MAX_MESSAGE_CHARS + 1)),
            Err(InputError::MessageTooLong)
        );
        assert_eq!(
            MessageBody::parse("bonjour\nà vous".into())
                .unwrap()
                .as_str(),
            "bonjour\nà vous"
        );
    }

    #[test]
    fn a_message_body_never_shows_in_debug_output() {
        let body = MessageBody::parse("secret canary".into()).unwrap();
        assert!(!format!("{body:?}").contains("canary"));
        let pw = Password::parse("correct horse battery".into(), &[]).unwrap();
        assert!(!format!("{pw:?}").contains("horse"));
    }

    #[test]
    fn client_ids_are_short_plain_tokens() {
        assert!(ClientMessageId::parse("m-1_a").is_ok());
        assert!(ClientMessageId::parse(&"a".repeat(64)).is_ok());
        for bad in ["", "a b", "é", &"a".repeat(65)] {
            assert_eq!(ClientMessageId::parse(bad), Err(InputError::ClientId));
        }
    }

    #[test]
    fn usernames_passwords_and_roles_follow_the_rules() {
        assert!(Username::parse("j.dupont").is_ok());
        for bad in ["ab", "Jean", "jean dupont", &"a".repeat(33)] {
            assert_eq!(Username::parse(bad), Err(InputError::Username));
        }
        assert!(Password::parse("quatre mots bien choisis".into(), &[]).is_ok());
        assert_eq!(
            Password::parse("Xq7#pL2!vR9".into(), &[]),
            Err(InputError::Password),
            "11 characters, however random"
        );
        assert_eq!(
            Password::parse(
                format!("{}{}", "Xq7#pL2!vR9".repeat(11), "abcdefghijkl"),
                &[]
            ),
            Err(InputError::Password),
            "129 characters"
        );
        for r in [Role::Officer, Role::Supervisor, Role::Admin, Role::Unit] {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert_eq!(Role::parse("root"), Err(InputError::Role));
    }

    #[test]
    fn a_password_of_the_right_length_is_refused_when_common_or_easily_guessed() {
        for weak in [
            "password1234",
            "motdepasse123",
            "azertyuiop12",
            "aaaaaaaaaaaa",
            "123456789012",
            "abcdefghijklmnop",
            "qwertyuiop123",
            "ecoute123456",
        ] {
            assert_eq!(
                Password::parse(weak.into(), &[]),
                Err(InputError::GuessablePassword),
                "{weak:?} is accepted"
            );
        }
    }

    #[test]
    fn a_password_made_of_the_accounts_own_names_is_refused() {
        let about = ["k.wrzosek", "Kasia Wrzosek"];
        for weak in ["wrzosek2024!", "k.wrzosek.2026"] {
            assert!(
                Password::parse(weak.into(), &[]).is_ok(),
                "{weak:?} is strong for another account"
            );
            assert_eq!(
                Password::parse(weak.into(), &about),
                Err(InputError::GuessablePassword),
                "{weak:?} is accepted for k.wrzosek"
            );
        }
    }

    #[test]
    fn long_passphrases_and_random_passwords_are_accepted_whatever_their_length() {
        for strong in [
            "a long enough password",
            "correct horse battery",
            "mon mot de passe bien long",
            "Xq7#pL2!vR9w",
            "tulipe-orage-velours-9",
        ] {
            assert!(
                Password::parse(strong.into(), &["j.martin"]).is_ok(),
                "{strong:?} is refused"
            );
        }
        // 128 characters, the longest allowed, checked on its first 64.
        let longest: String = "Xq7#pL2!vR9w".repeat(11).chars().take(128).collect();
        assert!(Password::parse(longest, &[]).is_ok());
    }

    #[test]
    fn the_strength_rule_has_its_own_error_code() {
        assert_eq!(InputError::GuessablePassword.code(), "guessable_password");
        assert_eq!(InputError::Password.code(), "invalid_password");
        for r in [Role::Officer, Role::Supervisor, Role::Admin, Role::Unit] {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert_eq!(Role::parse("root"), Err(InputError::Role));
    }
}
