// Binds the syntax tree to the type model and turns it into closures. Every name, member and
// conversion is resolved here, once; the closures only do the work that is left at run time.

import type { Arg, Expr, Initializer, Stmt, TypeNode } from './ast.ts';
import { BudgetExceeded, CompileError, DotNetException, KNOWN_EXCEPTIONS, exceptionIs, indexOutOfRange, invalidOp, nullRef } from './errors.ts';
import { MAX_CALL_DEPTH, checkLength, checkString, tick } from './runtime/budget.ts';
import { CsChar } from './runtime/char.ts';
import { Decimal } from './runtime/decimal.ts';
import { AnonObject } from './runtime/json.ts';
import { translateRegex } from './runtime/regex.ts';
import { IMPLICIT_NUMERIC, arith, compareOp, negate, numericConversion, oneOf, promote, shiftOp, zeroOf } from './runtime/numeric.ts';
import { Boxed, CsTuple, dnEquals, tagArray } from './runtime/values.ts';
import {
  EXTENSIONS, type Impl, type MethodDef, type NamedType, type NumericKind, type Param, type PropDef, type RunState, type Type, type TypeDef,
  allTypeDefs, arrayOf, findBase, isTuple, tupleOf, hasTypeParams, isArray, isNamespace, isNullable, lookupType, named, nullableOf, sameType, substitute, supertypes,
  typeFromNode, typeName, underlyingOfNullable,
} from './types.ts';
import { CORE, clrNameOf, defaultValueOf, isInstance, stringConverter, userConversion } from './library.ts';

export interface Env {
  v: unknown[];
  p: Env | null;
  r: RunState;
  rv: unknown;
}
export type Fn = (e: Env) => unknown;

interface LValue {
  set: (e: Env, v: unknown) => void;
}

interface Val {
  kind: 'value';
  type: Type;
  fn: Fn;
  konst?: { v: unknown };
  lv?: LValue;
  pos: number;
  /** a method group name, kept for error messages */
}
interface TypeRefB {
  kind: 'type';
  type: Type;
  pos: number;
}
interface NsB {
  kind: 'ns';
  name: string;
  pos: number;
}
interface GroupB {
  kind: 'group';
  name: string;
  recv: Val | null;
  cands: MethodDef[];
  typeArgs: Type[] | null;
  pos: number;
  ext: boolean;
}
interface LocalFnB {
  kind: 'localfn';
  info: LocalFunc;
  pos: number;
}
type Bound = Val | TypeRefB | NsB | GroupB | LocalFnB;

interface LocalFunc {
  name: string;
  params: { name: string; type: Type }[];
  ret: Type;
  slot: number;
  level: number;
}

interface VarInfo {
  slot: number;
  level: number;
  type: Type;
  konst?: { v: unknown };
  fn?: LocalFunc;
  readOnly?: boolean;
}

class FuncCtx {
  slots = 0;
  readonly level: number;
  readonly parent: FuncCtx | null;
  /** declared return type; null: infer (lambda) */
  ret: Type | null;
  returnTypes: Type[] = [];
  isVoid = false;
  constructor(parent: FuncCtx | null, ret: Type | null) {
    this.parent = parent;
    this.level = parent ? parent.level + 1 : 0;
    this.ret = ret;
  }
}

class Scope {
  readonly vars = new Map<string, VarInfo>();
  readonly parent: Scope | null;
  readonly func: FuncCtx;
  constructor(parent: Scope | null, func: FuncCtx) {
    this.parent = parent;
    this.func = func;
  }
  lookup(name: string): VarInfo | undefined {
    for (let s: Scope | null = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v) return v;
    }
    return undefined;
  }
}

const SHORT = Symbol('null-conditional');
const BREAK = 1;
const CONTINUE = 2;
const RETURN = 3;

type SFn = (e: Env) => number | undefined;

const err = (code: ConstructorParameters<typeof CompileError>[0], msg: string, pos: number): never => {
  throw new CompileError(code, msg, pos);
};

function numKind(t: Type): NumericKind | undefined {
  return t.tag === 'named' ? t.def.numeric : undefined;
}
function isBool(t: Type): boolean {
  return t.tag === 'named' && t.def === CORE.bool;
}
function isString(t: Type): boolean {
  return t.tag === 'named' && t.def === CORE.string;
}
function isValueType(t: Type): boolean {
  return t.tag === 'named' && t.def.isValueType;
}
function isReferenceType(t: Type): boolean {
  return t.tag === 'anon' || (t.tag === 'named' && !t.def.isValueType) || t.tag === 'null';
}

function varGetter(info: VarInfo, level: number): Fn {
  const up = level - info.level;
  const slot = info.slot;
  if (up === 0) return (e) => e.v[slot];
  if (up === 1) return (e) => (e.p as Env).v[slot];
  if (up === 2) return (e) => ((e.p as Env).p as Env).v[slot];
  return (e) => {
    let x = e;
    for (let i = 0; i < up; i++) x = x.p as Env;
    return x.v[slot];
  };
}
function varSetter(info: VarInfo, level: number): (e: Env, v: unknown) => void {
  const up = level - info.level;
  const slot = info.slot;
  if (up === 0) return (e, v) => void (e.v[slot] = v);
  return (e, v) => {
    let x = e;
    for (let i = 0; i < up; i++) x = x.p as Env;
    x.v[slot] = v;
  };
}

export interface CompiledBody {
  fn: (e: Env) => unknown;
  slots: number;
}

interface ArgInfo {
  name?: string;
  val?: Val;
  lambda?: Expr & { k: 'lambda' };
  /** A method group passed where a delegate is expected (`Select(int.Parse)`). */
  group?: Expr;
  mode?: 'out' | 'ref';
  pos: number;
  /** for out arguments: how to store the result */
  outSet?: (e: Env, v: unknown) => void;
  outType?: Type | null; // null: out var (inferred)
  outDecl?: { name: string; pos: number };
}

interface Resolved {
  method: MethodDef;
  argFns: Fn[];
  ret: Type;
  impl: Impl;
  outs: { index: number; set: (e: Env, v: unknown) => void }[];
}

/** Compiles one expression body: a `single` expression or the statements of a `multi` block. */
export class Compiler {
  private scope: Scope;
  private func: FuncCtx;
  private checked = false;
  /** Inside unchecked(...) or unchecked { }: constant expressions may overflow silently. */
  private unchecked = false;

  constructor() {
    ensureAllResolved();
    this.func = new FuncCtx(null, CORE.objectType);
    this.scope = new Scope(null, this.func);
  }

  compileSingle(expr: Expr): CompiledBody {
    const v = this.value(expr);
    const fn = this.convert(v, CORE.objectType, false, expr.pos).fn;
    return { fn, slots: this.func.slots };
  }

  compileMulti(stmts: Stmt[], pos: number): CompiledBody {
    const body = this.block(stmts);
    if (!endsWithReturn(stmts)) err('EXPRESSION_SYNTAX', 'Not all code paths return a value: a multi-statement expression must end with a return statement', pos);
    const fn = (e: Env): unknown => {
      const c = body(e);
      if (c === RETURN) return e.rv;
      throw invalidOp('The expression ended without returning a value.');
    };
    return { fn, slots: this.func.slots };
  }

  // ---------------------------------------------------------------- statements

  private pushScope(): void {
    this.scope = new Scope(this.scope, this.func);
  }
  private popScope(): void {
    this.scope = this.scope.parent as Scope;
  }

  private declareVar(name: string, type: Type, pos: number, konst?: { v: unknown }): VarInfo {
    if (this.scope.lookup(name) && this.scope.lookup(name)!.level === this.func.level)
      err('EXPRESSION_SYNTAX', `A local variable named '${name}' is already defined in this scope`, pos);
    if (name === 'context') err('EXPRESSION_SYNTAX', "A local variable cannot be named 'context'", pos);
    const info: VarInfo = { slot: this.func.slots++, level: this.func.level, type, konst };
    this.scope.vars.set(name, info);
    return info;
  }

  private hoistFunctions(stmts: Stmt[]): void {
    for (const s of stmts) {
      if (s.k !== 'func') continue;
      const ret = s.ret.name === 'void' ? CORE.voidType : typeFromNode(s.ret);
      const params = s.params.map((p) => ({ name: p.name, type: typeFromNode(p.type) }));
      const info = this.declareVar(s.name, CORE.objectType, s.pos);
      info.fn = { name: s.name, params, ret, slot: info.slot, level: info.level };
      info.readOnly = true;
    }
  }

  private block(stmts: Stmt[]): SFn {
    this.pushScope();
    this.hoistFunctions(stmts);
    const fns = stmts.map((s) => this.stmt(s));
    this.popScope();
    if (fns.length === 1) return fns[0];
    return (e) => {
      for (let i = 0; i < fns.length; i++) {
        const c = fns[i](e);
        if (c) return c;
      }
      return undefined;
    };
  }

  private stmt(s: Stmt): SFn {
    switch (s.k) {
      case 'block':
        return this.block(s.body);
      case 'empty':
        return () => undefined;
      case 'expr': {
        const v = this.exprStatement(s.expr);
        return (e) => {
          v(e);
          return undefined;
        };
      }
      case 'decl':
        return this.declStmt(s);
      case 'if': {
        const test = this.condition(s.test);
        const then = this.scoped(s.then);
        const els = s.else ? this.scoped(s.else) : null;
        return els ? (e) => (test(e) ? then(e) : els(e)) : (e) => (test(e) ? then(e) : undefined);
      }
      case 'while': {
        const test = this.condition(s.test);
        const body = this.loopBody(s.body);
        return (e) => {
          const r = e.r;
          while (test(e)) {
            tick(r);
            const c = body(e);
            if (c === BREAK) break;
            if (c === RETURN) return c;
          }
          return undefined;
        };
      }
      case 'do': {
        const body = this.loopBody(s.body);
        const test = this.condition(s.test);
        return (e) => {
          const r = e.r;
          do {
            tick(r);
            const c = body(e);
            if (c === BREAK) break;
            if (c === RETURN) return c;
          } while (test(e));
          return undefined;
        };
      }
      case 'for': {
        this.pushScope();
        const init = s.init.map((x) => this.stmt(x));
        const test = s.test ? this.condition(s.test) : () => true;
        const update = s.update.map((u) => this.exprStatement(u));
        const body = this.loopBody(s.body);
        this.popScope();
        return (e) => {
          const r = e.r;
          for (const i of init) i(e);
          for (; test(e); ) {
            tick(r);
            const c = body(e);
            if (c === BREAK) break;
            if (c === RETURN) return c;
            for (const u of update) u(e);
          }
          return undefined;
        };
      }
      case 'foreach':
        return this.foreachStmt(s);
      case 'return': {
        if (!s.expr) {
          if (!this.func.isVoid) err('EXPRESSION_SYNTAX', 'An object of a type convertible to the return type is required', s.pos);
          return () => RETURN;
        }
        if (this.func.isVoid) err('EXPRESSION_SYNTAX', 'Since the function returns void, a return keyword must not be followed by an object expression', s.pos);
        let v = this.value(s.expr);
        if (this.func.ret) v = this.convert(v, this.func.ret, false, s.expr.pos);
        else this.func.returnTypes.push(v.type);
        const fn = v.fn;
        return (e) => {
          e.rv = fn(e);
          return RETURN;
        };
      }
      case 'break':
        return () => BREAK;
      case 'continue':
        return () => CONTINUE;
      case 'throw': {
        if (!s.expr) return () => {
          throw invalidOp('Rethrow is only supported inside a catch block.');
        };
        const t = this.throwValue(s.expr);
        return (e) => {
          throw t(e);
        };
      }
      case 'try':
        return this.tryStmt(s);
      case 'switch':
        return this.switchStmt(s);
      case 'func':
        return this.localFunction(s);
      case 'using': {
        this.pushScope();
        const d = s.decl ? this.stmt(s.decl) : null;
        const x = s.expr ? this.value(s.expr) : null;
        const body = this.scoped(s.body);
        this.popScope();
        return (e) => {
          if (d) d(e);
          if (x) x.fn(e);
          return body(e);
        };
      }
      case 'deconstruct': {
        const v = this.value(s.value);
        if (!isTuple(v.type) || v.type.args.length !== s.names.length)
          err('EXPRESSION_TYPE_MISMATCH', `Cannot deconstruct '${typeName(v.type)}' into ${s.names.length} variables`, s.pos);
        const elems = (v.type as NamedType).args;
        const slots = s.names.map((n, i) => this.declareVar(n.name, elems[i], n.pos).slot);
        const f = v.fn;
        return (e) => {
          const t = f(e) as CsTuple;
          slots.forEach((slot, i) => (e.v[slot] = t.items[i]));
          return undefined;
        };
      }
      case 'checkedblock': {
        const prev = this.checked;
        const prevU = this.unchecked;
        this.checked = s.checked;
        this.unchecked = !s.checked;
        const b = this.scoped(s.body);
        this.checked = prev;
        this.unchecked = prevU;
        return b;
      }
    }
  }

  private scoped(s: Stmt): SFn {
    if (s.k === 'block') return this.block(s.body);
    this.pushScope();
    const f = this.stmt(s);
    this.popScope();
    return f;
  }

  private exprStatement(x: Expr): Fn {
    return this.value(x, { statement: true }).fn;
  }

  private condition(x: Expr): Fn {
    const v = this.value(x);
    if (!isBool(v.type)) {
      if (isNullable(v.type) && isBool(v.type.args[0])) err('EXPRESSION_TYPE_MISMATCH', "Cannot implicitly convert type 'bool?' to 'bool'", x.pos);
      return this.convert(v, CORE.boolType, false, x.pos).fn;
    }
    return v.fn;
  }

