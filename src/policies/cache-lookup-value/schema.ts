import { allSections, enumAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'cache-lookup-value',
  summary: 'Read a value from the cache into a variable.',
  sections: allSections,
  attributes: [
    stringAttr('key', { required: true }),
    stringAttr('variable-name', { required: true, expressions: false }),
    stringAttr('default-value'),
    enumAttr('caching-type', ['internal', 'external', 'prefer-external'], { expressions: false }),
  ],
});
