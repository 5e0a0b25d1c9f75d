import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server for link-import tests: serves files under `root`, or answers through
 * `handler` first. Listens on 127.0.0.1, port 0; `requests` records every path asked for.
 */
export interface TestServer {
  readonly url: string;
  /** `127.0.0.1:<port>`, for an allow-list. */
  readonly host: string;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startTestServer(options: {
  root?: string;
  handler?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
}): Promise<TestServer> {
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    requests.push(req.url ?? '');
    if (options.handler !== undefined && (await options.handler(req, res))) return;
    if (options.root === undefined) {
      res.writeHead(404).end();
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path.includes('..')) {
      res.writeHead(400).end();
      return;
    }
    try {
      const body = await readFile(join(options.root, path));
      const type = path.endsWith('.json') ? 'application/json' : 'application/yaml';
      res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
