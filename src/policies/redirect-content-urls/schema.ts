import { policy } from '../../policy/catalog/define.ts';

export const schema = policy({
  name: 'redirect-content-urls',
  summary: 'Rewrite backend URLs in the body and Location header to gateway URLs (outbound), or the reverse (inbound).',
  sections: ['inbound', 'outbound'],
});
