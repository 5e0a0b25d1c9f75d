// The ceiling of proxying in Node: node:http in front of an undici Pool, with a raw dispatch
// handler that writes upstream bytes straight to the response. No header objects are built:
// raw headers pass through both ways, and a request body is streamed only when there is one.
// BENCH_PORT: port to listen on; BENCH_UPSTREAM: origin, e.g. http://127.0.0.1:8080.

import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';

const pool = new Pool(process.env.BENCH_UPSTREAM!, { connections: 128, pipelining: 1 });

/** Whether the request has a body, from its raw headers (`request.headers` would build an object). */
function hasBody(rawHeaders: string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const length = rawHeaders[i].length;
    if ((length === 14 || length === 17) && /^(?:content-length|transfer-encoding)$/i.test(rawHeaders[i])) return true;
  }
  return false;
}

function forward(request: IncomingMessage, response: ServerResponse): void {
  const handler: Dispatcher.DispatchHandler = {
    onConnect() {},
    onHeaders(statusCode, rawHeaders, resume) {
      const headers: string[] = new Array(rawHeaders.length);
      for (let i = 0; i < rawHeaders.length; i++) headers[i] = rawHeaders[i].toString('latin1');
      response.writeHead(statusCode, headers);
      response.on('drain', resume);
      return true;
    },
    onData: (chunk) => response.write(chunk),
    onComplete: () => response.end(),
    onError() {
      if (response.headersSent) return response.destroy();
      response.writeHead(502).end();
    },
  };
  const body = hasBody(request.rawHeaders) ? request : null;
  pool.dispatch({ method: request.method as Dispatcher.HttpMethod, path: request.url!, headers: request.rawHeaders, body }, handler);
}

createServer(forward).listen(Number(process.env.BENCH_PORT), '127.0.0.1');
