/**
 * Every document of the public Azure policy corpus that Atrium accepts on save also compiles into
 * a pipeline: the runtimes read the attributes and children real documents use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { policyCorpus, policyCorpusMissing, xmlFiles } from '../../../test/support/corpus.ts';
import { relative } from 'node:path';
import { composePolicies, parsePolicyDocument, PolicyError, validatePolicyDocument, type PolicyDocument } from '../index.ts';
import { expressionChecker } from '../expression-checker.ts';
import { compilePolicy } from './compiler.ts';
import { testServices } from '../../../test/support/policy-context.ts';

const corpus = policyCorpus;
const skip = policyCorpusMissing;


test('every corpus document accepted on save compiles into a pipeline', { skip }, () => {
  const checker = expressionChecker();
  const services = testServices();
  let compiled = 0;
  const failures: string[] = [];
  for (const path of xmlFiles(corpus)) {
    const name = relative(corpus, path);
    let text = readFileSync(path, 'utf8');
    let document: PolicyDocument;
    try {
      document = parsePolicyDocument(text, { format: 'rawxml' });
    } catch (error) {
      if (!(error instanceof PolicyError) || error.code !== 'POLICY_UNKNOWN_ROOT') continue;
      text = `<policies><inbound>${text}</inbound></policies>`;
      try {
        document = parsePolicyDocument(text, { format: 'rawxml' });
      } catch {
        continue;
      }
    }
    if (!validatePolicyDocument(document, checker ? { compileExpression: checker } : {}).valid) continue;
    const fragment = document.kind === 'fragment' ? document : undefined;
    if (fragment) document = parsePolicyDocument('<policies><inbound><include-fragment fragment-id="it" /></inbound></policies>', { format: 'rawxml' });
    try {
      const { resolved } = composePolicies([{ scope: 'api', id: 'api', document }], {
        fragment: () => fragment ?? parsePolicyDocument('<fragment><set-header name="x-fragment" exists-action="override"><value>1</value></set-header></fragment>', { format: 'rawxml' }),
        namedValue: () => ({ value: '1' }),
      });
      compilePolicy(resolved, { services });
      compiled++;
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message}`);
    }
  }
  console.log(`  ${compiled} corpus documents compiled into pipelines`);
  assert.deepEqual(failures, []);
  assert.ok(compiled > 50, `${compiled} compiled`);
});
