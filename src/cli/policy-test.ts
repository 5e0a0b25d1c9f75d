import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AtriumError } from '../model/errors.ts';
import { formatPolicyTest, runPolicyTest } from '../policy/runtime/index.ts';
import type { PolicyTestOptions, PolicyTestRequest } from '../policy/runtime/test-run.ts';

/**
 * `atrium policy test <policy.xml>`: runs a policy document against a recorded or hand-written
 * request with a stubbed backend, on the gateway's own policy engine, and prints what each step did.
 */
export const POLICY_TEST_USAGE = `Usage: atrium policy test <policy.xml> [options]

  --request <file.json>       the request (and optionally the backend answer and named values) as JSON:
                              { "method", "url", "headers": {}, "body", "subscription": { "name" },
                                "backend": { "status", "headers": {}, "body" }, "namedValues": {} }
  --method <GET>  --url </items/1?x=1>  --header 'Name: value' (repeatable)  --body <text|@file>
  --backend-status <200>  --backend-header 'Name: value'  --backend-body <text|@file>
  --named-value name=value (repeatable)   --format rawxml|xml (default rawxml)   --json`;

export async function policyCommand(args: readonly string[]): Promise<number> {
  if (args[0] !== 'test') {
    console.error(POLICY_TEST_USAGE);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: args.slice(1),
    allowPositionals: true,
    options: {
      request: { type: 'string' },
      method: { type: 'string' },
      url: { type: 'string' },
      header: { type: 'string', multiple: true },
      body: { type: 'string' },
      'backend-status': { type: 'string' },
      'backend-header': { type: 'string', multiple: true },
      'backend-body': { type: 'string' },
      'named-value': { type: 'string', multiple: true },
      format: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (!file) {
    console.error(`atrium: the policy document is required\n\n${POLICY_TEST_USAGE}`);
    return 2;
  }
  let options: PolicyTestOptions;
  try {
    const recorded = values.request ? (JSON.parse(readFileSync(values.request, 'utf8')) as Record<string, unknown>) : {};
    const recordedBackend = (recorded.backend ?? {}) as { status?: number; headers?: Record<string, string>; body?: string };
    const request: PolicyTestRequest = {
      method: values.method ?? (recorded.method as string | undefined) ?? 'GET',
      url: values.url ?? (recorded.url as string | undefined) ?? '/',
      headers: { ...((recorded.headers as Record<string, string> | undefined) ?? {}), ...pairs(values.header, ':') },
      body: values.body !== undefined ? content(values.body) : (recorded.body as string | undefined),
      subscription: recorded.subscription as PolicyTestRequest['subscription'],
    };
    options = {
      document: readFileSync(file, 'utf8'),
      format: values.format === 'xml' ? 'xml' : 'rawxml',
      request,
      backend: {
        status: values['backend-status'] ? Number(values['backend-status']) : recordedBackend.status ?? 200,
        headers: { ...(recordedBackend.headers ?? { 'content-type': 'application/json' }), ...pairs(values['backend-header'], ':') },
        body: values['backend-body'] !== undefined ? content(values['backend-body']) : recordedBackend.body ?? '{}',
      },
      namedValues: { ...((recorded.namedValues as Record<string, string> | undefined) ?? {}), ...pairs(values['named-value'], '=') },
    };
  } catch (error) {
    console.error(`atrium: ${(error as Error).message}`);
    return 1;
  }
  try {
    const result = await runPolicyTest(options);
    console.log(values.json ? JSON.stringify(result, null, 2) : formatPolicyTest(result));
    return 0;
  } catch (error) {
    if (error instanceof AtriumError) {
      console.error(`atrium: ${file}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function pairs(list: readonly string[] | undefined, separator: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const at = item.indexOf(separator);
    if (at <= 0) throw new Error(`'${item}' is not name${separator}value`);
    out[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return out;
}

/** `@file` reads a file; anything else is the text itself. */
function content(value: string): string {
  return value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
}
