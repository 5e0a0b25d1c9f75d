import { compileUpstream, resolveKey, type UpstreamTarget } from '../../gateway/snapshot.ts';
import { errorState } from '../../policy/runtime/target.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Sends the request to another backend: `base-url` replaces the API's service URL, `backend-id`
 * names a backend resource of the document's workspace (with its credentials and TLS settings),
 * looked up in the configuration snapshot the request runs on.
 */
export const runtime: PolicyFactory = function compileSetBackendService(input) {
  const baseUrl = input.value('base-url');
  const backendId = input.value('backend-id');
  const workspace = input.workspace;
  const compiled = new Map<string, UpstreamTarget>();
  return function setBackendService(pc) {
    if (baseUrl) {
      const url = baseUrl(pc);
      let target = compiled.get(url);
      if (target === undefined) {
        try {
          target = compileUpstream(url);
        } catch (error) {
          return { kind: 'error', reason: 'InvalidBackendUrl', message: `set-backend-service: ${(error as Error).message}` };
        }
        if (compiled.size < 256) compiled.set(url, target);
      }
      pc.gateway.upstream = target;
    } else if (backendId) {
      const id = backendId(pc);
      const target = pc.gateway.snapshot.backends.get(resolveKey(`/backends/${id}`, workspace));
      if (target === undefined) {
        return { kind: 'error', reason: 'BackendNotFound', message: `Backend '${id}' does not exist${workspace ? ` in workspace '${workspace}'` : ''}.`, response: errorState(500, 'Internal server error') };
      }
      pc.gateway.upstream = target;
    }
    pc.touch('url');
    return undefined;
  };
};