  private declStmt(s: Stmt & { k: 'decl' }): SFn {
    const parts: SFn[] = [];
    for (const d of s.decls) {
      let type: Type;
      let init: Val | null = null;
      if (s.type === null || s.type.name === 'var' && !lookupType('var', 0)) {
        if (!d.init) err('EXPRESSION_SYNTAX', 'Implicitly-typed variables must be initialized', d.pos);
        if (d.init!.k === 'lambda') err('EXPRESSION_SYNTAX', 'Cannot assign lambda expression to an implicitly-typed variable', d.pos);
        init = this.value(d.init!);
        if (init.type.tag === 'null') err('EXPRESSION_TYPE_MISMATCH', 'Cannot assign <null> to an implicitly-typed variable', d.pos);
        if (init.type.tag === 'named' && init.type.def === CORE.void) err('EXPRESSION_TYPE_MISMATCH', 'Cannot assign void to an implicitly-typed variable', d.pos);
        type = init.type;
      } else {
        type = typeFromNode(s.type);
        if (d.init) {
          init = d.init.k === 'lambda' ? this.lambdaTo(d.init, type) : this.convert(this.value(d.init, { target: type }), type, false, d.init.pos);
        }
      }
      const konst = s.isConst && init?.konst ? init.konst : undefined;
      if (s.isConst && !konst) err('EXPRESSION_SYNTAX', `The expression being assigned to '${d.name}' must be constant`, d.pos);
      const info = this.declareVar(d.name, type, d.pos, konst);
      const slot = info.slot;
      if (init) {
        const f = init.fn;
        parts.push((e) => {
          e.v[slot] = f(e);
          return undefined;
        });
      } else {
        const dv = defaultValueOf(type);
        parts.push((e) => {
          e.v[slot] = dv;
          return undefined;
        });
      }
    }
    if (parts.length === 1) return parts[0];
    return (e) => {
      for (const p of parts) p(e);
      return undefined;
    };
  }

  private foreachStmt(s: Stmt & { k: 'foreach' }): SFn {
    const src = this.value(s.expr);
    const elem = elementTypeOf(src.type);
    if (!elem) err('EXPRESSION_TYPE_MISMATCH', `foreach statement cannot operate on variables of type '${typeName(src.type)}'`, s.expr.pos);
    const declared = s.type && s.type.name !== 'var' ? typeFromNode(s.type) : elem!;
    const conv = s.type && s.type.name !== 'var' ? this.conversion(elem!, declared, true, s.pos) : null;
    const body = this.loopBody(s.body, { name: s.name, type: declared, pos: s.pos });
    const srcFn = src.fn;
    const iterate = iteratorFor(src.type);
    return (e) => {
      const coll = srcFn(e);
      if (coll === null || coll === undefined) throw nullRef();
      const r = e.r;
      for (const x of iterate(coll)) {
        tick(r);
        const c = body(e, conv ? conv(x) : x);
        if (c === BREAK) break;
        if (c === RETURN) return c;
      }
      return undefined;
    };
  }

  /**
   * A loop body. When it creates lambdas or local functions, each iteration gets its own frame, so
   * that variables declared in the body (and a foreach variable) are fresh per iteration as in C#.
   */
  private loopBody(body: Stmt, iterVar?: { name: string; type: Type; pos: number }): (e: Env, x?: unknown) => number | undefined {
    if (!containsClosure(body)) {
      this.pushScope();
      let slot = -1;
      if (iterVar) {
        const info = this.declareVar(iterVar.name, iterVar.type, iterVar.pos);
        info.readOnly = true;
        slot = info.slot;
      }
      const f = this.scoped(body);
      this.popScope();
      if (slot < 0) return f;
      return (e, x) => {
        e.v[slot] = x;
        return f(e);
      };
    }
    const outerFunc = this.func;
    const outerScope = this.scope;
    const func = new FuncCtx(outerFunc, outerFunc.ret);
    func.isVoid = outerFunc.isVoid;
    func.returnTypes = outerFunc.returnTypes;
    this.func = func;
    this.scope = new Scope(outerScope, func);
    let slot = -1;
    try {
      if (iterVar) {
        const info = this.declareVar(iterVar.name, iterVar.type, iterVar.pos);
        info.readOnly = true;
        slot = info.slot;
      }
      const f = this.scoped(body);
      const slots = (): number => func.slots;
      return (e, x) => {
        const env: Env = { v: new Array(slots()), p: e, r: e.r, rv: undefined };
        if (slot >= 0) env.v[slot] = x;
        const c = f(env);
        if (c === RETURN) e.rv = env.rv;
        return c;
      };
    } finally {
      this.func = outerFunc;
      this.scope = outerScope;
    }
  }

  private tryStmt(s: Stmt & { k: 'try' }): SFn {
    const block = this.scoped(s.block);
    const catches = s.catches.map((c) => {
      this.pushScope();
      let typeName2 = 'Exception';
      if (c.type) {
        const n = c.type.name.replace(/^System\./, '').replace(/^Newtonsoft\.Json\./, '');
        if (!KNOWN_EXCEPTIONS.has(n)) err('EXPRESSION_UNKNOWN_TYPE', `The type '${c.type.name}' is not supported in policy expressions`, c.type.pos);
        typeName2 = n;
      }
      let slot = -1;
      if (c.name) slot = this.declareVar(c.name, named(CORE.exception), c.pos).slot;
      const when = c.when ? this.condition(c.when) : null;
      const body = this.scoped(c.body);
      this.popScope();
      return { typeName: typeName2, slot, when, body };
    });
    const fin = s.fin ? this.scoped(s.fin) : null;
    return (e) => {
      try {
        return block(e);
      } catch (x) {
        if (!(x instanceof DotNetException)) throw x;
        for (const c of catches) {
          if (!exceptionIs(x.type, c.typeName)) continue;
          if (c.slot >= 0) e.v[c.slot] = x;
          if (c.when && !c.when(e)) continue;
          return c.body(e);
        }
        throw x;
      } finally {
        if (fin) fin(e);
      }
    };
  }

  private switchStmt(s: Stmt & { k: 'switch' }): SFn {
    const subject = this.value(s.expr);
    this.pushScope();
    type Label = (e: Env, v: unknown) => boolean;
    const sections = s.sections.map((sec) => {
      this.pushScope();
      const labels: (Label | null)[] = sec.labels.map((l): Label | null => {
        if (l === null) return null;
        let test: Label;
        if (l.kind === 'const') {
          const v = this.value(l.expr);
          if (v.type.tag === 'null') test = (_e, x) => x === null;
          else {
            const cv = this.convert(v, subject.type, false, l.pos);
            if (!cv.konst) err('EXPRESSION_SYNTAX', 'A constant value is expected', l.pos);
            const k = cv.konst!.v;
            test = (_e, x) => dnEquals(k, x);
          }
        } else {
          const t = l.type ? typeFromNode(l.type) : subject.type;
          const set = l.name ? varSetter(this.declareVar(l.name, t, l.pos), this.func.level) : null;
          const isVar = !l.type;
          test = (e, x) => {
            if (!isVar && !isInstance(x, t)) return false;
            if (set) set(e, x instanceof Boxed ? x.value : x);
            return true;
          };
        }
        if (l.when) {
          const w = this.condition(l.when);
          const inner = test;
          test = (e, x) => inner(e, x) && (w(e) as boolean);
        }
        return test;
      });
      const body = this.block(sec.body);
      this.popScope();
      return { labels, body };
    });
    this.popScope();
    const f = subject.fn;
    const dflt = sections.findIndex((sec) => sec.labels.includes(null));
    return (e) => {
      const v = f(e);
      let idx = sections.findIndex((sec) => sec.labels.some((l) => l !== null && l(e, v)));
      if (idx < 0) idx = dflt;
      if (idx < 0) return undefined;
      const c = sections[idx].body(e);
      return c === BREAK ? undefined : c;
    };
  }

  private localFunction(s: Stmt & { k: 'func' }): SFn {
    const info = this.scope.lookup(s.name)!;
    const lf = info.fn!;
    const outerFunc = this.func;
    const outerScope = this.scope;
    const func = new FuncCtx(outerFunc, lf.ret);
    func.isVoid = lf.ret.tag === 'named' && lf.ret.def === CORE.void;
    this.func = func;
    this.scope = new Scope(outerScope, func);
    for (const p of lf.params) this.declareVar(p.name, p.type, s.pos);
    const bodyStmts = s.body.k === 'block' ? s.body.body : [s.body];
    const body = this.block(bodyStmts);
    if (!func.isVoid && !endsWithReturn(bodyStmts)) err('EXPRESSION_SYNTAX', `'${s.name}': not all code paths return a value`, s.pos);
    const slots = () => func.slots;
    this.func = outerFunc;
    this.scope = outerScope;
    const slot = info.slot;
    const n = lf.params.length;
    return (e) => {
      const nslots = slots();
      const fn = (...args: unknown[]): unknown => {
        const r = e.r;
        tick(r);
        if (++r.depth > MAX_CALL_DEPTH) throw new BudgetExceeded('The expression exceeded its call depth budget.');
        const env: Env = { v: new Array(nslots), p: e, r, rv: undefined };
        for (let i = 0; i < n; i++) env.v[i] = args[i];
        try {
          const c = body(env);
          return c === RETURN ? env.rv : undefined;
        } finally {
          r.depth--;
        }
      };
      e.v[slot] = fn;
      return undefined;
    };
  }

  private throwValue(x: Expr): (e: Env) => unknown {
    const v = this.value(x);
    if (!(v.type.tag === 'named' && isSubtype(v.type, named(CORE.exception)))) err('EXPRESSION_TYPE_MISMATCH', 'The type thrown must be an exception', x.pos);
    const f = v.fn;
    return (e) => {
      const ex = f(e);
      if (ex === null) return nullRef();
      return ex;
    };
  }

  // ---------------------------------------------------------------- expressions

  value(x: Expr, opts: { statement?: boolean; target?: Type; chain?: boolean } = {}): Val {
    const b = this.bind(x, opts);
    return this.asValue(b, x.pos);
  }

  private asValue(b: Bound, pos: number): Val {
    switch (b.kind) {
      case 'value':
        return b;
      case 'type':
        return err('EXPRESSION_SYNTAX', `'${typeName(b.type)}' is a type, which is not valid in the given context`, pos);
      case 'ns':
        return err('EXPRESSION_UNKNOWN_TYPE', `The type or namespace name '${b.name}' is not supported in policy expressions`, pos);
      case 'group':
        return err('EXPRESSION_SYNTAX', `Cannot use method group '${b.name}' as a value; did you mean to call it?`, pos);
      case 'localfn':
        return err('EXPRESSION_SYNTAX', `Cannot use local function '${b.info.name}' as a value`, pos);
    }
  }

  private bind(x: Expr, opts: { statement?: boolean; target?: Type; chain?: boolean } = {}): Bound {
    switch (x.k) {
      case 'lit':
        return this.literal(x);
      case 'interp':
        return this.interpolation(x);
      case 'name':
        return this.name(x);
      case 'member':
        return this.chainEnd(this.member(x), x, opts.chain);
      case 'call':
        return this.chainEnd(this.call(x), x, opts.chain);
      case 'index':
        return this.chainEnd(this.index(x), x, opts.chain);
      case 'unary':
        return this.unary(x);
      case 'postfix':
        return this.incDec(x.operand, x.op, false, x.pos);
      case 'binary':
        return this.binary(x);
      case 'assign':
        return this.assign(x);
      case 'cond':
        return this.conditional(x);
      case 'cast':
        return this.cast(x);
      case 'is':
        return this.isExpr(x);
      case 'as':
        return this.asExpr(x);
      case 'lambda':
        if (opts.target) return this.lambdaTo(x, opts.target);
        return err('EXPRESSION_SYNTAX', 'A lambda expression can only be used where a delegate type is expected', x.pos);
      case 'new':
        return this.newObject(x);
      case 'newarray':
        return this.newArray(x, opts.target);
      case 'arrayinit':
        return err('EXPRESSION_SYNTAX', 'Array initializers can only be used in an array creation expression', x.pos);
      case 'anon':
        return this.anon(x);
      case 'default': {
        const t = x.type ? typeFromNode(x.type) : opts.target;
        if (!t) return { kind: 'value', type: { tag: 'null' }, fn: () => null, konst: { v: null }, pos: x.pos };
        const dv = defaultValueOf(t);
        return { kind: 'value', type: t, fn: () => dv, konst: { v: dv }, pos: x.pos };
      }
      case 'checked': {
        const prev = this.checked;
        const prevU = this.unchecked;
        this.checked = x.checked;
        this.unchecked = !x.checked;
        const v = this.value(x.expr);
        this.checked = prev;
        this.unchecked = prevU;
        return v;
      }
      case 'throw': {
        const t = this.throwValue(x.expr);
        return { kind: 'value', type: { tag: 'null' }, fn: (e) => { throw t(e); }, pos: x.pos };
      }
      case 'typeof':
        return err('EXPRESSION_NOT_ALLOWED', "'typeof' is not allowed in policy expressions", x.pos);
      case 'nameof':
        return { kind: 'value', type: CORE.stringType, fn: () => x.name, konst: { v: x.name }, pos: x.pos };
      case 'tuple': {
        const target = opts.target && isTuple(opts.target) && opts.target.args.length === x.items.length ? opts.target : null;
        const vals = x.items.map((it, i) => this.value(it.expr, { target: target?.args[i] }));
        const names = x.items.map((it) => it.name ?? (it.expr.k === 'name' || it.expr.k === 'member' ? it.expr.name : null));
        const fns = vals.map((v) => v.fn);
        return { kind: 'value', type: tupleOf(vals.map((v) => v.type), names), fn: (e) => new CsTuple(fns.map((f) => f(e))), pos: x.pos };
      }
    }
  }

  /** Closes a null-conditional chain: the sentinel left by `?.` becomes null. */
  private chainEnd(b: Bound, x: Expr, inChain: boolean | undefined): Bound {
    if (inChain || b.kind !== 'value' || !hasNullCond(x)) return b;
    const f = b.fn;
    const type = b.type.tag === 'named' && b.type.def === CORE.void ? b.type : nullableOf(b.type);
    return { kind: 'value', type, fn: (e) => {
      const v = f(e);
      return v === SHORT ? null : v;
    }, pos: b.pos };
  }

