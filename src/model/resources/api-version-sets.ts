import { Type } from '@sinclair/typebox';
import type { ResourceTypeDef } from '../resource-type.ts';
import { closed, oneOf, text } from './schema-parts.ts';

/** ApiVersionSetContractProperties. */
export const apiVersionSetProperties = closed({
  displayName: text({ min: 1, max: 100 }, 'Name of the API version set.'),
  versioningScheme: oneOf(['Segment', 'Query', 'Header'], 'Where the API version identifier is located in a request.'),
  versionQueryName: Type.Optional(text({ min: 1, max: 100 }, 'Query parameter carrying the version when the scheme is Query.')),
  versionHeaderName: Type.Optional(text({ min: 1, max: 100 }, 'HTTP header carrying the version when the scheme is Header.')),
  description: Type.Optional(Type.String({ description: 'Description of the API version set.' })),
});

export const apiVersionSets: ResourceTypeDef = {
  kind: 'apiVersionSets',
  segment: 'apiVersionSets',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/apiVersionSets',
  title: 'API version set',
  schema: apiVersionSetProperties,
  uniqueness: 'service',
};
