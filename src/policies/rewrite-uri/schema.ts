import { booleanAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'rewrite-uri',
  summary: 'Rewrite the backend request URL from its public form.',
  sections: ['inbound'],
  attributes: [stringAttr('template', { required: true }), booleanAttr('copy-unmatched-params')],
});
