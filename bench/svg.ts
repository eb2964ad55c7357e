/**
 * A horizontal bar chart as a standalone SVG string, no plotting package: one row per scenario,
 * one bar per series (median, p99), a log or linear axis with gridlines, and a legend.
 */

export interface BarRow {
  label: string;
  /** One value per series, in `BarChart.series` order; a missing or non-positive value draws no bar. */
  values: ReadonlyArray<number | undefined>;
}

export interface BarChart {
  title: string;
  subtitle?: string;
  /** Axis unit, e.g. `ms`. */
  unit: string;
  series: readonly string[];
  rows: readonly BarRow[];
  /** Logarithmic x axis (default true: figures span microseconds to hundreds of milliseconds). */
  log?: boolean;
  width?: number;
}

const COLORS = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5"];
const FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\"";

/** Escapes text for XML content and attribute values. */
export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** An axis tick at a power of ten or a round step: 0.01, 0.1, 1, 10, 100, 1000, 15k. */
function formatTick(v: number): string {
  if (v >= 10_000) return `${v / 1000}k`;
  return String(Number(v.toPrecision(6)));
}

/** A short label for a bar value: 0.055, 4.2, 310, 15.8k. */
export function formatValue(v: number): string {
  if (v >= 10_000) return `${(v / 1000).toFixed(v >= 100_000 ? 0 : 1)}k`;
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  if (v >= 0.01) return v.toFixed(3);
  return v.toPrecision(2);
}

interface Scale {
  x(v: number): number;
  ticks: number[];
}

function logScale(min: number, max: number, x0: number, width: number): Scale {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
  return { x: (v) => x0 + ((Math.log10(v) - lo) / (hi - lo)) * width, ticks };
}

function linearScale(max: number, x0: number, width: number): Scale {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(t);
  return { x: (v) => x0 + (v / top) * width, ticks };
}

/** Renders `chart` as an SVG document (UTF-8, XML declaration included). */
export function barChartSvg(chart: BarChart): string {
  const width = chart.width ?? 900;
  const log = chart.log ?? true;
  const labelWidth = 290;
  const plotX = labelWidth + 10;
  const plotW = width - plotX - 70;
  const barH = 11;
  const rowGap = 9;
  const rowH = chart.series.length * (barH + 2) + rowGap;
  const top = chart.subtitle ? 62 : 46;
  const plotH = chart.rows.length * rowH;
  const legendY = top + plotH + 36;
  const height = legendY + 24;

  const values = chart.rows.flatMap((r) => r.values).filter((v): v is number => v !== undefined && v > 0);
  const min = values.length > 0 ? Math.min(...values) : 1;
  const max = values.length > 0 ? Math.max(...values) : 10;
  const scale = log ? logScale(min, max, plotX, plotW) : linearScale(max, plotX, plotW);

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${xmlEscape(chart.title)}">`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="16" y="26" ${FONT} font-size="16" font-weight="600" fill="#1a202c">${xmlEscape(chart.title)}</text>`,
  );
  if (chart.subtitle) {
    out.push(`<text x="16" y="46" ${FONT} font-size="12" fill="#4a5568">${xmlEscape(chart.subtitle)}</text>`);
  }

  // Grid and axis labels.
  for (const t of scale.ticks) {
    const x = scale.x(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${top + plotH}" stroke="#e2e8f0"/>`);
    out.push(
      `<text x="${x}" y="${top + plotH + 16}" ${FONT} font-size="11" fill="#4a5568" text-anchor="middle">${xmlEscape(formatTick(t))}</text>`,
    );
  }
  out.push(
    `<text x="${plotX + plotW}" y="${top + plotH + 30}" ${FONT} font-size="11" fill="#4a5568" text-anchor="end">${xmlEscape(`${chart.unit}${log ? " (log scale)" : ""}`)}</text>`,
  );

  // Rows.
  const floor = log ? scale.ticks[0]! : 0;
  chart.rows.forEach((row, i) => {
    const y0 = top + i * rowH;
    const labelY = y0 + (chart.series.length * (barH + 2)) / 2 + 4;
    out.push(
      `<text x="${labelWidth}" y="${labelY.toFixed(1)}" ${FONT} font-size="12" fill="#1a202c" text-anchor="end">${xmlEscape(row.label)}</text>`,
    );
    row.values.forEach((v, s) => {
      if (v === undefined || !(v > 0)) return;
      const y = y0 + s * (barH + 2);
      const x1 = scale.x(Math.max(v, floor));
      const w = Math.max(1, x1 - plotX);
      const color = COLORS[s % COLORS.length]!;
      out.push(
        `<rect class="bar" x="${plotX}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color}"><title>${xmlEscape(`${row.label} — ${chart.series[s] ?? ""}: ${v} ${chart.unit}`)}</title></rect>`,
      );
      out.push(
        `<text x="${(plotX + w + 4).toFixed(1)}" y="${y + barH - 2}" ${FONT} font-size="10" fill="#2d3748">${xmlEscape(formatValue(v))}</text>`,
      );
    });
  });

  // Legend.
  chart.series.forEach((name, s) => {
    const x = plotX + s * 120;
    out.push(
      `<rect x="${x}" y="${legendY - 10}" width="12" height="12" fill="${COLORS[s % COLORS.length]!}"/>`,
    );
    out.push(
      `<text x="${x + 18}" y="${legendY}" ${FONT} font-size="12" fill="#1a202c">${xmlEscape(name)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
