// Benchmark: a typical expression (read a header, a string operation, a comparison) against the
// same logic written by hand in JavaScript over the same request. Run with
//   node_modules/.bin/node src/policy/expressions/bench.ts
// Prints median nanoseconds per evaluation for both, measured in one run.

import { compileExpression, createExpressionContext, type ExpressionContext } from './index.ts';

const SOURCE = '@(context.Request.Headers.GetValueOrDefault("X-Tenant", "").ToUpperInvariant() == "ACME")';

const ctx = createExpressionContext({
  request: { method: 'GET', url: 'https://api.example.com/orders', headers: { 'x-tenant': 'acme', accept: 'application/json' } },
});

const compiled = compileExpression(SOURCE);

/** The same logic by hand, over the same header dictionary the expression reads. */
function byHand(c: ExpressionContext): boolean {
  const entry = c.request.headers.tryGet('X-Tenant');
  const values = entry ? (entry.value as string[]) : null;
  const value = values === null ? '' : values.length === 1 ? values[0] : values.join(',');
  return value.toUpperCase() === 'ACME';
}

function medianNs(fn: () => unknown, rounds = 31, perRound = 20000): number {
  for (let i = 0; i < perRound; i++) fn(); // warm up
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / perRound);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

export function runBenchmark(): { expressionNs: number; handNs: number; ratio: number } {
  if (compiled(ctx) !== true || byHand(ctx) !== true) throw new Error('benchmark logic disagrees');
  const expressionNs = medianNs(() => compiled(ctx));
  const handNs = medianNs(() => byHand(ctx));
  return { expressionNs, handNs, ratio: expressionNs / handNs };
}

if (import.meta.main) {
  const r = runBenchmark();
  console.log(`expression: ${SOURCE}`);
  console.log(`compiled expression: ${r.expressionNs.toFixed(0)} ns median per evaluation`);
  console.log(`hand-written JS:     ${r.handNs.toFixed(0)} ns median per evaluation`);
  console.log(`ratio: ${r.ratio.toFixed(2)}x (target: <= 1000 ns and <= 3x)`);
}
