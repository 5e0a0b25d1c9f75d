import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyDocument } from '../document/parser.ts';
import { serializePolicyDocument } from '../document/serializer.ts';
import { childElements, getSection } from '../document/tree.ts';
import type { PolicyDocument, PolicyElement, SectionName } from '../document/tree.ts';
import { PolicyError } from '../errors.ts';
import { composePolicies } from './compose.ts';
import { validatePolicyDocument } from '../validate/validator.ts';
import type { ComposeResolvers, PolicyLevel } from './compose.ts';

const header = (name: string) => `<set-header name="${name}" exists-action="append"><value>${name}</value></set-header>`;
const doc = (inbound: string, rest = '') => parsePolicyDocument(`<policies><inbound>${inbound}</inbound>${rest}</policies>`);

/** Names of the headers set in a section, in order, with where each came from. */
function headers(document: PolicyDocument, section: SectionName = 'inbound'): string[] {
  return childElements(getSection(document, section)!).map((e) => {
    const name = e.attributes.find((a) => a.name === 'name')?.value ?? e.name;
    return `${name}@${e.origin?.kind}${e.origin?.id ? `:${e.origin.id}` : ''}`;
  });
}

test('each level runs its parent where it writes <base/>', () => {
  const levels: PolicyLevel[] = [
    { scope: 'global', document: doc(header('g'), '<backend><forward-request /></backend>') },
    { scope: 'workspace', id: 'ws', workspace: 'ws', document: doc(`<base />${header('w')}`) },
    { scope: 'product', id: 'p', workspace: 'ws', document: doc(`${header('p-before')}<base />${header('p')}`) },
    { scope: 'api', id: 'a', workspace: 'ws', document: doc(`<base />${header('a')}`) },
    { scope: 'operation', id: 'o', workspace: 'ws', document: doc(`<base />${header('o')}`, '<backend><base /></backend>') },
  ];
  const { effective } = composePolicies(levels);
  assert.deepEqual(headers(effective), ['p-before@product:p', 'g@global', 'w@workspace:ws', 'p@product:p', 'a@api:a', 'o@operation:o']);
  assert.deepEqual(headers(effective, 'backend'), ['forward-request@global']);
});

test('a level without <base/> drops its parents; a missing level or section inherits', () => {
  const levels: PolicyLevel[] = [
    { scope: 'global', document: doc(header('g'), '<backend><forward-request /></backend>') },
    { scope: 'workspace', workspace: 'ws' },
    { scope: 'api', id: 'a', document: doc(`<base />${header('a')}`) },
    { scope: 'operation', id: 'o', document: doc(header('o'), '<outbound />') },
  ];
  const { effective } = composePolicies(levels);
  assert.deepEqual(headers(effective), ['o@operation:o']);
  assert.deepEqual(headers(effective, 'backend'), ['forward-request@global']);
  assert.deepEqual(headers(effective, 'outbound'), []);
});

function fragments(map: Record<string, string>): ComposeResolvers['fragment'] {
  return (id, workspace) => {
    const text = map[`${workspace ?? ''}/${id}`];
    return text === undefined ? undefined : parsePolicyDocument(text);
  };
}

test('fragments are expanded at any depth from the workspace of the including document', () => {
  const resolver = fragments({
    'ws/auth': `<fragment>${header('f1')}<include-fragment fragment-id="inner" /></fragment>`,
    'ws/inner': `<fragment>${header('f2')}</fragment>`,
    '/auth': `<fragment>${header('service-level')}</fragment>`,
  });
  const levels: PolicyLevel[] = [
    { scope: 'api', id: 'a', workspace: 'ws', document: doc('<choose><when condition="@(true)"><include-fragment fragment-id="auth" /></when></choose>') },
  ];
  const { effective, dependencies } = composePolicies(levels, { fragment: resolver });
  const when = childElements(childElements(getSection(effective, 'inbound')!)[0])[0];
  assert.deepEqual(childElements(when).map((e) => `${e.children.length ? (e.attributes[0].value) : e.name}@${e.origin?.id}`), ['f1@auth', 'f2@inner']);
  assert.deepEqual(dependencies.fragments, [
    { workspace: 'ws', id: 'auth' },
    { workspace: 'ws', id: 'inner' },
  ]);
});

test('fragment cycles and missing fragments are rejected with the chain and the place named', () => {
  const resolver = fragments({
    'ws/a': '<fragment><include-fragment fragment-id="b" /></fragment>',
    'ws/b': '<fragment>\n  <include-fragment fragment-id="a" /></fragment>',
  });
  assert.throws(
    () => composePolicies([{ scope: 'api', workspace: 'ws', document: doc('<include-fragment fragment-id="a" />') }], { fragment: resolver }),
    (error: unknown) =>
      error instanceof PolicyError && error.code === 'POLICY_FRAGMENT_CYCLE' && /a → b → a/.test(error.message) && error.line === 2 && error.column === 3,
  );
  assert.throws(
    () => composePolicies([{ scope: 'api', workspace: 'other', document: doc('<include-fragment fragment-id="a" />') }], { fragment: resolver }),
    (error: unknown) =>
      error instanceof PolicyError && error.code === 'POLICY_FRAGMENT_NOT_FOUND' && /'a' does not exist in workspace 'other'/.test(error.message),
  );
});

