import { child, children, element, enumAttr, integerAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

const action = ['ignore', 'prevent', 'detect'];

export const schema = policy({
  name: 'validate-status-code',
  summary: "Validate response status codes against the API's schema.",
  sections: ['outbound', 'on-error'],
  attributes: [enumAttr('unspecified-status-code-action', action, { required: true }), stringAttr('errors-variable-name', { expressions: false })],
  content: children(child(element('status-code', [integerAttr('code', { required: true, min: 100, max: 599 }), enumAttr('action', action, { required: true })]))),
});
