import { allSections, child, childrenOrText, element, enumAttr, policy, stringAttr, textElement } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'trace',
  summary: 'Add a message to the request trace.',
  sections: allSections,
  attributes: [stringAttr('source', { required: true, expressions: false }), enumAttr('severity', ['verbose', 'information', 'error'], { expressions: false })],
  // `<trace source="…">text</trace>` is the older form of `<message>`, still accepted by Azure.
  content: childrenOrText(
    child(textElement('message', { required: true }), 0, 1),
    child(element('metadata', [stringAttr('name', { required: true, expressions: false }), stringAttr('value', { required: true })])),
  ),
});
