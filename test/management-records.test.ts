import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RequestLogRecord } from '../src/store/index.ts';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';

/** Request logs through the management API: each workspace reads its own, service level reads all. */
describe('request log and audit log routes', () => {
  let atrium: RunningAtrium;
  const record = (i: number, workspace: string, status = 200): RequestLogRecord => ({
    time: new Date(Date.parse('2026-05-01T10:00:00Z') + i * 60_000).toISOString(),
    requestId: `req-${workspace}-${i}`,
    gateway: 'managed',
    workspace,
    apiId: workspace ? `/workspaces/${workspace}/apis/orders` : '/apis/orders',
    operationId: null,
    productId: null,
    subscriptionId: null,
    method: 'GET',
    url: `/orders/${i}`,
    status,
    responseTimeMs: 3,
    backendTimeMs: 2,
    requestSize: 0,
    responseSize: 10,
    clientIp: '127.0.0.1',
    error: null,
  });
  before(async () => {
    atrium = await startAtrium();
    for (const ws of ['w1', 'w2']) await atrium.call('PUT', `/workspaces/${ws}`, { properties: { displayName: ws } });
    await atrium.atrium.store.appendRequestLogs([
      ...Array.from({ length: 5 }, (_, i) => record(i, 'w1', i === 4 ? 500 : 200)),
      ...Array.from({ length: 3 }, (_, i) => record(i, 'w2')),
      record(0, ''),
    ]);
  });
  after(() => atrium?.close());

  it('gives a workspace only its own records, newest first', async () => {
    const w1 = await atrium.call('GET', '/workspaces/w1/logs');
    assert.equal(w1.status, 200, w1.text);
    assert.equal(w1.body.count, 5);
    assert.ok(w1.body.value.every((r: RequestLogRecord) => r.workspace === 'w1'));
    assert.equal(w1.body.value[0].requestId, 'req-w1-4');
    const w2 = await atrium.call('GET', '/workspaces/W2/logs');
    assert.equal(w2.body.count, 3);
  });

  it('gives service readers every record, with filters and paging', async () => {
    assert.equal((await atrium.call('GET', '/logs')).body.count, 9);
    assert.equal((await atrium.call('GET', '/logs?status=500')).body.count, 1);
    assert.equal((await atrium.call('GET', `/logs?apiId=${encodeURIComponent('/workspaces/w2/apis/orders')}`)).body.count, 3);
    const window = await atrium.call('GET', '/workspaces/w1/logs?from=2026-05-01T10:01:00Z&to=2026-05-01T10:03:00Z');
    assert.equal(window.body.count, 3);
    const page = await atrium.call('GET', '/logs?$top=4');
    assert.equal(page.body.value.length, 4);
    assert.match(page.body.nextLink, /skip=4/);
  });

  it('rejects bad parameters and unknown workspaces', async () => {
    assert.equal((await atrium.call('GET', '/logs?from=yesterday')).status, 400);
    assert.equal((await atrium.call('GET', '/logs?status=abc')).status, 400);
    assert.equal((await atrium.call('GET', '/logs?$top=0')).status, 400);
    assert.equal((await atrium.call('GET', '/workspaces/nope/logs')).status, 404);
    assert.equal((await atrium.call('GET', '/logs', undefined, { authorization: '' })).status, 401);
  });

  it('serves the audit log per workspace and for the service', async () => {
    await atrium.atrium.store.appendAudit({ time: new Date().toISOString(), requestId: 'a1', principal: '/admin', action: 'PUT', resourceId: '/workspaces/w1/apis/x', workspace: 'w1', outcome: 'success', status: 201 });
    assert.equal((await atrium.call('GET', '/workspaces/w1/auditLog')).body.count, 1);
    assert.equal((await atrium.call('GET', '/workspaces/w2/auditLog')).body.count, 0);
    assert.ok((await atrium.call('GET', '/auditLog')).body.count >= 1);
  });
});
