import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { detectFormat } from '../src/cli/api-commands.ts';
import { startAtrium, TEST_ADMIN_KEY, type RunningAtrium } from './support/atrium.ts';

/** `atrium api import` and `atrium api export` as a pipeline runs them, against a running Atrium. */
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const PETSTORE = fileURLToPath(new URL('../../shared/corpus/openapi/oai-examples/v3.0/petstore.yaml', import.meta.url));

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('atrium api import / export', { skip: existsSync(PETSTORE) ? false : 'the shared corpus is missing' }, () => {
  let atrium: RunningAtrium;
  const dir = mkdtempSync(join(tmpdir(), 'atrium-cli-api-'));
  before(async () => {
    atrium = await startAtrium();
    await atrium.call('PUT', '/workspaces/pets-team', { properties: { displayName: 'Pets' } });
  });
  after(async () => {
    await atrium?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a file into a workspace API and exports it again', async () => {
    const imported = await run(['api', 'import', PETSTORE, '--api', 'pets', '--workspace', 'pets-team', '--url', atrium.url], { ATRIUM_KEY: TEST_ADMIN_KEY });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /Created \/workspaces\/pets-team\/apis\/pets .*3 operations/);
    const output = join(dir, 'pets.json');
    const exported = await run(['api', 'export', '--api', 'pets', '--workspace', 'pets-team', '--url', atrium.url, '--key', TEST_ADMIN_KEY, '--output', output]);
    assert.equal(exported.code, 0, exported.stderr);
    const doc = JSON.parse(readFileSync(output, 'utf8'));
    assert.equal(Object.keys(doc.paths).length, 2);
    const again = await run(['api', 'import', output, '--api', 'pets', '--workspace', 'pets-team', '--url', atrium.url, '--key', TEST_ADMIN_KEY]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Updated .*3 operations/);
  });

  it('fails clearly on a bad definition, a missing file, a wrong key and missing arguments', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'openapi: 3.0.0\ninfo: [');
    const res = await run(['api', 'import', bad, '--api', 'broken', '--url', atrium.url, '--key', TEST_ADMIN_KEY]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /import failed \(400\)/);
    assert.equal((await atrium.call('GET', '/apis/broken')).status, 404);
    assert.match((await run(['api', 'import', join(dir, 'none.yaml'), '--api', 'x', '--url', atrium.url, '--key', TEST_ADMIN_KEY])).stderr, /cannot read/);
    assert.match((await run(['api', 'export', '--api', 'pets', '--workspace', 'pets-team', '--url', atrium.url, '--key', 'wrong-key-0123456789'])).stderr, /export failed \(401\)/);
    assert.equal((await run(['api', 'import', PETSTORE, '--url', atrium.url, '--key', TEST_ADMIN_KEY])).code, 2);
  });

  it('detects the import format from the source', () => {
    assert.equal(detectFormat('https://x/openapi.json', undefined), 'openapi+json-link');
    assert.equal(detectFormat('https://x/openapi.yaml', undefined), 'openapi-link');
    assert.equal(detectFormat('a.json', '{"swagger": "2.0"}'), 'swagger-json');
    assert.equal(detectFormat('a.json', '{"openapi": "3.1.0"}'), 'openapi+json');
    assert.equal(detectFormat('a.yaml', 'openapi: 3.0.0'), 'openapi');
  });
});
