/** A column of a plain-text table: its header and which side its cells line up on. */
export interface TableColumn {
  header: string;
  /** @default 'left' */
  align?: 'left' | 'right';
}

/**
 * Renders rows as a plain-text table: a header, a rule of dashes, one line per row, columns
 * padded to their widest cell and separated by two spaces. No colours or box characters, so
 * the output reads the same in a terminal, a log file and a commit message. Rows shorter than
 * the header are padded with empty cells.
 */
export function renderTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        return c.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.header)),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

/** Operations per second for a table: thousands separators, 3 significant digits below 100. */
export function formatOps(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  return x.toPrecision(3);
}

/** A relative margin of error in percent, as `±1.23%`. */
export function formatRme(x: number): string {
  return Number.isFinite(x) ? `±${x.toFixed(2)}%` : `±${String(x)}`;
}

/** A bar count the way bench task names show it: `200`, `1e4`, `2.5e5`. */
export function formatBars(n: number): string {
  if (!Number.isFinite(n) || Math.abs(n) < 1000) return String(n);
  return n.toExponential().replace('e+', 'e');
}
