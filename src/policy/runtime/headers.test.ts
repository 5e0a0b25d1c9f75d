import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeader, getHeaderValues, removeHeader, setHeader } from './headers.ts';

test('header names compare case-insensitively; values keep their order', () => {
  const headers = ['Content-Type', 'a', 'X-Id', '1', 'x-id', '2', 'Accept', 'b'];
  assert.equal(getHeader(headers, 'CONTENT-type'), 'a');
  assert.deepEqual(getHeaderValues(headers, 'X-ID'), ['1', '2']);
  assert.equal(getHeader(headers, 'x-i'), undefined, 'a prefix is another name');
  removeHeader(headers, 'x-Id');
  assert.deepEqual(headers, ['Content-Type', 'a', 'Accept', 'b']);
  removeHeader(headers, 'absent');
  assert.deepEqual(headers, ['Content-Type', 'a', 'Accept', 'b']);
  setHeader(headers, 'accept', 'c');
  assert.deepEqual(headers, ['Content-Type', 'a', 'accept', 'c']);
});

test('names with letters that change length when lower-cased still match', () => {
  // 'İ' lower-cases to two code units: the length shortcut must not apply to such names.
  const headers = ['X-İd', '1', 'x-i̇d', '2', 'Other', '3'];
  assert.deepEqual(getHeaderValues(headers, 'x-İD'), ['1', '2']);
  removeHeader(headers, 'X-İD');
  assert.deepEqual(headers, ['Other', '3']);
});

test('names an expression computes without end are still told apart once the kept tests start again', () => {
  const headers = ['X-Name-5', 'five', 'X-Name-2000', 'two thousand'];
  for (let i = 0; i < 2500; i++) {
    const expected = i === 5 ? 'five' : i === 2000 ? 'two thousand' : undefined;
    assert.equal(getHeader(headers, `x-name-${i}`), expected, `x-name-${i}`);
  }
  assert.equal(getHeader(headers, 'X-NAME-5'), 'five');
});
