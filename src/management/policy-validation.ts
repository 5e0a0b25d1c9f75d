import { assertValidPolicyDocument, parsePolicyDocument, PolicyError, type PolicyScope } from '../policy/index.ts';
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
    try {
      const document = parsePolicyDocument(text, { format: format === 'rawxml' ? 'rawxml' : 'xml' });
      if (scope === 'fragment' && document.root.name !== 'fragment') {
        throw new AtriumError('VALIDATION_FAILED', 'A policy fragment must be a <fragment> document.', [{ code: 'ValidationError', target: 'properties.value', message: 'expected <fragment>' }]);
      }
      assertValidPolicyDocument(document, {
        scope: scope === 'fragment' ? undefined : scope,
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
