import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AtriumError } from './errors.ts';
import { compileFilter } from './filter.ts';

describe('$filter', () => {
  const props = { displayName: 'Echo API', path: 'echo', subscriptionRequired: true, count: 3, nested: { a: 'Deep' } };
  const check = (filter: string, name = 'echo-api'): boolean => compileFilter(filter)(name, props);

  it('compares names and properties without regard to case', () => {
    assert.equal(check("name eq 'ECHO-API'"), true);
    assert.equal(check("displayName eq 'echo api'"), true);
    assert.equal(check("properties/displayName eq 'Echo API'"), true);
    assert.equal(check("nested/a eq 'deep'"), true);
    assert.equal(check("name ne 'echo-api'"), false);
  });

  it('supports string functions, numbers, booleans and null', () => {
    assert.equal(check("startswith(name, 'echo')"), true);
    assert.equal(check("endswith(displayName, 'API')"), true);
    assert.equal(check("contains(displayName, 'ho a')"), true);
    assert.equal(check('subscriptionRequired eq true'), true);
    assert.equal(check('count gt 2 and count le 3'), true);
    assert.equal(check('count lt 3'), false);
    assert.equal(check('missing eq null'), true);
    assert.equal(check("startswith(count, '3')"), false);
  });

  it('honours precedence: not > and > or, and parentheses', () => {
    assert.equal(check("name eq 'x' or name eq 'echo-api' and path eq 'echo'"), true);
    assert.equal(check("(name eq 'x' or name eq 'echo-api') and path eq 'nope'"), false);
    assert.equal(check("not name eq 'x'"), true);
    assert.equal(check("displayName eq 'It''s'", 'n'), false);
  });

  it('rejects malformed filters with INVALID_FILTER naming the position', () => {
    for (const bad of ["name eq 'x", 'name eq', "name like 'x'", "substringof('a', name)", "(name eq 'x'", "name eq 'x' extra", '#', 'x'.repeat(2001)]) {
      assert.throws(() => compileFilter(bad), (error: unknown) => error instanceof AtriumError && error.code === 'INVALID_FILTER', bad);
    }
  });
});
