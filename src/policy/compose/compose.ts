import { PolicyError } from '../errors.ts';
import { scanExpression, startsExpression, ExpressionScanError } from '../document/expression-scanner.ts';
import { collectReferences, findNamedValues, namedValuePattern } from '../document/references.ts';
import { sectionNames } from '../document/tree.ts';
import type {
  PolicyAttribute,
  PolicyDocument,
  PolicyElement,
  PolicyNode,
  PolicyOrigin,
  PolicyText,
  SectionName,
  SourcePosition,
} from '../document/tree.ts';
import type { PolicyScope } from '../catalog/types.ts';

/** One level of the scope chain, outermost (global) first. */
export interface PolicyLevel {
  readonly scope: PolicyScope;
  /** Id of the resource that owns the policy (API id, product id…), for messages and origins. */
  readonly id?: string;
  /**
   * The workspace the document belongs to; fragments and named values are resolved there
   * (never at service level from a workspace document). Absent for service-level documents.
   */
  readonly workspace?: string;
  /** Absent when the level has no policy: it then runs its parent's policies unchanged. */
  readonly document?: PolicyDocument;
}

export interface NamedValue {
  readonly value: string;
  /** Secret values are substituted for running but never shown or logged. */
  readonly secret?: boolean;
}

export interface ComposeResolvers {
  /** The fragment `id` of `workspace` (service level when undefined), or undefined. */
  readonly fragment?: (id: string, workspace: string | undefined) => PolicyDocument | undefined;
  /** The named value `name` of `workspace` (service level when undefined), or undefined. */
  readonly namedValue?: (name: string, workspace: string | undefined) => NamedValue | undefined;
}

export interface ComposedPolicy {
  /**
   * Azure's "effective policy": scopes merged and fragments expanded, `{{named values}}` kept
   * as written. Safe to show; serialise it with serializePolicyDocument.
   */
  readonly effective: PolicyDocument;
  /**
   * The tree to compile: as `effective`, with named values substituted (only when a
   * namedValue resolver is given). Never serialise it for display: it may hold secrets.
   */
  readonly resolved: PolicyDocument;
  /** The secret values substituted into `resolved`, so logs and traces can redact them. */
  readonly secretValues: readonly string[];
  /** What the result depends on: a change to any of these means composing again. */
  readonly dependencies: {
    readonly fragments: readonly { readonly workspace?: string; readonly id: string }[];
    readonly namedValues: readonly { readonly workspace?: string; readonly name: string }[];
  };
}

/**
 * Merges the scope chain global > workspace > product > API > operation. In each section a
 * level's `<base/>` is replaced by what its parent's section produced; a section without
 * `<base/>` drops the parent's policies. A level without a document, or a document without a
 * given section, inherits that section unchanged. `<include-fragment>` elements are replaced by
 * the fragment's policies (recursively; cycles are rejected with the chain named).
 */
export function composePolicies(levels: readonly PolicyLevel[], resolvers: ComposeResolvers = {}): ComposedPolicy {
  const fragments = new Map<string, { workspace?: string; id: string }>();
  const namedValues = new Map<string, { workspace?: string; name: string }>();
  const secretValues = new Set<string>();

  let effective = new Map<SectionName, PolicyNode[]>(sectionNames.map((s) => [s, []]));
  let resolved = new Map<SectionName, PolicyNode[]>(sectionNames.map((s) => [s, []]));

  for (const level of levels) {
    const document = level.document;
    if (!document) continue;
    if (document.kind !== 'policies') {
      throw new PolicyError('POLICY_UNKNOWN_ROOT', `The ${level.scope} policy must be a <policies> document, not a <fragment>`, document.root.position);
    }
    const origin: PolicyOrigin = { kind: level.scope, id: level.id };
    const expander = new FragmentExpander(level.workspace, resolvers, fragments, origin);
    const nextEffective = new Map<SectionName, PolicyNode[]>();
    const nextResolved = new Map<SectionName, PolicyNode[]>();
    for (const name of sectionNames) {
      const section = document.root.children.find((c): c is PolicyElement => c.type === 'element' && c.name === name);
      if (!section) {
        nextEffective.set(name, effective.get(name)!);
        nextResolved.set(name, resolved.get(name)!);
        continue;
      }
      const own = expander.expand(section.children, []).map((node) => withOrigin(node, origin));
      const substituted = resolvers.namedValue
        ? own.map((node) => substitute(node, level.workspace, resolvers.namedValue!, namedValues, secretValues))
        : own;
      nextEffective.set(name, replaceBase(own, effective.get(name)!));
      nextResolved.set(name, replaceBase(substituted, resolved.get(name)!));
    }
    effective = nextEffective;
    resolved = nextResolved;
  }

  return {
    effective: buildDocument(effective, levels),
    resolved: buildDocument(resolved, levels),
    secretValues: [...secretValues],
    dependencies: { fragments: [...fragments.values()], namedValues: [...namedValues.values()] },
  };
}

function replaceBase(nodes: readonly PolicyNode[], parent: readonly PolicyNode[]): PolicyNode[] {
  const out: PolicyNode[] = [];
  for (const node of nodes) {
    if (node.type === 'element' && node.name === 'base') out.push(...parent);
    else out.push(node);
  }
  return out;
}

function withOrigin(node: PolicyNode, origin: PolicyOrigin): PolicyNode {
  if (node.type !== 'element' || node.origin) return node;
  return { ...node, origin };
}

const emptyPosition: SourcePosition = { line: 1, column: 1, offset: 0 };

