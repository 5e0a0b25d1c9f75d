import { allSections, booleanAttr, integerAttr, policies, policy } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'retry',
  summary: 'Run the enclosed policies again while a condition holds, with fixed or growing intervals.',
  sections: allSections,
  attributes: [
    booleanAttr('condition', { required: true }),
    integerAttr('count', { required: true, min: 1 }),
    integerAttr('interval', { required: true, min: 0 }),
    integerAttr('max-interval', { min: 0 }),
    integerAttr('delta', { min: 0 }),
    booleanAttr('first-fast-retry'),
  ],
  content: policies,
});
