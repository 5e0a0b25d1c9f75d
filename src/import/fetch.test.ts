import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createLinkFetcher, isNonPublicAddress } from './fetch.ts';
import { DefinitionError } from './errors.ts';
import type { DefinitionErrorCode } from './errors.ts';
import { importDefinition } from './index.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const petstore = JSON.stringify({
  openapi: '3.0.0',
  info: { title: 'Linked', version: '1' },
  servers: [{ url: '/v1' }],
  paths: { '/pets': { get: { operationId: 'listPets', responses: { '200': { description: 'ok' } } } } },
});

const linkedDoc = (ref: string) =>
  JSON.stringify({
    openapi: '3.0.0',
    info: { title: 'Refs', version: '1' },
    paths: { '/a': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: ref } } } } } } } },
  });

let server: TestServer;
let released: () => void = () => {};

before(async () => {
  server = await startTestServer({
    handler: async (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      switch (path) {
        case '/openapi.json':
          res.writeHead(200, { 'content-type': 'application/json' }).end(petstore);
          return true;
        case '/redirect':
          res.writeHead(302, { location: '/openapi.json' }).end();
          return true;
        case '/redirect-away':
          res.writeHead(302, { location: 'http://localhost:1/openapi.json' }).end();
          return true;
        case '/big':
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pad: 'x'.repeat(5000) }));
          return true;
        case '/big-chunked': {
          res.writeHead(200, { 'content-type': 'application/json' });
          for (let i = 0; i < 10; i += 1) res.write('x'.repeat(1000));
          res.end();
          return true;
        }
        case '/slow':
          await new Promise<void>((resolve) => {
            released = resolve;
            setTimeout(resolve, 2000).unref();
          });
          res.writeHead(200).end('{}');
          return true;
        case '/refs/dangling.json':
          res.writeHead(200).end(linkedDoc('parts.yaml#/Nope'));
          return true;
        case '/refs/file.json':
          res.writeHead(200).end(linkedDoc('file:///etc/passwd'));
          return true;
        case '/refs/away.json':
          res.writeHead(200).end(linkedDoc('http://localhost:1/parts.yaml'));
          return true;
        case '/refs/parts.yaml':
          res.writeHead(200).end('Thing:\n  type: object\n');
          return true;
        case '/missing':
          res.writeHead(404).end('not here');
          return true;
        default:
          return false;
      }
    },
  });
});

after(async () => {
  released();
  await server.close();
});

async function fetchError(promise: Promise<unknown>, code: DefinitionErrorCode): Promise<DefinitionError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof DefinitionError, String(err));
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail('expected a failure');
}

test('non-public addresses are recognised', () => {
  for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
    assert.equal(isNonPublicAddress(address), true, address);
  }
  for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) assert.equal(isNonPublicAddress(address), false, address);
});

test('by default a loopback link is refused before any request is made', async () => {
  const before = server.requests.length;
  const fetcher = createLinkFetcher();
  try {
    const err = await fetchError(fetcher.fetchText(`${server.url}/openapi.json`), 'DEFINITION_LINK_FORBIDDEN');
    assert.match(err.message, /non-public address/);
  } finally {
    await fetcher.close();
  }
  assert.equal(server.requests.length, before);
});

test('a host name that resolves to loopback is refused at connect time', async () => {
  const fetcher = createLinkFetcher();
  try {
    const port = new URL(server.url).port;
    const err = await fetchError(fetcher.fetchText(`http://localhost:${port}/openapi.json`), 'DEFINITION_LINK_FORBIDDEN');
    assert.match(err.message, /localhost/);
  } finally {
    await fetcher.close();
  }
});

test('a host outside the allow-list is refused', async () => {
  const fetcher = createLinkFetcher({ allowedHosts: ['api.example.com'] });
  try {
    await fetchError(fetcher.fetchText(`${server.url}/openapi.json`), 'DEFINITION_LINK_FORBIDDEN');
  } finally {
    await fetcher.close();
  }
});

test('only http and https links are fetched', async () => {
  const fetcher = createLinkFetcher({ allowPrivateNetworks: true });
  try {
    await fetchError(fetcher.fetchText('file:///etc/passwd'), 'DEFINITION_LINK_FORBIDDEN');
  } finally {
    await fetcher.close();
  }
});

