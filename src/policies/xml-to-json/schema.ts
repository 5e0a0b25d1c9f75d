import { booleanAttr, enumAttr, policy } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'xml-to-json',
  summary: 'Convert an XML body to JSON.',
  sections: ['inbound', 'outbound', 'on-error'],
  attributes: [
    enumAttr('kind', ['javascript-friendly', 'direct'], { required: true, expressions: false }),
    enumAttr('apply', ['always', 'content-type-xml'], { required: true, expressions: false }),
    booleanAttr('consider-accept-header', { expressions: false }),
    booleanAttr('always-array-child-elements', { expressions: false }),
  ],
});
