import { allSections, enumAttr, policy } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'wait',
  summary: 'Run the enclosed send-request, cache-lookup-value and choose policies in parallel and wait for all or any.',
  sections: allSections,
  attributes: [enumAttr('for', ['all', 'any'])],
  content: { kind: 'policies', only: ['send-request', 'cache-lookup-value', 'choose'] },
});
