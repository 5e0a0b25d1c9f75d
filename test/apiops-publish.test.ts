import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAtrium, type RunningAtrium } from './support/atrium.ts';
import { apiopsArtifacts, apiopsArtifactsMissing } from './support/corpus.ts';

/**
 * Publishes the public APIOps sample artifacts through the REST API as an APIOps publisher
 * would (its information files as request bodies, unchanged), at service level and again
 * inside a workspace, and reads everything back.
 */
const ARTIFACTS = apiopsArtifacts;

const readJson = (...parts: string[]): { properties?: Record<string, unknown> } => JSON.parse(readFileSync(join(ARTIFACTS, ...parts), 'utf8'));
const dirs = (...parts: string[]): string[] => {
  const dir = join(ARTIFACTS, ...parts);
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
};
const text = (...parts: string[]): string => readFileSync(join(ARTIFACTS, ...parts), 'utf8');

/** Every PUT an APIOps publisher makes for the samples, in dependency order (operation policies need imported operations). */
function publishPlan(prefix: string): { path: string; body: unknown }[] {
  const plan: { path: string; body: unknown }[] = [];
  const add = (path: string, body: unknown): void => {
    plan.push({ path: prefix + path, body });
  };
  for (const name of dirs('named values')) add(`/namedValues/${name}`, readJson('named values', name, 'namedValueInformation.json'));
  for (const name of dirs('loggers')) add(`/loggers/${name}`, readJson('loggers', name, 'loggerInformation.json'));
  for (const name of dirs('backends')) add(`/backends/${name}`, readJson('backends', name, 'backendInformation.json'));
  for (const name of dirs('diagnostics')) add(`/diagnostics/${name}`, readJson('diagnostics', name, 'diagnosticInformation.json'));
  for (const name of dirs('version sets')) add(`/apiVersionSets/${name}`, readJson('version sets', name, 'versionSetInformation.json'));
  for (const name of dirs('tags')) add(`/tags/${name}`, readJson('tags', name, 'tagInformation.json'));
  for (const name of dirs('policy fragments')) {
    const info = readJson('policy fragments', name, 'policyFragmentInformation.json');
    add(`/policyFragments/${name}`, { properties: { ...info.properties, value: text('policy fragments', name, 'policy.xml'), format: 'rawxml' } });
  }
  for (const name of dirs('apis')) {
    add(`/apis/${name}`, readJson('apis', name, 'apiInformation.json'));
    if (existsSync(join(ARTIFACTS, 'apis', name, 'policy.xml'))) add(`/apis/${name}/policies/policy`, { properties: { value: text('apis', name, 'policy.xml'), format: 'rawxml' } });
    for (const diag of dirs('apis', name, 'diagnostics')) add(`/apis/${name}/diagnostics/${diag}`, readJson('apis', name, 'diagnostics', diag, 'diagnosticInformation.json'));
  }
  for (const name of dirs('products')) {
    add(`/products/${name}`, readJson('products', name, 'productInformation.json'));
    add(`/products/${name}/policies/policy`, { properties: { value: text('products', name, 'policy.xml'), format: 'rawxml' } });
    for (const api of dirs('products', name, 'apis')) add(`/products/${name}/apis/${api}`, undefined);
  }
  for (const name of dirs('tags')) {
    for (const api of dirs('tags', name, 'apis')) add(`/apis/${api}/tags/${name}`, undefined);
    for (const product of dirs('tags', name, 'products')) add(`/products/${product}/tags/${name}`, undefined);
  }
  for (const name of dirs('subscriptions')) add(`/subscriptions/${name}`, readJson('subscriptions', name, 'subscriptionInformation.json'));
  if (prefix === '') add('/policies/policy', { properties: { value: text('policy.xml'), format: 'rawxml' } });
  return plan;
}

describe('APIOps sample artifacts', { skip: apiopsArtifactsMissing }, () => {
  let atrium: RunningAtrium;
  before(async () => {
    atrium = await startAtrium();
  });
  after(() => atrium?.close());

  it('publishes at service level and reads every resource back', async () => {
    const plan = publishPlan('');
    assert.ok(plan.length >= 45, `only ${plan.length} calls planned`);
    for (const { path, body } of plan) {
      const res = await atrium.call('PUT', path, body);
      assert.ok(res.status === 201 || res.status === 200, `PUT ${path}: ${res.status} ${res.text}`);
      const read = await atrium.call('GET', path);
      assert.equal(read.status, 200, `GET ${path}`);
    }
    assert.equal((await atrium.call('GET', '/apis')).body.count, 8);
    assert.deepEqual(
      (await atrium.call('GET', '/products/product2/apis')).body.value.map((a: { name: string }) => a.name),
      ['graphql-api', 'soap-api', 'versioned-api-v2', 'wadl-api'],
    );
    assert.equal((await atrium.call('GET', '/tags/tag2/apiLinks')).body.count, 3);
    assert.equal((await atrium.call('GET', '/apis/revisioned-api;rev=2')).body.properties.apiRevision, '2');
    assert.equal((await atrium.call('GET', '/apis/revisioned-api;rev=2')).body.properties.isCurrent, false);
    assert.equal((await atrium.call('GET', '/apis/revisioned-api')).body.properties.isCurrent, true);
  });

  it('publishes the same artifacts into a workspace once the service-level names are gone', async () => {
    // Names are unique in the whole service, so the service-level copies must go first.
    for (const { path } of publishPlan('').reverse()) {
      const res = await atrium.call('DELETE', path);
      assert.ok(res.status === 200 || res.status === 204, `DELETE ${path}: ${res.status} ${res.text}`);
    }
    assert.equal((await atrium.call('PUT', '/workspaces/team', { properties: { displayName: 'Team' } })).status, 201);
    for (const { path, body } of publishPlan('/workspaces/team')) {
      const res = await atrium.call('PUT', path, body);
      assert.ok(res.status === 201 || res.status === 200, `PUT ${path}: ${res.status} ${res.text}`);
    }
    const subscription = await atrium.call('GET', '/workspaces/team/subscriptions/subscription1');
    assert.equal(subscription.body.properties.scope, '/products/product1');
    assert.equal((await atrium.call('GET', '/workspaces/team/apis')).body.count, 8);
    assert.equal((await atrium.call('GET', '/apis')).body.count, 0);
  });
});
