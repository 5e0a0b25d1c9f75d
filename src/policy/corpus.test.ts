/**
 * Loads every policy document of the public Azure policy corpus (shared/corpus, next to the
 * repository) and the VS Code snippet catalog, and prints what Atrium makes of each: accepted,
 * or rejected with the message naming the unsupported policy or the broken construct.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { policyCorpus, policyCorpusMissing, xmlFiles } from '../../test/support/corpus.ts';
import { join, relative } from 'node:path';
import { parsePolicyDocument } from './document/parser.ts';
import { PolicyError } from './errors.ts';
import { validatePolicyDocument } from './validate/validator.ts';
import type { ValidateOptions, ValidationResult } from './validate/validator.ts';
import { expressionChecker } from './expression-checker.ts';
import { getPolicySchema } from '../policies/registry.ts';

const corpus = policyCorpus;
const skip = policyCorpusMissing;

/**
 * Documents that are broken upstream (see the corpus's analysis.md), with the error Atrium
 * must give for them.
 */
const brokenUpstream: Record<string, { code: string; line: number; column: number; match: RegExp }> = {
  // C# strings mangled to "latlong=""" leave a string literal open across lines.
  'examples/Call out to an HTTP endpoint and cache the response.policy.xml': {
    code: 'POLICY_EXPRESSION_UNTERMINATED',
    line: 41,
    column: 73,
    match: /string literal is never closed/,
  },
  // duration="{{cachetime}]": a named value placeholder with a typo, so not an integer.
  'examples/Get OAuth2 access token from AAD using client id and certificate using key vault manage identity.xml': {
    code: 'POLICY_INVALID_ATTRIBUTE',
    line: 92,
    column: 136,
    match: /'duration' of <cache-store-value> must be an integer, not '\{\{cachetime\}\]'/,
  },
};

/**
 * Documents that, with the expression compiler present, may fail — but only with
 * POLICY_EXPRESSION_INVALID — and why.
 */
const expressionFailures: Record<string, string> = {
  // Broken upstream (analysis.md): strings mangled to "x=""".
  'examples/Pre-authorize requests based on HTTP method with validate-jwt.policy.xml': 'upstream: mangled string literals',
  'examples/Loopback request for service at same API Management service.xml': 'upstream: mangled string literals',
  // Broken upstream (analysis.md): context.Request.MatchedParameters("x") called as a method.
  'examples/DELETE a from to blobStorage account.xml': 'upstream: MatchedParameters called as a method',
  'examples/GET a file from blobStorage account.xml': 'upstream: MatchedParameters called as a method',
  'examples/PUT a file to blobStorage account.xml': 'upstream: MatchedParameters called as a method',
  // Broken upstream: DateTime.AddSeconds is given a string, which C# does not convert.
  'examples/Return a blob URL signed with a user delegation SAS token.xml': 'upstream: AddSeconds(string)',
  // .NET features the expression compiler does not provide yet (another area's work in progress).
  'examples/Create HMAC SHA256-Signed JWT.policy.xml': 'expression compiler: JsonConvert.SerializeObject of an anonymous type not provided yet',
  'examples/Extract value from XML.xml': 'expression compiler: XmlReader not provided yet',
  'examples/Extracting multiple values from xml documents.policy.xml': 'expression compiler: XDocument not provided yet',
};


interface Row {
  readonly name: string;
  /** 'bare snippet': policies without a root element, accepted as the body of a fragment. */
  readonly outcome: 'accepted' | 'unsupported' | 'rejected' | 'bare snippet';
  /** Rejected only because the expression compiler refused expressions. */
  readonly expressionsOnly?: boolean;
  readonly detail: string;
  readonly result?: ValidationResult;
  readonly error?: PolicyError;
}

const checker = expressionChecker();
const options: ValidateOptions = checker ? { compileExpression: checker } : {};

function check(name: string, text: string): Row {
  let document;
  try {
    document = parsePolicyDocument(text, { format: 'rawxml' });
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    if (error.code === 'POLICY_UNKNOWN_ROOT' && !text.startsWith('<fragment>')) {
      // A bare snippet (policies without a root): checked as the body of a fragment.
      const row = check(name, `<fragment>${text}</fragment>`);
      return { ...row, outcome: row.outcome === 'accepted' ? 'bare snippet' : row.outcome, detail: `bare snippet, checked as a fragment: ${row.detail}` };
    }
    return { name, outcome: 'rejected', detail: `${error.code}: ${error.message}`, error };
  }
  const result = validatePolicyDocument(document, options);
  if (result.valid) {
    const warnings = result.warnings.length > 0 ? ` (${result.warnings.length} warning${result.warnings.length > 1 ? 's' : ''})` : '';
    return { name, outcome: 'accepted', detail: `${document.kind}, ${document.expressions.length} expressions${warnings}`, result };
  }
  const onlyUnsupported = result.errors.every((e) => e.code === 'POLICY_UNSUPPORTED_ELEMENT');
  return {
    name,
    outcome: onlyUnsupported ? 'unsupported' : 'rejected',
    expressionsOnly: result.errors.every((e) => e.code === 'POLICY_EXPRESSION_INVALID'),
    detail: result.errors.map((e) => `${e.code}: ${e.message}`).join('; '),
    result,
    error: result.errors[0],
  };
}

