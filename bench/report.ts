import type { LoadResult } from './load';

export interface Row extends LoadResult {
  scenario: string;
  mode: string;
  rssMb: number;
  /** req/s as a share of the bare node:http ceiling measured in the same run. */
  ofCeiling: number;
  note?: string;
}

export interface Target {
  name: string;
  met: boolean;
  detail: string;
}

export function table(rows: Row[]): string {
  return [
    '| scenario | mode | req/s | × ceiling | p50 ms | p99 ms | errors | peak RSS MB/process |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.scenario}${r.note ? ` (${r.note})` : ''} | ${r.mode} | ${r.rps} | ${r.ofCeiling.toFixed(2)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${r.rssMb} |`,
    ),
  ].join('\n');
}

export function targetList(targets: Target[]): string {
  return targets.map((t) => `- ${t.met ? 'met' : 'MISSED'}: ${t.name} — ${t.detail}`).join('\n');
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar per row: req/s, scaled to the fastest, with p99 and the ratio to the ceiling. */
export function svgChart(rows: Row[], title: string): string {
  const width = 900;
  const labelWidth = 330;
  const barHeight = 22;
  const gap = 8;
  const top = 48;
  const max = Math.max(...rows.map((r) => r.rps), 1);
  const height = top + rows.length * (barHeight + gap) + 20;
  const bars = rows.map((r, i) => {
    const y = top + i * (barHeight + gap);
    const w = Math.max(1, Math.round(((width - labelWidth - 190) * r.rps) / max));
    const colour = r.mode.startsWith('cluster')
      ? '#2b6cb0'
      : r.mode.startsWith('1 process')
        ? '#63b3ed'
        : '#a0aec0';
    return [
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(`${r.scenario} · ${r.mode}`)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${w}" height="${barHeight}" fill="${colour}"/>`,
      `<text x="${labelWidth + w + 6}" y="${y + 15}">${r.rps.toLocaleString('en-US')} req/s · p99 ${r.p99.toFixed(0)} ms · ${r.ofCeiling.toFixed(2)}×</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="12" y="24" font-size="15" font-weight="bold">${escape(title)}</text>
${bars.join('\n')}
</svg>
`;
}
