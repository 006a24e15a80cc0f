/** Renders rows as an aligned plain-text table (numbers right-aligned). */
export function table(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

export function formatRate(count: number, ms: number): string {
  return ms > 0 ? `${Math.round((count * 1000) / ms).toLocaleString('en-US')}/s` : 'n/a';
}

/**
 * A horizontal bar of `width` cells for a share in [0, 1], in eighths of a cell (no chart library:
 * one bar per table row is all a per-strategy chart needs).
 */
export function bar(share: number | null, width = 20): string {
  if (share === null || !Number.isFinite(share)) return ''.padEnd(width, ' ');
  const eighths = Math.round(Math.min(1, Math.max(0, share)) * width * 8);
  const partial = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8] ?? '';
  return ('█'.repeat(Math.floor(eighths / 8)) + partial).padEnd(width, '·');
}
