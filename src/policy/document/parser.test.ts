import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyDocument } from './parser.ts';
import { literalRanges } from './expression-scanner.ts';
import { PolicyError } from '../errors.ts';
import { childElements, elementText, getAttribute, getSection } from './tree.ts';
import type { PolicyElement } from './tree.ts';

function expectError(text: string, code: string, line: number, column: number, format: 'xml' | 'rawxml' = 'rawxml'): PolicyError {
  try {
    parsePolicyDocument(text, { format });
  } catch (error) {
    assert.ok(error instanceof PolicyError, `expected a PolicyError, got ${error}`);
    assert.equal(error.code, code, error.message);
    assert.deepEqual([error.line, error.column], [line, column], error.message);
    assert.match(error.message, new RegExp(`line ${line}, column ${column}\\)$`));
    return error;
  }
  assert.fail('expected the document to be rejected');
}

test('parses the four sections with element, attribute and value positions', () => {
  const doc = parsePolicyDocument(
    [
      '<policies>',
      '  <inbound>',
      '    <base />',
      '    <set-header name="X-A" exists-action="override"><value>one</value></set-header>',
      '  </inbound>',
      '  <backend><forward-request /></backend>',
      '  <outbound />',
      '  <on-error />',
      '</policies>',
    ].join('\n'),
  );
  assert.equal(doc.kind, 'policies');
  assert.deepEqual(childElements(doc.root).map((e) => e.name), ['inbound', 'backend', 'outbound', 'on-error']);
  const inbound = getSection(doc, 'inbound')!;
  assert.deepEqual(inbound.children.map((c) => (c as PolicyElement).name), ['base', 'set-header']);
  const setHeader = inbound.children[1] as PolicyElement;
  assert.deepEqual([setHeader.position.line, setHeader.position.column], [4, 5]);
  const action = getAttribute(setHeader, 'exists-action')!;
  assert.equal(action.value, 'override');
  assert.deepEqual([action.position.line, action.position.column], [4, 28]);
  assert.deepEqual([action.valuePosition.line, action.valuePosition.column], [4, 43]);
  assert.equal(elementText(childElements(setHeader)[0]), 'one');
});

test('rawxml: expressions hold unescaped quotes, angle brackets and ampersands', () => {
  const doc = parsePolicyDocument(
    [
      '<policies><inbound>',
      '<choose><when condition="@(context.Variables["a"] == "b" && 1 < 2)">',
      '<set-body>@{ var list = new List<string> { "x>y", "}" }; return $"{list[0]}"; }</set-body>',
      '</when></choose>',
      "<set-variable name='v' value='@(\"it\\'s\" + 'q')' />",
      '</inbound></policies>',
    ].join('\n'),
  );
  const sources = doc.expressions.map((e) => e.source);
  assert.deepEqual(sources, [
    '@(context.Variables["a"] == "b" && 1 < 2)',
    '@{ var list = new List<string> { "x>y", "}" }; return $"{list[0]}"; }',
    "@(\"it\\'s\" + 'q')",
  ]);
  assert.deepEqual(doc.expressions.map((e) => [e.kind, e.position.line, e.position.column]), [
    ['inline', 2, 26],
    ['block', 3, 11],
    ['inline', 5, 31],
  ]);
  assert.deepEqual(doc.expressions.map((e) => e.path), ['policies/inbound/choose/when', 'policies/inbound/choose/when/set-body', 'policies/inbound/set-variable']);
  assert.equal(doc.expressions[0].attribute, 'condition');
  assert.equal(doc.expressions[1].attribute, undefined);
});

test('rawxml: verbatim and interpolated strings, comments and entities inside expressions', () => {
  const doc = parsePolicyDocument(
    '<policies><inbound><set-variable name="v" value="@(@"a "" ) ] } b" + $"{(1 + 2)} {{x}} {"y"}" /* ) */ + "&lt;" // )\n)" /></inbound></policies>',
  );
  assert.equal(doc.expressions.length, 1);
  assert.equal(doc.expressions[0].source, '@(@"a "" ) ] } b" + $"{(1 + 2)} {{x}} {"y"}" /* ) */ + "<" // )\n)');
});

