//! The spreadsheet side of census files: text encodings of CSV uploads (Excel on Chinese Windows
//! saves CSV in GBK/GB18030), XLSX uploads (read with calamine, cell by cell, so a large sheet
//! is never held whole) and XLSX exports (rust_xlsxwriter in constant-memory mode).

use calamine::{DataRef, Reader, Xlsx};
use encoding_rs::{CoderResult, Decoder, Encoding, GB18030};
use kernel::{Error, FieldError, Result};
use serde::{Deserialize, Serialize};
use std::io::{BufReader, Read};
use std::path::Path;
use utoipa::ToSchema;

/// The text encoding of a CSV upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum TextEncoding {
    #[serde(rename = "utf-8")]
    Utf8,
    /// GB 18030, a superset of GBK and GB 2312 (what "ANSI" means on Chinese Windows).
    #[serde(rename = "gb18030", alias = "gbk", alias = "gb2312")]
    Gb18030,
}

impl TextEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Gb18030 => "gb18030",
        }
    }

    pub fn parse(s: &str) -> Option<TextEncoding> {
        match s {
            "utf-8" => Some(TextEncoding::Utf8),
            "gb18030" => Some(TextEncoding::Gb18030),
            _ => None,
        }
    }
}

/// How much of a file [`detect`] looks at.
const SAMPLE: usize = 64 * 1024;

/// The encoding of a text file: UTF-8 if it starts with a byte-order mark or its beginning is
/// valid UTF-8 (a character cut off at the end of the sample is allowed), GB18030 otherwise.
/// Chinese text in GBK is almost never valid UTF-8, so the two are not confused in practice.
pub fn detect(path: &Path) -> std::io::Result<TextEncoding> {
    let mut head = Vec::with_capacity(SAMPLE);
    std::fs::File::open(path)?.take(SAMPLE as u64).read_to_end(&mut head)?;
    Ok(detect_bytes(&head, head.len() == SAMPLE))
}

fn detect_bytes(head: &[u8], truncated: bool) -> TextEncoding {
    if head.starts_with(b"\xef\xbb\xbf") {
        return TextEncoding::Utf8;
    }
    let valid = Encoding::utf8_valid_up_to(head);
    if valid == head.len() || (truncated && head.len() - valid < 4) {
        TextEncoding::Utf8
    } else {
        TextEncoding::Gb18030
    }
}

/// Whether a file is a ZIP container (XLSX is one).
pub fn is_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && &magic == b"PK\x03\x04"
}

/// Reads GB18030 text as UTF-8, decoding as it goes (memory stays flat in the file size).
pub struct Decoded<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    eof: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    done: bool,
}

impl<R: Read> Decoded<R> {
    pub fn gb18030(inner: R) -> Self {
        Self {
            inner,
            decoder: GB18030.new_decoder_without_bom_handling(),
            input: vec![0; 1 << 16],
            in_start: 0,
            in_end: 0,
            eof: false,
            output: vec![0; 1 << 17],
            out_start: 0,
            out_end: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                (self.in_start, self.in_end, self.eof) = (0, n, n == 0);
            }
            let (result, read, written, _) =
                self.decoder.decode_to_utf8(&self.input[self.in_start..self.in_end], &mut self.output, self.eof);
            self.in_start += read;
            (self.out_start, self.out_end) = (0, written);
            if self.eof && result == CoderResult::InputEmpty {
                self.done = true;
            }
        }
    }
}

/// One row of a sheet, cells as text (index = column).
pub type Row = Vec<String>;

/// What the XLSX reader hands over: a row (1-based row number, cells), or a cell that cannot be
/// read as text faithfully.
pub enum SheetItem {
    Row(u64, Row),
    /// A 17-digit id typed as a number: Excel keeps only 15 significant digits, so the id is
    /// already wrong in the file.
    LostDigits(u64, usize),
}

/// Excel keeps 15 significant digits of a number.
const EXACT_DIGITS: f64 = 1e15;

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < EXACT_DIGITS { format!("{}", f as i64) } else { f.to_string() }
}

/// A date cell as `YYYY-MM-DD` (serial days since 1899-12-30, the 1900 date system).
fn date_text(serial: f64) -> String {
    chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(serial.floor() as i64)))
        .map_or_else(|| number_text(serial), |d| d.format("%Y-%m-%d").to_string())
}

