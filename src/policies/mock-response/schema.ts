import { integerAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'mock-response',
  summary: "Return a response built from the operation's examples or schemas.",
  sections: ['inbound', 'outbound', 'on-error'],
  attributes: [
    integerAttr('status-code', { min: 100, max: 599, expressions: false }),
    stringAttr('content-type', { expressions: false }),
    integerAttr('index', { min: 0, expressions: false }),
  ],
});
