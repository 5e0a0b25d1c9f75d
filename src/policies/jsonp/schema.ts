import { policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'jsonp',
  summary: 'Wrap JSON responses in the callback named by a query parameter.',
  sections: ['outbound'],
  attributes: [stringAttr('callback-parameter-name', { required: true })],
});
