import { policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'set-backend-service',
  summary: 'Send the request to another backend: a base URL or a backend resource.',
  sections: ['inbound', 'backend'],
  attributes: [stringAttr('base-url'), stringAttr('backend-id')],
  exclusive: [{ names: ['base-url', 'backend-id'], required: true }],
});
