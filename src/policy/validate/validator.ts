import { PolicyError } from '../errors.ts';
import type { PolicyErrorCode } from '../errors.ts';
import { policyCatalog } from '../../policies/registry.ts';
import { findNamedValues } from '../document/references.ts';
import { literalRanges } from '../document/expression-scanner.ts';
import { expressionChecker } from '../expression-checker.ts';
import type { PolicyDocument, PolicyElement, PolicyNode, PolicyOrigin, SectionName, SourcePosition } from '../document/tree.ts';
import type { AttributeSchema, ElementSchema, PolicySchema, PolicyScope } from '../catalog/types.ts';

/**
 * Checks one policy expression. Throws when it does not compile; the error may carry `code`,
 * `line` and `column` (absolute in the document, given the start position passed in) and
 * `message`. The expression compiler's `compileExpression` has this shape.
 */
export type ExpressionChecker = (source: string, options: { line: number; column: number }) => unknown;

export interface ValidateOptions {
  /** The scope the document is saved at; scope restrictions are checked only when given. */
  readonly scope?: PolicyScope;
  /**
   * For a fragment: the sections it will be included in, when known (otherwise section rules
   * are checked where the fragment is included).
   */
  readonly fragmentSections?: readonly SectionName[];
  /**
   * Compiles each expression. Defaults to the expression compiler (src/policy/expressions) when
   * it is present; `false` checks expressions only for balance, as the parser does.
   */
  readonly compileExpression?: ExpressionChecker | false;
  /**
   * Require `<base/>` in every section the document writes (the service's governance setting
   * for workspace-level policies). A section the document leaves out inherits its parent's.
   */
  readonly requireBase?: boolean;
  /** When given, `<include-fragment>` must name a fragment for which this returns true (same workspace). */
  readonly fragmentExists?: (id: string) => boolean;
  /** When given, every `{{name}}` must name a named value for which this returns true (same workspace). */
  readonly namedValueExists?: (name: string) => boolean;
  /** When given, a literal `backend-id` of set-backend-service must be a backend for which this returns true. */
  readonly backendExists?: (id: string) => boolean;
  /** When given, the `logger-id` of log-to-eventhub must be a logger for which this returns true. */
  readonly loggerExists?: (id: string) => boolean;
  /** Defaults to Atrium's catalog (src/policies/registry.ts). */
  readonly catalog?: ReadonlyMap<string, PolicySchema>;
}

export interface PolicyWarning {
  readonly code: 'POLICY_AZURE_ONLY' | 'POLICY_EXPRESSION_DEFERRED';
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export interface ValidationResult {
  readonly valid: boolean;
  /** Every problem found, in document order. */
  readonly errors: readonly PolicyError[];
  /** Accepted but noteworthy: Azure-only policies, expressions that wait for named values. */
  readonly warnings: readonly PolicyWarning[];
  /** Names of the Azure policies used that Atrium does not run (each also has an error). */
  readonly unsupported: readonly string[];
}

/** Validates a parsed document against the policy catalog and collects every problem. */
export function validatePolicyDocument(document: PolicyDocument, options: ValidateOptions = {}): ValidationResult {
  const validator = new Validator(options);
  if (document.kind === 'policies') {
    for (const section of document.root.children) {
      if (section.type !== 'element') continue;
      validator.section(section, section.name as SectionName);
    }
  } else {
    validator.policyList(document.root.children, { sections: options.fragmentSections, path: 'fragment', inFragment: true });
  }
  if (options.namedValueExists) {
    const missing = new Set<string>();
    for (const reference of document.namedValues) {
      if (missing.has(reference.name) || options.namedValueExists(reference.name)) continue;
      missing.add(reference.name);
      validator.errors.push(new PolicyError('POLICY_NAMED_VALUE_NOT_FOUND', `Named value '${reference.name}' does not exist`, reference.position));
    }
  }
  const compile = options.compileExpression === false ? undefined : (options.compileExpression ?? expressionChecker());
  if (compile) validator.expressions(document, compile);
  const errors = validator.errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { valid: errors.length === 0, errors, warnings: validator.warnings, unsupported: [...validator.unsupported] };
}

/** Validates and throws the first error (with all of them in `errors`) when the document is invalid. */
export function assertValidPolicyDocument(document: PolicyDocument, options: ValidateOptions = {}): ValidationResult {
  const result = validatePolicyDocument(document, options);
  if (!result.valid) {
    const first = result.errors[0];
    const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : '';
    const message = first.message.replace(/ \(line \d+, column \d+\)$/, '') + more;
    throw new PolicyError(first.code, message, first, result.errors);
  }
  return result;
}

interface ListContext {
  /** The sections the policies will run in; undefined when unknown (a fragment). */
  readonly sections?: readonly SectionName[];
  readonly path: string;
  readonly only?: readonly string[];
  readonly inFragment?: boolean;
}

class Validator {
  readonly errors: PolicyError[] = [];
  readonly warnings: PolicyWarning[] = [];
  readonly unsupported = new Set<string>();
  private readonly catalog: ReadonlyMap<string, PolicySchema>;
  private readonly scope?: PolicyScope;
  private readonly requireBase: boolean;
  private readonly fragmentExists?: (id: string) => boolean;
  private readonly references: readonly { element: string; attribute: string; what: string; exists?: (id: string) => boolean }[];

