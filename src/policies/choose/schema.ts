import { booleanAttr, child, element, orderedChildren, policies, policy } from '../../policy/catalog/define.ts';

export const when = element('when', [booleanAttr('condition', { required: true })], policies);
export const otherwise = element('otherwise', [], policies);

/** Runs the policies of the first `when` whose condition holds, else those of `otherwise`. */
export const schema = policy({
  name: 'choose',
  summary: 'Apply policies conditionally: the first matching when, else otherwise.',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  content: orderedChildren(child(when, 1), child(otherwise, 0, 1)),
});
