import { Type } from '@sinclair/typebox';
import type { PrepareInput, ResourceTypeDef } from '../resource-type.ts';
import { closed, oneOf, resourceId, text } from './schema-parts.ts';

/** ProductContractProperties. */
export const productProperties = closed({
  displayName: text({ min: 1, max: 300 }, 'Product name.'),
  description: Type.Optional(text({ max: 1000 }, 'Product description. May include HTML formatting tags.')),
  terms: Type.Optional(Type.String({ description: 'Terms of use developers must accept to subscribe.' })),
  subscriptionRequired: Type.Optional(Type.Boolean({ description: 'Whether a subscription is required to access the APIs.' })),
  approvalRequired: Type.Optional(
    Type.Boolean({ description: 'Whether subscription attempts need an administrator’s approval.' }),
  ),
  subscriptionsLimit: Type.Optional(
    Type.Integer({ description: 'How many subscriptions a user may have to this product at the same time.' }),
  ),
  state: Type.Optional(oneOf(['notPublished', 'published'], 'Whether the product is published.')),
});

/**
 * Azure's defaults: a product is created unpublished and requires a subscription, approved
 * automatically.
 */
export function prepareProduct(input: PrepareInput): Record<string, unknown> {
  const existing = input.existing ?? {};
  const properties: Record<string, unknown> = { ...input.properties };
  properties.state ??= existing.state ?? 'notPublished';
  properties.subscriptionRequired ??= existing.subscriptionRequired ?? true;
  if (properties.subscriptionRequired === true) properties.approvalRequired ??= existing.approvalRequired ?? false;
  return properties;
}

export const products: ResourceTypeDef = {
  kind: 'products',
  segment: 'products',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/products',
  title: 'Product',
  schema: productProperties,
  uniqueness: 'service',
  prepare: prepareProduct,
};

/** ProductApiLinkContractProperties. */
export const productApiLinks: ResourceTypeDef = {
  kind: 'productApiLinks',
  segment: 'apiLinks',
  parent: 'products',
  azureType: 'Microsoft.ApiManagement/service/products/apiLinks',
  title: 'Product API link',
  schema: closed({ apiId: resourceId('Full resource id of an API.') }),
  references: [{ property: 'apiId', to: ['apis'], onTargetDelete: 'cascade' }],
};

/** ProductGroupLinkContractProperties. */
export const productGroupLinks: ResourceTypeDef = {
  kind: 'productGroupLinks',
  segment: 'groupLinks',
  parent: 'products',
  azureType: 'Microsoft.ApiManagement/service/products/groupLinks',
  title: 'Product group link',
  schema: closed({ groupId: resourceId('Full resource id of a group.') }),
  references: [{ property: 'groupId', to: ['groups'], serviceTargetsFromWorkspace: 'builtIn', onTargetDelete: 'cascade' }],
};
