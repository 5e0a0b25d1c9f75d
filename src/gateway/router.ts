import { exactFilter, type CompiledApi, type CompiledOperation } from './snapshot.ts';
import { matchTemplate, type MatchedParameters } from './template.ts';

/**
 * The route table: API paths in a segment trie (lookup is O(path segments), whatever the number
 * of APIs), version sets resolved by segment, query or header at the node where their path ends,
 * revisions by `;rev=n` on the path's last segment. Built from compiled APIs when configuration
 * changes; immutable afterwards.
 */

/**
 * The revisions of one API path. The current revision is also reachable by its number, except
 * where a non-current API holds that number; only the non-current ones are kept by number, so
 * that the set of an API with one revision (nearly every API) holds no map.
 */
interface RevisionSet {
  current: CompiledApi | undefined;
  byRevision: Map<string, CompiledApi> | undefined;
}

interface VersionGroup {
  readonly versionSetKey: string;
  readonly scheme: 'segment' | 'query' | 'header';
  /** Lower-cased header name, or the query parameter name. */
  readonly name: string;
  readonly versions: Map<string, RevisionSet>;
  /** The API of the set published without a version identifier. */
  unversioned: RevisionSet | undefined;
}

interface ApiSlot {
  plain: RevisionSet | undefined;
  /** Version sets whose path ends here (`NO_GROUPS` when none). */
  groups: readonly VersionGroup[];
}

const NO_GROUPS: readonly VersionGroup[] = Object.freeze([]);

/**
 * A node of the trie. One ends every API path, so a leaf holds no child map: at 10,000 APIs the
 * nodes are a good part of the heap per API.
 */
interface TrieNode {
  /** Children by lower-cased segment, while the node has few; undefined when it has none or once split into `buckets`. */
  children: Map<string, TrieNode> | undefined;
  /**
   * The children of a node that has more than SPLIT_AT (the root of a deployment with thousands
   * of APIs), by a hash of the segment: an update copies the one bucket it touches rather than
   * every child, so that one API change costs the same whatever the number of APIs.
   */
  buckets: Map<string, TrieNode>[] | undefined;
  /** The APIs whose path ends here, and the slot compiled from them. */
  apis: readonly CompiledApi[];
  slot: ApiSlot | undefined;
  /**
   * The API answering every request that ends here without `;rev=`, when the slot holds one API
   * and nothing else (nearly every path): found on the node itself, without reading the slot
   * and its revision set — at 10,000 APIs, memory the processor no longer holds in its caches.
   */
  only: CompiledApi | undefined;
}

const BUCKETS = 64;
const SPLIT_AT = 256;

/** FNV-1a of the segment, folded to a bucket index. */
function bucketOf(segment: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < segment.length; i++) hash = Math.imul(hash ^ segment.charCodeAt(i), 0x01000193);
  return (hash ^ (hash >>> 15)) & (BUCKETS - 1);
}

const NO_APIS: readonly CompiledApi[] = Object.freeze([]);

function emptyNode(): TrieNode {
  return { children: undefined, buckets: undefined, apis: NO_APIS, slot: undefined, only: undefined };
}

function childOf(node: TrieNode, segment: string): TrieNode | undefined {
  return node.buckets === undefined ? node.children?.get(segment) : node.buckets[bucketOf(segment)].get(segment);
}

/** A copy of `node` for path copying: its child maps are shared until `setChild` writes to one. */
function copyNode(node: TrieNode): TrieNode {
  return node.buckets === undefined
    ? { children: node.children === undefined ? undefined : new Map(node.children), buckets: undefined, apis: node.apis, slot: node.slot, only: node.only }
    : { children: undefined, buckets: node.buckets.slice(), apis: node.apis, slot: node.slot, only: node.only };
}

/** Sets a child of `node`; with `fresh`, a bucket shared with an older router is copied first. */
function setChild(node: TrieNode, segment: string, child: TrieNode, fresh: Set<object> | undefined): void {
  if (node.buckets === undefined) {
    const children = (node.children ??= new Map());
    children.set(segment, child);
    if (children.size > SPLIT_AT) {
      const buckets: Map<string, TrieNode>[] = Array.from({ length: BUCKETS }, () => new Map());
      for (const [name, next] of children) buckets[bucketOf(name)].set(name, next);
      for (const bucket of buckets) fresh?.add(bucket);
      node.buckets = buckets;
      node.children = undefined;
    }
    return;
  }
  const at = bucketOf(segment);
  let bucket = node.buckets[at];
  if (fresh !== undefined && !fresh.has(bucket)) {
    bucket = new Map(bucket);
    node.buckets[at] = bucket;
    fresh.add(bucket);
  }
  bucket.set(segment, child);
}

export interface RouteInput {
  /** The request path without the query string, as received. */
  readonly path: string;
  /** Parsed lazily: only version sets by query and templates with query parts need it. */
  readonly query: () => URLSearchParams;
  readonly header: (lowerCaseName: string) => string | undefined;
  readonly method: string;
}

