/** The result rows and their plain-text table. */
export interface Metric {
  id: string;
  scenario: string;
  metric: string;
  unit: string;
  value: number | null;
  reference?: number | null;
  ratio?: number | null;
  /** Human-readable target, e.g. "≤ 5 ms". */
  target?: string;
  met?: boolean | null;
  note?: string;
}

function fmt(x: number | null | undefined, unit = ''): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  const abs = Math.abs(x);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : 2;
  const text = x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${text} ${unit}` : text;
}

export function formatTable(metrics: Metric[]): string {
  const header = ['metric', 'value', 'reference', 'ratio', 'target', 'met?'];
  const rows = metrics.map((m) => [
    m.metric,
    fmt(m.value, m.unit),
    fmt(m.reference, m.unit === '%' ? '' : m.unit),
    m.ratio === null || m.ratio === undefined || Number.isNaN(m.ratio) ? '' : `${fmt(m.ratio)}×`,
    m.target ?? '',
    m.met === undefined || m.met === null ? (m.target ? 'n/a' : '') : m.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  const sep = '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|';
  return [line(header), sep, ...rows.map(line)].join('\n');
}