function printTable(title: string, rows: readonly Row[]): void {
  const lines = [`\n${title}`, ...rows.map((r) => `  ${r.outcome.padEnd(14)} ${r.name}\n  ${' '.repeat(14)} ${r.detail}`)];
  const count = (o: Row['outcome']) => rows.filter((r) => r.outcome === o).length;
  const unsupported = [...new Set(rows.flatMap((r) => r.result?.unsupported ?? []))].sort();
  lines.push(
    `  ${rows.length} entries: ${count('accepted')} accepted, ${count('unsupported')} rejected for unsupported policies (${unsupported.join(', ') || 'none'}), ${count('rejected')} rejected (${rows.filter((r) => r.expressionsOnly).length} of them only for expressions the compiler refuses), ${count('bare snippet')} bare snippets accepted as fragment bodies`,
  );
  console.log(lines.join('\n'));
}

test('every policy document of the Azure corpus loads, or fails naming the unsupported policy or the broken spot', { skip }, () => {
  const rows = xmlFiles(corpus).map((path) => check(relative(corpus, path), readFileSync(path, 'utf8')));
  printTable(`Azure policy corpus (${checker ? 'with' : 'without'} the expression compiler)`, rows);
  if (checker) {
    const failing = rows.filter((r) => expressionFailures[r.name] && r.outcome === 'rejected');
    console.log(`  expression failures allowed: ${failing.map((r) => `${r.name} (${expressionFailures[r.name]})`).join('; ') || 'none'}`);
  }

  for (const row of rows) {
    const broken = brokenUpstream[row.name];
    if (broken) {
      assert.equal(row.outcome, 'rejected', row.name);
      const errors = row.result?.errors ?? [row.error!];
      const expected = errors.find((e) => e.code === broken.code && e.line === broken.line && e.column === broken.column);
      assert.ok(expected, `${row.name}: expected ${broken.code} at ${broken.line}:${broken.column}, got ${row.detail}`);
      assert.match(expected.message, broken.match);
      // Anything else may only be an expression the compiler rejects.
      for (const error of errors) if (error !== expected) assert.equal(error.code, 'POLICY_EXPRESSION_INVALID', row.detail);
      continue;
    }
    if (checker && expressionFailures[row.name] && row.outcome === 'rejected') {
      for (const error of row.result?.errors ?? []) assert.equal(error.code, 'POLICY_EXPRESSION_INVALID', row.detail);
      continue;
    }
    if (row.outcome === 'bare snippet') {
      // Three bare snippets removed upstream long ago; they have no <policies> root.
      assert.match(row.name, /^_removed-from-upstream\/Snippets\//, row.detail);
      continue;
    }
    assert.notEqual(row.outcome, 'rejected', `${row.name}: ${row.detail}`);
    if (row.outcome === 'unsupported') {
      for (const error of row.result!.errors) assert.match(error.message, /^Policy <[a-z-]+> is not supported by Atrium/);
    }
  }
  const primary = rows.filter((r) => r.name.startsWith('examples/'));
  assert.equal(primary.length, 59);
  const documents = rows.filter((r) => r.outcome !== 'bare snippet');
  const allowed = 4 + (checker ? Object.keys(expressionFailures).length : 0);
  assert.ok(documents.filter((r) => r.outcome === 'accepted').length >= documents.length - allowed);
});

/**
 * VS Code snippet bodies with their tab stops filled: choices take the first, other stops become
 * named values (whose values are checked only once substituted).
 */
function fillSnippet(body: string): string {
  return body
    .replace(/\$\{(\d+)\|([^,|}]*)[^}]*\|\}/g, '$2')
    .replace(/\$\{(\d+):[^}]*\}/g, '{{snippet-$1}}')
    .replace(/\$0/g, '')
    .replace(/\$(\d+)/g, '{{snippet-$1}}');
}

test('every VS Code snippet loads as a document or fragment, or fails naming the unsupported policy or the broken spot', { skip }, () => {
  const snippets = JSON.parse(readFileSync(join(corpus, 'vscode-snippets/xml.json'), 'utf8')) as Record<string, { body: string[] }>;
  const rows: Row[] = [];
  for (const [name, snippet] of Object.entries(snippets)) {
    const body = fillSnippet(snippet.body.join('\n'));
    // A lone policy goes into the first section its schema allows.
    const root = /^\s*<([\w-]+)/.exec(body)?.[1] ?? '';
    const section = getPolicySchema(root)?.sections[0] ?? 'inbound';
    const text = root === 'policies' ? body : `<policies><${section}>${body}</${section}></policies>`;
    rows.push(check(name, text));
  }
  printTable('VS Code snippet catalog', rows);
  assert.equal(rows.length, 47);
  for (const row of rows) {
    if (row.name === 'validate-jwt') {
      // Upstream writes <openid-config url="$8"> without closing it.
      assert.equal(row.error?.code, 'POLICY_XML_MISMATCHED_TAG', row.detail);
      assert.match(row.detail, /<\/validate-jwt> does not match <openid-config>/);
      continue;
    }
    assert.ok(row.outcome === 'accepted' || row.outcome === 'unsupported', `${row.name}: ${row.detail}`);
  }
  const unsupported = [...new Set(rows.flatMap((r) => r.result?.unsupported ?? []))].sort();
  assert.deepEqual(unsupported, ['authentication-certificate', 'cross-domain', 'proxy', 'xsl-transform']);
});