test('a listed host is fetched, following redirects within the allow-list', async () => {
  const fetcher = createLinkFetcher({ allowedHosts: [server.host] });
  try {
    const file = await fetcher.fetchText(`${server.url}/redirect`);
    assert.equal(file.url, `${server.url}/openapi.json`);
    assert.equal(JSON.parse(file.text).info.title, 'Linked');
    assert.equal(file.contentType, 'application/json');
  } finally {
    await fetcher.close();
  }
});

test('a redirect to a host outside the allow-list is refused', async () => {
  const fetcher = createLinkFetcher({ allowedHosts: [server.host] });
  try {
    await fetchError(fetcher.fetchText(`${server.url}/redirect-away`), 'DEFINITION_LINK_FORBIDDEN');
  } finally {
    await fetcher.close();
  }
});

test('the size limit applies to the declared length and to streamed bodies', async () => {
  const fetcher = createLinkFetcher({ allowedHosts: [server.host], maxBytes: 2000 });
  try {
    await fetchError(fetcher.fetchText(`${server.url}/big`), 'DEFINITION_TOO_LARGE');
    await fetchError(fetcher.fetchText(`${server.url}/big-chunked`), 'DEFINITION_TOO_LARGE');
  } finally {
    await fetcher.close();
  }
});

test('a slow server times out', async () => {
  const fetcher = createLinkFetcher({ allowedHosts: [server.host], timeoutMs: 200 });
  try {
    const err = await fetchError(fetcher.fetchText(`${server.url}/slow`), 'DEFINITION_LINK_FAILED');
    assert.match(err.message, /timed out after 200 ms/);
  } finally {
    released();
    await fetcher.close();
  }
});

test('a non-2xx answer fails the link with its status', async () => {
  const fetcher = createLinkFetcher({ allowedHosts: [server.host] });
  try {
    const err = await fetchError(fetcher.fetchText(`${server.url}/missing`), 'DEFINITION_LINK_FAILED');
    assert.match(err.message, /404/);
  } finally {
    await fetcher.close();
  }
});

test('the file count limit bounds one import', async () => {
  const fetcher = createLinkFetcher({ allowedHosts: [server.host], maxFiles: 1 });
  try {
    await fetcher.fetchText(`${server.url}/openapi.json`);
    await fetchError(fetcher.fetchText(`${server.url}/openapi.json`), 'DEFINITION_TOO_LARGE');
  } finally {
    await fetcher.close();
  }
});

test('a link import resolves relative server URLs against the link', async () => {
  const result = await importDefinition({ format: 'openapi+json-link', value: `${server.url}/openapi.json`, fetchOptions: { allowedHosts: [server.host] } });
  assert.equal(result.sourceUrl, `${server.url}/openapi.json`);
  assert.equal(result.api.serviceUrl, `${server.url}/v1`);
  assert.deepEqual(result.operations.map((o) => o.name), ['listpets']);
});

test('a link import without an allow-list refuses the local server', async () => {
  await fetchError(importDefinition({ format: 'openapi-link', value: `${server.url}/openapi.json` }), 'DEFINITION_LINK_FORBIDDEN');
});

test('a linked definition resolves relative references; a dangling one names what is missing', async () => {
  const fetchOptions = { allowedHosts: [server.host] };
  const err = await fetchError(importDefinition({ format: 'openapi+json-link', value: `${server.url}/refs/dangling.json`, fetchOptions }), 'DEFINITION_DANGLING_REF');
  assert.match(err.message, /Nope/);
  assert.ok(server.requests.includes('/refs/parts.yaml'));
});

test('references from a linked definition to files or to hosts outside the allow-list are refused', async () => {
  const fetchOptions = { allowedHosts: [server.host] };
  await fetchError(importDefinition({ format: 'openapi+json-link', value: `${server.url}/refs/file.json`, fetchOptions }), 'DEFINITION_LINK_FORBIDDEN');
  await fetchError(importDefinition({ format: 'openapi+json-link', value: `${server.url}/refs/away.json`, fetchOptions }), 'DEFINITION_LINK_FORBIDDEN');
});
