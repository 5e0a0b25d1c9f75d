import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

/**
 * Reachability of the real PostgreSQL and Redis servers the tests use. Outside CI an unreachable
 * server skips the tests that need it, with a one-line reason; with CI=true it fails them.
 */
export const POSTGRES_URL = process.env.ATRIUM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.ATRIUM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const inCi = process.env.CI === 'true';

export async function postgresAvailable(): Promise<true | string> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    return unavailable('PostgreSQL', POSTGRES_URL, error as Error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function redisAvailable(): Promise<true | string> {
  const url = new URL(REDIS_URL);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379) });
    socket.setTimeout(3000);
    const done = (error?: Error): void => {
      socket.destroy();
      if (!error) resolve(true);
      else {
        try {
          resolve(unavailable('Redis', REDIS_URL, error));
        } catch (e) {
          reject(e);
        }
      }
    };
    socket.once('connect', () => {
      socket.write('PING\r\n');
      socket.once('data', (data) => done(data.toString().startsWith('+PONG') ? undefined : new Error(data.toString().trim())));
    });
    socket.once('timeout', () => done(new Error('timed out')));
    socket.once('error', done);
  });
}

function unavailable(name: string, url: string, error: Error): string {
  const reason = `${name} at ${url} is unreachable (${error.message})`;
  if (inCi) throw new Error(`${reason}; with CI=true it is required`);
  return reason;
}

/** A fresh PostgreSQL schema name for one test run; dropped by `dropSchema`. */
export function uniqueSchema(prefix = 'atrium_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
