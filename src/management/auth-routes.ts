import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SESSION_PREFIX } from '../access/authenticator.ts';
import { hashSecret, verifySecret, generateSecret } from '../access/hashing.ts';
import { createAttemptLimiter } from '../access/limiter.ts';
import { AtriumError } from '../model/errors.ts';
import type { ResourcePath } from '../model/registry.ts';
import type { Engine } from './engine.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const FAILURE_WINDOW_MS = 15 * 60 * 1000;

/** Raised when an account or an address made too many failed attempts. */
export class TooManyAttemptsError extends AtriumError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('TOO_MANY_ATTEMPTS', `Too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Operator sign-in: `POST /auth/login` { email, password } → { token, expiresAt }, and
 * `POST /auth/logout`. Unknown accounts and wrong passwords get the same answer after the same
 * work; failures are limited per account and per address.
 */
export function registerAuthRoutes(app: FastifyInstance, engine: Engine, now: () => number = Date.now): void {
  const limiter = createAttemptLimiter({ limits: { account: 5, address: 20 }, windowMs: FAILURE_WINDOW_MS, now });
  const dummyHash = hashSecret(generateSecret(16));
  const operators = engine.registry.get('operators');
  const sessions = engine.registry.get('operatorSessions');

  app.post('/auth/login', { config: { public: true } }, async (request, reply) => {
    const body = request.body as { email?: unknown; password?: unknown } | undefined;
    if (!body || typeof body !== 'object' || typeof body.email !== 'string' || typeof body.password !== 'string' || body.email.length > 254 || body.password.length > 1024) {
      throw new AtriumError('VALIDATION_FAILED', 'Send { "email": "…", "password": "…" }.', [{ code: 'ValidationError', target: 'body', message: 'email and password strings are required' }]);
    }
    const email = body.email.trim().toLowerCase();
    const keys = [`account:${email}`, `address:${request.ip}`];
    const wait = limiter.blockedFor(keys);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const all = await engine.store.list({ parentKey: '', kind: 'operators' });
    const operator = all.items.find((o) => String(o.properties.email ?? '').toLowerCase() === email);
    const hash = operator && typeof operator.properties.password === 'string' ? operator.properties.password : await dummyHash;
    const ok = (await verifySecret(body.password, hash)) && operator !== undefined && operator.properties.state !== 'disabled';
    if (!ok || !operator) {
      limiter.fail(keys);
      throw new AtriumError('LOGIN_FAILED', 'Invalid email or password.');
    }
    limiter.reset([`account:${email}`]);
    const secret = generateSecret(32);
    const sessionName = randomBytes(12).toString('hex');
    const expiresAt = new Date(now() + SESSION_TTL_MS).toISOString();
    const path: ResourcePath = { workspace: undefined, steps: [{ def: operators, name: operator.name }, { def: sessions, name: sessionName }] };
    const { view } = await engine.put(
      path,
      { properties: { expiresAt, createdAt: new Date(now()).toISOString(), clientIp: request.ip, secret } },
      { audit: { principal: operator.id, requestId: request.id } },
    );
    const token = `${SESSION_PREFIX}.${Buffer.from(view.record.id).toString('base64url')}.${secret}`;
    return reply.status(200).send({ token, expiresAt });
  });

  app.post('/auth/logout', { config: { access: 'self' } }, async (request, reply) => {
    const sessionKey = request.principal?.sessionKey;
    if (!sessionKey) throw new AtriumError('VALIDATION_FAILED', 'Only a login session can log out; API keys are revoked by deleting them.');
    const record = await engine.store.get(sessionKey);
    if (record) {
      const parentName = record.id.split('/')[2];
      await engine.delete(
        { workspace: undefined, steps: [{ def: operators, name: parentName }, { def: sessions, name: record.name }] },
        { audit: { principal: request.principal!.id, requestId: request.id } },
      );
    }
    return reply.status(204).send();
  });
}
