import { FORWARD, type GatewayContext, type Pipeline, type PipelineResult } from '../../gateway/context.ts';
import { getPolicySchema } from '../../policies/registry.ts';
import { policyRuntimes } from '../../policies/runtimes.ts';
import { elementText, sectionNames, type PolicyDocument, type PolicyElement, type PolicyNode, type SectionName } from '../document/tree.ts';
import { PolicyError } from '../errors.ts';
import { compileExpression, ExpressionError, toPolicyString } from '../expressions/index.ts';
import { PolicyContext } from './context.ts';
import { joinLimits } from './limits.ts';
import { forward, internalError, runSteps } from './run.ts';
import { TO_OUTBOUND, type CompileInput, type Outcome, type LogSink, type PolicyFactory, type PolicyFailure, type PolicyServices, type RawValue, type Step, type Value } from './types.ts';

/**
 * Compiles a composed policy document (the `resolved` tree of composePolicies) into a gateway
 * Pipeline, once: inbound → backend → outbound, and on-error when a step fails. Each policy
 * element becomes a Step through its runtime factory (`src/policies/<name>/index.ts`, listed in
 * `src/policies/runtimes.ts`); expressions are compiled here, never per request.
 *
 * Runtime behaviour, as Azure's gateway:
 * - a step answering (return-response, mock-response, a cache hit) ends the pipeline: outbound
 *   does not run;
 * - a failure (a policy's own error such as rate-limit's 429, an expression that throws, a
 *   backend that cannot be reached) sets `context.LastError` {Source, Reason, Message, Scope,
 *   Section, Path, PolicyId}, puts the failure's response in place (500 by default) and runs
 *   `on-error`; an error inside on-error ends it with its own response;
 * - when the backend section holds no forward-request at all (no scope wrote one), the request
 *   is forwarded as if it did — an Atrium default, since Atrium has no built-in global policy.
 */
export interface CompileOptions {
  readonly services: PolicyServices;
  /** The workspace of the API the pipeline serves ('' at service level). */
  readonly workspace?: string;
  /**
   * Secret named values substituted into the document: never shown in `LastError` messages or
   * logs (replaced by `******`).
   */
  readonly secrets?: readonly string[];
  /** Logger sinks by logger id and workspace; `services.logger` by default. */
  readonly logger?: (id: string, workspace: string) => LogSink | undefined;
  /** Schema resources by id and workspace, and the API's schemas by id (validate-content). */
  readonly schemas?: { readonly global: (id: string, workspace: string) => unknown; readonly api: (id: string) => unknown };
  /** The operation's definition (its record's properties), for mock-response. */
  readonly operation?: Readonly<Record<string, unknown>>;
  /** Runtimes by policy name; the catalog's by default. */
  readonly runtimes?: ReadonlyMap<string, PolicyFactory>;
}

export interface CompiledPolicy {
  readonly pipeline: Pipeline;
  readonly sections: Readonly<Record<SectionName, readonly Step[]>>;
}

export function compilePolicy(document: PolicyDocument, options: CompileOptions): CompiledPolicy {
  const compiler = new StepCompiler(options);
  const secrets = options.secrets ?? [];
  const sections = {} as Record<SectionName, readonly Step[]>;
  for (const name of sectionNames) {
    const section = document.root.children.find((c): c is PolicyElement => c.type === 'element' && c.name === name);
    sections[name] = section ? compiler.compileList(section.children, name, [], 'global', '') : [];
  }
  const backend = document.root.children.find((c): c is PolicyElement => c.type === 'element' && c.name === 'backend');
  const implicitForward = !backend || !containsElement(backend, 'forward-request');
  const keepRequestBody = ['outbound', 'on-error'].some((s) => {
    const section = document.root.children.find((c): c is PolicyElement => c.type === 'element' && c.name === s);
    return section !== undefined && subtreeExpressions(section).some((e) => /Request\s*\.\s*Body/.test(e));
  });
  const pipeline = createRunner(sections, implicitForward, keepRequestBody, options.services, secrets);
  return { pipeline, sections };
}

