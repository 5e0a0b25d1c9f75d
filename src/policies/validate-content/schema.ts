import { booleanAttr, child, children, element, enumAttr, integerAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

const action = ['ignore', 'prevent', 'detect'];

export const schema = policy({
  name: 'validate-content',
  summary: "Validate a request or response body's size and content against the API's schemas.",
  sections: ['inbound', 'outbound', 'on-error'],
  attributes: [
    enumAttr('unspecified-content-type-action', action, { required: true }),
    integerAttr('max-size', { required: true, min: 0 }),
    enumAttr('size-exceeded-action', action, { required: true }),
    stringAttr('errors-variable-name', { expressions: false }),
  ],
  content: children(
    child(
      element(
        'content-type-map',
        [stringAttr('any-content-type-value'), stringAttr('missing-content-type-value')],
        children(child(element('type', [stringAttr('from'), stringAttr('when'), stringAttr('to', { required: true })]))),
      ),
      0,
      1,
    ),
    child(
      element('content', [
        stringAttr('type'),
        enumAttr('validate-as', ['json', 'xml', 'soap'], { required: true }),
        stringAttr('schema-id'),
        stringAttr('schema-ref'),
        enumAttr('action', action, { required: true }),
        booleanAttr('allow-additional-properties'),
        booleanAttr('case-insensitive-property-names'),
      ]),
    ),
  ),
});
