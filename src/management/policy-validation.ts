import { assertValidPolicyDocument, parsePolicyDocument, PolicyError, validatePolicyDocument, type PolicyScope } from '../policy/index.ts';
import { AtriumError } from '../model/errors.ts';
import { keyOf } from '../model/registry.ts';
import type { StoreReader } from '../store/index.ts';
import type { ResourceValidator } from './engine.ts';

/**
 * Policy documents and fragments are parsed and validated when they are saved: a document that
 * does not parse, names an unknown or unsupported policy, misplaces one, or refers to a fragment
 * or named value its workspace does not have is rejected with its line and column.
 */
const scopeOfKind: Readonly<Record<string, PolicyScope | 'fragment'>> = {
  policies: 'global',
  productPolicies: 'product',
  apiPolicies: 'api',
  apiOperationPolicies: 'operation',
  policyFragments: 'fragment',
};

export function createPolicyValidators(): Record<string, ResourceValidator> {
  const validator: ResourceValidator = async ({ path, properties, reader }) => {
    const kind = path.steps.at(-1)!.def.kind;
    let scope = scopeOfKind[kind];
    if (scope === 'global' && path.workspace !== undefined) scope = 'workspace';
    const format = String(properties.format ?? 'xml');
    if (format.endsWith('-link')) {
      throw new AtriumError('VALIDATION_FAILED', `Policy format '${format}' (a link) is not supported; send the document itself as xml or rawxml.`, [
        { code: 'ValidationError', target: 'properties.format', message: 'links are not fetched' },
      ]);
    }
    const text = String(properties.value ?? '');
    const names = await namesInScope(reader, path.workspace);
    const requireBase = path.workspace !== undefined && scope !== 'fragment' && (await governanceOf(reader)) === 'enforce';
    try {
      const document = parsePolicyDocument(text, { format: format === 'rawxml' ? 'rawxml' : 'xml' });
      if (scope === 'fragment' && document.root.name !== 'fragment') {
        throw new AtriumError('VALIDATION_FAILED', 'A policy fragment must be a <fragment> document.', [{ code: 'ValidationError', target: 'properties.value', message: 'expected <fragment>' }]);
      }
      assertValidPolicyDocument(document, {
        scope: scope === 'fragment' ? undefined : scope,
        requireBase,
        fragmentExists: (id) => names.fragments.has(id.toLowerCase()),
        namedValueExists: (name) => names.namedValues.has(name.toLowerCase()),
        backendExists: (id) => names.backends.has(id.toLowerCase()),
        loggerExists: (id) => names.loggers.has(id.toLowerCase()),
      });
    } catch (error) {
      if (error instanceof PolicyError) {
        throw new AtriumError(
          error.code,
          `The policy document is not valid: ${error.message}`,
          error.errors.slice(0, 20).map((e) => ({ code: e.code, target: 'properties.value', message: `line ${e.line}, column ${e.column}: ${e.message.replace(/ \(line \d+, column \d+\)$/, '')}` })),
        );
      }
      throw error;
    }
  };
  return Object.fromEntries(Object.keys(scopeOfKind).map((kind) => [kind, validator]));
}

/** The service's `requireBase` setting for workspace policies. */
export async function governanceOf(reader: StoreReader): Promise<'off' | 'audit' | 'enforce'> {
  const setting = await reader.get('/settings/policies');
  const value = setting?.properties.requireBase;
  return value === 'audit' || value === 'enforce' ? value : 'off';
}

/** Workspace policy documents with a section that leaves out `<base/>`: the governance audit. */
export async function listBaseOffenders(reader: StoreReader): Promise<{ id: string; workspace: string; problems: string[] }[]> {
  const offenders: { id: string; workspace: string; problems: string[] }[] = [];
  const { items: workspaces } = await reader.list({ parentKey: '', kind: 'workspaces' });
  for (const ws of workspaces) {
    for (const record of await reader.listByPrefix(`${ws.key}/`)) {
      const scope = scopeOfKind[record.kind];
      if (scope === undefined || scope === 'fragment') continue;
      try {
        const document = parsePolicyDocument(String(record.properties.value ?? ''), { format: record.properties.format === 'rawxml' ? 'rawxml' : 'xml' });
        const result = validatePolicyDocument(document, { scope: scope === 'global' ? 'workspace' : scope, requireBase: true, compileExpression: false });
        const problems = result.errors.filter((e) => e.code === 'POLICY_BASE_REQUIRED').map((e) => e.message);
        if (problems.length > 0) offenders.push({ id: record.id, workspace: ws.name, problems });
      } catch {
        // A document that no longer parses is reported by its own save, not here.
      }
    }
  }
  return offenders;
}

/** Names a document of this scope may refer to: its own workspace's (or the service's) resources. */
async function namesInScope(reader: StoreReader, workspace: string | undefined): Promise<{ fragments: Set<string>; namedValues: Set<string>; backends: Set<string>; loggers: Set<string> }> {
  const parentKey = workspace === undefined ? '' : keyOf(`/workspaces/${workspace}`);
  const names = async (kind: string, byDisplayName = false): Promise<Set<string>> => {
    const { items } = await reader.list({ parentKey, kind });
    const set = new Set<string>();
    for (const r of items) {
      set.add(r.name.toLowerCase());
      if (byDisplayName && typeof r.properties.displayName === 'string') set.add(r.properties.displayName.toLowerCase());
    }
    return set;
  };
  return {
    fragments: await names('policyFragments'),
    namedValues: await names('namedValues', true),
    backends: await names('backends'),
    loggers: await names('loggers'),
  };
}
