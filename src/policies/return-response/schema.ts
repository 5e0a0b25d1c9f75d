import { child, children, policy, stringAttr } from '../../policy/catalog/define.ts';
import { schema as setStatus } from '../set-status/schema.ts';
import { schema as setHeader } from '../set-header/schema.ts';
import { schema as setBody } from '../set-body/schema.ts';

export const schema = policy({
  name: 'return-response',
  summary: 'Stop the pipeline and return a response to the caller.',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  attributes: [stringAttr('response-variable-name', { expressions: false })],
  content: children(child(setStatus, 0, 1), child(setHeader), child(setBody, 0, 1)),
});
