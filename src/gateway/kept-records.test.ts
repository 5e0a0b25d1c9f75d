import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceRecord } from '../store/store.ts';
import { createRecordKeeper } from './kept-records.ts';

function apiRecord(name: string, properties: Record<string, unknown> = {}): ResourceRecord {
  const key = `/workspaces/w1/apis/${name}`;
  return {
    key, id: key, kind: 'apis', parentKey: '/workspaces/w1', workspace: 'w1', name, uniqueKey: `apis:${name}`, revision: 7,
    createdAt: '2026-11-23T10:00:00.000Z', updatedAt: '2026-11-23T11:00:00.000Z',
    properties: {
      displayName: name, path: name, serviceUrl: 'http://backend.test', protocols: ['http', 'https'], subscriptionRequired: true,
      subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' }, ...properties,
    },
  };
}

describe('kept records', () => {
  it('keep every field a gateway reads, and blank the timestamps and unique name', () => {
    const keeper = createRecordKeeper();
    const record = apiRecord('echo');
    const kept = keeper.keep(record);
    assert.deepEqual(kept, { ...record, uniqueKey: null, createdAt: '', updatedAt: '' });
    const operation: ResourceRecord = { ...record, key: `${record.key}/operations/get`, id: `${record.id}/operations/GET`, kind: 'apiOperations', parentKey: record.key, name: 'GET', properties: { method: 'GET' } };
    assert.deepEqual(keeper.keep(operation), { ...operation, uniqueKey: null, createdAt: '', updatedAt: '' });
  });

  it('share small property values that are equal, frozen, and leave the store\'s record as it was', () => {
    const keeper = createRecordKeeper();
    const first = apiRecord('one');
    const a = keeper.keep(first);
    const b = keeper.keep(apiRecord('two'));
    assert.equal(a.properties.protocols, b.properties.protocols);
    assert.equal(a.properties.subscriptionKeyParameterNames, b.properties.subscriptionKeyParameterNames);
    assert.ok(Object.isFrozen(a.properties.subscriptionKeyParameterNames));
    assert.throws(() => (a.properties.protocols as string[]).push('ws'), TypeError);
    assert.notEqual(a.properties, b.properties);
    assert.equal(Object.isFrozen(first.properties.protocols), false);
    assert.notEqual(first.properties.protocols, a.properties.protocols);
    const different = keeper.keep(apiRecord('three', { protocols: ['https'] }));
    assert.deepEqual(different.properties.protocols, ['https']);
    assert.notEqual(different.properties.protocols, a.properties.protocols);
  });

  it('keep a large property value as it came, unshared', () => {
    const keeper = createRecordKeeper();
    const contact = { name: 'A team with a long name', email: 'someone-with-a-long-address@example.com', url: 'https://example.com/contact' };
    const a = keeper.keep(apiRecord('one', { contact }));
    const b = keeper.keep(apiRecord('two', { contact: { ...contact } }));
    assert.deepEqual(a.properties.contact, contact);
    assert.notEqual(a.properties.contact, b.properties.contact);
  });

  it('give the same values once the tables have been emptied at their bound', () => {
    const keeper = createRecordKeeper({ maxEntries: 3 });
    const kept = Array.from({ length: 10 }, (_, i) => keeper.keep(apiRecord(`api${i}`, { tags: [`t${i}`] })));
    kept.forEach((record, i) => assert.deepEqual(record.properties.tags, [`t${i}`]));
    assert.deepEqual(kept[9].properties.protocols, ['http', 'https']);
    keeper.clear();
    assert.deepEqual(keeper.keep(apiRecord('again')).properties.protocols, ['http', 'https']);
  });

  it('take the parent key from the parent the gateway holds, when it is the same key', () => {
    const api = apiRecord('echo');
    const parents = new Map([[api.key, api]]);
    const keeper = createRecordKeeper({ parentOf: (record) => parents.get(record.parentKey) });
    const operation: ResourceRecord = { ...api, key: `${api.key}/operations/get`, id: `${api.key}/operations/get`, kind: 'apiOperations', parentKey: api.key, name: 'get', properties: {} };
    assert.equal(keeper.keep(operation).parentKey, api.key);
    const orphan = { ...operation, parentKey: '/workspaces/w1/apis/gone' };
    assert.equal(keeper.keep(orphan).parentKey, '/workspaces/w1/apis/gone');
  });
});