test('xml: entities are decoded and the decoded value is recognised as an expression', () => {
  const doc = parsePolicyDocument(
    '<policies><inbound><set-variable name="v" value="@(context.Variables[&quot;a&quot;] &amp;&amp; 1 &lt; 2)" /></inbound></policies>',
    { format: 'xml' },
  );
  assert.equal(doc.expressions[0].source, '@(context.Variables["a"] && 1 < 2)');
  assert.equal(doc.format, 'xml');
});

test('xml: an unescaped quote inside an expression is rejected with a hint about rawxml', () => {
  const error = expectError('<policies><inbound>\n  <set-variable name="v" value="@(context.Variables["a"])" /></inbound></policies>', 'POLICY_EXPRESSION_UNTERMINATED', 2, 52, 'xml');
  assert.match(error.message, /rawxml/);
});

test('CRLF line ends are normalised in values', () => {
  const doc = parsePolicyDocument('<policies>\r\n<inbound>\r\n<set-body>@{\r\nreturn "a";\r\n}</set-body></inbound></policies>');
  assert.equal(doc.expressions[0].source, '@{\nreturn "a";\n}');
  assert.equal(doc.expressions[0].position.line, 3);
});

test('comments are dropped, CDATA is kept as text, mixed text is kept verbatim', () => {
  const doc = parsePolicyDocument(
    '<?xml version="1.0"?>\n<!-- c --><policies><inbound><!-- c --><set-body><![CDATA[<a>&amp;</a>]]></set-body><set-body>a <!-- x -->b &amp; c</set-body></inbound></policies>',
  );
  const [cdataBody, textBody] = childElements(getSection(doc, 'inbound')!);
  assert.deepEqual(cdataBody.children, [{ type: 'text', value: '<a>&amp;</a>', position: { line: 2, column: 50, offset: 71 }, cdata: true }]);
  assert.equal(elementText(textBody), 'a b & c');
});

test('named values are collected with positions, also inside expressions, but not in Liquid templates', () => {
  const doc = parsePolicyDocument(
    [
      '<policies><inbound>',
      '<set-header name="{{header-name}}" exists-action="override"><value>@("Bearer " + "{{token.secret}}")</value></set-header>',
      '<set-body template="liquid">{{body.name}} {{ context.Request.Url }}</set-body>',
      '<set-variable name="x" value="{{not a name}} {{a_b}}" />',
      '</inbound></policies>',
    ].join('\n'),
  );
  assert.deepEqual(
    doc.namedValues.map((n) => [n.name, n.inExpression, n.position.line, n.position.column]),
    [
      ['header-name', false, 2, 19],
      ['token.secret', true, 2, 83],
      ['a_b', false, 4, 46],
    ],
  );
  const header = childElements(getSection(doc, 'inbound')!)[0];
  assert.equal(getAttribute(header, 'name')!.value, '{{header-name}}');
});

test('fragments parse with their policies as direct children', () => {
  const doc = parsePolicyDocument('<fragment>\n  <set-variable name="a" value="1" />\n  <base />\n</fragment>');
  assert.equal(doc.kind, 'fragment');
  assert.deepEqual(childElements(doc.root).map((e) => e.name), ['set-variable', 'base']);
});

