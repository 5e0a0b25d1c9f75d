// Newtonsoft.Json.Linq as policies see it: JToken, JObject, JArray, JValue, JProperty, with
// Newtonsoft's parsing (dates detected, integers as Int64, comments and single quotes allowed) and
// its writer (two-space indentation, `1.0` for floats, ISO dates).

import { DotNetException, argError, argOutOfRange, invalidOp } from '../errors.ts';
import { checkLength } from './budget.ts';
import { CsChar } from './char.ts';
import { CsDictionary, CsList, KeyValuePair } from './collections.ts';
import { DateTime, DateTimeOffset, TICKS_PER_MINUTE, TimeSpan, parseDateText } from './datetime.ts';
import { Decimal } from './decimal.ts';
import { Guid } from './guid.ts';
import { doubleToString } from './numformat.ts';
import { Boxed, dnEquals, mapKey, toDotNetString } from './values.ts';

export const JTokenType = {
  None: 0, Object: 1, Array: 2, Constructor: 3, Property: 4, Comment: 5, Integer: 6, Float: 7, String: 8, Boolean: 9,
  Null: 10, Undefined: 11, Date: 12, Raw: 13, Bytes: 14, Guid: 15, Uri: 16, TimeSpan: 17,
} as const;
export const JTOKEN_TYPE_NAMES = Object.keys(JTokenType);

export const jsonError = (msg: string): DotNetException => new DotNetException('JsonReaderException', msg);

export abstract class JToken implements Iterable<JToken> {
  parent: JContainer | JProperty | null = null;
  abstract get type(): number;
  abstract deepClone(): JToken;
  abstract [Symbol.iterator](): Iterator<JToken>;
  abstract write(out: string[], indent: string | null, level: number): void;

  toJson(indented: boolean): string {
    const out: string[] = [];
    this.write(out, indented ? '  ' : null, 0);
    return out.join('');
  }
  toString(): string {
    return this.toJson(true);
  }
  get root(): JToken {
    let t: JToken = this;
    while (t.parent) t = t.parent;
    return t;
  }
  get path(): string {
    const parts: string[] = [];
    let t: JToken = this;
    while (t.parent) {
      const p: JContainer | JProperty = t.parent;
      if (p instanceof JProperty) parts.unshift(/^[A-Za-z_][\w]*$/.test(p.name) ? '.' + p.name : `['${p.name}']`);
      else if (p instanceof JArray) parts.unshift(`[${p.items.indexOf(t)}]`);
      t = p;
    }
    const s = parts.join('');
    return s.startsWith('.') ? s.slice(1) : s;
  }
  /** Removes this token from its parent. */
  remove(): void {
    const p = this.parent;
    if (!p) throw invalidOp('The parent is missing.');
    if (p instanceof JArray) p.items.splice(p.items.indexOf(this), 1);
    else if (p instanceof JObject && this instanceof JProperty) p.props.delete(this.name);
    else if (p instanceof JProperty) throw invalidOp('Cannot add or remove items from Newtonsoft.Json.Linq.JProperty.');
    this.parent = null;
  }
  /** `token[key]` */
  getItem(key: unknown): JToken | null {
    throw invalidOp(`Cannot access child value on ${this.clrName()}.`);
  }
  setItem(key: unknown, value: JToken | null): void {
    void key;
    void value;
    throw invalidOp(`Cannot set child value on ${this.clrName()}.`);
  }
  clrName(): string {
    return `Newtonsoft.Json.Linq.${this.constructor.name}`;
  }
  get hasValues(): boolean {
    return false;
  }
  children(): JToken[] {
    return [];
  }
  get next(): JToken | null {
    return this.sibling(1);
  }
  get previous(): JToken | null {
    return this.sibling(-1);
  }
  private sibling(d: number): JToken | null {
    const p = this.parent;
    if (p instanceof JArray) return p.items[p.items.indexOf(this) + d] ?? null;
    if (p instanceof JObject && this instanceof JProperty) {
      const list = [...p.props.values()];
      return list[list.indexOf(this) + d] ?? null;
    }
    return null;
  }
  dnKey(): unknown {
    return this;
  }
}

