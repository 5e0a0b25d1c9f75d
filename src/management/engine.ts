import { randomBytes } from 'node:crypto';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TObject } from '@sinclair/typebox';
import { generateSecret, hashSecret } from '../access/hashing.ts';
import type { SecretBox } from '../access/secrets.ts';
import { AtriumError, modelError, type ErrorDetail } from '../model/errors.ts';
import { compileFilter } from '../model/filter.ts';
import type { LinkAlias } from '../model/link-aliases.ts';
import { checkName, idOf, keyOf, normalizeId, parseId, type Registry, type ResourcePath } from '../model/registry.ts';
import type { ReferenceDef, ResourceTypeDef } from '../model/resource-type.ts';
import { StoreError, type ResourceRecord, type Store, type StoreReader, type StoreTx } from '../store/index.ts';

/** What clients see: Azure's resource representation. */
export interface Representation {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly properties: Record<string, unknown>;
}

export interface ResourceView {
  readonly record: ResourceRecord;
  readonly representation: Representation;
  readonly etag: string;
}

export interface ListOptions {
  readonly top?: number;
  readonly skip?: number;
  readonly filter?: string;
  /** Narrows the list to what the caller may see (workspaces of a workspace-bound caller). */
  readonly visible?: (record: ResourceRecord) => boolean;
}

export interface ListView {
  readonly value: readonly Representation[];
  readonly count: number;
  readonly skip: number;
  readonly top: number;
}

export interface WriteOptions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  /** When given, the write is recorded in the audit log inside its own transaction. */
  readonly audit?: AuditContext;
  /**
   * Deletes only: resources of these kinds that reference what is deleted go with it even where
   * their reference restricts deletion (Azure's `deleteSubscriptions=true`, `deleteRevisions=true`).
   */
  readonly alsoDelete?: readonly string[];
}

export interface AuditContext {
  readonly principal: string;
  readonly requestId: string;
}

/** A check of one kind's properties that needs more than its schema (policy documents). */
export type ResourceValidator = (input: {
  readonly path: ResourcePath;
  readonly properties: Record<string, unknown>;
  readonly reader: StoreReader;
}) => Promise<void>;

export interface EngineOptions {
  readonly store: Store;
  readonly registry: Registry;
  readonly secrets: SecretBox;
  /** Extra checks by kind, run after schema validation inside the write transaction. */
  readonly validators?: Readonly<Record<string, ResourceValidator>>;
  readonly random?: (bytes: number) => string;
  readonly now?: () => Date;
}

