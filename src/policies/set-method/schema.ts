import { policy, text } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'set-method',
  summary: 'Change the HTTP method of the backend request (also a child of send-request).',
  sections: ['inbound', 'on-error'],
  content: text({ required: true }),
});
