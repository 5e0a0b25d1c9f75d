// The `context` object model of policy expressions, built on a small plain-data ContextSource that
// the gateway fills. Everything is read lazily: a header map is built on first use, a body is only
// loaded when an expression asks for it.

import { argNull } from './errors.ts';
import { CORE, requireString } from './library.ts';
import { parseJwt } from './library-more.ts';
import { CsChar } from './runtime/char.ts';
import { CsDictionary, CsList, KeyValuePair, ORDINAL_IGNORE_CASE } from './runtime/collections.ts';
import { DateTime, TICKS_PER_MS, TimeSpan } from './runtime/datetime.ts';
import { Guid } from './runtime/guid.ts';
import { JArray, JObject, JToken, parseJson } from './runtime/json.ts';
import { tagArray } from './runtime/values.ts';
import { parseXml } from './runtime/xml.ts';
import { DotNetException } from './errors.ts';
import { type Ref, type SpecializeInfo, defineType, named, typeName } from './types.ts';

// ---------------------------------------------------------------- the gateway's side

/** A URL as parts, or as an absolute URL string. */
export interface UrlSource {
  scheme: string;
  host: string;
  port?: number;
  /** Path starting with '/', not decoded. */
  path: string;
  /** Query string without the leading '?'. */
  query?: string;
}

/**
 * Header values by name (any case); repeated headers as arrays. Or the gateway's flat list
 * (`[name, value, name, value…]`), which expressions then read without building a map.
 */
export type HeadersSource = Record<string, string | string[]> | Map<string, string | string[]> | readonly string[];

/** A message body, loaded only when an expression reads it. */
export interface BodySource {
  load(): Uint8Array | string;
  /** Called when an expression reads the body without preserveContent: the gateway should treat it as consumed. */
  onConsumed?(): void;
}

export interface ContextSource {
  request: {
    method: string;
    /** The URL as it will be sent to the backend (after rewrite-uri). */
    url: UrlSource | string;
    /** The URL as received by the gateway; defaults to `url`. */
    originalUrl?: UrlSource | string;
    headers: HeadersSource;
    body?: BodySource | null;
    matchedParameters?: Record<string, string>;
    ipAddress?: string;
  };
  response?: ResponseSource | null;
  /** The live variables of the request; expressions read them, policies write them. */
  variables?: Map<string, unknown>;
  subscription?: { id: string; key?: string; name?: string; primaryKey?: string; secondaryKey?: string; createdDate?: Date; startDate?: Date | null; endDate?: Date | null } | null;
  user?: { id: string; email?: string; firstName?: string; lastName?: string; note?: string; registrationDate?: Date; groups?: { id: string; name: string }[]; identities?: { id: string; provider: string }[] } | null;
  api?: { id: string; name: string; path: string; revision?: string; version?: string; isCurrentRevision?: boolean; serviceUrl?: UrlSource | string | null; protocols?: string[] } | null;
  operation?: { id: string; name: string; method: string; urlTemplate: string } | null;
  product?: { id: string; name: string; state?: string; approvalRequired?: boolean; subscriptionRequired?: boolean; subscriptionLimit?: number | null } | null;
  deployment?: { region?: string; serviceName?: string; serviceId?: string; gatewayId?: string; instanceId?: string; isManaged?: boolean };
  lastError?: { source?: string; reason?: string; message?: string; scope?: string; section?: string; path?: string; policyId?: string } | null;
  /** A GUID string; generated when absent. */
  requestId?: string;
  /** `requestId` is canonical (lower-case 'D' form, as the gateway makes it): taken without parsing. */
  requestIdCanonical?: boolean;
  /** When the request arrived (ms since epoch); defaults to now. */
  timestamp?: number;
  tracing?: boolean;
  trace?(message: string): void;
  /** The clock (ms since epoch) for DateTime.Now, UtcNow and Elapsed; Date.now by default. */
  now?(): number;
  /** Randomness in [0, 1) for Guid.NewGuid and Random; Math.random by default. */
  random?(): number;
}

export interface ResponseSource {
  statusCode: number;
  statusReason?: string;
  headers: HeadersSource;
  body?: BodySource | null;
}

// ---------------------------------------------------------------- runtime objects

