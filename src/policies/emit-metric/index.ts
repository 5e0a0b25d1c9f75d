import type { PolicyFactory } from '../../policy/runtime/types.ts';

/**
 * Emits a custom metric (`value`, 1 by default, with its dimensions) to the gateway's metrics
 * sink (`services.metric`). A gateway without one accepts the policy and does nothing; compiling
 * says so once in the log.
 */
export const runtime: PolicyFactory = function compileEmitMetric(input) {
  const name = input.constant('name') ?? '';
  const namespace = input.constant('namespace') ?? 'API Management';
  const value = input.value('value');
  const dimensions = input.children('dimension').map((d) => ({ name: input.constant('name', d) ?? '', value: input.value('value', d) }));
  const sink = input.services.metric;
  if (sink === undefined) input.services.log(`emit-metric '${name}': this gateway collects no custom metrics; the policy does nothing`);
  return function emitMetric(pc) {
    if (sink === undefined) return undefined;
    const labels: Record<string, string> = {};
    for (const d of dimensions) labels[d.name] = d.value ? d.value(pc) : '';
    const amount = value ? Number(value(pc)) : 1;
    sink(namespace, name, Number.isFinite(amount) ? amount : 0, labels);
    return undefined;
  };
};