  private literal(x: Expr & { k: 'lit' }): Val {
    let v: unknown;
    let type: Type;
    switch (x.type) {
      case 'int':
      case 'uint':
      case 'long':
      case 'ulong': {
        const b = BigInt(x.value);
        let k = x.type;
        // a negated literal: -2147483648 is an int, -9223372036854775808 a long, -1L stays long
        if (b < 0n && (k === 'uint' || k === 'ulong')) k = b >= -2147483648n && k === 'uint' ? 'int' : 'long';
        if (k === 'int' || k === 'uint') v = Number(b);
        else v = b;
        type = named(CORE[k]);
        break;
      }
      case 'double':
        v = Number(x.value);
        type = CORE.doubleType;
        break;
      case 'float':
        v = Math.fround(Number(x.value));
        type = named(CORE.float);
        break;
      case 'decimal':
        try {
          v = Decimal.parseInvariant(x.value, true);
        } catch {
          err('EXPRESSION_SYNTAX', 'Floating-point constant is outside the range of type decimal', x.pos);
        }
        type = named(CORE.decimal);
        break;
      case 'bool':
        v = x.value === 'true';
        type = CORE.boolType;
        break;
      case 'string':
        v = x.value;
        type = CORE.stringType;
        break;
      case 'char':
        v = CsChar.fromString(x.value);
        type = named(CORE.char);
        break;
      case 'null':
        v = null;
        type = { tag: 'null' };
        break;
    }
    const c = v;
    return { kind: 'value', type, fn: () => c, konst: { v }, pos: x.pos };
  }

  private interpolation(x: Expr & { k: 'interp' }): Val {
    const pieces: Fn[] = [];
    let allConst = true;
    for (const p of x.parts) {
      if (typeof p === 'string') {
        pieces.push(() => p);
        continue;
      }
      allConst = false;
      const v = this.value(p.expr);
      const toStr = stringConverter(v.type, p.format ?? null);
      const f = v.fn;
      let piece: Fn = (e) => toStr(f(e));
      if (p.alignment) {
        const a = this.convert(this.value(p.alignment), CORE.intType, false, p.alignment.pos);
        if (!a.konst) err('EXPRESSION_SYNTAX', 'Expected a constant alignment', p.alignment.pos);
        const w = a.konst!.v as number;
        const inner = piece;
        piece = (e) => {
          const s = inner(e) as string;
          return w < 0 ? s.padEnd(-w) : s.padStart(w);
        };
      }
      pieces.push(piece);
    }
    if (allConst) {
      const s = (x.parts as string[]).join('');
      return { kind: 'value', type: CORE.stringType, fn: () => s, konst: { v: s }, pos: x.pos };
    }
    const fn: Fn =
      pieces.length === 1
        ? pieces[0]
        : pieces.length === 2
          ? ((a, b) => (e: Env) => checkString((a(e) as string) + (b(e) as string)))(pieces[0], pieces[1])
          : (e) => {
              let s = '';
              for (let i = 0; i < pieces.length; i++) s += pieces[i](e) as string;
              return checkString(s);
            };
    return { kind: 'value', type: CORE.stringType, fn, pos: x.pos };
  }

  private name(x: Expr & { k: 'name' }): Bound {
    const info = this.scope.lookup(x.name);
    if (info) {
      if (info.fn) return { kind: 'localfn', info: info.fn, pos: x.pos };
      const get = varGetter(info, this.func.level);
      const val: Val = { kind: 'value', type: info.type, fn: get, pos: x.pos };
      if (info.konst) {
        const k = info.konst.v;
        val.fn = () => k;
        val.konst = info.konst;
      } else if (!info.readOnly) val.lv = { set: varSetter(info, this.func.level) };
      return val;
    }
    if (x.name === 'context') return { kind: 'value', type: CORE.contextType, fn: (e) => e.r.context, pos: x.pos };
    const def = lookupType(x.name, x.typeArgs?.length ?? 0);
    if (def) return { kind: 'type', type: named(def, (x.typeArgs ?? []).map((t) => typeFromNode(t))), pos: x.pos };
    if (isNamespace(x.name)) return { kind: 'ns', name: x.name, pos: x.pos };
    if (FORBIDDEN_NAMES.has(x.name)) return err('EXPRESSION_NOT_ALLOWED', `'${x.name}' is not available in policy expressions`, x.pos);
    return err('EXPRESSION_UNKNOWN_MEMBER', `The name '${x.name}' does not exist in the current context`, x.pos);
  }

  private member(x: Expr & { k: 'member' }, invoke = false): Bound {
    const obj = this.bind(x.obj, { chain: true });
    const typeArgs = x.typeArgs ? x.typeArgs.map((t) => typeFromNode(t)) : null;
    if (obj.kind === 'ns') {
      const full = `${obj.name}.${x.name}`;
      const def = lookupType(full, typeArgs?.length ?? 0);
      if (def) return { kind: 'type', type: named(def, typeArgs ?? []), pos: x.pos };
      if (isNamespace(full)) return { kind: 'ns', name: full, pos: x.pos };
      return err('EXPRESSION_UNKNOWN_TYPE', `The type or namespace name '${full}' is not supported in policy expressions`, x.pos);
    }
    if (obj.kind === 'type') {
      if (obj.type.tag !== 'named') return err('EXPRESSION_SYNTAX', 'Invalid member access', x.pos);
      const def = obj.type.def;
      if (def.enumValues) {
        const ev = def.enumValues.get(x.name);
        if (ev === undefined) return err('EXPRESSION_UNKNOWN_MEMBER', `'${def.name}' does not contain a definition for '${x.name}'`, x.pos);
        return { kind: 'value', type: obj.type, fn: () => ev, konst: { v: ev }, pos: x.pos };
      }
      const ms = def.statics(x.name);
      if (!ms.length) {
        if (def.members(x.name).length) return err('EXPRESSION_SYNTAX', `An object reference is required for the non-static member '${def.displayName}.${x.name}'`, x.pos);
        return err('EXPRESSION_UNKNOWN_MEMBER', `'${def.displayName}' does not contain a definition for '${x.name}' that policy expressions allow`, x.pos);
      }
      const props = ms.filter((m) => m.kind === 'prop') as PropDef[];
      if (props.length) {
        const p = props[0];
        const map = typeArgMap(obj.type);
        const type = substitute(p.type, map);
        if (p.constValue) {
          const k = p.constValue.v;
          return { kind: 'value', type, fn: () => k, konst: { v: k }, pos: x.pos };
        }
        const get = p.get;
        const fn: Fn = p.run ? (e) => get(e.r) : () => get();
        return { kind: 'value', type, fn, pos: x.pos, lv: p.set ? { set: ((s) => (e: Env, v: unknown) => void s(v))(p.set) } : undefined };
      }
      return { kind: 'group', name: x.name, recv: null, cands: ms as MethodDef[], typeArgs, pos: x.pos, ext: false };
    }
    if (obj.kind === 'group' || obj.kind === 'localfn') return err('EXPRESSION_SYNTAX', 'Invalid member access on a method', x.pos);
    const recv = obj;
    if (recv.type.tag === 'null') return err('EXPRESSION_SYNTAX', `Operator '.' cannot be applied to operand of type '<null>'`, x.pos);
    const found = findMember(recv.type, x.name, invoke);
    const nullCond = x.nullCond;
    const propagate = hasNullCond(x.obj);
    if (found && found.kind === 'prop') {
      const map = typeArgMap(found.recvType);
      const type = substitute(found.prop.type, map);
      const get = found.prop.get;
      const rf = recv.fn;
      const run = found.prop.run;
      let fn: Fn;
      if (nullCond || propagate) {
        fn = (e) => {
          const o = rf(e);
          if (o === SHORT) return SHORT;
          if (o === null || o === undefined) {
            if (nullCond) return SHORT;
            throw nullRef();
          }
          return run ? get(e.r, o) : get(o);
        };
      } else if ((isValueType(recv.type) && !isNullable(recv.type)) || found.prop.owner === CORE.nullable) {
        fn = run ? (e) => get(e.r, rf(e)) : (e) => get(rf(e));
      } else {
        fn = run
          ? (e) => {
              const o = rf(e);
              if (o === null || o === undefined) throw nullRef();
              return get(e.r, o);
            }
          : (e) => {
              const o = rf(e);
              if (o === null || o === undefined) throw nullRef();
              return get(o);
            };
      }
      let lv: LValue | undefined;
      if (found.prop.set) {
        const set = found.prop.set;
        lv = {
          set: (e, v) => {
            const o = rf(e);
            if (o === null || o === undefined) throw nullRef();
            set(o, v);
          },
        };
      }
      return { kind: 'value', type, fn, pos: x.pos, lv };
    }
    if (found && found.kind === 'methods') {
      return { kind: 'group', name: x.name, recv: nullCond || propagate ? { ...recv, fn: nullCondRecv(recv.fn, nullCond) } : recv, cands: found.methods, typeArgs, pos: x.pos, ext: false };
    }
    ensureAllResolved();
    const exts = EXTENSIONS.get(x.name);
    if (exts) {
      const applicable = exts.filter((m) => m.kind === 'method' && extensionApplies(m, recv.type)) as MethodDef[];
      if (applicable.length)
        return { kind: 'group', name: x.name, recv: nullCond || propagate ? { ...recv, fn: nullCondRecv(recv.fn, nullCond) } : recv, cands: applicable, typeArgs, pos: x.pos, ext: true };
    }
    if (x.name === 'GetType' || x.name === 'constructor' || x.name === '__proto__' || x.name === 'prototype')
      return err('EXPRESSION_NOT_ALLOWED', `'${x.name}' is not available in policy expressions (no reflection)`, x.pos);
    return err('EXPRESSION_UNKNOWN_MEMBER', `'${typeName(recv.type)}' does not contain a definition for '${x.name}' that policy expressions allow`, x.pos);
  }

  private call(x: Expr & { k: 'call' }): Bound {
    if (x.callee.k === 'name' && x.callee.name === 'nameof' && !this.scope.lookup('nameof') && x.args.length === 1) {
      // nameof(a.b.C) is the constant "C"
      const a = x.args[0].expr;
      const name = a.k === 'name' ? a.name : a.k === 'member' ? a.name : null;
      if (!name) return err('EXPRESSION_SYNTAX', 'Expression does not have a name', a.pos);
      return { kind: 'value', type: CORE.stringType, fn: () => name, konst: { v: name }, pos: x.pos };
    }
    const callee = x.callee.k === 'member' ? this.member(x.callee, true) : this.bind(x.callee, { chain: true });
    const args = this.argInfos(x.args);
    if (callee.kind === 'group') {
      const res = this.resolve(callee.cands, args, callee.typeArgs, callee.recv ? callee.recv.type : null, callee.ext, callee.name, x.pos);
      this.validateConstantArgs(res.method, args);
      return this.emitCall(res, callee, args, x);
    }
    if (callee.kind === 'localfn') {
      const lf = callee.info;
      if (args.length !== lf.params.length) err('EXPRESSION_SYNTAX', `No overload for method '${lf.name}' takes ${args.length} arguments`, x.pos);
      const fns = args.map((a, i) => this.argTo(a, lf.params[i].type));
      const get = varGetter({ slot: lf.slot, level: lf.level, type: CORE.objectType }, this.func.level);
      const fn: Fn = (e) => {
        const f = get(e) as (...a: unknown[]) => unknown;
        const vals = fns.map((g) => g(e));
        return f(...vals);
      };
      return { kind: 'value', type: lf.ret, fn, pos: x.pos };
    }
    if (callee.kind === 'value') {
      const sig = delegateSig(callee.type);
      if (!sig) {
        const what = x.callee.k === 'member' ? x.callee.name : x.callee.k === 'name' ? x.callee.name : 'expression';
        return err('EXPRESSION_SYNTAX', `Non-invocable member '${what}' cannot be used like a method`, x.pos);
      }
      if (args.length !== sig.params.length) err('EXPRESSION_SYNTAX', `Delegate '${typeName(callee.type)}' does not take ${args.length} arguments`, x.pos);
      const fns = args.map((a, i) => this.argTo(a, sig.params[i]));
      const cf = callee.fn;
      const fn: Fn = (e) => {
        const f = cf(e) as ((...a: unknown[]) => unknown) | null;
        if (!f) throw nullRef();
        return f(...fns.map((g) => g(e)));
      };
      return { kind: 'value', type: sig.ret ?? CORE.voidType, fn, pos: x.pos };
    }
    return err('EXPRESSION_SYNTAX', 'Expression is not invocable', x.pos);
  }

  private argInfos(args: Arg[]): ArgInfo[] {
    return args.map((a) => {
      if (a.expr.k === 'lambda') return { name: a.name, lambda: a.expr, pos: a.expr.pos };
      if ((a.expr.k === 'member' || a.expr.k === 'name') && !a.mode) {
        const b = this.bind(a.expr);
        if (b.kind === 'group' || b.kind === 'localfn') return { name: a.name, group: a.expr, pos: a.expr.pos };
        return { name: a.name, val: this.asValue(b, a.expr.pos), pos: a.expr.pos };
      }
      if (a.mode === 'out' && ((a.outDecl && a.outDecl.name === '_') || (a.expr.k === 'name' && a.expr.name === '_' && !this.scope.lookup('_')))) {
        // out _ and out var _: a discard
        return { name: a.name, mode: a.mode, pos: a.expr.pos, outType: a.outDecl?.type ? typeFromNode(a.outDecl.type) : null, outSet: () => undefined };
      }
      if (a.mode === 'out' || a.mode === 'ref') {
        if (a.outDecl) return { name: a.name, mode: a.mode, pos: a.expr.pos, outType: a.outDecl.type ? typeFromNode(a.outDecl.type) : null, outDecl: { name: a.outDecl.name, pos: a.outDecl.pos } };
        const v = this.value(a.expr);
        if (!v.lv) err('EXPRESSION_SYNTAX', 'An out or ref value must be an assignable variable', a.expr.pos);
        return { name: a.name, mode: a.mode, pos: a.expr.pos, val: v, outSet: v.lv!.set, outType: v.type };
      }
      return { name: a.name, val: this.value(a.expr), pos: a.expr.pos };
    });
  }

  private argTo(a: ArgInfo, t: Type): Fn {
    if (a.lambda) return this.lambdaTo(a.lambda, t).fn;
    if (a.group) return this.lambdaTo(groupLambda(a.group, delegateSig(t)?.params.length ?? 0), t).fn;
    return this.convert(a.val!, t, false, a.pos).fn;
  }

