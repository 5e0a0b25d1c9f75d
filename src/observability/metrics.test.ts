import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestOutcome } from '../gateway/handler.ts';
import { compileApi, type CompiledApi, type CompiledOperation } from '../gateway/snapshot.ts';
import type { ResourceRecord } from '../store/store.ts';
import { createGatewayMetrics, type Series } from './metrics.ts';

function record(key: string, kind: string, properties: Record<string, unknown>, workspace: string): ResourceRecord {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return { key, id: key, kind, parentKey: '', workspace, name, uniqueKey: null, properties, revision: 1, createdAt: '', updatedAt: '' };
}

/** A compiled API of workspace `w1` with one operation `get`; each call compiles it afresh. */
function compiled(apiName = 'echo'): { api: CompiledApi; operation: CompiledOperation } {
  const base = `/workspaces/w1/apis/${apiName}`;
  const api = compileApi(
    record(base, 'apis', { path: apiName, serviceUrl: 'http://backend.test' }, 'w1'),
    [record(`${base}/operations/get`, 'apiOperations', { method: 'GET', urlTemplate: '/*' }, 'w1')],
    undefined,
    '1',
  );
  return { api, operation: api.operations.anyMethod[0] ?? api.operations.byMethod.get('GET')![0] };
}

function outcome(target: { api: CompiledApi; operation: CompiledOperation } | undefined, status: number, responseTimeMs: number, backendTimeMs: number | null, error: string | null = null): RequestOutcome {
  return {
    time: '2026-11-23T00:00:00.000Z', requestId: 'r', method: 'GET', url: '/', status, responseTimeMs, backendTimeMs,
    requestSize: 0, responseSize: 0, clientIp: '127.0.0.1', error,
    gatewayId: 'managed', snapshot: undefined, api: target?.api, operation: target?.operation, subscription: undefined, productKey: undefined,
  } as RequestOutcome;
}

const labels = 'gateway="managed",workspace="w1",api="echo",operation="get"';

describe('gateway metrics', () => {
  it('counts requests and errors by status class, and both durations in cumulative buckets', () => {
    const metrics = createGatewayMetrics();
    const echo = compiled();
    for (const o of [outcome(echo, 200, 0.5, 0.3), outcome(echo, 200, 20, 15), outcome(echo, 404, 3, null), outcome(echo, 502, 70_000, null, 'BackendConnectionFailure')]) {
      metrics.started('managed');
      metrics.finished(o);
    }
    const text = metrics.render();
    assert.match(text, new RegExp(`atrium_gateway_requests_total\\{${labels},status_class="2xx"\\} 2\\n`));
    assert.match(text, new RegExp(`atrium_gateway_requests_total\\{${labels},status_class="4xx"\\} 1\\n`));
    assert.match(text, new RegExp(`atrium_gateway_requests_total\\{${labels},status_class="5xx"\\} 1\\n`));
    assert.match(text, new RegExp(`atrium_gateway_errors_total\\{${labels},status_class="5xx"\\} 1\\n`));
    assert.doesNotMatch(text, /atrium_gateway_errors_total\{[^}]*status_class="2xx"/);
    const duration = (le: string) => new RegExp(`atrium_gateway_request_duration_seconds_bucket\\{${labels},le="${le.replace('+', '\\+')}"\\} (\\d+)\\n`).exec(text)?.[1];
    assert.deepEqual(['0.001', '0.0025', '0.005', '0.025', '60', '+Inf'].map(duration), ['1', '1', '2', '3', '3', '4']);
    assert.match(text, new RegExp(`atrium_gateway_request_duration_seconds_sum\\{${labels}\\} 70\\.0235\\n`));
    assert.match(text, new RegExp(`atrium_gateway_request_duration_seconds_count\\{${labels}\\} 4\\n`));
    // Only the two requests that reached the backend are in its histogram.
    assert.match(text, new RegExp(`atrium_gateway_backend_duration_seconds_bucket\\{${labels},le="0.001"\\} 1\\n`));
    assert.match(text, new RegExp(`atrium_gateway_backend_duration_seconds_bucket\\{${labels},le="0.025"\\} 2\\n`));
    assert.match(text, new RegExp(`atrium_gateway_backend_duration_seconds_count\\{${labels}\\} 2\\n`));
    assert.match(text, /atrium_gateway_requests_in_flight\{gateway="managed"\} 0\n/);
  });

  it('goes on counting in the same series when the API is compiled again', () => {
    const metrics = createGatewayMetrics();
    const first = compiled();
    metrics.finished(outcome(first, 200, 1, 1));
    const again = compiled();
    assert.notEqual(again.operation, first.operation);
    metrics.finished(outcome(again, 200, 1, 1));
    assert.equal(again.operation.series, first.operation.series);
    assert.match(metrics.render(), new RegExp(`atrium_gateway_requests_total\\{${labels},status_class="2xx"\\} 2\\n`));
  });

  it('counts a request without an operation under the API with an empty operation label, and escapes label values', () => {
    const metrics = createGatewayMetrics();
    const odd = compiled('say"hi');
    metrics.finished(outcome({ api: odd.api, operation: undefined as unknown as CompiledOperation }, 404, 1, null));
    metrics.finished(outcome(undefined, 404, 1, null));
    const text = metrics.render();
    assert.match(text, /atrium_gateway_requests_total\{gateway="managed",workspace="w1",api="say\\"hi",operation="",status_class="4xx"\} 1\n/);
    assert.match(text, /atrium_gateway_requests_total\{gateway="managed",workspace="",api="",operation="",status_class="4xx"\} 1\n/);
  });

  it('keeps a served operation to one flat label string and one array of figures', () => {
    // A gateway keeps one series per operation it has served: at 10,000 APIs the objects of each
    // series are a good part of the heap per API.
    const metrics = createGatewayMetrics();
    const echo = compiled();
    metrics.finished(outcome(echo, 200, 1, 1));
    const series = echo.operation.series as Series;
    assert.deepEqual(Object.keys(series).sort(), ['figures', 'labels']);
    assert.equal(series.labels, labels);
    assert.ok(Array.isArray(series.figures));
    assert.ok(series.figures.every((figure) => typeof figure === 'number'));
  });
});
