import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

/** `atrium start` as a user runs it: a real process on the embedded store. */
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

function start(dataDir: string, env: Record<string, string> = {}): { child: ChildProcess; output: Promise<string> } {
  const child = spawn(process.execPath, [MAIN, 'start'], {
    env: { ...process.env, ATRIUM_DATA_DIR: dataDir, ATRIUM_MANAGEMENT_PORT: '0', ATRIUM_GATEWAY_PORT: '0', ATRIUM_PORTAL_PORT: '0', ATRIUM_ADMIN_KEY: '', ATRIUM_DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const output = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up banner; output so far:\n${text}`)), 20_000);
    const check = (): void => {
      if (/Atrium is running[\s\S]*Admin key[^\n]*\n/.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`atrium exited with ${code}:\n${text}`));
    });
  });
  return { child, output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('atrium start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'atrium-cli-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints where to go and a generated admin key once, which then works; a restart keeps data and does not print it again', async () => {
    const first = start(dataDir);
    const banner = await first.output;
    const url = /Management API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
    const key = /Admin key \(shown once[^:]*\): (\S+)/.exec(banner)?.[1];
    assert.ok(url, banner);
    assert.ok(key, banner);
    assert.equal((await fetch(`${url}/health`)).status, 200);
    assert.equal((await fetch(`${url}/apis`)).status, 401);
    const created = await fetch(`${url}/workspaces/cli`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { displayName: 'CLI' } }),
    });
    assert.equal(created.status, 201);
    assert.equal(await stop(first.child), 0);
    // The key is stored only as a hash.
    assert.ok(!readFileSync(join(dataDir, 'atrium.db')).includes(key!));

    const second = start(dataDir);
    const banner2 = await second.output;
    assert.ok(!banner2.includes(key!), banner2);
    assert.match(banner2, /printed on first start/);
    const url2 = /Management API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(banner2)![1];
    const read = await fetch(`${url2}/workspaces/cli`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(read.status, 200);
    assert.equal(await stop(second.child), 0);
  });

  it('fails with a clear message on a bad configuration', async () => {
    const child = spawn(process.execPath, [MAIN, 'start'], { env: { ...process.env, ATRIUM_DATA_DIR: dataDir, ATRIUM_MANAGEMENT_PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, /ATRIUM_MANAGEMENT_PORT must be a port number/);
  });
});