fn cell_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => date_text(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// The widest sheet read (XLSX allows 16,384 columns; a census has a few dozen).
const MAX_COLUMNS: usize = 1024;

/// Reads the first sheet of an XLSX file row by row. `emit` gets each row in order (the header
/// first) and returns false to stop; `id_column` is asked after the header which column holds
/// the component id, whose numeric cells are checked for lost digits.
pub fn read_xlsx(
    path: &Path,
    mut emit: impl FnMut(SheetItem) -> bool,
    id_column: impl Fn(&Row) -> Option<usize>,
) -> std::result::Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open the upload: {e}"))?;
    let mut book = Xlsx::new(BufReader::with_capacity(1 << 16, file))
        .map_err(|e| format!("the file is not an XLSX workbook: {e}"))?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err("the workbook has no sheet".into());
    };
    let mut cells =
        book.worksheet_cells_reader(&name).map_err(|e| format!("the sheet `{name}` cannot be read: {e}"))?;
    let mut current: Option<(u32, Row, bool)> = None;
    let mut id_col: Option<usize> = None;
    let mut header_seen = false;
    loop {
        let cell = cells.next_cell().map_err(|e| format!("the sheet `{name}` cannot be read: {e}"))?;
        let pos = cell.as_ref().map(|c| c.get_position());
        // A row is complete when the next cell is on another row (or there is none).
        if let Some((r, row, lost)) = current.take_if(|(r, _, _)| pos.is_none_or(|(pr, _)| pr != *r)) {
            let line = u64::from(r) + 1;
            let item = match (lost, id_col) {
                (true, Some(c)) if header_seen => SheetItem::LostDigits(line, c),
                _ => SheetItem::Row(line, row),
            };
            if !header_seen {
                header_seen = true;
                if let SheetItem::Row(_, header) = &item {
                    id_col = id_column(header);
                }
            }
            if !emit(item) {
                return Ok(());
            }
        }
        let Some(cell) = cell else { return Ok(()) };
        let (r, c) = cell.get_position();
        let c = c as usize;
        if c >= MAX_COLUMNS {
            continue;
        }
        let (_, row, lost) = current.get_or_insert_with(|| (r, Vec::new(), false));
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        if let (DataRef::Float(f), Some(idc)) = (cell.get_value(), id_col)
            && idc == c
            && f.abs() >= EXACT_DIGITS
        {
            *lost = true;
        }
        row[c] = cell_text(cell.get_value());
    }
}

/// The error of a row whose id lost digits in Excel.
pub fn lost_digits(field: &str) -> FieldError {
    FieldError::new(
        field,
        "is stored as a number in the spreadsheet, which keeps only 15 digits: format the column as text and type the ids again",
    )
}

/// The largest number of data rows an XLSX sheet holds (1,048,576 rows with the header).
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// An XLSX sheet being written in constant memory (rows go to a temporary file as they come).
pub struct SheetWriter {
    book: rust_xlsxwriter::Workbook,
    as_text: rust_xlsxwriter::Format,
    next_row: u32,
}

impl SheetWriter {
    pub fn new(title: &str, header: &[&str]) -> Result<Self> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet_with_constant_memory().map_err(Error::internal)?;
        sheet.set_name(title.chars().take(31).collect::<String>()).map_err(Error::internal)?;
        let mut w = Self { as_text: rust_xlsxwriter::Format::new().set_quote_prefix(), book, next_row: 0 };
        let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
        w.row(&header, &[])?;
        Ok(w)
    }

    /// Writes a row of text cells followed by number cells. Text is always a string cell (ids
    /// keep all 17 digits); formula-like text also gets the quote prefix, so Excel and WPS never
    /// evaluate it, not even when the cell is edited.
    pub fn row(&mut self, text: &[String], numbers: &[f64]) -> Result<()> {
        let r = self.next_row;
        let as_text = self.as_text.clone();
        let sheet = self.book.worksheet_from_index(0).map_err(Error::internal)?;
        for (c, t) in text.iter().enumerate() {
            let c = c as u16;
            if t.is_empty() {
                continue;
            }
            if kernel::spreadsheet::is_formula_like(t) {
                sheet.write_string_with_format(r, c, t, &as_text).map_err(Error::internal)?;
            } else {
                sheet.write_string(r, c, t).map_err(Error::internal)?;
            }
        }
        for (i, n) in numbers.iter().enumerate() {
            sheet.write_number(r, (text.len() + i) as u16, *n).map_err(Error::internal)?;
        }
        self.next_row += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<u8>> {
        self.book.save_to_buffer().map_err(Error::internal)
    }
}

