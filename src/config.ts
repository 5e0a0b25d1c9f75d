import { resolve } from 'node:path';

/** Atrium's configuration, read from the environment (DESIGN.md §3); every variable is optional. */
export interface Config {
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly adminKey: string | undefined;
  readonly secretKey: string | undefined;
  readonly host: string;
  readonly gatewayPort: number;
  readonly managementPort: number;
  readonly portalPort: number;
  /** Prometheus `/metrics` of the gateways in this process. */
  readonly metricsPort: number;
  /** Hosts that API import links may fetch from even when they are private or loopback addresses. */
  readonly importAllowedHosts: readonly string[];
}

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIGURATION';
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw new ConfigError(`${name} must be a port number from 0 to 65535, not '${raw}'.`);
    return value;
  };
  const text = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  return {
    dataDir: resolve(text('ATRIUM_DATA_DIR') ?? './.atrium'),
    databaseUrl: text('ATRIUM_DATABASE_URL'),
    redisUrl: text('ATRIUM_REDIS_URL'),
    adminKey: text('ATRIUM_ADMIN_KEY'),
    secretKey: text('ATRIUM_SECRET_KEY'),
    host: text('ATRIUM_HOST') ?? '127.0.0.1',
    gatewayPort: port('ATRIUM_GATEWAY_PORT', 8000),
    managementPort: port('ATRIUM_MANAGEMENT_PORT', 8001),
    portalPort: port('ATRIUM_PORTAL_PORT', 8002),
    metricsPort: port('ATRIUM_METRICS_PORT', 9464),
    importAllowedHosts: (text('ATRIUM_IMPORT_ALLOWED_HOSTS') ?? '').split(',').map((h) => h.trim()).filter((h) => h !== ''),
  };
}