function buildDocument(sections: Map<SectionName, PolicyNode[]>, levels: readonly PolicyLevel[]): PolicyDocument {
  const children: PolicyElement[] = sectionNames.map((name) => ({
    type: 'element',
    name,
    attributes: [],
    children: sections.get(name)!,
    position: emptyPosition,
  }));
  const root: PolicyElement = { type: 'element', name: 'policies', attributes: [], children, position: emptyPosition };
  const { namedValues, expressions } = collectReferences(root);
  const format = levels.find((l) => l.document)?.document?.format ?? 'rawxml';
  return { kind: 'policies', format, root, namedValues, expressions };
}

class FragmentExpander {
  private readonly workspace: string | undefined;
  private readonly resolvers: ComposeResolvers;
  private readonly used: Map<string, { workspace?: string; id: string }>;
  private readonly level: PolicyOrigin | undefined;

  constructor(workspace: string | undefined, resolvers: ComposeResolvers, used: Map<string, { workspace?: string; id: string }>, level?: PolicyOrigin) {
    this.workspace = workspace;
    this.resolvers = resolvers;
    this.used = used;
    this.level = level;
  }

  /** Replaces `<include-fragment>` at any depth; `chain` lists the fragments being expanded. */
  expand(nodes: readonly PolicyNode[], chain: readonly string[]): PolicyNode[] {
    const out: PolicyNode[] = [];
    for (const node of nodes) {
      if (node.type !== 'element') {
        out.push(node);
        continue;
      }
      if (node.name !== 'include-fragment') {
        out.push(node.children.length > 0 ? { ...node, children: this.expand(node.children, chain) } : node);
        continue;
      }
      const id = node.attributes.find((a) => a.name === 'fragment-id')?.value.trim();
      if (!id) throw new PolicyError('POLICY_MISSING_ATTRIBUTE', "<include-fragment> requires the attribute 'fragment-id'", node.position);
      if (chain.includes(id)) {
        throw new PolicyError('POLICY_FRAGMENT_CYCLE', `Policy fragments include each other in a cycle: ${[...chain.slice(chain.indexOf(id)), id].join(' → ')}`, node.position);
      }
      const where = this.workspace ? `workspace '${this.workspace}'` : 'the service';
      const fragment = this.resolvers.fragment?.(id, this.workspace);
      if (!fragment) throw new PolicyError('POLICY_FRAGMENT_NOT_FOUND', `Policy fragment '${id}' does not exist in ${where}`, node.position);
      if (fragment.kind !== 'fragment') {
        throw new PolicyError('POLICY_UNKNOWN_ROOT', `Policy fragment '${id}' must be a <fragment> document`, node.position);
      }
      this.used.set(`${this.workspace ?? ''}/${id}`, { workspace: this.workspace, id });
      const origin: PolicyOrigin = this.level ? { kind: 'fragment', id, includedBy: this.level } : { kind: 'fragment', id };
      for (const child of this.expand(fragment.root.children, [...chain, id])) out.push(withOrigin(child, origin));
    }
    return out;
  }
}

function isLiquidBody(element: PolicyElement): boolean {
  return element.name === 'set-body' && element.attributes.some((a) => a.name === 'template' && a.value.trim().toLowerCase() === 'liquid');
}

function substitute(
  node: PolicyNode,
  workspace: string | undefined,
  resolve: NonNullable<ComposeResolvers['namedValue']>,
  used: Map<string, { workspace?: string; name: string }>,
  secrets: Set<string>,
  inLiquid = false,
): PolicyNode {
  let secret = false;
  const replace = (text: string, at: SourcePosition): string => {
    if (findNamedValues(text).length === 0) return text;
    return text.replace(namedValuePattern, (_match, name: string) => {
      const found = resolve(name, workspace);
      if (!found) {
        const where = workspace ? `workspace '${workspace}'` : 'the service';
        throw new PolicyError('POLICY_NAMED_VALUE_NOT_FOUND', `Named value '${name}' does not exist in ${where}`, at);
      }
      used.set(`${workspace ?? ''}/${name}`, { workspace, name });
      if (found.secret) {
        secret = true;
        if (found.value !== '') secrets.add(found.value);
      }
      return found.value;
    });
  };
  if (node.type === 'text') {
    if (inLiquid && !node.expression) return node;
    secret = false;
    const value = replace(node.value, node.position);
    if (value === node.value) return node;
    return reclassify(secret ? { ...node, value, secret } : { ...node, value }) as PolicyText;
  }
  const liquid = inLiquid || isLiquidBody(node);
  let changed = false;
  const attributes = node.attributes.map((a) => {
    secret = false;
    const value = replace(a.value, a.valuePosition);
    if (value === a.value) return a;
    changed = true;
    return reclassify(secret ? { ...a, value, secret } : { ...a, value }) as PolicyAttribute;
  });
  const children = node.children.map((c) => {
    const next = substitute(c, workspace, resolve, used, secrets, liquid);
    if (next !== c) changed = true;
    return next;
  });
  return changed ? { ...node, attributes, children } : node;
}

/** A named value may hold a policy expression: after substitution, a value may become one. */
function reclassify<T extends { value: string; expression?: 'inline' | 'block' }>(item: T): T {
  const trimmed = item.value.trim();
  if (!startsExpression(trimmed, 0)) {
    if (item.expression) {
      const { expression: _dropped, ...rest } = item;
      return rest as T;
    }
    return item;
  }
  try {
    const scan = scanExpression(trimmed, 0, { decodeEntities: false });
    if (scan.end === trimmed.length) return { ...item, value: trimmed, expression: scan.kind };
  } catch (error) {
    if (!(error instanceof ExpressionScanError)) throw error;
  }
  return item;
}
