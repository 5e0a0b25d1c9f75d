import { createRequire } from 'node:module';
import { load as loadYaml, YAMLException } from 'js-yaml';
import SwaggerParser from '@apidevtools/swagger-parser';
import { definitionError, DefinitionError } from '../errors.ts';
import { createLinkFetcher } from '../fetch.ts';
import type { LinkFetchOptions } from '../fetch.ts';
import { escapeToken, getAt, isMissing, refTokens } from './pointer.ts';

/**
 * Reading a definition: text → object, version check, `$ref` resolution (external files only
 * for links, fetched relative to the link), schema validation. Parsing and validation are the
 * registry's (`js-yaml`, and `@apidevtools/swagger-parser`'s resolver and OpenAPI schemas);
 * this module decides what is allowed and turns their failures into `DefinitionError`s.
 */

export type SpecVersion = '2.0' | '3.0' | '3.1';

export const definitionFormats = [
  'openapi',
  'openapi+json',
  'openapi-link',
  'openapi+json-link',
  'swagger-json',
  'swagger-link-json',
] as const;
export type DefinitionFormat = (typeof definitionFormats)[number];

export type OpenApiDocument = Record<string, unknown>;

export interface LoadedDefinition {
  /** The document with every external `$ref` bundled in; internal `$ref`s are kept. */
  readonly document: OpenApiDocument;
  readonly specVersion: SpecVersion;
  /** The document's own `swagger`/`openapi` value, e.g. `3.0.2`. */
  readonly declaredVersion: string;
  /** The link the document came from (after redirects), for link formats. */
  readonly sourceUrl: string | undefined;
  /**
   * For a linked definition, the objects that were other files (or named parts of them), with
   * the name they suggest: `Pet.yaml` → `Pet`, `common.yaml#/Error` → `Error`.
   */
  readonly externalNames?: ReadonlyMap<object, string>;
}

export interface LoadOptions {
  /** Largest inline document, in bytes. Default 4 MiB (Azure's limit for inline definitions). */
  readonly maxBytes?: number;
  /** Limits and allow-list for link formats. */
  readonly fetch?: LinkFetchOptions;
}

export const DEFAULT_MAX_INLINE_BYTES = 4 * 1024 * 1024;

const require = createRequire(import.meta.url);
// The library validates through `validate()`, which first dereferences the whole document (a
// second on the largest ones); its schema validator alone checks the same OpenAPI/Swagger schema
// on the document as it is.
const validateSchema = require('@apidevtools/swagger-parser/lib/validators/schema.js') as (api: object) => void;

export function isLinkFormat(format: DefinitionFormat): boolean {
  return format.endsWith('-link') || format === 'swagger-link-json';
}

function prefersJson(format: DefinitionFormat): boolean {
  return format.includes('json');
}

function lineColumnAt(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i += 1) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}

function jsonSyntaxError(err: SyntaxError, text: string, source: string): DefinitionError {
  const lc = /\(line (\d+) column (\d+)\)/.exec(err.message);
  const pos = /at position (\d+)/.exec(err.message);
  const where: { line?: number; column?: number } =
    lc !== null ? { line: Number(lc[1]), column: Number(lc[2]) } : pos !== null ? lineColumnAt(text, Number(pos[1])) : {};
  const at = where.line !== undefined ? ` (line ${where.line}, column ${where.column})` : '';
  return definitionError('DEFINITION_MALFORMED', `${source} is not valid JSON: ${err.message.replace(/\s*\(line \d+ column \d+\)/, '')}${at}.`, where);
}

function yamlSyntaxError(err: YAMLException, source: string): DefinitionError {
  const mark = err.mark;
  const where = mark === undefined ? {} : { line: (mark.line ?? 0) + 1, column: (mark.column ?? 0) + 1 };
  const at = mark === undefined ? '' : ` (line ${where.line}, column ${where.column})`;
  return definitionError('DEFINITION_MALFORMED', `${source} is not valid YAML: ${err.reason}${at}.`, where);
}

