import { child, children, element, integerAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

const quotaAttributes = [
  stringAttr('name', { expressions: false }),
  stringAttr('id', { expressions: false }),
  integerAttr('calls', { expressions: false, min: 0 }),
  integerAttr('bandwidth', { expressions: false, min: 0 }),
  integerAttr('renewal-period', { expressions: false, min: 0 }),
];
export const operation = element('operation', quotaAttributes);
export const api = element('api', quotaAttributes, children(child(operation)));

/** Calls and/or kilobytes per subscription per renewal period (403 beyond it). */
export const schema = policy({
  name: 'quota',
  summary: 'Enforce a call and/or bandwidth quota per subscription.',
  sections: ['inbound'],
  scopes: ['product', 'api', 'operation'],
  attributes: [
    integerAttr('calls', { expressions: false, min: 0 }),
    integerAttr('bandwidth', { expressions: false, min: 0 }),
    integerAttr('renewal-period', { required: true, expressions: false, min: 0 }),
    stringAttr('first-period-start', { expressions: false }),
  ],
  content: children(child(api)),
});
