import { createAtrium } from '../atrium.ts';
import { ConfigError, readConfig } from '../config.ts';

/** The `atrium` command. */
const USAGE = `Usage: atrium <command>

Commands:
  start        run Atrium (management API; gateway and portal as they are built) on the configured store
  help         show this help

Configuration comes from the environment: ATRIUM_DATA_DIR, ATRIUM_DATABASE_URL, ATRIUM_REDIS_URL,
ATRIUM_ADMIN_KEY, ATRIUM_SECRET_KEY, ATRIUM_HOST, ATRIUM_GATEWAY_PORT, ATRIUM_MANAGEMENT_PORT, ATRIUM_PORTAL_PORT.`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'start':
      return start();
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

async function start(): Promise<number> {
  const config = readConfig();
  const atrium = await createAtrium(config);
  const urls = await atrium.listen();
  const lines = [
    'Atrium is running.',
    `  Management API   ${urls.management}   (OpenAPI: ${urls.management}/openapi.json, health: ${urls.management}/health)`,
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