/**
 * Text → object. JSON is tried first when the text looks like JSON (it is also faster); YAML
 * otherwise, and as the fallback for the YAML formats, since JSON is YAML.
 */
export function parseDefinitionText(text: string, options: { preferJson: boolean; source: string }): OpenApiDocument {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const trimmed = body.trimStart();
  let value: unknown;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      value = JSON.parse(body);
    } catch (err) {
      if (options.preferJson) throw jsonSyntaxError(err as SyntaxError, body, options.source);
      value = parseYaml(body, options.source);
    }
  } else if (options.preferJson && trimmed === '') {
    throw definitionError('DEFINITION_MALFORMED', `${options.source} is empty.`);
  } else {
    value = parseYaml(body, options.source);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw definitionError('DEFINITION_MALFORMED', `${options.source} must hold an object at its root (an OpenAPI or Swagger document).`);
  }
  return value as OpenApiDocument;
}

function parseYaml(text: string, source: string): unknown {
  try {
    return loadYaml(text);
  } catch (err) {
    if (err instanceof YAMLException) throw yamlSyntaxError(err, source);
    throw definitionError('DEFINITION_MALFORMED', `${source} is not valid YAML: ${(err as Error).message}.`);
  }
}

export const MAX_DEPTH = 256;

/**
 * YAML aliases let a small text stand for an enormous tree (the "billion laughs"), and deep
 * nesting exhausts the stack of every recursive reader after this one. Both are refused here,
 * counting the tree as it would be expanded, with a budget proportional to the text's size.
 */
export function checkDocumentShape(doc: OpenApiDocument, textLength: number): void {
  const budget = Math.max(1_000_000, textLength);
  let nodes = 0;
  const stack: { node: object; depth: number }[] = [{ node: doc, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: object; depth: number };
    if (depth > MAX_DEPTH) {
      throw definitionError('DEFINITION_MALFORMED', `The document nests deeper than ${MAX_DEPTH} levels.`);
    }
    const children = Array.isArray(node) ? node : Object.values(node);
    nodes += children.length;
    if (nodes > budget) {
      throw definitionError('DEFINITION_TOO_LARGE', `The document expands to more than ${budget} values (YAML aliases repeat their content wherever they are used).`);
    }
    for (const child of children) if (child !== null && typeof child === 'object') stack.push({ node: child, depth: depth + 1 });
  }
}

/** `swagger: "2.0"`, `openapi: 3.0.x` or `openapi: 3.1.x`; anything else is refused. */
export function detectVersion(doc: OpenApiDocument): { specVersion: SpecVersion; declaredVersion: string } {
  if (doc.swagger !== undefined) {
    if (doc.swagger === '2.0') return { specVersion: '2.0', declaredVersion: '2.0' };
    throw definitionError('DEFINITION_UNSUPPORTED_VERSION', `Swagger version ${JSON.stringify(doc.swagger)} is not supported; Swagger "2.0" and OpenAPI 3.0.x and 3.1.x are.`, { pointer: '/swagger' });
  }
  if (doc.openapi !== undefined) {
    const v = doc.openapi;
    if (typeof v === 'string' && /^3\.0\.\d+(-.+)?$/.test(v)) return { specVersion: '3.0', declaredVersion: v };
    if (typeof v === 'string' && /^3\.1\.\d+(-.+)?$/.test(v)) return { specVersion: '3.1', declaredVersion: v };
    throw definitionError('DEFINITION_UNSUPPORTED_VERSION', `OpenAPI version ${JSON.stringify(v)} is not supported; OpenAPI 3.0.x and 3.1.x (as strings) and Swagger "2.0" are.`, { pointer: '/openapi' });
  }
  if (doc.swaggerVersion !== undefined) {
    throw definitionError('DEFINITION_UNSUPPORTED_VERSION', `Swagger ${JSON.stringify(doc.swaggerVersion)} is not supported; Swagger "2.0" and OpenAPI 3.0.x and 3.1.x are.`, { pointer: '/swaggerVersion' });
  }
  throw definitionError('DEFINITION_UNSUPPORTED_VERSION', 'The document has neither an "openapi" nor a "swagger" field; Swagger "2.0" and OpenAPI 3.0.x and 3.1.x are supported.', { pointer: '' });
}

