// Accessible SVG charts, rendered on the server (no script): horizontal bars, grouped or stacked columns, and a
// line over months. Each chart is an image with a name (aria-label and <title>) and a description (<desc>);
// the parts inside are hidden from assistive technology, which reads the figures in the data table instead:
// either the one the chart draws under itself (<details>, works without JavaScript) or a table of the page that
// the description points to. Colours reach 3:1 against white (WCAG 1.4.11) and every series has a legend;
// text is #1a1a1a on white.
import type { ComponentChildren } from 'preact';
import { addMessages, formatNumber, t } from './i18n/index.js';

addMessages({
  it: { 'chart.data': 'Dati del grafico', 'chart.legend': 'Legenda', 'chart.category': 'Voce' },
  en: { 'chart.data': 'Chart data', 'chart.legend': 'Legend', 'chart.category': 'Item' },
});

/** Distinct colours, each at least 4.5:1 against white, in the order series use them. */
export const chartPalette = ['#0066cc', '#a3293d', '#006644', '#7a4900', '#5c2d91', '#4a5a6b', '#17324d', '#8a3b00'] as const;
const INK = '#1a1a1a';
const GRID = '#6b7785';

export interface ChartCommon {
  /** Unique on the page: the ids of <title> and <desc> derive from it. */
  id: string;
  /** The accessible name (a short sentence saying what the chart shows, ideally with its main figures). */
  title: string;
  /** Longer text: how to read it, where the numbers are. */
  description?: string;
  /** Formats values on labels and in the data table (default: Italian integers). */
  format?: (value: number) => string;
  /** Draw the data table under the chart (default true); false when the page shows the same figures. */
  dataTable?: boolean;
}

export interface Series {
  name: string;
  values: number[];
  colour?: string;
}

const fmt = (c: ChartCommon) => c.format ?? ((v: number) => formatNumber(v));
const colourOf = (s: Series, i: number) => s.colour ?? chartPalette[i % chartPalette.length]!;

function Svg({ c, width, height, children }: { c: ChartCommon; width: number; height: number; children: ComponentChildren }) {
  return (
    <svg
      role="img"
      aria-label={c.title}
      id={c.id}
      aria-describedby={c.description ? `${c.id}-desc` : undefined}
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      style={`max-width:${width}px`}
      class="d-block mb-2"
      font-family="Titillium Web, Geneva, Tahoma, sans-serif"
    >
      <title>{c.title}</title>
      {c.description ? <desc id={`${c.id}-desc`}>{c.description}</desc> : null}
      <g aria-hidden="true">{children}</g>
    </svg>
  );
}

function Legend({ series }: { series: Series[] }) {
  if (series.length < 2) return null;
  return (
    <ul class="list-inline small mb-2" aria-label={t('chart.legend')}>
      {series.map((s, i) => (
        <li class="list-inline-item me-3">
          <svg width="14" height="14" aria-hidden="true" class="me-1" style="vertical-align:-2px">
            <rect width="14" height="14" fill={colourOf(s, i)} />
          </svg>
          {s.name}
        </li>
      ))}
    </ul>
  );
}

