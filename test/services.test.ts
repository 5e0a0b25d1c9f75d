import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { POSTGRES_URL, REDIS_URL, postgresAvailable, redisAvailable } from './support/services.ts';

/**
 * The real servers the suite runs against. Outside CI an unreachable one skips with its reason;
 * with CI=true `postgresAvailable`/`redisAvailable` throw, so the run fails instead of skipping.
 */
const pgStatus = await postgresAvailable();
const redisStatus = await redisAvailable();

describe('test services', () => {
  it(`PostgreSQL answers at ${POSTGRES_URL}`, { skip: pgStatus === true ? false : pgStatus }, async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      assert.match(rows[0].server_version, /^\d+/);
    } finally {
      await client.end();
    }
  });

  it(`Redis answers at ${REDIS_URL}`, { skip: redisStatus === true ? false : redisStatus }, async () => {
    assert.equal(await redisAvailable(), true);
  });
});
