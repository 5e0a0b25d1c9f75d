import { booleanAttr, child, children, element, enumAttr, integerAttr, policy, stringAttr, text, textElement } from '../../policy/catalog/define.ts';

/** A signing or decryption key: base64 text (symmetric), a certificate resource, or an RSA modulus/exponent pair. */
export const key = element(
  'key',
  [stringAttr('certificate-id'), stringAttr('id'), stringAttr('n'), stringAttr('e')],
  text(),
);
export const claim = element(
  'claim',
  [stringAttr('name', { required: true }), enumAttr('match', ['all', 'any']), stringAttr('separator')],
  children(child(textElement('value'))),
);
export const openidConfig = element('openid-config', [stringAttr('url', { required: true })]);
export const audiences = element('audiences', [], children(child(textElement('audience', { required: true }), 1)));
export const issuers = element('issuers', [], children(child(textElement('issuer', { required: true }), 1)));
export const requiredClaims = element('required-claims', [], children(child(claim, 1)));
export const decryptionKeys = element('decryption-keys', [], children(child(key, 1)));

export const schema = policy({
  name: 'validate-jwt',
  summary: 'Require a valid JWT in a header, query parameter or value: signature, lifetime, issuers, audiences, claims.',
  sections: ['inbound'],
  attributes: [
    stringAttr('header-name'),
    stringAttr('query-parameter-name'),
    stringAttr('token-value'),
    integerAttr('failed-validation-httpcode', { min: 100, max: 599 }),
    stringAttr('failed-validation-error-message'),
    booleanAttr('require-expiration-time'),
    stringAttr('require-scheme'),
    booleanAttr('require-signed-tokens'),
    integerAttr('clock-skew', { min: 0 }),
    stringAttr('output-token-variable-name', { expressions: false }),
  ],
  exclusive: [{ names: ['header-name', 'query-parameter-name', 'token-value'] }],
  content: children(
    child(openidConfig),
    child(element('issuer-signing-keys', [], children(child(key, 1))), 0, 1),
    child(decryptionKeys, 0, 1),
    child(audiences, 0, 1),
    child(issuers, 0, 1),
    child(requiredClaims, 0, 1),
  ),
});
