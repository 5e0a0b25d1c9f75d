import { Type } from '@sinclair/typebox';
import type { ResourceTypeDef } from '../resource-type.ts';
import { closed, text } from './schema-parts.ts';

/**
 * Atrium's gateways: Azure's GatewayContractProperties (description, locationData) plus the
 * listener settings (displayName, port, hostnames).
 */
export const gatewayProperties = closed({
  displayName: Type.Optional(text({ min: 1, max: 300 }, 'Gateway name.')),
  description: Type.Optional(text({ max: 1000 }, 'Gateway description.')),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'TCP port the gateway listens on.' })),
  hostnames: Type.Optional(Type.Array(text({ min: 1, max: 253 }), { description: 'Host names the gateway answers for.' })),
  locationData: Type.Optional(
    closed({
      name: text({ max: 256 }, 'A canonical name for the geographic or physical location.'),
      city: Type.Optional(text({ max: 256 }, 'The city or locality where the gateway is located.')),
      district: Type.Optional(text({ max: 256 }, 'The district, state, or province where the gateway is located.')),
      countryOrRegion: Type.Optional(text({ max: 256 }, 'The country or region where the gateway is located.')),
    }),
  ),
});

export const gateways: ResourceTypeDef = {
  kind: 'gateways',
  segment: 'gateways',
  levels: { service: true, workspace: false },
  azureType: 'Microsoft.ApiManagement/service/gateways',
  title: 'Gateway',
  schema: gatewayProperties,
  builtIn: [{ name: 'managed', properties: { displayName: 'Managed gateway', description: 'The gateway every Atrium service starts with.' } }],
};

/** A workspace served by a gateway: `/gateways/{g}/workspaceLinks/{workspaceId}`. */
export const gatewayWorkspaceLinks: ResourceTypeDef = {
  kind: 'gatewayWorkspaceLinks',
  segment: 'workspaceLinks',
  parent: 'gateways',
  azureType: 'Microsoft.ApiManagement/service/gateways/workspaceLinks',
  title: 'Gateway workspace link',
  schema: closed({}),
  nameReference: { to: 'workspaces', onTargetDelete: 'cascade' },
  maxPerParent: 30,
};
