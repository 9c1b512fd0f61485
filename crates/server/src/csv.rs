//! CSV files as RFC 4180 writes them: a header row, fields separated by commas, records ended
//! by CRLF, and a field quoted (its quotes doubled) when it holds a comma, a quote, a line
//! break, or space at either end. UTF-8 without a byte-order mark.

/// The CSV text of `rows`, the first of them the header.
pub fn write<R, F>(rows: R) -> String
where
    R: IntoIterator,
    R::Item: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let mut out = String::new();
    for row in rows {
        for (i, field) in row.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_field(&mut out, field.as_ref());
        }
        out.push_str("\r\n");
    }
    out
}

fn push_field(out: &mut String, field: &str) {
    let quote = field.contains([',', '"', '\r', '\n'])
        || field.starts_with(char::is_whitespace)
        || field.ends_with(char::is_whitespace);
    if quote {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_rfc_4180_needs_it() {
        let csv = write([
            vec!["week", "chats"],
            vec!["2026-W03", "12"],
            vec!["Commissariat, Lyon", "say \"hi\""],
            vec!["two\nlines", " padded"],
        ]);
        assert_eq!(
            csv,
            "week,chats\r\n2026-W03,12\r\n\"Commissariat, Lyon\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",\" padded\"\r\n"
        );
    }

    #[test]
    fn no_rows_is_an_empty_file() {
        assert_eq!(write(Vec::<Vec<String>>::new()), "");
    }
}
