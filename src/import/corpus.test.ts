import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportDefinition, importDefinition } from './index.ts';
import type { DefinitionFormat, ExportFormat, ImportResult, OperationResource, ParameterContract } from './index.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

/**
 * The shared corpus of real OpenAPI documents (`../shared/corpus/openapi` from the repository
 * root): each imports with exactly the operation count its README lists, exports in every
 * format, and re-imports from its own export with the same operations.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = resolve(repoRoot, '../shared/corpus/openapi');
const haveCorpus = existsSync(join(corpus, 'README.md'));

interface CorpusEntry {
  readonly file: string;
  readonly operations: number;
  readonly schemas: number;
  readonly webhooks: number;
}

/** Rows of the README table: | `file` | source | license | version | paths | operations | schemas | … */
function readCorpusTable(): CorpusEntry[] {
  const rows = readFileSync(join(corpus, 'README.md'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| `'));
  return rows.map((line) => {
    const cells = line.split('|').map((c) => c.trim());
    const operations = /^(\d+)(?:\s*\+\s*(\d+)\s*webhooks?)?/.exec(cells[6]);
    assert.ok(operations, `operation count in ${line}`);
    return {
      file: cells[1].replace(/`/g, ''),
      operations: Number(operations[1]),
      webhooks: Number(operations[2] ?? 0),
      schemas: Number(cells[7]),
    };
  });
}

const entries = haveCorpus ? readCorpusTable() : [];
const multiFile = 'oai-examples/v2.0/yaml/petstore-separate/spec/swagger.yaml';
let server: TestServer | undefined;

before(async () => {
  if (!haveCorpus) return;
  server = await startTestServer({ root: join(corpus, 'oai-examples/v2.0/yaml/petstore-separate') });
});

after(async () => {
  await server?.close();
});

function formatOf(file: string): DefinitionFormat {
  if (file.endsWith('.json')) return file.includes('v2.0') ? 'swagger-json' : 'openapi+json';
  return 'openapi';
}

async function importEntry(file: string): Promise<ImportResult> {
  if (file === multiFile) {
    assert.ok(server);
    return importDefinition({
      format: 'swagger-link-json',
      value: `${server.url}/spec/swagger.yaml`,
      fetchOptions: { allowedHosts: [server.host] },
    });
  }
  return importDefinition({ format: formatOf(file), value: readFileSync(join(corpus, file), 'utf8') });
}

/** What must survive export and re-import: names, methods, URL templates, parameters. */
function signature(op: OperationResource, dialect: 'openapi' | 'swagger') {
  const params = (list: ParameterContract[] | undefined) =>
    (list ?? []).map((p) => ({
      name: p.name,
      required: p.required === true,
      // Swagger 2.0 has no object-typed parameters outside the body.
      type: dialect === 'swagger' && p.type === 'object' ? 'string' : p.type,
      values: p.values ?? [],
    }));
  return {
    name: op.name,
    displayName: op.properties.displayName,
    method: op.properties.method,
    urlTemplate: op.properties.urlTemplate,
    templateParameters: params(op.properties.templateParameters),
    queryParameters: params(op.properties.request?.queryParameters),
    headers: params(op.properties.request?.headers),
    responses: (op.properties.responses ?? []).map((r) => r.statusCode),
    requestTypes: (op.properties.request?.representations ?? []).map((r) => r.contentType),
  };
}

function typeNames(result: ImportResult): string[] {
  const document = result.schemas[0]?.properties.document;
  const types = document?.definitions ?? (document?.components?.schemas as Record<string, unknown> | undefined) ?? {};
  return Object.keys(types);
}

test('the corpus README lists the 17 documents', { skip: haveCorpus ? false : 'the shared corpus is not beside the repository' }, () => {
  assert.equal(entries.length, 17);
  assert.equal(entries.reduce((n, e) => n + e.operations, 0), 697);
});

