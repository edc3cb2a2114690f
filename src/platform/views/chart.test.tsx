// The SVG charts: an image with a name and a description, hidden parts, the data table as the alternative.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderToString } from 'preact-render-to-string';
import { BarChart, ColumnChart, LineChart } from './chart.js';

describe('charts', () => {
  it('renders a bar chart as a named image with its data table', () => {
    const html = renderToString(<BarChart id="c1" title="Ticket per categoria: <rete> 3" description="Dati nella tabella" items={[{ label: 'Rete', value: 3 }, { label: 'Posta', value: 1 }]} />);
    assert.match(html, /<svg role="img" aria-label="Ticket per categoria: &lt;rete> 3" id="c1" aria-describedby="c1-desc"/);
    assert.match(html, /<title>Ticket per categoria: &lt;rete> 3<\/title><desc id="c1-desc">Dati nella tabella<\/desc><g aria-hidden="true">/);
    assert.match(html, /<details class="mb-3"><summary>Dati del grafico<\/summary><table/);
    assert.match(html, /<th scope="row">Rete<\/th><td class="text-end">3<\/td>/);
    assert.doesNotMatch(html, /<script/);
  });

  it('draws grouped and stacked columns and lines with a legend, data table optional', () => {
    const series = [
      { name: 'Aperti', values: [3, 0, 2] },
      { name: 'Risolti', values: [1, 2, 0] },
    ];
    const grouped = renderToString(<ColumnChart id="c2" title="Mesi" categories={['gen', 'feb', 'mar']} series={series} dataTable={false} />);
    assert.equal((grouped.match(/<rect x=/g) ?? []).length, 4, 'four non-zero columns');
    assert.equal((grouped.match(/<rect width="14"/g) ?? []).length, 2, 'two legend swatches');
    assert.match(grouped, /<li class="list-inline-item me-3">.*Aperti<\/li>/);
    assert.doesNotMatch(grouped, /<details/);
    const stacked = renderToString(<ColumnChart id="c3" title="Mesi" categories={['gen', 'feb', 'mar']} series={series} stacked />);
    assert.match(stacked, /stroke-width="1"/);
    const line = renderToString(<LineChart id="c4" title="SLA" categories={['gen', 'feb', 'mar']} max={100} series={[{ name: 'Nei tempi', values: [90, null, 75] }]} />);
    assert.equal((line.match(/<path d="M/g) ?? []).length, 2, 'a missing month breaks the line');
    assert.match(line, /<td class="text-end">—<\/td>/);
  });
});