export abstract class JContainer extends JToken {
  override get hasValues(): boolean {
    return this.children().length > 0;
  }
  get first(): JToken | null {
    return this.children()[0] ?? null;
  }
  get last(): JToken | null {
    const c = this.children();
    return c[c.length - 1] ?? null;
  }
  get count(): number {
    return this.children().length;
  }
  descendants(): JToken[] {
    const out: JToken[] = [];
    const walk = (t: JToken): void => {
      for (const c of t.children()) {
        out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }
}

function adopt(t: JToken, parent: JContainer | JProperty): JToken {
  const x = t.parent ? t.deepClone() : t;
  x.parent = parent;
  return x;
}

export class JValue extends JToken {
  jtype: number;
  value: unknown;
  constructor(jtype: number, value: unknown) {
    super();
    this.jtype = jtype;
    this.value = value;
  }
  static null(): JValue {
    return new JValue(JTokenType.Null, null);
  }
  static string(s: string | null): JValue {
    return s === null ? JValue.null() : new JValue(JTokenType.String, s);
  }
  get type(): number {
    return this.jtype;
  }
  deepClone(): JToken {
    return new JValue(this.jtype, this.value);
  }
  *[Symbol.iterator](): Iterator<JToken> {
    throw invalidOp(`Cannot access child value on Newtonsoft.Json.Linq.JValue.`);
  }
  override toString(): string {
    switch (this.jtype) {
      case JTokenType.Null:
      case JTokenType.Undefined:
        return '';
      case JTokenType.Float:
        return typeof this.value === 'number' ? doubleToString(this.value) : toDotNetString(this.value);
      case JTokenType.Bytes:
        return 'System.Byte[]';
      default:
        return toDotNetString(this.value);
    }
  }
  write(out: string[], _indent: string | null, _level: number): void {
    out.push(writeScalar(this));
  }
  dnEquals(o: unknown): boolean {
    return o instanceof JValue && this.jtype === o.jtype && dnEquals(this.value, o.value);
  }
  override dnKey(): unknown {
    return '\u0000j' + this.jtype + ':' + String(mapKey(this.value));
  }
}

export class JProperty extends JToken {
  readonly name: string;
  private _value: JToken;
  constructor(name: string, value: JToken) {
    super();
    this.name = name;
    this._value = value;
    value.parent = this;
  }
  get value(): JToken {
    return this._value;
  }
  set value(v: JToken) {
    this._value = adopt(v, this);
  }
  get type(): number {
    return JTokenType.Property;
  }
  deepClone(): JToken {
    return new JProperty(this.name, this._value.deepClone());
  }
  *[Symbol.iterator](): Iterator<JToken> {
    yield this._value;
  }
  override children(): JToken[] {
    return [this._value];
  }
  override get hasValues(): boolean {
    return true;
  }
  write(out: string[], indent: string | null, level: number): void {
    out.push(quote(this.name), indent === null ? ':' : ': ');
    this._value.write(out, indent, level);
  }
}

export class JObject extends JContainer implements Iterable<JToken> {
  readonly props = new Map<string, JProperty>();
  get type(): number {
    return JTokenType.Object;
  }
  deepClone(): JToken {
    const o = new JObject();
    for (const p of this.props.values()) o.addProperty(p.deepClone() as JProperty);
    return o;
  }
  *[Symbol.iterator](): Iterator<JToken> {
    yield* this.props.values();
  }
  override children(): JToken[] {
    return [...this.props.values()];
  }
  override get count(): number {
    return this.props.size;
  }
  addProperty(p: JProperty): void {
    if (this.props.has(p.name)) throw argError(`Can not add property ${p.name} to Newtonsoft.Json.Linq.JObject. Property with the same name already exists on object.`);
    checkLength(this.props.size + 1);
    const x = adopt(p, this) as JProperty;
    this.props.set(p.name, x);
  }
  add(name: string, value: JToken | null): void {
    this.addProperty(new JProperty(name, value ?? JValue.null()));
  }
  override getItem(key: unknown): JToken | null {
    if (typeof key !== 'string') throw argError(`Accessed JObject values with invalid key value: ${toDotNetString(key)}. Object property name expected.`);
    return this.props.get(key)?.value ?? null;
  }
  override setItem(key: unknown, value: JToken | null): void {
    if (typeof key !== 'string') throw argError(`Set JObject values with invalid key value: ${toDotNetString(key)}. Object property name expected.`);
    const p = this.props.get(key);
    if (p) p.value = value ?? JValue.null();
    else this.add(key, value);
  }
  property(name: string, ignoreCase = false): JProperty | null {
    const p = this.props.get(name);
    if (p || !ignoreCase) return p ?? null;
    const lower = name.toLowerCase();
    for (const q of this.props.values()) if (q.name.toLowerCase() === lower) return q;
    return null;
  }
  removeProperty(name: string): boolean {
    const p = this.props.get(name);
    if (!p) return false;
    this.props.delete(name);
    p.parent = null;
    return true;
  }
  write(out: string[], indent: string | null, level: number): void {
    if (this.props.size === 0) {
      out.push('{}');
      return;
    }
    out.push('{');
    let first = true;
    for (const p of this.props.values()) {
      if (!first) out.push(',');
      first = false;
      if (indent !== null) out.push('\n', indent.repeat(level + 1));
      p.write(out, indent, level + 1);
    }
    if (indent !== null) out.push('\n', indent.repeat(level));
    out.push('}');
  }
}

export class JArray extends JContainer {
  items: JToken[] = [];
  get type(): number {
    return JTokenType.Array;
  }
  deepClone(): JToken {
    const a = new JArray();
    for (const t of this.items) a.add(t.deepClone());
    return a;
  }
  [Symbol.iterator](): Iterator<JToken> {
    return this.items[Symbol.iterator]();
  }
  override children(): JToken[] {
    return this.items;
  }
  override get count(): number {
    return this.items.length;
  }
  add(t: JToken | null): void {
    checkLength(this.items.length + 1);
    this.items.push(adopt(t ?? JValue.null(), this));
  }
  insert(i: number, t: JToken | null): void {
    if (i < 0 || i > this.items.length) throw argOutOfRange('index', 'Index must be within the bounds of the List.');
    this.items.splice(i, 0, adopt(t ?? JValue.null(), this));
  }
  override getItem(key: unknown): JToken | null {
    if (typeof key !== 'number') throw argError(`Accessed JArray values with invalid key value: ${JSON.stringify(toDotNetString(key))}. Int32 array index expected.`);
    if (key < 0 || key >= this.items.length) throw argOutOfRange('index', 'Index was out of range. Must be non-negative and less than the size of the collection.');
    return this.items[key];
  }
  override setItem(key: unknown, value: JToken | null): void {
    if (typeof key !== 'number') throw argError(`Set JArray values with invalid key value: ${JSON.stringify(toDotNetString(key))}. Int32 array index expected.`);
    if (key < 0 || key >= this.items.length) throw argOutOfRange('index', 'Index was out of range. Must be non-negative and less than the size of the collection.');
    this.items[key].parent = null;
    this.items[key] = adopt(value ?? JValue.null(), this);
  }
  write(out: string[], indent: string | null, level: number): void {
    if (this.items.length === 0) {
      out.push('[]');
      return;
    }
    out.push('[');
    this.items.forEach((t, i) => {
      if (i) out.push(',');
      if (indent !== null) out.push('\n', indent.repeat(level + 1));
      t.write(out, indent, level + 1);
    });
    if (indent !== null) out.push('\n', indent.repeat(level));
    out.push(']');
  }
}

// ---- writing

export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20 || c === 0x85 || c === 0x2028 || c === 0x2029) {
      if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\b') out += '\\b';
      else if (ch === '\f') out += '\\f';
      else out += '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

export function isoDate(d: DateTime): string {
  let s = d.format("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF");
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (d.kind === 1) s += 'Z';
  else if (d.kind === 2) s += '+00:00';
  return s;
}

function floatJson(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  const s = doubleToString(x);
  return /[.E]/.test(s) ? s : s + '.0';
}

function writeScalar(v: JValue): string {
  const x = v.value;
  switch (v.jtype) {
    case JTokenType.Null:
      return 'null';
    case JTokenType.Undefined:
      return 'undefined';
    case JTokenType.Boolean:
      return x ? 'true' : 'false';
    case JTokenType.Integer:
      return String(x);
    case JTokenType.Float:
      if (x instanceof Decimal) {
        const s = x.toString();
        return s.includes('.') ? s : s + '.0';
      }
      return floatJson(x as number);
    case JTokenType.Date:
      if (x instanceof DateTimeOffset) {
        let s = x.format("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFzzz");
        s = s.replace('.+', '+').replace('.-', '-');
        return quote(s);
      }
      return quote(isoDate(x as DateTime));
    case JTokenType.Bytes:
      return quote(Buffer.from(x as Uint8Array).toString('base64'));
    default:
      return quote(toDotNetString(x));
  }
}

// ---- parsing

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?$/;

/** Newtonsoft's DateParseHandling.DateTime: ISO-looking strings become Date tokens. */
function stringOrDate(s: string): JValue {
  if (s.length >= 19 && s.length <= 40 && ISO_DATE.test(s)) {
    const p = parseDateText(s);
    if (p) {
      if (p.offset === null) return new JValue(JTokenType.Date, new DateTime(p.ticks, 0));
      const utc = p.ticks - BigInt(p.offset) * TICKS_PER_MINUTE;
      return new JValue(JTokenType.Date, new DateTime(utc, s.endsWith('Z') ? 1 : 2));
    }
  }
  return new JValue(JTokenType.String, s);
}

export const MAX_JSON_DEPTH = 128;

export function parseJson(text: string | null): JToken {
  if (text === null) throw new DotNetException('ArgumentNullException', "Value cannot be null. (Parameter 'json')");
  const p = new JsonParser(text);
  p.ws();
  if (p.i >= text.length) throw jsonError('Error reading JToken from JsonReader. Path \'\', line 0, position 0.');
  const t = p.value(0);
  p.ws();
  if (p.i < text.length) throw p.err('Additional text encountered after finished reading JSON content');
  return t;
}

class JsonParser {
  readonly s: string;
  i = 0;
  constructor(s: string) {
    this.s = s;
  }
  err(msg: string): DotNetException {
    const before = this.s.slice(0, this.i);
    const line = (before.match(/\n/g)?.length ?? 0) + 1;
    const pos = this.i - before.lastIndexOf('\n') - 1;
    return jsonError(`${msg}: ${this.s[this.i] ?? ''}. Path '', line ${line}, position ${pos}.`);
  }
  ws(): void {
    const s = this.s;
    for (;;) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\ufeff' || c === '\u00a0') this.i++;
      else if (c === '/' && s[this.i + 1] === '/') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
      } else if (c === '/' && s[this.i + 1] === '*') {
        const e = s.indexOf('*/', this.i + 2);
        if (e < 0) throw this.err('Unexpected end while parsing comment');
        this.i = e + 2;
      } else return;
    }
  }
  value(depth: number): JToken {
    if (depth > MAX_JSON_DEPTH) throw this.err(`The reader's MaxDepth of ${MAX_JSON_DEPTH} has been exceeded`);
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"' || c === "'") return stringOrDate(this.string());
    if (c === '-' || (c >= '0' && c <= '9') || c === '.') return this.number();
    const word = /^[A-Za-z]+/.exec(this.s.slice(this.i, this.i + 12))?.[0];
    if (word === 'true' || word === 'false') {
      this.i += word.length;
      return new JValue(JTokenType.Boolean, word === 'true');
    }
    if (word === 'null') {
      this.i += 4;
      return JValue.null();
    }
    if (word === 'undefined') {
      this.i += 9;
      return new JValue(JTokenType.Undefined, null);
    }
    if (word === 'NaN' || word === 'Infinity') {
      this.i += word.length;
      return new JValue(JTokenType.Float, word === 'NaN' ? NaN : Infinity);
    }
    if (this.i >= this.s.length) throw jsonError("Unexpected end of content while loading JObject. Path '', line 1, position " + this.i + '.');
    throw this.err('Unexpected character encountered while parsing value');
  }
  number(): JValue {
    const m = /^-?(?:Infinity|\d*\.?\d*(?:[eE][+-]?\d+)?)/.exec(this.s.slice(this.i));
    const t = m ? m[0] : '';
    if (!t || t === '-' || t === '.') throw this.err('Unexpected character encountered while parsing number');
    this.i += t.length;
    if (t === '-Infinity') return new JValue(JTokenType.Float, -Infinity);
    if (/^-?\d+$/.test(t)) return new JValue(JTokenType.Integer, BigInt(t));
    const n = Number(t);
    if (Number.isNaN(n)) throw this.err('Input string was not in a correct format');
    return new JValue(JTokenType.Float, n);
  }
  string(): string {
    const s = this.s;
    const q = s[this.i++];
    let out = '';
    for (;;) {
      if (this.i >= s.length) throw jsonError(`Unterminated string. Expected delimiter: ${q}. Path '', line 1, position ${this.i}.`);
      const c = s[this.i++];
      if (c === q) return out;
      if (c === '\\') {
        const e = s[this.i++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'u': {
            const h = s.slice(this.i, this.i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(h)) throw this.err('Invalid Unicode escape sequence');
            out += String.fromCharCode(parseInt(h, 16));
            this.i += 4;
            break;
          }
          case '"': case "'": case '\\': case '/':
            out += e;
            break;
          default:
            this.i--;
            throw this.err('Bad JSON escape sequence');
        }
      } else out += c;
    }
  }
  object(depth: number): JObject {
    this.i++;
    const o = new JObject();
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return o;
      }
      let name: string;
      const c = this.s[this.i];
      if (c === '"' || c === "'") name = this.string();
      else {
        const m = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i, this.i + 1000));
        if (!m) throw this.err('Invalid property identifier character');
        name = m[0];
        this.i += name.length;
      }
      this.ws();
      if (this.s[this.i] !== ':') throw this.err(`Invalid character after parsing property name. Expected ':' but got`);
      this.i++;
      const v = this.value(depth + 1);
      // Newtonsoft's JObject.Parse keeps the last duplicate
      const existing = o.props.get(name);
      if (existing) existing.value = v;
      else o.add(name, v);
      this.ws();
      const d = this.s[this.i];
      if (d === ',') this.i++;
      else if (d === '}') {
        this.i++;
        return o;
      } else if (this.i >= this.s.length) throw jsonError(`Unexpected end of content while loading JObject. Path '${name}', line 1, position ${this.i}.`);
      else throw this.err('After parsing a value an unexpected character was encountered');
    }
  }
  array(depth: number): JArray {
    this.i++;
    const a = new JArray();
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return a;
      }
      a.add(this.value(depth + 1));
      this.ws();
      const d = this.s[this.i];
      if (d === ',') this.i++;
      else if (d === ']') {
        this.i++;
        return a;
      } else if (this.i >= this.s.length) throw jsonError(`Unexpected end of content while loading JArray. Path '', line 1, position ${this.i}.`);
      else throw this.err('After parsing a value an unexpected character was encountered');
    }
  }
}

