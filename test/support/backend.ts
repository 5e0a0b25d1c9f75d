import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake upstream received. Bodies are kept whole up to 64 KiB; every body is counted and hashed. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly bodyLength: number;
  readonly bodySha256: string;
}

export type BackendResponder = (request: RecordedRequest, res: ServerResponse, req: IncomingMessage) => void | Promise<void>;

export interface RecordingBackend {
  readonly url: string;
  readonly name: string;
  readonly requests: RecordedRequest[];
  /** Replaces how the backend answers (the default echoes what it received as JSON). */
  respondWith(responder: BackendResponder): void;
  last(): RecordedRequest | undefined;
  close(): Promise<void>;
}

const KEEP = 64 * 1024;

/** A recording fake upstream on an ephemeral loopback port. */
export async function startBackend(name = 'backend'): Promise<RecordingBackend> {
  const requests: RecordedRequest[] = [];
  let responder: BackendResponder = (request, res) => {
    const body = JSON.stringify({ backend: name, method: request.method, url: request.url, bodyLength: request.bodyLength });
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const hash = createHash('sha256');
    const kept: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      if (length < KEEP) kept.push(chunk.subarray(0, KEEP - length));
      length += chunk.length;
    });
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(kept),
        bodyLength: length,
        bodySha256: hash.digest('hex'),
      };
      requests.push(recorded);
      Promise.resolve(responder(recorded, res, req)).catch(() => res.destroy());
    });
    req.on('error', () => undefined);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    name,
    requests,
    respondWith(next) {
      responder = next;
    },
    last: () => requests.at(-1),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
