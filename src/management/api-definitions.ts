import { exportDefinition, exportFormats, importDefinition, planReimport, type ExportFormat, type ExportInput, type LinkFetchOptions } from '../import/index.ts';
import type { DefinitionFormat, ImportResult, OperationResource } from '../import/index.ts';
import { modelError } from '../model/errors.ts';
import type { ResourcePath } from '../model/registry.ts';
import type { Engine, EngineTx, ResourceView, WriteOptions } from './engine.ts';

/**
 * API import and export through the API resource itself, as Azure does it: `PUT …/apis/{id}` with
 * `properties.format` and `properties.value` imports (or re-imports) a definition — the API, its
 * operations and its schema in one transaction; `GET …/apis/{id}?export=true&format=…` exports.
 */
export interface ApiDefinitions {
  /** Whether a PUT body asks for an import. */
  isImport(body: unknown): boolean;
  importInto(apiPath: ResourcePath, body: unknown, options: WriteOptions): Promise<{ view: ResourceView; created: boolean }>;
  exportFrom(apiPath: ResourcePath, format: string): Promise<{ contentType: string; text: string }>;
}

export interface ApiDefinitionsOptions {
  readonly engine: Engine;
  /** The base URL of the gateway that serves the API (for `servers` in exports). */
  readonly gatewayUrl: (workspace: string | undefined) => Promise<string>;
  /** Link fetching: timeout, size, host allow-list. */
  readonly fetchOptions?: LinkFetchOptions;
}

const definitionProperties = ['format', 'value', 'wsdlSelector', 'translateRequiredQueryParameters'];