/** Keywords whose values are literal data, where a `$ref` key is not a reference. */
const literalKeys = new Set(['example', 'default', 'enum', 'const']);
/** Containers whose keys are names chosen by the author, never keywords. */
const nameMaps = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'schemas']);
/** Top-level maps of names: paths, webhooks, and Swagger's shared definitions. */
const rootNameMaps = new Set(['paths', 'webhooks', 'x-ms-paths', 'parameters', 'responses', 'securityDefinitions']);

interface RefSite {
  readonly ref: string;
  /** JSON pointer of the object holding the `$ref`. */
  readonly at: string;
}

/**
 * Every `$ref` in the document, outside literal data (examples, defaults, enums) and vendor
 * extensions. `x-ms-paths` is walked: Azure reads it as paths.
 */
export function collectRefs(doc: OpenApiDocument, specVersion: SpecVersion): RefSite[] {
  const sites: RefSite[] = [];
  // `names` marks a container whose keys are author-chosen names (a `properties` map…).
  interface Entry {
    node: unknown;
    pointer: string;
    key: string | undefined;
    parentKey: string | undefined;
    names: boolean;
  }
  const stack: Entry[] = [{ node: doc, pointer: '', key: undefined, parentKey: undefined, names: false }];
  while (stack.length > 0) {
    const { node, pointer, key: ownKey, parentKey, names } = stack.pop() as Entry;
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i -= 1) {
        stack.push({ node: node[i], pointer: `${pointer}/${i}`, key: String(i), parentKey: ownKey, names: false });
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    if (!names && typeof record.$ref === 'string') sites.push({ ref: record.$ref, at: pointer });
    for (const key of Object.keys(record)) {
      if (!names) {
        if (key === '$ref') continue;
        if (key.startsWith('x-') && key !== 'x-ms-paths') continue;
        if (literalKeys.has(key)) continue;
        if (key === 'examples' && (Array.isArray(record[key]) || specVersion === '2.0')) continue;
        if (key === 'value' && parentKey === 'examples') continue;
      }
      const child = record[key];
      if (child !== null && typeof child === 'object') {
        const childNames = !names && (nameMaps.has(key) || ownKey === 'components' || (pointer === '' && rootNameMaps.has(key)));
        stack.push({ node: child, pointer: `${pointer}/${escapeToken(key)}`, key, parentKey: ownKey, names: childNames });
      }
    }
  }
  return sites;
}

/** Throws DEFINITION_DANGLING_REF for the first internal `$ref` that names nothing. */
export function checkInternalRefs(doc: OpenApiDocument, sites: readonly RefSite[]): void {
  const seen = new Map<string, boolean>();
  for (const site of sites) {
    const tokens = refTokens(site.ref);
    if (tokens === undefined) continue;
    let ok = seen.get(site.ref);
    if (ok === undefined) {
      ok = !isMissing(getAt(doc, tokens));
      seen.set(site.ref, ok);
    }
    if (!ok) {
      throw definitionError('DEFINITION_DANGLING_REF', `$ref "${site.ref}" at ${site.at || '/'} does not resolve: nothing in the document is at ${site.ref.slice(1)}.`, {
        pointer: `${site.at}/$ref`,
      });
    }
  }
}

