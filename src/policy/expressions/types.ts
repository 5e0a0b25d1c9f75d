// The static type model: every .NET type an expression may name is a TypeDef registered here with
// its members as C# signatures and the functions that implement them. Nothing else is reachable.

import type { TypeNode } from './ast.ts';
import { CompileError } from './errors.ts';
import { Lexer } from './lexer.ts';
import { Parser } from './parser.ts';

export type Type =
  | { tag: 'named'; def: TypeDef; args: Type[]; names?: (string | null)[] }
  | { tag: 'tp'; name: string }
  | { tag: 'null' }
  | { tag: 'anon'; props: { name: string; type: Type }[] };

export type NamedType = Type & { tag: 'named' };

/** Runtime state of one evaluation, passed to library functions that need it (clock, randomness, budget). */
export interface RunState {
  steps: number;
  maxSteps: number;
  /** performance.now() deadline, 0 until first checked */
  deadline: number;
  timeBudgetMs: number;
  depth: number;
  now(): number;
  random(): number;
  context: unknown;
}

export interface Ref {
  v: unknown;
}

export interface Param {
  name: string;
  type: Type;
  optional: boolean;
  defaultValue: unknown;
  isParams: boolean;
  mode: 'in' | 'out' | 'ref' | 'this';
}

export interface SpecializeInfo {
  typeArgs: Map<string, Type>;
  recv: Type | null;
  args: Type[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Impl = (...args: any[]) => unknown;

export interface MethodDef {
  kind: 'method';
  name: string;
  isStatic: boolean;
  isExtension: boolean;
  typeParams: string[];
  params: Param[];
  ret: Type;
  impl: Impl;
  /** impl receives the RunState first. */
  run: boolean;
  /** builds the impl once the generic arguments are known. */
  make?: (info: SpecializeInfo) => Impl;
  /** computes the return type when it is not expressible as a signature. */
  retHook?: (info: SpecializeInfo) => Type;
  owner: TypeDef;
}

export interface PropDef {
  kind: 'prop';
  name: string;
  isStatic: boolean;
  type: Type;
  get: Impl;
  set?: Impl;
  run: boolean;
  constValue?: { v: unknown };
  owner: TypeDef;
}

export interface IndexerDef {
  params: Param[];
  type: Type;
  get: Impl;
  set?: Impl;
}

export type Member = MethodDef | PropDef;

interface PendingMember {
  sig: string;
  kind: 'method' | 'prop' | 'ctor' | 'indexer' | 'field';
  impl: Impl;
  set?: Impl;
  opts: MemberOpts;
}

export interface MemberOpts {
  run?: boolean;
  make?: (info: SpecializeInfo) => Impl;
  retHook?: (info: SpecializeInfo) => Type;
  set?: Impl;
  const?: unknown;
}

export interface TypeDefInit {
  name: string;
  ns: string;
  kind?: 'class' | 'struct' | 'interface' | 'enum' | 'static' | 'delegate';
  typeParams?: string[];
  bases?: string[];
  alias?: string;
  /** Runtime instance test for `is`, `as` and casts from object. */
  is?: (v: unknown) => boolean;
  /** .NET full name used in messages; defaults to ns.name. */
  clrName?: string;
  /** Numeric kind for numeric types. */
  numeric?: NumericKind;
  /** Default value of a struct (`default(T)`). */
  defaultValue?: () => unknown;
  /** Reference type (null allowed). Structs are value types. */
}

export type NumericKind = 'sbyte' | 'byte' | 'short' | 'ushort' | 'int' | 'uint' | 'long' | 'ulong' | 'char' | 'float' | 'double' | 'decimal';

export class TypeDef {
  readonly name: string;
  readonly ns: string;
  readonly kind: 'class' | 'struct' | 'interface' | 'enum' | 'static' | 'delegate';
  readonly typeParams: string[];
  readonly alias: string | undefined;
  readonly is: (v: unknown) => boolean;
  readonly clrName: string;
  readonly numeric: NumericKind | undefined;
  readonly defaultValue: (() => unknown) | undefined;
  private readonly baseSigs: string[];
  private pending: PendingMember[] = [];
  private _bases: NamedType[] | undefined;
  private readonly _members = new Map<string, Member[]>();
  private readonly _statics = new Map<string, Member[]>();
  private readonly _ctors: MethodDef[] = [];
  private readonly _indexers: IndexerDef[] = [];
  /** Explicit conversions out of this type, by target def name: value => converted. */
  readonly explicitTo = new Map<TypeDef, Impl>();
  /** Implicit conversions into this type, from source def. */
  readonly implicitFrom = new Map<TypeDef, Impl>();
  enumValues: Map<string, number> | undefined;

  constructor(init: TypeDefInit) {
    this.name = init.name;
    this.ns = init.ns;
    this.kind = init.kind ?? 'class';
    this.typeParams = init.typeParams ?? [];
    this.alias = init.alias;
    this.is = init.is ?? (() => false);
    this.clrName = init.clrName ?? (init.ns ? `${init.ns}.${init.name}` : init.name);
    this.numeric = init.numeric;
    this.defaultValue = init.defaultValue;
    this.baseSigs = init.bases ?? [];
  }

  get isValueType(): boolean {
    return this.kind === 'struct' || this.kind === 'enum';
  }

  get displayName(): string {
    return this.alias ?? this.name;
  }

  add(kind: PendingMember['kind'], sig: string, impl: Impl, opts: MemberOpts = {}): this {
    this.pending.push({ sig, kind, impl, opts });
    return this;
  }
  method(sig: string, impl: Impl, opts?: MemberOpts): this {
    return this.add('method', sig, impl, opts);
  }
  prop(sig: string, get: Impl, opts?: MemberOpts): this {
    return this.add('prop', sig, get, opts);
  }
  ctor(sig: string, impl: Impl, opts?: MemberOpts): this {
    return this.add('ctor', sig, impl, opts);
  }
  indexer(sig: string, get: Impl, set?: Impl): this {
    return this.add('indexer', sig, get, { set });
  }
  enumMembers(values: Record<string, number>): this {
    this.enumValues = new Map(Object.entries(values));
    const names = new Map(Object.entries(values).map(([n, v]) => [v, n]));
    this.method('string ToString()', (v: number) => names.get(v) ?? String(v));
    return this;
  }

  private resolve(): void {
    if (!this.pending.length) return;
    const list = this.pending;
    this.pending = [];
    for (const p of list) {
      const parsed = parseSignature(p.sig, p.kind, this);
      if (parsed.kind === 'ctor') {
        this._ctors.push(makeMethod(this, '.ctor', parsed, p.impl, p.opts));
      } else if (parsed.kind === 'indexer') {
        this._indexers.push({ params: parsed.params, type: parsed.ret, get: p.impl, set: p.opts.set });
      } else if (parsed.kind === 'method') {
        const m = makeMethod(this, parsed.name, parsed, p.impl, p.opts);
        addTo(m.isStatic && !m.isExtension ? this._statics : this._members, m);
        if (m.isExtension) addTo(EXTENSIONS, m);
      } else {
        const prop: PropDef = {
          kind: 'prop',
          name: parsed.name,
          isStatic: parsed.isStatic,
          type: parsed.ret,
          get: p.impl,
          set: p.opts.set,
          run: !!p.opts.run,
          constValue: 'const' in p.opts ? { v: p.opts.const } : undefined,
          owner: this,
        };
        addTo(prop.isStatic ? this._statics : this._members, prop);
      }
    }
  }

  bases(): NamedType[] {
    if (!this._bases) {
      this._bases = this.baseSigs.map((s) => {
        const t = parseTypeSig(s, this.typeParams);
        if (t.tag !== 'named') throw new Error(`bad base ${s}`);
        return t;
      });
    }
    return this._bases;
  }
  members(name: string): Member[] {
    this.resolve();
    return this._members.get(name) ?? [];
  }
  statics(name: string): Member[] {
    this.resolve();
    return this._statics.get(name) ?? [];
  }
  ctors(): MethodDef[] {
    this.resolve();
    return this._ctors;
  }
  indexers(): IndexerDef[] {
    this.resolve();
    return this._indexers;
  }
  allMemberNames(): string[] {
    this.resolve();
    return [...this._members.keys(), ...this._statics.keys()];
  }
}

function addTo(map: Map<string, Member[]>, m: Member): void {
  const list = map.get(m.name);
  if (list) list.push(m);
  else map.set(m.name, [m]);
}

function makeMethod(owner: TypeDef, name: string, s: ParsedSig, impl: Impl, opts: MemberOpts): MethodDef {
  return {
    kind: 'method',
    name,
    isStatic: s.isStatic,
    isExtension: s.params[0]?.mode === 'this',
    typeParams: s.typeParams,
    params: s.params,
    ret: s.ret,
    impl,
    run: !!opts.run,
    make: opts.make,
    retHook: opts.retHook,
    owner,
  };
}

// ---- registry

const BY_NAME = new Map<string, TypeDef>();
export const EXTENSIONS = new Map<string, Member[]>();
const NAMESPACES = new Set<string>();
const ALL_DEFS: TypeDef[] = [];

function key(name: string, arity: number): string {
  return arity ? `${name}\`${arity}` : name;
}

export function defineType(init: TypeDefInit): TypeDef {
  const def = new TypeDef(init);
  const arity = def.typeParams.length;
  BY_NAME.set(key(init.name, arity), def);
  if (init.ns) {
    BY_NAME.set(key(`${init.ns}.${init.name}`, arity), def);
    const parts = init.ns.split('.');
    for (let i = 1; i <= parts.length; i++) NAMESPACES.add(parts.slice(0, i).join('.'));
  }
  if (init.alias) BY_NAME.set(init.alias, def);
  ALL_DEFS.push(def);
  return def;
}

export function allTypeDefs(): readonly TypeDef[] {
  return ALL_DEFS;
}

export function lookupType(name: string, arity: number): TypeDef | undefined {
  return BY_NAME.get(key(name, arity));
}

export function isNamespace(name: string): boolean {
  return NAMESPACES.has(name);
}

export function named(def: TypeDef, args: Type[] = []): NamedType {
  return { tag: 'named', def, args };
}

export function typeFromNode(node: TypeNode, typeParams: readonly string[] = []): Type {
  if (node.name === 'var') throw new CompileError('EXPRESSION_SYNTAX', "'var' is not a type here", node.pos);
  let t: Type;
  if (node.name === '(tuple)') t = tupleOf(node.args.map((a) => typeFromNode(a, typeParams)), node.names);
  else if (node.args.length === 0 && typeParams.includes(node.name)) t = { tag: 'tp', name: node.name };
  else {
    const def = lookupType(node.name, node.args.length);
    if (!def) {
      const plain = lookupType(node.name, 0) ?? [1, 2, 3].map((n) => lookupType(node.name, n)).find(Boolean);
      if (plain && node.args.length === 0 && plain.typeParams.length)
        throw new CompileError('EXPRESSION_UNKNOWN_TYPE', `Using the generic type '${node.name}' requires ${plain.typeParams.length} type argument(s)`, node.pos);
      throw new CompileError(
        'EXPRESSION_UNKNOWN_TYPE',
        `The type '${node.name}${node.args.length ? '<' + node.args.map(typeNodeText).join(', ') + '>' : ''}' is not supported in policy expressions`,
        node.pos,
      );
    }
    t = named(def, node.args.map((a) => typeFromNode(a, typeParams)));
  }
  if (node.nullable) t = nullableOf(t);
  for (let i = node.ranks.length - 1; i >= 0; i--) t = arrayOf(t);
  return t;
}

export function typeNodeText(n: TypeNode): string {
  return n.name + (n.args.length ? '<' + n.args.map(typeNodeText).join(', ') + '>' : '') + (n.nullable ? '?' : '') + n.ranks.map((r) => '[' + ','.repeat(r - 1) + ']').join('');
}

// ---- well-known defs, filled by the library

let ARRAY_DEF: TypeDef;
let NULLABLE_DEF: TypeDef;
export function setCoreDefs(array: TypeDef, nullable: TypeDef): void {
  ARRAY_DEF = array;
  NULLABLE_DEF = nullable;
}
export function arrayOf(t: Type): NamedType {
  return named(ARRAY_DEF, [t]);
}
export type ArrayType = NamedType & { readonly __brand: 'array' };
export type NullableType = NamedType & { readonly __brand: 'nullable' };
export function isArray(t: Type): t is ArrayType {
  return t.tag === 'named' && t.def === ARRAY_DEF;
}
export function nullableOf(t: Type): Type {
  if (t.tag === 'named' && t.def.isValueType && t.def !== NULLABLE_DEF) return named(NULLABLE_DEF, [t]);
  return t;
}
export function isNullable(t: Type): t is NullableType {
  return t.tag === 'named' && t.def === NULLABLE_DEF;
}
export function underlyingOfNullable(t: Type): Type {
  return isNullable(t) ? t.args[0] : t;
}

/** ValueTuple<T1..Tn> with optional element names (names are compile-time only). */
export function tupleOf(elems: Type[], names?: (string | null)[]): NamedType {
  const def = lookupType('ValueTuple', elems.length);
  if (!def) throw new CompileError('EXPRESSION_NOT_ALLOWED', `Tuples of ${elems.length} elements are not supported`, 0);
  const t = named(def, elems);
  if (names && names.some((n) => n)) t.names = names;
  return t;
}
export function isTuple(t: Type): t is NamedType {
  return t.tag === 'named' && t.def.name === 'ValueTuple';
}

export function T(name: string, ...args: Type[]): NamedType {
  const def = lookupType(name, args.length);
  if (!def) throw new Error(`unknown builtin type ${name}`);
  return named(def, args);
}

export function typeName(t: Type): string {
  switch (t.tag) {
    case 'null':
      return '<null>';
    case 'tp':
      return t.name;
    case 'anon':
      return `<anonymous type: ${t.props.map((p) => `${typeName(p.type)} ${p.name}`).join(', ')}>`;
    case 'named':
      if (t.def === ARRAY_DEF) return typeName(t.args[0]) + '[]';
      if (t.def === NULLABLE_DEF) return typeName(t.args[0]) + '?';
      if (t.def.name === 'ValueTuple') return '(' + t.args.map((a, i) => typeName(a) + (t.names?.[i] ? ' ' + t.names[i] : '')).join(', ') + ')';
      return t.def.displayName + (t.args.length ? '<' + t.args.map(typeName).join(', ') + '>' : '');
  }
}

export function sameType(a: Type, b: Type): boolean {
  if (a === b) return true;
  if (a.tag !== b.tag) return false;
  if (a.tag === 'named' && b.tag === 'named') return a.def === b.def && a.args.length === b.args.length && a.args.every((x, i) => sameType(x, b.args[i]));
  if (a.tag === 'tp' && b.tag === 'tp') return a.name === b.name;
  if (a.tag === 'anon' && b.tag === 'anon') return a.props.length === b.props.length && a.props.every((p, i) => p.name === b.props[i].name && sameType(p.type, b.props[i].type));
  return a.tag === 'null';
}

export function substitute(t: Type, map: Map<string, Type>): Type {
  if (t.tag === 'tp') return map.get(t.name) ?? t;
  if (t.tag === 'named' && t.args.length) return named(t.def, t.args.map((a) => substitute(a, map)));
  return t;
}

export function hasTypeParams(t: Type): boolean {
  if (t.tag === 'tp') return true;
  if (t.tag === 'named') return t.args.some(hasTypeParams);
  return false;
}

/** All supertypes (classes and interfaces) of a named type, with the type arguments substituted. */
export function supertypes(t: NamedType): NamedType[] {
  const out: NamedType[] = [];
  const seen = new Set<string>();
  const walk = (x: NamedType): void => {
    const map = new Map<string, Type>();
    x.def.typeParams.forEach((p, i) => map.set(p, x.args[i]));
    for (const b of x.def.bases()) {
      const bt = substitute(b, map) as NamedType;
      const k = typeName(bt);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(bt);
      walk(bt);
    }
  };
  walk(t);
  return out;
}

/** Finds `target` (a generic def) among t and its supertypes: e.g. IEnumerable<T> of List<string>. */
export function findBase(t: Type, target: TypeDef): NamedType | undefined {
  if (t.tag !== 'named') return undefined;
  if (t.def === target) return t;
  return supertypes(t).find((b) => b.def === target);
}

// ---- signature parsing

interface ParsedSig {
  kind: 'method' | 'prop' | 'ctor' | 'indexer';
  name: string;
  isStatic: boolean;
  typeParams: string[];
  params: Param[];
  ret: Type;
}

export function parseTypeSig(sig: string, typeParams: readonly string[]): Type {
  const p = new Parser(new Lexer(sig).all());
  const node = p.type();
  return typeFromNode(node, typeParams);
}

function parseSignature(sig: string, kind: PendingMember['kind'], owner: TypeDef): ParsedSig {
  const toks = new Lexer(sig).all();
  let i = 0;
  const is = (v: string): boolean => toks[i].value === v && (toks[i].kind === 'kw' || toks[i].kind === 'op');
  let isStatic = false;
  if (is('static') || is('const')) {
    isStatic = true;
    i++;
  }
  const typeAt = (tps: string[]): Type => {
    const p = new Parser(toks.slice(i));
    const node = p.type();
    // advance by counting consumed tokens
    const consumed = (p as unknown as { i: number }).i;
    i += consumed;
    return typeFromNode(node, tps);
  };
  const tps = [...owner.typeParams];
  if (kind === 'ctor') {
    const params = parseParams(toks, i, tps, owner);
    return { kind: 'ctor', name: '.ctor', isStatic: true, typeParams: [], params: params.params, ret: named(owner, owner.typeParams.map((n) => ({ tag: 'tp', name: n }))) };
  }
  // a method's own type parameters appear after its name; pre-scan for them so the return type may use them
  const methodTps: string[] = [];
  const paren = toks.findIndex((t) => t.kind === 'op' && t.value === '(');
  if (paren > 0 && toks[paren - 1].value === '>') {
    let j = paren - 1;
    let depth = 0;
    for (; j > 0; j--) {
      if (toks[j].value === '>') depth++;
      else if (toks[j].value === '<' && --depth === 0) break;
    }
    for (let k = j + 1; k < paren - 1; k++) if (toks[k].kind === 'id') methodTps.push(toks[k].value);
  }
  const allTps = [...tps, ...methodTps];
  const ret = typeAt(allTps);
  if (toks[i].kind === 'kw' && toks[i].value === 'this') {
    i++;
    const params = parseParams(toks, i, allTps, owner, '[', ']');
    return { kind: 'indexer', name: 'this', isStatic: false, typeParams: [], params: params.params, ret };
  }
  const name = toks[i++].value;
  if (toks[i].value === '<') {
    while (toks[i].value !== '>') i++;
    i++;
  }
  if (toks[i].kind === 'eof') return { kind: 'prop', name, isStatic, typeParams: [], params: [], ret };
  const params = parseParams(toks, i, allTps, owner);
  return { kind: 'method', name, isStatic, typeParams: methodTps, params: params.params, ret };
}

function parseParams(toks: ReturnType<Lexer['all']>, start: number, tps: string[], owner: TypeDef, open = '(', close = ')'): { params: Param[] } {
  let i = start;
  if (toks[i].value !== open) throw new Error(`bad signature on ${owner.name}: expected ${open}`);
  i++;
  const params: Param[] = [];
  while (toks[i].value !== close) {
    let mode: Param['mode'] = 'in';
    let isParams = false;
    if (toks[i].value === 'params') {
      isParams = true;
      i++;
    } else if (toks[i].value === 'out' || toks[i].value === 'ref' || toks[i].value === 'this') {
      mode = toks[i].value as Param['mode'];
      i++;
    }
    const p = new Parser(toks.slice(i));
    const node = p.type();
    i += (p as unknown as { i: number }).i;
    const type = typeFromNode(node, tps);
    const name = toks[i++].value;
    let optional = false;
    let defaultValue: unknown;
    if (toks[i].value === '=') {
      i++;
      optional = true;
      const t = toks[i++];
      defaultValue = t.kind === 'str' ? t.value : t.value === 'null' ? null : t.value === 'true' ? true : t.value === 'false' ? false : t.kind === 'int' ? Number(t.value) : t.value === '-' ? -Number(toks[i++].value) : null;
    }
    params.push({ name, type, optional, defaultValue, isParams, mode });
    if (toks[i].value === ',') i++;
  }
  return { params };
}