// ---- conversion from runtime values

/** Anonymous-type instances: ordered named values. */
export class AnonObject {
  readonly names: string[];
  readonly values: unknown[];
  constructor(names: string[], values: unknown[]) {
    this.names = names;
    this.values = values;
  }
  toString(): string {
    return `{ ${this.names.map((n, i) => `${n} = ${toDotNetString(this.values[i])}`).join(', ')} }`;
  }
  dnEquals(o: unknown): boolean {
    return o instanceof AnonObject && o.names.join() === this.names.join() && this.values.every((v, i) => dnEquals(v, o.values[i]));
  }
}

/** JToken.FromObject / implicit conversions: any runtime value to a token. */
export function toJToken(v: unknown, depth = 0): JToken {
  if (depth > MAX_JSON_DEPTH) throw new DotNetException('JsonSerializationException', 'Self referencing loop detected.');
  if (v === null || v === undefined) return JValue.null();
  if (v instanceof JToken) return v;
  if (v instanceof Boxed) return v.kind === 'enum' ? new JValue(JTokenType.Integer, BigInt(v.value)) : new JValue(JTokenType.Float, v.value);
  switch (typeof v) {
    case 'string':
      return new JValue(JTokenType.String, v);
    case 'boolean':
      return new JValue(JTokenType.Boolean, v);
    case 'number':
      return Number.isInteger(v) ? new JValue(JTokenType.Integer, BigInt(v)) : new JValue(JTokenType.Float, v);
    case 'bigint':
      return new JValue(JTokenType.Integer, v);
  }
  if (v instanceof CsChar) return new JValue(JTokenType.String, v.str);
  if (v instanceof Decimal) return new JValue(JTokenType.Float, v);
  if (v instanceof DateTime || v instanceof DateTimeOffset) return new JValue(JTokenType.Date, v);
  if (v instanceof Guid) return new JValue(JTokenType.Guid, v);
  if (v instanceof TimeSpan) return new JValue(JTokenType.TimeSpan, v);
  if (v instanceof Uint8Array) return new JValue(JTokenType.Bytes, v);
  if (v instanceof AnonObject) {
    const o = new JObject();
    v.names.forEach((n, i) => o.add(n, toJToken(v.values[i], depth + 1)));
    return o;
  }
  if (v instanceof CsDictionary) {
    const o = new JObject();
    for (const e of v) o.add(toDotNetString(e.key), toJToken(e.value, depth + 1));
    return o;
  }
  if (v instanceof KeyValuePair) {
    const o = new JObject();
    o.add('Key', toJToken(v.key, depth + 1));
    o.add('Value', toJToken(v.value, depth + 1));
    return o;
  }
  if (Array.isArray(v) || v instanceof CsList || typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const a = new JArray();
    for (const x of v as Iterable<unknown>) a.add(toJToken(x, depth + 1));
    return a;
  }
  const custom = (v as { toJToken?: () => JToken }).toJToken;
  if (typeof custom === 'function') return custom.call(v);
  return new JValue(JTokenType.String, toDotNetString(v));
}

/** JsonConvert.SerializeObject. */
export function serialize(v: unknown, indented: boolean): string {
  if (typeof v === 'string') return quote(v);
  return toJToken(v).toJson(indented);
}
