import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAtrium, type Atrium } from '../../src/atrium.ts';
import { readConfig } from '../../src/config.ts';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
  readonly text: string;
}

export interface RunningAtrium {
  readonly atrium: Atrium;
  readonly url: string;
  /** The managed gateway's URL. */
  readonly gatewayUrl: string;
  /** Base URL of the Prometheus listener (`/metrics`). */
  readonly metricsUrl: string;
  /** A real HTTP call to the management API, with the admin key unless `headers.authorization` says otherwise. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  close(): Promise<void>;
}

/** Starts Atrium on ephemeral ports with a fresh data dir (SQLite), or on the given database URL. */
export async function startAtrium(options: { databaseUrl?: string; env?: Record<string, string> } = {}): Promise<RunningAtrium> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-test-'));
  const config = readConfig({
    ATRIUM_DATA_DIR: dataDir,
    ATRIUM_ADMIN_KEY: TEST_ADMIN_KEY,
    ATRIUM_MANAGEMENT_PORT: '0',
    ATRIUM_GATEWAY_PORT: '0',
    ATRIUM_PORTAL_PORT: '0',
    ATRIUM_METRICS_PORT: '0',
    ...(options.databaseUrl ? { ATRIUM_DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  });
  const atrium = await createAtrium(config);
  const { management: url, gateway: gatewayUrl, metrics: metricsUrl } = await atrium.listen();
  return {
    atrium,
    url,
    gatewayUrl,
    metricsUrl,
    async call(method, path, body, headers = {}) {
      const init: RequestInit = {
        method,
        headers: {
          authorization: `Bearer ${TEST_ADMIN_KEY}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      };
      const response = await fetch(url + path, init);
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async close() {
      await atrium.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
