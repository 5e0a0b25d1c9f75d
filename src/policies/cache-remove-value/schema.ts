import { allSections, enumAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'cache-remove-value',
  summary: 'Remove a value from the cache.',
  sections: allSections,
  attributes: [stringAttr('key', { required: true }), enumAttr('caching-type', ['internal', 'external', 'prefer-external'], { expressions: false })],
});
