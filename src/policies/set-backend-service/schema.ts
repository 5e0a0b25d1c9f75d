import { policy, stringAttr } from '../../policy/catalog/define.ts';

const serviceFabric = 'Service Fabric backends exist only in Azure.';
const dapr = 'Dapr integration is not supported.';

export const schema = policy({
  name: 'set-backend-service',
  summary: 'Send the request to another backend: a base URL or a backend resource.',
  sections: ['inbound', 'backend'],
  attributes: [
    stringAttr('base-url'),
    stringAttr('backend-id'),
    stringAttr('sf-partition-key', { unsupported: serviceFabric }),
    stringAttr('sf-replica-type', { unsupported: serviceFabric }),
    stringAttr('sf-resolve-condition', { unsupported: serviceFabric }),
    stringAttr('sf-service-instance-name', { unsupported: serviceFabric }),
    stringAttr('sf-listener-name', { unsupported: serviceFabric }),
    stringAttr('dapr-app-id', { unsupported: dapr }),
    stringAttr('dapr-method', { unsupported: dapr }),
    stringAttr('dapr-namespace', { unsupported: dapr }),
  ],
  exclusive: [{ names: ['base-url', 'backend-id'], required: true }],
});
