//! CSV as RFC 4180 writes it: fields separated by commas, lines ended by CRLF, and a field
//! quoted (its quotes doubled) when it holds a comma, a quote or a line break. Spreadsheets
//! read a formula from a field that starts with `=`, `+`, `-` or `@` (some after a tab or a
//! carriage return, which they trim); the exports here hold only names and counts, but a field
//! that could be read so is prefixed with `'`.

/// The lines `records` as one CSV text.
pub fn write(records: &[Vec<String>]) -> String {
    let mut out = String::new();
    for record in records {
        for (i, field) in record.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_field(&mut out, field);
        }
        out.push_str("\r\n");
    }
    out
}

fn push_field(out: &mut String, field: &str) {
    let formula = field.starts_with(['=', '+', '@', '\t', '\r'])
        || (field.starts_with('-') && field.parse::<f64>().is_err());
    let field = if formula {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(fields: &[&str]) -> String {
        write(&[fields.iter().map(ToString::to_string).collect()])
    }

    #[test]
    fn plain_fields_are_written_as_they_are_and_lines_end_with_crlf() {
        assert_eq!(
            line(&["week", "2026-W03", "<5", "s", "12"]),
            "week,2026-W03,<5,s,12\r\n"
        );
        assert_eq!(line(&["-3", "1.5"]), "-3,1.5\r\n");
    }

    #[test]
    fn a_field_with_a_comma_a_quote_or_a_line_break_is_quoted() {
        assert_eq!(
            line(&["a,b", "say \"hi\"", "x\ny"]),
            "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"\r\n"
        );
    }

    #[test]
    fn a_field_a_spreadsheet_would_read_as_a_formula_is_defused() {
        assert_eq!(
            line(&["=SUM(A1)", "+1", "@x", "-x"]),
            "'=SUM(A1),'+1,'@x,'-x\r\n"
        );
        assert_eq!(line(&["\t=1+1"]), "'\t=1+1\r\n");
        assert_eq!(line(&["\r=1+1"]), "\"'\r=1+1\"\r\n");
    }
}
