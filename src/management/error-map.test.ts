import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AtriumError } from '../model/errors.ts';
import { declaredErrorCodes, errorMap, toHttpError } from './error-map.ts';

describe('error map', () => {
  it('maps every declared error code to a status and an Azure code', () => {
    for (const code of declaredErrorCodes) {
      const mapping = errorMap[code];
      assert.ok(mapping, `error code ${code} has no HTTP mapping`);
      assert.ok(mapping.status >= 400 && mapping.status < 600, code);
      assert.match(mapping.azureCode, /^[A-Z][A-Za-z]+$/, code);
    }
  });

  it("builds Azure's envelope and hides messages of unmapped internal errors", () => {
    const mapped = toHttpError(new AtriumError('NAME_CONFLICT', 'taken', [{ code: 'Conflict', target: 'name', message: 'x' }]));
    assert.deepEqual(mapped, { status: 409, body: { error: { code: 'Conflict', message: 'taken', details: [{ code: 'Conflict', target: 'name', message: 'x' }] } } });
    const unknown = toHttpError(new AtriumError('SOMETHING_ELSE', 'stack details'));
    assert.equal(unknown.status, 500);
    assert.equal(unknown.body.error.message, 'An internal error occurred.');
  });
});
