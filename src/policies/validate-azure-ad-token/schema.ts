import { child, children, element, integerAttr, policy, stringAttr, textElement } from '../../policy/catalog/define.ts';
import { audiences, decryptionKeys, requiredClaims } from '../validate-jwt/schema.ts';

const ids = (name: string, item: string) => element(name, [], children(child(textElement(item, { required: true }), 1)));

export const schema = policy({
  name: 'validate-azure-ad-token',
  summary: 'Validate a Microsoft Entra ID token.',
  sections: ['inbound'],
  support: 'unsupported',
  note: "Use validate-jwt with the tenant's openid-config URL (https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration).",
  attributes: [
    stringAttr('tenant-id', { required: true }),
    stringAttr('header-name'),
    stringAttr('query-parameter-name'),
    stringAttr('token-value'),
    integerAttr('failed-validation-httpcode', { min: 100, max: 599 }),
    stringAttr('failed-validation-error-message'),
    stringAttr('output-token-variable-name', { expressions: false }),
  ],
  content: children(
    child(ids('client-application-ids', 'application-id'), 1, 1),
    child(ids('backend-application-ids', 'application-id'), 0, 1),
    child(audiences, 0, 1),
    child(requiredClaims, 0, 1),
    child(decryptionKeys, 0, 1),
  ),
});