interface AjvError {
  readonly instancePath?: string;
  readonly keyword?: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

function describeAjvError(e: AjvError): string {
  const params = e.params ?? {};
  if (e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return `has the property "${params.additionalProperty}", which is not allowed here`;
  }
  if (e.keyword === 'required' && typeof params.missingProperty === 'string') {
    return `lacks the required property "${params.missingProperty}"`;
  }
  if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return e.message ?? 'is invalid';
}

/** Validates against the OpenAPI/Swagger JSON schema of the document's version. */
export function validateDocument(doc: OpenApiDocument, specVersion: SpecVersion): void {
  try {
    validateSchema(doc);
  } catch (err) {
    const errors = ((err as { details?: AjvError[] }).details ?? []).filter((e) => e !== null && typeof e === 'object');
    if (errors.length === 0) {
      throw definitionError('DEFINITION_INVALID', `The document is not a valid ${specVersion === '2.0' ? 'Swagger 2.0' : `OpenAPI ${specVersion}`} definition: ${(err as Error).message}`);
    }
    // Composite keywords (oneOf/anyOf/if) summarise their branches; the deepest concrete
    // error names the actual problem.
    const rank = (e: AjvError) => (e.instancePath ?? '').split('/').length * 2 + (['oneOf', 'anyOf', 'if', 'not', '$ref'].includes(e.keyword ?? '') ? 0 : 1);
    const sorted = [...errors].sort((a, b) => rank(b) - rank(a));
    const best = sorted[0];
    const pointer = best.instancePath ?? '';
    const spec = specVersion === '2.0' ? 'Swagger 2.0' : `OpenAPI ${specVersion}`;
    const details = sorted.slice(0, 10).map((e) => ({ code: 'DEFINITION_INVALID', target: e.instancePath ?? '', message: `${e.instancePath || '/'} ${describeAjvError(e)}` }));
    throw definitionError('DEFINITION_INVALID', `The document is not a valid ${spec} definition: ${pointer || '/'} ${describeAjvError(best)}.`, { pointer, details });
  }
}

/**
 * Bundles the external `$ref`s of a linked document: each referenced file is fetched
 * relative to the file that references it, through the same fetcher (so the same limits and
 * allow-list apply), and its content placed in the document.
 */
async function bundleExternal(
  doc: OpenApiDocument,
  rootUrl: string,
  fetcher: ReturnType<typeof createLinkFetcher>,
): Promise<{ document: OpenApiDocument; externalNames: Map<object, string> }> {
  let fetchFailure: unknown;
  const parser = new SwaggerParser();
  const placements: { ref: string; parent: Record<string, unknown>; key: string }[] = [];
  try {
    const bundled = await parser.bundle(rootUrl, doc as never, {
      resolve: {
        file: false,
        http: false,
        atrium: {
          order: 1,
          canRead: /^https?:\/\//i,
          read: async (file: { url: string }) => {
            try {
              const fetched = await fetcher.fetchText(file.url);
              return parseDefinitionText(fetched.text, { preferJson: /\.json$/i.test(new URL(fetched.url).pathname), source: fetched.url }) as never;
            } catch (err) {
              fetchFailure ??= err;
              throw err;
            }
          },
        },
      },
      bundle: {
        onBundle: (ref: string, _value: unknown, parent?: Record<string, unknown>, key?: string) => {
          if (!ref.startsWith('#') && parent !== undefined && key !== undefined) placements.push({ ref, parent, key });
        },
      },
    } as never);
    // Each external reference was replaced by its content at its first use; that object is
    // what the file (or fragment) suggests a name for.
    const externalNames = new Map<object, string>();
    for (const { ref, parent, key } of placements) {
      const placed = parent[key];
      if (placed === null || typeof placed !== 'object' || Array.isArray(placed) || '$ref' in placed) continue;
      const [file, fragment = ''] = ref.split('#');
      const fragmentName = fragment.split('/').filter((t) => t !== '').pop();
      const fileName = file.split('/').pop()?.replace(/\.(ya?ml|json)$/i, '');
      const name = (fragmentName ?? fileName ?? '').replace(/[^A-Za-z0-9_.-]+/g, '_');
      if (name !== '' && !externalNames.has(placed)) externalNames.set(placed, name);
    }
    return { document: bundled as unknown as OpenApiDocument, externalNames };
  } catch (err) {
    if (fetchFailure !== undefined) throw fetchFailure;
    if (err instanceof DefinitionError) throw err;
    const e = err as { name?: string; message?: string; targetRef?: string; errors?: unknown[] };
    if (e.name === 'MissingPointerError') {
      throw definitionError('DEFINITION_DANGLING_REF', `A $ref does not resolve: ${e.message}.`, e.targetRef === undefined ? {} : { pointer: e.targetRef });
    }
    if (e.name === 'ResolverError' || e.name === 'UnmatchedResolverError' || /Unable to resolve \$ref/.test(e.message ?? '')) {
      throw definitionError('DEFINITION_LINK_FORBIDDEN', `A $ref names a location that is not fetched (only http and https links are): ${e.message}.`);
    }
    throw definitionError('DEFINITION_MALFORMED', `The definition's references could not be resolved: ${e.message ?? String(err)}.`);
  }
}

/**
 * Reads a definition given as Azure's `format` and `value`: the text itself, or (for the link
 * formats) a URL. Every failure is a DefinitionError.
 */
export async function loadDefinition(format: DefinitionFormat, value: unknown, options: LoadOptions = {}): Promise<LoadedDefinition> {
  if (!(definitionFormats as readonly string[]).includes(format)) {
    throw definitionError('DEFINITION_UNSUPPORTED_FORMAT', `The format "${String(format)}" is not an OpenAPI format; use one of ${definitionFormats.join(', ')}.`);
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INLINE_BYTES;

  if (!isLinkFormat(format)) {
    let doc: OpenApiDocument;
    if (typeof value === 'string') {
      const size = Buffer.byteLength(value, 'utf8');
      if (size > maxBytes) {
        throw definitionError('DEFINITION_TOO_LARGE', `The definition is ${size} bytes; inline definitions may be at most ${maxBytes} bytes (import larger ones from a link).`);
      }
      doc = parseDefinitionText(value, { preferJson: prefersJson(format), source: 'The definition' });
      checkDocumentShape(doc, value.length);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      checkDocumentShape(value as OpenApiDocument, 0);
      doc = structuredClone(value) as OpenApiDocument;
    } else {
      throw definitionError('DEFINITION_MALFORMED', `The format "${format}" expects the definition text in "value".`);
    }
    const version = detectVersion(doc);
    const sites = collectRefs(doc, version.specVersion);
    const external = sites.find((s) => refTokens(s.ref) === undefined);
    if (external !== undefined) {
      throw definitionError('DEFINITION_EXTERNAL_REF', `$ref "${external.ref}" at ${external.at || '/'} names another file; such references are resolved only when the definition is imported from a link.`, {
        pointer: `${external.at}/$ref`,
      });
    }
    checkInternalRefs(doc, sites);
    validateDocument(doc, version.specVersion);
    return { document: doc, ...version, sourceUrl: undefined };
  }

  if (typeof value !== 'string' || value.trim() === '') {
    throw definitionError('DEFINITION_UNSUPPORTED_FORMAT', `The format "${format}" expects a URL in "value".`);
  }
  const fetcher = createLinkFetcher({ maxBytes: Math.max(maxBytes, 16 * 1024 * 1024), ...options.fetch });
  try {
    const root = await fetcher.fetchText(value.trim());
    let doc = parseDefinitionText(root.text, { preferJson: prefersJson(format) && !/\.ya?ml$/i.test(new URL(root.url).pathname), source: root.url });
    checkDocumentShape(doc, root.text.length);
    const version = detectVersion(doc);
    let sites = collectRefs(doc, version.specVersion);
    let externalNames: Map<object, string> | undefined;
    if (sites.some((s) => refTokens(s.ref) === undefined)) {
      ({ document: doc, externalNames } = await bundleExternal(doc, root.url, fetcher));
      sites = collectRefs(doc, version.specVersion);
    }
    checkDocumentShape(doc, fetcher.bytesRead);
    checkInternalRefs(doc, sites);
    validateDocument(doc, version.specVersion);
    return { document: doc, ...version, sourceUrl: root.url, ...(externalNames === undefined ? {} : { externalNames }) };
  } finally {
    await fetcher.close();
  }
}
