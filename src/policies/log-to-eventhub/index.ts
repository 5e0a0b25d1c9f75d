import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Writes the message to the sink of the logger resource named by `logger-id` (in the
 * document's workspace). Without a sink for it (no logger resolver given to the gateway, or the
 * logger is unknown) the policy does nothing, and compiling says so once in the log.
 */
export const runtime: PolicyFactory = function compileLogToEventhub(input) {
  const id = input.constant('logger-id')!;
  const message = input.text();
  const partition = input.value('partition-key') ?? input.value('partition-id');
  const sink = input.services.logger?.(id, input.workspace);
  if (sink === undefined) input.services.log(`log-to-eventhub: logger '${id}' has no sink on this gateway; messages are dropped`);
  return function logToEventhub(pc) {
    if (sink === undefined || message === undefined) return undefined;
    sink(message(pc), partition ? partition(pc) : undefined);
    return undefined;
  };
};
