import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toBigInt } from './index.ts';

test('addresses compare in one space: IPv4, IPv6, compressed and IPv4-mapped forms', () => {
  assert.equal(toBigInt('10.0.0.1'), toBigInt('::ffff:10.0.0.1'));
  assert.equal(toBigInt('::1'), 1n);
  assert.equal(toBigInt('2001:db8::1'), toBigInt('2001:0db8:0000:0000:0000:0000:0000:0001'));
  assert.ok(toBigInt('192.168.1.0')! < toBigInt('192.168.1.77')!);
  assert.ok(toBigInt('192.168.1.77')! < toBigInt('192.168.2.0')!);
  assert.equal(toBigInt('not an address'), undefined);
});