const toDate = (d: Date | number | undefined | null): DateTime | null =>
  d === undefined || d === null ? null : DateTime.fromUnixMs(typeof d === 'number' ? d : d.getTime(), 1);

function headersDict(src: HeadersSource): CsDictionary {
  if (Array.isArray(src)) return new HeaderListDictionary(src.slice());
  const d = new CsDictionary(ORDINAL_IGNORE_CASE, HEADER_CLR);
  const entries = src instanceof Map ? [...src.entries()] : Object.entries(src);
  for (const [k, v] of entries) addHeaderValues(d.map, k, Array.isArray(v) ? v.map(String) : [String(v)]);
  d.readOnly = true;
  return d;
}

const HEADER_CLR = 'System.String,System.String[]';

function addHeaderValues(map: Map<unknown, KeyValuePair>, name: string, values: string[]): void {
  const key = ORDINAL_IGNORE_CASE.key(name);
  const e = map.get(key);
  map.set(key, e ? new KeyValuePair(e.key, tagArray([...(e.value as string[]), ...values], 'System.String')) : new KeyValuePair(name, tagArray(values, 'System.String')));
}

/**
 * A header dictionary over a flat header list (a copy taken when the expression read it): a
 * lookup by name scans the few headers a request has, and the map of every header is built only
 * when an expression enumerates or counts them.
 */
