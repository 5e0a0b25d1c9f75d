// System.Collections.Generic and System.Linq over the runtime values. Sequences are lazy like .NET's
// (deferred execution), and every element enumerated costs one step of the budget.

import { DotNetException, argError, argNull, argOutOfRange, invalidOp } from '../errors.ts';
import type { RunState } from '../types.ts';
import { checkLength, tick } from './budget.ts';
import { CsChar } from './char.ts';
import { toDotNetString, dnCompare, dnEquals, mapKey } from './values.ts';

export class KeyValuePair {
  readonly key: unknown;
  readonly value: unknown;
  constructor(key: unknown, value: unknown) {
    this.key = key;
    this.value = value;
  }
  toString(): string {
    return `[${toDotNetString(this.key)}, ${toDotNetString(this.value)}]`;
  }
}

export class CsList implements Iterable<unknown> {
  items: unknown[];
  readonly clr: string;
  constructor(items: unknown[] = [], clr = 'System.Object') {
    this.items = items;
    this.clr = clr;
  }
  [Symbol.iterator](): Iterator<unknown> {
    return this.items[Symbol.iterator]();
  }
  get count(): number {
    return this.items.length;
  }
  get(i: number): unknown {
    if (i < 0 || i >= this.items.length) throw argOutOfRange('index', 'Index was out of range. Must be non-negative and less than the size of the collection.');
    return this.items[i];
  }
  set(i: number, v: unknown): void {
    if (i < 0 || i >= this.items.length) throw argOutOfRange('index', 'Index was out of range. Must be non-negative and less than the size of the collection.');
    this.items[i] = v;
  }
  add(v: unknown): void {
    checkLength(this.items.length + 1);
    this.items.push(v);
  }
  toString(): string {
    return `System.Collections.Generic.List\`1[${this.clr}]`;
  }
}

export interface KeyComparer {
  key(k: unknown): unknown;
}
export const DEFAULT_COMPARER: KeyComparer = { key: mapKey };
const upperCache = new Map<string, string>();
/** Case-insensitive keys; header names repeat across requests, so their upper-case form is memoized. */
export const ORDINAL_IGNORE_CASE: KeyComparer = {
  key: (k) => {
    if (typeof k !== 'string') return mapKey(k);
    let u = upperCache.get(k);
    if (u === undefined) {
      u = k.toUpperCase();
      if (k.length <= 128) {
        if (upperCache.size >= 4096) upperCache.clear();
        upperCache.set(k, u);
      }
    }
    return u;
  },
};