  constructor(options: ValidateOptions) {
    this.references = [
      { element: 'set-backend-service', attribute: 'backend-id', what: 'Backend', exists: options.backendExists },
      { element: 'log-to-eventhub', attribute: 'logger-id', what: 'Logger', exists: options.loggerExists },
    ];
    this.fragmentExists = options.fragmentExists;
    this.catalog = options.catalog ?? policyCatalog;
    this.scope = options.scope;
    this.requireBase = options.requireBase ?? false;
  }

  /** Where the element being checked came from, when composition brought it from elsewhere. */
  private origin: PolicyOrigin | undefined;

  private error(code: PolicyErrorCode, message: string, at: SourcePosition): void {
    const from = this.origin
      ? this.origin.kind === 'fragment'
        ? ` in fragment '${this.origin.id}'`
        : ` in the ${this.origin.kind} policy${this.origin.id ? ` '${this.origin.id}'` : ''}`
      : '';
    this.errors.push(new PolicyError(code, message + from, at));
  }

  section(section: PolicyElement, name: SectionName): void {
    const bases = section.children.filter((c): c is PolicyElement => c.type === 'element' && c.name === 'base');
    for (const extra of bases.slice(1)) {
      this.error('POLICY_INVALID_BASE', `<base/> may appear only once in <${name}>`, extra.position);
    }
    if (bases.length === 0 && this.requireBase) {
      this.error('POLICY_BASE_REQUIRED', `<${name}> must contain <base/>: the service requires it in workspace policies`, section.position);
    }
    if (bases.length > 0 && this.scope === 'global') {
      this.error('POLICY_INVALID_BASE', '<base/> is not allowed in the global policy, which has no parent scope', bases[0].position);
    }
    this.policyList(section.children, { sections: [name], path: name }, true);
  }

  policyList(nodes: readonly PolicyNode[], context: ListContext, topLevel = false): void {
    for (const node of nodes) {
      if (node.type === 'text') {
        if (node.cdata || node.expression || node.value.trim() !== '') {
          this.error('POLICY_INVALID_CHILDREN', `Text is not allowed in ${context.path}: expected policy elements`, node.position);
        }
        continue;
      }
      this.policy(node, context, topLevel);
    }
  }

  private policy(element: PolicyElement, context: ListContext, topLevel: boolean): void {
    const outer = this.origin;
    if (element.origin) this.origin = element.origin;
    try {
      this.checkPolicy(element, context, topLevel);
    } finally {
      this.origin = outer;
    }
  }

