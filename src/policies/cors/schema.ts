import { booleanAttr, child, children, element, integerAttr, policy, textElement } from '../../policy/catalog/define.ts';

const origin = textElement('origin', { required: true, expressions: false });
const method = textElement('method', { required: true, expressions: false });
const header = textElement('header', { required: true, expressions: false });

export const schema = policy({
  name: 'cors',
  summary: 'Answer CORS preflight requests and add CORS headers to responses.',
  sections: ['inbound'],
  attributes: [booleanAttr('allow-credentials', { expressions: false }), booleanAttr('terminate-unmatched-request', { expressions: false })],
  content: children(
    child(element('allowed-origins', [], children(child(origin, 1))), 1, 1),
    child(element('allowed-methods', [integerAttr('preflight-result-max-age', { expressions: false, min: 0 })], children(child(method))), 0, 1),
    child(element('allowed-headers', [], children(child(header))), 0, 1),
    child(element('expose-headers', [], children(child(header))), 0, 1),
  ),
});