  private emitCall(res: Resolved, g: GroupB, args: ArgInfo[], x: Expr): Val {
    const { method, argFns, impl } = res;
    const run = method.run;
    let fn: Fn;
    const n = argFns.length;
    const [a0, a1, a2] = argFns;
    if (method.isStatic && !g.ext) {
      if (run) fn = (e) => impl(e.r, ...argFns.map((f) => f(e)));
      else if (n === 0) fn = () => impl();
      else if (n === 1) fn = (e) => impl(a0(e));
      else if (n === 2) fn = (e) => impl(a0(e), a1(e));
      else if (n === 3) fn = (e) => impl(a0(e), a1(e), a2(e));
      else fn = (e) => impl(...argFns.map((f) => f(e)));
    } else {
      const recv = g.recv!;
      const rf = recv.fn;
      const checkNull = !g.ext && !(isValueType(recv.type) && !isNullable(recv.type)) && method.owner !== CORE.nullable;
      const chained = hasNullCond(x.k === 'call' ? x.callee : x);
      const pre = (e: Env): unknown => {
        const o = rf(e);
        if (checkNull && (o === null || o === undefined)) throw nullRef();
        return o;
      };
      if (chained) {
        fn = (e) => {
          const o = rf(e);
          if (o === SHORT) return SHORT;
          if (checkNull && (o === null || o === undefined)) throw nullRef();
          const vals = argFns.map((f) => f(e));
          return run ? impl(e.r, o, ...vals) : impl(o, ...vals);
        };
      } else if (run) fn = (e) => impl(e.r, pre(e), ...argFns.map((f) => f(e)));
      else if (n === 0) fn = (e) => impl(pre(e));
      else if (n === 1) fn = (e) => impl(pre(e), a0(e));
      else if (n === 2) fn = (e) => impl(pre(e), a0(e), a1(e));
      else fn = (e) => impl(pre(e), ...argFns.map((f) => f(e)));
    }
    if (res.outs.length) {
      const inner = fn;
      const outs = res.outs;
      fn = (e) => {
        const v = inner(e);
        for (const o of outs) o.set(e, undefined);
        return v;
      };
    }
    return { kind: 'value', type: res.ret, fn, pos: x.pos };
  }

  /** Constant regular expressions are translated now, so an unsupported one fails when the policy is saved. */
  private validateConstantArgs(m: MethodDef, args: ArgInfo[]): void {
    if (m.owner.name !== 'Regex') return;
    const pi = m.params.findIndex((p) => p.name === 'pattern');
    const oi = m.params.findIndex((p) => p.name === 'options');
    const pa = pi >= 0 ? args[pi] : undefined;
    if (!pa?.val?.konst || typeof pa.val.konst.v !== 'string') return;
    const oa = oi >= 0 ? args[oi] : undefined;
    if (oa && !oa.val?.konst) return;
    const options = oa?.val?.konst ? Number(oa.val.konst.v) : 0;
    try {
      translateRegex(pa.val.konst.v, options);
    } catch (e) {
      if (e instanceof DotNetException) err(e.type === 'NotSupportedException' ? 'EXPRESSION_NOT_ALLOWED' : 'EXPRESSION_SYNTAX', e.message, pa.pos);
      throw e;
    }
  }

  /** Overload resolution and generic inference. */
  private resolve(cands: MethodDef[], args: ArgInfo[], typeArgs: Type[] | null, recvType: Type | null, ext: boolean, name: string, pos: number): Resolved {
    let best: { r: Resolved; cost: number } | null = null;
    let firstError: CompileError | null = null;
    for (const m of cands) {
      try {
        const r = this.tryCandidate(m, args, typeArgs, recvType, ext, pos);
        if (r) r.cost += (METHOD_LEVEL.get(m) ?? 0) * 1000;
        if (r && (!best || r.cost < best.cost)) best = r;
      } catch (e) {
        if (!(e instanceof CompileError)) throw e;
        if (e.code !== 'EXPRESSION_TYPE_MISMATCH' && e.code !== 'EXPRESSION_SYNTAX' && e.code !== 'EXPRESSION_UNKNOWN_MEMBER') throw e;
        firstError ??= e;
      }
    }
    if (!best) {
      if (firstError && args.some((a) => a.lambda || a.group)) throw firstError;
      const sig = args.map((a) => (a.lambda ? 'lambda expression' : a.group ? 'method group' : a.val ? typeName(a.val.type) : '?')).join(', ');
      return err('EXPRESSION_TYPE_MISMATCH', `No overload of '${name}' accepts arguments (${sig})`, pos);
    }
    return best.r;
  }

