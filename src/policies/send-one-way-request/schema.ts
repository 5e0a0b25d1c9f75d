import { enumAttr, integerAttr, policy } from '../../policy/catalog/define.ts';
import { requestContent } from '../send-request/schema.ts';

export const schema = policy({
  name: 'send-one-way-request',
  summary: 'Send a request without waiting for its response.',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  attributes: [enumAttr('mode', ['new', 'copy']), integerAttr('timeout', { min: 0 })],
  content: requestContent,
});
