import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { policyCatalog } from './registry.ts';
import type { ElementSchema } from '../policy/catalog/types.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Every element name a schema declares, policy or child, with the parents it may appear under. */
function declaredElements(): Map<string, Set<string>> {
  const parents = new Map<string, Set<string>>();
  const seen = new Set<ElementSchema>();
  const visit = (schema: ElementSchema, parent: string) => {
    if (!parents.has(schema.name)) parents.set(schema.name, new Set());
    parents.get(schema.name)!.add(parent);
    if (seen.has(schema)) return;
    seen.add(schema);
    if (schema.content.kind === 'elements') for (const child of schema.content.elements) visit(child.element, schema.name);
  };
  for (const schema of policyCatalog.values()) visit(schema, '(section)');
  return parents;
}

test('each policy folder holds the schema of the policy of the same name, and the registry lists it', () => {
  const folders = readdirSync(here).filter((name) => statSync(new URL(name, new URL('.', import.meta.url))).isDirectory());
  assert.ok(folders.length >= 45);
  for (const folder of folders) {
    assert.ok(existsSync(`${here}${folder}/schema.ts`), `${folder}/schema.ts`);
    assert.equal(policyCatalog.get(folder)?.name, folder, `registry entry for ${folder}`);
  }
});

test('the catalog covers the policies of the issue and Azure’s common policies', () => {
  const expected = [
    'base', 'choose', 'set-variable', 'set-header', 'set-query-parameter', 'set-method', 'set-status', 'set-body', 'rewrite-uri',
    'set-backend-service', 'forward-request', 'return-response', 'mock-response', 'check-header', 'ip-filter', 'cors', 'validate-jwt',
    'authentication-basic', 'rate-limit', 'rate-limit-by-key', 'quota', 'quota-by-key', 'limit-concurrency', 'cache-lookup',
    'cache-store', 'cache-lookup-value', 'cache-store-value', 'cache-remove-value', 'send-request', 'send-one-way-request', 'retry',
    'wait', 'json-to-xml', 'xml-to-json', 'find-and-replace', 'redirect-content-urls', 'include-fragment', 'trace', 'emit-metric',
    'validate-content', 'validate-parameters', 'validate-headers', 'validate-status-code', 'jsonp', 'log-to-eventhub',
  ];
  for (const name of expected) assert.equal(policyCatalog.get(name)?.support, 'supported', name);
  assert.equal(policyCatalog.get('authentication-managed-identity')?.support, 'accepted');
  for (const name of ['authentication-certificate', 'validate-azure-ad-token', 'xsl-transform', 'cross-domain', 'proxy']) {
    assert.equal(policyCatalog.get(name)?.support, 'unsupported', name);
    assert.ok(policyCatalog.get(name)?.note, `${name} says why it is unsupported`);
  }
});

const analysis = fileURLToPath(new URL('../../../shared/corpus/azure-policy-snippets/analysis.json', import.meta.url));

test('every element name of the corpus analysis is declared, under the parents the corpus uses', { skip: existsSync(analysis) ? false : 'the shared corpus is not next to this checkout' }, () => {
  const elements = JSON.parse(readFileSync(analysis, 'utf8')).elements_primary as { element: string; parents: Record<string, number> }[];
  assert.equal(elements.length, 46);
  const declared = declaredElements();
  const sections = new Set(['inbound', 'backend', 'outbound', 'on-error', 'fragment']);
  const containers = new Set(['when', 'otherwise', 'retry', 'wait', 'limit-concurrency']);
  for (const { element, parents } of elements) {
    assert.ok(declared.has(element), `<${element}> is declared`);
    for (const parent of Object.keys(parents)) {
      const asPolicy = sections.has(parent) || containers.has(parent);
      const ok = asPolicy ? policyCatalog.has(element) : declared.get(element)!.has(parent);
      assert.ok(ok, `<${element}> under <${parent}>`);
    }
  }
});

test('schemas are consistent: enum attributes list values, bounds are ordered, policies name a section', () => {
  const check = (schema: ElementSchema, seen: Set<ElementSchema>) => {
    if (seen.has(schema)) return;
    seen.add(schema);
    const names = schema.attributes.map((a) => a.name);
    assert.equal(new Set(names).size, names.length, `duplicate attribute in <${schema.name}>`);
    for (const attribute of schema.attributes) {
      if (attribute.type === 'enum') assert.ok(attribute.values && attribute.values.length > 0, `${schema.name}@${attribute.name}`);
      if (attribute.min !== undefined && attribute.max !== undefined) assert.ok(attribute.min <= attribute.max);
    }
    for (const group of schema.exclusive ?? []) for (const name of group.names) assert.ok(names.includes(name), `${schema.name}: ${name}`);
    if (schema.content.kind === 'elements') for (const child of schema.content.elements) check(child.element, seen);
  };
  const seen = new Set<ElementSchema>();
  for (const schema of policyCatalog.values()) {
    assert.ok(schema.sections.length > 0, schema.name);
    assert.ok(schema.summary.length > 0, schema.name);
    check(schema, seen);
  }
});