/** The engine's writes inside one transaction (see `Engine.transaction`). */
export interface EngineTx {
  get(path: ResourcePath): Promise<ResourceRecord | undefined>;
  children(parent: ResourcePath, kind: string): Promise<readonly ResourceRecord[]>;
  put(path: ResourcePath, body: unknown, options?: WriteOptions): Promise<{ view: ResourceView; created: boolean }>;
  delete(path: ResourcePath, options?: WriteOptions): Promise<boolean>;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

const ALLOWED_BODY_FIELDS = new Set(['properties', 'name', 'id', 'type']);

/**
 * The generic resource engine: every declared type gets create/replace, update, read, delete,
 * list, reference checks, workspace rules, secrets and cascades from its declaration alone.
 * Every call names its scope explicitly through the resource path.
 */
export interface Engine {
  readonly registry: Registry;
  readonly store: Store;
  get(path: ResourcePath): Promise<ResourceView>;
  put(path: ResourcePath, body: unknown, options?: WriteOptions): Promise<{ view: ResourceView; created: boolean }>;
  patch(path: ResourcePath, body: unknown, options?: WriteOptions): Promise<ResourceView>;
  delete(path: ResourcePath, options?: WriteOptions): Promise<boolean>;
  list(parent: ResourcePath, kind: string, options?: ListOptions): Promise<ListView>;
  action(path: ResourcePath, action: string, body: unknown, options?: WriteOptions): Promise<unknown>;
  /** Alias collections: `products/{p}/apis`, `apis/{a}/tags`. */
  aliasList(owner: ResourcePath, alias: LinkAlias, options?: ListOptions): Promise<ListView>;
  aliasGet(owner: ResourcePath, alias: LinkAlias, targetName: string): Promise<ResourceView>;
  aliasPut(owner: ResourcePath, alias: LinkAlias, targetName: string, options?: WriteOptions): Promise<{ view: ResourceView; created: boolean }>;
  aliasDelete(owner: ResourcePath, alias: LinkAlias, targetName: string, options?: WriteOptions): Promise<boolean>;
  /** Creates built-in instances (the managed gateway, built-in groups) when missing. */
  seedBuiltIns(): Promise<void>;
  /** Several writes in one store transaction: all land or none does. */
  transaction<T>(fn: (tx: EngineTx) => Promise<T>): Promise<T>;
  /** Reads a record's properties with secrets decrypted (for internal consumers such as the gateway). */
  revealProperties(record: ResourceRecord): Record<string, unknown>;
}

export function createEngine(options: EngineOptions): Engine {
  const { store, registry, secrets } = options;
  const random = options.random ?? ((bytes: number) => randomBytes(bytes).toString('hex'));
  const now = options.now ?? (() => new Date());
  const validators = new Map<string, TypeCheck<TObject>>();
  const validatorOf = (def: ResourceTypeDef): TypeCheck<TObject> => {
    let check = validators.get(def.kind);
    if (!check) {
      check = TypeCompiler.Compile(def.schema);
      validators.set(def.kind, check);
    }
    return check;
  };

  const etagOf = (record: ResourceRecord): string => `"${record.revision.toString(16).padStart(8, '0')}"`;

  const azureTypeOf = (def: ResourceTypeDef, workspace: string): string =>
    workspace === '' ? def.azureType : def.azureType.replace(/^Microsoft\.ApiManagement\/service\//i, 'Microsoft.ApiManagement/service/workspaces/');

  const isSecretActive = (def: ResourceTypeDef, properties: Record<string, unknown>): boolean =>
    def.secrets !== undefined && (def.secrets.when ? def.secrets.when(properties) : true);

  const revealProperties = (record: ResourceRecord): Record<string, unknown> => {
    const def = registry.find(record.kind);
    const properties = { ...record.properties };
    if (!def?.secrets) return properties;
    for (const name of def.secrets.properties) {
      const value = properties[name];
      if (secrets.isSealed(value)) properties[name] = secrets.open(value);
    }
    return properties;
  };

  const present = (record: ResourceRecord): ResourceView => {
    const def = registry.get(record.kind);
    const properties = revealProperties(record);
    if ((def.secrets?.hidden || def.secrets?.mode === 'hash') && isSecretActive(def, properties)) {
      for (const name of def.secrets.properties) delete properties[name];
    }
    if (def.credential) delete properties[def.credential.hashProperty];
    return {
      record,
      etag: etagOf(record),
      representation: { id: record.id, type: azureTypeOf(def, record.workspace), name: record.name, properties },
    };
  };

  const sealProperties = (def: ResourceTypeDef, properties: Record<string, unknown>): Record<string, unknown> => {
    if (!isSecretActive(def, properties) || def.secrets?.mode === 'hash') return properties;
    const sealed = { ...properties };
    for (const name of def.secrets!.properties) {
      if (sealed[name] !== undefined && sealed[name] !== null) sealed[name] = secrets.seal(sealed[name]);
    }
    return sealed;
  };

  const notFound = (id: string, title: string): AtriumError => modelError('RESOURCE_NOT_FOUND', `${title} '${id}' was not found.`);

  /** Checks the workspace and every ancestor of `path` exist; returns the parent key. */
  const checkAncestors = async (reader: StoreReader, path: ResourcePath, upTo: number): Promise<void> => {
    if (path.workspace !== undefined) {
      const ws = await reader.get(keyOf(`/workspaces/${path.workspace}`));
      if (!ws) throw modelError('RESOURCE_NOT_FOUND', `Workspace '${path.workspace}' was not found.`);
    }
    for (let i = 1; i <= upTo; i++) {
      const ancestor = { workspace: path.workspace, steps: path.steps.slice(0, i) };
      if (!(await reader.get(keyOf(idOf(ancestor))))) {
        throw modelError('PARENT_NOT_FOUND', `${ancestor.steps[i - 1].def.title} '${idOf(ancestor)}' was not found.`);
      }
    }
  };

  const parentKeyOf = (path: ResourcePath): string => {
    if (path.steps.length > 1) return keyOf(idOf({ workspace: path.workspace, steps: path.steps.slice(0, -1) }));
    return path.workspace === undefined ? '' : keyOf(`/workspaces/${path.workspace}`);
  };

  const checkPreconditions = (existing: ResourceRecord | undefined, options: WriteOptions | undefined, id: string): void => {
    const ifMatch = options?.ifMatch?.trim();
    if (ifMatch) {
      if (!existing) throw modelError('PRECONDITION_FAILED', `If-Match was given but '${id}' does not exist.`);
      if (ifMatch !== '*') {
        const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
        if (!tags.includes(etagOf(existing))) {
          throw modelError('PRECONDITION_FAILED', `The resource '${id}' has changed: its ETag is ${etagOf(existing)}, not ${ifMatch}.`);
        }
      }
    }
    if (options?.ifNoneMatch?.trim() === '*' && existing) {
      throw modelError('PRECONDITION_FAILED', `'${id}' already exists and If-None-Match: * was given.`);
    }
  };

  const readBody = (body: unknown): Record<string, unknown> => {
    if (body === undefined || body === null || body === '') return {};
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw modelError('VALIDATION_FAILED', 'The request body must be a JSON object such as { "properties": { … } }.', [
        { code: 'InvalidRequestBody', target: 'body', message: 'expected a JSON object' },
      ]);
    }
    const unknown = Object.keys(body).filter((k) => !ALLOWED_BODY_FIELDS.has(k));
    if (unknown.length > 0) {
      throw modelError(
        'VALIDATION_FAILED',
        `Unknown field${unknown.length > 1 ? 's' : ''} in the request body: ${unknown.join(', ')}. Put resource properties inside "properties".`,
        unknown.map((k) => ({ code: 'UnknownField', target: k, message: `'${k}' is not a field of the request body` })),
      );
    }
    const properties = (body as Record<string, unknown>).properties;
    if (properties === undefined || properties === null) return {};
    if (typeof properties !== 'object' || Array.isArray(properties)) {
      throw modelError('VALIDATION_FAILED', '"properties" must be a JSON object.', [{ code: 'InvalidType', target: 'properties', message: 'expected an object' }]);
    }
    return properties as Record<string, unknown>;
  };

  const validate = (def: ResourceTypeDef, properties: Record<string, unknown>): void => {
    const check = validatorOf(def);
    if (check.Check(properties)) return;
    const details: ErrorDetail[] = [];
    for (const error of check.Errors(properties)) {
      const target = `properties${error.path.replace(/\//g, '.')}`;
      if (details.some((d) => d.target === target)) continue;
      details.push({ code: 'ValidationError', target, message: describeSchemaError(error.message, error.path, error.schema as Record<string, unknown>) });
      if (details.length >= 20) break;
    }
    throw modelError('VALIDATION_FAILED', `One or more properties of the ${def.title} are invalid: ${details.map((d) => `${d.target}: ${d.message}`).join('; ')}`, details);
  };

  /** Resolves a reference id from a resource in `workspace` (undefined at service level). */
  const resolveReferenceIn = async (
    reader: StoreReader,
    value: string,
    workspace: string | undefined,
    reference: ReferenceDef,
    property: string,
  ): Promise<ResourceRecord> => {
    const invalid = (message: string): AtriumError =>
      modelError('INVALID_REFERENCE', `Invalid reference in properties.${property}: ${message}`, [{ code: 'InvalidReference', target: `properties.${property}`, message }]);
    const normalized = normalizeId(value);
    const path = parseId(registry, normalized);
    if (!path) throw invalid(`'${value}' is not a resource id.`);
    const targetDef = path.steps.at(-1)!.def;
    if (!reference.to.includes(targetDef.kind)) {
      throw invalid(`'${value}' is a ${targetDef.title}; expected ${reference.to.map((k) => registry.get(k).title).join(' or ')}.`);
    }
    const serviceAllowed = reference.serviceTargetsFromWorkspace ?? 'never';
    if (path.workspace !== undefined) {
      if (workspace === undefined) throw invalid(`'${value}' belongs to workspace '${path.workspace}'; a service-level resource cannot reference a workspace's resource.`);
      if (path.workspace.toLowerCase() !== workspace.toLowerCase()) {
        throw invalid(`'${value}' belongs to workspace '${path.workspace}'; a workspace resource can only reference its own workspace's resources.`);
      }
      const target = await reader.get(keyOf(idOf(path)));
      if (!target) throw invalid(`'${value}' does not exist.`);
      return target;
    }
    if (workspace === undefined) {
      const target = await reader.get(keyOf(idOf(path)));
      if (!target) throw invalid(`'${value}' does not exist.`);
      return target;
    }
    // A short id inside a workspace means the workspace's own resource first.
    if (registry.levelsOf(targetDef.kind).workspace) {
      const local = await reader.get(keyOf(idOf({ workspace, steps: path.steps })));
      if (local) return local;
    }
    const serviceTarget = await reader.get(keyOf(idOf(path)));
    if (serviceTarget && serviceAllowed === 'always') return serviceTarget;
    if (serviceTarget && serviceAllowed === 'builtIn' && targetDef.builtIn?.some((b) => b.name.toLowerCase() === serviceTarget.name.toLowerCase())) {
      return serviceTarget;
    }
    if (serviceTarget) {
      throw invalid(`'${value}' is a service-level ${targetDef.title}; resources in workspace '${workspace}' can only reference their own workspace's ${targetDef.title} resources.`);
    }
    throw invalid(`'${value}' does not exist in workspace '${workspace}'.`);
  };

  const getAtPath = (properties: Record<string, unknown>, dotted: string): unknown => {
    let value: unknown = properties;
    for (const part of dotted.split('.')) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };

  const checkReferences = async (
    tx: StoreTx,
    def: ResourceTypeDef,
    path: ResourcePath,
    properties: Record<string, unknown>,
  ): Promise<{ toKey: string; property: string }[]> => {
    const refs: { toKey: string; property: string }[] = [];
    for (const reference of def.references ?? []) {
      const value = getAtPath(properties, reference.property);
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string') {
        throw modelError('VALIDATION_FAILED', `properties.${reference.property} must be a resource id string.`, [
          { code: 'InvalidType', target: `properties.${reference.property}`, message: 'expected a resource id' },
        ]);
      }
      if (reference.literals?.some((l) => l.toLowerCase() === normalizeId(value).toLowerCase())) continue;
      const target = await resolveReferenceIn(tx, value, path.workspace, reference, reference.property);
      refs.push({ toKey: target.key, property: reference.property });
    }
    if (def.nameReference) {
      const name = path.steps.at(-1)!.name;
      const targetDef = registry.get(def.nameReference.to);
      const scopeWorkspace = def.nameReference.sameScope ? path.workspace : undefined;
      const targetId = idOf({ workspace: scopeWorkspace, steps: [{ def: targetDef, name }] });
      const target = await tx.get(keyOf(targetId));
      if (!target) {
        throw modelError('INVALID_REFERENCE', `${targetDef.title} '${name}' does not exist.`, [
          { code: 'InvalidReference', target: 'name', message: `${targetDef.title} '${name}' does not exist` },
        ]);
      }
      refs.push({ toKey: target.key, property: '$name' });
    }
    return refs;
  };

