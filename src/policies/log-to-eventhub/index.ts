import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Writes the message to the sink of the logger resource named by `logger-id` (in the
 * document's workspace): an HTTP endpoint or a file (see src/policy/runtime/loggers.ts). A logger
 * without such a sink (an Azure Event Hub) drops the messages, and compiling says so in the log.
 */
export const runtime: PolicyFactory = function compileLogToEventhub(input) {
  const id = input.constant('logger-id')!;
  const message = input.text();
  const partition = input.value('partition-key') ?? input.value('partition-id');
  const sink = input.logger(id);
  if (sink === undefined) input.services.log(`log-to-eventhub: logger '${id}' has no sink on this gateway; messages are dropped`);
  return function logToEventhub(pc) {
    if (sink === undefined || message === undefined) return undefined;
    sink(message(pc), partition ? partition(pc) : undefined);
    return undefined;
  };
};
