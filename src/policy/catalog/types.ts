import type { SectionName } from '../document/tree.ts';

/**
 * What a policy element looks like, declared once per policy in `src/policies/<name>/schema.ts`
 * and listed in `src/policies/registry.ts`. Validation reads it when a document is saved; the
 * compiler will read it to build each policy's step (a policy folder gains `index.ts` with
 * its runtime factory next to its schema).
 */

export type PolicyScope = 'global' | 'workspace' | 'product' | 'api' | 'operation';

/**
 * - `supported`: part of Atrium's policy catalog.
 * - `accepted`: an Azure policy that has no meaning on a self-hosted gateway; documents using
 *   it are saved (so Azure exports load as they are) and validation reports a warning; running
 *   it fails with an error naming the policy (`note` says why).
 * - `unsupported`: an Azure policy Atrium does not run; documents using it are rejected with
 *   POLICY_UNSUPPORTED_ELEMENT naming it.
 */
export type PolicySupport = 'supported' | 'accepted' | 'unsupported';

export type AttributeType = 'string' | 'integer' | 'number' | 'boolean' | 'enum';

export interface AttributeSchema {
  readonly name: string;
  readonly type: AttributeType;
  readonly required?: boolean;
  /** For `enum`: the allowed values (compared case-insensitively, as Azure does). */
  readonly values?: readonly string[];
  /** Whether the value may be a policy expression `@(…)`/`@{…}`. */
  readonly expressions: boolean;
  /** For `integer`/`number`: inclusive bounds. */
  readonly min?: number;
  readonly max?: number;
  /** Set for an Azure attribute Atrium does not implement: using it is an error that says this. */
  readonly unsupported?: string;
}

export type ContentSchema =
  /** No text, no children. */
  | { readonly kind: 'empty' }
  /** Text only (a value, a URL, a key); `expressions` says whether it may be a policy expression. */
  | { readonly kind: 'text'; readonly required?: boolean; readonly expressions: boolean }
  /** Specific child elements, each with its own schema and occurrence bounds. */
  | {
      readonly kind: 'elements';
      readonly elements: readonly ChildSchema[];
      /** Text (possibly an expression) is accepted instead of the children (a legacy short form). */
      readonly text?: boolean;
      /** Children must appear in the order they are declared (`when` before `otherwise`). */
      readonly ordered?: boolean;
    }
  /** Nested policy statements (`when`, `retry`, …), optionally only some of them. */
  | { readonly kind: 'policies'; readonly only?: readonly string[] }
  /** Free content not read as policies: a literal body, an XSLT stylesheet. Text may be an expression. */
  | { readonly kind: 'any' };

export interface ChildSchema {
  readonly element: ElementSchema;
  /** Default 0. */
  readonly min?: number;
  /** Default unbounded. */
  readonly max?: number;
}

export interface ElementSchema {
  readonly name: string;
  readonly attributes: readonly AttributeSchema[];
  readonly content: ContentSchema;
  /** Groups of attributes of which at most one may be given (exactly one when `required`). */
  readonly exclusive?: readonly { readonly names: readonly string[]; readonly required?: boolean }[];
}

export interface PolicySchema extends ElementSchema {
  /** One line, for the console and docs. */
  readonly summary: string;
  readonly sections: readonly SectionName[];
  readonly scopes: readonly PolicyScope[];
  readonly support: PolicySupport;
  /** Why a policy is `accepted` or `unsupported`, or what it means on a self-hosted gateway. */
  readonly note?: string;
}