class HeaderListDictionary extends CsDictionary {
  readonly #list: readonly string[];
  #all: Map<unknown, KeyValuePair> | undefined;
  constructor(list: readonly string[]) {
    super(ORDINAL_IGNORE_CASE, HEADER_CLR);
    this.#list = list;
    this.readOnly = true;
  }
  override get map(): Map<unknown, KeyValuePair> {
    if (this.#all === undefined) {
      const all = new Map<unknown, KeyValuePair>();
      const list = this.#list;
      for (let i = 0; i < list.length; i += 2) addHeaderValues(all, list[i], [list[i + 1]]);
      this.#all = all;
    }
    return this.#all;
  }
  override tryGet(key: unknown): KeyValuePair | undefined {
    if (typeof key !== 'string' || this.#all !== undefined) return super.tryGet(key);
    const list = this.#list;
    const wanted = ORDINAL_IGNORE_CASE.key(key);
    const ascii = !NON_ASCII.test(key);
    let name: string | undefined;
    let values: string[] | undefined;
    for (let i = 0; i < list.length; i += 2) {
      const candidate = list[i];
      // Upper-casing keeps an ASCII name's length: names of another length are told apart at once.
      if (candidate.length !== key.length && ascii && !NON_ASCII.test(candidate)) continue;
      if (ORDINAL_IGNORE_CASE.key(candidate) !== wanted) continue;
      if (values === undefined) {
        name = candidate;
        values = [list[i + 1]];
      } else values.push(list[i + 1]);
    }
    return values === undefined ? undefined : new KeyValuePair(name, tagArray(values, 'System.String'));
  }
  override has(key: unknown): boolean {
    return this.tryGet(key) !== undefined;
  }
  override get(key: unknown): unknown {
    if (typeof key !== 'string' || this.#all !== undefined) return super.get(key);
    const e = this.tryGet(key);
    if (e === undefined) throw new DotNetException('KeyNotFoundException', `The given key '${key}' was not present in the dictionary.`);
    return e.value;
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

export class PolicyUrl {
  static readonly clrName = 'IUrl';
  readonly scheme: string;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly queryString: string;
  private _query: CsDictionary | undefined;
  constructor(src: UrlSource | string) {
    if (typeof src === 'string') {
      const u = new URL(src);
      this.scheme = u.protocol.slice(0, -1);
      this.host = u.hostname;
      this.port = u.port ? Number(u.port) : this.scheme === 'https' ? 443 : 80;
      this.path = u.pathname;
      this.queryString = u.search;
    } else {
      this.scheme = src.scheme;
      this.host = src.host;
      this.port = src.port ?? (src.scheme === 'https' ? 443 : 80);
      this.path = src.path || '/';
      this.queryString = src.query ? '?' + src.query : '';
    }
  }
  get query(): CsDictionary {
    if (!this._query) {
      const d = new CsDictionary(ORDINAL_IGNORE_CASE, 'System.String,System.String[]');
      for (const part of this.queryString.slice(1).split('&')) {
        if (!part) continue;
        const i = part.indexOf('=');
        const k = decodeQuery(i < 0 ? part : part.slice(0, i));
        const v = i < 0 ? '' : decodeQuery(part.slice(i + 1));
        const e = d.tryGet(k);
        d.set(k, tagArray(e ? [...(e.value as string[]), v] : [v], 'System.String'));
      }
      d.readOnly = true;
      this._query = d;
    }
    return this._query;
  }
  toString(): string {
    const defaultPort = (this.scheme === 'https' && this.port === 443) || (this.scheme === 'http' && this.port === 80);
    return `${this.scheme}://${this.host}${defaultPort ? '' : ':' + this.port}${this.path}${this.queryString}`;
  }
}

function decodeQuery(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export class MessageBody {
  static readonly clrName = 'IMessageBody';
  private readonly src: BodySource;
  private cache: Uint8Array | string | undefined;
  consumed = false;
  constructor(src: BodySource) {
    this.src = src;
  }
  raw(preserve: boolean): Uint8Array | string | null {
    if (this.consumed) return null;
    if (this.cache === undefined) this.cache = this.src.load();
    if (!preserve) {
      this.consumed = true;
      this.src.onConsumed?.();
    }
    return this.cache;
  }
  text(preserve: boolean): string | null {
    const r = this.raw(preserve);
    if (r === null) return null;
    return typeof r === 'string' ? r : new TextDecoder('utf-8').decode(r);
  }
}

export class PolicyRequest {
  static readonly clrName = 'IRequest';
  private readonly s: ContextSource['request'];
  private _headers: CsDictionary | undefined;
  private _url: PolicyUrl | undefined;
  private _orig: PolicyUrl | undefined;
  private _params: CsDictionary | undefined;
  private _bodySrc: BodySource | null | undefined;
  private _body: MessageBody | null = null;
  constructor(s: ContextSource['request']) {
    this.s = s;
  }
  /** A new BodySource (set-body) gives a new body; the same one keeps its cache and consumption. */
  get body(): MessageBody | null {
    if (this.s.body !== this._bodySrc) {
      this._bodySrc = this.s.body;
      this._body = this.s.body ? new MessageBody(this.s.body) : null;
    }
    return this._body;
  }
  /** Drops what was read from the source, after a policy changed the request. */
  refresh(): void {
    this._headers = this._url = this._orig = this._params = undefined;
  }
  get method(): string {
    return this.s.method;
  }
  get headers(): CsDictionary {
    return (this._headers ??= headersDict(this.s.headers));
  }
  get url(): PolicyUrl {
    return (this._url ??= new PolicyUrl(this.s.url));
  }
  get originalUrl(): PolicyUrl {
    return (this._orig ??= this.s.originalUrl ? new PolicyUrl(this.s.originalUrl) : this.url);
  }
  get matchedParameters(): CsDictionary {
    if (!this._params) {
      const d = new CsDictionary(ORDINAL_IGNORE_CASE, 'System.String,System.String');
      for (const [k, v] of Object.entries(this.s.matchedParameters ?? {})) d.set(k, v);
      d.readOnly = true;
      this._params = d;
    }
    return this._params;
  }
  get ipAddress(): string {
    return this.s.ipAddress ?? '';
  }
}

export class PolicyResponse {
  static readonly clrName = 'IResponse';
  private readonly s: ResponseSource;
  private _headers: CsDictionary | undefined;
  readonly body: MessageBody | null;
  constructor(s: ResponseSource) {
    this.s = s;
    this.body = s.body ? new MessageBody(s.body) : null;
  }
  get statusCode(): number {
    return this.s.statusCode;
  }
  get statusReason(): string {
    return this.s.statusReason ?? '';
  }
  get headers(): CsDictionary {
    return (this._headers ??= headersDict(this.s.headers));
  }
}

/** Wraps a response (e.g. from send-request) so it can be stored in context.Variables as IResponse. */
export function createPolicyResponse(s: ResponseSource): PolicyResponse {
  return new PolicyResponse(s);
}

class Record0 {
  readonly data: Record<string, unknown>;
  constructor(data: Record<string, unknown>) {
    this.data = data;
  }
}
class SubscriptionInfo extends Record0 {
  static readonly clrName = 'ISubscription';
}
class UserInfo extends Record0 {
  static readonly clrName = 'IUser';
}
class ApiInfo extends Record0 {
  static readonly clrName = 'IApi';
}
class OperationInfo extends Record0 {
  static readonly clrName = 'IOperation';
}
class ProductInfo extends Record0 {
  static readonly clrName = 'IProduct';
}
class DeploymentInfo extends Record0 {
  static readonly clrName = 'IDeployment';
}
class GatewayInfo extends Record0 {
  static readonly clrName = 'IGateway';
}
class LastErrorInfo extends Record0 {
  static readonly clrName = 'ILastError';
}
class GroupInfo extends Record0 {
  static readonly clrName = 'IGroup';
}
class IdentityInfo extends Record0 {
  static readonly clrName = 'IUserIdentity';
}

/** The `context` variable of an expression. */
export class ExpressionContext {
  static readonly clrName = 'IContext';
  readonly source: ContextSource;
  private _request: PolicyRequest | undefined;
  private _response: PolicyResponse | null = null;
  private _responseSrc: ResponseSource | null | undefined;
  private _variables: CsDictionary | undefined;
  readonly started: number;
  private _requestId: Guid | undefined;
  constructor(source: ContextSource) {
    this.source = source;
    this.started = source.timestamp ?? this.now();
  }
  /** Made when an expression first reads it: most read one or two members of the context. */
  get request(): PolicyRequest {
    return (this._request ??= new PolicyRequest(this.source.request));
  }
  get variables(): CsDictionary {
    return (this._variables ??= variablesView(this.source.variables ?? new Map()));
  }
  /** The response appears once the gateway sets `source.response` (outbound, on-error). */
  get response(): PolicyResponse | null {
    if (this.source.response !== this._responseSrc) {
      this._responseSrc = this.source.response;
      this._response = this.source.response ? new PolicyResponse(this.source.response) : null;
    }
    return this._response;
  }
  /**
   * Call after a policy changed the request or response (set-header, rewrite-uri, set-status...):
   * headers, URLs and parameters are read again from the source on next use.
   */
  refresh(): void {
    this._request?.refresh();
    this._responseSrc = undefined;
  }
  now(): number {
    return this.source.now ? this.source.now() : Date.now();
  }
  random(): number {
    return this.source.random ? this.source.random() : Math.random();
  }
  get requestId(): Guid {
    if (this._requestId === undefined) {
      const id = this.source.requestId;
      this._requestId = !id ? Guid.random(() => Math.floor(this.random() * 256)) : this.source.requestIdCanonical ? Guid.fromCanonical(id) : Guid.parse(id);
    }
    return this._requestId;
  }
  get timestamp(): DateTime {
    return DateTime.fromUnixMs(this.started, 1);
  }
  get elapsed(): TimeSpan {
    return new TimeSpan(BigInt(Math.max(0, Math.round((this.now() - this.started) * 10000))));
  }
  private rec<T extends Record0>(key: keyof ContextSource, C: new (d: Record<string, unknown>) => T): T | null {
    const v = this.source[key] as Record<string, unknown> | null | undefined;
    return v ? new C(v) : null;
  }
  // The subscription, user, API, operation and product of a request do not change while it runs:
  // each is read from the source once per context.
  private _subscription: SubscriptionInfo | null | undefined;
  private _user: UserInfo | null | undefined;
  private _api: ApiInfo | null | undefined;
  private _operation: OperationInfo | null | undefined;
  private _product: ProductInfo | null | undefined;
  get subscription(): SubscriptionInfo | null {
    return this._subscription === undefined ? (this._subscription = this.rec('subscription', SubscriptionInfo)) : this._subscription;
  }
  get user(): UserInfo | null {
    return this._user === undefined ? (this._user = this.rec('user', UserInfo)) : this._user;
  }
  get api(): ApiInfo | null {
    return this._api === undefined ? (this._api = this.rec('api', ApiInfo)) : this._api;
  }
  get operation(): OperationInfo | null {
    return this._operation === undefined ? (this._operation = this.rec('operation', OperationInfo)) : this._operation;
  }
  get product(): ProductInfo | null {
    return this._product === undefined ? (this._product = this.rec('product', ProductInfo)) : this._product;
  }
  get lastError(): LastErrorInfo | null {
    return this.rec('lastError', LastErrorInfo);
  }
  get deployment(): DeploymentInfo {
    return new DeploymentInfo(this.source.deployment ?? {});
  }
}

/**
 * `context.Variables`: a read-only dictionary over the live variables map (the map stays the
 * gateway's), so building it per expression context costs one object.
 */
class VariablesDictionary extends CsDictionary {
  readonly #live: Map<string, unknown>;
  constructor(live: Map<string, unknown>) {
    super(undefined, 'System.String,System.Object');
    this.#live = live;
    this.readOnly = true;
  }
  override get map(): Map<unknown, KeyValuePair> {
    const m = new Map<unknown, KeyValuePair>();
    for (const [k, v] of this.#live) m.set(k, new KeyValuePair(k, v));
    return m;
  }
  override get count(): number {
    return this.#live.size;
  }
  override tryGet(key: unknown): KeyValuePair | undefined {
    if (key === null) throw argNull('key');
    return this.#live.has(key as string) ? new KeyValuePair(key, this.#live.get(key as string)) : undefined;
  }
  override has(key: unknown): boolean {
    if (key === null) throw argNull('key');
    return this.#live.has(key as string);
  }
  override get(key: unknown): unknown {
    if (key === null) throw argNull('key');
    if (!this.#live.has(key as string)) throw new DotNetException('KeyNotFoundException', `The given key '${String(key)}' was not present in the dictionary.`);
    return this.#live.get(key as string) ?? null;
  }
}

function variablesView(map: Map<string, unknown>): CsDictionary {
  return new VariablesDictionary(map);
}

export function createExpressionContext(source: ContextSource): ExpressionContext {
  return new ExpressionContext(source);
}

// ---------------------------------------------------------------- types

const str = (k: string) => (r: Record0) => (r.data[k] as string | undefined) ?? null;

const urlDef = defineType({ name: 'IUrl', ns: '', kind: 'interface', is: (v) => v instanceof PolicyUrl });
urlDef
  .prop('string Scheme', (u: PolicyUrl) => u.scheme)
  .prop('string Host', (u: PolicyUrl) => u.host)
  .prop('int Port', (u: PolicyUrl) => u.port)
  .prop('string Path', (u: PolicyUrl) => u.path)
  .prop('string QueryString', (u: PolicyUrl) => u.queryString)
  .prop('QueryDictionary Query', (u: PolicyUrl) => u.query)
  .method('string ToString()', (u: PolicyUrl) => u.toString());

/** Header and query dictionaries: IReadOnlyDictionary<string, string[]> plus the comma-joining GetValueOrDefault. */
for (const name of ['HeaderDictionary', 'QueryDictionary']) {
  defineType({ name, ns: '', kind: 'interface', bases: ['IReadOnlyDictionary<string, string[]>', 'IEnumerable<KeyValuePair<string, string[]>>'], is: (v) => v instanceof CsDictionary })
    .method('string GetValueOrDefault(string name, string defaultValue = null)', (d: CsDictionary, k: string, dv: string | null) => {
      const e = d.tryGet(requireString(k, 'key'));
      if (!e) return dv;
      const vals = e.value as string[];
      return vals.length === 1 ? vals[0] : vals.join(',');
    });
}
defineType({ name: 'ParameterDictionary', ns: '', kind: 'interface', bases: ['IReadOnlyDictionary<string, string>', 'IEnumerable<KeyValuePair<string, string>>'], is: (v) => v instanceof CsDictionary })
  .method('string GetValueOrDefault(string name, string defaultValue = null)', (d: CsDictionary, k: string, dv: string | null) => {
    const e = d.tryGet(requireString(k, 'key'));
    return e ? (e.value as string) : dv;
  });

function bodyAs(info: SpecializeInfo) {
  const t = info.typeArgs.get('T')!;
  const n = typeName(t);
  return (b: MessageBody, preserve: boolean): unknown => {
    switch (n) {
      case 'string':
        return b.text(preserve);
      case 'byte[]': {
        const r = b.raw(preserve);
        if (r === null) return null;
        return typeof r === 'string' ? new Uint8Array(Buffer.from(r, 'utf8')) : r;
      }
      case 'JObject':
      case 'JArray':
      case 'JToken': {
        const s = b.text(preserve);
        if (s === null) return null;
        const tok = parseJson(s);
        if (n === 'JObject' && !(tok instanceof JObject)) throw new DotNetException('JsonReaderException', 'Error reading JObject from JsonReader. Current JsonReader item is not an object.');
        if (n === 'JArray' && !(tok instanceof JArray)) throw new DotNetException('JsonReaderException', 'Error reading JArray from JsonReader. Current JsonReader item is not an array.');
        return tok;
      }
      case 'XDocument':
      case 'XElement':
      case 'XNode': {
        const s = b.text(preserve);
        if (s === null) return null;
        const d = parseXml(s);
        return n === 'XDocument' ? d : d.root;
      }
      default:
        throw new DotNetException('NotSupportedException', `Body.As<${n}>() is not supported; use string, byte[], JObject, JArray, JToken, XDocument or XElement.`);
    }
  };
}

defineType({ name: 'IMessageBody', ns: '', kind: 'interface', is: (v) => v instanceof MessageBody })
  .method('T As<T>(bool preserveContent = false)', () => null, { make: bodyAs })
  .method('IDictionary<string, IList<string>> AsFormUrlEncodedContent(bool preserveContent = false)', (b: MessageBody, p: boolean) => {
    const s = b.text(p);
    if (s === null) return null;
    const d = new CsDictionary(ORDINAL_IGNORE_CASE, 'System.String,System.Collections.Generic.IList`1[System.String]');
    for (const part of s.split('&')) {
      if (!part) continue;
      const i = part.indexOf('=');
      const k = decodeQuery(i < 0 ? part : part.slice(0, i));
      const v = i < 0 ? '' : decodeQuery(part.slice(i + 1));
      const e = d.tryGet(k);
      if (e) (e.value as CsList).add(v);
      else d.set(k, new CsList([v], 'System.String'));
    }
    return d;
  });

defineType({ name: 'IRequest', ns: '', kind: 'interface', is: (v) => v instanceof PolicyRequest })
  .prop('string Method', (r: PolicyRequest) => r.method)
  .prop('HeaderDictionary Headers', (r: PolicyRequest) => r.headers)
  .prop('IUrl Url', (r: PolicyRequest) => r.url)
  .prop('IUrl OriginalUrl', (r: PolicyRequest) => r.originalUrl)
  .prop('IMessageBody Body', (r: PolicyRequest) => r.body)
  .prop('ParameterDictionary MatchedParameters', (r: PolicyRequest) => r.matchedParameters)
  .prop('string IpAddress', (r: PolicyRequest) => r.ipAddress)
  .prop('object Certificate', () => null);

defineType({ name: 'IResponse', ns: '', kind: 'interface', is: (v) => v instanceof PolicyResponse })
  .prop('int StatusCode', (r: PolicyResponse) => r.statusCode)
  .prop('string StatusReason', (r: PolicyResponse) => r.statusReason)
  .prop('HeaderDictionary Headers', (r: PolicyResponse) => r.headers)
  .prop('IMessageBody Body', (r: PolicyResponse) => r.body);

defineType({ name: 'ISubscription', ns: '', kind: 'interface', is: (v) => v instanceof SubscriptionInfo })
  .prop('string Id', str('id'))
  .prop('string Key', str('key'))
  .prop('string Name', str('name'))
  .prop('string PrimaryKey', str('primaryKey'))
  .prop('string SecondaryKey', str('secondaryKey'))
  .prop('DateTime CreatedDate', (r: Record0) => toDate(r.data.createdDate as Date) ?? DateTime.MinValue)
  .prop('DateTime? StartDate', (r: Record0) => toDate(r.data.startDate as Date))
  .prop('DateTime? EndDate', (r: Record0) => toDate(r.data.endDate as Date));

defineType({ name: 'IGroup', ns: '', kind: 'interface', is: (v) => v instanceof GroupInfo }).prop('string Id', str('id')).prop('string Name', str('name'));
defineType({ name: 'IUserIdentity', ns: '', kind: 'interface', is: (v) => v instanceof IdentityInfo }).prop('string Id', str('id')).prop('string Provider', str('provider'));
defineType({ name: 'IUser', ns: '', kind: 'interface', is: (v) => v instanceof UserInfo })
  .prop('string Id', str('id'))
  .prop('string Email', str('email'))
  .prop('string FirstName', str('firstName'))
  .prop('string LastName', str('lastName'))
  .prop('string Note', str('note'))
  .prop('DateTime RegistrationDate', (r: Record0) => toDate(r.data.registrationDate as Date) ?? DateTime.MinValue)
  .prop('IEnumerable<IGroup> Groups', (r: Record0) => ((r.data.groups as Record<string, unknown>[] | undefined) ?? []).map((g) => new GroupInfo(g)))
  .prop('IEnumerable<IUserIdentity> Identities', (r: Record0) => ((r.data.identities as Record<string, unknown>[] | undefined) ?? []).map((g) => new IdentityInfo(g)));

defineType({ name: 'IApi', ns: '', kind: 'interface', is: (v) => v instanceof ApiInfo })
  .prop('string Id', str('id'))
  .prop('string Name', str('name'))
  .prop('string Path', str('path'))
  .prop('string Revision', str('revision'))
  .prop('string Version', str('version'))
  .prop('bool IsCurrentRevision', (r: Record0) => (r.data.isCurrentRevision as boolean | undefined) ?? true)
  .prop('IUrl ServiceUrl', (r: Record0) => (r.data.serviceUrl ? new PolicyUrl(r.data.serviceUrl as string) : null))
  .prop('IEnumerable<string> Protocols', (r: Record0) => (r.data.protocols as string[] | undefined) ?? ['https']);

defineType({ name: 'IOperation', ns: '', kind: 'interface', is: (v) => v instanceof OperationInfo })
  .prop('string Id', str('id'))
  .prop('string Name', str('name'))
  .prop('string Method', str('method'))
  .prop('string UrlTemplate', str('urlTemplate'));

defineType({ name: 'IProduct', ns: '', kind: 'interface', is: (v) => v instanceof ProductInfo })
  .prop('string Id', str('id'))
  .prop('string Name', str('name'))
  .prop('string State', (r: Record0) => (r.data.state as string | undefined) ?? 'published')
  .prop('bool ApprovalRequired', (r: Record0) => !!r.data.approvalRequired)
  .prop('bool SubscriptionRequired', (r: Record0) => (r.data.subscriptionRequired as boolean | undefined) ?? true)
  .prop('int? SubscriptionLimit', (r: Record0) => (r.data.subscriptionLimit as number | undefined) ?? null);

defineType({ name: 'IGateway', ns: '', kind: 'interface', is: (v) => v instanceof GatewayInfo })
  .prop('string Id', (r: Record0) => (r.data.gatewayId as string | undefined) ?? 'managed')
  .prop('string InstanceId', (r: Record0) => (r.data.instanceId as string | undefined) ?? '')
  .prop('bool IsManaged', (r: Record0) => (r.data.isManaged as boolean | undefined) ?? false);
defineType({ name: 'IDeployment', ns: '', kind: 'interface', is: (v) => v instanceof DeploymentInfo })
  .prop('string Region', (r: Record0) => (r.data.region as string | undefined) ?? '')
  .prop('string ServiceName', (r: Record0) => (r.data.serviceName as string | undefined) ?? '')
  .prop('string ServiceId', (r: Record0) => (r.data.serviceId as string | undefined) ?? '')
  .prop('string GatewayId', (r: Record0) => (r.data.gatewayId as string | undefined) ?? 'managed')
  .prop('IGateway Gateway', (r: Record0) => new GatewayInfo(r.data));

defineType({ name: 'ILastError', ns: '', kind: 'interface', is: (v) => v instanceof LastErrorInfo })
  .prop('string Source', str('source'))
  .prop('string Reason', str('reason'))
  .prop('string Message', str('message'))
  .prop('string Scope', str('scope'))
  .prop('string Section', str('section'))
  .prop('string Path', str('path'))
  .prop('string PolicyId', str('policyId'));

function convertVariable(info: SpecializeInfo): (v: unknown, dflt: unknown) => unknown {
  const t = info.typeArgs.get('T')!;
  return (v, dflt) => {
    if (v === null || v === undefined) return dflt;
    if (t.tag === 'named' && t.def === CORE.object) return v;
    // ints stored by policies convert to the numeric types asked for, as the gateway's variables do
    const nk = t.tag === 'named' ? t.def.numeric : undefined;
    if (nk === 'long' && typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    if (nk === 'double' && typeof v === 'bigint') return Number(v);
    if (nk === 'int' && typeof v === 'bigint' && v >= -2147483648n && v <= 2147483647n) return Number(v);
    if (t.tag === 'named' && t.def === CORE.string && v instanceof CsChar) return v.str;
    if (t.tag === 'named' && !t.def.is(v) && !(t.def.kind === 'interface' && t.def.is(v)))
      throw new DotNetException('InvalidCastException', `Unable to cast the variable's value to type '${typeName(t)}'.`);
    return v;
  };
}

defineType({ name: 'IVariables', ns: '', kind: 'interface', bases: ['IReadOnlyDictionary<string, object>', 'IEnumerable<KeyValuePair<string, object>>'], is: (v) => v instanceof CsDictionary })
  .method('T GetValueOrDefault<T>(string variableName)', () => null, { make: (info) => {
    const conv = convertVariable(info);
    const dflt = info.typeArgs.get('T')!.tag === 'named' ? ((info.typeArgs.get('T') as { def: { defaultValue?: () => unknown } }).def.defaultValue?.() ?? null) : null;
    return (d: CsDictionary, k: string) => conv(d.tryGet(requireString(k, 'variableName'))?.value, dflt);
  } })
  .method('T GetValueOrDefault<T>(string variableName, T defaultValue)', () => null, { make: (info) => {
    const conv = convertVariable(info);
    return (d: CsDictionary, k: string, dv: unknown) => {
      const e = d.tryGet(requireString(k, 'variableName'));
      return e ? conv(e.value, dv) : dv;
    };
  } })
  .method('object GetValueOrDefault(string variableName)', (d: CsDictionary, k: string) => d.tryGet(requireString(k, 'variableName'))?.value ?? null)
  .method('bool TryGetValue(string key, out object value)', (d: CsDictionary, k: string, r: Ref) => {
    const e = d.tryGet(k);
    r.v = e ? e.value : null;
    return !!e;
  });

const contextDef = defineType({ name: 'IContext', ns: '', kind: 'interface', is: (v) => v instanceof ExpressionContext });
contextDef
  .prop('IRequest Request', (c: ExpressionContext) => c.request)
  .prop('IResponse Response', (c: ExpressionContext) => c.response)
  .prop('IVariables Variables', (c: ExpressionContext) => c.variables)
  .prop('ISubscription Subscription', (c: ExpressionContext) => c.subscription)
  .prop('IUser User', (c: ExpressionContext) => c.user)
  .prop('IApi Api', (c: ExpressionContext) => c.api)
  .prop('IOperation Operation', (c: ExpressionContext) => c.operation)
  .prop('IProduct Product', (c: ExpressionContext) => c.product)
  .prop('IDeployment Deployment', (c: ExpressionContext) => c.deployment)
  .prop('ILastError LastError', (c: ExpressionContext) => c.lastError)
  .prop('TimeSpan Elapsed', (c: ExpressionContext) => c.elapsed)
  .prop('Guid RequestId', (c: ExpressionContext) => c.requestId)
  .prop('DateTime Timestamp', (c: ExpressionContext) => c.timestamp)
  .prop('bool Tracing', (c: ExpressionContext) => !!c.source.tracing)
  .method('void Trace(string message)', (c: ExpressionContext, m: string | null) => void c.source.trace?.(m ?? ''));

CORE.contextType = named(contextDef);
CORE.clrNameOfValue = (v: unknown): string => {
  const c = (v as { constructor?: { clrName?: string; name?: string } })?.constructor;
  return c?.clrName ?? 'System.Object';
};
void TICKS_PER_MS;
void JToken;
void parseJwt;
