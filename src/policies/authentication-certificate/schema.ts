import { unsupportedPolicy } from '../../policy/catalog/define.ts';

export const schema = unsupportedPolicy(
  'authentication-certificate',
  'Authenticate to the backend with a client certificate.',
  ['inbound'],
  'Atrium has no certificate resources yet.',
);
