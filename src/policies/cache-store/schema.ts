import { booleanAttr, integerAttr, policy } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'cache-store',
  summary: "Store the response in the gateway's cache for the matching cache-lookup.",
  sections: ['outbound'],
  scopes: ['product', 'api', 'operation'],
  attributes: [integerAttr('duration', { required: true, min: 0 }), booleanAttr('cache-response')],
});
