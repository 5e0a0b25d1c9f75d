import { parseArgs } from 'node:util';
import { rotateAdminKey } from '../access/authenticator.ts';
import { rotateSecretKey } from '../access/secret-keys.ts';
import { apiCommand } from './api-commands.ts';
import { policyCommand } from './policy-test.ts';
import { parseSecretKey } from '../access/secrets.ts';
import { createAtrium } from '../atrium.ts';
import { ConfigError, readConfig } from '../config.ts';
import { startStandaloneGateway } from '../gateway/standalone.ts';
import { createRegistry } from '../model/registry.ts';
import { resourceTypes } from '../model/resources/index.ts';
import { openStore } from '../store/index.ts';

/** The `atrium` command. */
const USAGE = `Usage: atrium <command>

Commands:
  start                   run Atrium (management API; gateway and portal as they are built) on the configured store
  api import <file|url>   import an OpenAPI/Swagger definition into an API (see: atrium api)
  api export              export an API's definition
  policy test <file>      run a policy document against a request with a stubbed backend and show each step
  secrets rotate          re-encrypt every secret at rest under a new key (then restart running processes)
                          [--new-key <64 hex characters>] required when ATRIUM_SECRET_KEY is set
  admin-key rotate        replace the organization admin key and print the new one once
  gateway --gateway <id>  run one gateway alone against the configured store (any number of replicas);
                          [--port <n>] overrides the port (default: the gateway's port, ATRIUM_GATEWAY_PORT for managed)
  help                    show this help

Configuration comes from the environment: ATRIUM_DATA_DIR, ATRIUM_DATABASE_URL, ATRIUM_REDIS_URL,
ATRIUM_ADMIN_KEY, ATRIUM_SECRET_KEY, ATRIUM_HOST, ATRIUM_GATEWAY_PORT, ATRIUM_MANAGEMENT_PORT, ATRIUM_PORTAL_PORT,
ATRIUM_METRICS_PORT.`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'start':
      return start();
    case 'gateway':
      return gateway(argv.slice(1));
    case 'api':
      return apiCommand(argv.slice(1));
    case 'policy':
      return policyCommand(argv.slice(1));
    case 'secrets':
      if (argv[1] === 'rotate') return rotateSecrets(argv.slice(2));
      console.error(`atrium: usage: atrium secrets rotate [--new-key <hex>]`);
      return 2;
    case 'admin-key':
      if (argv[1] === 'rotate') return rotateAdmin();
      console.error('atrium: usage: atrium admin-key rotate');
      return 2;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`atrium: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

async function rotateSecrets(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { 'new-key': { type: 'string' } } });
  const config = readConfig();
  if (config.secretKey && !values['new-key']) {
    console.error('atrium: ATRIUM_SECRET_KEY is set, so give the new key: atrium secrets rotate --new-key <64 hex characters>');
    return 2;
  }
  const store = await openStore(config.databaseUrl, config.dataDir);
  try {
    const { resealed } = await rotateSecretKey({
      config,
      store,
      registry: createRegistry(resourceTypes),
      newKey: values['new-key'] ? parseSecretKey(values['new-key']) : undefined,
    });
    console.log(`Re-encrypted ${resealed} secret${resealed === 1 ? '' : 's'} under the new key.`);
    if (config.secretKey) {
      console.log('Now set ATRIUM_SECRET_KEY to the new key (and ATRIUM_SECRET_KEY_PREVIOUS to the old one until every process has restarted).');
    } else {
      console.log(`The new key is in ${config.dataDir}/secret.key (the old one is kept as secret.key.previous). Restart running Atrium processes.`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

async function rotateAdmin(): Promise<number> {
  const config = readConfig();
  if (config.adminKey) {
    console.error('atrium: ATRIUM_ADMIN_KEY is set; change that variable instead.');
    return 2;
  }
  const store = await openStore(config.databaseUrl, config.dataDir);
  try {
    const key = await rotateAdminKey(store);
    console.log(`New admin key (shown once, stored only as a hash): ${key}\nRunning processes accept it at once, and the old key stops working.`);
    return 0;
  } finally {
    await store.close();
  }
}

async function start(): Promise<number> {
  const config = readConfig();
  const atrium = await createAtrium(config);
  const urls = await atrium.listen();
  const lines = [
    'Atrium is running.',
    `  Management API   ${urls.management}   (OpenAPI: ${urls.management}/openapi.json, health: ${urls.management}/health)`,
    `  Gateway          ${urls.gateway}   (the managed gateway; status: ${urls.gateway}/status-0123456789abcdef)`,
    ...Object.entries(urls.gateways)
      .filter(([id]) => id !== 'managed')
      .map(([id, url]) => `  Gateway ${id.padEnd(8)} ${url}`),
    urls.metrics ? `  Metrics          ${urls.metrics}/metrics` : `  Metrics          not served (ATRIUM_METRICS_PORT ${config.metricsPort} is busy)`,
    `  Store            ${atrium.store.dialect === 'sqlite' ? `SQLite in ${config.dataDir}` : 'PostgreSQL'}`,
  ];
  if (atrium.adminKeyGenerated) {
    lines.push('', `  Admin key (shown once, stored only as a hash): ${atrium.adminKey}`, '  Use it as: Authorization: Bearer <admin key>');
  } else if (atrium.adminKey) {
    lines.push('', '  Admin key: the value of ATRIUM_ADMIN_KEY');
  } else {
    lines.push('', '  Admin key: printed on first start; set ATRIUM_ADMIN_KEY to replace it.');
  }
  console.log(lines.join('\n'));
  const stop = async (): Promise<void> => {
    await atrium.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return new Promise<number>(() => undefined);
}

/** `atrium gateway --gateway <id>`: one gateway alone; SIGTERM drains in-flight requests and flushes logs. */
async function gateway(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { gateway: { type: 'string' }, port: { type: 'string' } } });
  if (!values.gateway) {
    console.error('atrium: usage: atrium gateway --gateway <id> [--port <n>]');
    return 2;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    console.error(`atrium: --port must be a port number, not '${values.port}'`);
    return 2;
  }
  const config = readConfig();
  const running = await startStandaloneGateway(config, { gatewayId: values.gateway, port });
  console.log(
    [
      `Atrium gateway '${values.gateway}' is running.`,
      `  Gateway   ${running.url ?? '(not listening: the gateway resource has no port)'}`,
      `  Metrics   ${running.metricsUrl}/metrics`,
      `  Store     ${config.databaseUrl && /^postgres/i.test(config.databaseUrl) ? 'PostgreSQL' : `SQLite in ${config.dataDir}`}${running.runtime.follower.storeReachable() ? '' : ' (unreachable: serving the persisted configuration)'}`,
    ].join('\n'),
  );
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return new Promise<number>(() => undefined);
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (error: Error & { code?: string }) => {
      if (error instanceof ConfigError || error.code) console.error(`atrium: ${error.message}`);
      else console.error(error);
      process.exit(1);
    },
  );
}
