import type { ResourceTypeDef } from '../resource-type.ts';
import { closed, oneOf } from './schema-parts.ts';

/**
 * Service-wide settings of the platform team. `/settings/policies` governs workspace policies:
 * `requireBase` 'audit' lists the workspace policy documents whose sections leave out `<base/>`
 * (`GET /settings/policies/offenders`); 'enforce' also rejects such documents when saved.
 */
export const serviceSettings: ResourceTypeDef = {
  kind: 'serviceSettings',
  segment: 'settings',
  levels: { service: true, workspace: false },
  azureType: 'Microsoft.ApiManagement/service/settings',
  title: 'Service setting',
  names: ['policies'],
  methods: ['get', 'list', 'put', 'patch'],
  schema: closed({
    requireBase: oneOf(['off', 'audit', 'enforce'] as const, 'Whether every section of a workspace policy must contain <base/>, so that the global policy always runs.'),
  }),
  builtIn: [{ name: 'policies', properties: { requireBase: 'off' } }],
};
