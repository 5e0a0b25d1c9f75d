import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkName, createRegistry, idOf, normalizeId, parseId } from './registry.ts';
import { resourceTypes } from './resources/index.ts';

const registry = createRegistry(resourceTypes);

describe('resource ids', () => {
  it("reads Azure's full ARM ids as the part after /service/{name}", () => {
    assert.equal(normalizeId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/products/p1'), '/products/p1');
    assert.equal(normalizeId('/SUBSCRIPTIONS/s/resourcegroups/rg/providers/microsoft.apimanagement/service/apim/workspaces/w1/apis/a'), '/workspaces/w1/apis/a');
    assert.equal(normalizeId('/products/p1/'), '/products/p1');
    assert.equal(normalizeId('/apis'), '/apis');
  });

  it('parses ids into workspace and typed steps, and formats them back', () => {
    const path = parseId(registry, '/workspaces/w1/apis/echo/operations/get')!;
    assert.equal(path.workspace, 'w1');
    assert.deepEqual(path.steps.map((s) => [s.def.kind, s.name]), [['apis', 'echo'], ['apiOperations', 'get']]);
    assert.equal(idOf(path), '/workspaces/w1/apis/echo/operations/get');
    assert.equal(parseId(registry, '/workspaces/w1')!.steps[0].def.kind, 'workspaces');
    assert.equal(parseId(registry, '/apis/echo;rev=2')!.steps[0].name, 'echo;rev=2');
  });

  it('returns undefined for ids that name no declared type', () => {
    for (const bad of ['', '/', 'apis/x', '/apis', '/unknown/x', '/apis/x/unknown/y', '/workspaces/w1/users/u1', '/workspaces/w1/gateways/g']) {
      assert.equal(parseId(registry, bad), undefined, bad);
    }
  });

  it('checks names: characters, length, singletons, API revisions', () => {
    const apis = registry.get('apis');
    checkName(apis, 'echo');
    checkName(apis, 'echo;rev=2');
    for (const bad of ['', 'a/b', 'a?b', 'a#b', 'a%b', 'a b ', ' a', 'x'.repeat(257), 'tab\tname']) {
      assert.throws(() => checkName(apis, bad), /not a valid/, JSON.stringify(bad));
    }
    checkName(registry.get('apiPolicies'), 'policy');
    assert.throws(() => checkName(registry.get('apiPolicies'), 'other'), /allowed: policy/);
  });

  it('rejects inconsistent declarations', () => {
    const base = resourceTypes.find((t) => t.kind === 'tags')!;
    assert.throws(() => createRegistry([base, base]), /declared twice/);
    assert.throws(() => createRegistry([{ ...base, kind: 'orphan', parent: 'missing' }]), /unknown parent/);
  });
});
