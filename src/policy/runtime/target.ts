import { errorResponse } from '../../gateway/context.ts';
import type { PolicyContext } from './context.ts';
import type { CompileInput, ResponseState } from './types.ts';

/**
 * Whether a message policy (set-header, set-body, find-and-replace…) acts on the request or the
 * response: the request in inbound and backend, the response in outbound and on-error, and
 * always the response being built inside return-response.
 */
export type MessageTarget = 'request' | 'response';

export function targetOf(input: CompileInput): MessageTarget {
  if (input.ancestors.some((a) => a.startsWith('return-response['))) return 'response';
  return input.section === 'inbound' || input.section === 'backend' ? 'request' : 'response';
}

/** The headers of the target message (the response is created empty if there is none yet). */
export function targetHeaders(pc: PolicyContext, target: MessageTarget): string[] {
  return target === 'request' ? pc.gateway.request.headers : pc.ensureResponse().headers;
}

export async function targetBody(pc: PolicyContext, target: MessageTarget): Promise<Buffer> {
  return target === 'request' ? pc.requestBody() : pc.responseBody();
}

export function setTargetBody(pc: PolicyContext, target: MessageTarget, body: Buffer | string | null): void {
  if (target === 'request') pc.setRequestBody(body);
  else pc.setResponseBody(body);
}

/** Azure's JSON error body as a response under construction. */
export function errorState(status: number, message: string, extraHeaders: readonly string[] = []): ResponseState {
  const r = errorResponse(status, message, extraHeaders);
  return { status: r.status, reason: '', headers: [...r.headers], body: r.body };
}