export type RouteResult =
  | { readonly found: false }
  | {
      readonly found: true;
      readonly api: CompiledApi;
      /** The API is routed but has no operation for this method and path. */
      readonly operation: CompiledOperation | undefined;
      readonly matchedParameters: MatchedParameters;
      /** The path after the API's path (and version segment), beginning with `/` unless empty. */
      readonly remainder: string;
    };

const NOT_FOUND: RouteResult = { found: false };

export interface Router {
  route(input: RouteInput): RouteResult;
  readonly apiCount: number;
  /** APIs that could not be routed because another API already answers at the same path, version and revision. */
  readonly conflicts: ReadonlyMap<string, string>;
  /**
   * A new router with `removed` taken out and `added` put in (an updated API is both). Only the
   * trie nodes on their paths are copied; everything else is shared, and this router is unchanged.
   */
  with(removed: Iterable<CompiledApi>, added: Iterable<CompiledApi>): Router;
}

function revisionSet(): RevisionSet {
  return { current: undefined, byRevision: undefined };
}

/** The API answering for revision `revision` of a set: a non-current API of that number, else the current one if it has it. */
function byNumber(set: RevisionSet, revision: string): CompiledApi | undefined {
  return set.byRevision?.get(revision) ?? (set.current?.revision === revision ? set.current : undefined);
}

/** Adds a revision; returns the API already in its place when another API holds it. */
function addRevision(set: RevisionSet, api: CompiledApi): CompiledApi | undefined {
  const taken = api.isCurrent ? set.current : byNumber(set, api.revision);
  if (taken !== undefined && taken.baseKey !== api.baseKey) return taken;
  if (api.isCurrent) set.current = api;
  // The current revision is also reachable by its number (see byNumber); a non-current one only by it.
  else (set.byRevision ??= new Map()).set(api.revision, api);
  return undefined;
}

/** The slot of one trie node, from the APIs whose path ends there; clashes go to `conflicts`. */
function buildSlot(apis: readonly CompiledApi[], conflicts: Map<string, string>): ApiSlot | undefined {
  if (apis.length === 0) return undefined;
  const slot: ApiSlot = { plain: undefined, groups: NO_GROUPS };
  const add = (set: RevisionSet, api: CompiledApi): void => {
    const holder = addRevision(set, api);
    if (holder !== undefined) conflicts.set(api.id, `its path is already served by ${holder.id}`);
  };
  for (const api of apis) {
    if (api.versionSet === undefined) {
      slot.plain ??= revisionSet();
      add(slot.plain, api);
      continue;
    }
    let group = slot.groups.find((g) => g.versionSetKey === api.versionSet!.key);
    if (!group) {
      group = { versionSetKey: api.versionSet.key, scheme: api.versionSet.scheme, name: api.versionSet.name, versions: new Map(), unversioned: undefined };
      slot.groups = [...slot.groups, group];
    }
    if (api.apiVersion === '') {
      group.unversioned ??= revisionSet();
      add(group.unversioned, api);
    } else {
      const version = api.apiVersion.toLowerCase();
      let set = group.versions.get(version);
      if (!set) group.versions.set(version, (set = revisionSet()));
      add(set, api);
    }
  }
  return slot;
}

export function createRouter(apis: Iterable<CompiledApi>): Router {
  const root = emptyNode();
  const touched = new Set<TrieNode>();
  let count = 0;
  for (const api of apis) {
    count++;
    const node = nodeFor(root, api.pathSegments, undefined);
    node.apis = node.apis.concat(api);
    touched.add(node);
  }
  const conflicts = new Map<string, string>();
  for (const node of touched) setSlot(node, conflicts);
  return routerOf(root, count, conflicts);
}

/** Compiles the slot of `node` from its APIs, and its `only` API. */
function setSlot(node: TrieNode, conflicts: Map<string, string>): void {
  const slot = buildSlot(node.apis, conflicts);
  node.slot = slot;
  const plain = slot?.plain;
  node.only = slot !== undefined && slot.groups.length === 0 && plain !== undefined && plain.byRevision === undefined ? plain.current : undefined;
}

/** `apis` without the API of `api`'s key. */
function without(apis: readonly CompiledApi[], api: CompiledApi): readonly CompiledApi[] {
  return exactFilter(apis, (a) => a.key !== api.key);
}

/** The node for `segments`, created as needed; with `fresh`, nodes on the way are copied once (path copying). */
function nodeFor(root: TrieNode, segments: readonly string[], fresh: Set<object> | undefined): TrieNode {
  let node = root;
  for (const segment of segments) {
    let child = childOf(node, segment);
    if (!child) {
      child = emptyNode();
      setChild(node, segment, child, fresh);
      fresh?.add(child);
    } else if (fresh !== undefined && !fresh.has(child)) {
      child = copyNode(child);
      setChild(node, segment, child, fresh);
      fresh.add(child);
    }
    node = child;
  }
  return node;
}

