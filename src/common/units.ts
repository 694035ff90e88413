// Durations in human units: 812 ns, 41.2 µs, 3.00 ms, 3.00 s, 2m 05s.

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const ns = ms * 1e6;
  if (ns < 1000) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${fixed(ns / 1e3)} µs`;
  if (ms < 1000) return `${fixed(ms)} ms`;
  if (ms < 60_000) return `${fixed(ms / 1e3)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** Three significant digits: 3.00, 41.2, 812. */
function fixed(x: number): string {
  return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0);
}