function createRunner(
  sections: Readonly<Record<SectionName, readonly Step[]>>,
  implicitForward: boolean,
  keepRequestBody: boolean,
  services: PolicyServices,
  secrets: readonly string[],
): Pipeline {
  const { inbound, backend, outbound } = sections;
  const onError = sections['on-error'];
  // Only inbound policies: once they let the request through, nothing reads or changes the
  // response, and the gateway may stream it to the client as it does without policies.
  const inboundOnly = implicitForward && backend.length === 0 && outbound.length === 0 && onError.length === 0 && !keepRequestBody;
  const respond = async (pc: PolicyContext, inboundOutcome: Outcome): Promise<PipelineResult> => {
    let outcome = inboundOutcome;
    let pending: Outcome | Promise<Outcome>;
    if (outcome === undefined || outcome === TO_OUTBOUND) {
      if (outcome === undefined) {
        pc.section = 'backend';
        pending = runSteps(backend, pc);
        outcome = pending instanceof Promise ? await pending : pending;
        if (outcome === undefined && implicitForward) {
          outcome = await forward(pc);
          if (outcome !== undefined && typeof outcome !== 'string') {
            outcome.lastError ??= { source: 'forward-request', reason: outcome.reason, message: outcome.message, scope: '', section: 'backend', path: '', policyId: '' };
          }
        }
      } else outcome = undefined;
      if (outcome === undefined) {
        pc.ensureResponse();
        pc.section = 'outbound';
        pending = runSteps(outbound, pc);
        outcome = pending instanceof Promise ? await pending : pending;
      }
    }
    if (outcome !== undefined && typeof outcome !== 'string') {
      fail(pc, outcome, secrets);
      pc.section = 'on-error';
      pending = runSteps(onError, pc);
      const again = pending instanceof Promise ? await pending : pending;
      if (again !== undefined && typeof again !== 'string') fail(pc, again, secrets);
    }
    if (pc.finishing) await pc.finish();
    const response = pc.response ?? pc.ensureResponse();
    return { status: response.status, headers: response.headers, body: response.body };
  };
  return function policyPipeline(ctx: GatewayContext): PipelineResult | Promise<PipelineResult> {
    const pc = new PolicyContext(ctx, services, keepRequestBody);
    const pending = runSteps(inbound, pc);
    if (pending instanceof Promise) return pending.then((outcome) => (inboundOnly && outcome === undefined && !pc.finishing ? FORWARD : respond(pc, outcome)));
    if (inboundOnly && pending === undefined && !pc.finishing) return FORWARD;
    return respond(pc, pending);
  };
}

function fail(pc: PolicyContext, outcome: PolicyFailure, secrets: readonly string[]): void {
  let error = outcome.lastError!;
  if (secrets.length > 0) error = { ...error, message: redact(error.message, secrets) };
  pc.lastError = error;
  pc.gateway.lastError = { source: error.source, reason: error.reason, message: error.message };
  pc.setResponse(outcome.response ?? internalError());
}

function containsElement(element: PolicyElement, name: string): boolean {
  for (const child of element.children) {
    if (child.type !== 'element') continue;
    if (child.name === name || containsElement(child, name)) return true;
  }
  return false;
}

function subtreeExpressions(element: PolicyElement): string[] {
  const out: string[] = [];
  const visit = (e: PolicyElement): void => {
    for (const a of e.attributes) if (a.expression) out.push(a.value);
    for (const c of e.children) {
      if (c.type === 'element') visit(c);
      else if (c.expression) out.push(c.value);
    }
  };
  visit(element);
  return out;
}

const BODY_READ = /\bBody\b/;

class StepCompiler {
  private readonly options: CompileOptions;
  private readonly runtimes: ReadonlyMap<string, PolicyFactory>;

  constructor(options: CompileOptions) {
    this.options = options;
    this.runtimes = options.runtimes ?? policyRuntimes;
  }

  compileList(nodes: readonly PolicyNode[], section: SectionName, ancestors: readonly string[], scope: string, scopeId: string): Step[] {
    const steps: Step[] = [];
    let index = 0;
    const prefix = ancestors.length > 0 ? `${ancestors.join('\\')}\\` : '';
    for (const node of nodes) {
      if (node.type !== 'element') continue;
      index++;
      let nodeScope = scope;
      let nodeScopeId = scopeId;
      if (node.origin) {
        // A fragment's policies belong to the scope that included the fragment.
        const origin = node.origin.kind === 'fragment' && node.origin.includedBy ? node.origin.includedBy : node.origin;
        nodeScope = origin.kind;
        nodeScopeId = origin.id ?? '';
      }
      const path = `${prefix}${node.name}[${index}]`;
      steps.push(this.compileStep(node, section, ancestors, path, nodeScope, nodeScopeId));
    }
    return joinLimits(steps, this.options.services.onStep !== undefined);
  }

