import type { PolicyFactory } from '../../policy/runtime/types.ts';
import { compileRequest, managedIdentityFailure, send } from '../send-request/client.ts';

/** Sends a request and goes on without waiting for its response; failures are only logged. */
export const runtime: PolicyFactory = function compileSendOneWayRequest(input) {
  const build = compileRequest(input);
  const unsupported = managedIdentityFailure(input);
  const timeout = input.value('timeout');
  return async function sendOneWayRequest(pc) {
    if (unsupported) return { ...unsupported };
    const request = await build(pc);
    const timeoutMs = (timeout ? Number(timeout(pc)) : 60) * 1000;
    send(pc.services, request, timeoutMs).catch((error: Error & { code?: string }) => {
      pc.services.log(`send-one-way-request to ${new URL(request.url).host} failed: ${error.code ?? error.message}`);
    });
    return undefined;
  };
};
