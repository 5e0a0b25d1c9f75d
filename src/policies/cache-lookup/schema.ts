import { booleanAttr, child, children, enumAttr, policy, textElement } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'cache-lookup',
  summary: "Answer from the gateway's response cache when a fresh entry matches.",
  sections: ['inbound'],
  scopes: ['product', 'api', 'operation'],
  attributes: [
    booleanAttr('vary-by-developer', { required: true, expressions: false }),
    booleanAttr('vary-by-developer-groups', { required: true, expressions: false }),
    enumAttr('caching-type', ['internal', 'external', 'prefer-external'], { expressions: false }),
    enumAttr('downstream-caching-type', ['none', 'private', 'public'], { expressions: false }),
    booleanAttr('must-revalidate', { expressions: false }),
    booleanAttr('allow-private-response-caching'),
  ],
  content: children(child(textElement('vary-by-header', { expressions: false })), child(textElement('vary-by-query-parameter', { expressions: false }))),
});
