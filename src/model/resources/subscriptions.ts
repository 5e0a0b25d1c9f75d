import { Type } from '@sinclair/typebox';
import type { ActionContext, PrepareInput, ResourceTypeDef } from '../resource-type.ts';
import { closed, dateTime, oneOf, resourceId, text } from './schema-parts.ts';

export const subscriptionStates = ['suspended', 'active', 'expired', 'submitted', 'rejected', 'cancelled'] as const;

/** SubscriptionCreateParameterProperties plus the computed fields of SubscriptionContractProperties. */
export const subscriptionProperties = closed({
  scope: resourceId('Scope: /apis, /apis/{apiId} or /products/{productId}.'),
  displayName: text({ min: 1, max: 100 }, 'Subscription name.'),
  ownerId: Type.Optional(resourceId('The user (/users/{userId}) the subscription belongs to.')),
  primaryKey: Type.Optional(text({ min: 1, max: 256 }, 'Primary subscription key; generated when not given.')),
  secondaryKey: Type.Optional(text({ min: 1, max: 256 }, 'Secondary subscription key; generated when not given.')),
  state: Type.Optional(oneOf(subscriptionStates, 'Subscription state; a new subscription is submitted unless given.')),
  allowTracing: Type.Optional(Type.Boolean({ description: 'Whether tracing can be enabled.' })),
  stateComment: Type.Optional(Type.String({ description: 'Optional comment on the state, added by an administrator.' })),
  createdDate: Type.Optional(dateTime('Computed: when the subscription was created.')),
  startDate: Type.Optional(dateTime('Computed: when the subscription was activated.')),
  expirationDate: Type.Optional(dateTime('When the subscription expires (for audit; the state drives the lifecycle).')),
  endDate: Type.Optional(dateTime('Computed: when the subscription was cancelled or expired.')),
  notificationDate: Type.Optional(dateTime('Computed: when the upcoming expiration notification is sent.')),
});

/** Azure's keys are 32 hexadecimal characters: 16 random bytes. */
const keyBytes = 16;

/** Keys are generated when absent and kept on update unless new ones are given. */
export function prepareSubscription(input: PrepareInput): Record<string, unknown> {
  const existing = input.existing ?? {};
  const properties: Record<string, unknown> = { ...input.properties };
  properties.primaryKey ??= existing.primaryKey ?? input.random(keyBytes);
  properties.secondaryKey ??= existing.secondaryKey ?? input.random(keyBytes);
  properties.state ??= existing.state ?? 'submitted';
  properties.createdDate = existing.createdDate ?? input.now.toISOString();
  if (properties.state === 'active') properties.startDate = existing.startDate ?? input.now.toISOString();
  else if (existing.startDate !== undefined) properties.startDate = existing.startDate;
  return properties;
}

function regenerate(key: 'primaryKey' | 'secondaryKey') {
  return (ctx: ActionContext) => ({ properties: { ...ctx.properties, [key]: ctx.random(keyBytes) } });
}

export const subscriptions: ResourceTypeDef = {
  kind: 'subscriptions',
  segment: 'subscriptions',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/subscriptions',
  title: 'Subscription',
  schema: subscriptionProperties,
  // Azure's update operation sets expirationDate; the other dates are Azure's to compute.
  readOnly: ['createdDate', 'startDate', 'endDate', 'notificationDate'],
  references: [
    { property: 'scope', to: ['apis', 'products'], literals: ['/apis'], onTargetDelete: 'restrict' },
    { property: 'ownerId', to: ['users'], serviceTargetsFromWorkspace: 'always', onTargetDelete: 'cascade' },
  ],
  uniqueness: 'service',
  secrets: { properties: ['primaryKey', 'secondaryKey'], hidden: true },
  prepare: prepareSubscription,
  actions: {
    listSecrets: {
      kind: 'reveal',
      run: (ctx) => ({ response: { primaryKey: ctx.properties.primaryKey, secondaryKey: ctx.properties.secondaryKey } }),
    },
    regeneratePrimaryKey: { kind: 'mutate', run: regenerate('primaryKey') },
    regenerateSecondaryKey: { kind: 'mutate', run: regenerate('secondaryKey') },
  },
};
