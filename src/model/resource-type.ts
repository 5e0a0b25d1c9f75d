import type { TObject } from '@sinclair/typebox';

/**
 * A resource type is declared once; the management engine derives its routes, validation,
 * reference checks, secrets handling, cascade rules and OpenAPI document from the declaration.
 */
export interface ResourceTypeDef {
  /** Registry key, unique among all types: 'apis', 'apiOperations', 'productApiLinks'. */
  readonly kind: string;
  /** Path segment under the parent: 'apis', 'operations', 'apiLinks'. */
  readonly segment: string;
  /** Kind of the parent type; absent for types that live directly under the service or a workspace. */
  readonly parent?: string;
  /** Top-level types only: where instances may live. Children follow their parent. */
  readonly levels?: { readonly service: boolean; readonly workspace: boolean };
  /** Azure's resource type string, as returned in `type`. */
  readonly azureType: string;
  /** Human name for messages and docs. */
  readonly title: string;
  /** JSON schema of `properties` (Azure's property names and types). Unknown properties are rejected. */
  readonly schema: TObject;
  /** Properties Azure computes; accepted in request bodies (so read-back bodies can be sent again) and ignored. */
  readonly readOnly?: readonly string[];
  /** Reference properties (resource ids) and what they may point at. */
  readonly references?: readonly ReferenceDef[];
  /** The resource's own name is a reference (link resources such as gateway workspace links). */
  readonly nameReference?: NameReferenceDef;
  /**
   * 'service': names are unique in the whole service, across workspaces and service level (409 on a clash).
   * 'parent': unique among siblings only (the default).
   */
  readonly uniqueness?: 'service' | 'parent';
  /** Secret properties: encrypted at rest, and hidden from reads where `hidden` says so. */
  readonly secrets?: SecretDef;
  /** A fixed set of allowed names (singletons such as `policies/policy`). */
  readonly names?: readonly string[];
  /** Name syntax override (defaults to the engine's rule). */
  readonly namePattern?: RegExp;
  /** At most this many instances under one parent. */
  readonly maxPerParent?: number;
  /** Instances created by the engine, which cannot be deleted (the `managed` gateway, built-in groups). */
  readonly builtIn?: readonly BuiltInDef[];
  /** Type-specific defaults and derived values, run on every create/replace/update before validation of references. */
  readonly prepare?: (input: PrepareInput) => Record<string, unknown>;
  /** POST actions on an instance: `listSecrets`, `regeneratePrimaryKey`, `listValue`. */
  readonly actions?: Readonly<Record<string, ActionDef>>;
  /** Only the 'policy' document types: the document content property, for format negotiation. */
  readonly documentProperty?: string;
  /** Property values unique among siblings, compared without case (an operator's email). */
  readonly uniqueProperties?: readonly string[];
  /** REST methods offered (default: all). Sessions, for instance, are read and revoked only. */
  readonly methods?: readonly ('get' | 'list' | 'put' | 'patch' | 'delete')[];
  /** A bearer credential issued by the engine: shown once in the creating response, stored only as a hash. */
  readonly credential?: CredentialDef;
}

export interface CredentialDef {
  /** Property that carries the plain credential in the creating (or regenerating) response only. */
  readonly property: string;
  /** Hidden property that stores its scrypt hash. */
  readonly hashProperty: string;
  /** Token prefix, which tells the authenticator what kind of credential it holds (`atk`). */
  readonly prefix: string;
  /** Action that issues a new credential and invalidates the old one. */
  readonly regenerateAction: string;
}

export interface ReferenceDef {
  /** Property path inside `properties`, dot-separated ('scope', 'credentials.certificateIds' is not supported). */
  readonly property: string;
  /** Kinds the reference may point at. */
  readonly to: readonly string[];
  /** Literal values accepted without lookup (a subscription's `/apis` scope). */
  readonly literals?: readonly string[];
  /**
   * From a workspace resource, service-level targets of these kinds are allowed
   * (users always live at service level; built-in groups are shared).
   */
  readonly serviceTargetsFromWorkspace?: 'never' | 'always' | 'builtIn';
  /** What happens to this resource when the target is deleted. */
  readonly onTargetDelete: 'cascade' | 'restrict';
}

export interface NameReferenceDef {
  /** The kind the name refers to, resolved at service level. */
  readonly to: string;
  readonly onTargetDelete: 'cascade' | 'restrict';
  /** Resolve the target in the same scope as the link's owner (workspace-local) rather than service level. */
  readonly sameScope?: boolean;
}

export interface SecretDef {
  readonly properties: readonly string[];
  /** When given, the properties are secret only if this returns true (named values with `secret: true`). */
  readonly when?: (properties: Record<string, unknown>) => boolean;
  /** Hidden from GET and lists (revealed only through an action). */
  readonly hidden: boolean;
  /** 'encrypt' (default): sealed with the service's secret key. 'hash': stored only as a scrypt hash (passwords); always hidden. */
  readonly mode?: 'encrypt' | 'hash';
}

export interface BuiltInDef {
  readonly name: string;
  readonly properties: Record<string, unknown>;
}

export interface PrepareInput {
  readonly name: string;
  readonly properties: Record<string, unknown>;
  readonly existing?: Record<string, unknown>;
  readonly workspace: string | undefined;
  readonly random: (bytes: number) => string;
  /** The time of the write, for computed dates (a subscription's createdDate). */
  readonly now: Date;
}

export interface ActionContext {
  readonly properties: Record<string, unknown>;
  readonly random: (bytes: number) => string;
  readonly body: unknown;
}

export interface ActionDef {
  /** Secret-revealing actions need the reveal permission; mutating ones write the returned properties. */
  readonly kind: 'reveal' | 'mutate';
  readonly run: (ctx: ActionContext) => { readonly response?: unknown; readonly properties?: Record<string, unknown> };
}
