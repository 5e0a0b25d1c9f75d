import { dump as dumpYaml } from 'js-yaml';
import { OPENAPI_COMPONENTS_CONTENT_TYPE, SWAGGER_DEFINITIONS_CONTENT_TYPE } from '../types.ts';
import type {
  ApiProperties,
  ExampleContract,
  OperationResource,
  ParameterContract,
  RepresentationContract,
  SchemaResource,
  TagImport,
} from '../types.ts';
import { convertSchema } from './schema-convert.ts';
import type { SchemaDialect } from './schema-convert.ts';
import { splitTemplate } from './map.ts';
import { escapeToken } from './pointer.ts';

/**
 * Export: an OpenAPI 3.0 (JSON or YAML) or Swagger 2.0 document built from an API's current
 * properties, operations and schema resources, addressed at the gateway. As Azure exports:
 * each operation's name is its `operationId` and its display name its `summary`; template
 * parameters found in the URL's query part become required query parameters; the
 * subscription key header and query parameter appear as API key security schemes.
 */

export const exportFormats = ['openapi+json', 'openapi', 'swagger-json'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ExportInput {
  readonly api: ApiProperties;
  readonly operations: readonly OperationResource[];
  readonly schemas?: readonly SchemaResource[];
  /** Tags linked to operations (as an import returns them); they become operation `tags`. */
  readonly tags?: readonly TagImport[];
}

export interface ExportOptions {
  readonly format: ExportFormat;
  /** The gateway's base URL, e.g. `https://gateway.example.com`; the API's path is appended. */
  readonly gatewayUrl: string;
}

type Obj = Record<string, unknown>;

const DEFAULT_KEY_HEADER = 'Ocp-Apim-Subscription-Key';
const DEFAULT_KEY_QUERY = 'subscription-key';

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function apiUrl(api: ApiProperties, gatewayUrl: string): URL {
  const base = gatewayUrl.replace(/\/+$/, '');
  const path = typeof api.path === 'string' ? api.path.replace(/^\/+|\/+$/g, '') : '';
  return new URL(path === '' ? base : `${base}/${path}`);
}

/**
 * The types of every schema resource by name: OpenAPI 3 components and Swagger definitions
 * alike (the first resource to define a name wins). `document.value` holding JSON is read too.
 */
function collectTypes(schemas: readonly SchemaResource[]): Map<string, unknown> {
  const types = new Map<string, unknown>();
  for (const schema of schemas) {
    const props = schema.properties;
    let document: Obj | undefined = isObj(props.document) ? (props.document as Obj) : undefined;
    if (document !== undefined && typeof document.value === 'string' && document.components === undefined && document.definitions === undefined) {
      try {
        const parsed = JSON.parse(document.value) as unknown;
        if (isObj(parsed)) document = parsed;
      } catch {
        document = undefined;
      }
    }
    if (document === undefined) continue;
    let map: unknown;
    if (props.contentType === OPENAPI_COMPONENTS_CONTENT_TYPE || isObj(document.components)) {
      map = isObj(document.components) ? document.components.schemas : undefined;
    }
    if (map === undefined && (props.contentType === SWAGGER_DEFINITIONS_CONTENT_TYPE || isObj(document.definitions))) {
      map = document.definitions;
    }
    if (!isObj(map)) continue;
    for (const [name, value] of Object.entries(map)) if (!types.has(name)) types.set(name, value);
  }
  return types;
}

/** Parameter values are strings in Azure's contracts; numbers and booleans go back to their type. */
function typedValue(value: string, type: string): unknown {
  if (type === 'integer' || type === 'number') {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : value;
  }
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  if (type === 'array' || type === 'object') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

class Exporter {
  readonly input: ExportInput;
  readonly dialect: SchemaDialect;
  readonly types: Map<string, unknown>;
  readonly tagsByOperation = new Map<string, string[]>();

  constructor(input: ExportInput, dialect: SchemaDialect) {
    this.input = input;
    this.dialect = dialect;
    this.types = collectTypes(input.schemas ?? []);
    for (const tag of input.tags ?? []) {
      for (const op of tag.operations) {
        const list = this.tagsByOperation.get(op) ?? [];
        list.push(tag.properties.displayName);
        this.tagsByOperation.set(op, list);
      }
    }
  }

  typeRef(typeName: string | undefined): Obj | undefined {
    if (typeName === undefined || !this.types.has(typeName)) return undefined;
    const prefix = this.dialect === '2.0' ? '#/definitions/' : '#/components/schemas/';
    return { $ref: prefix + escapeToken(typeName) };
  }

  /** A parameter's schema (3.0) or its inline type fields (2.0). */
  simpleSchema(p: ParameterContract, context: 'parameter' | 'form' | 'header'): Obj {
    const is2 = this.dialect === '2.0';
    if (!is2) {
      const ref = this.typeRef(p.typeName);
      if (ref !== undefined) return ref;
    }
    let type = p.type;
    if (!['string', 'number', 'integer', 'boolean', 'array', 'object', 'file'].includes(type)) type = 'string';
    if (type === 'file' && !(is2 && context === 'form')) type = 'string';
    if (is2 && type === 'object') type = 'string';
    const schema: Obj = { type };
    if (type === 'array') schema.items = { type: 'string' };
    if (p.values !== undefined && p.values.length > 0) schema.enum = p.values.map((v) => typedValue(v, type));
    if (p.defaultValue !== undefined) schema.default = typedValue(p.defaultValue, type);
    return schema;
  }

  examples3(target: Obj, examples: Record<string, ExampleContract> | undefined): void {
    if (examples === undefined) return;
    const names = Object.keys(examples);
    if (names.length === 0) return;
    if (names.length === 1 && names[0] === 'default' && Object.keys(examples.default).every((k) => k === 'value')) {
      target.example = examples.default.value;
      return;
    }
    const out: Obj = {};
    for (const [name, ex] of Object.entries(examples)) {
      const e: Obj = {};
      if (ex.summary !== undefined) e.summary = ex.summary;
      if (ex.description !== undefined) e.description = ex.description;
      if (ex.value !== undefined) e.value = ex.value;
      if (ex.externalValue !== undefined) e.externalValue = ex.externalValue;
      out[name] = e;
    }
    target.examples = out;
  }

  parameter(p: ParameterContract, location: 'path' | 'query' | 'header', required: boolean): Obj {
    const out: Obj = { name: p.name, in: location };
    if (p.description !== undefined) out.description = p.description;
    out.required = location === 'path' ? true : required;
    if (this.dialect === '2.0') {
      Object.assign(out, this.simpleSchema(p, 'parameter'));
    } else {
      out.schema = this.simpleSchema(p, 'parameter');
      this.examples3(out, p.examples);
    }
    return out;
  }

  formSchema(form: readonly ParameterContract[]): Obj {
    const properties: Obj = {};
    const required: string[] = [];
    for (const f of form) {
      const schema = this.simpleSchema(f, 'form');
      if (f.type === 'file') {
        schema.type = 'string';
        schema.format = 'binary';
      }
      if (f.description !== undefined) schema.description = f.description;
      properties[f.name] = schema;
      if (f.required === true) required.push(f.name);
    }
    return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
  }

  content3(representations: readonly RepresentationContract[] | undefined): Obj | undefined {
    if (representations === undefined || representations.length === 0) return undefined;
    const content: Obj = {};
    for (const rep of representations) {
      const media: Obj = {};
      const ref = this.typeRef(rep.typeName);
      if (ref !== undefined) media.schema = ref;
      else if (rep.formParameters !== undefined && rep.formParameters.length > 0) media.schema = this.formSchema(rep.formParameters);
      this.examples3(media, rep.examples);
      content[rep.contentType] = media;
    }
    return content;
  }

  headers(list: readonly ParameterContract[] | undefined): Obj | undefined {
    if (list === undefined || list.length === 0) return undefined;
    const out: Obj = {};
    for (const h of list) {
      const header: Obj = {};
      if (h.description !== undefined) header.description = h.description;
      if (this.dialect === '2.0') {
        Object.assign(header, this.simpleSchema(h, 'header'));
      } else {
        if (h.required === true) header.required = true;
        header.schema = this.simpleSchema(h, 'header');
        this.examples3(header, h.examples);
      }
      out[h.name] = header;
    }
    return out;
  }

  operation(op: OperationResource): { path: string; fullTemplate: string; method: string; body: Obj } {
    const props = op.properties;
    const is2 = this.dialect === '2.0';
    let template = props.urlTemplate.startsWith('/') ? props.urlTemplate : `/${props.urlTemplate}`;
    const [path, query] = splitTemplate(template);
    template = query === '' ? path : `${path}?${query}`;
    const inPath = new Set([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));

    const parameters: Obj[] = [];
    const described = new Set<string>();
    for (const p of props.templateParameters ?? []) {
      described.add(p.name);
      parameters.push(this.parameter(p, inPath.has(p.name) ? 'path' : 'query', true));
    }
    for (const name of inPath) {
      if (!described.has(name)) parameters.push(this.parameter({ name, type: 'string' }, 'path', true));
    }
    const request = props.request ?? {};
    for (const q of request.queryParameters ?? []) parameters.push(this.parameter(q, 'query', q.required === true));
    for (const h of request.headers ?? []) parameters.push(this.parameter(h, 'header', h.required === true));

    const body: Obj = { operationId: op.name, summary: props.displayName };
    if (props.description !== undefined && props.description !== '') body.description = props.description;
    const tags = this.tagsByOperation.get(op.name);
    if (tags !== undefined && tags.length > 0) body.tags = tags;

    const reps = request.representations ?? [];
    if (is2) {
      const consumes = [...new Set(reps.map((r) => r.contentType))];
      const form = reps.find((r) => r.formParameters !== undefined && r.formParameters.length > 0);
      const typed = reps.find((r) => this.typeRef(r.typeName) !== undefined);
      if (typed !== undefined) {
        const param: Obj = { name: 'body', in: 'body' };
        if (request.description !== undefined) param.description = request.description;
        param.schema = this.typeRef(typed.typeName);
        parameters.push(param);
      } else if (form !== undefined) {
        for (const f of form.formParameters ?? []) {
          const param: Obj = { name: f.name, in: 'formData' };
          if (f.description !== undefined) param.description = f.description;
          param.required = f.required === true;
          Object.assign(param, this.simpleSchema(f, 'form'));
          parameters.push(param);
        }
      }
      if (consumes.length > 0) body.consumes = consumes;
    }
    if (parameters.length > 0) body.parameters = parameters;
    if (!is2) {
      const content = this.content3(reps);
      if (content !== undefined) {
        const requestBody: Obj = {};
        if (request.description !== undefined) requestBody.description = request.description;
        requestBody.content = content;
        body.requestBody = requestBody;
      }
    }

    const responses: Obj = {};
    const produces = new Set<string>();
    for (const r of props.responses ?? []) {
      const response: Obj = { description: r.description ?? '' };
      if (is2) {
        const typed = (r.representations ?? []).find((rep) => this.typeRef(rep.typeName) !== undefined);
        if (typed !== undefined) response.schema = this.typeRef(typed.typeName);
        const examples: Obj = {};
        for (const rep of r.representations ?? []) {
          produces.add(rep.contentType);
          const value = rep.examples?.default?.value ?? Object.values(rep.examples ?? {})[0]?.value;
          if (value !== undefined) examples[rep.contentType] = value;
        }
        if (Object.keys(examples).length > 0) response.examples = examples;
      } else {
        const content = this.content3(r.representations);
        if (content !== undefined) response.content = content;
      }
      const headers = this.headers(r.headers);
      if (headers !== undefined) response.headers = headers;
      responses[String(r.statusCode)] = response;
    }
    // Both dialects require at least one response; `default` is one an import does not keep.
    if (Object.keys(responses).length === 0) responses.default = { description: '' };
    if (is2 && produces.size > 0) body.produces = [...produces];
    body.responses = responses;
    return { path, fullTemplate: template, method: props.method.toLowerCase(), body };
  }

  paths(): { paths: Obj; msPaths: Obj } {
    const paths: Obj = {};
    const msPaths: Obj = {};
    const built = this.input.operations.map((op) => this.operation(op));
    // Operations with the same path and method are told apart by their query; the one without
    // a query part keeps `paths`, the others travel in Azure's `x-ms-paths` under their full template.
    const shared = new Map<string, number>();
    for (const b of built) shared.set(`${b.method} ${b.path}`, (shared.get(`${b.method} ${b.path}`) ?? 0) + 1);
    for (const { path, fullTemplate, method, body } of built) {
      const alone = shared.get(`${method} ${path}`) === 1;
      let item = paths[path] as Obj | undefined;
      if (!alone && (fullTemplate !== path || (item !== undefined && item[method] !== undefined))) {
        item = (msPaths[fullTemplate] ??= {}) as Obj;
        if (item[method] !== undefined) continue;
      } else {
        item = (paths[path] ??= {}) as Obj;
      }
      item[method] = body;
    }
    return { paths, msPaths };
  }

  info(): Obj {
    const api = this.input.api;
    const info: Obj = { title: api.displayName ?? 'API' };
    if (api.description !== undefined && api.description !== '') info.description = api.description;
    if (api.termsOfServiceUrl !== undefined) info.termsOfService = api.termsOfServiceUrl;
    if (isObj(api.contact) && Object.keys(api.contact).length > 0) info.contact = api.contact;
    if (isObj(api.license) && typeof api.license.name === 'string') info.license = api.license;
    info.version = api.apiVersion !== undefined && api.apiVersion !== '' ? api.apiVersion : '1.0';
    return info;
  }

  keyNames(): { header: string; query: string } | undefined {
    const api = this.input.api;
    if (api.subscriptionRequired === false) return undefined;
    const names = isObj(api.subscriptionKeyParameterNames) ? api.subscriptionKeyParameterNames : {};
    return {
      header: typeof names.header === 'string' ? names.header : DEFAULT_KEY_HEADER,
      query: typeof names.query === 'string' ? names.query : DEFAULT_KEY_QUERY,
    };
  }

  convertedTypes(): Obj {
    const out: Obj = {};
    for (const [name, schema] of this.types) out[name] = convertSchema(schema, this.dialect);
    return out;
  }

  tagList(): Obj[] | undefined {
    const tags = (this.input.tags ?? []).map((t) => {
      const tag: Obj = { name: t.properties.displayName };
      if (t.description !== undefined) tag.description = t.description;
      return tag;
    });
    return tags.length > 0 ? tags : undefined;
  }

  openapi3(gatewayUrl: string): Obj {
    const { paths, msPaths } = this.paths();
    const doc: Obj = { openapi: '3.0.1', info: this.info(), servers: [{ url: apiUrl(this.input.api, gatewayUrl).href.replace(/\/$/, '') }], paths };
    if (Object.keys(msPaths).length > 0) doc['x-ms-paths'] = msPaths;
    const components: Obj = {};
    if (this.types.size > 0) components.schemas = this.convertedTypes();
    const keys = this.keyNames();
    if (keys !== undefined) {
      components.securitySchemes = {
        apiKeyHeader: { type: 'apiKey', name: keys.header, in: 'header' },
        apiKeyQuery: { type: 'apiKey', name: keys.query, in: 'query' },
      };
      doc.security = [{ apiKeyHeader: [] }, { apiKeyQuery: [] }];
    }
    if (Object.keys(components).length > 0) doc.components = components;
    const tags = this.tagList();
    if (tags !== undefined) doc.tags = tags;
    return doc;
  }

  swagger2(gatewayUrl: string): Obj {
    const url = apiUrl(this.input.api, gatewayUrl);
    const { paths, msPaths } = this.paths();
    const doc: Obj = {
      swagger: '2.0',
      info: this.info(),
      host: url.host,
      basePath: url.pathname === '' ? '/' : url.pathname.replace(/(.)\/$/, '$1'),
      schemes: [url.protocol.replace(':', '')],
      paths,
    };
    if (Object.keys(msPaths).length > 0) doc['x-ms-paths'] = msPaths;
    if (this.types.size > 0) doc.definitions = this.convertedTypes();
    const keys = this.keyNames();
    if (keys !== undefined) {
      doc.securityDefinitions = {
        apiKeyHeader: { type: 'apiKey', name: keys.header, in: 'header' },
        apiKeyQuery: { type: 'apiKey', name: keys.query, in: 'query' },
      };
      doc.security = [{ apiKeyHeader: [] }, { apiKeyQuery: [] }];
    }
    const tags = this.tagList();
    if (tags !== undefined) doc.tags = tags;
    return doc;
  }
}

/** The exported definition as an object: OpenAPI 3.0.1 or, for `swagger-json`, Swagger 2.0. */
export function buildExportDocument(input: ExportInput, options: ExportOptions): Obj {
  if (options.format === 'swagger-json') return new Exporter(input, '2.0').swagger2(options.gatewayUrl);
  return new Exporter(input, '3.0').openapi3(options.gatewayUrl);
}

/** The exported definition as text: JSON for `openapi+json` and `swagger-json`, YAML for `openapi`. */
export function serializeExport(doc: Obj, format: ExportFormat): string {
  if (format === 'openapi') return dumpYaml(doc, { noRefs: true, lineWidth: -1 });
  return JSON.stringify(doc, null, 2);
}

