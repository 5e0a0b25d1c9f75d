import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyCatalog } from './registry.ts';
import { policyRuntimes } from './runtimes.ts';

test('every supported policy of the catalog has a runtime, and only those', () => {
  for (const [name, schema] of policyCatalog) {
    if (schema.support === 'supported') assert.ok(policyRuntimes.has(name), `${name} is supported but has no runtime`);
    else assert.ok(!policyRuntimes.has(name), `${name} is ${schema.support} but has a runtime`);
  }
  for (const name of policyRuntimes.keys()) assert.ok(policyCatalog.has(name), `${name} has a runtime but is not in the catalog`);
});