  private tryCandidate(m: MethodDef, argsIn: ArgInfo[], explicitTypeArgs: Type[] | null, recvType: Type | null, ext: boolean, pos: number): { r: Resolved; cost: number } | null {
    // receiver generic arguments
    const map = new Map<string, Type>();
    if (recvType && (!m.isStatic || m.name === '.ctor') && !ext) {
      const base = findBase(recvType, m.owner) ?? (recvType.tag === 'named' ? recvType : undefined);
      if (base && base.def === m.owner) m.owner.typeParams.forEach((p, i) => map.set(p, base.args[i]));
    }
    let params = m.params;
    let args = argsIn;
    if (ext) {
      params = params.slice(1);
      // bind the receiver against the this-parameter
      if (!unify(m.params[0].type, recvType!, map, m.typeParams)) return null;
    }
    if (explicitTypeArgs) {
      if (explicitTypeArgs.length !== m.typeParams.length) return null;
      m.typeParams.forEach((p, i) => map.set(p, explicitTypeArgs[i]));
    }
    // map arguments to parameters
    const slots: (ArgInfo | null)[] = params.map(() => null);
    let expanded: ArgInfo[] | null = null;
    let posIdx = 0;
    for (const a of args) {
      if (a.name) {
        const i = params.findIndex((p) => p.name === a.name);
        if (i < 0 || slots[i]) return null;
        slots[i] = a;
        continue;
      }
      if (posIdx < params.length - 1 || (posIdx === params.length - 1 && !params[posIdx].isParams)) {
        slots[posIdx++] = a;
      } else if (posIdx === params.length - 1 && params[posIdx].isParams) {
        // a params parameter: either the array itself or the expanded elements
        if (!expanded) {
          expanded = [a];
          posIdx = params.length - 1;
        } else expanded.push(a);
        slots[params.length - 1] = a;
      } else return null;
    }
    let cost = 0;
    let useExpanded = false;
    if (expanded) {
      const p = params[params.length - 1];
      const arrT = substitute(p.type, map);
      const single = expanded.length === 1 && expanded[0].val && (expanded[0].val.type.tag === 'null' || this.implicitCost(expanded[0].val, arrT) !== null);
      useExpanded = !single;
      if (useExpanded) cost += 20;
    } else if (params.length && params[params.length - 1].isParams && !slots[params.length - 1]) {
      useExpanded = true;
      expanded = [];
      cost += 20;
    }
    for (let i = 0; i < params.length; i++) {
      if (!slots[i] && !(params[i].optional || (params[i].isParams && useExpanded))) return null;
      if (!slots[i]) cost += 1;
    }
    // infer from non-lambda arguments
    const paramTypeOf = (i: number, a: ArgInfo): Type => {
      const p = params[i];
      if (p.isParams && useExpanded && expanded?.includes(a)) {
        const at = p.type;
        return at.tag === 'named' && isArray(at) ? at.args[0] : at;
      }
      return p.type;
    };
    const pairs: { a: ArgInfo; i: number }[] = [];
    params.forEach((p, i) => {
      if (p.isParams && useExpanded) for (const a of expanded ?? []) pairs.push({ a, i });
      else if (slots[i]) pairs.push({ a: slots[i]!, i });
    });
    for (const { a, i } of pairs) {
      if (a.val) unify(paramTypeOf(i, a), a.val.type, map, m.typeParams);
      else if (a.mode === 'out' && a.outType) unify(paramTypeOf(i, a), a.outType, map, m.typeParams);
    }
    // lambdas, in order, once their input types are known
    const lambdaVals = new Map<ArgInfo, Val>();
    for (const { a, i } of pairs) {
      if (!a.lambda && !a.group) continue;
      const pt = substitute(paramTypeOf(i, a), map);
      const sig = delegateSig(pt);
      if (!sig) return null;
      const lam = a.lambda ?? groupLambda(a.group!, sig.params.length);
      if (sig.params.length !== lam.params.length) return null;
      if (sig.params.some((t) => hasTypeParams(t))) return null;
      const lv = this.lambda(lam, sig.params, sig.ret && !hasTypeParams(sig.ret) ? sig.ret : null, sig.ret === null);
      if (sig.ret && hasTypeParams(sig.ret)) {
        if (!unify(sig.ret, lv.bodyType, map, m.typeParams)) return null;
      }
      lambdaVals.set(a, lv.val);
    }
    for (const tp of m.typeParams) if (!map.has(tp)) return null;
    // convert arguments
    const info = { typeArgs: map, recv: recvType, args: pairs.map((p) => (p.a.val ? p.a.val.type : CORE.objectType)) };
    const argFns: Fn[] = [];
    const outs: { index: number; set: (e: Env, v: unknown) => void }[] = [];
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const pt = substitute(p.type, map);
      if (p.isParams && useExpanded) {
        const elemT = pt.tag === 'named' && isArray(pt) ? pt.args[0] : pt;
        const fns: Fn[] = [];
        for (const a of expanded ?? []) {
          if (a.lambda || a.group) {
            fns.push(lambdaVals.get(a)!.fn);
            continue;
          }
          const c = this.implicitCost(a.val!, elemT);
          if (c === null) return null;
          cost += c;
          fns.push(this.convert(a.val!, elemT, false, a.pos).fn);
        }
        const isBytes = elemT.tag === 'named' && elemT.def === CORE.byte;
        const clr = clrNameOf(elemT);
        argFns.push(isBytes ? (e) => Uint8Array.from(fns.map((f) => f(e) as number)) : (e) => tagArray(fns.map((f) => f(e)), clr));
        continue;
      }
      const a = slots[i];
      if (!a) {
        const dv = p.defaultValue === null && isValueType(pt) ? defaultValueOf(pt) : p.defaultValue;
        argFns.push(() => dv);
        continue;
      }
      if (a.mode === 'out' || a.mode === 'ref' || p.mode === 'out' || p.mode === 'ref') {
        if (!(a.mode === 'out' || a.mode === 'ref') || !(p.mode === 'out' || p.mode === 'ref')) return null;
        let set = a.outSet;
        if (a.outDecl) {
          const t = a.outType ?? pt;
          if (a.outType && !sameType(a.outType, pt)) return null;
          // declared when the call is emitted; the slot is allocated now
          const infoV = this.scope.lookup(a.outDecl.name);
          const vinfo = infoV && infoV.level === this.func.level && (infoV as VarInfo & { outFor?: ArgInfo }).outFor === a ? infoV : this.declareVar(a.outDecl.name, t, a.outDecl.pos);
          (vinfo as VarInfo & { outFor?: ArgInfo }).outFor = a;
          set = varSetter(vinfo, this.func.level);
        } else if (a.outType && !sameType(a.outType, pt)) {
          if (!(a.outType.tag === 'named' && pt.tag === 'named' && a.outType.def === pt.def)) return null;
        }
        const initial = a.mode === 'ref' && a.val ? a.val.fn : null;
        argFns.push(initial ? (e) => ({ v: initial(e) }) : () => ({ v: null }));
        outs.push({ index: i, set: set! });
        continue;
      }
      if (a.lambda || a.group) {
        argFns.push(lambdaVals.get(a)!.fn);
        continue;
      }
      const c = this.implicitCost(a.val!, pt);
      if (c === null) return null;
      cost += c;
      argFns.push(this.convert(a.val!, pt, false, a.pos).fn);
    }
    const ret = m.retHook ? m.retHook(info) : substitute(m.ret, map);
    const impl = m.make ? m.make(info) : m.impl;
    // out refs: the ref cells must be shared between the call and the write-back
    if (outs.length) {
      const cells = new Map<number, Fn>();
      for (const o of outs) cells.set(o.index, argFns[o.index]);
      const cellFor: { v: unknown }[] = [];
      for (const o of outs) {
        const make = cells.get(o.index)!;
        argFns[o.index] = (e) => (cellFor[o.index] = make(e) as { v: unknown });
        const set = o.set;
        o.set = (e, _v) => set(e, cellFor[o.index].v);
      }
    }
    return { r: { method: m, argFns, ret, impl, outs }, cost };
  }

  /** Cost of an implicit conversion (null when there is none). */
  private implicitCost(v: Val, to: Type): number | null {
    const from = v.type;
    if (sameType(from, to)) return 0;
    if (from.tag === 'null') return isReferenceType(to) || isNullable(to) ? 1 : null;
    // constant int to smaller integral types
    if (v.konst && typeof v.konst.v === 'number' && numKind(from) === 'int' && to.tag === 'named' && to.def.numeric) {
      const k = to.def.numeric;
      const n = v.konst.v;
      const ok =
        (k === 'sbyte' && n >= -128 && n <= 127) || (k === 'byte' && n >= 0 && n <= 255) || (k === 'short' && n >= -32768 && n <= 32767) ||
        (k === 'ushort' && n >= 0 && n <= 65535) || (k === 'uint' && n >= 0) || (k === 'ulong' && n >= 0);
      if (ok) return 1;
    }
    const fk = numKind(from);
    const tk = numKind(underlyingOfNullable(to));
    if (fk && tk) {
      const list = IMPLICIT_NUMERIC[fk];
      const idx = list.indexOf(tk);
      if (idx >= 0) return 2 + idx + (isNullable(to) ? 1 : 0);
      if (fk === tk && isNullable(to)) return 1;
      return null;
    }
    const c = this.conversionCost(from, to);
    return c;
  }

  private conversionCost(from: Type, to: Type): number | null {
    if (sameType(from, to)) return 0;
    if (to.tag === 'named' && to.def === CORE.object) return 10;
    if (from.tag === 'anon') return null;
    if (isNullable(to) && sameType(to.args[0], from)) return 1;
    if (isTuple(from) && isTuple(to) && from.args.length === to.args.length) {
      let total = 0;
      for (let i = 0; i < from.args.length; i++) {
        const c = sameType(from.args[i], to.args[i]) ? 0 : this.implicitCost({ kind: 'value', type: from.args[i], fn: () => null, pos: 0 }, to.args[i]);
        if (c === null) return null;
        total += c;
      }
      return total;
    }
    if (from.tag === 'named' && to.tag === 'named') {
      if (isSubtype(from, to)) return 5;
      if (userConversion(from, to, false)) return 8;
    }
    return null;
  }

  /** Compiles a lambda against known parameter types. */
  private lambda(x: Expr & { k: 'lambda' }, paramTypes: Type[], ret: Type | null, isVoid: boolean): { val: Val; bodyType: Type } {
    const outerFunc = this.func;
    const outerScope = this.scope;
    const func = new FuncCtx(outerFunc, ret);
    func.isVoid = isVoid;
    this.func = func;
    this.scope = new Scope(outerScope, func);
    try {
      x.params.forEach((p, i) => {
        const t = p.type ? typeFromNode(p.type) : paramTypes[i];
        if (p.type && !sameType(t, paramTypes[i])) err('EXPRESSION_TYPE_MISMATCH', `Lambda parameter '${p.name}' has the wrong type`, x.pos);
        this.declareVar(p.name, t, x.pos);
      });
      let body: Fn;
      let bodyType: Type;
      if (x.body.k === 'block' || (x.body as Stmt).k === 'block') {
        const stmts = (x.body as Stmt & { k: 'block' }).body;
        const sb = this.block(stmts);
        body = (e) => (sb(e) === RETURN ? e.rv : undefined);
        bodyType = isVoid ? CORE.voidType : ret ?? commonType(func.returnTypes) ?? CORE.objectType;
      } else {
        let v = this.value(x.body as Expr, { statement: isVoid });
        if (ret && !isVoid) v = this.convert(v, ret, false, (x.body as Expr).pos);
        body = v.fn;
        bodyType = v.type;
      }
      const nslots = func.slots;
      const np = x.params.length;
      const fn: Fn = (e) => {
        const r = e.r;
        if (np === 1)
          return (a: unknown) => {
            tick(r);
            const env: Env = { v: new Array(nslots), p: e, r, rv: undefined };
            env.v[0] = a;
            return body(env);
          };
        return (...args: unknown[]) => {
          tick(r);
          const env: Env = { v: new Array(nslots), p: e, r, rv: undefined };
          for (let i = 0; i < np; i++) env.v[i] = args[i];
          return body(env);
        };
      };
      return { val: { kind: 'value', type: CORE.objectType, fn, pos: x.pos }, bodyType };
    } finally {
      this.func = outerFunc;
      this.scope = outerScope;
    }
  }

  private lambdaTo(x: Expr & { k: 'lambda' }, target: Type): Val {
    const sig = delegateSig(target);
    if (!sig) return err('EXPRESSION_TYPE_MISMATCH', `Cannot convert lambda expression to type '${typeName(target)}' because it is not a delegate type`, x.pos);
    if (sig.params.length !== x.params.length) return err('EXPRESSION_TYPE_MISMATCH', `Delegate '${typeName(target)}' does not take ${x.params.length} arguments`, x.pos);
    const l = this.lambda(x, sig.params, sig.ret, sig.ret === null);
    return { ...l.val, type: target };
  }

  private index(x: Expr & { k: 'index' }): Bound {
    const obj = this.value(x.obj, { chain: true });
    const args = x.args.map((a) => this.value(a));
    const nullCond = x.nullCond;
    const propagate = hasNullCond(x.obj);
    const rf = nullCond || propagate ? nullCondRecv(obj.fn, nullCond) : obj.fn;
    const wrap = (get: (o: unknown, e: Env) => unknown): Fn =>
      nullCond || propagate
        ? (e) => {
            const o = rf(e);
            if (o === SHORT) return SHORT;
            return get(o, e);
          }
        : (e) => get(rf(e), e);
    if (isArray(obj.type)) {
      if (args.length !== 1) err('EXPRESSION_SYNTAX', 'Wrong number of indices inside []', x.pos);
      const elem = obj.type.args[0];
      const idx = this.convert(args[0], CORE.intType, false, x.args[0].pos).fn;
      const fn = wrap((o, e) => {
        if (o === null || o === undefined) throw nullRef();
        const a = o as unknown[];
        const i = idx(e) as number;
        if (i < 0 || i >= a.length) throw indexOutOfRange();
        return a[i];
      });
      const set = (e: Env, v: unknown): void => {
        const a = obj.fn(e) as unknown[] | null;
        if (!a) throw nullRef();
        const i = idx(e) as number;
        if (i < 0 || i >= a.length) throw indexOutOfRange();
        a[i] = v;
      };
      return { kind: 'value', type: elem, fn, lv: { set }, pos: x.pos };
    }
    if (isString(obj.type)) {
      const idx = this.convert(args[0], CORE.intType, false, x.args[0].pos).fn;
      const fn = wrap((o, e) => {
        if (o === null || o === undefined) throw nullRef();
        const s = o as string;
        const i = idx(e) as number;
        if (i < 0 || i >= s.length) throw indexOutOfRange();
        return CsChar.of(s.charCodeAt(i));
      });
      return { kind: 'value', type: named(CORE.char), fn, pos: x.pos };
    }
    const found = findIndexer(obj.type);
    if (!found.length) return err('EXPRESSION_UNKNOWN_MEMBER', `Cannot apply indexing with [] to an expression of type '${typeName(obj.type)}'`, x.pos);
    let chosen: { fns: Fn[]; type: Type; get: Impl; set?: Impl; cost: number } | null = null;
    for (const { ix, map } of found) {
      if (ix.params.length !== args.length) continue;
      let cost = 0;
      const fns: Fn[] = [];
      let ok = true;
      ix.params.forEach((p, i) => {
        const pt = substitute(p.type, map);
        const c = this.implicitCost(args[i], pt);
        if (c === null) ok = false;
        else {
          cost += c;
          fns.push(this.convert(args[i], pt, false, x.args[i].pos).fn);
        }
      });
      if (ok && (!chosen || cost < chosen.cost)) chosen = { fns, type: substitute(ix.type, map), get: ix.get, set: ix.set, cost };
    }
    if (!chosen) return err('EXPRESSION_TYPE_MISMATCH', `No indexer of '${typeName(obj.type)}' accepts (${args.map((a) => typeName(a.type)).join(', ')})`, x.pos);
    const { fns, get, set } = chosen;
    const checkNull = !(isValueType(obj.type) && !isNullable(obj.type));
    const f0 = fns[0];
    const fn =
      fns.length === 1
        ? wrap((o, e) => {
            if (checkNull && (o === null || o === undefined)) throw nullRef();
            return get(o, f0(e));
          })
        : wrap((o, e) => {
            if (checkNull && (o === null || o === undefined)) throw nullRef();
            return get(o, ...fns.map((f) => f(e)));
          });
    const lv: LValue | undefined = set
      ? {
          set: (e, v) => {
            const o = obj.fn(e);
            if (o === null || o === undefined) throw nullRef();
            set(o, ...fns.map((f) => f(e)), v);
          },
        }
      : undefined;
    return { kind: 'value', type: chosen.type, fn, lv, pos: x.pos };
  }

  private unary(x: Expr & { k: 'unary' }): Val {
    if (x.op === '++' || x.op === '--') return this.incDec(x.operand, x.op, true, x.pos);
    const v = this.value(x.operand);
    if (x.op === '!') {
      if (!isBool(underlyingOfNullable(v.type))) err('EXPRESSION_TYPE_MISMATCH', `Operator '!' cannot be applied to operand of type '${typeName(v.type)}'`, x.pos);
      const f = v.fn;
      if (v.konst) return { kind: 'value', type: CORE.boolType, fn: () => !v.konst!.v, konst: { v: !v.konst.v }, pos: x.pos };
      return { kind: 'value', type: v.type, fn: (e) => { const b = f(e); return b === null ? null : !b; }, pos: x.pos };
    }
    const k = numKind(v.type);
    if (!k) return err('EXPRESSION_TYPE_MISMATCH', `Operator '${x.op}' cannot be applied to operand of type '${typeName(v.type)}'`, x.pos);
    const pk = promote(k, 'int')!;
    const pv = this.convert(v, named(CORE[pk]), false, x.pos);
    const f = pv.fn;
    if (x.op === '+') return { ...pv, pos: x.pos };
    if (x.op === '-') {
      const neg = negate(pk, this.checked);
      if (pv.konst && !this.unchecked && ((pk === 'int' && pv.konst.v === -2147483648) || (pk === 'long' && pv.konst.v === -(1n << 63n))))
        err('EXPRESSION_SYNTAX', "The operation overflows at compile time in checked mode (use 'unchecked' to override)", x.pos);
      const type = pk === 'uint' ? named(CORE.long) : named(CORE[pk]);
      if (pk === 'ulong') err('EXPRESSION_TYPE_MISMATCH', "Operator '-' cannot be applied to operand of type 'ulong'", x.pos);
      return this.fold({ kind: 'value', type, fn: (e) => neg(f(e)), pos: x.pos }, pv.konst ? () => neg(pv.konst!.v) : null);
    }
    // ~
    if (pk === 'int') return this.fold({ kind: 'value', type: CORE.intType, fn: (e) => ~(f(e) as number), pos: x.pos }, pv.konst ? () => ~(pv.konst!.v as number) : null);
    if (pk === 'uint') return { kind: 'value', type: named(CORE.uint), fn: (e) => ~(f(e) as number) >>> 0, pos: x.pos };
    if (pk === 'long') return { kind: 'value', type: named(CORE.long), fn: (e) => ~(f(e) as bigint), pos: x.pos };
    if (pk === 'ulong') return { kind: 'value', type: named(CORE.ulong), fn: (e) => BigInt.asUintN(64, ~(f(e) as bigint)), pos: x.pos };
    return err('EXPRESSION_TYPE_MISMATCH', `Operator '~' cannot be applied to operand of type '${typeName(v.type)}'`, x.pos);
  }

  private fold(v: Val, k: (() => unknown) | null): Val {
    if (!k) return v;
    try {
      const c = k();
      return { ...v, fn: () => c, konst: { v: c } };
    } catch {
      return v;
    }
  }

  private incDec(target: Expr, op: '++' | '--', prefix: boolean, pos: number): Val {
    const t = this.value(target);
    if (!t.lv) err('EXPRESSION_SYNTAX', 'The operand of an increment or decrement operator must be a variable, property or indexer', pos);
    const k = numKind(t.type);
    if (!k) return err('EXPRESSION_TYPE_MISMATCH', `Operator '${op}' cannot be applied to operand of type '${typeName(t.type)}'`, pos);
    const pk = promote(k, 'int')!;
    const toP = numericConversion(k, pk, false) ?? ((v: unknown) => v);
    const back = numericConversion(pk, k, this.checked) ?? ((v: unknown) => v);
    const f = arith(op === '++' ? '+' : '-', pk, this.checked)!;
    const one = oneOf(pk);
    const get = t.fn;
    const set = t.lv!.set;
    const fn: Fn = prefix
      ? (e) => {
          const nv = back(f(toP(get(e)), one));
          set(e, nv);
          return nv;
        }
      : (e) => {
          const old = get(e);
          set(e, back(f(toP(old), one)));
          return old;
        };
    return { kind: 'value', type: t.type, fn, pos };
  }

  private binary(x: Expr & { k: 'binary' }): Val {
    const op = x.op;
    if (op === '&&' || op === '||') {
      const a = this.convert(this.value(x.left), CORE.boolType, false, x.left.pos);
      const b = this.convert(this.value(x.right), CORE.boolType, false, x.right.pos);
      const fa = a.fn;
      const fb = b.fn;
      return { kind: 'value', type: CORE.boolType, fn: op === '&&' ? (e) => (fa(e) as boolean) && (fb(e) as boolean) : (e) => (fa(e) as boolean) || (fb(e) as boolean), pos: x.pos };
    }
    if (op === '??') return this.coalesce(x);
    const a = this.value(x.left);
    const b = this.value(x.right, { target: a.type });
    return this.binaryValues(op, a, b, x.pos);
  }

  private binaryValues(op: string, a: Val, b: Val, pos: number): Val {
    const at = a.type;
    const bt = b.type;
    // string concatenation
    if (op === '+' && (isString(at) || isString(bt))) {
      if (at.tag === 'named' && at.def === CORE.void) err('EXPRESSION_TYPE_MISMATCH', "Operator '+' cannot be applied to operands of type 'void'", pos);
      const sa = stringConverter(at, null);
      const sb = stringConverter(bt, null);
      const fa = a.fn;
      const fb = b.fn;
      const v: Val = {
        kind: 'value',
        type: CORE.stringType,
        fn: isString(at) && isString(bt)
          ? (e) => {
              const l = fa(e);
              const r = fb(e);
              return checkString((l === null ? '' : (l as string)) + (r === null ? '' : (r as string)));
            }
          : (e) => checkString((sa(fa(e)) as string) + (sb(fb(e)) as string)),
        pos,
      };
      if (a.konst && b.konst) return this.fold(v, () => (sa(a.konst!.v) as string) + (sb(b.konst!.v) as string));
      return v;
    }
    if (op === '==' || op === '!=') return this.equality(op, a, b, pos);
    // user-defined operators (DateTime, TimeSpan, ...)
    const user = userOperator(op, at, bt);
    if (user) {
      const fa = a.fn;
      const fb = b.fn;
      const impl = user.impl;
      return { kind: 'value', type: user.ret, fn: (e) => impl(fa(e), fb(e)), pos };
    }
    // lifted nullable arithmetic
    const au = underlyingOfNullable(at);
    const bu = underlyingOfNullable(bt);
    if ((op === '&' || op === '|' || op === '^') && isBool(au) && isBool(bu)) {
      const fa = this.convert(a, CORE.boolType, false, pos).fn;
      const fb = this.convert(b, CORE.boolType, false, pos).fn;
      const f = op === '&' ? (e: Env) => (fa(e) as boolean) && (fb(e) as boolean) : op === '|' ? (e: Env) => (fa(e) as boolean) || (fb(e) as boolean) : (e: Env) => (fa(e) as boolean) !== (fb(e) as boolean);
      // & and | evaluate both sides
      const both: Fn = op === '^' ? f : (e) => {
        const l = fa(e) as boolean;
        const r = fb(e) as boolean;
        return op === '&' ? l && r : l || r;
      };
      return { kind: 'value', type: CORE.boolType, fn: both, pos };
    }
    let ka = numKind(au);
    let kb = numKind(bu);
    if (au.tag === 'named' && au.def.enumValues) ka = 'int';
    if (bu.tag === 'named' && bu.def.enumValues) kb = 'int';
    if (!ka || !kb) return err('EXPRESSION_TYPE_MISMATCH', `Operator '${op}' cannot be applied to operands of type '${typeName(at)}' and '${typeName(bt)}'`, pos);
    const lifted = isNullable(at) || isNullable(bt);
    if (op === '<<' || op === '>>') {
      const pk = promote(ka, 'int')!;
      const sh = shiftOp(op, pk);
      if (!sh) return err('EXPRESSION_TYPE_MISMATCH', `Operator '${op}' cannot be applied to operands of type '${typeName(at)}' and '${typeName(bt)}'`, pos);
      const fa = this.convert(a, named(CORE[pk]), false, pos).fn;
      const fb = this.convert(b, CORE.intType, false, pos).fn;
      const v: Val = { kind: 'value', type: named(CORE[pk]), fn: (e) => sh(fa(e), fb(e)), pos };
      return a.konst && b.konst ? this.fold(v, () => sh(fa(null as unknown as Env), fb(null as unknown as Env))) : v;
    }
    let pk = promote(ka, kb);
    // an int constant against uint/ulong stays unsigned when non-negative
    if ((ka === 'uint' || ka === 'ulong') && b.konst && typeof b.konst.v === 'number' && b.konst.v >= 0) pk = ka;
    if ((kb === 'uint' || kb === 'ulong') && a.konst && typeof a.konst.v === 'number' && a.konst.v >= 0) pk = kb;
    if (!pk) return err('EXPRESSION_TYPE_MISMATCH', `Operator '${op}' is ambiguous on operands of type '${typeName(at)}' and '${typeName(bt)}'`, pos);
    const ptype = named(CORE[pk]);
    const conv = (v: Val, k: NumericKind): Fn => {
      const c = numericConversion(k, pk!, false);
      const f = v.fn;
      if (!c) return f;
      return lifted ? (e) => { const x = f(e); return x === null ? null : c(x); } : (e) => c(f(e));
    };
    const fa = conv(a, ka);
    const fb = conv(b, kb);
    let impl: ((l: unknown, r: unknown) => unknown) | null;
    let type: Type;
    if (op === '<' || op === '>' || op === '<=' || op === '>=') {
      impl = compareOp(op, pk);
      type = CORE.boolType;
      if (lifted) {
        const inner = impl;
        impl = (l, r) => (l === null || r === null ? false : inner(l, r));
      }
    } else {
      impl = arith(op, pk, this.checked);
      if (!impl) return err('EXPRESSION_TYPE_MISMATCH', `Operator '${op}' cannot be applied to operands of type '${typeName(at)}' and '${typeName(bt)}'`, pos);
      type = lifted ? nullableOf(ptype) : ptype;
      if (lifted) {
        const inner = impl;
        impl = (l, r) => (l === null || r === null ? null : inner(l, r));
      }
    }
    const f = impl;
    const v: Val = { kind: 'value', type, fn: (e) => f(fa(e), fb(e)), pos };
    if (a.konst && b.konst && !lifted) {
      // C# evaluates constant expressions at compile time, in checked mode unless unchecked(...)
      const isIntegral = pk === 'int' || pk === 'uint' || pk === 'long' || pk === 'ulong';
      if (isIntegral && (op === '/' || op === '%') && (b.konst.v === 0 || b.konst.v === 0n)) err('EXPRESSION_SYNTAX', 'Division by constant zero', pos);
      if (isIntegral && !this.unchecked && (op === '+' || op === '-' || op === '*')) {
        const chk = arith(op, pk, true)!;
        try {
          chk(fa(null as unknown as Env), fb(null as unknown as Env));
        } catch (e) {
          if (e instanceof DotNetException) err('EXPRESSION_SYNTAX', "The operation overflows at compile time in checked mode (use 'unchecked' to override)", pos);
          throw e;
        }
      }
      return this.fold(v, () => f(fa(null as unknown as Env), fb(null as unknown as Env)));
    }
    return v;
  }

  private equality(op: '==' | '!=', a: Val, b: Val, pos: number): Val {
    const at = a.type;
    const bt = b.type;
    const neg = op === '!=';
    const fa = a.fn;
    const fb = b.fn;
    const mk = (eq: (l: unknown, r: unknown) => boolean): Val => {
      const v: Val = { kind: 'value', type: CORE.boolType, fn: neg ? (e) => !eq(fa(e), fb(e)) : (e) => eq(fa(e), fb(e)), pos };
      if (a.konst && b.konst) return this.fold(v, () => (neg ? !eq(a.konst!.v, b.konst!.v) : eq(a.konst!.v, b.konst!.v)));
      return v;
    };
    if (at.tag === 'null' || bt.tag === 'null') {
      const other = at.tag === 'null' ? bt : at;
      if (isValueType(other) && !isNullable(other)) {
        // C# allows it (always false) with a warning
        return mk(() => false);
      }
      return mk((l, r) => (l ?? null) === (r ?? null));
    }
    const au = underlyingOfNullable(at);
    const bu = underlyingOfNullable(bt);
    const ka = numKind(au);
    const kb = numKind(bu);
    if (ka && kb && !(ka === 'char' && kb === 'char')) {
      const pk = promote(ka, kb);
      if (!pk) return err('EXPRESSION_TYPE_MISMATCH', `Operator '${op}' is ambiguous on operands of type '${typeName(at)}' and '${typeName(bt)}'`, pos);
      const ca = numericConversion(ka, pk, false);
      const cb = numericConversion(kb, pk, false);
      const base = pk === 'decimal' ? (l: unknown, r: unknown) => (l as Decimal).eq(r as Decimal) : (l: unknown, r: unknown) => l === r;
      const eq = (l: unknown, r: unknown): boolean => {
        if (l === null || r === null) return l === r;
        return base(ca ? ca(l) : l, cb ? cb(r) : r);
      };
      return mk(eq);
    }
    if (isBool(au) && isBool(bu)) return mk((l, r) => l === r);
    if (isString(at) && isString(bt)) return mk((l, r) => l === r);
    if (au.tag === 'named' && bu.tag === 'named' && au.def === bu.def && (au.def.enumValues || au.def === CORE.char)) return mk((l, r) => l === r);
    const user = userOperator(op, au, bu);
    if (user) return mk((l, r) => (l === null || r === null ? l === r : (user.impl(l, r) as boolean) !== neg));
    if (isValueType(au) || isValueType(bu)) {
      if (!(au.tag === 'named' && bu.tag === 'named' && au.def === bu.def) && !(isReferenceType(at) || isReferenceType(bt)))
        return err('EXPRESSION_TYPE_MISMATCH', `Operator '${op}' cannot be applied to operands of type '${typeName(at)}' and '${typeName(bt)}'`, pos);
      if (au.tag === 'named' && bu.tag === 'named' && au.def === bu.def) return mk((l, r) => dnEquals(l, r));
      return err('EXPRESSION_TYPE_MISMATCH', `Operator '${op}' cannot be applied to operands of type '${typeName(at)}' and '${typeName(bt)}'`, pos);
    }
    // reference equality (strings compare by value, as interned literals do)
    return mk((l, r) => l === r);
  }

  private coalesce(x: Expr & { k: 'binary' }): Val {
    const a = this.value(x.left);
    if (isValueType(a.type) && !isNullable(a.type)) err('EXPRESSION_TYPE_MISMATCH', `Operator '??' cannot be applied to operands of type '${typeName(a.type)}'`, x.pos);
    const under = underlyingOfNullable(a.type);
    const b = this.value(x.right, { target: under });
    let type: Type;
    let fa = a.fn;
    let fb: Fn;
    if (b.type.tag === 'null' && x.right.k === 'throw') {
      type = under;
      fb = b.fn;
    } else if (this.implicitCost(b, under) !== null) {
      type = isNullable(a.type) && isNullable(b.type) ? a.type : under;
      fb = this.convert(b, type, false, x.right.pos).fn;
    } else if (this.implicitCost(a, b.type) !== null || a.type.tag === 'null') {
      type = b.type;
      fa = this.convert(a, b.type, false, x.left.pos).fn;
      fb = b.fn;
    } else return err('EXPRESSION_TYPE_MISMATCH', `Operator '??' cannot be applied to operands of type '${typeName(a.type)}' and '${typeName(b.type)}'`, x.pos);
    return { kind: 'value', type, fn: (e) => {
      const l = fa(e);
      return l === null || l === undefined ? fb(e) : l;
    }, pos: x.pos };
  }

  private assign(x: Expr & { k: 'assign' }): Val {
    if (x.target.k === 'tuple') {
      // (a, b) = (b, a): evaluate the right side first, then assign element-wise
      const targets = x.target.items.map((it) => {
        const tv = this.value(it.expr);
        if (!tv.lv) err('EXPRESSION_SYNTAX', 'The left-hand side of an assignment must be a variable, property or indexer', it.expr.pos);
        return tv;
      });
      const rhs = this.value(x.value);
      if (!isTuple(rhs.type) || rhs.type.args.length !== targets.length) return err('EXPRESSION_TYPE_MISMATCH', `Cannot deconstruct '${typeName(rhs.type)}' into ${targets.length} elements`, x.pos);
      const convs = targets.map((tv, i) => this.conversion((rhs.type as NamedType).args[i], tv.type, false, x.pos));
      const rf = rhs.fn;
      return { kind: 'value', type: rhs.type, fn: (e) => {
        const t = rf(e) as CsTuple;
        targets.forEach((tv, i) => tv.lv!.set(e, convs[i] ? convs[i]!(t.items[i]) : t.items[i]));
        return t;
      }, pos: x.pos };
    }
    const t = this.value(x.target);
    if (!t.lv) err('EXPRESSION_SYNTAX', 'The left-hand side of an assignment must be a variable, property or indexer', x.pos);
    const set = t.lv!.set;
    if (x.op === '=') {
      const v = x.value.k === 'lambda' ? this.lambdaTo(x.value, t.type) : this.convert(this.value(x.value, { target: t.type }), t.type, false, x.value.pos);
      const f = v.fn;
      return { kind: 'value', type: t.type, fn: (e) => {
        const nv = f(e);
        set(e, nv);
        return nv;
      }, pos: x.pos };
    }
    const op = x.op.slice(0, -1);
    if (op === '??') {
      const v = this.convert(this.value(x.value), t.type, false, x.value.pos).fn;
      const get = t.fn;
      return { kind: 'value', type: t.type, fn: (e) => {
        const cur = get(e);
        if (cur !== null && cur !== undefined) return cur;
        const nv = v(e);
        set(e, nv);
        return nv;
      }, pos: x.pos };
    }
    // a op= b is a = (T)(a op b) for built-in types
    const rhs = this.value(x.value);
    const cur: Val = { ...t, lv: undefined };
    const combined = this.binaryValues(op, cur, rhs, x.pos);
    const conv = this.convert(combined, t.type, true, x.pos).fn;
    return { kind: 'value', type: t.type, fn: (e) => {
      const nv = conv(e);
      set(e, nv);
      return nv;
    }, pos: x.pos };
  }

  private conditional(x: Expr & { k: 'cond' }): Val {
    const test = this.condition(x.test);
    const a = this.value(x.then);
    const b = this.value(x.else, { target: a.type });
    let type: Type;
    let fa = a.fn;
    let fb = b.fn;
    if (sameType(a.type, b.type)) type = a.type;
    else if (a.type.tag === 'null' && b.type.tag !== 'null') {
      type = isValueType(b.type) ? nullableOf(b.type) : b.type;
    } else if (b.type.tag === 'null') {
      type = isValueType(a.type) ? nullableOf(a.type) : a.type;
    } else if (this.implicitCost(b, a.type) !== null && !(this.implicitCost(a, b.type) !== null && numKind(a.type) && numKind(b.type) && IMPLICIT_NUMERIC[numKind(a.type)!].includes(numKind(b.type)!))) {
      type = a.type;
      fb = this.convert(b, a.type, false, x.else.pos).fn;
    } else if (this.implicitCost(a, b.type) !== null) {
      type = b.type;
      fa = this.convert(a, b.type, false, x.then.pos).fn;
    } else return err('EXPRESSION_TYPE_MISMATCH', `Type of conditional expression cannot be determined because there is no implicit conversion between '${typeName(a.type)}' and '${typeName(b.type)}'`, x.pos);
    return { kind: 'value', type, fn: (e) => (test(e) ? fa(e) : fb(e)), pos: x.pos };
  }

  private cast(x: Expr & { k: 'cast' }): Val {
    const t = typeFromNode(x.type);
    const v = x.expr.k === 'lambda' ? this.lambdaTo(x.expr, t) : this.value(x.expr);
    return { ...this.convert(v, t, true, x.pos), lv: undefined };
  }

  private isExpr(x: Expr & { k: 'is' }): Val {
    const v = this.value(x.expr);
    const f = v.fn;
    if (!x.type) {
      const c = this.value(x.constant!);
      if (c.type.tag === 'null') return { kind: 'value', type: CORE.boolType, fn: (e) => f(e) === null, pos: x.pos };
      const k = c.konst ? c.konst.v : null;
      return { kind: 'value', type: CORE.boolType, fn: (e) => dnEquals(f(e), k), pos: x.pos };
    }
    const t = typeFromNode(x.type);
    const test = (val: unknown): boolean => isInstance(val, t);
    if (x.name) {
      const info = this.declareVar(x.name, t, x.pos);
      const set = varSetter(info, this.func.level);
      return { kind: 'value', type: CORE.boolType, fn: (e) => {
        const val = f(e);
        if (!test(val)) return false;
        set(e, val);
        return true;
      }, pos: x.pos };
    }
    return { kind: 'value', type: CORE.boolType, fn: (e) => test(f(e)), pos: x.pos };
  }

  private asExpr(x: Expr & { k: 'as' }): Val {
    const t = typeFromNode(x.type);
    if (isValueType(t) && !isNullable(t)) err('EXPRESSION_TYPE_MISMATCH', `The as operator must be used with a reference type or nullable type ('${typeName(t)}' is a non-nullable value type)`, x.pos);
    const v = this.value(x.expr);
    const f = v.fn;
    return { kind: 'value', type: t, fn: (e) => {
      const val = f(e);
      return isInstance(val, t) ? val : null;
    }, pos: x.pos };
  }

  private newObject(x: Expr & { k: 'new' }): Val {
    const t = typeFromNode(x.type);
    if (t.tag !== 'named') return err('EXPRESSION_SYNTAX', 'Invalid object creation', x.pos);
    const ctors = t.def.ctors();
    const args = this.argInfos(x.args);
    let ctorFn: Fn;
    if (!ctors.length) {
      if (t.def.isValueType && args.length === 0) {
        const dv = defaultValueOf(t);
        ctorFn = () => dv;
      } else
        return err(
          FORBIDDEN_TYPES.has(t.def.name) ? 'EXPRESSION_NOT_ALLOWED' : 'EXPRESSION_UNKNOWN_MEMBER',
          `Objects of type '${typeName(t)}' cannot be created in policy expressions`,
          x.pos,
        );
    } else {
      const res = this.resolve(ctors, args, null, t, false, typeName(t), x.pos);
      this.validateConstantArgs(res.method, args);
      const { argFns, impl } = res;
      const run = res.method.run;
      ctorFn = run ? (e) => impl(e.r, ...argFns.map((f) => f(e))) : (e) => impl(...argFns.map((f) => f(e)));
    }
    if (!x.init) return { kind: 'value', type: t, fn: ctorFn, pos: x.pos };
    const init = this.initializer(x.init, t, x.pos);
    return { kind: 'value', type: t, fn: (e) => {
      const o = ctorFn(e);
      init(e, o);
      return o;
    }, pos: x.pos };
  }

  private initializer(init: Initializer, t: Type, pos: number): (e: Env, o: unknown) => void {
    if (init.kind === 'object') {
      const setters = init.members.map((m) => {
        const found = findMember(t, m.name);
        if (!found || found.kind !== 'prop') return err('EXPRESSION_UNKNOWN_MEMBER', `'${typeName(t)}' does not contain a property '${m.name}' that policy expressions allow`, m.pos);
        const ptype = substitute(found.prop.type, typeArgMap(found.recvType));
        if ('kind' in m.value && (m.value.kind === 'object' || m.value.kind === 'collection')) {
          const nested = this.initializer(m.value as Initializer, ptype, m.pos);
          const get = found.prop.get;
          return (e: Env, o: unknown) => nested(e, get(o));
        }
        if (!found.prop.set) return err('EXPRESSION_SYNTAX', `Property '${m.name}' cannot be assigned to -- it is read only`, m.pos);
        const v = this.convert(this.value(m.value as Expr), ptype, false, m.pos).fn;
        const set = found.prop.set;
        return (e: Env, o: unknown) => void set(o, v(e));
      });
      return (e, o) => {
        for (const s of setters) s(e, o);
      };
    }
    const found = findMember(t, 'Add');
    if (!found || found.kind !== 'methods') return err('EXPRESSION_SYNTAX', `Cannot initialize type '${typeName(t)}' with a collection initializer because it does not have an Add method`, pos);
    const adds = init.items.map((item) => {
      const args: ArgInfo[] = item.map((a) => ({ val: this.value(a), pos: a.pos }));
      const res = this.resolve(found.methods, args, null, t, false, 'Add', pos);
      const { argFns, impl } = res;
      return (e: Env, o: unknown) => void impl(o, ...argFns.map((f) => f(e)));
    });
    return (e, o) => {
      for (const a of adds) a(e, o);
    };
  }

  private newArray(x: Expr & { k: 'newarray' }, target?: Type): Val {
    let elem: Type;
    let items: Val[] | null = null;
    if (x.elem) {
      elem = typeFromNode(x.elem);
      for (let i = x.extraRanks.length - 1; i >= 0; i--) elem = arrayOf(elem);
    } else if (target && isArray(target)) {
      elem = target.args[0];
    } else {
      items = (x.init ?? []).map((i) => this.value(i));
      const common = commonType(items.map((i) => i.type));
      if (!common) return err('EXPRESSION_TYPE_MISMATCH', 'No best type found for implicitly-typed array', x.pos);
      elem = common;
    }
    const type = arrayOf(elem);
    const isBytes = elem.tag === 'named' && elem.def === CORE.byte;
    const clr = clrNameOf(elem);
    if (x.init) {
      const fns = (x.init ?? []).map((i, idx) => {
        if (i.k === 'arrayinit') {
          if (!isArray(elem)) err('EXPRESSION_SYNTAX', 'Nested array initializer requires an array element type', i.pos);
          return this.newArray({ k: 'newarray', pos: i.pos, elem: null, sizes: [], extraRanks: [], init: i.items }, elem).fn;
        }
        const v = items ? items[idx] : this.value(i, { target: elem });
        return this.convert(v, elem, false, i.pos).fn;
      });
      if (x.sizes.length) {
        const s = this.convert(this.value(x.sizes[0]), CORE.intType, false, x.sizes[0].pos);
        if (!s.konst || s.konst.v !== fns.length) err('EXPRESSION_SYNTAX', `An array initializer of length '${String(s.konst?.v ?? '?')}' is expected`, x.pos);
      }
      const fn: Fn = isBytes ? (e) => Uint8Array.from(fns.map((f) => f(e) as number)) : (e) => tagArray(fns.map((f) => f(e)), clr);
      return { kind: 'value', type, fn, pos: x.pos };
    }
    const size = this.convert(this.value(x.sizes[0]), CORE.intType, false, x.sizes[0].pos).fn;
    const dv = defaultValueOf(elem);
    const fn: Fn = (e) => {
      const n = size(e) as number;
      if (n < 0) throw new DotNetException('OverflowException', 'Arithmetic operation resulted in an overflow.');
      checkLength(n);
      if (isBytes) return new Uint8Array(n);
      return tagArray(new Array(n).fill(dv), clr);
    };
    return { kind: 'value', type, fn, pos: x.pos };
  }

  private anon(x: Expr & { k: 'anon' }): Val {
    const vals = x.members.map((m) => ({ name: m.name, v: this.value(m.value) }));
    const names = vals.map((v) => v.name);
    if (new Set(names).size !== names.length) err('EXPRESSION_SYNTAX', 'An anonymous type cannot have multiple properties with the same name', x.pos);
    const fns = vals.map((v) => v.v.fn);
    const type: Type = { tag: 'anon', props: vals.map((v) => ({ name: v.name, type: v.v.type })) };
    return { kind: 'value', type, fn: (e) => new AnonObject(names, fns.map((f) => f(e))), pos: x.pos };
  }

  // ---------------------------------------------------------------- conversions

  /** Converts a value to a type, implicitly or (explicit = true) as a cast. */
  convert(v: Val, to: Type, explicit: boolean, pos: number): Val {
    if (sameType(v.type, to)) return v;
    if (v.type.tag === 'named' && v.type.def === CORE.void) return err('EXPRESSION_TYPE_MISMATCH', `Cannot convert type 'void' to '${typeName(to)}'`, pos);
    // constant narrowing
    if (!explicit && v.konst && this.implicitCost(v, to) !== null && numKind(v.type) === 'int' && numKind(to) && numKind(to) !== 'int') {
      const c = numericConversion('int', numKind(to)!, false);
      const k = c ? c(v.konst.v) : v.konst.v;
      return { kind: 'value', type: to, fn: () => k, konst: { v: k }, pos: v.pos };
    }
    if (!explicit && v.konst === undefined && numKind(v.type) && numKind(to) && this.implicitCost(v, to) === null && !isNullable(to))
      return err('EXPRESSION_TYPE_MISMATCH', `Cannot implicitly convert type '${typeName(v.type)}' to '${typeName(to)}'. An explicit conversion exists (are you missing a cast?)`, pos);
    const c = this.conversion(v.type, to, explicit, pos, v);
    if (c === null) return { ...v, type: to };
    const f = v.fn;
    const res: Val = { kind: 'value', type: to, fn: (e) => c(f(e)), pos: v.pos };
    if (v.konst) {
      const fk = numKind(underlyingOfNullable(v.type));
      const tk = numKind(underlyingOfNullable(to));
      if (explicit && fk && tk && !this.unchecked && v.konst.v !== null) {
        const chk = numericConversion(fk, tk, true);
        try {
          chk?.(v.konst.v);
        } catch (e) {
          if (e instanceof DotNetException)
            err('EXPRESSION_SYNTAX', `Constant value '${String(v.konst.v)}' cannot be converted to a '${typeName(to)}' (use 'unchecked' syntax to override)`, pos);
          throw e;
        }
      }
      return this.fold(res, () => c(v.konst!.v));
    }
    return res;
  }

  /** The conversion function from one type to another (null: representation unchanged). */
  conversion(from: Type, to: Type, explicit: boolean, pos: number, v?: Val): ((x: unknown) => unknown) | null {
    if (sameType(from, to)) return null;
    if (from.tag === 'null') {
      if (isReferenceType(to) || isNullable(to) || to.tag === 'tp') return null;
      return err('EXPRESSION_TYPE_MISMATCH', `Cannot convert null to '${typeName(to)}' because it is a non-nullable value type`, pos);
    }
    if (to.tag === 'named' && (to.def === CORE.object || to.def.kind === 'interface') && from.tag === 'named') {
      const box = boxer(from);
      if (box) return box;
    }
    if (to.tag === 'named' && to.def === CORE.object) return null;
    const fk = numKind(underlyingOfNullable(from));
    const tk = numKind(underlyingOfNullable(to));
    if (fk && tk) {
      const ok = explicit || fk === tk || IMPLICIT_NUMERIC[fk].includes(tk) || (v?.konst !== undefined && this.implicitCost(v, to) !== null);
      if (!ok) return err('EXPRESSION_TYPE_MISMATCH', `Cannot implicitly convert type '${typeName(from)}' to '${typeName(to)}'. An explicit conversion exists (are you missing a cast?)`, pos);
      const c = numericConversion(fk, tk, this.checked);
      const fromNullable = isNullable(from);
      const toNullable = isNullable(to);
      if (fromNullable && !toNullable) {
        if (!explicit) return err('EXPRESSION_TYPE_MISMATCH', `Cannot implicitly convert type '${typeName(from)}' to '${typeName(to)}'`, pos);
        return (x) => {
          if (x === null) throw invalidOp('Nullable object must have a value.');
          return c ? c(x) : x;
        };
      }
      if (!c) return null;
      return fromNullable ? (x) => (x === null ? null : c(x)) : c;
    }
    // enums
    const fu = underlyingOfNullable(from);
    const tu = underlyingOfNullable(to);
    if (explicit && fu.tag === 'named' && tu.tag === 'named' && (fu.def.enumValues || tu.def.enumValues)) {
      if ((fu.def.enumValues && (tk || tu.def.enumValues)) || (tu.def.enumValues && fk)) {
        const c = fk ? numericConversion(fk, 'int', false) : null;
        return c;
      }
    }
    // nullable wrapping / unwrapping
    if (isNullable(to) && sameType(to.args[0], from)) return null;
    if (isTuple(from) && isTuple(to) && from.args.length === to.args.length) {
      const convs = from.args.map((a, i) => this.conversion(a, to.args[i], explicit, pos));
      if (convs.every((c) => c === null)) return null;
      return (x) => (x === null ? null : new CsTuple((x as CsTuple).items.map((it, i) => (convs[i] ? convs[i]!(it) : it))));
    }
    if (isNullable(from) && sameType(from.args[0], to)) {
      if (!explicit) return err('EXPRESSION_TYPE_MISMATCH', `Cannot implicitly convert type '${typeName(from)}' to '${typeName(to)}'. An explicit conversion exists (are you missing a cast?)`, pos);
      return (x) => {
        if (x === null) throw invalidOp('Nullable object must have a value.');
        return x;
      };
    }
    if (from.tag === 'named' && to.tag === 'named') {
      if (isSubtype(from, to)) return null;
      const user = userConversion(from, to, explicit);
      if (user) return user;
      if (explicit && (isSubtype(to, from) || from.def.kind === 'interface' || to.def.kind === 'interface' || from.def === CORE.object)) {
        const target = to;
        return (x) => {
          if (x === null || x === undefined) {
            if (isValueType(target) && !isNullable(target)) throw nullRef();
            return null;
          }
          if (!isInstance(x, target)) throw new DotNetException('InvalidCastException', `Unable to cast object of type '${runtimeClrName(x)}' to type '${clrNameOf(target)}'.`);
          return x instanceof Boxed ? x.value : x;
        };
      }
    }
    if (to.tag === 'tp' || from.tag === 'tp') return null;
    return err(
      'EXPRESSION_TYPE_MISMATCH',
      `Cannot ${explicit ? 'convert' : 'implicitly convert'} type '${typeName(from)}' to '${typeName(to)}'`,
      pos,
    );
  }
}

