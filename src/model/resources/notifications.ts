import { Type } from '@sinclair/typebox';
import type { BuiltInDef, ResourceTypeDef } from '../resource-type.ts';
import { closed, text } from './schema-parts.ts';

/** Azure's notification names, each with its title and description. */
const notificationCatalogue: readonly BuiltInDef[] = [
  {
    name: 'RequestPublisherNotificationMessage',
    properties: {
      title: 'Subscription requests (requiring approval)',
      description: 'The following email recipients and users will receive email notifications about subscription requests for API products requiring approval.',
    },
  },
  {
    name: 'PurchasePublisherNotificationMessage',
    properties: {
      title: 'New subscriptions',
      description: 'The following email recipients and users will receive email notifications about new API product subscriptions.',
    },
  },
  {
    name: 'NewApplicationNotificationMessage',
    properties: {
      title: 'Application gallery requests',
      description: 'The following email recipients and users will receive email notifications when new applications are submitted to the application gallery.',
    },
  },
  {
    name: 'BCC',
    properties: {
      title: 'BCC',
      description: 'The following recipients will receive blind carbon copies of all emails sent to developers.',
    },
  },
  {
    name: 'NewIssuePublisherNotificationMessage',
    properties: {
      title: 'New issue or comment',
      description: 'The following email recipients and users will receive email notifications when a new issue or comment is submitted on the developer portal.',
    },
  },
  {
    name: 'AccountClosedPublisher',
    properties: {
      title: 'Close account message',
      description: 'The following email recipients and users will receive email notifications when developer closes his account.',
    },
  },
  {
    name: 'QuotaLimitApproachingPublisherNotificationMessage',
    properties: {
      title: 'Approaching subscription quota limit',
      description: 'The following email recipients and users will receive email notifications when subscription usage gets close to usage quota.',
    },
  },
];

/** NotificationContractProperties. Azure's PUT has no body; recipients are managed as a whole here. */
export const notificationProperties = closed({
  title: Type.Optional(text({ min: 1, max: 1000 }, 'Title of the notification.')),
  description: Type.Optional(Type.String({ description: 'Description of the notification.' })),
  recipients: Type.Optional(
    closed({
      emails: Type.Optional(Type.Array(Type.String(), { description: 'Email addresses subscribed to the notification.' })),
      users: Type.Optional(Type.Array(Type.String(), { description: 'User ids (/users/{userId}) subscribed to the notification.' })),
    }),
  ),
});

export const notifications: ResourceTypeDef = {
  kind: 'notifications',
  segment: 'notifications',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/notifications',
  title: 'Notification',
  schema: notificationProperties,
  names: notificationCatalogue.map((notification) => notification.name),
  builtIn: notificationCatalogue,
};
