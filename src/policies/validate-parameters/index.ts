import { getHeader } from '../../policy/runtime/headers.ts';
import type { PolicyElement } from '../../policy/document/tree.ts';
import type { PolicyFactory, Value } from '../../policy/runtime/types.ts';
import { action, conclude, type ValidationError } from './validation.ts';

interface Parameter {
  readonly name: string;
  readonly required?: boolean;
  readonly values?: readonly string[];
  readonly type?: string;
}

/** Request headers that are not API parameters: HTTP's own, the gateway's, the subscription key. */
const TRANSPORT = new Set([
  'host', 'accept', 'accept-encoding', 'accept-language', 'user-agent', 'content-type', 'content-length', 'connection', 'cache-control', 'pragma',
  'authorization', 'origin', 'referer', 'cookie', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'traceparent', 'tracestate', 'expect',
  'ocp-apim-subscription-key', 'ocp-apim-trace', 'if-none-match', 'if-modified-since',
]);

type Kind = 'headers' | 'query' | 'path';
const TYPE: Record<Kind, string> = { headers: 'Header', query: 'QueryParameter', path: 'PathParameter' };

/**
 * Checks the request's headers, query and path parameters against the operation's definition:
 * a declared parameter that is required and missing, not of its integer/number/boolean type,
 * or outside its allowed values gets the specified-parameter action; a parameter not declared
 * gets the unspecified-parameter action. Each of `<headers>`, `<query>`, `<path>` may override
 * both, and `<parameter>` one name. `prevent` answers 400 with the error's details.
 */
export const runtime: PolicyFactory = function compileValidateParameters(input) {
  const request = (input.operation?.request as { headers?: Parameter[]; queryParameters?: Parameter[] } | undefined) ?? {};
  const declared: Record<Kind, Parameter[]> = {
    headers: request.headers ?? [],
    query: request.queryParameters ?? [],
    path: (input.operation?.templateParameters as Parameter[] | undefined) ?? [],
  };
  const specified = input.value('specified-parameter-action')!;
  const unspecified = input.value('unspecified-parameter-action')!;
  const variable = input.constant('errors-variable-name');
  const groups = {} as Record<Kind, { specified: Value; unspecified: Value; overrides: Map<string, Value> }>;
  for (const kind of ['headers', 'query', 'path'] as const) {
    const element: PolicyElement | undefined = input.child(kind);
    groups[kind] = {
      specified: (element && input.value('specified-parameter-action', element)) || specified,
      unspecified: (element && input.value('unspecified-parameter-action', element)) || unspecified,
      overrides: new Map((element ? input.children('parameter', element) : []).map((p) => [String(input.constant('name', p)).toLowerCase(), input.value('action', p)!])),
    };
  }
  return function validateParameters(pc) {
    const req = pc.gateway.request;
    const query = new URLSearchParams(req.query);
    const matched = pc.gateway.matchedParameters as Record<string, string>;
    const errors: ValidationError[] = [];
    for (const kind of ['headers', 'query', 'path'] as const) {
      const group = groups[kind];
      const type = TYPE[kind];
      const actionFor = (name: string, fallback: Value) => action((group.overrides.get(name.toLowerCase()) ?? fallback)(pc));
      const read = (name: string): string | undefined =>
        kind === 'headers' ? getHeader(req.headers, name) : kind === 'query' ? (query.get(name) ?? undefined) : matched[name];
      const names = new Set<string>();
      for (const p of declared[kind]) {
        names.add(p.name.toLowerCase());
        const value = read(p.name);
        const fail = (rule: string, details: string) => errors.push({ Name: p.name, Type: type, ValidationRule: rule, Details: details, Action: actionFor(p.name, group.specified) });
        if (value === undefined) {
          if (p.required) fail('IsRequired', `${type} ${p.name} is required.`);
          continue;
        }
        if (p.values && p.values.length > 0 && !p.values.includes(value)) fail('Enum', `Value ${value} of ${type} ${p.name} is not one of the allowed values.`);
        else if (!fitsType(value, p.type)) fail('DataType', `Value ${value} of ${type} ${p.name} is not of type ${p.type}.`);
      }
      const present: string[] =
        kind === 'headers' ? req.headers.filter((_, i) => i % 2 === 0) : kind === 'query' ? [...new Set(query.keys())] : Object.keys(matched);
      for (const name of present) {
        const lower = name.toLowerCase();
        if (names.has(lower) || (kind === 'headers' && TRANSPORT.has(lower)) || (kind === 'query' && lower === pc.gateway.api.keyQuery.toLowerCase())) continue;
        errors.push({ Name: name, Type: type, ValidationRule: 'Unspecified', Details: `Unspecified ${type} ${name} is not allowed.`, Action: actionFor(name, group.unspecified) });
      }
    }
    return conclude(pc, errors, variable, 'validate-parameters');
  };
};

function fitsType(value: string, type: string | undefined): boolean {
  switch (type?.toLowerCase()) {
    case 'integer':
      return /^-?\d+$/.test(value);
    case 'number':
      return value.trim() !== '' && !Number.isNaN(Number(value));
    case 'boolean':
      return value === 'true' || value === 'false';
    default:
      return true;
  }
}