/// A small table uploaded whole (a users template): the header and each non-empty row with its
/// 1-based line number, cells trimmed. XLSX (recognised by its ZIP signature: the first sheet) or
/// CSV in UTF-8 (with or without a byte-order mark) or GB18030/GBK. At most `max_rows` rows;
/// more is an error.
pub fn read_table(bytes: &[u8], max_rows: usize) -> std::result::Result<(Row, Vec<(u64, Row)>), String> {
    let rows = if bytes.starts_with(b"PK\x03\x04") { xlsx_rows(bytes)? } else { csv_rows(bytes)? };
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else { return Err("the file is empty".into()) };
    let body: Vec<(u64, Row)> = rows.filter(|(_, r)| r.iter().any(|c| !c.is_empty())).collect();
    if body.len() > max_rows {
        return Err(format!("the file has {} rows; at most {max_rows} are imported at once", body.len()));
    }
    Ok((header, body))
}

fn csv_rows(bytes: &[u8]) -> std::result::Result<Vec<(u64, Row)>, String> {
    let text = match detect_bytes(bytes, false) {
        TextEncoding::Utf8 => {
            let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
            std::str::from_utf8(bytes).map_err(|e| format!("the file is not valid UTF-8: {e}"))?.to_owned()
        }
        TextEncoding::Gb18030 => {
            let (text, _, malformed) = GB18030.decode(bytes);
            if malformed {
                return Err("the file is neither UTF-8 nor GB18030 text".into());
            }
            text.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("the CSV cannot be read: {e}"))?;
        let line = record.position().map_or(out.len() as u64 + 1, |p| p.line());
        out.push((line, record.iter().map(|c| c.trim().to_owned()).collect()));
    }
    Ok(out)
}

fn xlsx_rows(bytes: &[u8]) -> std::result::Result<Vec<(u64, Row)>, String> {
    let mut book =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| format!("the file is not an XLSX workbook: {e}"))?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err("the workbook has no sheet".into());
    };
    let range = book.worksheet_range(&name).map_err(|e| format!("the sheet `{name}` cannot be read: {e}"))?;
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r));
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let row = cells
                .iter()
                .take(MAX_COLUMNS)
                .map(|c| match c {
                    calamine::Data::Empty => String::new(),
                    calamine::Data::String(s) => s.trim().to_owned(),
                    calamine::Data::Float(f) => number_text(*f),
                    calamine::Data::Int(i) => i.to_string(),
                    calamine::Data::Bool(b) => b.to_string(),
                    calamine::Data::DateTime(d) => date_text(d.as_f64()),
                    calamine::Data::DateTimeIso(s) | calamine::Data::DurationIso(s) => s.clone(),
                    calamine::Data::Error(e) => format!("#{e:?}"),
                })
                .collect();
            (first_row + i as u64 + 1, row)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_utf8_and_gb18030() {
        let (text, _, _) = GB18030.encode("管理部件标识码,部件名称\n32011501001000001,井盖\n");
        assert_eq!(detect_bytes(&text, false), TextEncoding::Gb18030);
        assert_eq!(detect_bytes("管理部件标识码,井盖\n".as_bytes(), false), TextEncoding::Utf8);
        assert_eq!(detect_bytes(b"\xef\xbb\xbfGLBJBSM\n", false), TextEncoding::Utf8);
        assert_eq!(detect_bytes(b"GLBJBSM,lon\n", false), TextEncoding::Utf8);
        // A UTF-8 character cut off by the sample's end is still UTF-8.
        let cut = &"井盖".as_bytes()[..4];
        assert_eq!(detect_bytes(cut, true), TextEncoding::Utf8);
    }

    #[test]
    fn decodes_gb18030_across_buffer_boundaries() {
        let original: String = (0..20_000).map(|i| format!("{i},井盖,完好,江宁区\n")).collect();
        let (bytes, _, _) = GB18030.encode(&original);
        // A reader that hands out 7 bytes at a time splits characters everywhere.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(7).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = String::new();
        Decoded::gb18030(Trickle(&bytes)).read_to_string(&mut out).unwrap();
        assert_eq!(out, original);
    }

    #[test]
    fn cells_as_text() {
        assert_eq!(number_text(20260301.0), "20260301");
        assert_eq!(number_text(118.795), "118.795");
        assert_eq!(date_text(46082.0), "2026-03-01");
    }
}