// ---------------------------------------------------------------- helpers

const FORBIDDEN_NAMES = new Set(['eval', 'Function', 'globalThis', 'global', 'process', 'require', 'import', 'window', 'this', 'constructor', '__proto__', 'prototype', 'Reflect', 'Proxy', 'Activator', 'AppDomain', 'Assembly', 'Environment', 'File', 'Directory', 'Process', 'Type']);
const FORBIDDEN_TYPES = new Set(['Process', 'File', 'Directory', 'Environment', 'Assembly', 'Activator', 'AppDomain', 'Type']);

let allResolved = false;
function ensureAllResolved(): void {
  if (allResolved) return;
  for (const d of allTypeDefs()) d.allMemberNames();
  allResolved = true;
}

/** Boxing of values whose JS representation would lose their .NET type in an object slot. */
function boxer(t: NamedType): ((x: unknown) => unknown) | null {
  const inner = isNullable(t) ? (t.args[0] as NamedType) : t;
  if (inner.def === CORE.double) return (x) => (typeof x === 'number' && Number.isInteger(x) ? new Boxed('double', x) : x);
  if (inner.def === CORE.float) return (x) => (typeof x === 'number' ? new Boxed('float', x) : x);
  if (inner.def.enumValues) {
    const names = new Map([...inner.def.enumValues].map(([n, v]) => [v, n]));
    const def = inner.def;
    return (x) => (typeof x === 'number' ? new Boxed('enum', x, names, def) : x);
  }
  return null;
}

