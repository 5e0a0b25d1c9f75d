import { anyContent, booleanAttr, enumAttr, policy } from '../../policy/catalog/define.ts';

/**
 * Sets the request or response body: literal text or markup, a policy expression, or a Liquid
 * template (`template="liquid"`, whose `{{…}}` tags are not named values).
 */
export const schema = policy({
  name: 'set-body',
  summary: 'Set the request or response body.',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  attributes: [
    enumAttr('template', ['liquid', 'none'], { expressions: false }),
    enumAttr('xsi-nil', ['blank', 'null'], { expressions: false }),
    booleanAttr('parse-date', { expressions: false }),
  ],
  content: anyContent,
});