for (const entry of entries) {
  test(`corpus ${entry.file}: imports ${entry.operations} operations, exports and re-imports them`, async () => {
    const started = performance.now();
    const imported = await importEntry(entry.file);
    const elapsed = performance.now() - started;
    if (entry.file === 'openai/openapi.yaml') {
      // Recorded, not asserted: the goal for the largest document is under 2 s.
      console.log(`# parse+map of ${entry.file} (${readFileSync(join(corpus, entry.file)).length} bytes): ${elapsed.toFixed(0)} ms`);
    }

    assert.equal(imported.operations.length, entry.operations);
    assert.equal(imported.webhooks.length, entry.webhooks);
    assert.equal(new Set(imported.operations.map((o) => o.name)).size, entry.operations, 'operation names are unique');
    for (const op of imported.operations) {
      assert.match(op.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(op.name.length <= 80);
      assert.ok(op.properties.displayName.length >= 1 && op.properties.displayName.length <= 300);
      assert.ok(op.properties.urlTemplate.startsWith('/'));
    }
    // Every document type is kept (inline schemas are added beside them).
    assert.ok(typeNames(imported).length >= entry.schemas);
    if (entry.webhooks > 0) assert.ok(imported.document.webhooks, 'webhooks stay in the stored definition');

    const api = { ...imported.api, path: 'corpus' };
    for (const format of ['openapi+json', 'openapi', 'swagger-json'] as ExportFormat[]) {
      const text = exportDefinition({ api, operations: imported.operations, schemas: imported.schemas, tags: imported.tags }, { format, gatewayUrl: 'https://gateway.example.test' });
      const again = await importDefinition({ format, value: text });
      const dialect = format === 'swagger-json' ? 'swagger' : 'openapi';
      assert.equal(again.operations.length, entry.operations, `${format} export keeps every operation`);
      assert.deepEqual(
        again.operations.map((o) => signature(o, dialect)),
        imported.operations.map((o) => signature(o, dialect)),
        `${format} export re-imports with the same operations`,
      );
      assert.equal(again.api.serviceUrl, 'https://gateway.example.test/corpus');
      assert.deepEqual(typeNames(again).sort(), typeNames(imported).sort());
    }
  });
}

test('corpus: the multi-file Swagger example names its types after the files it references', { skip: haveCorpus ? false : 'the shared corpus is not beside the repository' }, async () => {
  const imported = await importEntry(multiFile);
  assert.ok(server);
  assert.deepEqual(
    [...new Set(server.requests)].sort(),
    ['/common/Error.yaml', '/spec/NewPet.yaml', '/spec/Pet.yaml', '/spec/parameters.yaml', '/spec/swagger.yaml'],
  );
  const types = imported.schemas[0].properties.document?.definitions as Record<string, unknown>;
  assert.deepEqual(types.Findpets200Response, { type: 'array', items: { $ref: '#/definitions/Pet' } });
  assert.ok(types.Pet);
  const byName = new Map(imported.operations.map((o) => [o.name, o.properties]));
  assert.equal(byName.get('addpet')?.request?.representations?.[0].typeName, 'NewPet');
  assert.equal(byName.get('addpet')?.responses?.[0].representations?.[0].typeName, 'Pet');
  assert.equal(byName.get('find-pet-by-id')?.responses?.[0].representations?.[0].typeName, 'Pet');
  assert.deepEqual(byName.get('findpets')?.request?.queryParameters?.map((q) => q.name), ['tags', 'limit']);
  assert.deepEqual(byName.get('find-pet-by-id')?.templateParameters?.map((p) => [p.name, p.type]), [['id', 'integer']]);
});

test('corpus: an OpenAPI 3 export re-imports with identical operations, representations and examples included', { skip: haveCorpus ? false : 'the shared corpus is not beside the repository' }, async () => {
  const withoutSchemaId = (value: unknown) => JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'schemaId' ? undefined : v))) as unknown;
  for (const file of ['oai-examples/v3.0/uspto.yaml', 'redocly-museum/openapi.yaml', 'twilio/twilio_messaging_v1.json', 'box/openapi.json']) {
    const imported = await importEntry(file);
    const text = exportDefinition(imported, { format: 'openapi+json', gatewayUrl: 'https://gateway.example.test' });
    const again = await importDefinition({ format: 'openapi+json', value: text });
    assert.deepEqual(withoutSchemaId(again.operations), withoutSchemaId(imported.operations), file);
    assert.deepEqual(again.tags, imported.tags, file);
  }
});
