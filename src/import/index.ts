/**
 * Atrium's definition layer: OpenAPI 2.0 / 3.0 / 3.1 in, Azure API Management's resource
 * shapes out, and back. Pure: no store, no HTTP server; the management plane calls
 * `importDefinition` from `PUT …/apis/{id}` when `properties.format`/`value` are given, and
 * `exportDefinition` from `GET …/apis/{id}?export=true&format=…`.
 *
 * Every failure is a `DefinitionError` with a stable `code` (see `definitionErrorCodes`), a
 * message naming the problem, and the JSON `pointer` of the offending place when there is one.
 */
import { buildExportDocument, serializeExport } from './openapi/export.ts';
import type { ExportFormat, ExportInput } from './openapi/export.ts';
import { mapDefinition } from './openapi/map.ts';
import type { MappedDefinition, RequiredQueryTranslation } from './openapi/map.ts';
import { loadDefinition } from './openapi/parse.ts';
import type { DefinitionFormat, OpenApiDocument, SpecVersion } from './openapi/parse.ts';
import type { LinkFetchOptions } from './fetch.ts';

export { DefinitionError, definitionErrorCodes } from './errors.ts';
export type { DefinitionErrorCode } from './errors.ts';
export { definitionFormats, DEFAULT_MAX_INLINE_BYTES } from './openapi/parse.ts';
export type { DefinitionFormat, OpenApiDocument, SpecVersion } from './openapi/parse.ts';
export { exportFormats } from './openapi/export.ts';
export type { ExportFormat, ExportInput } from './openapi/export.ts';
export type { LinkFetchOptions } from './fetch.ts';
export { isNonPublicAddress } from './fetch.ts';
export { normalizeName } from './openapi/names.ts';
export { OPENAPI_COMPONENTS_CONTENT_TYPE, SWAGGER_DEFINITIONS_CONTENT_TYPE } from './types.ts';
export type * from './types.ts';

export interface ImportRequest {
  /** Azure's `properties.format`. */
  readonly format: DefinitionFormat;
  /** Azure's `properties.value`: the definition text (or object), or the URL for link formats. */
  readonly value: unknown;
  /** Timeout, size limit and host allow-list for link formats. */
  readonly fetchOptions?: LinkFetchOptions;
  /** Largest inline definition in bytes (default 4 MiB, Azure's limit). */
  readonly maxBytes?: number;
  /** Azure's `translateRequiredQueryParameters`: `template` (default) or `query`. */
  readonly translateRequiredQueryParameters?: RequiredQueryTranslation;
  /** Name of the API schema resource to create; a stable default otherwise. */
  readonly schemaId?: string;
}

export interface ImportResult extends MappedDefinition {
  /**
   * The definition as stored: parsed, with external references bundled in. Webhooks and
   * callbacks live here (they are not operations).
   */
  readonly document: OpenApiDocument;
  readonly specVersion: SpecVersion;
  /** The document's own `swagger`/`openapi` value, e.g. `3.0.2`. */
  readonly declaredVersion: string;
  /** `info.version` of the definition. */
  readonly infoVersion: string | undefined;
  /** For link formats, the URL the definition came from (after redirects). */
  readonly sourceUrl: string | undefined;
}

/**
 * Reads, validates and maps a definition. Resolves to the API properties the definition sets,
 * its operations, schema resource and tags (all in Azure's REST property shapes), with
 * warnings for what was dropped; rejects with a DefinitionError.
 */
export async function importDefinition(request: ImportRequest): Promise<ImportResult> {
  const loaded = await loadDefinition(request.format, request.value, {
    ...(request.maxBytes === undefined ? {} : { maxBytes: request.maxBytes }),
    ...(request.fetchOptions === undefined ? {} : { fetch: request.fetchOptions }),
  });
  const mapped = mapDefinition(loaded, {
    ...(request.translateRequiredQueryParameters === undefined ? {} : { translateRequiredQueryParameters: request.translateRequiredQueryParameters }),
    ...(request.schemaId === undefined ? {} : { schemaId: request.schemaId }),
  });
  const info = loaded.document.info as Record<string, unknown> | undefined;
  return {
    ...mapped,
    document: loaded.document,
    specVersion: loaded.specVersion,
    declaredVersion: loaded.declaredVersion,
    infoVersion: typeof info?.version === 'string' ? info.version : undefined,
    sourceUrl: loaded.sourceUrl,
  };
}

/**
 * Builds a definition from an API's properties, operations and schemas (the shapes an import
 * returns), addressed at `gatewayUrl` + the API's path: OpenAPI 3.0 as JSON (`openapi+json`)
 * or YAML (`openapi`), or Swagger 2.0 JSON (`swagger-json`).
 */
export function exportDefinition(input: ExportInput, options: { format: ExportFormat; gatewayUrl: string }): string {
  return serializeExport(buildExportDocument(input, options), options.format);
}

/** The same, as an object, for callers that embed it (the portal's reference pages). */
export function exportDefinitionDocument(input: ExportInput, options: { format: ExportFormat; gatewayUrl: string }): Record<string, unknown> {
  return buildExportDocument(input, options);
}

export { planReimport } from './reimport.ts';
export type { ExistingOperation, ReimportPlan } from './reimport.ts';