  const uniqueKeyOf = (def: ResourceTypeDef, path: ResourcePath): string | null =>
    def.uniqueness === 'service' && path.steps.length === 1 ? `${def.kind}:${path.steps[0].name.toLowerCase()}` : null;

  /** Issues a bearer credential for `id`: the token goes to the caller once, the hash to the record. */
  const issueCredential = async (id: string, def: ResourceTypeDef): Promise<{ token: string; hash: string }> => {
    const secret = generateSecret(32);
    const token = `${def.credential!.prefix}.${Buffer.from(id).toString('base64url')}.${secret}`;
    return { token, hash: await hashSecret(secret) };
  };

  /** Validates and writes one resource inside `tx`; returns the record and any credential issued with it. */
  const writeResource = async (
    tx: StoreTx,
    path: ResourcePath,
    input: Record<string, unknown>,
    existing: ResourceRecord | undefined,
    reissue = false,
  ): Promise<{ record: ResourceRecord; issued?: string }> => {
    const def = path.steps.at(-1)!.def;
    const name = path.steps.at(-1)!.name;
    const id = existing?.id ?? idOf(path);
    // Read-only properties are computed, and a top-level null means "absent" (Azure's responses
    // carry nulls, and a read-back body must be accepted again).
    const stripped: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) if (!def.readOnly?.includes(k) && v !== null) stripped[k] = v;
    const existingProperties = existing ? revealProperties(existing) : undefined;
    const prepared = def.prepare
      ? def.prepare({ name, properties: stripped, existing: existingProperties, workspace: path.workspace, random, now: now() })
      : stripped;
    validate(def, prepared);
    await options.validators?.[def.kind]?.({ path, properties: prepared, reader: tx });
    const refs = await checkReferences(tx, def, path, prepared);
    if (def.secrets?.mode === 'hash') {
      for (const property of def.secrets.properties) {
        const value = prepared[property];
        if (typeof value === 'string' && value !== existingProperties?.[property]) prepared[property] = await hashSecret(value);
      }
    }
    let issued: string | undefined;
    if (def.credential) {
      delete prepared[def.credential.property];
      if (!existing || reissue) {
        const credential = await issueCredential(id, def);
        issued = credential.token;
        prepared[def.credential.hashProperty] = credential.hash;
      } else {
        prepared[def.credential.hashProperty] = existingProperties?.[def.credential.hashProperty];
      }
    }
    for (const property of def.uniqueProperties ?? []) {
      const value = prepared[property];
      if (typeof value !== 'string') continue;
      const siblings = await tx.list({ parentKey: parentKeyOf(path), kind: def.kind });
      const clash = siblings.items.find((r) => r.key !== keyOf(id) && String(r.properties[property] ?? '').toLowerCase() === value.toLowerCase());
      if (clash) {
        throw modelError('NAME_CONFLICT', `Another ${def.title} ('${clash.name}') already has ${property} '${value}'.`, [
          { code: 'Conflict', target: `properties.${property}`, message: 'already in use' },
        ]);
      }
    }
    const uniqueKey = uniqueKeyOf(def, path);
    if (uniqueKey) {
      const holder = await tx.getByUniqueKey(uniqueKey);
      if (holder && holder.key !== keyOf(id)) {
        const where = holder.workspace === '' ? 'at service level' : `in workspace '${holder.workspace}'`;
        throw modelError('NAME_CONFLICT', `A ${def.title} named '${name}' already exists ${where}; ${def.title} names are unique in the whole service.`, [
          { code: 'Conflict', target: 'name', message: `'${name}' is taken` },
        ]);
      }
    }
    if (!existing && def.maxPerParent !== undefined) {
      const siblings = await tx.list({ parentKey: parentKeyOf(path), kind: def.kind, top: 0 });
      if (siblings.count >= def.maxPerParent) {
        throw modelError('LIMIT_EXCEEDED', `At most ${def.maxPerParent} ${def.title} resources are allowed under '${idOf({ workspace: path.workspace, steps: path.steps.slice(0, -1) })}'.`);
      }
    }
    let record: ResourceRecord;
    try {
      record = await tx.put({
        key: keyOf(id),
        id,
        kind: def.kind,
        parentKey: parentKeyOf(path),
        workspace: (path.workspace ?? '').toLowerCase(),
        name: existing?.name ?? name,
        uniqueKey,
        properties: sealProperties(def, prepared),
      });
    } catch (error) {
      if (error instanceof StoreError && error.code === 'UNIQUE_VIOLATION') {
        throw modelError('NAME_CONFLICT', `A ${def.title} named '${name}' already exists; ${def.title} names are unique in the whole service.`);
      }
      throw error;
    }
    await tx.setReferences(record.key, refs);
    return { record, issued };
  };

  const audit = async (
    tx: Pick<StoreTx, 'appendAudit'>,
    options: WriteOptions | undefined,
    action: string,
    resourceId: string,
    workspace: string | undefined,
    status: number,
  ): Promise<void> => {
    if (!options?.audit) return;
    await tx.appendAudit({
      time: now().toISOString(),
      requestId: options.audit.requestId,
      principal: options.audit.principal,
      action,
      resourceId,
      workspace: (workspace ?? '').toLowerCase(),
      outcome: 'success',
      status,
    });
  };

  /** The representation, with a credential issued by this write shown this once. */
  const presentIssued = (record: ResourceRecord, issued: string | undefined): ResourceView => {
    const view = present(record);
    if (!issued) return view;
    const def = registry.get(record.kind);
    return { ...view, representation: { ...view.representation, properties: { ...view.representation.properties, [def.credential!.property]: issued } } };
  };

  const targetOfPath = (path: ResourcePath): { def: ResourceTypeDef; name: string; id: string; key: string } => {
    const last = path.steps.at(-1)!;
    const id = idOf(path);
    return { def: last.def, name: last.name, id, key: keyOf(id) };
  };

  const checkPath = (path: ResourcePath): void => {
    for (const step of path.steps) checkName(step.def, step.name);
    if (path.workspace !== undefined) checkName(registry.get('workspaces'), path.workspace);
  };

  const putIn = async (tx: StoreTx, path: ResourcePath, body: unknown, options?: WriteOptions): Promise<{ view: ResourceView; created: boolean }> => {
    checkPath(path);
    const input = readBody(body);
    const { id, key } = targetOfPath(path);
    await checkAncestors(tx, path, path.steps.length - 1);
    const existing = await tx.get(key);
    checkPreconditions(existing, options, id);
    const { record, issued } = await writeResource(tx, path, input, existing);
    await audit(tx, options, 'PUT', record.id, path.workspace, existing ? 200 : 201);
    return { view: presentIssued(record, issued), created: !existing };
  };

  const put = (path: ResourcePath, body: unknown, options?: WriteOptions): Promise<{ view: ResourceView; created: boolean }> =>
    store.write((tx) => putIn(tx, path, body, options));

  const patch = async (path: ResourcePath, body: unknown, options?: WriteOptions): Promise<ResourceView> => {
    checkPath(path);
    const input = readBody(body);
    const { def, id, key } = targetOfPath(path);
    return store.write(async (tx) => {
      await checkAncestors(tx, path, path.steps.length - 1);
      const existing = await tx.get(key);
      if (!existing) throw notFound(id, def.title);
      checkPreconditions(existing, options, id);
      const merged = mergePatch(revealProperties(existing), input);
      const { record } = await writeResource(tx, path, merged, existing);
      await audit(tx, options, 'PATCH', record.id, path.workspace, 200);
      return present(record);
    });
  };

  const get = async (path: ResourcePath): Promise<ResourceView> => {
    checkPath(path);
    const { def, id, key } = targetOfPath(path);
    const record = await store.get(key);
    if (!record || (path.workspace !== undefined && !(await store.get(keyOf(`/workspaces/${path.workspace}`))))) throw notFound(id, def.title);
    return present(record);
  };

  /** Collects everything a delete takes with it: the subtree, and resources that cascade from references. */
  const collectDeletion = async (tx: StoreTx, root: ResourceRecord, alsoDelete: readonly string[] = []): Promise<ResourceRecord[]> => {
    const doomed = new Map<string, ResourceRecord>();
    const restricted: { from: ResourceRecord; to: string; property: string }[] = [];
    const queue: ResourceRecord[] = [root];
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (doomed.has(next.key)) continue;
      const subtree = [next, ...(await tx.listByPrefix(`${next.key}/`))];
      for (const record of subtree) {
        if (doomed.has(record.key)) continue;
        doomed.set(record.key, record);
        for (const ref of await tx.referencesTo(record.key)) {
          if (doomed.has(ref.fromKey)) continue;
          const from = await tx.get(ref.fromKey);
          if (!from) continue;
          const fromDef = registry.get(from.kind);
          const rule = ref.property === '$name' ? fromDef.nameReference?.onTargetDelete : fromDef.references?.find((r) => r.property === ref.property)?.onTargetDelete;
          if (rule === 'restrict' && !alsoDelete.includes(from.kind)) restricted.push({ from, to: record.id, property: ref.property });
          else queue.push(from);
        }
      }
    }
    const blocking = restricted.filter((r) => !doomed.has(r.from.key));
    if (blocking.length > 0) {
      throw modelError(
        'DELETE_RESTRICTED',
        `'${root.id}' cannot be deleted while other resources reference it: ${blocking.map((b) => `${b.from.id} (properties.${b.property})`).slice(0, 10).join(', ')}.`,
        blocking.slice(0, 20).map((b) => ({ code: 'ReferencedResource', target: b.from.id, message: `references ${b.to} through properties.${b.property}` })),
      );
    }
    return [...doomed.values()];
  };

  const removeIn = async (tx: StoreTx, path: ResourcePath, options?: WriteOptions): Promise<boolean> => {
    checkPath(path);
    const { def, id, key } = targetOfPath(path);
    if (path.workspace !== undefined && !(await tx.get(keyOf(`/workspaces/${path.workspace}`)))) throw notFound(`/workspaces/${path.workspace}`, 'Workspace');
    const existing = await tx.get(key);
    checkPreconditions(existing, options, id);
    if (!existing) return false;
    if (path.steps.length === 1 && path.workspace === undefined && def.builtIn?.some((b) => b.name.toLowerCase() === existing.name.toLowerCase())) {
      throw modelError('BUILT_IN_RESOURCE', `'${existing.id}' is built in and cannot be deleted.`);
    }
    for (const record of await collectDeletion(tx, existing, options?.alsoDelete)) await tx.delete(record.key);
    await audit(tx, options, 'DELETE', existing.id, path.workspace, 200);
    return true;
  };

  const remove = (path: ResourcePath, options?: WriteOptions): Promise<boolean> => store.write((tx) => removeIn(tx, path, options));

  const normalizePage = (options: ListOptions | undefined): { top: number; skip: number } => {
    const top = options?.top ?? DEFAULT_PAGE_SIZE;
    const skip = options?.skip ?? 0;
    if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE) {
      throw modelError('VALIDATION_FAILED', `$top must be an integer from 1 to ${MAX_PAGE_SIZE}.`, [{ code: 'InvalidParameter', target: '$top', message: `1 to ${MAX_PAGE_SIZE}` }]);
    }
    if (!Number.isInteger(skip) || skip < 0) {
      throw modelError('VALIDATION_FAILED', '$skip must be a non-negative integer.', [{ code: 'InvalidParameter', target: '$skip', message: 'non-negative integer' }]);
    }
    return { top, skip };
  };

  const list = async (parent: ResourcePath, kind: string, options?: ListOptions): Promise<ListView> => {
    checkPath(parent);
    const def = registry.get(kind);
    const { top, skip } = normalizePage(options);
    const predicate = options?.filter ? compileFilter(options.filter) : undefined;
    await checkAncestors(store, parent, parent.steps.length);
    const parentKey = parent.steps.length > 0 ? keyOf(idOf(parent)) : parent.workspace === undefined ? '' : keyOf(`/workspaces/${parent.workspace}`);
    const result = await store.list({
      parentKey,
      kind: def.kind,
      top,
      skip,
      where:
        predicate || options?.visible
          ? (record) => (!options?.visible || options.visible(record)) && (!predicate || predicate(record.name, record.properties))
          : undefined,
    });
    return { value: result.items.map((r) => present(r).representation), count: result.count, top, skip };
  };

  const action = async (path: ResourcePath, name: string, body: unknown, options?: WriteOptions): Promise<unknown> => {
    checkPath(path);
    const { def, id, key } = targetOfPath(path);
    if (def.credential && def.credential.regenerateAction.toLowerCase() === name.toLowerCase()) {
      return store.write(async (tx) => {
        await checkAncestors(tx, path, path.steps.length - 1);
        const existing = await tx.get(key);
        if (!existing) throw notFound(id, def.title);
        const { record, issued } = await writeResource(tx, path, revealProperties(existing), existing, true);
        await audit(tx, options, `POST ${def.credential!.regenerateAction}`, record.id, path.workspace, 200);
        return presentIssued(record, issued).representation;
      });
    }
    const actionDef = Object.entries(def.actions ?? {}).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    if (!actionDef) throw modelError('ACTION_NOT_FOUND', `${def.title} resources have no action '${name}'.`);
    if (actionDef.kind === 'reveal') {
      const record = await store.get(key);
      if (!record) throw notFound(id, def.title);
      return actionDef.run({ properties: revealProperties(record), random, body }).response;
    }
    return store.write(async (tx) => {
      await checkAncestors(tx, path, path.steps.length - 1);
      const existing = await tx.get(key);
      if (!existing) throw notFound(id, def.title);
      const outcome = actionDef.run({ properties: revealProperties(existing), random, body });
      if (outcome.properties) await writeResource(tx, path, { ...revealProperties(existing), ...outcome.properties }, existing);
      await audit(tx, options, `POST ${name}`, existing.id, path.workspace, outcome.response === undefined ? 204 : 200);
      return outcome.response;
    });
  };

  // --- alias collections --------------------------------------------------------------------

  const aliasTargetPath = (owner: ResourcePath, alias: LinkAlias, targetName: string): ResourcePath => ({
    workspace: owner.workspace,
    steps: [{ def: registry.get(alias.targetKind), name: targetName }],
  });

  /** Where the link for (owner, target) lives, and the reference value it holds. */
  const aliasLink = (owner: ResourcePath, alias: LinkAlias, targetName: string): { linkParent: ResourcePath; referenced: ResourcePath } => {
    const target = aliasTargetPath(owner, alias, targetName);
    return alias.linkUnder === 'owner' ? { linkParent: owner, referenced: target } : { linkParent: target, referenced: owner };
  };

  const findAliasLinks = async (reader: StoreReader, owner: ResourcePath, alias: LinkAlias, targetName: string): Promise<ResourceRecord[]> => {
    const { linkParent, referenced } = aliasLink(owner, alias, targetName);
    const referencedRecord = await reader.get(keyOf(idOf(referenced)));
    if (!referencedRecord) return [];
    const prefix = `${keyOf(idOf(linkParent))}/`;
    const links: ResourceRecord[] = [];
    for (const ref of await reader.referencesTo(referencedRecord.key)) {
      if (ref.property !== alias.property || !ref.fromKey.startsWith(prefix)) continue;
      const link = await reader.get(ref.fromKey);
      if (link && link.kind === alias.linkKind) links.push(link);
    }
    return links;
  };

  const resolveAliasTarget = async (reader: StoreReader, owner: ResourcePath, alias: LinkAlias, targetName: string): Promise<ResourceRecord | undefined> => {
    const linkDef = registry.get(alias.linkKind);
    const reference = linkDef.references?.find((r) => r.property === alias.property);
    const local = await reader.get(keyOf(idOf(aliasTargetPath(owner, alias, targetName))));
    if (local || owner.workspace === undefined || !reference) return local;
    // Service-level targets a workspace may use (built-in groups).
    return resolveReferenceIn(reader, `/${registry.get(alias.targetKind).segment}/${targetName}`, owner.workspace, reference, alias.property).catch(() => undefined);
  };

  const aliasList = async (owner: ResourcePath, alias: LinkAlias, options?: ListOptions): Promise<ListView> => {
    checkPath(owner);
    const { top, skip } = normalizePage(options);
    const predicate = options?.filter ? compileFilter(options.filter) : undefined;
    await checkAncestors(store, owner, owner.steps.length);
    const ownerKey = keyOf(idOf(owner));
    const targets: ResourceRecord[] = [];
    if (alias.linkUnder === 'owner') {
      const links = await store.list({ parentKey: ownerKey, kind: alias.linkKind });
      for (const link of links.items) {
        const ref = (await store.referencesFrom(link.key)).find((r) => r.property === alias.property);
        const target = ref ? await store.get(ref.toKey) : undefined;
        if (target) targets.push(target);
      }
    } else {
      for (const ref of await store.referencesTo(ownerKey)) {
        if (ref.property !== alias.property) continue;
        const link = await store.get(ref.fromKey);
        if (!link || link.kind !== alias.linkKind) continue;
        const target = await store.get(link.parentKey);
        if (target && target.kind === alias.targetKind) targets.push(target);
      }
    }
    const unique = [...new Map(targets.map((t) => [t.key, t])).values()]
      .filter((t) => !predicate || predicate(t.name, t.properties))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { value: unique.slice(skip, skip + top).map((t) => present(t).representation), count: unique.length, top, skip };
  };

  const aliasGet = async (owner: ResourcePath, alias: LinkAlias, targetName: string): Promise<ResourceView> => {
    checkPath(owner);
    await checkAncestors(store, owner, owner.steps.length);
    const links = await findAliasLinks(store, owner, alias, targetName);
    const target = await resolveAliasTarget(store, owner, alias, targetName);
    if (links.length === 0 || !target) throw notFound(`${idOf(owner)}/${alias.segment}/${targetName}`, registry.get(alias.targetKind).title);
    return present(target);
  };

  const aliasPut = async (owner: ResourcePath, alias: LinkAlias, targetName: string, options?: WriteOptions): Promise<{ view: ResourceView; created: boolean }> => {
    checkPath(owner);
    checkName(registry.get(alias.targetKind), targetName);
    return store.write(async (tx) => {
      await checkAncestors(tx, owner, owner.steps.length);
      const target = await resolveAliasTarget(tx, owner, alias, targetName);
      if (!target) throw notFound(idOf(aliasTargetPath(owner, alias, targetName)), registry.get(alias.targetKind).title);
      const existing = await findAliasLinks(tx, owner, alias, targetName);
      if (existing.length === 0) {
        const linkDef = registry.get(alias.linkKind);
        const { linkParent, referenced } = aliasLink(owner, alias, target.name);
        const linkName = alias.linkUnder === 'owner' ? target.name : referenced.steps.at(-1)!.name;
        const linkPath: ResourcePath = { workspace: owner.workspace, steps: [...linkParent.steps, { def: linkDef, name: linkName }] };
        const referenceValue = alias.linkUnder === 'owner' ? target.id : idOf(referenced);
        await writeResource(tx, linkPath, { [alias.property]: referenceValue }, await tx.get(keyOf(idOf(linkPath))));
        await audit(tx, options, 'PUT', `${idOf(owner)}/${alias.segment}/${targetName}`, owner.workspace, 201);
      }
      return { view: present(target), created: existing.length === 0 };
    });
  };

  const aliasDelete = async (owner: ResourcePath, alias: LinkAlias, targetName: string, options?: WriteOptions): Promise<boolean> => {
    checkPath(owner);
    return store.write(async (tx) => {
      await checkAncestors(tx, owner, owner.steps.length);
      const links = await findAliasLinks(tx, owner, alias, targetName);
      for (const link of links) await tx.delete(link.key);
      if (links.length > 0) await audit(tx, options, 'DELETE', `${idOf(owner)}/${alias.segment}/${targetName}`, owner.workspace, 200);
      return links.length > 0;
    });
  };

  const seedBuiltIns = async (): Promise<void> => {
    await store.write(async (tx) => {
      for (const def of registry.types) {
        for (const builtIn of def.builtIn ?? []) {
          const path: ResourcePath = { workspace: undefined, steps: [{ def, name: builtIn.name }] };
          if (!(await tx.get(keyOf(idOf(path))))) await writeResource(tx, path, builtIn.properties, undefined);
        }
      }
    });
  };

  return {
    registry,
    store,
    get,
    put,
    patch,
    delete: remove,
    list,
    action,
    aliasList,
    aliasGet,
    aliasPut,
    aliasDelete,
    seedBuiltIns,
    transaction: (fn) =>
      store.write((tx) =>
        fn({
          get: (path) => tx.get(keyOf(idOf(path))),
          children: async (parent, kind) => (await tx.list({ parentKey: keyOf(idOf(parent)), kind })).items,
          put: (path, body, options) => putIn(tx, path, body, options),
          delete: (path, options) => removeIn(tx, path, options),
        }),
      ),
    revealProperties,
  };
}

/** JSON merge patch (RFC 7386) of `patch` onto `target`. */
export function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (typeof value === 'object' && !Array.isArray(value) && typeof result[key] === 'object' && result[key] !== null && !Array.isArray(result[key])) {
      result[key] = mergePatch(result[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else result[key] = value;
  }
  return result;
}

function describeSchemaError(message: string, path: string, schema: Record<string, unknown>): string {
  if (/unexpected property/i.test(message) || /additional/i.test(message)) return `unknown property '${path.split('/').at(-1)}'`;
  if (Array.isArray(schema.enum)) return `${message}; allowed values: ${(schema.enum as unknown[]).join(', ')}`;
  if (Array.isArray(schema.anyOf) && (schema.anyOf as { const?: unknown }[]).every((s) => 'const' in s)) {
    return `expected one of: ${(schema.anyOf as { const: unknown }[]).map((s) => String(s.const)).join(', ')}`;
  }
  return message.charAt(0).toLowerCase() + message.slice(1);
}

