import { child, children, enumAttr, policy, stringAttr, textElement } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'set-query-parameter',
  summary: 'Add, replace, append to or delete a query string parameter of the backend request.',
  sections: ['inbound', 'backend'],
  attributes: [
    stringAttr('name', { required: true }),
    enumAttr('exists-action', ['override', 'skip', 'append', 'delete']),
  ],
  content: children(child(textElement('value'))),
});
