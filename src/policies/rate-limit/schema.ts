import { child, children, element, integerAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

const limitAttributes = [
  stringAttr('name', { expressions: false }),
  stringAttr('id', { expressions: false }),
  integerAttr('calls', { expressions: false, min: 0 }),
  integerAttr('renewal-period', { expressions: false, min: 1 }),
];
export const operation = element('operation', limitAttributes);
export const api = element('api', limitAttributes, children(child(operation)));

/** Calls per subscription per renewal period (429 with Retry-After beyond it). */
export const schema = policy({
  name: 'rate-limit',
  summary: 'Limit the call rate per subscription.',
  sections: ['inbound'],
  scopes: ['product', 'api', 'operation'],
  attributes: [
    integerAttr('calls', { required: true, expressions: false, min: 0 }),
    integerAttr('renewal-period', { required: true, expressions: false, min: 1 }),
    stringAttr('retry-after-header-name', { expressions: false }),
    stringAttr('retry-after-variable-name', { expressions: false }),
    stringAttr('remaining-calls-header-name', { expressions: false }),
    stringAttr('remaining-calls-variable-name', { expressions: false }),
    stringAttr('total-calls-header-name', { expressions: false }),
  ],
  content: children(child(api)),
});
