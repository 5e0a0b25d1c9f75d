import { child, children, element, enumAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

const action = ['ignore', 'prevent', 'detect'];

export const schema = policy({
  name: 'validate-headers',
  summary: "Validate response headers against the API's schema.",
  sections: ['outbound', 'on-error'],
  attributes: [
    enumAttr('specified-header-action', action, { required: true }),
    enumAttr('unspecified-header-action', action, { required: true }),
    stringAttr('errors-variable-name', { expressions: false }),
  ],
  content: children(child(element('header', [stringAttr('name', { required: true }), enumAttr('action', action, { required: true })]))),
});