  private checkPolicy(element: PolicyElement, context: ListContext, topLevel: boolean): void {
    if (element.name === 'include-fragment' && this.fragmentExists) {
      const id = element.attributes.find((a) => a.name === 'fragment-id')?.value.trim();
      if (id && !this.fragmentExists(id)) {
        this.error('POLICY_FRAGMENT_NOT_FOUND', `Policy fragment '${id}' does not exist`, element.position);
      }
    }
    for (const reference of this.references) {
      if (reference.element !== element.name || !reference.exists) continue;
      const attribute = element.attributes.find((a) => a.name === reference.attribute);
      if (!attribute || attribute.expression || findNamedValues(attribute.value).length > 0) continue;
      if (!reference.exists(attribute.value.trim())) {
        this.error('POLICY_REFERENCE_NOT_FOUND', `${reference.what} '${attribute.value.trim()}' does not exist`, attribute.valuePosition);
      }
    }
    const schema = this.catalog.get(element.name);
    if (!schema) {
      const suggestion = closestName(element.name, [...this.catalog.keys()]);
      this.error(
        'POLICY_UNKNOWN_ELEMENT',
        `Unknown policy <${element.name}> in ${context.path}${suggestion ? ` (did you mean <${suggestion}>?)` : ''}`,
        element.position,
      );
      return;
    }
    if (schema.support === 'unsupported') {
      this.unsupportedPolicy(element, schema);
      return;
    }
    if (schema.support === 'accepted') this.azureOnly(element, schema);
    if (context.only && !context.only.includes(element.name)) {
      this.error(
        'POLICY_ELEMENT_NOT_ALLOWED',
        `Policy <${element.name}> is not allowed in ${context.path}: only ${context.only.map((n) => `<${n}>`).join(', ')}`,
        element.position,
      );
    }
    if (element.name === 'base' && !topLevel) {
      this.error('POLICY_INVALID_BASE', `<base/> must be a direct child of a section, not inside ${context.path}`, element.position);
    }
    if (context.sections) {
      const wrong = context.sections.filter((s) => !schema.sections.includes(s));
      if (wrong.length > 0) {
        this.error(
          'POLICY_ELEMENT_NOT_ALLOWED',
          `Policy <${element.name}> is not allowed in the ${wrong[0]} section (allowed in: ${schema.sections.join(', ')})`,
          element.position,
        );
      }
    }
    if (this.scope && !schema.scopes.includes(this.scope)) {
      this.error(
        'POLICY_ELEMENT_NOT_ALLOWED',
        `Policy <${element.name}> is not allowed at the ${this.scope} scope (allowed at: ${schema.scopes.join(', ')})`,
        element.position,
      );
    }
    this.element(element, schema, context);
  }

  private unsupportedPolicy(element: PolicyElement, schema: PolicySchema): void {
    this.unsupported.add(element.name);
    this.error(
      'POLICY_UNSUPPORTED_ELEMENT',
      `Policy <${element.name}> is not supported by Atrium${schema.note ? `: ${schema.note}` : ''}`,
      element.position,
    );
  }

  private azureOnly(element: PolicyElement, schema: PolicySchema): void {
    this.warnings.push({
      code: 'POLICY_AZURE_ONLY',
      message: `Policy <${element.name}> is accepted but fails when it runs: ${schema.note ?? 'it has no meaning outside Azure'}`,
      line: element.position.line,
      column: element.position.column,
    });
  }