function routerOf(root: TrieNode, apiCount: number, conflicts: Map<string, string>): Router {
  const pick = (set: RevisionSet | undefined, revision: string | undefined): CompiledApi | undefined =>
    set === undefined ? undefined : revision === undefined ? set.current : byNumber(set, revision);

  return {
    apiCount,
    conflicts,
    with(removedApis, added) {
      const removed = [...removedApis];
      const next = copyNode(root);
      const fresh = new Set<object>([next]);
      const touched = new Set<TrieNode>();
      const nextConflicts = new Map(conflicts);
      let nextCount = apiCount;
      for (const api of removed) {
        const node = nodeFor(next, api.pathSegments, fresh);
        const kept = without(node.apis, api);
        if (kept.length !== node.apis.length) nextCount--;
        node.apis = kept;
        touched.add(node);
      }
      for (const api of added) {
        const node = nodeFor(next, api.pathSegments, fresh);
        const kept = without(node.apis, api);
        if (kept.length === node.apis.length) nextCount++;
        node.apis = kept.concat(api);
        touched.add(node);
      }
      for (const api of removed) nextConflicts.delete(api.id);
      for (const node of touched) {
        for (const api of node.apis) nextConflicts.delete(api.id);
        setSlot(node, nextConflicts);
      }
      return routerOf(next, nextCount, nextConflicts);
    },
    route(input) {
      const segments = splitRequestPath(input.path);
      // Walk as deep as the trie allows, remembering every node where an API path ends.
      const candidates: { node: TrieNode; next: number; revision: string | undefined }[] = [];
      let node = root;
      if (node.slot) candidates.push({ node, next: 0, revision: undefined });
      for (let i = 0; i < segments.length; i++) {
        let segment = segments[i];
        let revision: string | undefined;
        const semi = segment.indexOf(';rev=');
        if (semi !== -1) {
          revision = segment.slice(semi + 5);
          segment = segment.slice(0, semi);
        }
        const child = childOf(node, lowerDecoded(segment));
        if (!child) break;
        node = child;
        if (node.slot) candidates.push({ node, next: i + 1, revision });
        if (revision !== undefined) break;
      }
      for (let c = candidates.length - 1; c >= 0; c--) {
        const { node: at, revision } = candidates[c];
        let next = candidates[c].next;
        let api: CompiledApi | undefined = revision === undefined ? at.only : undefined;
        const slot = at.slot!;
        for (const group of api === undefined ? slot.groups : NO_GROUPS) {
          let version: string | undefined;
          let versionRevision = revision;
          if (group.scheme === 'segment') {
            if (next < segments.length) {
              version = segments[next];
              const semi = version.indexOf(';rev=');
              if (semi !== -1) {
                versionRevision = version.slice(semi + 5);
                version = version.slice(0, semi);
              }
            }
          } else if (group.scheme === 'query') {
            version = input.query().get(group.name) ?? undefined;
          } else {
            version = input.header(group.name);
          }
          const set = version === undefined ? undefined : group.versions.get(lowerDecoded(version));
          if (set) {
            api = pick(set, versionRevision);
            if (api && group.scheme === 'segment') next++;
          } else {
            api = pick(group.unversioned, revision);
          }
          if (api) break;
        }
        if (api === undefined) api = pick(slot.plain, revision);
        if (!api) continue;
        const rest = next === 0 ? segments : segments.slice(next);
        const remainder = rest.length === 0 ? (input.path.endsWith('/') && next > 0 ? '/' : '') : `/${rest.join('/')}${input.path.endsWith('/') ? '/' : ''}`;
        const restForMatch = rest.length > 0 && rest[rest.length - 1] === '' ? rest.slice(0, -1) : rest;
        const match = matchOperation(api, input.method, restForMatch, input.query);
        return { found: true, api, operation: match?.operation, matchedParameters: match?.params ?? EMPTY_PARAMS, remainder };
      }
      return NOT_FOUND;
    },
  };
}

const EMPTY_PARAMS: MatchedParameters = Object.freeze({}) as MatchedParameters;

function matchOperation(
  api: CompiledApi,
  method: string,
  segments: readonly string[],
  query: () => URLSearchParams,
): { operation: CompiledOperation; params: MatchedParameters } | undefined {
  const table = api.operations;
  const list = (method === 'GET' ? table.get : table.byMethod.get(method)) ?? table.anyMethod;
  let parsed: URLSearchParams | undefined;
  for (const operation of list) {
    if (operation.template.query.length > 0 && parsed === undefined) parsed = query();
    const params = matchTemplate(operation.template, segments, parsed);
    if (params) return { operation, params };
  }
  return undefined;
}

/** `/a/b/` → ['a', 'b', ''] minus the leading empty segment; `/` → []. */
function splitRequestPath(path: string): string[] {
  if (path === '/' || path === '') return [];
  const parts = path.split('/');
  parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function lowerDecoded(segment: string): string {
  if (segment.includes('%')) {
    try {
      return decodeURIComponent(segment).toLowerCase();
    } catch {
      return segment.toLowerCase();
    }
  }
  return segment.toLowerCase();
}
