import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceRecord } from '../store/store.ts';
import { interned } from './kept-records.ts';
import { compileApi, createSharedParts, type CompiledApi, type SharedParts } from './snapshot.ts';

function record(key: string, kind: string, properties: Record<string, unknown>): ResourceRecord {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return { key, id: key, kind, parentKey: '', workspace: '', name, uniqueKey: null, properties, revision: 1, createdAt: '', updatedAt: '' };
}

function api(name: string, serviceUrl: string, templates: string[], parts?: SharedParts): CompiledApi {
  const ops = templates.map((urlTemplate, i) => record(`/apis/${name}/operations/op${i}`, 'apiOperations', { method: 'GET', urlTemplate }));
  return compileApi(record(`/apis/${name}`, 'apis', { path: name, serviceUrl }), ops, undefined, '1', parts);
}

const operations = (compiled: CompiledApi) => compiled.operations.byMethod.get('GET') ?? [];

describe('shared parts of compiled APIs', () => {
  it('give APIs on the same service URL one upstream target, and the same URL template one compiled template', () => {
    const parts = createSharedParts();
    const a = api('a', 'http://backend.test:8080/base', ['/*', '/items/{id}'], parts);
    const b = api('b', 'http://backend.test:8080/base', ['/items/{id}'], parts);
    const c = api('c', 'http://other.test', ['/*'], parts);
    assert.equal(a.upstream, b.upstream);
    assert.notEqual(a.upstream, c.upstream);
    assert.deepEqual(a.upstream, api('x', 'http://backend.test:8080/base', []).upstream);
    assert.equal(c.upstream?.origin, 'http://other.test');
    const byTemplate = (compiled: CompiledApi, source: string) => operations(compiled).find((o) => o.template.source === source)!.template;
    assert.equal(byTemplate(a, '/items/{id}'), byTemplate(b, '/items/{id}'));
    assert.equal(byTemplate(a, '/*'), byTemplate(c, '/*'));
    // Operations stay the API's own.
    assert.notEqual(operations(a).find((o) => o.template.source === '/items/{id}'), operations(b)[0]);
  });

  it('build parts afresh without a shared table', () => {
    const a = api('a', 'http://backend.test', ['/*']);
    const b = api('b', 'http://backend.test', ['/*']);
    assert.notEqual(a.upstream, b.upstream);
    assert.deepEqual(a.upstream, b.upstream);
    assert.notEqual(operations(a)[0].template, operations(b)[0].template);
  });

  it('keep no failure: a bad URL or template fails each API that names it', () => {
    const parts = createSharedParts();
    for (const name of ['one', 'two']) {
      const broken = api(name, 'ftp://backend.test', ['/*/x'], parts);
      assert.match(broken.failure ?? '', /serviceUrl: 'ftp:\/\/backend\.test' is not an http or https URL/);
      assert.match(broken.failure ?? '', /operation op0: .*last segment/);
    }
  });

  it('start sharing again once a table reached its bound, with the same results', () => {
    const parts = createSharedParts(2);
    const urls = ['http://a.test', 'http://b.test', 'http://c.test', 'http://a.test'];
    const compiled = urls.map((url, i) => api(`api${i}`, url, ['/*'], parts));
    compiled.forEach((c, i) => assert.equal(c.upstream?.url, urls[i]));
    // The table was emptied when c.test arrived: a.test is built again, equal but not the same.
    assert.notEqual(compiled[3].upstream, compiled[0].upstream);
    assert.deepEqual(compiled[3].upstream, compiled[0].upstream);
  });
});

describe('interned strings', () => {
  it('are equal to the text given, whatever it looks like', () => {
    for (const text of ['/workspaces/team-a/apis/shop', '', '0', '123', '__proto__', 'constructor', 'ünïcode ✓', 'x'.repeat(5000)]) {
      assert.equal(interned(text), text);
      assert.equal(interned([...text].join('')), text);
    }
  });
});