test('errors name line and column', () => {
  expectError('<policies>\n  <inbound>\n  </outbound>\n</policies>', 'POLICY_XML_MISMATCHED_TAG', 3, 3);
  expectError('<policies>\n  <inbound>\n    <set-variable name="a" value="@(foo(1)" />\n  </inbound>\n</policies>', 'POLICY_EXPRESSION_UNTERMINATED', 3, 43);
  expectError('<policies>\n  <inbound>\n    <set-variable name="a" value="@(foo("x)) />\n  </inbound>\n</policies>', 'POLICY_EXPRESSION_UNTERMINATED', 3, 41);
  expectError('<policies>\n  <inbound>\n    <set-variable name="a" value="@(foo(1)))" />\n</inbound></policies>', 'POLICY_XML_MALFORMED', 3, 44);
  expectError('<policies>\n  <inbound />\n  <preprocess />\n</policies>', 'POLICY_UNKNOWN_SECTION', 3, 3);
  expectError('<policies>\n  <inbound />\n  <inbound />\n</policies>', 'POLICY_UNKNOWN_SECTION', 3, 3);
  expectError('<policy>\n</policy>', 'POLICY_UNKNOWN_ROOT', 1, 1);
  expectError('<policies>\n  <inbound>\n    <base>\n  </inbound>\n</policies>', 'POLICY_XML_MISMATCHED_TAG', 4, 3);
  expectError('<policies>\n  <inbound>', 'POLICY_XML_MALFORMED', 2, 3);
  expectError('<policies>\n  <inbound a=b />\n</policies>', 'POLICY_XML_MALFORMED', 2, 14);
  expectError('<policies>\n  <inbound a="1" a="2" />\n</policies>', 'POLICY_XML_MALFORMED', 2, 18);
  expectError('<policies />\n<policies />', 'POLICY_XML_MALFORMED', 2, 1);
  expectError('<policies><inbound><set-body>a & b</set-body></inbound></policies>', 'POLICY_XML_MALFORMED', 1, 32, 'xml');
  expectError('   ', 'POLICY_XML_MALFORMED', 1, 4);
});

test('rawxml accepts every document the xml format accepts, with the same tree', () => {
  const text = '<policies><inbound><set-header name="a&amp;b" exists-action="append"><value>@(&quot;x&quot;)</value></set-header></inbound></policies>';
  const xml = parsePolicyDocument(text, { format: 'xml' });
  const raw = parsePolicyDocument(text, { format: 'rawxml' });
  assert.deepEqual(raw.root, xml.root);
  assert.equal(raw.expressions[0].source, '@("x")');
});

test('damaged documents fail with a located PolicyError, never another exception', () => {
  const original = [
    '<policies>',
    '  <inbound>',
    '    <base />',
    '    <choose>',
    '      <when condition="@(context.Request.Headers.GetValueOrDefault("X-A", "") == "b" && 1 < 2)">',
    '        <set-body>@{ var s = $"{(1 + 2)} {{x}}"; return @"a""b" + s + \'c\'; /* } */ }</set-body>',
    '      </when>',
    '    </choose>',
    '    <set-header name="X" exists-action="override"><value>{{nv}} &amp; <![CDATA[<raw>]]></value></set-header>',
    '  </inbound>',
    '</policies>',
  ].join('\n');
  // A fixed-seed generator: the same damage on every run.
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const lines = original.split('\n').length;
  for (let i = 0; i < 2000; i++) {
    const at = Math.floor(random() * original.length);
    const kind = i % 3;
    const damaged =
      kind === 0
        ? original.slice(0, at)
        : kind === 1
          ? original.slice(0, at) + original.slice(at + 1 + Math.floor(random() * 3))
          : original.slice(0, at) + '<>"\'(){}&@'[Math.floor(random() * 10)] + original.slice(at);
    for (const format of ['xml', 'rawxml'] as const) {
      try {
        parsePolicyDocument(damaged, { format });
      } catch (error) {
        assert.ok(error instanceof PolicyError, `${format} ${JSON.stringify(damaged)}: ${error}`);
        assert.ok(error.line >= 1 && error.line <= lines + 1 && error.column >= 1, error.message);
      }
    }
  }
});

test('literalRanges: string, char, verbatim and interpolated text and comments are not code', () => {
  const source = '@{ var a = "x{{n1}}"; var b = \'c\'; var v = @"q""{{n2}}"; var i = $"t{{n3}}{ {{n4}} }"; // {{n5}}\n return {{n6}}; /* {{n7}} */ }';
  const literals = literalRanges(source);
  const inLiteral = (name: string) => {
    const index = source.indexOf(`{{${name}}}`);
    return literals.some(([start, end]) => index >= start && index < end);
  };
  assert.deepEqual(
    ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'].map(inLiteral),
    [true, true, true, false, true, false, true],
  );
  assert.deepEqual(literalRanges('@(unclosed'), []);
});
