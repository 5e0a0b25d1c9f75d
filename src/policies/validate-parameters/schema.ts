import { child, children, element, enumAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

const action = ['ignore', 'prevent', 'detect'];
const parameter = element('parameter', [stringAttr('name', { required: true }), enumAttr('action', action, { required: true })]);
const group = (name: string) =>
  element(name, [enumAttr('specified-parameter-action', action), enumAttr('unspecified-parameter-action', action)], children(child(parameter)));

export const schema = policy({
  name: 'validate-parameters',
  summary: "Validate request headers, query and path parameters against the API's schema.",
  sections: ['inbound'],
  attributes: [
    enumAttr('specified-parameter-action', action, { required: true }),
    enumAttr('unspecified-parameter-action', action, { required: true }),
    stringAttr('errors-variable-name', { expressions: false }),
  ],
  content: children(child(group('headers'), 0, 1), child(group('query'), 0, 1), child(group('path'), 0, 1)),
});
