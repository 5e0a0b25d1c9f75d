import { child, children, element, enumAttr, policy, stringAttr, textElement } from '../../policy/catalog/define.ts';

export const address = textElement('address', { required: true });
export const addressRange = element('address-range', [stringAttr('from', { required: true }), stringAttr('to', { required: true })]);

export const schema = policy({
  name: 'ip-filter',
  summary: 'Allow or forbid callers by IP address or range.',
  sections: ['inbound'],
  attributes: [enumAttr('action', ['allow', 'forbid'], { required: true })],
  content: children(child(address), child(addressRange)),
});
