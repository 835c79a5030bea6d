// Small numeric helpers shared by the benchmark sections.

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Growth exponent k of time ~ size^k between two measurements. */
export function growthExponent(
  small: { size: number; value: number },
  large: { size: number; value: number },
): number {
  return Math.log(large.value / small.value) / Math.log(large.size / small.size);
}

/** Rounds to `digits` decimals, for results that are read by people. */
export const round = (value: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const MiB = 1024 * 1024;
