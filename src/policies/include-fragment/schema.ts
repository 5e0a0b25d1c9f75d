import { allSections, policy, stringAttr } from '../../policy/catalog/define.ts';

/** Replaced by the fragment's policies when the document is composed. */
export const schema = policy({
  name: 'include-fragment',
  summary: "Insert a policy fragment of the document's workspace.",
  sections: allSections,
  attributes: [stringAttr('fragment-id', { required: true, expressions: false })],
});
