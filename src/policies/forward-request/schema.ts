import { booleanAttr, enumAttr, integerAttr, policy } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'forward-request',
  summary: 'Forward the request to the backend and receive its response.',
  sections: ['backend'],
  attributes: [
    integerAttr('timeout', { min: 0 }),
    integerAttr('timeout-ms', { min: 0 }),
    integerAttr('continue-timeout', { min: 0 }),
    enumAttr('http-version', ['1', '2', '2or1'], { expressions: false }),
    booleanAttr('follow-redirects'),
    booleanAttr('buffer-request-body', { expressions: false }),
    booleanAttr('buffer-response', { expressions: false }),
    booleanAttr('fail-on-error-status-code', { expressions: false }),
  ],
  exclusive: [{ names: ['timeout', 'timeout-ms'] }],
});
