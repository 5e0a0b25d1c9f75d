import { STATUS_CODES } from 'node:http';
import { RESPOND, type PolicyFactory } from '../../policy/runtime/types.ts';

interface Representation {
  readonly contentType?: string;
  readonly examples?: Record<string, { readonly value?: unknown }>;
}
interface ResponseDefinition {
  readonly statusCode?: number;
  readonly representations?: readonly Representation[];
}

/**
 * Ends the pipeline with a response built from the operation's definition: the response of
 * `status-code` (else the first 2xx one, else 200), the representation of `content-type` (else the
 * first), and its example (`index` picks one; `default` or the first otherwise). Without an example
 * the body is empty. Chosen once, when the pipeline is compiled.
 */
export const runtime: PolicyFactory = function compileMockResponse(input) {
  const responses = ((input.operation?.responses as ResponseDefinition[] | undefined) ?? []).filter((r) => typeof r.statusCode === 'number');
  const wantedStatus = input.constant('status-code');
  const response = wantedStatus !== undefined ? responses.find((r) => r.statusCode === Number(wantedStatus)) : responses.find((r) => r.statusCode! >= 200 && r.statusCode! < 300);
  const status = wantedStatus !== undefined ? Number(wantedStatus) : (response?.statusCode ?? 200);
  const wantedType = input.constant('content-type');
  const representations = response?.representations ?? [];
  const representation = wantedType !== undefined ? representations.find((r) => r.contentType?.toLowerCase() === wantedType.toLowerCase()) : representations[0];
  const contentType = wantedType ?? representation?.contentType ?? 'application/json';
  const examples = Object.entries(representation?.examples ?? {});
  const index = input.constant('index');
  const example = index !== undefined ? examples[Number(index)] : (examples.find(([name]) => name === 'default') ?? examples[0]);
  const value = example?.[1]?.value;
  const body = value === undefined || value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  const reason = STATUS_CODES[status] ?? '';
  return function mockResponse(pc) {
    pc.setResponse({ status, reason, headers: ['content-type', contentType, 'content-length', String(body?.length ?? 0)], body });
    return RESPOND;
  };
};
