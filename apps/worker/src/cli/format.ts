// Text output of the CLI: sizes, tables and the download progress line.

/** Decimal units, like the download pages that publish the sizes. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '?';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export interface ProgressSink {
  write(text: string): void;
  isTTY?: boolean;
}

/**
 * A progress reporter for one download: on a terminal one line rewritten in place (at most 10
 * times a second); elsewhere (logs, CI) a line per 10 % so the output stays readable.
 */
export function progressLine(label: string, out: ProgressSink, now: () => number = Date.now) {
  const started = now();
  let lastDraw = 0;
  let lastStep = -1;
  let firstReceived: number | null = null;
  const describe = (received: number, total: number | null) => {
    firstReceived ??= received; // a resumed part is not counted in the speed
    const seconds = Math.max((now() - started) / 1000, 0.001);
    const speed = `${formatBytes(Math.round((received - firstReceived) / seconds))}/s`;
    if (total === null) return `${label}: ${formatBytes(received)} ${speed}`;
    const percent = total > 0 ? Math.min(100, (received / total) * 100) : 100;
    return `${label}: ${percent.toFixed(1).padStart(5)}%  ${formatBytes(received)} / ${formatBytes(total)}  ${speed}`;
  };
  return {
    update(received: number, total: number | null): void {
      if (out.isTTY) {
        const t = now();
        if (t - lastDraw < 100 && received !== total) return;
        lastDraw = t;
        out.write(`\r\x1b[K${describe(received, total)}`);
        return;
      }
      const step =
        total === null
          ? Math.floor(received / 100_000_000)
          : Math.floor((received / Math.max(total, 1)) * 10);
      if (step === lastStep) return;
      lastStep = step;
      out.write(`${describe(received, total)}\n`);
    },
    /** Ends the in-place line before other output. */
    end(): void {
      if (out.isTTY && lastDraw > 0) out.write('\n');
    },
  };
}
