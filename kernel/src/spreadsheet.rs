//! Text cells of exported spreadsheets (CSV and XLSX).
//!
//! Exports carry what users typed (names, notes, extension attributes). A cell that begins with
//! `=`, `+`, `-` or `@` — or with a tab or carriage return, which spreadsheet programs skip
//! before looking for one of those — is taken for a formula by Excel and WPS when the file is
//! opened, which runs whatever it says (CSV injection, OWASP). Every exported text cell goes
//! through [`csv_text`] (CSV) or is written with the quote prefix style when
//! [`is_formula_like`] (XLSX), so both programs show it as the text it is.

use std::borrow::Cow;

/// The byte-order mark every CSV export starts with: without it Excel on Chinese Windows reads
/// UTF-8 as GBK and shows the text garbled.
pub const UTF8_BOM: &str = "\u{feff}";

/// Whether a spreadsheet program would read this text as a formula.
pub fn is_formula_like(s: &str) -> bool {
    matches!(s.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

/// A text cell for CSV: formula-like text gets a leading apostrophe (OWASP's rule), which Excel
/// and WPS show as text instead of evaluating; other text is unchanged. Numbers written as
/// numbers must not pass through here (a negative number would turn into text).
pub fn csv_text(s: &str) -> Cow<'_, str> {
    if is_formula_like(s) { Cow::Owned(format!("'{s}")) } else { Cow::Borrowed(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_neutralised() {
        for s in ["=1+2", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"] {
            assert!(is_formula_like(s), "{s:?}");
            assert_eq!(csv_text(s), format!("'{s}"));
        }
        for s in ["", "井盖", "1-2", "a=b", " =1", "'=1"] {
            assert!(!is_formula_like(s), "{s:?}");
            assert_eq!(csv_text(s), s);
        }
    }
}
