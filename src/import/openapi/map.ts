import { createHash } from 'node:crypto';
import { definitionError } from '../errors.ts';
import { OPENAPI_COMPONENTS_CONTENT_TYPE, SWAGGER_DEFINITIONS_CONTENT_TYPE } from '../types.ts';
import type {
  ApiProperties,
  ExampleContract,
  OperationResource,
  ParameterContract,
  RepresentationContract,
  RequestContract,
  ResponseContract,
  SchemaResource,
  TagImport,
} from '../types.ts';
import { createNameAllocator, normalizeName, pascalCase, titleCaseMethod } from './names.ts';
import type { LoadedDefinition, OpenApiDocument, SpecVersion } from './parse.ts';
import { getAt, isMissing, refTokens, toRef } from './pointer.ts';

/**
 * Mapping a parsed definition to Atrium's (Azure's) resources, following Azure API
 * Management's documented import behaviour:
 *
 * - operation name: `operationId` normalised, else method + URL template (see names.ts);
 *   display name: `summary` (≤ 300 characters), else `operationId`, else `Get - /foo`;
 * - URL template: the path, with required query parameters appended as template parameters
 *   (`/pets?limit={limit}`) unless `translateRequiredQueryParameters` is `query`;
 * - path-level parameters apply to every operation of the path; cookie parameters are dropped;
 *   a request body on GET, HEAD and OPTIONS is discarded; `default` and range (`2XX`) responses
 *   have no status code to live under and are dropped;
 * - schemas go into one API schema resource (OpenAPI 3 `components`, or Swagger `definitions`),
 *   which representations and parameters reference by `schemaId` + `typeName`; inline schemas
 *   are lifted into it under generated type names, since Azure references types, never holds them;
 * - `servers` (variables replaced by their defaults, relative URLs resolved against the link)
 *   give the service URL: the first HTTPS one, else the first HTTP one; Swagger's
 *   `host`/`basePath`/`schemes` (or `x-servers`) likewise;
 * - webhooks and callbacks stay in the stored definition and do not become operations.
 */

export type RequiredQueryTranslation = 'template' | 'query';

export interface MapOptions {
  /** Azure's `translateRequiredQueryParameters`; default `template`. */
  readonly translateRequiredQueryParameters?: RequiredQueryTranslation;
  /** Name of the API schema resource that holds the types; a stable default otherwise. */
  readonly schemaId?: string;
}

export interface MappedDefinition {
  readonly api: ApiProperties;
  readonly operations: OperationResource[];
  readonly schemas: SchemaResource[];
  readonly tags: TagImport[];
  /** Names of 3.1 webhooks, kept in the definition only. */
  readonly webhooks: string[];
  readonly warnings: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const NO_BODY_METHODS = new Set(['get', 'head', 'options']);
const IGNORED_HEADERS_3 = new Set(['accept', 'content-type', 'authorization']);
const MAX_DISPLAY_NAME = 300;
const MAX_DESCRIPTION = 1000;
const MAX_REF_DEPTH = 64;

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Azure's parameter `defaultValue` and `values` are strings. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function defaultSchemaId(contentType: string): string {
  return createHash('sha1').update(`atrium-api-schema:${contentType}`).digest('hex').slice(0, 24);
}

interface ParamInfo {
  readonly name: string;
  readonly in: string;
  readonly node: Obj;
}

class Mapper {
  readonly doc: OpenApiDocument;
  readonly version: SpecVersion;
  readonly warnings: string[] = [];
  readonly schemaPrefix: readonly string[];
  readonly contentType: string;
  readonly schemaId: string;
  /** Type name → schema: the document's own schemas, then lifted inline ones. */
  readonly types: Record<string, unknown>;
  readonly lifted = new Map<object, string>();
  readonly translation: RequiredQueryTranslation;
  readonly sourceUrl: string | undefined;
  /** Schema objects that were whole files (or named fragments) of a linked definition. */
  readonly externalNames: ReadonlyMap<object, string>;

