/** Percentiles over raw samples (nearest-rank on the sorted samples; no histogram rounding). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export function summarize(samples: number[]): Summary {
  const n = samples.length;
  return {
    n,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    mean: n ? samples.reduce((a, b) => a + b, 0) / n : NaN,
    // a loop, not Math.min(...samples): a fast run collects more samples than a call's arguments may hold
    min: n ? samples.reduce((a, b) => (b < a ? b : a)) : NaN,
    max: n ? samples.reduce((a, b) => (b > a ? b : a)) : NaN,
  };
}

export const round = (x: number, digits = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);