/** The figures of a chart as a table, folded under it. */
export function ChartDataTable({ c, categories, series }: { c: ChartCommon; categories: string[]; series: Series[] }) {
  const f = fmt(c);
  return (
    <details class="mb-3">
      <summary>{t('chart.data')}</summary>
      <table class="table table-sm w-auto">
        <caption>{c.title}</caption>
        <thead>
          <tr>
            <th scope="col">{t('chart.category')}</th>
            {series.map((s) => (
              <th scope="col" class="text-end">
                {s.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {categories.map((label, row) => (
            <tr>
              <th scope="row">{label}</th>
              {series.map((s) => (
                <td class="text-end">{Number.isFinite(s.values[row]) ? f(s.values[row]!) : '—'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** Horizontal bars, one per item, the value written at the end of each bar. */
export function BarChart(props: ChartCommon & { items: { label: string; value: number; colour?: string }[]; colour?: string; max?: number }) {
  const { items } = props;
  const f = fmt(props);
  const labelWidth = Math.min(260, Math.max(90, ...items.map((i) => i.label.length * 7.5)));
  const barArea = 380;
  const row = 30;
  const max = props.max ?? Math.max(1, ...items.map((i) => i.value));
  const height = Math.max(row, items.length * row) + 6;
  return (
    <figure class="mb-3">
      <Svg c={props} width={labelWidth + barArea + 80} height={height}>
        {items.map((item, i) => {
          const y = 3 + i * row;
          const width = item.value > 0 ? Math.max(2, Math.round((item.value / max) * barArea)) : 0;
          return (
            <g>
              <text x={labelWidth - 8} y={y + 18} text-anchor="end" fill={INK} font-size="13">
                {item.label.length > 38 ? `${item.label.slice(0, 36)}…` : item.label}
              </text>
              <rect x={labelWidth} y={y + 3} width={width} height={row - 8} fill={item.colour ?? props.colour ?? chartPalette[0]} />
              <text x={labelWidth + width + 6} y={y + 18} fill={INK} font-size="13" font-weight="bold">
                {f(item.value)}
              </text>
            </g>
          );
        })}
      </Svg>
      {props.dataTable === false ? null : <ChartDataTable c={props} categories={items.map((i) => i.label)} series={[{ name: props.title, values: items.map((i) => i.value) }]} />}
    </figure>
  );
}

/** Vertical columns per category (e.g. months), one column per series side by side, or stacked. */
export function ColumnChart(props: ChartCommon & { categories: string[]; series: Series[]; stacked?: boolean; max?: number }) {
  const { categories, series, stacked = false } = props;
  const f = fmt(props);
  const top = 12;
  const plot = 200;
  const left = 48;
  const slot = Math.max(36, series.length * (stacked ? 1 : 14) + 14);
  const width = left + slot * categories.length + 10;
  const height = top + plot + 28;
  const totals = categories.map((_, i) => (stacked ? series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0) : Math.max(0, ...series.map((s) => s.values[i] ?? 0))));
  const max = props.max ?? Math.max(1, ...totals);
  const y = (v: number) => top + plot - (v / max) * plot;
  const barWidth = stacked ? slot - 14 : (slot - 14) / Math.max(1, series.length);
  return (
    <figure class="mb-3">
      <Legend series={series} />
      <Svg c={props} width={width} height={height}>
        {[0, 0.5, 1].map((share) => (
          <g>
            <line x1={left} x2={width - 6} y1={y(max * share)} y2={y(max * share)} stroke={GRID} stroke-width="1" stroke-dasharray={share === 0 ? undefined : '3 3'} />
            <text x={left - 6} y={y(max * share) + 4} text-anchor="end" fill={INK} font-size="11">
              {f(Math.round(max * share * 10) / 10)}
            </text>
          </g>
        ))}
        {categories.map((label, ci) => {
          const x0 = left + ci * slot + 7;
          let base = 0;
          return (
            <g>
              {series.map((s, si) => {
                const v = s.values[ci] ?? 0;
                const h = (v / max) * plot;
                const x = stacked ? x0 : x0 + si * barWidth;
                const yTop = stacked ? y(base + v) : y(v);
                base += stacked ? v : 0;
                return v > 0 ? <rect x={x} y={yTop} width={Math.max(1, barWidth - (stacked ? 0 : 1))} height={Math.max(1, h)} fill={colourOf(s, si)} stroke="#ffffff" stroke-width={stacked ? 1 : 0} /> : null;
              })}
              <text x={x0 + (slot - 14) / 2} y={top + plot + 18} text-anchor="middle" fill={INK} font-size="12">
                {label}
              </text>
            </g>
          );
        })}
      </Svg>
      {props.dataTable === false ? null : <ChartDataTable c={props} categories={categories} series={series} />}
    </figure>
  );
}

/** Lines over ordered categories (months); a missing value (null) breaks the line. */
export function LineChart(props: ChartCommon & { categories: string[]; series: { name: string; values: (number | null)[]; colour?: string }[]; max?: number }) {
  const { categories, series } = props;
  const f = fmt(props);
  const top = 12;
  const plot = 180;
  const left = 52;
  const step = 44;
  const width = left + step * Math.max(1, categories.length - 1) + 30;
  const height = top + plot + 28;
  const max = props.max ?? Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const x = (i: number) => left + 12 + i * step;
  const y = (v: number) => top + plot - (v / max) * plot;
  const asSeries = series.map((s) => ({ ...s, values: s.values.map((v) => v ?? Number.NaN) }));
  return (
    <figure class="mb-3">
      <Legend series={asSeries} />
      <Svg c={props} width={width} height={height}>
        {[0, 0.5, 1].map((share) => (
          <g>
            <line x1={left} x2={width - 6} y1={y(max * share)} y2={y(max * share)} stroke={GRID} stroke-width="1" stroke-dasharray={share === 0 ? undefined : '3 3'} />
            <text x={left - 6} y={y(max * share) + 4} text-anchor="end" fill={INK} font-size="11">
              {f(max * share)}
            </text>
          </g>
        ))}
        {categories.map((label, i) => (
          <text x={x(i)} y={top + plot + 18} text-anchor="middle" fill={INK} font-size="12">
            {label}
          </text>
        ))}
        {series.map((s, si) => {
          const colour = colourOf(s as Series, si);
          const segments: string[] = [];
          let current = '';
          s.values.forEach((v, i) => {
            if (v === null) {
              if (current) segments.push(current);
              current = '';
            } else current += `${current ? ' L' : 'M'} ${x(i)} ${y(v)}`;
          });
          if (current) segments.push(current);
          return (
            <g>
              {segments.map((d) => (
                <path d={d} fill="none" stroke={colour} stroke-width="2.5" stroke-dasharray={si % 2 === 1 ? '6 3' : undefined} />
              ))}
              {s.values.map((v, i) => (v === null ? null : si % 2 === 1 ? <rect x={x(i) - 3.5} y={y(v) - 3.5} width="7" height="7" fill={colour} /> : <circle cx={x(i)} cy={y(v)} r="4" fill={colour} />))}
            </g>
          );
        })}
      </Svg>
      {props.dataTable === false ? null : <ChartDataTable c={props} categories={categories} series={asSeries} />}
    </figure>
  );
}
