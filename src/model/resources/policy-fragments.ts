import { Type } from '@sinclair/typebox';
import type { ResourceTypeDef } from '../resource-type.ts';
import { closed, oneOf, provisioningState, text } from './schema-parts.ts';

/** PolicyFragmentContractProperties. The fragment document is stored as given. */
export const policyFragmentProperties = closed({
  value: Type.String({ description: 'Contents of the policy fragment, a <fragment> element.' }),
  description: Type.Optional(text({ max: 1000 }, 'Policy fragment description.')),
  format: Type.Optional(oneOf(['xml', 'rawxml'], 'Format of the policy fragment content.')),
  provisioningState,
});

export const policyFragments: ResourceTypeDef = {
  kind: 'policyFragments',
  segment: 'policyFragments',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/policyFragments',
  title: 'Policy fragment',
  schema: policyFragmentProperties,
  readOnly: ['provisioningState'],
  uniqueness: 'service',
  documentProperty: 'value',
};
