import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { apiProperties, apiSchemaProperties, operationProperties } from '../model/resources/apis.ts';
import { tagProperties } from '../model/resources/tags.ts';
import { importDefinition } from './index.ts';

/**
 * What an import returns is stored as it is, so it must pass the resource model's own schemas
 * (Azure's REST contracts): every corpus document, every operation, schema resource and tag.
 */

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpus/openapi');
const documents = [
  'oai-examples/v2.0/json/uber.json',
  'oai-examples/v3.0/uspto.yaml',
  'oai-examples/v3.1/webhook-example.yaml',
  'redocly-museum/openapi.yaml',
  'twilio/twilio_messaging_v1.json',
  'box/openapi.json',
  'openai/openapi.yaml',
];

function problems(schema: TSchema, value: unknown): string[] {
  return [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.path} ${e.message}`);
}

test('imports satisfy the resource model: API, operation, schema and tag properties', { skip: existsSync(corpus) ? false : 'the shared corpus is not beside the repository' }, async () => {
  for (const file of documents) {
    const result = await importDefinition({ format: 'openapi', value: readFileSync(join(corpus, file), 'utf8') });
    assert.deepEqual(problems(apiProperties, result.api), [], `${file}: API properties`);
    for (const op of result.operations) assert.deepEqual(problems(operationProperties, op.properties), [], `${file}: operation ${op.name}`);
    for (const schema of result.schemas) assert.deepEqual(problems(apiSchemaProperties, schema.properties), [], `${file}: schema ${schema.name}`);
    for (const tag of result.tags) {
      assert.deepEqual(problems(tagProperties, tag.properties), [], `${file}: tag ${tag.name}`);
      assert.match(tag.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  }
});
