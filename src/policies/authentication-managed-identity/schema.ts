import { booleanAttr, policy, stringAttr } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'authentication-managed-identity',
  summary: "Obtain a token with the service's Azure managed identity.",
  sections: ['inbound'],
  support: 'accepted',
  note:
    'Managed identities exist only inside Azure. Documents using this policy are saved so that Azure exports load unchanged; running it fails with an error naming the policy (send the token with set-header or authentication-basic from a named value instead).',
  attributes: [
    stringAttr('resource', { required: true }),
    stringAttr('client-id'),
    stringAttr('output-token-variable-name', { expressions: false }),
    booleanAttr('ignore-error'),
  ],
});
