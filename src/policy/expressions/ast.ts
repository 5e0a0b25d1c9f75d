// Syntax tree of policy expressions. Every node carries `pos`, an offset into the expression text.

export interface TypeNode {
  /** Dotted name as written (`System.Text.Encoding`, `int`, `List`). */
  name: string;
  args: TypeNode[];
  /** Array ranks, outermost first: `int[][]` is [1, 1], `int[,]` is [2]. */
  ranks: number[];
  nullable: boolean;
  pos: number;
  /** Tuple types `(string Name, int Age)`: name is '(tuple)', args the element types. */
  names?: (string | null)[];
}

export type LiteralType = 'int' | 'uint' | 'long' | 'ulong' | 'double' | 'float' | 'decimal' | 'bool' | 'string' | 'char' | 'null';

export interface Arg {
  name?: string;
  expr: Expr;
  /** `out x`, `out var x`, `out T x`, `ref x`. */
  mode?: 'out' | 'ref';
  outDecl?: { type: TypeNode | null; name: string; pos: number };
}

export interface InterpPart {
  expr: Expr;
  alignment?: Expr;
  format?: string;
}

export type Expr =
  | { k: 'lit'; pos: number; type: LiteralType; value: string }
  | { k: 'interp'; pos: number; parts: (string | InterpPart)[] }
  | { k: 'name'; pos: number; name: string; typeArgs?: TypeNode[] }
  | { k: 'member'; pos: number; obj: Expr; name: string; typeArgs?: TypeNode[]; nullCond: boolean }
  | { k: 'call'; pos: number; callee: Expr; args: Arg[] }
  | { k: 'index'; pos: number; obj: Expr; args: Expr[]; nullCond: boolean }
  | { k: 'unary'; pos: number; op: string; operand: Expr }
  | { k: 'postfix'; pos: number; op: '++' | '--'; operand: Expr }
  | { k: 'binary'; pos: number; op: string; left: Expr; right: Expr }
  | { k: 'assign'; pos: number; op: string; target: Expr; value: Expr }
  | { k: 'cond'; pos: number; test: Expr; then: Expr; else: Expr }
  | { k: 'cast'; pos: number; type: TypeNode; expr: Expr }
  | { k: 'is'; pos: number; expr: Expr; type: TypeNode | null; constant?: Expr; name?: string }
  | { k: 'as'; pos: number; expr: Expr; type: TypeNode }
  | { k: 'lambda'; pos: number; params: { name: string; type: TypeNode | null }[]; body: Expr | Stmt }
  | { k: 'new'; pos: number; type: TypeNode; args: Arg[]; init?: Initializer }
  | { k: 'newarray'; pos: number; elem: TypeNode | null; sizes: Expr[]; extraRanks: number[]; init?: Expr[] }
  | { k: 'arrayinit'; pos: number; items: Expr[] }
  | { k: 'anon'; pos: number; members: { name: string; value: Expr }[] }
  | { k: 'default'; pos: number; type: TypeNode | null }
  | { k: 'checked'; pos: number; checked: boolean; expr: Expr }
  | { k: 'throw'; pos: number; expr: Expr }
  | { k: 'typeof'; pos: number }
  | { k: 'nameof'; pos: number; name: string }
  | { k: 'tuple'; pos: number; items: { name: string | null; expr: Expr }[] };

export type Initializer =
  | { kind: 'object'; members: { name: string; value: Expr | Initializer; pos: number }[] }
  | { kind: 'collection'; items: Expr[][] };

export interface CatchClause {
  type: TypeNode | null;
  name: string | null;
  when: Expr | null;
  body: Stmt;
  pos: number;
}

/** A case label: a constant, or a C# 7 type pattern (`case string s when s != "":`); null is default. */
export type CaseLabel =
  | { kind: 'const'; expr: Expr; when: Expr | null; pos: number }
  | { kind: 'type'; type: TypeNode | null; name: string | null; when: Expr | null; pos: number };

export interface SwitchSection {
  labels: (CaseLabel | null)[]; // null = default
  body: Stmt[];
}

export type Stmt =
  | { k: 'block'; pos: number; body: Stmt[] }
  | { k: 'decl'; pos: number; type: TypeNode | null; isConst: boolean; decls: { name: string; init: Expr | null; pos: number }[] }
  | { k: 'expr'; pos: number; expr: Expr }
  | { k: 'if'; pos: number; test: Expr; then: Stmt; else: Stmt | null }
  | { k: 'while'; pos: number; test: Expr; body: Stmt }
  | { k: 'do'; pos: number; test: Expr; body: Stmt }
  | { k: 'for'; pos: number; init: Stmt[]; test: Expr | null; update: Expr[]; body: Stmt }
  | { k: 'foreach'; pos: number; type: TypeNode | null; name: string; expr: Expr; body: Stmt }
  | { k: 'return'; pos: number; expr: Expr | null }
  | { k: 'break'; pos: number }
  | { k: 'continue'; pos: number }
  | { k: 'throw'; pos: number; expr: Expr | null }
  | { k: 'try'; pos: number; block: Stmt; catches: CatchClause[]; fin: Stmt | null }
  | { k: 'switch'; pos: number; expr: Expr; sections: SwitchSection[] }
  | { k: 'func'; pos: number; name: string; ret: TypeNode; params: { name: string; type: TypeNode }[]; body: Stmt }
  | { k: 'using'; pos: number; decl: Stmt | null; expr: Expr | null; body: Stmt }
  | { k: 'checkedblock'; pos: number; checked: boolean; body: Stmt }
  | { k: 'empty'; pos: number }
  | { k: 'deconstruct'; pos: number; names: { name: string; pos: number }[]; value: Expr };
