/**
 * The older service-level link forms that APIOps artifacts use, as aliases of the link
 * resources: `products/{p}/apis/{apiId}` is `products/{p}/apiLinks/{apiId}`,
 * `apis/{apiId}/tags/{tagId}` is `tags/{tagId}/apiLinks/{apiId}`.
 */
export interface LinkAlias {
  /** Kind whose instances carry the alias collection (`products`). */
  readonly ownerKind: string;
  /** Segment of the alias collection under the owner (`apis`). */
  readonly segment: string;
  /** Kind of the alias collection's members (`apis`). */
  readonly targetKind: string;
  /** The link resource kind that stores the association. */
  readonly linkKind: string;
  /** Whether the link lives under the owner (`products/p/apiLinks/…`) or under the target (`tags/t/apiLinks/…`). */
  readonly linkUnder: 'owner' | 'target';
  /** The link's reference property (`apiId`). */
  readonly property: string;
}

export const linkAliases: readonly LinkAlias[] = [
  { ownerKind: 'products', segment: 'apis', targetKind: 'apis', linkKind: 'productApiLinks', linkUnder: 'owner', property: 'apiId' },
  { ownerKind: 'products', segment: 'groups', targetKind: 'groups', linkKind: 'productGroupLinks', linkUnder: 'owner', property: 'groupId' },
  { ownerKind: 'apis', segment: 'tags', targetKind: 'tags', linkKind: 'tagApiLinks', linkUnder: 'target', property: 'apiId' },
  { ownerKind: 'products', segment: 'tags', targetKind: 'tags', linkKind: 'tagProductLinks', linkUnder: 'target', property: 'productId' },
];
