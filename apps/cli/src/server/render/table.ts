/**
 * Aligned columns like Go's text/tabwriter with flags 0: every cell but the last of a row is
 * padded to its column's widest cell plus `padding` spaces. Widths count code points (as Go counts
 * runes); trailing spaces are trimmed.
 */
export function formatTable(rows: readonly (readonly string[])[], padding = 3): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, width(cell));
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i < row.length - 1 ? cell + ' '.repeat(widths[i] - width(cell) + padding) : cell))
        .join('')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
