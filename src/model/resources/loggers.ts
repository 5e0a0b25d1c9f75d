import { Type } from '@sinclair/typebox';
import type { PrepareInput, ResourceTypeDef } from '../resource-type.ts';
import { closed, oneOf, text } from './schema-parts.ts';

/** LoggerContractProperties. */
export const loggerProperties = closed({
  loggerType: oneOf(['azureEventHub', 'applicationInsights', 'azureMonitor'], 'Logger type.'),
  description: Type.Optional(text({ max: 256 }, 'Logger description.')),
  credentials: Type.Optional(
    Type.Record(Type.String(), Type.String(), {
      description: 'Settings of the sink: name and connectionString for an event hub, instrumentationKey for Application Insights.',
    }),
  ),
  isBuffered: Type.Optional(Type.Boolean({ description: 'Whether records are buffered before publishing (default true).' })),
  resourceId: Type.Optional(Type.String({ description: 'Resource id of the log target.' })),
});

/** Azure's default: a logger buffers records. */
export function prepareLogger(input: PrepareInput): Record<string, unknown> {
  const properties: Record<string, unknown> = { ...input.properties };
  properties.isBuffered ??= input.existing?.isBuffered ?? true;
  return properties;
}

export const loggers: ResourceTypeDef = {
  kind: 'loggers',
  segment: 'loggers',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/loggers',
  title: 'Logger',
  schema: loggerProperties,
  secrets: { properties: ['credentials'], hidden: false },
  prepare: prepareLogger,
};
