import { allSections, child, children, element, numberAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

export const dimension = element('dimension', [stringAttr('name', { required: true, expressions: false }), stringAttr('value')]);

export const schema = policy({
  name: 'emit-metric',
  summary: 'Emit a custom metric with dimensions.',
  sections: allSections,
  attributes: [stringAttr('name', { required: true, expressions: false }), stringAttr('namespace', { expressions: false }), numberAttr('value')],
  content: children(child(dimension, 1, 10)),
});
