import { policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'authentication-certificate',
  summary: 'Authenticate to the backend with a client certificate.',
  sections: ['inbound'],
  support: 'unsupported',
  note: 'Atrium has no certificate resources yet.',
  attributes: [stringAttr('thumbprint'), stringAttr('certificate-id'), stringAttr('body'), stringAttr('password')],
  exclusive: [{ names: ['thumbprint', 'certificate-id', 'body'], required: true }],
});
