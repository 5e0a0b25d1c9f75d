import { unsupportedPolicy } from '../../policy/catalog/define.ts';

export const schema = unsupportedPolicy('proxy', 'Route backend requests through an HTTP proxy.', ['inbound'], 'Outbound HTTP proxies are not configurable per policy in Atrium.');
