import { booleanAttr, child, children, integerAttr, policy, stringAttr, textElement } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'check-header',
  summary: 'Reject requests whose header is missing or has none of the allowed values.',
  sections: ['inbound'],
  attributes: [
    stringAttr('name', { required: true }),
    integerAttr('failed-check-httpcode', { required: true, min: 100, max: 599 }),
    stringAttr('failed-check-error-message', { required: true }),
    booleanAttr('ignore-case', { required: true }),
  ],
  content: children(child(textElement('value'))),
});
