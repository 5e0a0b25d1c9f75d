import { setHeader } from '../../policy/runtime/headers.ts';
import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Sends HTTP Basic credentials to the backend (the Authorization header is replaced). */
export const runtime: PolicyFactory = function compileAuthenticationBasic(input) {
  const username = input.value('username')!;
  const password = input.value('password')!;
  return function authenticationBasic(pc) {
    setHeader(pc.gateway.request.headers, 'Authorization', `Basic ${Buffer.from(`${username(pc)}:${password(pc)}`).toString('base64')}`);
    pc.touch('headers');
    return undefined;
  };
};
