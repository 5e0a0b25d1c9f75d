// The contract other parts of Atrium code against: isExpression, compile errors placed in the
// policy document, toPolicyString / toPolicyBoolean, and the context built from a ContextSource.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExpressionError, compileExpression, unbox, createExpressionContext, createPolicyResponse, isExpression, toPolicyBoolean, toPolicyString } from './index.ts';
import { Decimal } from './runtime/decimal.ts';

test('isExpression recognises @(...) and @{...} spanning the whole value', () => {
  assert.equal(isExpression('@(1 + 1)'), true);
  assert.equal(isExpression('  @{ return "x"; }  '), true);
  assert.equal(isExpression('@(context.Variables["a)"])'), true);
  assert.equal(isExpression('@("(" + ")")'), true);
  assert.equal(isExpression('@(a) + @(b)'), false);
  assert.equal(isExpression('@(a) tail'), false);
  assert.equal(isExpression('text @(a)'), false);
  assert.equal(isExpression('user@example.com'), false);
  assert.equal(isExpression('@(unclosed'), false);
  assert.equal(isExpression('{{named-value}}'), false);
});

function compileError(src: string, opts?: { line?: number; column?: number }): ExpressionError {
  try {
    compileExpression(src, opts);
  } catch (e) {
    assert.ok(e instanceof ExpressionError);
    return e;
  }
  assert.fail('compiled');
}

test('syntax errors name the line and column in the policy document', () => {
  const e = compileError('@(1 +)', { line: 12, column: 20 });
  assert.equal(e.code, 'EXPRESSION_SYNTAX');
  assert.equal(e.line, 12);
  assert.equal(e.column, 25);
  assert.match(e.message, /Expression expected.*\(line 12, column 25\)/);
});

test('errors on later lines of a multi-statement expression use that line and its column', () => {
  const e = compileError('@{\n  var x = 1;\n  return x.Foo;\n}', { line: 40, column: 9 });
  assert.equal(e.code, 'EXPRESSION_UNKNOWN_MEMBER');
  assert.equal(e.line, 42);
  assert.equal(e.column, 12);
  assert.match(e.message, /'int' does not contain a definition for 'Foo'/);
});

test('unknown types and members are save-time errors naming them', () => {
  assert.match(compileError('@(new Foo())').message, /The type 'Foo' is not supported/);
  assert.match(compileError('@(context.Request.Nope)').message, /'IRequest' does not contain a definition for 'Nope'/);
  assert.match(compileError('@(DateTime.Tomorrow)').message, /'DateTime' does not contain a definition for 'Tomorrow'/);
  assert.match(compileError('@(undefinedName)').message, /The name 'undefinedName' does not exist/);
  assert.equal(compileError('@("a" - 1)').code, 'EXPRESSION_TYPE_MISMATCH');
  assert.equal(compileError('@{ int x = "s"; return x; }').code, 'EXPRESSION_TYPE_MISMATCH');
  assert.equal(compileError('@{ long l = 1; int i = l; return i; }').code, 'EXPRESSION_TYPE_MISMATCH');
});

test('structural errors: unclosed expressions, trailing text, missing return, named values', () => {
  assert.match(compileError('@(1 + 2').message, /not closed/);
  assert.match(compileError('@(1) x').message, /after the end/);
  assert.match(compileError('@{ var x = 1; }').message, /return/);
  assert.equal(compileError('@(1 + {{missing}})').code, 'EXPRESSION_NAMED_VALUE');
  assert.match(compileError('@("unterminated)').message, /Newline in constant|not closed|Unterminated/);
  assert.equal(compileError('1 + 1').code, 'EXPRESSION_SYNTAX');
});

test('the kind option must match the brackets', () => {
  assert.throws(() => compileExpression('@(1)', { kind: 'multi' }), /multi-statement/);
  assert.equal(compileExpression('@{ return 1; }', { kind: 'multi' }).kind, 'multi');
  assert.equal(compileExpression('@(1)').source, '@(1)');
});

test('toPolicyString writes values as .NET does in attributes and elements', () => {
  assert.equal(toPolicyString(true), 'True');
  assert.equal(toPolicyString(false), 'False');
  assert.equal(toPolicyString(null), '');
  assert.equal(toPolicyString(9223372036854775807n), '9223372036854775807');
  assert.equal(toPolicyString(Decimal.parseInvariant('2.50')), '2.50');
  assert.equal(toPolicyString(0.1 + 0.2), '0.30000000000000004');
  assert.equal(toPolicyString(1e21), '1E+21');
  assert.equal(toPolicyString(compileExpression('@(DateTime.MinValue)')(ctx())), '01/01/0001 00:00:00');
  assert.equal(toPolicyString(compileExpression('@(new JObject())')(ctx())), '{}');
  assert.equal(toPolicyString(compileExpression('@(\'c\')')(ctx())), 'c');
  assert.equal(toPolicyString(compileExpression('@(DayOfWeek.Friday)')(ctx())), 'Friday');
});

