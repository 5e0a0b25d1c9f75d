import { policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'authentication-basic',
  summary: 'Send HTTP Basic credentials to the backend.',
  sections: ['inbound'],
  attributes: [stringAttr('username', { required: true }), stringAttr('password', { required: true })],
});
