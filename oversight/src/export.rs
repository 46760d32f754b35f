//! Tables as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese
//! headers) and XLSX.

use kernel::{Error, Result};
use rust_xlsxwriter::Workbook;

use crate::service::Table;

/// The header and the cells of a table, as text and numbers.
fn grid(t: &Table) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut header = vec!["排名".to_owned(), "编码".to_owned(), "名称".to_owned()];
    header.extend(t.columns.iter().map(|c| c.label.clone()));
    header.extend(["综合得分".to_owned(), "等级".to_owned(), "区域分类".to_owned()]);
    let rows = t
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                r.rank.map(|x| Cell::Number(x as f64)).unwrap_or(Cell::Empty),
                Cell::Text(r.subject.clone()),
                Cell::Text(r.name.clone().unwrap_or_default()),
            ];
            for c in &t.columns {
                cells.push(r.indicators.get(&c.key).and_then(|v| v.as_f64()).map(Cell::Number).unwrap_or(Cell::Empty));
            }
            cells.push(r.score.map(Cell::Number).unwrap_or(Cell::Empty));
            cells.push(r.grade.clone().map(Cell::Text).unwrap_or(Cell::Empty));
            cells.push(r.region_class.clone().map(Cell::Text).unwrap_or(Cell::Empty));
            cells
        })
        .collect();
    (header, rows)
}

enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => n.to_string(),
        }
    }
}

pub fn csv(t: &Table) -> Result<Vec<u8>> {
    let (header, rows) = grid(t);
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = ::csv::Writer::from_writer(&mut out);
        w.write_record(&header).map_err(Error::internal)?;
        for r in rows {
            w.write_record(r.iter().map(Cell::text)).map_err(Error::internal)?;
        }
        w.flush().map_err(Error::internal)?;
    }
    Ok(out)
}

pub fn xlsx(t: &Table) -> Result<Vec<u8>> {
    let (header, rows) = grid(t);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let name = format!("{} {}", t.subject.label(), t.period.from.format("%Y-%m-%d"));
    sheet.set_name(name).map_err(Error::internal)?;
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, h).map_err(Error::internal)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    sheet.write_string(r, c, s).map_err(Error::internal)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n).map_err(Error::internal)?;
                }
            }
        }
    }
    book.save_to_buffer().map_err(Error::internal)
}