  private element(element: PolicyElement, schema: ElementSchema, context: ListContext): void {
    const path = `${context.path}/${element.name}`;
    for (const attribute of element.attributes) {
      if (attribute.name === 'xmlns' || attribute.name.includes(':')) continue;
      const definition = schema.attributes.find((a) => a.name === attribute.name);
      if (!definition) {
        const known = schema.attributes.map((a) => a.name);
        this.error(
          'POLICY_INVALID_ATTRIBUTE',
          `Unknown attribute '${attribute.name}' on <${element.name}>${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`,
          attribute.position,
        );
        continue;
      }
      if (definition.unsupported) {
        this.error(
          'POLICY_INVALID_ATTRIBUTE',
          `Attribute '${attribute.name}' of <${element.name}> is not supported by Atrium: ${definition.unsupported}`,
          attribute.position,
        );
        continue;
      }
      const problem = checkValue(definition, attribute.value, attribute.expression !== undefined);
      if (problem) this.error('POLICY_INVALID_ATTRIBUTE', `Attribute '${attribute.name}' of <${element.name}> ${problem}`, attribute.valuePosition);
    }
    for (const definition of schema.attributes) {
      if (definition.required && !element.attributes.some((a) => a.name === definition.name)) {
        this.error('POLICY_MISSING_ATTRIBUTE', `<${element.name}> requires the attribute '${definition.name}'`, element.position);
      }
    }
    for (const group of schema.exclusive ?? []) {
      const given = group.names.filter((n) => element.attributes.some((a) => a.name === n));
      if (given.length > 1) {
        this.error('POLICY_INVALID_ATTRIBUTE', `<${element.name}> takes only one of ${group.names.map((n) => `'${n}'`).join(', ')}`, element.position);
      } else if (given.length === 0 && group.required) {
        this.error('POLICY_MISSING_ATTRIBUTE', `<${element.name}> requires one of ${group.names.map((n) => `'${n}'`).join(', ')}`, element.position);
      }
    }
    const content = schema.content;
    switch (content.kind) {
      case 'empty':
        for (const node of element.children) {
          if (node.type === 'element' || node.cdata || node.expression || node.value.trim() !== '') {
            this.error('POLICY_INVALID_CHILDREN', `<${element.name}> must be empty`, node.position);
            break;
          }
        }
        break;
      case 'text': {
        const child = element.children.find((c): c is PolicyElement => c.type === 'element');
        if (child) this.error('POLICY_INVALID_CHILDREN', `<${child.name}> is not allowed in <${element.name}>, which holds text only`, child.position);
        const texts = element.children.filter((c) => c.type === 'text');
        if (content.required && texts.every((t) => t.value.trim() === '')) {
          this.error('POLICY_INVALID_CHILDREN', `<${element.name}> must not be empty`, element.position);
        }
        const expression = texts.find((t) => t.expression);
        if (expression && !content.expressions) {
          this.error('POLICY_INVALID_CHILDREN', `The text of <${element.name}> cannot be a policy expression`, expression.position);
        }
        break;
      }
      case 'elements': {
        const counts = new Map<string, number>();
        let lastRank = 0;
        for (const node of element.children) {
          if (node.type === 'text') {
            if (!content.text && (node.cdata || node.expression || node.value.trim() !== '')) {
              this.error('POLICY_INVALID_CHILDREN', `Text is not allowed in <${element.name}>`, node.position);
            }
            continue;
          }
          const childSchema = content.elements.find((c) => c.element.name === node.name);
          if (!childSchema) {
            const expected = content.elements.map((c) => `<${c.element.name}>`).join(', ');
            this.error(
              'POLICY_INVALID_CHILDREN',
              `<${node.name}> is not allowed in <${element.name}>${expected ? ` (expected ${expected})` : ''}`,
              node.position,
            );
            continue;
          }
          const rank = content.elements.indexOf(childSchema);
          if (content.ordered && rank < lastRank) {
            this.error('POLICY_INVALID_CHILDREN', `<${node.name}> must come before <${content.elements[lastRank].element.name}> in <${element.name}>`, node.position);
          }
          lastRank = Math.max(lastRank, rank);
          const count = (counts.get(node.name) ?? 0) + 1;
          counts.set(node.name, count);
          if (childSchema.max !== undefined && count === childSchema.max + 1) {
            this.error('POLICY_INVALID_CHILDREN', `<${element.name}> takes at most ${childSchema.max} <${node.name}>`, node.position);
          }
          const asPolicy = childSchema.element as Partial<PolicySchema>;
          if (asPolicy.support === 'unsupported') this.unsupportedPolicy(node, asPolicy as PolicySchema);
          else {
            if (asPolicy.support === 'accepted') this.azureOnly(node, asPolicy as PolicySchema);
            this.element(node, childSchema.element, { ...context, path });
          }
        }
        for (const childSchema of content.elements) {
          const min = childSchema.min ?? 0;
          if ((counts.get(childSchema.element.name) ?? 0) < min) {
            this.error(
              'POLICY_INVALID_CHILDREN',
              `<${element.name}> requires ${min === 1 ? 'a' : `at least ${min}`} <${childSchema.element.name}> element`,
              element.position,
            );
          }
        }
        break;
      }
      case 'policies':
        this.policyList(element.children, { ...context, path, only: content.only });
        break;
      case 'any':
        break;
    }
  }

