import { allSections, integerAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'set-status',
  summary: 'Set the response status code and reason phrase.',
  sections: allSections,
  attributes: [integerAttr('code', { required: true, min: 100, max: 599 }), stringAttr('reason')],
});
