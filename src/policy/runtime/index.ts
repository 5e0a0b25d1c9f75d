/**
 * The policy runtime: composed policy documents compiled into gateway pipelines.
 *
 *   // on the gateway's seam (the config follower calls compile for each operation):
 *   const pipelines = createPolicyCompiler({ reveal, services: { counters: createCounters({ redisUrl }) } });
 *   createGatewayHost({ …, pipelines });
 *   // or, for a caller holding the records itself:
 *   const policies = createPolicyPipelines({ records, reveal });   // policies.pipeline for every operation
 */
export { compilePolicy } from './compiler.ts';
export type { CompileOptions, CompiledPolicy } from './compiler.ts';
export { createPolicyCompiler, createPolicyPipelines, policyRecordKinds } from './pipelines.ts';
export type { PolicyPipelines, PolicyPipelinesOptions, PolicyRecords } from './pipelines.ts';
export { createMemoryCache } from './cache.ts';
export type { PolicyCache, MemoryCacheOptions } from './cache.ts';
export { PolicyContext } from './context.ts';
export { formatPolicyTest, runPolicyTest } from './test-run.ts';
export type { PolicyTestOptions, PolicyTestRequest, PolicyTestResult, PolicyTestStep } from './test-run.ts';
export { RESPOND, TO_OUTBOUND, failure } from './types.ts';
export type { CompileInput, LastError, LogSink, Outcome, PolicyFactory, PolicyFailure, PolicyServices, ResponseState, Step } from './types.ts';
