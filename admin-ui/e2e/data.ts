// Files a county's staff would bring: a unit-grid GeoJSON, a census spreadsheet, a user list.
import { strToU8, zipSync } from 'fflate'

/** A 统一社会信用代码 with its GB 32100 check character (as the demo makes them). */
export function uscc(county: string, n: number): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY'
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
  const first = `11${county}MB${String(n).padStart(7, '0')}`
  const sum = [...first].reduce((s, c, i) => s + alphabet.indexOf(c) * weights[i], 0)
  return first + alphabet[(31 - (sum % 31)) % 31]
}

export interface Cell {
  code: string
  ring: number[][]
}

/** `cols × rows` square unit grids of about 100 m from (lon, lat), numbered within a community. */
export function squares(community: string, lon: number, lat: number, cols: number, rows: number): Cell[] {
  const d = 0.001
  const out: Cell[] = []
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const x = lon + c * d, y = lat + r * d
      out.push({ code: `${community}${String(out.length + 1).padStart(3, '0')}`, ring: [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]] })
    }
  return out
}

export function featureCollection(cells: Cell[]) {
  return {
    type: 'FeatureCollection',
    features: cells.map((c) => ({ type: 'Feature', properties: { code: c.code }, geometry: { type: 'Polygon', coordinates: [c.ring] } })),
  }
}

/** A one-sheet XLSX workbook (inline strings), as Excel or WPS saves a simple table. */
export function xlsx(rows: string[][]): Buffer {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  const col = (i: number) => String.fromCharCode(65 + i)
  const sheet = rows
    .map((r, i) => `<row r="${i + 1}">${r.map((v, j) => `<c r="${col(j)}${i + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`).join('')}</row>`)
    .join('')
  const files = {
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="部件" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheet}</sheetData></worksheet>`,
  }
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))))
}
