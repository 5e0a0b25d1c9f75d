import { Type } from '@sinclair/typebox';
import type { ReferenceDef, ResourceTypeDef } from '../resource-type.ts';
import { closed, oneOf, resourceId } from './schema-parts.ts';

const dataMaskingEntity = closed({
  mode: Type.Optional(oneOf(['Mask', 'Hide'], 'Data masking mode.')),
  value: Type.Optional(Type.String({ description: 'The name of an entity to mask (a header or a query parameter).' })),
});

/** HttpMessageDiagnostic: what is logged of a request or a response. */
const httpMessageDiagnostic = closed({
  headers: Type.Optional(Type.Array(Type.String(), { description: 'Headers to log.' })),
  body: Type.Optional(
    closed({
      bytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 8192, description: 'Number of body bytes to log.' })),
    }),
  ),
  dataMasking: Type.Optional(
    closed({
      queryParams: Type.Optional(Type.Array(dataMaskingEntity)),
      headers: Type.Optional(Type.Array(dataMaskingEntity)),
    }),
  ),
});

/** PipelineDiagnosticSettings: the request and response settings of one side of the gateway. */
const pipelineDiagnosticSettings = closed({
  request: Type.Optional(httpMessageDiagnostic),
  response: Type.Optional(httpMessageDiagnostic),
});

/** DiagnosticContractProperties, shared by service/workspace diagnostics and API diagnostics. */
export const diagnosticProperties = closed({
  loggerId: resourceId('Resource id of a target logger.'),
  alwaysLog: Type.Optional(oneOf(['allErrors'], 'Which messages are always logged regardless of sampling.')),
  sampling: Type.Optional(
    closed({
      samplingType: Type.Optional(oneOf(['fixed'], 'Sampling type.')),
      percentage: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'Rate of sampling, in percent.' })),
    }),
  ),
  frontend: Type.Optional(pipelineDiagnosticSettings),
  backend: Type.Optional(pipelineDiagnosticSettings),
  logClientIp: Type.Optional(Type.Boolean({ description: 'Log the client IP address.' })),
  httpCorrelationProtocol: Type.Optional(oneOf(['None', 'Legacy', 'W3C'], 'Correlation headers sent to the backend.')),
  verbosity: Type.Optional(oneOf(['verbose', 'information', 'error'], 'Verbosity applied to traces emitted by trace policies.')),
  operationNameFormat: Type.Optional(oneOf(['Name', 'Url'], 'Format of the operation name for Application Insights telemetry.')),
  metrics: Type.Optional(Type.Boolean({ description: 'Emit custom metrics via the emit-metric policy.' })),
});

export const diagnosticReferences: readonly ReferenceDef[] = [
  { property: 'loggerId', to: ['loggers'], onTargetDelete: 'restrict' },
];

export const diagnostics: ResourceTypeDef = {
  kind: 'diagnostics',
  segment: 'diagnostics',
  levels: { service: true, workspace: true },
  azureType: 'Microsoft.ApiManagement/service/diagnostics',
  title: 'Diagnostic',
  schema: diagnosticProperties,
  references: diagnosticReferences,
};
