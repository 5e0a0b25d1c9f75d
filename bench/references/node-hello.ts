// The floor of any Node server: node:http answering the fixed body, no upstream.
// BENCH_PORT: port to listen on (127.0.0.1).

import { createServer } from 'node:http';
import { helloBody } from '../body.ts';

const body = Buffer.from(helloBody);
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };

createServer((request, response) => {
  request.resume();
  response.writeHead(200, headers);
  response.end(body);
}).listen(Number(process.env.BENCH_PORT), '127.0.0.1');
