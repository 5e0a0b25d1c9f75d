import { allSections, child, children, enumAttr, policy, stringAttr, textElement } from '../../policy/catalog/define.ts';

export const value = textElement('value');

/** Adds, replaces, appends to or deletes a request (inbound) or response (outbound) header. */
export const schema = policy({
  name: 'set-header',
  summary: 'Add, replace, append to or delete a header.',
  sections: allSections,
  attributes: [
    stringAttr('name', { required: true }),
    enumAttr('exists-action', ['override', 'skip', 'append', 'delete']),
  ],
  content: children(child(value)),
});
