import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { DEFAULT_NAME_PATTERN } from '../registry.ts';
import type { ResourceTypeDef } from '../resource-type.ts';
import { getResourceType } from './index.ts';
import { apiopsArtifacts, apiopsArtifactsMissing } from '../../../test/support/corpus.ts';

/**
 * APIOps "service directory" artifacts (the shared corpus, never copied into the repository):
 * every information file must be accepted as the engine would accept it — read-only properties
 * dropped, the type's prepare applied, then the schema.
 */
const artifacts = apiopsArtifacts;
/** Without the corpus next to the checkout these tests skip, as every corpus test does. */
const skip = apiopsArtifactsMissing;

/** Information file → kind, as in the corpus README's layout. */
const informationFiles: Readonly<Record<string, string>> = {
  'apiInformation.json': 'apis',
  'diagnosticInformation.json': 'diagnostics',
  'apiReleaseInformation.json': 'apiReleases',
  'apiSchemaInformation.json': 'apiSchemas',
  'backendInformation.json': 'backends',
  'gatewayInformation.json': 'gateways',
  'groupInformation.json': 'groups',
  'loggerInformation.json': 'loggers',
  'namedValueInformation.json': 'namedValues',
  'policyFragmentInformation.json': 'policyFragments',
  'productInformation.json': 'products',
  'productApiInformation.json': 'productApiLinks',
  'productGroupInformation.json': 'productGroupLinks',
  'subscriptionInformation.json': 'subscriptions',
  'tagInformation.json': 'tags',
  'tagApiInformation.json': 'tagApiLinks',
  'tagProductInformation.json': 'tagProductLinks',
  'versionSetInformation.json': 'apiVersionSets',
  'workspaceInformation.json': 'workspaces',
};

/** The kind of an information file; diagnostics under an API folder are API diagnostics. */
function kindOf(where: string): string {
  const parts = where.split('/');
  const kind = informationFiles[parts.at(-1)!];
  return kind === 'diagnostics' && parts.at(-5) === 'apis' ? 'apiDiagnostics' : kind;
}

/**
 * The policy kind of the folder holding a policy.xml (`''` is the service). Policy fragment
 * documents are not policies: they are merged into their fragment's properties.
 */
function policyKindOf(folder: string): string | undefined {
  if (folder === '') return 'policies';
  const collection = folder.split('/').at(-2);
  if (collection === 'apis') return 'apiPolicies';
  if (collection === 'operations') return 'apiOperationPolicies';
  if (collection === 'products') return 'productPolicies';
  return undefined;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const random = (bytes: number): string => '0f'.repeat(bytes);

function accept(def: ResourceTypeDef, name: string, properties: Record<string, unknown>): string[] {
  const pattern = def.namePattern ?? DEFAULT_NAME_PATTERN;
  const problems: string[] = [];
  if (!pattern.test(name)) problems.push(`name '${name}' does not match ${pattern}`);
  const stripped = Object.fromEntries(Object.entries(properties).filter(([k]) => !def.readOnly?.includes(k)));
  const prepared = def.prepare ? def.prepare({ name, properties: stripped, workspace: undefined, random, now: new Date() }) : stripped;
  for (const error of Value.Errors(def.schema, prepared)) problems.push(`${error.path}: ${error.message}`);
  return problems;
}

test('the APIOps sample artifacts are in the shared corpus', { skip }, () => {
  assert.ok(existsSync(artifacts), `expected the corpus at ${artifacts}`);
});

test('every APIOps information file validates against the schema of its kind', { skip }, () => {
  const files = walk(artifacts).filter((f) => f.endsWith('.json') && informationFiles[basename(f)] !== undefined);
  assert.ok(files.length >= 30, `found ${files.length} information files`);
  const seen = new Set<string>();
  let linkMarkers = 0;
  for (const file of files) {
    const where = relative(artifacts, file);
    const body = JSON.parse(readFileSync(file, 'utf8')) as { properties?: Record<string, unknown> };
    if (Object.keys(body).length === 0) {
      linkMarkers++; // the file's presence is the link; the publisher derives its properties
      continue;
    }
    const def = getResourceType(kindOf(where))!;
    const properties = { ...(body.properties ?? {}) };
    if (def.kind === 'policyFragments') {
      // The publisher sends the fragment document from the sibling policy.xml, as rawxml.
      properties.value = readFileSync(join(dirname(file), 'policy.xml'), 'utf8');
      properties.format = 'rawxml';
    }
    const name = basename(dirname(file));
    assert.deepEqual(accept(def, name, properties), [], `${where} (${def.kind})`);
    seen.add(def.kind);
  }
  const expected = ['apis', 'apiDiagnostics', 'apiVersionSets', 'backends', 'diagnostics', 'loggers', 'namedValues', 'policyFragments', 'products', 'subscriptions', 'tags'];
  assert.deepEqual([...seen].sort(), expected.sort());
  assert.ok(linkMarkers > 0, 'link markers were seen and skipped');
});

test('every APIOps policy document is a valid policy body of its scope', { skip }, () => {
  const files = walk(artifacts).filter((f) => basename(f) === 'policy.xml');
  let checked = 0;
  for (const file of files) {
    const folder = relative(artifacts, dirname(file));
    const kind = policyKindOf(folder);
    if (kind === undefined) {
      assert.match(folder, /policy fragments\//, `${folder}/policy.xml is a fragment document`);
      continue;
    }
    const def = getResourceType(kind)!;
    const properties = { value: readFileSync(file, 'utf8'), format: 'rawxml' };
    assert.deepEqual(accept(def, 'policy', properties), [], `${folder}/policy.xml (${kind})`);
    checked++;
  }
  assert.ok(checked >= 8, `checked ${checked} policy documents`);
});

test('a revision folder name is an API name and becomes that revision', { skip }, () => {
  const apis = getResourceType('apis')!;
  const body = JSON.parse(readFileSync(join(artifacts, 'apis', 'revisioned-api;rev=2', 'apiInformation.json'), 'utf8'));
  const prepared = apis.prepare!({ name: 'revisioned-api;rev=2', properties: body.properties, workspace: undefined, random, now: new Date() });
  assert.equal(prepared.apiRevision, '2');
  assert.equal(prepared.isCurrent, false);
});
