import type { PolicyFactory } from '../../policy/runtime/types.ts';

/** Adds a message to the request trace, when tracing is on (otherwise nothing is evaluated). */
export const runtime: PolicyFactory = function compileTrace(input) {
  const source = input.constant('source') ?? '';
  const severity = (input.constant('severity') ?? 'verbose').toLowerCase();
  const messageElement = input.child('message');
  const message = messageElement ? input.text(messageElement) : input.text();
  const metadata = input.children('metadata').map((m) => ({ name: input.constant('name', m) ?? '', value: input.value('value', m)! }));
  return function trace(pc) {
    const tracer = pc.services.trace;
    if (tracer === undefined) return undefined;
    let text = message ? message(pc) : '';
    for (const m of metadata) text += ` ${m.name}=${m.value(pc)}`;
    tracer(source, severity, text);
    return undefined;
  };
};
