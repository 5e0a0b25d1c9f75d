import { STATUS_CODES } from 'node:http';
import { RESPOND, type PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Ends the pipeline with a mocked response of `status-code` (200 by default) and
 * `content-type` (application/json by default). Atrium's gateway snapshot does not carry the
 * operation's representation examples yet, so the body is empty.
 */
export const runtime: PolicyFactory = function compileMockResponse(input) {
  const status = Number(input.constant('status-code') ?? '200');
  const contentType = input.constant('content-type') ?? 'application/json';
  return function mockResponse(pc) {
    pc.setResponse({ status, reason: STATUS_CODES[status] ?? '', headers: ['content-type', contentType, 'content-length', '0'], body: null });
    return RESPOND;
  };
};
