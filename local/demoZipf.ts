/**
 * LOCAL ONLY. Zipf-distributed picks for the demo's traffic: rank r (1-based) is chosen with
 * probability proportional to 1 / r^s, from a seeded generator (local/prng.ts), so a run can be
 * replayed. s = 1 is the classic web-cache popularity curve: a few objects take most requests.
 */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n: a whole number ≥ 1 (got ${n})`);
  if (!Number.isFinite(s) || s < 0) throw new RangeError(`s: a number ≥ 0 (got ${s})`);
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 1; r <= n; r++) cumulative.push((total += 1 / r ** s));
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo; // 0-based index: rank lo + 1
  };
}
