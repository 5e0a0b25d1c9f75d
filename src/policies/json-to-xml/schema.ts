import { booleanAttr, enumAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'json-to-xml',
  summary: 'Convert a JSON body to XML.',
  sections: ['inbound', 'outbound', 'on-error'],
  attributes: [
    enumAttr('apply', ['always', 'content-type-json'], { required: true, expressions: false }),
    booleanAttr('consider-accept-header', { expressions: false }),
    booleanAttr('parse-date', { expressions: false }),
    stringAttr('namespace-separator', { expressions: false }),
    stringAttr('namespace-prefix', { expressions: false }),
    stringAttr('attribute-block-name', { expressions: false }),
  ],
});
