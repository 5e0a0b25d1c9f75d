import { booleanAttr, child, children, element, enumAttr, integerAttr, policy, stringAttr, text } from '../../policy/catalog/define.ts';
import type { ContentSchema } from '../../policy/catalog/types.ts';
import { schema as setHeader } from '../set-header/schema.ts';
import { schema as setBody } from '../set-body/schema.ts';
import { schema as setMethod } from '../set-method/schema.ts';
import { schema as authenticationCertificate } from '../authentication-certificate/schema.ts';
import { schema as authenticationManagedIdentity } from '../authentication-managed-identity/schema.ts';
import { schema as authenticationBasic } from '../authentication-basic/schema.ts';
import { schema as proxy } from '../proxy/schema.ts';

export const setUrl = element('set-url', [], text({ required: true }));

/** The request description shared by send-request and send-one-way-request. */
export const requestContent: ContentSchema = children(
  child(setUrl, 0, 1),
  child(setMethod, 0, 1),
  child(setHeader),
  child(setBody, 0, 1),
  child(authenticationBasic, 0, 1),
  child(authenticationCertificate, 0, 1),
  child(authenticationManagedIdentity, 0, 1),
  child(proxy, 0, 1),
);

export const schema = policy({
  name: 'send-request',
  summary: 'Send a request and store the response in a variable.',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  attributes: [
    enumAttr('mode', ['new', 'copy']),
    stringAttr('response-variable-name', { expressions: false }),
    integerAttr('timeout', { min: 0 }),
    booleanAttr('ignore-error'),
  ],
  content: requestContent,
});
