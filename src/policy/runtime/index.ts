/**
 * The policy runtime: composed policy documents compiled into gateway pipelines.
 *
 *   const policies = createPolicyPipelines({ records, reveal, services: { counters } });
 *   operation.pipeline = policies.pipeline;     // or: handler uses it when an operation has none
 */
export { compilePolicy } from './compiler.ts';
export type { CompileOptions, CompiledPolicy } from './compiler.ts';
export { createPolicyPipelines } from './pipelines.ts';
export type { PolicyPipelines, PolicyPipelinesOptions, PolicyRecords } from './pipelines.ts';
export { createMemoryCache } from './cache.ts';
export type { PolicyCache, MemoryCacheOptions } from './cache.ts';
export { PolicyContext } from './context.ts';
export { RESPOND, TO_OUTBOUND, failure } from './types.ts';
export type { CompileInput, LastError, LogSink, Outcome, PolicyFactory, PolicyFailure, PolicyServices, ResponseState, Step } from './types.ts';