test('toPolicyBoolean accepts booleans and "true"/"false" text, and rejects the rest', () => {
  assert.equal(toPolicyBoolean(true), true);
  assert.equal(toPolicyBoolean('False'), false);
  assert.equal(toPolicyBoolean(' TRUE '), true);
  assert.throws(() => toPolicyBoolean('yes'), (e: unknown) => e instanceof ExpressionError && e.code === 'EXPRESSION_RUNTIME');
  assert.throws(() => toPolicyBoolean(1), ExpressionError);
});

function ctx() {
  return createExpressionContext({ request: { method: 'GET', url: 'https://x.example/', headers: {} } });
}

test('the request body is read lazily, once, and consumed unless preserveContent is set', () => {
  let loads = 0;
  let consumed = 0;
  const c = createExpressionContext({
    request: { method: 'POST', url: { scheme: 'https', host: 'a.example', path: '/p', query: 'q=1' }, headers: {}, body: { load: () => (loads++, '{"k":"v"}'), onConsumed: () => consumed++ } },
  });
  assert.equal(loads, 0);
  assert.equal(compileExpression('@((string)context.Request.Body.As<JObject>(preserveContent: true)["k"])')(c), 'v');
  assert.equal(compileExpression('@(context.Request.Body.As<string>())')(c), '{"k":"v"}');
  assert.equal(consumed, 1);
  assert.equal(compileExpression('@(context.Request.Body.As<string>() == null)')(c), true);
  assert.equal(loads, 1);
  assert.equal(compileExpression('@(context.Request.Url.ToString())')(c), 'https://a.example/p?q=1');
});

test('send-request responses stored in variables are IResponse values', () => {
  const r = createPolicyResponse({ statusCode: 201, statusReason: 'Created', headers: { Location: '/x' }, body: { load: () => new TextEncoder().encode('{"id":7}') } });
  const c = createExpressionContext({ request: { method: 'GET', url: 'https://x.example/', headers: {} }, variables: new Map([['resp', r]]) });
  assert.equal(compileExpression('@(((IResponse)context.Variables["resp"]).StatusCode)')(c), 201);
  assert.equal(compileExpression('@(((IResponse)context.Variables["resp"]).Headers.GetValueOrDefault("location", ""))')(c), '/x');
  assert.equal(compileExpression('@((int)((IResponse)context.Variables["resp"]).Body.As<JObject>()["id"])')(c), 7);
  assert.equal(compileExpression('@(context.Variables.GetValueOrDefault<IResponse>("resp").StatusReason)')(c), 'Created');
});

test('the clock and the random source come from the context source', () => {
  const c = createExpressionContext({ request: { method: 'GET', url: 'https://x.example/', headers: {} }, now: () => Date.UTC(2030, 5, 1), random: () => 0, timestamp: Date.UTC(2030, 5, 1) - 1500 });
  assert.equal(compileExpression('@(DateTime.UtcNow.Year)')(c), 2030);
  assert.equal(compileExpression('@(Guid.NewGuid().ToString())')(c), '00000000-0000-4000-8000-000000000000');
  assert.equal(unbox(compileExpression('@(context.Elapsed.TotalMilliseconds)')(c)), 1500);
  assert.equal(compileExpression('@(new Random().Next(10))')(c), 0);
});

test('context.Trace reaches the gateway', () => {
  const lines: string[] = [];
  const c = createExpressionContext({ request: { method: 'GET', url: 'https://x.example/', headers: {} }, trace: (m) => lines.push(m), tracing: true });
  compileExpression('@{ context.Trace("seen " + context.Tracing); return true; }')(c);
  assert.deepEqual(lines, ['seen True']);
});

test('a compiled expression runs many times with independent state', () => {
  const f = compileExpression('@{ var l = new List<int>(); l.Add(context.Request.Method.Length); return l.Count; }');
  assert.equal(f(ctx()), 1);
  assert.equal(f(ctx()), 1);
});

test('the context follows the gateway: a response set later, a refreshed header, a replaced body', () => {
  const source: import('./index.ts').ContextSource = {
    request: { method: 'GET', url: 'https://x.example/a', headers: { 'x-a': '1' }, body: { load: () => 'first' } },
  };
  const c = createExpressionContext(source);
  const status = compileExpression('@(context.Response == null ? -1 : context.Response.StatusCode)');
  const header = compileExpression('@(context.Request.Headers.GetValueOrDefault("x-a", ""))');
  const body = compileExpression('@(context.Request.Body.As<string>(preserveContent: true))');
  assert.equal(status(c), -1);
  assert.equal(header(c), '1');
  assert.equal(body(c), 'first');
  source.response = { statusCode: 404, headers: {} };
  (source.request.headers as Record<string, string>)['x-a'] = '2';
  source.request.body = { load: () => 'second' };
  assert.equal(status(c), 404);
  assert.equal(header(c), '1');
  c.refresh();
  assert.equal(header(c), '2');
  assert.equal(body(c), 'second');
});
