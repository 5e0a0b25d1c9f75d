import { Type } from '@sinclair/typebox';
import type { ResourceTypeDef } from '../resource-type.ts';
import { closed, freeForm, oneOf, provisioningState } from './schema-parts.ts';

/** GlobalSchemaContractProperties: an XML schema (`value`) or a JSON schema (`document`). */
export const globalSchemaProperties = closed({
  schemaType: oneOf(['xml', 'json'], 'Schema type.'),
  description: Type.Optional(Type.String({ description: 'Free-form schema entity description.' })),
  value: Type.Optional(Type.Unknown({ description: 'The XML schema, as a string.' })),
  document: Type.Optional(freeForm('The JSON schema, as an object.')),
  provisioningState,
});

export const schemas: ResourceTypeDef = {
  kind: 'schemas',
  segment: 'schemas',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/schemas',
  title: 'Schema',
  schema: globalSchemaProperties,
  readOnly: ['provisioningState'],
};
