// Shared by the benchmarks: the nearest-rank percentile of an ascending list of samples.

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
