import { allSections, integerAttr, policies, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'limit-concurrency',
  summary: 'Run the enclosed policies for at most max-count requests at a time per key (429 beyond).',
  sections: allSections,
  attributes: [stringAttr('key', { required: true }), integerAttr('max-count', { required: true, min: 1, expressions: false })],
  content: policies,
});
