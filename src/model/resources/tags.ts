import type { ResourceTypeDef } from '../resource-type.ts';
import { closed, resourceId, text } from './schema-parts.ts';

/** TagContractProperties. */
export const tagProperties = closed({
  displayName: text({ min: 1, max: 160 }, 'Tag name.'),
});

export const tags: ResourceTypeDef = {
  kind: 'tags',
  segment: 'tags',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/tags',
  title: 'Tag',
  schema: tagProperties,
  uniqueness: 'service',
};

/** TagApiLinkContractProperties. */
export const tagApiLinks: ResourceTypeDef = {
  kind: 'tagApiLinks',
  segment: 'apiLinks',
  parent: 'tags',
  azureType: 'Microsoft.ApiManagement/service/tags/apiLinks',
  title: 'Tag API link',
  schema: closed({ apiId: resourceId('Full resource id of an API.') }),
  references: [{ property: 'apiId', to: ['apis'], onTargetDelete: 'cascade' }],
};

/** TagProductLinkContractProperties. */
export const tagProductLinks: ResourceTypeDef = {
  kind: 'tagProductLinks',
  segment: 'productLinks',
  parent: 'tags',
  azureType: 'Microsoft.ApiManagement/service/tags/productLinks',
  title: 'Tag product link',
  schema: closed({ productId: resourceId('Full resource id of a product.') }),
  references: [{ property: 'productId', to: ['products'], onTargetDelete: 'cascade' }],
};

/** TagOperationLinkContractProperties. */
export const tagOperationLinks: ResourceTypeDef = {
  kind: 'tagOperationLinks',
  segment: 'operationLinks',
  parent: 'tags',
  azureType: 'Microsoft.ApiManagement/service/tags/operationLinks',
  title: 'Tag operation link',
  schema: closed({ operationId: resourceId('Full resource id of an API operation.') }),
  references: [{ property: 'operationId', to: ['apiOperations'], onTargetDelete: 'cascade' }],
};
