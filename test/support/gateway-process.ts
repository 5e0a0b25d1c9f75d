import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** `atrium gateway --gateway <id>` as a real process, on ephemeral gateway and metrics ports. */
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly metricsUrl: string;
  output(): string;
}

export async function startGatewayProcess(env: Record<string, string>, gatewayId = 'managed'): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [MAIN, 'gateway', '--gateway', gatewayId], {
    env: { ...process.env, ATRIUM_GATEWAY_PORT: '0', ATRIUM_METRICS_PORT: '0', ATRIUM_MANAGEMENT_PORT: '0', ATRIUM_PORTAL_PORT: '0', ATRIUM_DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner:\n${text}`)), 20_000);
    const check = (): void => {
      if (/Metrics\s+\S+\/metrics/.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`atrium gateway exited with ${code}:\n${text}`));
    });
  });
  const url = /Gateway\s+(http:\/\/\S+)/.exec(banner)?.[1];
  const metricsUrl = /Metrics\s+(http:\/\/\S+)\/metrics/.exec(banner)?.[1];
  assert.ok(url && metricsUrl, banner);
  return { child, url, metricsUrl, output: () => text };
}

export async function stopProcess(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}
