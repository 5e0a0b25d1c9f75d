import { appendFile } from 'node:fs/promises';
import { getGlobalDispatcher, type Dispatcher } from 'undici';
import type { ResourceRecord } from '../../store/store.ts';
import { refusedDestination, type OutboundRules } from './outbound.ts';
import type { LogSink } from './types.ts';

/**
 * Atrium's meaning of a logger resource for log-to-eventhub: its `credentials` name a sink —
 * `url` (each message is POSTed there) or `file` (each message is appended as a line). A
 * logger with neither (an Azure Event Hub connection string) has no sink on an Atrium gateway.
 * Delivery never holds up the request: failures are logged, file writes keep their order.
 */
export function createLogSink(
  record: ResourceRecord,
  reveal: (record: ResourceRecord) => Record<string, unknown>,
  options: { readonly dispatcher?: Dispatcher; readonly log: (message: string) => void; readonly outbound?: OutboundRules },
): LogSink | undefined {
  const credentials = (reveal(record).credentials ?? {}) as Record<string, unknown>;
  const url = typeof credentials.url === 'string' ? credentials.url : undefined;
  const file = typeof credentials.file === 'string' ? credentials.file : undefined;
  if (url !== undefined) {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      options.log(`logger ${record.id}: '${url}' is not a URL`);
      return undefined;
    }
    const headers: Record<string, string> = {};
    if (typeof credentials.authorization === 'string') headers.authorization = credentials.authorization;
    return function httpSink(message, partition) {
      const body = message;
      const h = { ...headers, 'content-type': /^\s*[[{]/.test(body) ? 'application/json' : 'text/plain; charset=utf-8', ...(partition ? { 'x-partition-key': partition } : {}) };
      refusedDestination(target, options.outbound)
        .then((refused) => {
          if (refused !== undefined) throw new Error(`requests to ${refused} are not allowed from policies`);
          return (options.dispatcher ?? getGlobalDispatcher()).request({ origin: target.origin, path: `${target.pathname}${target.search}`, method: 'POST', headers: h, body, headersTimeout: 10_000, bodyTimeout: 10_000 });
        })
        .then((response) => response.body.dump())
        .catch((error: Error & { code?: string }) => options.log(`logger ${record.id}: delivery to ${target.host} failed (${error.code ?? error.message})`));
    };
  }
  if (file !== undefined) {
    let chain: Promise<void> = Promise.resolve();
    return function fileSink(message) {
      const line = message.endsWith('\n') ? message : `${message}\n`;
      chain = chain.then(() => appendFile(file, line)).catch((error: Error) => options.log(`logger ${record.id}: cannot write ${file} (${error.message})`));
    };
  }
  return undefined;
}