  expressions(document: PolicyDocument, compile: ExpressionChecker): void {
    for (const expression of document.expressions) {
      const { line, column } = expression.position;
      try {
        compile(expression.source, { line, column });
      } catch (error) {
        const e = error as { message?: unknown; line?: unknown; column?: unknown };
        const host = expression.attribute ? `attribute '${expression.attribute}' of <${expression.element}>` : `<${expression.element}>`;
        const message = String(e.message ?? error).replace(/ \(line \d+, column \d+\)$/, '');
        if (hasPlaceholderInCode(expression.source)) {
          // The text is only C# once named values are substituted; it is checked again then.
          this.warnings.push({
            code: 'POLICY_EXPRESSION_DEFERRED',
            message: `Policy expression in ${host} is checked once its named values are substituted: ${message}`,
            line,
            column,
          });
          continue;
        }
        const at: SourcePosition = {
          line: typeof e.line === 'number' ? e.line : line,
          column: typeof e.column === 'number' ? e.column : column,
          offset: expression.position.offset,
        };
        this.error('POLICY_EXPRESSION_INVALID', `Invalid policy expression in ${host}: ${message}`, at);
      }
    }
  }
}

/**
 * A `{{name}}` outside string literals stands for code, so the expression cannot be compiled
 * before named values are substituted. Inside a literal it is just text.
 */
function hasPlaceholderInCode(source: string): boolean {
  const placeholders = findNamedValues(source);
  if (placeholders.length === 0) return false;
  const literals = literalRanges(source);
  return placeholders.some(({ index }) => !literals.some(([start, end]) => index >= start && index < end));
}

/** Returns a problem description, or undefined when the value fits the attribute's type. */
export function checkValue(definition: AttributeSchema, value: string, isExpression: boolean): string | undefined {
  if (isExpression) return definition.expressions ? undefined : 'does not accept policy expressions';
  // A value with a named value placeholder is checked after substitution.
  if (findNamedValues(value).length > 0) return undefined;
  const trimmed = value.trim();
  switch (definition.type) {
    case 'string':
      return undefined;
    case 'boolean':
      return /^(true|false)$/i.test(trimmed) ? undefined : `must be true or false, not '${value}'`;
    case 'integer':
    case 'number': {
      const pattern = definition.type === 'integer' ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
      if (!pattern.test(trimmed)) return `must be ${definition.type === 'integer' ? 'an integer' : 'a number'}, not '${value}'`;
      const n = Number(trimmed);
      if (definition.min !== undefined && n < definition.min) return `must be at least ${definition.min}, not ${trimmed}`;
      if (definition.max !== undefined && n > definition.max) return `must be at most ${definition.max}, not ${trimmed}`;
      return undefined;
    }
    case 'enum': {
      const values = definition.values ?? [];
      return values.some((v) => v.toLowerCase() === trimmed.toLowerCase()) ? undefined : `must be one of ${values.join(', ')}, not '${value}'`;
    }
  }
}

function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