  constructor(loaded: LoadedDefinition, options: MapOptions) {
    this.doc = loaded.document;
    this.version = loaded.specVersion;
    this.sourceUrl = loaded.sourceUrl;
    this.translation = options.translateRequiredQueryParameters ?? 'template';
    const is2 = this.version === '2.0';
    this.schemaPrefix = is2 ? ['definitions'] : ['components', 'schemas'];
    this.contentType = is2 ? SWAGGER_DEFINITIONS_CONTENT_TYPE : OPENAPI_COMPONENTS_CONTENT_TYPE;
    this.schemaId = options.schemaId ?? defaultSchemaId(this.contentType);
    this.externalNames = loaded.externalNames ?? new Map();
    const own = getAt(this.doc, this.schemaPrefix);
    this.types = {};
    if (isObj(own)) {
      // The document's own types keep their names, also when their content came from a file.
      const targets = new Map<string, unknown>();
      for (const [name, schema] of Object.entries(own)) {
        const foreign = isObj(schema) && typeof schema.$ref === 'string' && this.typeNameOfRef(schema.$ref) === undefined;
        const target = foreign ? this.resolve(schema) : schema;
        targets.set(name, target);
        if (isObj(target) && !this.lifted.has(target)) this.lifted.set(target, name);
        this.types[name] = {};
      }
      for (const [name, target] of targets) {
        this.types[name] = this.localizeSchema(target, new Set(isObj(target) ? [target] : []));
      }
    }
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  /** The type name when `ref` points at one of the document's schemas (`#/components/schemas/Pet`). */
  typeNameOfRef(ref: string): string | undefined {
    const tokens = refTokens(ref);
    if (tokens === undefined || tokens.length !== this.schemaPrefix.length + 1) return undefined;
    for (let i = 0; i < this.schemaPrefix.length; i += 1) if (tokens[i] !== this.schemaPrefix[i]) return undefined;
    return tokens[tokens.length - 1];
  }

  /** Follows a chain of internal `$ref`s to the object it ends on. */
  resolve(node: unknown): unknown {
    let current = node;
    for (let depth = 0; depth < MAX_REF_DEPTH && isObj(current) && typeof current.$ref === 'string'; depth += 1) {
      const tokens = refTokens(current.$ref);
      if (tokens === undefined) return current;
      const target = getAt(this.doc, tokens);
      if (isMissing(target)) return undefined;
      current = target;
    }
    return current;
  }

  /** The `$ref` to a type of the schema resource. */
  typeRef(typeName: string): Obj {
    return { $ref: toRef([...this.schemaPrefix, typeName]) };
  }

  /**
   * Lifts a schema into the schema resource under `name` (registered before its content is
   * walked, so a schema that refers to itself refers to its type).
   */
  lift(target: Obj, name: string): string {
    this.lifted.set(target, name);
    this.types[name] = {};
    this.types[name] = this.localizeSchema(target, new Set([target]));
    return name;
  }

  /** The type a schema object becomes when it was a file of a linked definition (`Pet.yaml` → `Pet`). */
  externalType(target: Obj): string | undefined {
    const known = this.lifted.get(target);
    if (known !== undefined) return known;
    const name = this.externalNames.get(target);
    return name === undefined ? undefined : this.lift(target, this.freshTypeName(name));
  }

  /**
   * A schema fit for the schema resource: every `$ref` that does not name one of the
   * document's types (bundled files leave refs into `#/paths/…`) is replaced by what it names,
   * or by a reference to the type a referenced file became. Copy on write: an untouched schema
   * is returned as it is.
   */
  localizeSchema(schema: unknown, active: Set<object>): unknown {
    if (schema === null || typeof schema !== 'object') return schema;
    if (Array.isArray(schema)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < schema.length; i += 1) {
        const next = this.localizeSchema(schema[i], active);
        if (next !== schema[i]) {
          copy ??= schema.slice();
          copy[i] = next;
        }
      }
      return copy ?? schema;
    }
    const record = schema as Obj;
    if (!active.has(record) && this.externalNames.size > 0) {
      const typeName = this.externalType(record);
      if (typeName !== undefined) return this.typeRef(typeName);
    }
    if (typeof record.$ref === 'string' && this.typeNameOfRef(record.$ref) === undefined && refTokens(record.$ref) !== undefined) {
      const target = this.resolve({ $ref: record.$ref });
      if (isObj(target) && this.externalNames.size > 0 && !active.has(target)) {
        const typeName = this.externalType(target);
        if (typeName !== undefined) return this.typeRef(typeName);
      }
      if (!isObj(target) || active.has(target)) {
        const self = isObj(target) ? this.lifted.get(target) : undefined;
        if (self !== undefined) return this.typeRef(self);
        this.warn(`The schema reference ${record.$ref} is recursive outside the document's schemas; it is imported as an empty schema.`);
        return {};
      }
      active.add(target);
      const { $ref: _ignored, ...siblings } = record;
      const inlined = this.localizeSchema(target, active);
      active.delete(target);
      return Object.keys(siblings).length === 0 ? inlined : { ...(inlined as Obj), ...siblings };
    }
    let copy: Obj | undefined;
    for (const key of Object.keys(record)) {
      if (key === 'example' || key === 'examples' || key === 'default' || key === 'enum' || key === 'const' || key.startsWith('x-')) continue;
      const child = record[key];
      if (child === null || typeof child !== 'object') continue;
      const next = this.localizeSchema(child, active);
      if (next !== child) {
        copy ??= { ...record };
        copy[key] = next;
      }
    }
    return copy ?? record;
  }

