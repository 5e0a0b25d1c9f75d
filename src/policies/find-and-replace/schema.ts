import { allSections, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'find-and-replace',
  summary: 'Replace every occurrence of a string in the body.',
  sections: allSections,
  attributes: [stringAttr('from', { required: true }), stringAttr('to', { required: true })],
});