test('named values are substituted from the document’s own workspace, secrets listed, effective policy keeps placeholders', () => {
  const values: Record<string, { value: string; secret?: boolean }> = {
    '/region': { value: 'eu' },
    'ws/token': { value: 's3cr3t', secret: true },
    'ws/expr': { value: '@(context.Request.Method)' },
  };
  const resolvers: ComposeResolvers = { namedValue: (name, workspace) => values[`${workspace ?? ''}/${name}`] };
  const levels: PolicyLevel[] = [
    { scope: 'global', document: doc('<set-header name="X-Region" exists-action="override"><value>{{region}}</value></set-header>') },
    {
      scope: 'api',
      workspace: 'ws',
      document: doc('<base /><set-header name="Authorization" exists-action="override"><value>@("Bearer {{token}}")</value></set-header><set-variable name="m" value="{{expr}}" />'),
    },
  ];
  const result = composePolicies(levels, resolvers);
  const resolved = childElements(getSection(result.resolved, 'inbound')!);
  assert.equal((childElements(resolved[0])[0].children[0] as { value: string }).value, 'eu');
  assert.equal((childElements(resolved[1])[0].children[0] as { value: string }).value, '@("Bearer s3cr3t")');
  assert.equal(resolved[2].attributes[1].value, '@(context.Request.Method)');
  assert.equal(resolved[2].attributes[1].expression, 'inline');
  assert.deepEqual(result.secretValues, ['s3cr3t']);
  assert.deepEqual(result.dependencies.namedValues, [
    { workspace: undefined, name: 'region' },
    { workspace: 'ws', name: 'token' },
    { workspace: 'ws', name: 'expr' },
  ]);
  assert.equal((childElements(resolved[1])[0].children[0] as { secret?: boolean }).secret, true);
  assert.equal((childElements(resolved[0])[0].children[0] as { secret?: boolean }).secret, undefined);
  const resolvedText = serializePolicyDocument(result.resolved);
  assert.ok(!resolvedText.includes('s3cr3t'));
  assert.match(resolvedText, /<value>\*\*\*\*\*\*<\/value>/);
  assert.match(resolvedText, /<value>eu<\/value>/);
  assert.match(serializePolicyDocument(result.resolved, { revealSecrets: true }), /Bearer s3cr3t/);
  const effectiveText = serializePolicyDocument(result.effective);
  assert.ok(!effectiveText.includes('s3cr3t'));
  assert.match(effectiveText, /\{\{token\}\}/);

  // A workspace document never sees service-level named values.
  assert.throws(
    () => composePolicies([{ scope: 'api', workspace: 'ws', document: doc('<set-variable name="r" value="{{region}}" />') }], resolvers),
    (error: unknown) => error instanceof PolicyError && error.code === 'POLICY_NAMED_VALUE_NOT_FOUND' && /'region' does not exist in workspace 'ws'/.test(error.message),
  );
});

test('the effective policy serialises to a document that parses back to the same policies', () => {
  const levels: PolicyLevel[] = [
    { scope: 'global', document: doc(header('g'), '<backend><forward-request /></backend>') },
    { scope: 'api', document: doc('<base /><set-variable name="v" value="@(context.Variables["a"] &amp;&amp; 1 < 2)" />') },
  ];
  const text = serializePolicyDocument(composePolicies(levels).effective);
  assert.equal(
    text,
    [
      '<policies>',
      '\t<inbound>',
      '\t\t<set-header name="g" exists-action="append">',
      '\t\t\t<value>g</value>',
      '\t\t</set-header>',
      '\t\t<set-variable name="v" value="@(context.Variables["a"] && 1 < 2)" />',
      '\t</inbound>',
      '\t<backend>',
      '\t\t<forward-request />',
      '\t</backend>',
      '\t<outbound />',
      '\t<on-error />',
      '</policies>',
      '',
    ].join('\n'),
  );
  const reparsed = parsePolicyDocument(text);
  assert.equal(reparsed.expressions[0].source, '@(context.Variables["a"] && 1 < 2)');
  const names = (e: PolicyElement): unknown => [e.name, e.attributes.map((a) => [a.name, a.value]), childElements(e).map(names)];
  assert.deepEqual(names(reparsed.root), names(composePolicies(levels).effective.root));
});

test('validating the effective policy applies section rules to fragment content and names the fragment', () => {
  const resolver = fragments({ '/backend-call': '<fragment>\n  <forward-request />\n</fragment>' });
  const { effective } = composePolicies([{ scope: 'global', document: doc('<include-fragment fragment-id="backend-call" />') }], { fragment: resolver });
  const result = validatePolicyDocument(effective, { compileExpression: false });
  assert.deepEqual(
    result.errors.map((e) => [e.code, e.line, e.column, e.message]),
    [
      [
        'POLICY_ELEMENT_NOT_ALLOWED',
        2,
        3,
        "Policy <forward-request> is not allowed in the inbound section (allowed in: backend) in fragment 'backend-call' (line 2, column 3)",
      ],
    ],
  );
});
