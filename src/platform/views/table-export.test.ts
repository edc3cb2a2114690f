// CSV for Italian Excel and XLSX through exceljs, as a spreadsheet reads them back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { cellText, csvCell, sheetName, tableToCsv, toCsv, toXlsx, type ExportTable } from './table-export.js';

describe('table export', () => {
  it('writes CSV with BOM, semicolons, CRLF and quoting', () => {
    assert.equal(toCsv(['a', 'b'], [['1', '2']]), '\uFEFFa;b\r\n1;2\r\n');
    assert.equal(csvCell('a;b'), '"a;b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('line\nbreak'), '"line\nbreak"');
    assert.equal(csvCell(' padded'), '" padded"');
    assert.equal(csvCell(null), '');
  });

  it('neutralises text that a spreadsheet would run as a formula, not negative numbers', () => {
    for (const evil of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd']) {
      assert.ok(csvCell(evil).replace(/^"/, '').startsWith("'"), `not neutralised: ${JSON.stringify(evil)}`);
    }
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell(-5), '-5');
  });

  it('writes numbers, percentages and dates the Italian way', () => {
    assert.equal(cellText(1234.5, 'number'), '1234,5');
    assert.equal(cellText(0.875, 'percent'), '87,5%');
    assert.equal(cellText('2026-03-01', 'date'), '01/03/2026');
    // 23:30 UTC on 31 December is already 1 January in Rome
    assert.equal(cellText(new Date('2025-12-31T23:30:00Z'), 'date'), '01/01/2026');
    assert.equal(cellText(new Date('2026-07-01T10:05:00Z'), 'datetime'), '01/07/2026 12:05');
    const table: ExportTable = { sheet: 'x', columns: [{ header: 'Nome' }, { header: 'Quota', kind: 'percent' }], rows: [['=cmd', 0.5]] };
    assert.equal(tableToCsv(table), "\uFEFFNome;Quota\r\n'=cmd;50%\r\n");
  });

  it('writes an XLSX that exceljs reads back with real numbers, dates and a bold header', async () => {
    const tables: ExportTable[] = [
      {
        sheet: 'Mesi: [prova]',
        columns: [{ header: 'Mese' }, { header: 'Aperti', kind: 'number' }, { header: 'Nei tempi', kind: 'percent' }, { header: 'Giorno', kind: 'date' }, { header: 'Quando', kind: 'datetime' }],
        rows: [['gennaio', 12, 0.75, '2026-01-31', new Date('2026-07-01T10:05:00Z')], ['febbraio', 0, null, null, null]],
      },
      { sheet: 'Mesi: [prova]', columns: [{ header: 'Altro' }], rows: [['x']] },
    ];
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await toXlsx(tables, { title: 'Prova' })) as unknown as ArrayBuffer);
    assert.deepEqual(workbook.worksheets.map((s) => s.name), ['Mesi   prova', 'Mesi   prova (2)']);
    const sheet = workbook.worksheets[0]!;
    assert.equal(sheet.getCell('A1').value, 'Mese');
    assert.equal(sheet.getCell('A1').font?.bold, true);
    assert.equal(sheet.getCell('B2').value, 12);
    assert.equal(sheet.getCell('C2').value, 0.75);
    assert.equal(sheet.getCell('C2').numFmt, '0.0%');
    assert.deepEqual(sheet.getCell('D2').value, new Date('2026-01-31T00:00:00Z'));
    assert.deepEqual(sheet.getCell('E2').value, new Date('2026-07-01T12:05:00Z'), 'Rome wall-clock time');
    assert.equal(sheet.getCell('C3').value, null);
    assert.ok((sheet.getColumn(1).width ?? 0) >= 8);
    assert.equal(sheetName('a/b?c'), 'a b c');
  });
});
