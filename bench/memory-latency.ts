// How long the machine takes to reach memory its caches do not hold: a chain of dependent loads
// through a working set, one cache line per step in random order, so that neither the prefetcher
// nor out-of-order execution hides a step. Within a couple of megabytes the caches answer; across
// tens of megabytes (a gateway serving 10,000 APIs holds about 75 MB) every step is a trip to
// memory, page-table walks included. The figures explain what a request at 10,000 APIs pays for
// each object of its own API, subscription and counters (docs/performance.md).

const LINE_INTS = 16; // 64-byte cache lines of 4-byte integers

/**
 * One cycle through `lines` cache lines in random order: `next[i * 16]` holds where the step
 * after line i starts. Every line is visited once per turn.
 */
export function chainOfLines(lines: number, random: () => number = Math.random): Int32Array {
  const order = new Int32Array(lines);
  for (let i = 0; i < lines; i++) order[i] = i;
  for (let i = lines - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const next = new Int32Array(lines * LINE_INTS);
  for (let i = 0; i < lines; i++) next[order[i] * LINE_INTS] = order[(i + 1) % lines] * LINE_INTS;
  return next;
}

/** Nanoseconds per dependent load through a working set of `bytes`, the median of `rounds`. */
export function dependentLoadNs(bytes: number, steps = 2_000_000, rounds = 3): number {
  const next = chainOfLines(Math.max(2, Math.floor(bytes / (LINE_INTS * 4))));
  let at = 0;
  for (let i = 0; i < Math.min(steps, next.length / LINE_INTS); i++) at = next[at];
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) at = next[at];
    times.push(Number(process.hrtime.bigint() - started) / steps);
  }
  // `at` is used, so that the loop is not optimised away.
  if (at < 0) throw new Error('unreachable');
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}
