import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { policyCorpus, policyCorpusMissing, xmlFiles } from '../../../test/support/corpus.ts';
import { parsePolicyDocument } from './parser.ts';
import { serializePolicyDocument } from './serializer.ts';
import type { PolicyDocument, PolicyNode } from './tree.ts';

/** The tree without positions, for comparing a document with its re-parsed serialisation. */
function shape(node: PolicyNode): unknown {
  if (node.type === 'text') return [node.value, node.cdata ?? false, node.expression ?? null];
  return [node.name, node.attributes.map((a) => [a.name, a.value, a.expression ?? null]), node.children.map(shape)];
}

function roundTrip(document: PolicyDocument, format: 'xml' | 'rawxml'): PolicyDocument {
  return parsePolicyDocument(serializePolicyDocument(document, { format }), { format });
}

test('values that need escaping survive both formats', () => {
  const document = parsePolicyDocument(
    [
      '<policies><inbound>',
      '<set-variable name="a&amp;b" value="@(&quot;&amp;lt;&quot; + "<>" + \'q\')" />',
      '<set-body>@{ return "a &amp;&amp; b" + "]]>"; }</set-body>',
      '<set-body><![CDATA[x ]]]]><![CDATA[> y]]></set-body>',
      '<set-header name="X" exists-action="override"><value>line1&#10;"two" &lt;3</value></set-header>',
      '</inbound></policies>',
    ].join('\n'),
  );
  assert.equal(document.expressions[0].source, `@("&lt;" + "<>" + 'q')`);
  for (const format of ['xml', 'rawxml'] as const) {
    const again = roundTrip(document, format);
    assert.deepEqual(shape(again.root), shape(document.root), format);
    assert.deepEqual(again.expressions.map((e) => e.source), document.expressions.map((e) => e.source), format);
  }
  const xml = serializePolicyDocument(document, { format: 'xml' });
  assert.match(xml, /value="@\(&quot;&amp;lt;&quot; \+ &quot;&lt;>&quot; \+ 'q'\)"/);
});

const corpus = policyCorpus;


test('every parsable corpus document serialises and parses back to the same tree, in both formats', { skip: policyCorpusMissing }, () => {
  let checked = 0;
  for (const path of xmlFiles(corpus)) {
    let document: PolicyDocument;
    try {
      document = parsePolicyDocument(readFileSync(path, 'utf8'));
    } catch {
      continue; // the corpus test accounts for documents that do not parse
    }
    for (const format of ['xml', 'rawxml'] as const) {
      const again = roundTrip(document, format);
      assert.deepEqual(shape(again.root), shape(document.root), `${path} (${format})`);
      assert.deepEqual(again.namedValues.map((n) => n.name), document.namedValues.map((n) => n.name), path);
    }
    checked++;
  }
  assert.ok(checked >= 64, `only ${checked} documents checked`);
});
