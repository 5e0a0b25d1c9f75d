import { allSections, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'set-variable',
  summary: 'Store a value in context.Variables for later expressions.',
  sections: allSections,
  attributes: [stringAttr('name', { required: true, expressions: false }), stringAttr('value', { required: true })],
});