/** A method group as the lambda that calls it: `int.Parse` → `(a0) => int.Parse(a0)`. */
function groupLambda(group: Expr, arity: number): Expr & { k: 'lambda' } {
  const params = [...Array(arity).keys()].map((i) => ({ name: `\u0001arg${i}`, type: null }));
  const pos = group.pos;
  return { k: 'lambda', pos, params, body: { k: 'call', pos, callee: group, args: params.map((p) => ({ expr: { k: 'name', pos, name: p.name } as Expr })) } };
}

/** Whether a statement creates lambdas or local functions (which may capture its variables). */
function containsClosure(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(containsClosure);
  const k = (node as { k?: string }).k;
  if (k === 'lambda' || k === 'func') return true;
  for (const v of Object.values(node)) if (typeof v === 'object' && containsClosure(v)) return true;
  return false;
}

function hasNullCond(x: Expr): boolean {
  for (let n: Expr = x; ; ) {
    if (n.k === 'member' || n.k === 'index') {
      if (n.nullCond) return true;
      n = n.obj;
    } else if (n.k === 'call') n = n.callee;
    else return false;
  }
}

function nullCondRecv(f: Fn, nullCond: boolean): Fn {
  return (e) => {
    const o = f(e);
    if (o === SHORT) return SHORT;
    if (nullCond && (o === null || o === undefined)) return SHORT;
    return o;
  };
}

