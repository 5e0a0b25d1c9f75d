import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/**
 * `atrium api import <file|url> --api <id> [--workspace <ws>]` and `atrium api export --api <id>`:
 * clients of the management REST API (the same import code runs behind `PUT …/apis/{id}`), for
 * DevOps pipelines. The management URL and key come from `--url`/`--key`, or
 * `ATRIUM_MANAGEMENT_URL` and `ATRIUM_KEY` (falling back to `ATRIUM_ADMIN_KEY`).
 */
export const API_USAGE = `Usage:
  atrium api import <file|url> --api <id> [--workspace <ws>] [--path <path>] [--format <format>] [--display-name <name>]
  atrium api export --api <id> [--workspace <ws>] [--format openapi+json|openapi|swagger-json] [--output <file>]

Options for both: --url <management URL> (or ATRIUM_MANAGEMENT_URL, default http://127.0.0.1:$ATRIUM_MANAGEMENT_PORT or 8001)
                  --key <bearer key> (or ATRIUM_KEY, or ATRIUM_ADMIN_KEY)`;

const common = {
  api: { type: 'string' },
  workspace: { type: 'string' },
  format: { type: 'string' },
  url: { type: 'string' },
  key: { type: 'string' },
} as const;

export async function apiCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'import') return importCommand(rest, env);
  if (sub === 'export') return exportCommand(rest, env);
  console.error(API_USAGE);
  return 2;
}

function target(values: { api?: string; workspace?: string; url?: string; key?: string }, env: NodeJS.ProcessEnv): { url: string; key: string } | string {
  if (!values.api) return '--api <id> is required';
  const key = values.key ?? env.ATRIUM_KEY ?? env.ATRIUM_ADMIN_KEY;
  if (!key) return 'a key is required: --key, ATRIUM_KEY or ATRIUM_ADMIN_KEY';
  const base = (values.url ?? env.ATRIUM_MANAGEMENT_URL ?? `http://127.0.0.1:${env.ATRIUM_MANAGEMENT_PORT || 8001}`).replace(/\/+$/, '');
  const scope = values.workspace ? `/workspaces/${encodeURIComponent(values.workspace)}` : '';
  return { url: `${base}${scope}/apis/${encodeURIComponent(values.api)}`, key };
}

/** Guesses Azure's import format from the source: a URL is a link, JSON with `swagger` is Swagger. */
export function detectFormat(source: string, content: string | undefined): string {
  const isUrl = /^https?:\/\//i.test(source);
  const text = (content ?? '').trimStart();
  if (isUrl) return /\.json($|\?)/i.test(source) ? 'openapi+json-link' : 'openapi-link';
  if (text.startsWith('{')) return /"swagger"\s*:/.test(text.slice(0, 2000)) ? 'swagger-json' : 'openapi+json';
  return 'openapi';
}

async function importCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { ...common, path: { type: 'string' }, 'display-name': { type: 'string' } },
  });
  const source = positionals[0];
  const where = target(values, env);
  if (!source || typeof where === 'string') {
    console.error(`atrium: ${typeof where === 'string' ? where : 'the definition file or URL is required'}\n\n${API_USAGE}`);
    return 2;
  }
  const isUrl = /^https?:\/\//i.test(source);
  let content: string | undefined;
  if (!isUrl) {
    try {
      content = readFileSync(source, 'utf8');
    } catch (error) {
      console.error(`atrium: cannot read ${source}: ${(error as Error).message}`);
      return 1;
    }
  }
  const format = values.format ?? detectFormat(source, content);
  const properties: Record<string, unknown> = { format, value: isUrl ? source : content, path: values.path ?? values.api };
  if (values['display-name']) properties.displayName = values['display-name'];
  const res = await fetch(where.url, {
    method: 'PUT',
    headers: { authorization: `Bearer ${where.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ properties }),
  });
  const body = (await res.json().catch(() => undefined)) as { error?: { message: string; details?: { target?: string; message: string }[] } } | undefined;
  if (!res.ok) {
    console.error(`atrium: import failed (${res.status}): ${body?.error?.message ?? res.statusText}`);
    for (const detail of body?.error?.details ?? []) console.error(`  ${detail.target ?? ''} ${detail.message}`);
    return 1;
  }
  const operations = await fetch(`${where.url}/operations?$top=1`, { headers: { authorization: `Bearer ${where.key}` } }).then((r) => r.json() as Promise<{ count?: number }>);
  console.log(`${res.status === 201 ? 'Created' : 'Updated'} ${new URL(where.url).pathname} from ${source} (${format}): ${operations.count ?? 0} operations.`);
  return 0;
}

async function exportCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { ...common, output: { type: 'string' } } });
  const where = target(values, env);
  if (typeof where === 'string') {
    console.error(`atrium: ${where}\n\n${API_USAGE}`);
    return 2;
  }
  const format = values.format ?? 'openapi+json';
  const res = await fetch(`${where.url}?export=true&format=${encodeURIComponent(format)}`, { headers: { authorization: `Bearer ${where.key}` } });
  const text = await res.text();
  if (!res.ok) {
    let message = res.statusText;
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {
      // not Azure's envelope
    }
    console.error(`atrium: export failed (${res.status}): ${message}`);
    return 1;
  }
  if (values.output) writeFileSync(values.output, text);
  else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