export class CsDictionary implements Iterable<KeyValuePair> {
  #map: Map<unknown, KeyValuePair> | undefined;
  /**
   * The entries by comparer key, made on first use. A view over other storage overrides this
   * (and the readers), and never makes its own.
   */
  get map(): Map<unknown, KeyValuePair> {
    return (this.#map ??= new Map<unknown, KeyValuePair>());
  }
  readonly comparer: KeyComparer;
  readonly clr: string;
  readOnly = false;
  constructor(comparer: KeyComparer = DEFAULT_COMPARER, clr = 'System.Object,System.Object') {
    this.comparer = comparer;
    this.clr = clr;
  }
  *[Symbol.iterator](): Iterator<KeyValuePair> {
    yield* this.map.values();
  }
  get count(): number {
    return this.map.size;
  }
  private k(key: unknown): unknown {
    if (key === null || key === undefined) throw argNull('key');
    return this.comparer === DEFAULT_COMPARER && typeof key === 'string' ? key : this.comparer.key(key);
  }
  get(key: unknown): unknown {
    const e = this.map.get(this.k(key));
    if (!e) throw new DotNetException('KeyNotFoundException', `The given key '${toDotNetString(key)}' was not present in the dictionary.`);
    return e.value;
  }
  tryGet(key: unknown): KeyValuePair | undefined {
    return this.map.get(this.k(key));
  }
  has(key: unknown): boolean {
    return this.map.has(this.k(key));
  }
  set(key: unknown, value: unknown): void {
    this.ensureWritable();
    const k = this.k(key);
    const e = this.map.get(k);
    if (!e) checkLength(this.map.size + 1);
    this.map.set(k, new KeyValuePair(e ? e.key : key, value));
  }
  add(key: unknown, value: unknown): void {
    this.ensureWritable();
    const k = this.k(key);
    if (this.map.has(k)) throw argError(`An item with the same key has already been added. Key: ${toDotNetString(key)}`);
    checkLength(this.map.size + 1);
    this.map.set(k, new KeyValuePair(key, value));
  }
  remove(key: unknown): boolean {
    this.ensureWritable();
    return this.map.delete(this.k(key));
  }
  clear(): void {
    this.ensureWritable();
    this.map.clear();
  }
  private ensureWritable(): void {
    if (this.readOnly) throw new DotNetException('NotSupportedException', 'Collection is read-only.');
  }
  keys(): unknown[] {
    return [...this.map.values()].map((e) => e.key);
  }
  values(): unknown[] {
    return [...this.map.values()].map((e) => e.value);
  }
  toString(): string {
    return `System.Collections.Generic.Dictionary\`2[${this.clr}]`;
  }
}

export class CsHashSet implements Iterable<unknown> {
  readonly map = new Map<unknown, unknown>();
  readonly comparer: KeyComparer;
  constructor(comparer: KeyComparer = DEFAULT_COMPARER) {
    this.comparer = comparer;
  }
  [Symbol.iterator](): Iterator<unknown> {
    return this.map.values();
  }
  get count(): number {
    return this.map.size;
  }
  add(v: unknown): boolean {
    const k = this.comparer.key(v);
    if (this.map.has(k)) return false;
    checkLength(this.map.size + 1);
    this.map.set(k, v);
    return true;
  }
  has(v: unknown): boolean {
    return this.map.has(this.comparer.key(v));
  }
  remove(v: unknown): boolean {
    return this.map.delete(this.comparer.key(v));
  }
  toString(): string {
    return 'System.Collections.Generic.HashSet`1[System.Object]';
  }
}

export class CsQueue implements Iterable<unknown> {
  items: unknown[] = [];
  [Symbol.iterator](): Iterator<unknown> {
    return this.items[Symbol.iterator]();
  }
  toString(): string {
    return 'System.Collections.Generic.Queue`1[System.Object]';
  }
}
export class CsStack implements Iterable<unknown> {
  items: unknown[] = []; // top is last
  [Symbol.iterator](): Iterator<unknown> {
    return [...this.items].reverse()[Symbol.iterator]();
  }
  toString(): string {
    return 'System.Collections.Generic.Stack`1[System.Object]';
  }
}

export const emptyStack = (): DotNetException => invalidOp('Stack empty.');
export const emptyQueue = (): DotNetException => invalidOp('Queue empty.');

/** A lazy sequence (the result of a LINQ operator): enumerating it re-runs the query. */
export class Seq implements Iterable<unknown> {
  private readonly factory: () => Iterator<unknown>;
  constructor(factory: () => Iterator<unknown>) {
    this.factory = factory;
  }
  [Symbol.iterator](): Iterator<unknown> {
    return this.factory();
  }
  toString(): string {
    return 'System.Linq.Enumerable+Iterator`1[System.Object]';
  }
}

/** An ordered sequence, which ThenBy can refine. */
export class OrderedSeq extends Seq {
  readonly source: Iterable<unknown>;
  readonly keys: { key: (x: unknown) => unknown; desc: boolean; cmp: (a: unknown, b: unknown) => number }[];
  readonly r: RunState;
  constructor(r: RunState, source: Iterable<unknown>, keys: OrderedSeq['keys']) {
    super(() => this.sorted()[Symbol.iterator]());
    this.source = source;
    this.keys = keys;
    this.r = r;
  }
  private sorted(): unknown[] {
    const items = toArray(this.r, this.source);
    const withKeys = items.map((x, i) => ({ x, i, k: this.keys.map((k) => k.key(x)) }));
    withKeys.sort((a, b) => {
      for (let j = 0; j < this.keys.length; j++) {
        const c = this.keys[j].cmp(a.k[j], b.k[j]);
        if (c !== 0) return this.keys[j].desc ? -c : c;
      }
      return a.i - b.i;
    });
    return withKeys.map((w) => w.x);
  }
}

export class Grouping extends Seq {
  readonly key: unknown;
  readonly items: unknown[];
  constructor(key: unknown, items: unknown[]) {
    super(() => items[Symbol.iterator]());
    this.key = key;
    this.items = items;
  }
}

function* stringChars(s: string): Generator<CsChar> {
  for (let i = 0; i < s.length; i++) yield CsChar.of(s.charCodeAt(i));
}

/** Enumerates any enumerable runtime value. */
export function iter(v: unknown): Iterable<unknown> {
  if (v === null || v === undefined) throw argNull('source');
  if (typeof v === 'string') return stringChars(v);
  if (typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function') return v as Iterable<unknown>;
  throw new DotNetException('InvalidCastException', 'The value is not enumerable.');
}

export function toArray(r: RunState, v: unknown): unknown[] {
  if (Array.isArray(v)) return v.slice();
  const out: unknown[] = [];
  for (const x of iter(v)) {
    tick(r);
    out.push(x);
  }
  checkLength(out.length);
  return out;
}

/** Sequence constructor helper: a generator function re-invoked per enumeration. */
export function seq(gen: () => Generator<unknown>): Seq {
  return new Seq(gen);
}

const noElements = (): DotNetException => invalidOp('Sequence contains no elements');
const noMatch = (): DotNetException => invalidOp('Sequence contains no matching element');
const moreThanOne = (): DotNetException => invalidOp('Sequence contains more than one element');
const moreThanOneMatch = (): DotNetException => invalidOp('Sequence contains more than one matching element');

type Pred = (x: unknown, i?: number) => unknown;


/** The keys of a sequence, as a set (for intersect and except), each element counted against the step budget. */
function keySet(r: RunState, source: Iterable<unknown>): Set<unknown> {
  const set = new Set<unknown>();
  for (const y of source) {
    tick(r);
    set.add(mapKey(y));
  }
  return set;
}

/** The items of `source` whose key is not in `seen` yet, each key once (it is added as it goes). */
function* unseen(r: RunState, source: Iterable<unknown>, seen: Set<unknown>, key: (x: unknown) => unknown): Generator<unknown> {
  for (const x of source) {
    tick(r);
    const k = key(x);
    if (!seen.has(k)) {
      seen.add(k);
      yield x;
    }
  }
}

export const Linq = {
  where(r: RunState, src: unknown, pred: Pred): Seq {
    const s = iter(src);
    return seq(function* () {
      let i = 0;
      for (const x of s) {
        tick(r);
        if (pred(x, i++)) yield x;
      }
    });
  },
  select(r: RunState, src: unknown, f: Pred): Seq {
    const s = iter(src);
    return seq(function* () {
      let i = 0;
      for (const x of s) {
        tick(r);
        yield f(x, i++);
      }
    });
  },
  selectMany(r: RunState, src: unknown, f: Pred, result?: (x: unknown, y: unknown) => unknown): Seq {
    const s = iter(src);
    return seq(function* () {
      for (const x of s) {
        tick(r);
        for (const y of iter(f(x))) {
          tick(r);
          yield result ? result(x, y) : y;
        }
      }
    });
  },
  any(r: RunState, src: unknown, pred?: Pred): boolean {
    for (const x of iter(src)) {
      tick(r);
      if (!pred || pred(x)) return true;
    }
    return false;
  },
  all(r: RunState, src: unknown, pred: Pred): boolean {
    for (const x of iter(src)) {
      tick(r);
      if (!pred(x)) return false;
    }
    return true;
  },
  first(r: RunState, src: unknown, pred?: Pred): unknown {
    for (const x of iter(src)) {
      tick(r);
      if (!pred || pred(x)) return x;
    }
    throw pred ? noMatch() : noElements();
  },
  firstOrDefault(r: RunState, src: unknown, pred: Pred | undefined, dflt: unknown): unknown {
    for (const x of iter(src)) {
      tick(r);
      if (!pred || pred(x)) return x;
    }
    return dflt;
  },
  last(r: RunState, src: unknown, pred: Pred | undefined, orDefault: boolean, dflt: unknown): unknown {
    let found = false;
    let last: unknown;
    for (const x of iter(src)) {
      tick(r);
      if (!pred || pred(x)) {
        found = true;
        last = x;
      }
    }
    if (!found) {
      if (orDefault) return dflt;
      throw pred ? noMatch() : noElements();
    }
    return last;
  },
  single(r: RunState, src: unknown, pred: Pred | undefined, orDefault: boolean, dflt: unknown): unknown {
    let found = false;
    let value: unknown;
    for (const x of iter(src)) {
      tick(r);
      if (!pred || pred(x)) {
        if (found) throw pred ? moreThanOneMatch() : moreThanOne();
        found = true;
        value = x;
      }
    }
    if (!found) {
      if (orDefault) return dflt;
      throw pred ? noMatch() : noElements();
    }
    return value;
  },
  elementAt(r: RunState, src: unknown, index: number, orDefault: boolean, dflt: unknown): unknown {
    let i = 0;
    for (const x of iter(src)) {
      tick(r);
      if (i++ === index) return x;
    }
    if (orDefault) return dflt;
    throw argOutOfRange('index', 'Index was out of range. Must be non-negative and less than the size of the collection.');
  },
  count(r: RunState, src: unknown, pred?: Pred): number {
    if (!pred) {
      if (Array.isArray(src) || src instanceof Uint8Array) return src.length;
      if (src instanceof CsList) return src.items.length;
      if (src instanceof CsDictionary || src instanceof CsHashSet) return src.count;
    }
    let n = 0;
    for (const x of iter(src)) {
      tick(r);
      if (!pred || pred(x)) n++;
    }
    return n;
  },
  contains(r: RunState, src: unknown, v: unknown, eq: (a: unknown, b: unknown) => boolean = dnEquals): boolean {
    for (const x of iter(src)) {
      tick(r);
      if (eq(x, v)) return true;
    }
    return false;
  },
  distinct(r: RunState, src: unknown, key: (x: unknown) => unknown = mapKey): Seq {
    const s = iter(src);
    return seq(() => unseen(r, s, new Set<unknown>(), key));
  },
  skip(r: RunState, src: unknown, n: number): Seq {
    const s = iter(src);
    return seq(function* () {
      let i = 0;
      for (const x of s) {
        tick(r);
        if (i++ >= n) yield x;
      }
    });
  },
  take(r: RunState, src: unknown, n: number): Seq {
    const s = iter(src);
    return seq(function* () {
      if (n <= 0) return;
      let i = 0;
      for (const x of s) {
        tick(r);
        yield x;
        if (++i >= n) return;
      }
    });
  },
  skipWhile(r: RunState, src: unknown, pred: Pred): Seq {
    const s = iter(src);
    return seq(function* () {
      let skipping = true;
      for (const x of s) {
        tick(r);
        if (skipping && pred(x)) continue;
        skipping = false;
        yield x;
      }
    });
  },
  takeWhile(r: RunState, src: unknown, pred: Pred): Seq {
    const s = iter(src);
    return seq(function* () {
      for (const x of s) {
        tick(r);
        if (!pred(x)) return;
        yield x;
      }
    });
  },
  concat(r: RunState, a: unknown, b: unknown): Seq {
    const s1 = iter(a);
    const s2 = iter(b);
    return seq(function* () {
      for (const x of s1) {
        tick(r);
        yield x;
      }
      for (const x of s2) {
        tick(r);
        yield x;
      }
    });
  },
  reverse(r: RunState, src: unknown): Seq {
    const s = iter(src);
    return seq(function* () {
      yield* toArray(r, s).reverse();
    });
  },
  orderBy(r: RunState, src: unknown, key: (x: unknown) => unknown, desc: boolean, cmp: (a: unknown, b: unknown) => number = dnCompare): OrderedSeq {
    return new OrderedSeq(r, iter(src), [{ key, desc, cmp }]);
  },
  thenBy(r: RunState, src: OrderedSeq, key: (x: unknown) => unknown, desc: boolean, cmp: (a: unknown, b: unknown) => number = dnCompare): OrderedSeq {
    return new OrderedSeq(r, src.source, [...src.keys, { key, desc, cmp }]);
  },
  groupBy(r: RunState, src: unknown, key: (x: unknown) => unknown, elem?: (x: unknown) => unknown): Seq {
    const s = iter(src);
    return seq(function* () {
      const groups = new Map<unknown, { key: unknown; items: unknown[] }>();
      for (const x of s) {
        tick(r);
        const k = key(x);
        const mk = mapKey(k);
        let g = groups.get(mk);
        if (!g) groups.set(mk, (g = { key: k, items: [] }));
        g.items.push(elem ? elem(x) : x);
      }
      for (const g of groups.values()) yield new Grouping(g.key, g.items);
    });
  },
  aggregate(r: RunState, src: unknown, seed: { v: unknown } | null, f: (acc: unknown, x: unknown) => unknown): unknown {
    let acc: unknown;
    let has = false;
    if (seed) {
      acc = seed.v;
      has = true;
    }
    for (const x of iter(src)) {
      tick(r);
      if (!has) {
        acc = x;
        has = true;
      } else acc = f(acc, x);
    }
    if (!has) throw noElements();
    return acc;
  },
  range(r: RunState, start: number, count: number): Seq {
    if (count < 0 || start + count - 1 > 2147483647) throw argOutOfRange('count');
    return seq(function* () {
      for (let i = 0; i < count; i++) {
        tick(r);
        yield start + i;
      }
    });
  },
  repeat(r: RunState, v: unknown, count: number): Seq {
    if (count < 0) throw argOutOfRange('count');
    return seq(function* () {
      for (let i = 0; i < count; i++) {
        tick(r);
        yield v;
      }
    });
  },
  zip(r: RunState, a: unknown, b: unknown, f: (x: unknown, y: unknown) => unknown): Seq {
    const s1 = iter(a);
    const s2 = iter(b);
    return seq(function* () {
      const i2 = s2[Symbol.iterator]();
      for (const x of s1) {
        tick(r);
        const y = i2.next();
        if (y.done) return;
        yield f(x, y.value);
      }
    });
  },
  union(r: RunState, a: unknown, b: unknown): Seq {
    return Linq.distinct(r, Linq.concat(r, a, b));
  },
  intersect(r: RunState, a: unknown, b: unknown): Seq {
    const s1 = iter(a);
    const s2 = iter(b);
    return seq(function* () {
      const set = keySet(r, s2);
      for (const x of s1) {
        tick(r);
        const k = mapKey(x);
        if (set.delete(k)) yield x;
      }
    });
  },
  except(r: RunState, a: unknown, b: unknown): Seq {
    const s1 = iter(a);
    const s2 = iter(b);
    return seq(() => unseen(r, s1, keySet(r, s2), mapKey));
  },
  sequenceEqual(r: RunState, a: unknown, b: unknown): boolean {
    const x = toArray(r, a);
    const y = toArray(r, b);
    return x.length === y.length && x.every((v, i) => dnEquals(v, y[i]));
  },
  defaultIfEmpty(r: RunState, src: unknown, dflt: unknown): Seq {
    const s = iter(src);
    return seq(function* () {
      let any = false;
      for (const x of s) {
        tick(r);
        any = true;
        yield x;
      }
      if (!any) yield dflt;
    });
  },
};

export { noElements };