function typeArgMap(t: Type): Map<string, Type> {
  const map = new Map<string, Type>();
  if (t.tag === 'named') t.def.typeParams.forEach((p, i) => map.set(p, t.args[i]));
  return map;
}

/** How far up the type chain a method was found: derived members win over base ones. */
const METHOD_LEVEL = new WeakMap<MethodDef, number>();

type FoundMember = { kind: 'prop'; prop: PropDef; recvType: NamedType } | { kind: 'methods'; methods: MethodDef[] };

function typeChain(t: Type): NamedType[] {
  if (t.tag === 'anon') return [named(CORE.object)];
  if (t.tag !== 'named') return [];
  const out: NamedType[] = [t, ...supertypes(t)];
  if (isNullable(t)) out.push(...typeChain(t.args[0]).filter((x) => x.def !== CORE.object));
  if (!out.some((x) => x.def === CORE.object)) out.push(named(CORE.object));
  return out;
}

function findMember(t: Type, name: string, invoke = false): FoundMember | null {
  if (isTuple(t) && t.names) {
    const idx = t.names.indexOf(name);
    if (idx >= 0) {
      const prop: PropDef = { kind: 'prop', name, isStatic: false, type: t.args[idx], get: (o: CsTuple) => o.items[idx], run: false, owner: t.def };
      return { kind: 'prop', prop, recvType: t };
    }
  }
  if (t.tag === 'anon') {
    const idx = t.props.findIndex((p) => p.name === name);
    if (idx >= 0) {
      const prop: PropDef = { kind: 'prop', name, isStatic: false, type: t.props[idx].type, get: (o: AnonObject) => o.values[idx], run: false, owner: CORE.object };
      return { kind: 'prop', prop, recvType: named(CORE.object) };
    }
  }
  const methods: MethodDef[] = [];
  let propFallback: FoundMember | null = null;
  let level = 0;
  for (const ct of typeChain(t)) {
    const ms = ct.def.members(name);
    for (const m of ms) {
      if (m.kind === 'prop') {
        if (!methods.length) {
          if (invoke && !delegateSig(m.type)) {
            propFallback ??= { kind: 'prop', prop: m, recvType: ct };
            continue;
          }
          return { kind: 'prop', prop: m, recvType: ct };
        }
      } else {
        METHOD_LEVEL.set(m, level);
        methods.push(m);
      }
    }
    level++;
  }
  if (methods.length) return { kind: 'methods', methods };
  if (propFallback && !(EXTENSIONS.get(name) ?? []).some((m) => m.kind === 'method' && extensionApplies(m, t))) return propFallback;
  return null;
}

function findIndexer(t: Type): { ix: ReturnType<TypeDef['indexers']>[number]; map: Map<string, Type> }[] {
  const out: { ix: ReturnType<TypeDef['indexers']>[number]; map: Map<string, Type> }[] = [];
  for (const ct of typeChain(t)) {
    for (const ix of ct.def.indexers()) out.push({ ix, map: typeArgMap(ct) });
    if (out.length) break;
  }
  return out;
}

function extensionApplies(m: MethodDef, recv: Type): boolean {
  const map = new Map<string, Type>();
  return unify(m.params[0].type, recv, map, m.typeParams);
}

/** Unifies a parameter type (with type parameters) with an argument type. */
function unify(param: Type, arg: Type, map: Map<string, Type>, tps: readonly string[]): boolean {
  if (param.tag === 'tp') {
    if (!tps.includes(param.name) && !map.has(param.name)) return true;
    const cur = map.get(param.name);
    if (!cur) {
      if (arg.tag === 'null') return true;
      map.set(param.name, arg);
      return true;
    }
    if (sameType(cur, arg)) return true;
    // widen to a common type where one converts to the other
    if (arg.tag === 'null') return isReferenceType(cur) || isNullable(cur);
    if (cur.tag === 'named' && arg.tag === 'named' && isSubtype(arg, cur)) return true;
    if (cur.tag === 'named' && arg.tag === 'named' && isSubtype(cur, arg)) {
      map.set(param.name, arg);
      return true;
    }
    const ck = numKind(cur);
    const ak = numKind(arg);
    if (ck && ak && IMPLICIT_NUMERIC[ak].includes(ck)) return true;
    if (ck && ak && IMPLICIT_NUMERIC[ck].includes(ak)) {
      map.set(param.name, arg);
      return true;
    }
    return true;
  }
  if (param.tag !== 'named') return true;
  if (!hasTypeParams(param)) return true;
  if (arg.tag === 'null') return true;
  if (arg.tag === 'anon') return false;
  if (arg.tag !== 'named') return true;
  if (isArray(param)) {
    if (!isArray(arg)) return false;
    return unify(param.args[0], arg.args[0], map, tps);
  }
  const base = findBase(arg, param.def) ?? (isArray(arg) ? arrayBase(arg, param.def) : undefined);
  if (!base) {
    if (isNullable(param)) return unify(param.args[0], arg, map, tps);
    return false;
  }
  return param.args.every((p, i) => unify(p, base.args[i], map, tps));
}

function arrayBase(arr: NamedType, def: TypeDef): NamedType | undefined {
  const elem = arr.args[0];
  if (['IEnumerable', 'IList', 'ICollection', 'IReadOnlyList', 'IReadOnlyCollection'].includes(def.name) && def.typeParams.length === 1) return named(def, [elem]);
  return undefined;
}

const COVARIANT = new Set(['IEnumerable', 'IReadOnlyList', 'IReadOnlyCollection', 'IEnumerator']);

export function isSubtype(from: NamedType, to: NamedType): boolean {
  if (sameType(from, to)) return true;
  if (to.def === CORE.object) return true;
  if (isArray(from)) {
    if (to.def === CORE.array || to.def === CORE.arrayStatic) return true;
    const ab = arrayBase(from, to.def);
    if (ab && argsCompatible(ab, to)) return true;
    if (isArray(to) && from.args[0].tag === 'named' && to.args[0].tag === 'named' && isReferenceType(from.args[0])) return isSubtype(from.args[0], to.args[0]);
    return false;
  }
  for (const b of supertypes(from)) {
    if (b.def === to.def && argsCompatible(b, to)) return true;
  }
  if (from.def === to.def) return argsCompatible(from, to);
  return false;
}

function argsCompatible(a: NamedType, b: NamedType): boolean {
  if (a.def !== b.def) return false;
  return a.args.every((x, i) => {
    const y = b.args[i];
    if (sameType(x, y)) return true;
    if (COVARIANT.has(a.def.name) && x.tag === 'named' && y.tag === 'named' && isReferenceType(x)) return isSubtype(x, y);
    if (COVARIANT.has(a.def.name) && x.tag === 'anon' && y.tag === 'named' && y.def === CORE.object) return true;
    return false;
  });
}

export function delegateSig(t: Type): { params: Type[]; ret: Type | null } | null {
  if (t.tag !== 'named' || t.def.kind !== 'delegate') return null;
  const n = t.def.name;
  if (n === 'Func') return { params: t.args.slice(0, -1), ret: t.args[t.args.length - 1] };
  if (n === 'Action') return { params: t.args, ret: null };
  if (n === 'Predicate') return { params: t.args, ret: CORE.boolType };
  if (n === 'Comparison') return { params: [t.args[0], t.args[0]], ret: CORE.intType };
  if (n === 'MatchEvaluator') return { params: [named(lookupType('Match', 0)!)], ret: CORE.stringType };
  return null;
}

export function elementTypeOf(t: Type): Type | null {
  if (t.tag !== 'named') return null;
  if (isArray(t)) return t.args[0];
  if (t.def === CORE.string) return named(CORE.char);
  const b = findBase(t, CORE.ienumerable);
  return b ? b.args[0] : null;
}

function iteratorFor(t: Type): (v: unknown) => Iterable<unknown> {
  if (isString(t))
    return function* (v) {
      const s = v as string;
      for (let i = 0; i < s.length; i++) yield CsChar.of(s.charCodeAt(i));
    };
  return (v) => v as Iterable<unknown>;
}

function commonType(types: Type[]): Type | null {
  const ts = types.filter((t) => t.tag !== 'null');
  if (!ts.length) return null;
  let best = ts[0];
  for (const t of ts.slice(1)) {
    if (sameType(best, t)) continue;
    const bk = numKind(best);
    const tk = numKind(t);
    if (bk && tk) {
      if (IMPLICIT_NUMERIC[bk].includes(tk)) best = t;
      else if (!IMPLICIT_NUMERIC[tk].includes(bk)) return null;
      continue;
    }
    if (best.tag === 'named' && t.tag === 'named') {
      if (isSubtype(t, best)) continue;
      if (isSubtype(best, t)) {
        best = t;
        continue;
      }
    }
    return null;
  }
  if (types.some((t) => t.tag === 'null') && isValueType(best)) return nullableOf(best);
  return best;
}

function endsWithReturn(stmts: Stmt[]): boolean {
  const real = stmts.filter((s) => s.k !== 'func' && s.k !== 'empty');
  if (!real.length) return false;
  return stmtReturns(real[real.length - 1]);
}

function stmtReturns(s: Stmt): boolean {
  switch (s.k) {
    case 'return':
    case 'throw':
      return true;
    case 'block':
      return endsWithReturn(s.body);
    case 'if':
      return !!s.else && stmtReturns(s.then) && stmtReturns(s.else);
    case 'try':
      return stmtReturns(s.block) && s.catches.every((c) => stmtReturns(c.body));
    case 'using':
    case 'checkedblock':
      return stmtReturns(s.body);
    case 'while':
      return s.test.k === 'lit' && s.test.value === 'true' && !containsBreak(s.body);
    case 'for':
      return s.test === null && !containsBreak(s.body);
    case 'do':
      return stmtReturns(s.body);
    case 'switch':
      return s.sections.some((sec) => sec.labels.includes(null)) && s.sections.every((sec) => endsWithReturn(sec.body));
    default:
      return false;
  }
}

function containsBreak(s: Stmt): boolean {
  switch (s.k) {
    case 'break':
      return true;
    case 'block':
      return s.body.some(containsBreak);
    case 'if':
      return containsBreak(s.then) || (!!s.else && containsBreak(s.else));
    case 'try':
      return containsBreak(s.block) || s.catches.some((c) => containsBreak(c.body));
    default:
      return false;
  }
}

const OPERATOR_NAMES: Record<string, string> = {"+": "op_Addition", "-": "op_Subtraction", "*": "op_Multiply", "/": "op_Division", "==": "op_Equality", "!=": "op_Inequality", "<": "op_LessThan", ">": "op_GreaterThan", "<=": "op_LessThanOrEqual", ">=": "op_GreaterThanOrEqual"};

function userOperator(op: string, a: Type, b: Type): { impl: Impl; ret: Type } | null {
  if (a.tag !== 'named' || b.tag !== 'named') return null;
  for (const def of [a.def, b.def]) {
    const ops = def.statics(OPERATOR_NAMES[op] ?? '');
    for (const m of ops) {
      if (m.kind !== 'method' || m.params.length !== 2) continue;
      const [p0, p1] = m.params;
      if (typesAccept(p0.type, a) && typesAccept(p1.type, b)) return { impl: m.impl, ret: m.ret };
    }
  }
  return null;
}

function typesAccept(p: Type, a: Type): boolean {
  if (sameType(p, a)) return true;
  if (p.tag === 'named' && a.tag === 'named') return isSubtype(a, p);
  return false;
}

export function runtimeClrName(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return 'System.String';
    case 'boolean':
      return 'System.Boolean';
    case 'number':
      return Number.isInteger(v) ? 'System.Int32' : 'System.Double';
    case 'bigint':
      return 'System.Int64';
    case 'function':
      return 'System.Delegate';
  }
  if (v instanceof CsChar) return 'System.Char';
  if (v instanceof Decimal) return 'System.Decimal';
  if (v instanceof Uint8Array) return 'System.Byte[]';
  if (Array.isArray(v)) return 'System.Object[]';
  const named2 = (v as { constructor?: { clrName?: string } }).constructor?.clrName;
  if (typeof named2 === 'string') return named2;
  return CORE.clrNameOfValue(v);
}


export { SHORT };
