//! The canonical byte form of a JSON value, so that a signature over it can be made again by
//! anyone: the JSON Canonicalization Scheme (RFC 8785) for the values a dossier holds.
//!
//! No whitespace; object members sorted by their names' UTF-16 code units; strings with only
//! `"`, `\` and control characters escaped (the short escapes where JSON has them, `\u00xx`
//! otherwise), everything else as raw UTF-8; integers in decimal. Fractional numbers are
//! refused: a dossier has none, and their canonical form is the hard part of RFC 8785.

use serde_json::Value;

/// A value that has no canonical form here.
#[derive(Debug, thiserror::Error)]
#[error("the JSON holds a fractional number ({0}); a dossier has only integers")]
pub struct NotCanonical(String);

/// The canonical bytes of `value`.
pub fn to_canonical(value: &Value) -> Result<Vec<u8>, NotCanonical> {
    let mut out = Vec::new();
    write(value, &mut out)?;
    Ok(out)
}

fn write(value: &Value, out: &mut Vec<u8>) -> Result<(), NotCanonical> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            if n.is_f64() {
                return Err(NotCanonical(n.to_string()));
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<_> = members.iter().collect();
            // RFC 8785 orders by UTF-16 code units, which differs from UTF-8 byte order only
            // above U+FFFF against U+E000..U+FFFF; done as the RFC says all the same.
            sorted.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
            out.push(b'{');
            for (i, (name, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(name, out);
                out.push(b':');
                write(item, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canonical(v: Value) -> String {
        String::from_utf8(to_canonical(&v).unwrap()).unwrap()
    }

    #[test]
    fn members_are_sorted_and_no_whitespace_is_written() {
        assert_eq!(
            canonical(json!({"b": [1, {"z": null, "a": true}], "a": -3})),
            r#"{"a":-3,"b":[1,{"a":true,"z":null}]}"#
        );
    }

    #[test]
    fn the_same_value_written_differently_has_one_canonical_form() {
        let a: Value = serde_json::from_str("{ \"x\" : \"\\u00e9\", \"y\":[ 1 , 2 ] }").unwrap();
        let b: Value = serde_json::from_str("{\"y\":[1,2],\"x\":\"é\"}").unwrap();
        assert_eq!(to_canonical(&a).unwrap(), to_canonical(&b).unwrap());
    }

    #[test]
    fn strings_escape_only_quotes_backslashes_and_control_characters() {
        assert_eq!(
            canonical(json!("é ش \"q\" \\ \n\t\u{1} / \u{7f} 😀")),
            "\"é ش \\\"q\\\" \\\\ \\n\\t\\u0001 / \u{7f} 😀\""
        );
    }

    #[test]
    fn names_sort_by_utf16_code_units_as_rfc_8785_says() {
        // U+1F600 is D83D DE00 in UTF-16, before U+FF5E; in UTF-8 it would come after.
        assert_eq!(canonical(json!({"～": 1, "😀": 2})), "{\"😀\":2,\"～\":1}");
    }

    #[test]
    fn fractional_numbers_are_refused() {
        assert!(to_canonical(&json!({"x": 1.5})).is_err());
        assert_eq!(canonical(json!(u64::MAX)), u64::MAX.to_string());
    }
}
