import { Type } from '@sinclair/typebox';
import type { ResourceTypeDef } from '../resource-type.ts';
import { closed, oneOf } from './schema-parts.ts';

/**
 * PolicyContractProperties. Documents are stored as given; the policy engine validates and
 * compiles them. `xml-link`/`rawxml-link` carry a URL to fetch the document from.
 */
export const policyProperties = closed({
  value: Type.String({ description: 'Contents of the policy as defined by the format.' }),
  format: Type.Optional(oneOf(['xml', 'xml-link', 'rawxml', 'rawxml-link'], 'Format of the policy content.')),
});

const policyDocument = {
  segment: 'policies',
  title: 'Policy',
  schema: policyProperties,
  names: ['policy'],
  documentProperty: 'value',
} as const;

/** The global policy (`/policies/policy`) and a workspace's policy (`/workspaces/{w}/policies/policy`). */
export const policies: ResourceTypeDef = {
  ...policyDocument,
  kind: 'policies',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/policies',
};

export const apiPolicies: ResourceTypeDef = {
  ...policyDocument,
  kind: 'apiPolicies',
  parent: 'apis',
  azureType: 'Microsoft.ApiManagement/service/apis/policies',
  title: 'API policy',
};

export const apiOperationPolicies: ResourceTypeDef = {
  ...policyDocument,
  kind: 'apiOperationPolicies',
  parent: 'apiOperations',
  azureType: 'Microsoft.ApiManagement/service/apis/operations/policies',
  title: 'API operation policy',
};

export const productPolicies: ResourceTypeDef = {
  ...policyDocument,
  kind: 'productPolicies',
  parent: 'products',
  azureType: 'Microsoft.ApiManagement/service/products/policies',
  title: 'Product policy',
};