  /** A type name not yet taken: `Hint`, `Hint2`, `Hint3`… */
  freshTypeName(hint: string): string {
    const base = hint === '' ? 'Schema' : hint;
    if (!Object.hasOwn(this.types, base)) return base;
    for (let i = 2; ; i += 1) if (!Object.hasOwn(this.types, `${base}${i}`)) return `${base}${i}`;
  }

  /**
   * `{ schemaId, typeName }` for a schema: the referenced type, or the schema lifted into the
   * schema resource under a generated name. Undefined for no schema (or an empty one).
   */
  schemaRef(schema: unknown, hint: string): { schemaId: string; typeName: string } | undefined {
    if (!isObj(schema)) return undefined;
    if (typeof schema.$ref === 'string') {
      const typeName = this.typeNameOfRef(schema.$ref);
      if (typeName !== undefined) return { schemaId: this.schemaId, typeName };
    }
    const target = typeof schema.$ref === 'string' ? this.resolve(schema) : schema;
    if (!isObj(target) || Object.keys(target).length === 0) return undefined;
    const known = this.lifted.get(target) ?? this.externalType(target);
    if (known !== undefined) return { schemaId: this.schemaId, typeName: known };
    return { schemaId: this.schemaId, typeName: this.lift(target, this.freshTypeName(hint)) };
  }

