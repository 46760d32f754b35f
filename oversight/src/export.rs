//! Tables as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese
//! headers) and XLSX: evaluation tables, hotspots and repeat rates.

use kernel::{Error, Result};
use rust_xlsxwriter::{Format, Workbook};

use crate::recurring::{Hotspots, Repeats};
use crate::service::Table;

/// One cell of a sheet.
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    /// The cell as CSV text; formula-like text is neutralised (`kernel::spreadsheet`).
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => kernel::spreadsheet::csv_text(s).into_owned(),
            Cell::Number(n) => n.to_string(),
        }
    }
}

/// A titled grid of cells with a header row.
pub struct Sheet {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn num(v: Option<f64>) -> Cell {
    v.map(Cell::Number).unwrap_or(Cell::Empty)
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn owned(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| (*s).to_owned()).collect()
}

impl From<&Table> for Sheet {
    fn from(t: &Table) -> Sheet {
        // A city's table names the county of each row; a county's own table needs no such column.
        let by_county = t.rows.iter().any(|r| r.county.as_deref().is_some_and(|c| c != t.tenant));
        let mut header = owned(&["排名", "编码", "名称"]);
        if by_county {
            header.extend(owned(&["区县编码", "区县"]));
        }
        header.extend(t.columns.iter().map(|c| c.label.clone()));
        header.extend(owned(&["综合得分", "等级", "区域分类"]));
        let rows = t
            .rows
            .iter()
            .map(|r| {
                let mut cells =
                    vec![num(r.rank.map(f64::from)), text(r.subject.clone()), text(r.name.clone().unwrap_or_default())];
                if by_county {
                    cells.push(text(r.county.clone().unwrap_or_default()));
                    cells.push(text(r.county_name.clone().unwrap_or_default()));
                }
                cells.extend(t.columns.iter().map(|c| num(r.indicators.get(&c.key).and_then(|v| v.as_f64()))));
                cells.push(num(r.score));
                cells.push(r.grade.clone().map(Cell::Text).unwrap_or(Cell::Empty));
                cells.push(r.region_class.clone().map(Cell::Text).unwrap_or(Cell::Empty));
                cells
            })
            .collect();
        Sheet { title: format!("{} {}", t.subject.label(), t.period.from.format("%Y-%m-%d")), header, rows }
    }
}

impl From<&Hotspots> for Sheet {
    fn from(h: &Hotspots) -> Sheet {
        let rows = h
            .items
            .iter()
            .map(|s| {
                vec![
                    text(s.county.clone()),
                    text(s.class_code.clone()),
                    text(s.place.clone()),
                    num(Some(s.lon)),
                    num(Some(s.lat)),
                    num(Some(s.count as f64)),
                    num(Some(s.previous as f64)),
                    num(Some(s.trend as f64)),
                ]
            })
            .collect();
        Sheet {
            title: format!("高发问题 {}", h.until.format("%Y-%m-%d")),
            header: owned(&["区县", "小类代码", "位置", "经度", "纬度", "案件数", "上期案件数", "增减"]),
            rows,
        }
    }
}

impl From<&Repeats> for Sheet {
    fn from(r: &Repeats) -> Sheet {
        let rows = r
            .items
            .iter()
            .map(|x| {
                vec![
                    text(x.department_name.clone().unwrap_or_else(|| x.department.clone())),
                    text(x.class_code.clone()),
                    num(Some(x.closed as f64)),
                    num(Some(x.repeated as f64)),
                    num(Some(x.rate)),
                ]
            })
            .collect();
        Sheet {
            title: format!("重复发生率 {}", r.from.format("%Y-%m-%d")),
            header: owned(&["部门", "小类代码", "结案数", "复发数", "复发率(%)"]),
            rows,
        }
    }
}

pub fn csv(s: &Sheet) -> Result<Vec<u8>> {
    let mut out = Vec::from(kernel::spreadsheet::UTF8_BOM.as_bytes());
    {
        let mut w = ::csv::Writer::from_writer(&mut out);
        w.write_record(s.header.iter().map(|h| kernel::spreadsheet::csv_text(h).into_owned()))
            .map_err(Error::internal)?;
        for r in &s.rows {
            w.write_record(r.iter().map(Cell::text)).map_err(Error::internal)?;
        }
        w.flush().map_err(Error::internal)?;
    }
    Ok(out)
}

/// [`xlsx`] on tokio's blocking pool: building a workbook (and zipping it) is CPU work that
/// would otherwise hold an HTTP worker thread for the whole export.
pub async fn xlsx_off_worker(s: Sheet) -> Result<Vec<u8>> {
    tokio::task::spawn_blocking(move || xlsx(&s)).await.map_err(Error::internal)?
}

pub fn xlsx(s: &Sheet) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    // Formula-like text is stored as text anyway; the quote prefix keeps Excel and WPS from
    // evaluating it even when the cell is edited.
    let as_text = Format::new().set_quote_prefix();
    let sheet = book.add_worksheet();
    // Sheet names are limited to 31 characters.
    sheet.set_name(s.title.chars().take(31).collect::<String>()).map_err(Error::internal)?;
    for (c, h) in s.header.iter().enumerate() {
        if kernel::spreadsheet::is_formula_like(h) {
            sheet.write_string_with_format(0, c as u16, h, &as_text).map_err(Error::internal)?;
        } else {
            sheet.write_string(0, c as u16, h).map_err(Error::internal)?;
        }
    }
    for (r, row) in s.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                Cell::Empty => {}
                Cell::Text(t) if kernel::spreadsheet::is_formula_like(t) => {
                    sheet.write_string_with_format(r, c, t, &as_text).map_err(Error::internal)?;
                }
                Cell::Text(t) => {
                    sheet.write_string(r, c, t).map_err(Error::internal)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n).map_err(Error::internal)?;
                }
            }
        }
    }
    book.save_to_buffer().map_err(Error::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_starts_with_a_bom_and_neutralises_formulas_but_not_numbers() {
        let sheet = Sheet {
            title: "t".into(),
            header: owned(&["部门", "增减"]),
            rows: vec![vec![text("=cmd|' /C calc'!A0"), num(Some(-3.0))], vec![text("@x"), Cell::Empty]],
        };
        let out = String::from_utf8(csv(&sheet).unwrap()).unwrap();
        assert!(out.starts_with('\u{feff}'));
        let lines: Vec<&str> = out.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines, ["部门,增减", "'=cmd|' /C calc'!A0,-3", "'@x,"]);
        assert!(xlsx(&sheet).is_ok());
    }
}
