import { getHeaderValues } from '../../policy/runtime/headers.ts';
import { errorState } from '../../policy/runtime/target.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Rejects the request when the header is missing, or when `<value>`s are listed and none equals
 * the header's value (`ignore-case` for the comparison), with `failed-check-httpcode` and
 * `failed-check-error-message`.
 */
export const runtime: PolicyFactory = function compileCheckHeader(input) {
  const name = input.value('name')!;
  const status = input.value('failed-check-httpcode')!;
  const message = input.value('failed-check-error-message')!;
  const ignoreCase = input.value('ignore-case')!;
  const values = input.children('value').map((v) => input.text(v) ?? (() => ''));
  return function checkHeader(pc) {
    const header = name(pc);
    const found = getHeaderValues(pc.gateway.request.headers, header);
    const reject = (reason: string, detail: string) => {
      const text = message(pc);
      return { kind: 'error' as const, reason, message: detail, response: errorState(Number(status(pc)), text) };
    };
    if (found.length === 0) return reject('HeaderNotFound', `Header ${header} was not found in the request. Access denied.`);
    if (values.length === 0) return undefined;
    const fold = ignoreCase(pc).toLowerCase() === 'true';
    const allowed = values.map((v) => (fold ? v(pc).toLowerCase() : v(pc)));
    for (const raw of found) {
      for (const part of raw.split(',')) {
        const v = fold ? part.trim().toLowerCase() : part.trim();
        if (allowed.includes(v) || allowed.includes(fold ? raw.toLowerCase() : raw)) return undefined;
      }
    }
    return reject('HeaderValueNotAllowed', `Header ${header} value of ${found.join(',')} is not allowed. Access denied.`);
  };
};