  /** The JSON type of a schema, through references: Azure's ParameterContract `type`. */
  schemaType(schema: unknown): string {
    const target = this.resolve(schema);
    if (!isObj(target)) return 'string';
    const type = target.type;
    if (typeof type === 'string') return type;
    if (Array.isArray(type)) {
      const first = type.find((t) => t !== 'null');
      if (typeof first === 'string') return first;
    }
    if (isObj(target.properties) || isObj(target.additionalProperties)) return 'object';
    if (target.items !== undefined) return 'array';
    for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
      const parts = target[key];
      if (Array.isArray(parts) && parts.length > 0) return this.schemaType(parts[0]);
    }
    return 'string';
  }

  examplesOf(node: Obj): Record<string, ExampleContract> | undefined {
    const result: Record<string, ExampleContract> = {};
    if (node.example !== undefined) result.default = { value: node.example };
    if (this.version !== '2.0' && isObj(node.examples)) {
      for (const [name, raw] of Object.entries(node.examples)) {
        const ex = this.resolve(raw);
        if (!isObj(ex)) continue;
        const example: ExampleContract = {};
        if (typeof ex.summary === 'string') example.summary = ex.summary;
        if (typeof ex.description === 'string') example.description = ex.description;
        if (ex.value !== undefined) example.value = ex.value;
        if (typeof ex.externalValue === 'string') example.externalValue = ex.externalValue;
        result[name] = example;
      }
    }
    return Object.keys(result).length === 0 ? undefined : result;
  }

  /** A ParameterContract from an OpenAPI parameter, header or schema property. */
  parameter(name: string, node: Obj, required: boolean): ParameterContract {
    const is2 = this.version === '2.0';
    let schema: unknown = is2 ? (node.in === 'body' ? node.schema : node) : node.schema;
    if (!is2 && schema === undefined && isObj(node.content)) {
      const first = Object.values(node.content)[0];
      if (isObj(first)) schema = first.schema;
    }
    const resolved = this.resolve(schema);
    const param: ParameterContract = { name, type: this.schemaType(schema), required };
    const description = str(node.description);
    if (description !== undefined) param.description = description;
    const values = isObj(resolved) && Array.isArray(resolved.enum) ? resolved.enum.filter((v) => v !== null).map(asText) : [];
    param.values = values;
    if (isObj(resolved) && resolved.default !== undefined) param.defaultValue = asText(resolved.default);
    if (!is2 && isObj(schema) && typeof schema.$ref === 'string') {
      const typeName = this.typeNameOfRef(schema.$ref);
      if (typeName !== undefined) {
        param.schemaId = this.schemaId;
        param.typeName = typeName;
      }
    }
    const examples = this.examplesOf(node);
    if (examples !== undefined) param.examples = examples;
    return param;
  }

  /** Path-level and operation-level parameters, the latter overriding by name and location. */
  parametersOf(pathItem: Obj, op: Obj): ParamInfo[] {
    const merged = new Map<string, ParamInfo>();
    for (const list of [pathItem.parameters, op.parameters]) {
      if (!Array.isArray(list)) continue;
      for (const raw of list) {
        const p = this.resolve(raw);
        if (!isObj(p) || typeof p.name !== 'string' || typeof p.in !== 'string') continue;
        merged.set(`${p.in}:${p.name}`, { name: p.name, in: p.in, node: p });
      }
    }
    return [...merged.values()];
  }

  formParametersOf(schema: unknown): ParameterContract[] | undefined {
    const target = this.resolve(schema);
    if (!isObj(target) || !isObj(target.properties)) return undefined;
    const required = new Set(Array.isArray(target.required) ? target.required : []);
    return Object.entries(target.properties).map(([name, prop]) => {
      const resolved = this.resolve(prop);
      const param: ParameterContract = { name, type: this.schemaType(prop), required: required.has(name), values: [] };
      if (isObj(resolved)) {
        const description = str(resolved.description);
        if (description !== undefined) param.description = description;
        if (Array.isArray(resolved.enum)) param.values = resolved.enum.filter((v) => v !== null).map(asText);
        if (resolved.default !== undefined) param.defaultValue = asText(resolved.default);
      }
      return param;
    });
  }

  representationsOf(content: unknown, hint: string): RepresentationContract[] {
    if (!isObj(content)) return [];
    const result: RepresentationContract[] = [];
    for (const [contentType, rawMedia] of Object.entries(content)) {
      const media = this.resolve(rawMedia);
      const rep: RepresentationContract = { contentType };
      if (isObj(media)) {
        const ref = this.schemaRef(media.schema, hint);
        if (ref !== undefined) Object.assign(rep, ref);
        if (/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(contentType)) {
          const form = this.formParametersOf(media.schema);
          if (form !== undefined) rep.formParameters = form;
        }
        const examples = this.examplesOf(media);
        if (examples !== undefined) rep.examples = examples;
      }
      result.push(rep);
    }
    return result;
  }

  headersOf(headers: unknown): ParameterContract[] {
    if (!isObj(headers)) return [];
    const result: ParameterContract[] = [];
    for (const [name, raw] of Object.entries(headers)) {
      const header = this.resolve(raw);
      if (!isObj(header)) continue;
      result.push(this.parameter(name, header, header.required === true));
    }
    return result;
  }

  mediaTypes(op: Obj, key: 'consumes' | 'produces'): string[] {
    const own = op[key];
    const global = this.doc[key];
    const list = Array.isArray(own) ? own : Array.isArray(global) ? global : [];
    const types = list.filter((t): t is string => typeof t === 'string');
    return types;
  }

  request3(method: string, op: Obj, stem: string, where: string): { description?: string; representations: RepresentationContract[] } {
    if (op.requestBody === undefined) return { representations: [] };
    if (NO_BODY_METHODS.has(method)) {
      this.warn(`${where}: ${method.toUpperCase()} operations take no request body; the one described is discarded.`);
      return { representations: [] };
    }
    const body = this.resolve(op.requestBody);
    if (!isObj(body)) return { representations: [] };
    const out: { description?: string; representations: RepresentationContract[] } = {
      representations: this.representationsOf(body.content, `${stem}Request`),
    };
    const description = str(body.description);
    if (description !== undefined) out.description = description;
    return out;
  }

  request2(method: string, op: Obj, params: ParamInfo[], stem: string, where: string): { description?: string; representations: RepresentationContract[] } {
    const body = params.find((p) => p.in === 'body');
    const form = params.filter((p) => p.in === 'formData');
    if ((body !== undefined || form.length > 0) && NO_BODY_METHODS.has(method)) {
      this.warn(`${where}: ${method.toUpperCase()} operations take no request body; the one described is discarded.`);
      return { representations: [] };
    }
    const consumes = this.mediaTypes(op, 'consumes');
    if (body !== undefined) {
      const types = consumes.length > 0 ? consumes : ['application/json'];
      const ref = this.schemaRef(body.node.schema, `${stem}Request`);
      const out: { description?: string; representations: RepresentationContract[] } = {
        representations: types.map((contentType) => ({ contentType, ...(ref ?? {}) })),
      };
      const description = str(body.node.description);
      if (description !== undefined) out.description = description;
      return out;
    }
    if (form.length > 0) {
      const hasFile = form.some((p) => p.node.type === 'file');
      const formTypes = consumes.filter((t) => /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(t));
      const types = formTypes.length > 0 ? formTypes : [hasFile ? 'multipart/form-data' : 'application/x-www-form-urlencoded'];
      const formParameters = form.map((p) => this.parameter(p.name, p.node, p.node.required === true));
      return { representations: types.map((contentType) => ({ contentType, formParameters: formParameters.map((f) => ({ ...f })) })) };
    }
    return { representations: [] };
  }

  responses(op: Obj, stem: string, where: string): ResponseContract[] {
    if (!isObj(op.responses)) return [];
    const result: ResponseContract[] = [];
    const produces = this.version === '2.0' ? this.mediaTypes(op, 'produces') : [];
    for (const [code, raw] of Object.entries(op.responses)) {
      if (code.startsWith('x-')) continue;
      if (!/^[1-5]\d\d$/.test(code)) {
        this.warn(`${where}: the "${code}" response has no single status code and is not imported.`);
        continue;
      }
      const response = this.resolve(raw);
      if (!isObj(response)) continue;
      const contract: ResponseContract = { statusCode: Number(code), representations: [], headers: [] };
      const description = str(response.description);
      if (description !== undefined) contract.description = description;
      if (this.version === '2.0') {
        const types = produces.length > 0 ? produces : ['application/json'];
        const reps: RepresentationContract[] = [];
        const ref = response.schema === undefined ? undefined : this.schemaRef(response.schema, `${stem}${code}Response`);
        if (ref !== undefined) for (const contentType of types) reps.push({ contentType, ...ref });
        if (isObj(response.examples)) {
          for (const [contentType, value] of Object.entries(response.examples)) {
            let rep = reps.find((r) => r.contentType === contentType);
            if (rep === undefined) {
              rep = { contentType, ...(ref ?? {}) };
              reps.push(rep);
            }
            rep.examples = { default: { value } };
          }
        }
        contract.representations = reps;
      } else {
        contract.representations = this.representationsOf(response.content, `${stem}${code}Response`);
      }
      contract.headers = this.headersOf(response.headers);
      result.push(contract);
    }
    return result;
  }

  /**
   * The service URL from `servers` (or Swagger's `x-servers`, or `host`, `basePath` and
   * `schemes`). The API's `protocols` are the gateway's side and are not taken from the backend's.
   */
  serviceUrl(): string | undefined {
    const servers = this.version === '2.0' ? this.doc['x-servers'] : this.doc.servers;
    if (Array.isArray(servers) && servers.length > 0) return this.fromServers(servers);
    if (this.version !== '2.0') return undefined;
    const source = this.sourceUrl === undefined ? undefined : new URL(this.sourceUrl);
    const host = str(this.doc.host) ?? source?.host;
    const declared = Array.isArray(this.doc.schemes) ? this.doc.schemes.filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase()) : [];
    const schemes = declared.length > 0 ? declared : [source?.protocol.replace(':', '') ?? 'https'];
    if (host === undefined) {
      this.warn('The definition names no host; the API has no service URL.');
      return undefined;
    }
    const scheme = schemes.includes('https') ? 'https' : schemes.includes('http') ? 'http' : undefined;
    if (scheme === undefined) return undefined;
    const basePath = str(this.doc.basePath) ?? '';
    return `${scheme}://${host}${basePath === '/' ? '' : basePath.replace(/\/+$/, '')}`;
  }

  fromServers(servers: unknown[]): string | undefined {
    const urls: URL[] = [];
    for (const server of servers) {
      if (!isObj(server) || typeof server.url !== 'string') continue;
      const variables = isObj(server.variables) ? server.variables : {};
      const text = server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
        const variable = variables[name];
        return isObj(variable) && variable.default !== undefined ? String(variable.default) : whole;
      });
      try {
        urls.push(this.sourceUrl === undefined ? new URL(text) : new URL(text, this.sourceUrl));
      } catch {
        if (/^\/|^[^:]+$/.test(text)) this.warn(`The server URL "${server.url}" is relative and the definition was not imported from a link; it gives no service URL.`);
        else this.warn(`The server URL "${server.url}" is not a valid URL.`);
      }
    }
    const chosen = urls.find((u) => u.protocol === 'https:') ?? urls.find((u) => u.protocol === 'http:');
    return chosen === undefined ? undefined : chosen.href.replace(/\/+$/, '');
  }

  apiProperties(): ApiProperties {
    const info = isObj(this.doc.info) ? this.doc.info : {};
    const api: ApiProperties = {};
    const title = str(info.title);
    if (title !== undefined) api.displayName = title.slice(0, MAX_DISPLAY_NAME);
    const description = str(info.description);
    if (description !== undefined) api.description = description;
    const serviceUrl = this.serviceUrl();
    if (serviceUrl !== undefined) api.serviceUrl = serviceUrl;
    if (isObj(info.contact)) {
      const contact: { name?: string; url?: string; email?: string } = {};
      for (const key of ['name', 'url', 'email'] as const) if (typeof info.contact[key] === 'string') contact[key] = info.contact[key];
      if (Object.keys(contact).length > 0) api.contact = contact;
    }
    if (isObj(info.license)) {
      const license: { name?: string; url?: string } = {};
      for (const key of ['name', 'url'] as const) if (typeof info.license[key] === 'string') license[key] = info.license[key];
      if (Object.keys(license).length > 0) api.license = license;
    }
    const terms = str(info.termsOfService);
    if (terms !== undefined) api.termsOfServiceUrl = terms;
    return api;
  }

  run(): MappedDefinition {
    const operations: OperationResource[] = [];
    const allocate = createNameAllocator();
    const tagOperations = new Map<string, string[]>();
    const seenRoutes = new Map<string, string>();
    const pathSources: [string, unknown][] = [];
    if (isObj(this.doc.paths)) pathSources.push(...Object.entries(this.doc.paths));
    if (isObj(this.doc['x-ms-paths'])) pathSources.push(...Object.entries(this.doc['x-ms-paths']));

    for (const [pathKey, rawItem] of pathSources) {
      if (pathKey.startsWith('x-')) continue;
      const pathItem = this.resolve(rawItem);
      if (!isObj(pathItem)) continue;
      for (const method of METHODS) {
        const op = pathItem[method];
        if (!isObj(op)) continue;
        const operation = this.operation(pathKey, pathItem, method, op, allocate);
        const route = `${operation.properties.method} ${operation.properties.urlTemplate.toLowerCase()}`;
        const clash = seenRoutes.get(route);
        if (clash !== undefined) {
          throw definitionError(
            'DEFINITION_CONFLICT',
            `Operations "${clash}" and "${operation.name}" have the same method and URL template: ${operation.properties.method} ${operation.properties.urlTemplate}.`,
            { pointer: `/paths/${pathKey.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}` },
          );
        }
        seenRoutes.set(route, operation.name);
        operations.push(operation);
        if (Array.isArray(op.tags)) {
          for (const tag of op.tags) {
            if (typeof tag !== 'string' || tag === '') continue;
            const list = tagOperations.get(tag) ?? [];
            if (!list.includes(operation.name)) list.push(operation.name);
            tagOperations.set(tag, list);
          }
        }
        if (op.callbacks !== undefined) this.warn(`Operation "${operation.name}": callbacks are kept in the definition, not imported as operations.`);
      }
    }

    const tags = this.tags(tagOperations);
    const webhooks = isObj(this.doc.webhooks) ? Object.keys(this.doc.webhooks) : [];
    if (webhooks.length > 0) this.warn(`${webhooks.length} webhook(s) are kept in the definition, not imported as operations: ${webhooks.join(', ')}.`);

    const schemas: SchemaResource[] = [];
    if (Object.keys(this.types).length > 0) {
      schemas.push({
        name: this.schemaId,
        properties: {
          contentType: this.contentType,
          document: this.version === '2.0' ? { definitions: this.types } : { components: { schemas: this.types } },
        },
      });
    }
    return { api: this.apiProperties(), operations, schemas, tags, webhooks, warnings: this.warnings };
  }

  tags(tagOperations: Map<string, string[]>): TagImport[] {
    const descriptions = new Map<string, string | undefined>();
    if (Array.isArray(this.doc.tags)) {
      for (const tag of this.doc.tags) {
        if (isObj(tag) && typeof tag.name === 'string' && tag.name !== '') descriptions.set(tag.name, str(tag.description));
      }
    }
    const names = [...new Set([...descriptions.keys(), ...tagOperations.keys()])];
    const allocate = createNameAllocator();
    const result: TagImport[] = [];
    for (const displayName of names) {
      const name = allocate(normalizeName(displayName) || 'tag');
      if (name === undefined) continue;
      const tag: TagImport = { name, properties: { displayName }, operations: tagOperations.get(displayName) ?? [] };
      const description = descriptions.get(displayName);
      if (description !== undefined) tag.description = description;
      result.push(tag);
    }
    return result;
  }

  operation(pathKey: string, pathItem: Obj, method: string, op: Obj, allocate: (base: string) => string | undefined): OperationResource {
    const is2 = this.version === '2.0';
    const where = `${method.toUpperCase()} ${pathKey}`;
    const params = this.parametersOf(pathItem, op);
    const [pathPart, fixedQuery] = splitTemplate(pathKey);

    // Template parameters in the order the path names them.
    const placeholders = [...pathPart.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const templateParameters: ParameterContract[] = [];
    const pathParams = new Map(params.filter((p) => p.in === 'path').map((p) => [p.name, p]));
    for (const name of placeholders) {
      const defined = pathParams.get(name);
      if (defined !== undefined) templateParameters.push(this.parameter(name, defined.node, true));
      else {
        this.warn(`${where}: the path parameter "${name}" is not described; it is imported as a required string.`);
        templateParameters.push({ name, type: 'string', required: true, values: [] });
      }
    }
    for (const name of pathParams.keys()) {
      if (!placeholders.includes(name)) this.warn(`${where}: the path parameter "${name}" is not in the path and is dropped.`);
    }

    // `x-ms-paths` keys carry a query part; its placeholders are template parameters too.
    const queryPlaceholders = [...fixedQuery.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const queryParameters: ParameterContract[] = [];
    const templateQuery: string[] = [];
    const taken = new Set([...placeholders, ...queryPlaceholders].map((n) => n.toLowerCase()));
    const queryParams = params.filter((q) => q.in === 'query');
    for (const name of queryPlaceholders) {
      const defined = queryParams.find((q) => q.name === name);
      templateParameters.push(defined === undefined ? { name, type: 'string', required: true, values: [] } : this.parameter(name, defined.node, true));
    }
    for (const p of queryParams) {
      if (queryPlaceholders.includes(p.name)) continue;
      const required = p.node.required === true;
      const contract = this.parameter(p.name, p.node, required);
      if (required && this.translation === 'template') {
        if (taken.has(p.name.toLowerCase()) || !/^[A-Za-z0-9_.-]+$/.test(p.name)) {
          this.warn(`${where}: the required query parameter "${p.name}" cannot be a template parameter; it stays a query parameter.`);
          queryParameters.push(contract);
          continue;
        }
        taken.add(p.name.toLowerCase());
        templateQuery.push(p.name);
        templateParameters.push(contract);
      } else {
        queryParameters.push(contract);
      }
    }

    const headers: ParameterContract[] = [];
    for (const p of params.filter((h) => h.in === 'header')) {
      if (!is2 && IGNORED_HEADERS_3.has(p.name.toLowerCase())) continue;
      headers.push(this.parameter(p.name, p.node, p.node.required === true));
    }
    for (const p of params.filter((c) => c.in === 'cookie')) {
      this.warn(`${where}: the cookie parameter "${p.name}" is not imported (Azure API Management does not describe cookie parameters).`);
    }

    let urlTemplate = pathPart;
    const queryParts = [...(fixedQuery === '' ? [] : [fixedQuery]), ...templateQuery.map((n) => `${n}={${n}}`)];
    if (queryParts.length > 0) urlTemplate += `?${queryParts.join('&')}`;

    const operationId = str(op.operationId);
    let base = operationId === undefined ? '' : normalizeName(operationId);
    if (base === '') base = normalizeName(`${method}-${urlTemplate}`);
    const name = allocate(base);
    if (name === undefined) {
      throw definitionError('DEFINITION_CONFLICT', `More than 1000 operations share the name "${base}".`, { pointer: `/paths/${pathKey.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}` });
    }

    const summary = str(op.summary);
    const displayName = (summary ?? operationId ?? `${titleCaseMethod(method)} - ${urlTemplate}`).slice(0, MAX_DISPLAY_NAME);
    const stem = pascalCase(name);
    const body = is2 ? this.request2(method, op, params, stem, where) : this.request3(method, op, stem, where);
    const request: RequestContract = { queryParameters, headers, representations: body.representations };
    if (body.description !== undefined) request.description = body.description;

    const operation: OperationResource = {
      name,
      properties: {
        displayName,
        method: method.toUpperCase(),
        urlTemplate,
        templateParameters,
        request,
        responses: this.responses(op, stem, where),
      },
    };
    const description = str(op.description);
    if (description !== undefined) {
      if (description.length > MAX_DESCRIPTION) {
        this.warn(`${where}: the description is longer than ${MAX_DESCRIPTION} characters and is truncated.`);
      }
      operation.properties.description = description.slice(0, MAX_DESCRIPTION);
    }
    return operation;
  }
}

/** `/a/{b}?c=d` → [`/a/{b}`, `c=d`]. */
export function splitTemplate(template: string): [string, string] {
  const at = template.indexOf('?');
  return at < 0 ? [template, ''] : [template.slice(0, at), template.slice(at + 1)];
}

/** Maps a loaded definition to the API's properties, operations, schema resource and tags. */
export function mapDefinition(loaded: LoadedDefinition, options: MapOptions = {}): MappedDefinition {
  return new Mapper(loaded, options).run();
}
