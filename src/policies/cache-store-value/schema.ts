import { allSections, enumAttr, integerAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'cache-store-value',
  summary: 'Store a value in the cache under a key for a duration.',
  sections: allSections,
  attributes: [
    stringAttr('key', { required: true }),
    stringAttr('value', { required: true }),
    integerAttr('duration', { required: true, min: 0 }),
    enumAttr('caching-type', ['internal', 'external', 'prefer-external'], { expressions: false }),
  ],
});