export function createApiDefinitions(options: ApiDefinitionsOptions): ApiDefinitions {
  const { engine } = options;
  const registry = engine.registry;
  const child = (apiPath: ResourcePath, kind: string, name: string): ResourcePath => ({
    workspace: apiPath.workspace,
    steps: [...apiPath.steps, { def: registry.get(kind), name }],
  });

  /**
   * The definition's tags become tag resources of the API's scope (created when missing) linked
   * to their operations. Tag names are unique in the whole service: a name another scope holds is
   * left alone rather than failing the import.
   */
  const linkTags = async (tx: EngineTx, apiPath: ResourcePath, tags: ImportResult['tags'], inner: WriteOptions): Promise<void> => {
    const apiName = apiPath.steps[0].name;
    for (const tag of tags) {
      const tagPath: ResourcePath = { workspace: apiPath.workspace, steps: [{ def: registry.get('tags'), name: tag.name }] };
      if (!(await tx.get(tagPath))) {
        try {
          await tx.put(tagPath, { properties: tag.properties }, inner);
        } catch (error) {
          if ((error as { code?: string }).code === 'NAME_CONFLICT') continue;
          throw error;
        }
      }
      for (const operation of tag.operations) {
        const linkName = `${apiName}-${operation}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 256);
        const linkPath: ResourcePath = { workspace: apiPath.workspace, steps: [...tagPath.steps, { def: registry.get('tagOperationLinks'), name: linkName }] };
        await tx.put(linkPath, { properties: { operationId: `/apis/${apiName}/operations/${operation}` } }, inner);
      }
    }
  };

  return {
    isImport(body) {
      const properties = (body as { properties?: Record<string, unknown> } | undefined)?.properties;
      return typeof properties === 'object' && properties !== null && (properties.format !== undefined || properties.value !== undefined);
    },

    async importInto(apiPath, body, writeOptions) {
      const properties = { ...((body as { properties: Record<string, unknown> }).properties ?? {}) };
      if (typeof properties.format !== 'string' || properties.value === undefined) {
        throw modelError('VALIDATION_FAILED', 'An import needs both properties.format and properties.value.', [
          { code: 'ValidationError', target: properties.format === undefined ? 'properties.format' : 'properties.value', message: 'required for an import' },
        ]);
      }
      const imported = await importDefinition({
        format: properties.format as DefinitionFormat,
        value: properties.value,
        fetchOptions: options.fetchOptions,
        translateRequiredQueryParameters: properties.translateRequiredQueryParameters === 'query' ? 'query' : 'template',
      });
      const given = Object.fromEntries(Object.entries(properties).filter(([k]) => !definitionProperties.includes(k)));
      const apiBody = { ...(body as object), properties: { ...imported.api, ...given } };

      return engine.transaction(async (tx) => {
        const result = await tx.put(apiPath, apiBody, writeOptions);
        const existing = await tx.children(apiPath, 'apiOperations');
        const plan = planReimport(
          existing.map((r) => ({ name: r.name, properties: { method: String(r.properties.method), urlTemplate: String(r.properties.urlTemplate) } })),
          imported.operations,
        );
        // Policies of removed operations that a new operation with the same route takes over.
        const carried = new Map<string, unknown>();
        for (const op of plan.create) {
          if (!op.copyPoliciesFrom) continue;
          const policy = await tx.get(child(child(apiPath, 'apiOperations', op.copyPoliciesFrom), 'apiOperationPolicies', 'policy'));
          if (policy) carried.set(op.name, policy.properties);
        }
        const inner = { audit: writeOptions.audit };
        for (const name of plan.remove) await tx.delete(child(apiPath, 'apiOperations', name), inner);
        const write = async (op: OperationResource): Promise<void> => {
          await tx.put(child(apiPath, 'apiOperations', op.name), { properties: op.properties }, inner);
        };
        for (const op of plan.update) await write(op);
        for (const op of plan.create) {
          await write(op);
          const policy = carried.get(op.name);
          if (policy) await tx.put(child(child(apiPath, 'apiOperations', op.name), 'apiOperationPolicies', 'policy'), { properties: policy }, inner);
        }
        await linkTags(tx, apiPath, imported.tags, inner);
        const schemaNames = new Set(imported.schemas.map((s) => s.name.toLowerCase()));
        for (const old of await tx.children(apiPath, 'apiSchemas')) {
          if (!schemaNames.has(old.name.toLowerCase())) await tx.delete(child(apiPath, 'apiSchemas', old.name), inner);
        }
        for (const schema of imported.schemas) await tx.put(child(apiPath, 'apiSchemas', schema.name), { properties: schema.properties }, inner);
        await tx.put(
          child(apiPath, 'apiDefinitions', 'current'),
          {
            properties: {
              format: properties.format,
              specVersion: imported.specVersion,
              declaredVersion: imported.declaredVersion,
              ...(imported.sourceUrl ? { sourceUrl: imported.sourceUrl } : {}),
              importedAt: new Date().toISOString(),
              document: imported.document,
            },
          },
          inner,
        );
        return result;
      });
    },

    async exportFrom(apiPath, format) {
      if (!(exportFormats as readonly string[]).includes(format)) {
        throw modelError('VALIDATION_FAILED', `Export format '${format}' is not supported; use one of ${exportFormats.join(', ')}.`, [
          { code: 'ValidationError', target: 'format', message: `one of ${exportFormats.join(', ')}` },
        ]);
      }
      const api = await engine.get(apiPath);
      const operations = await engine.list(apiPath, 'apiOperations', { top: 1000 });
      const all = [...operations.value];
      for (let skip = all.length; skip < operations.count; skip = all.length) all.push(...(await engine.list(apiPath, 'apiOperations', { top: 1000, skip })).value);
      const schemas = await engine.list(apiPath, 'apiSchemas', { top: 1000 });
      const text = exportDefinition(
        {
          api: api.representation.properties as unknown as ExportInput['api'],
          operations: all.map((o) => ({ name: o.name, properties: o.properties })) as unknown as ExportInput['operations'],
          schemas: schemas.value.map((s) => ({ name: s.name, properties: s.properties })) as unknown as ExportInput['schemas'],
        },
        { format: format as ExportFormat, gatewayUrl: await options.gatewayUrl(apiPath.workspace) },
      );
      return { contentType: format === 'openapi' ? 'application/yaml; charset=utf-8' : 'application/json; charset=utf-8', text };
    },
  };
}
