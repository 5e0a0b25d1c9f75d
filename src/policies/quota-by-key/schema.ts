import { booleanAttr, integerAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'quota-by-key',
  summary: 'Enforce a call and/or bandwidth quota per key computed from the request.',
  sections: ['inbound'],
  attributes: [
    integerAttr('calls', { expressions: false, min: 0 }),
    integerAttr('bandwidth', { expressions: false, min: 0 }),
    integerAttr('renewal-period', { required: true, expressions: false, min: 0 }),
    stringAttr('counter-key', { required: true }),
    booleanAttr('increment-condition'),
    integerAttr('increment-count', { min: 0 }),
    stringAttr('first-period-start', { expressions: false }),
  ],
});
