//! The return code: 16 digits the visitor keeps (like a phone number among their contacts) to
//! reopen their conversation later, from any device.

use serde::{Deserialize, Serialize};

/// How many digits a code has.
pub const RETURN_CODE_DIGITS: usize = 16;

/// A return code, as 16 ASCII digits.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnCode(String);

impl std::fmt::Debug for ReturnCode {
    // A code opens a conversation: it must never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReturnCode(..)")
    }
}

/// Why a typed code is refused before anything is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a return code is 16 digits")]
pub struct ReturnCodeFormat;

impl ReturnCode {
    /// Accepts the digits as typed: spaces, dots, dashes and other separators are ignored.
    pub fn parse(input: &str) -> Result<Self, ReturnCodeFormat> {
        if input.chars().count() > 64 {
            return Err(ReturnCodeFormat);
        }
        let mut digits = String::with_capacity(RETURN_CODE_DIGITS);
        for c in input.chars() {
            // Arabic-Indic and Eastern Arabic-Indic digits count as the digits they are.
            let ascii = match c {
                '0'..='9' => Some(c),
                '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
                '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
                _ => None,
            };
            match ascii {
                Some(d) => digits.push(d),
                None if c.is_alphanumeric() => return Err(ReturnCodeFormat),
                None => {}
            }
        }
        if digits.len() == RETURN_CODE_DIGITS {
            Ok(Self(digits))
        } else {
            Err(ReturnCodeFormat)
        }
    }

    /// The digits only, as hashed.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// Grouped by two, like a phone number: "06 12 34 56 78 90 12 34".
    pub fn grouped(&self) -> String {
        let bytes = self.0.as_bytes();
        bytes
            .chunks(2)
            .map(|pair| std::str::from_utf8(pair).expect("ASCII digits"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_read_whatever_the_separators_and_shown_by_pairs() {
        let c = ReturnCode::parse("06 12-34.56 78 90 12 34").unwrap();
        assert_eq!(c.digits(), "0612345678901234");
        assert_eq!(c.grouped(), "06 12 34 56 78 90 12 34");
        assert_eq!(ReturnCode::parse(&c.grouped()), Ok(c.clone()));
        assert_eq!(format!("{c:?}"), "ReturnCode(..)");
    }

    #[test]
    fn anything_but_sixteen_digits_is_refused() {
        assert_eq!(
            ReturnCode::parse("٠٦ ١٢ ٣٤ ٥٦ ٧٨ ٩٠ ١٢ ٣٤")
                .unwrap()
                .digits(),
            "0612345678901234",
            "Arabic-Indic digits are read as digits"
        );
        for bad in [
            "",
            "123",
            "06 12 34 56 78 90 12 3",
            "06 12 34 56 78 90 12 345",
            "0612345678901234a",
        ] {
            assert_eq!(ReturnCode::parse(bad), Err(ReturnCodeFormat), "{bad}");
        }
    }
}
