import type { ResourceTypeDef } from './resource-type.ts';
import { modelError } from './errors.ts';

/** One step of a resource path: the type and the instance name. */
export interface PathStep {
  readonly def: ResourceTypeDef;
  readonly name: string;
}

/**
 * Where a resource lives: an optional workspace, then the chain of types from the top-level
 * resource down to the resource itself. Workspaces themselves are a chain of one step with no
 * workspace.
 */
export interface ResourcePath {
  readonly workspace: string | undefined;
  readonly steps: readonly PathStep[];
}

export interface Registry {
  readonly types: readonly ResourceTypeDef[];
  get(kind: string): ResourceTypeDef;
  find(kind: string): ResourceTypeDef | undefined;
  /** Types that live directly under the service or a workspace, by path segment. */
  topLevel(segment: string): ResourceTypeDef | undefined;
  child(parentKind: string, segment: string): ResourceTypeDef | undefined;
  childrenOf(kind: string): readonly ResourceTypeDef[];
  /** Chain of definitions from the top-level ancestor down to `kind`. */
  lineage(kind: string): readonly ResourceTypeDef[];
  /** Whether instances of this type (following its top-level ancestor) may live in a workspace / at service level. */
  levelsOf(kind: string): { readonly service: boolean; readonly workspace: boolean };
}

export function createRegistry(types: readonly ResourceTypeDef[]): Registry {
  const byKind = new Map<string, ResourceTypeDef>();
  for (const def of types) {
    if (byKind.has(def.kind)) throw new Error(`resource kind declared twice: ${def.kind}`);
    byKind.set(def.kind, def);
  }
  const top = new Map<string, ResourceTypeDef>();
  const children = new Map<string, ResourceTypeDef[]>();
  for (const def of types) {
    if (def.parent === undefined) {
      if (!def.levels) throw new Error(`top-level kind ${def.kind} declares no levels`);
      if (top.has(def.segment)) throw new Error(`two top-level kinds use segment ${def.segment}`);
      top.set(def.segment, def);
    } else {
      if (!byKind.has(def.parent)) throw new Error(`kind ${def.kind} names unknown parent ${def.parent}`);
      const list = children.get(def.parent) ?? [];
      if (list.some((c) => c.segment === def.segment)) throw new Error(`two children of ${def.parent} use segment ${def.segment}`);
      list.push(def);
      children.set(def.parent, list);
    }
    for (const ref of def.references ?? []) {
      for (const to of ref.to) if (!types.some((t) => t.kind === to)) throw new Error(`kind ${def.kind} references unknown kind ${to}`);
    }
  }
  const get = (kind: string): ResourceTypeDef => {
    const def = byKind.get(kind);
    if (!def) throw new Error(`unknown resource kind ${kind}`);
    return def;
  };
  const lineage = (kind: string): ResourceTypeDef[] => {
    const chain: ResourceTypeDef[] = [];
    for (let def: ResourceTypeDef | undefined = get(kind); def; def = def.parent ? get(def.parent) : undefined) chain.unshift(def);
    return chain;
  };
  return {
    types,
    get,
    find: (kind) => byKind.get(kind),
    topLevel: (segment) => top.get(segment),
    child: (parentKind, segment) => children.get(parentKind)?.find((c) => c.segment === segment),
    childrenOf: (kind) => children.get(kind) ?? [],
    lineage,
    levelsOf: (kind) => lineage(kind)[0].levels ?? { service: true, workspace: false },
  };
}

const ARM_PREFIX = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.apimanagement\/service\/[^/]+(?=\/|$)/i;

/** Reads an id in Azure's full ARM form as the part after `/service/{name}`; other ids pass through. */
export function normalizeId(raw: string): string {
  const trimmed = raw.trim();
  const stripped = trimmed.replace(ARM_PREFIX, '');
  return stripped === '' ? '/' : stripped.replace(/\/+$/, '') || '/';
}

/** Lower-cased id used as the storage key (names are case-insensitive, as in Azure). */
export function keyOf(id: string): string {
  return id.toLowerCase();
}

export function idOf(path: ResourcePath): string {
  const prefix = path.workspace === undefined ? '' : `/workspaces/${path.workspace}`;
  return prefix + path.steps.map((s) => `/${s.def.segment}/${s.name}`).join('');
}

export function parentIdOf(path: ResourcePath): string {
  return idOf({ workspace: path.workspace, steps: path.steps.slice(0, -1) });
}

/**
 * Parses a resource id (`/workspaces/w1/products/p1`, `/apis/echo/operations/get`) into a path.
 * Returns undefined when the id does not name a declared resource type.
 */
export function parseId(registry: Registry, id: string): ResourcePath | undefined {
  const parts = id.split('/').slice(1);
  if (parts.length < 2 || parts.length % 2 !== 0 || parts.some((p) => p === '')) return undefined;
  let workspace: string | undefined;
  let i = 0;
  if (parts[0].toLowerCase() === 'workspaces' && parts.length > 2) {
    workspace = decodeSegment(parts[1]);
    i = 2;
  }
  const steps: PathStep[] = [];
  for (; i < parts.length; i += 2) {
    const segment = parts[i];
    const parent = steps.at(-1);
    const def = parent ? registryChild(registry, parent.def.kind, segment) : registryTop(registry, segment);
    if (!def) return undefined;
    steps.push({ def, name: decodeSegment(parts[i + 1]) });
  }
  if (workspace !== undefined && !registry.levelsOf(steps[0].def.kind).workspace) return undefined;
  return { workspace, steps };
}

function registryTop(registry: Registry, segment: string): ResourceTypeDef | undefined {
  return registry.topLevel(segment) ?? registry.types.find((t) => t.parent === undefined && t.segment.toLowerCase() === segment.toLowerCase());
}

function registryChild(registry: Registry, parentKind: string, segment: string): ResourceTypeDef | undefined {
  return registry.child(parentKind, segment) ?? registry.childrenOf(parentKind).find((t) => t.segment.toLowerCase() === segment.toLowerCase());
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Default name rule: 1–256 characters, none of the characters that break URLs or ids. */
export const DEFAULT_NAME_PATTERN = /^[^*#&+:<>?/\\%;\u0000-\u001f\u007f]{1,256}$/;

export function checkName(def: ResourceTypeDef, name: string): void {
  if (def.names) {
    if (!def.names.some((n) => n.toLowerCase() === name.toLowerCase())) {
      throw modelError('INVALID_NAME', `'${name}' is not a valid ${def.title} name; allowed: ${def.names.join(', ')}.`, [
        { code: 'InvalidName', target: 'name', message: `allowed names: ${def.names.join(', ')}` },
      ]);
    }
    return;
  }
  const pattern = def.namePattern ?? DEFAULT_NAME_PATTERN;
  if (!pattern.test(name) || name.trim() !== name || name.endsWith('.')) {
    throw modelError('INVALID_NAME', `'${name.slice(0, 80)}' is not a valid ${def.title} name: use 1 to 256 characters, without * # & + : < > ? / \\ % ; or control characters, and no leading or trailing spaces.`, [
      { code: 'InvalidName', target: 'name', message: 'invalid characters or length' },
    ]);
  }
}