  private compileStep(element: PolicyElement, section: SectionName, ancestors: readonly string[], path: string, scope: string, scopeId: string): Step {
    const factory = this.runtimes.get(element.name);
    const policyId = element.attributes.find((a) => a.name === 'id')?.value ?? '';
    const needsBody = subtreeExpressions(element).some((e) => BODY_READ.test(e));
    const base = { name: element.name, section, scope, path, policyId, needsBody };
    if (factory === undefined) {
      const schema = getPolicySchema(element.name);
      if (schema?.support === 'accepted') {
        const message = `The ${element.name} policy cannot run on an Atrium gateway: ${schema.note ?? 'it has no meaning outside Azure'}`;
        return { ...base, run: function azureOnly() { return { kind: 'error', reason: 'PolicyNotSupported', message }; } };
      }
      throw new PolicyError('POLICY_UNSUPPORTED_ELEMENT', `Policy <${element.name}> is not supported by Atrium`, element.position);
    }
    const input = this.input(element, section, ancestors, path, scope, scopeId);
    return { ...base, run: factory(input) };
  }

  private input(element: PolicyElement, section: SectionName, ancestors: readonly string[], path: string, scope: string, scopeId: string): CompileInput {
    const compiler = this;
    const workspace = scope === 'global' ? '' : (this.options.workspace ?? '');
    return {
      element,
      section,
      services: this.options.services,
      workspace,
      scope,
      scopeId,
      operation: this.options.operation,
      ancestors,
      value: (name, of = element) => {
        const a = of.attributes.find((x) => x.name === name);
        if (!a) return undefined;
        if (!a.expression) return constantValue(a.value);
        return stringValue(compileAt(a.value, a.valuePosition, of));
      },
      raw: (name, of = element) => {
        const a = of.attributes.find((x) => x.name === name);
        if (!a) return undefined;
        if (!a.expression) {
          const v = a.value;
          return () => v;
        }
        return rawValue(compileAt(a.value, a.valuePosition, of));
      },
      constant: (name, of = element) => of.attributes.find((x) => x.name === name)?.value,
      isExpression: (name, of = element) => of.attributes.find((x) => x.name === name)?.expression !== undefined,
      text: (of = element) => {
        const expression = textExpression(of);
        if (expression) return stringValue(compileAt(expression.value, expression.position, of));
        const hasText = of.children.some((c) => c.type === 'text');
        return hasText ? constantValue(elementText(of)) : undefined;
      },
      rawText: (of = element) => {
        const expression = textExpression(of);
        if (expression) return rawValue(compileAt(expression.value, expression.position, of));
        const hasText = of.children.some((c) => c.type === 'text');
        if (!hasText) return undefined;
        const v = elementText(of);
        return () => v;
      },
      steps: (nodes, container) => compiler.compileList(nodes, section, container ? [...path.split('\\'), container] : path.split('\\'), scope, scopeId),
      schema: (id) => this.options.schemas?.global(id, workspace),
      apiSchema: (id) => this.options.schemas?.api(id),
      logger: (id) => (this.options.logger ?? this.options.services.logger)?.(id, workspace),
      children: (name, of = element) => of.children.filter((c): c is PolicyElement => c.type === 'element' && c.name === name),
      child: (name, of = element) => of.children.find((c): c is PolicyElement => c.type === 'element' && c.name === name),
      fail: (message) => {
        throw new PolicyError('POLICY_INVALID_ATTRIBUTE', `<${element.name}>: ${message}`, element.position);
      },
    };
  }
}

function textExpression(element: PolicyElement): { value: string; position: PolicyElement['position'] } | undefined {
  const texts = element.children.filter((c) => c.type === 'text');
  if (texts.length === 1 && texts[0].type === 'text' && texts[0].expression) return { value: texts[0].value, position: texts[0].position };
  return undefined;
}

function compileAt(source: string, at: { line: number; column: number }, element: PolicyElement): (ctx: ReturnType<PolicyContext['expr']>) => unknown {
  try {
    return compileExpression(source, { line: at.line, column: at.column });
  } catch (error) {
    if (error instanceof ExpressionError) {
      throw new PolicyError('POLICY_EXPRESSION_INVALID', `<${element.name}>: ${error.message.replace(/ \(line \d+, column \d+\)$/, '')}`, { line: error.line ?? at.line, column: error.column ?? at.column });
    }
    throw error;
  }
}

function constantValue(text: string): Value {
  return function constant() {
    return text;
  };
}

function stringValue(fn: (ctx: ReturnType<PolicyContext['expr']>) => unknown): Value {
  return function expressionValue(pc) {
    const v = fn(pc.expr());
    return v === null || v === undefined ? '' : toPolicyString(v);
  };
}

function rawValue(fn: (ctx: ReturnType<PolicyContext['expr']>) => unknown): RawValue {
  return function expressionResult(pc) {
    return fn(pc.expr());
  };
}

/** The text with every secret value replaced by `******`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0 && out.includes(secret)) out = out.replaceAll(secret, '******');
  return out;
}
