import { booleanAttr, integerAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'rate-limit-by-key',
  summary: 'Limit the call rate per key computed from the request.',
  sections: ['inbound'],
  attributes: [
    integerAttr('calls', { required: true, min: 0 }),
    integerAttr('renewal-period', { required: true, min: 1 }),
    stringAttr('counter-key', { required: true }),
    booleanAttr('increment-condition'),
    integerAttr('increment-count', { min: 0 }),
    stringAttr('retry-after-header-name', { expressions: false }),
    stringAttr('retry-after-variable-name', { expressions: false }),
    stringAttr('remaining-calls-header-name', { expressions: false }),
    stringAttr('remaining-calls-variable-name', { expressions: false }),
    stringAttr('total-calls-header-name', { expressions: false }),
  ],
});
