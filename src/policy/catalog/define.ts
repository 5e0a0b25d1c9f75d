import type { SectionName } from '../document/tree.ts';
import type { AttributeSchema, ChildSchema, ContentSchema, ElementSchema, PolicySchema, PolicyScope } from './types.ts';

/** Helpers that keep the per-policy schema files short. */

export const allSections: readonly SectionName[] = ['inbound', 'backend', 'outbound', 'on-error'];
export const allScopes: readonly PolicyScope[] = ['global', 'workspace', 'product', 'api', 'operation'];

interface AttributeOptions {
  readonly required?: boolean;
  /** Why Atrium does not implement this Azure attribute. */
  readonly unsupported?: string;
  /** Default true: most Azure attributes accept policy expressions. */
  readonly expressions?: boolean;
  readonly min?: number;
  readonly max?: number;
}

function attribute(name: string, type: AttributeSchema['type'], options: AttributeOptions, values?: readonly string[]): AttributeSchema {
  return {
    name,
    type,
    expressions: options.expressions ?? true,
    required: options.required,
    min: options.min,
    max: options.max,
    values,
    unsupported: options.unsupported,
  };
}

export const stringAttr = (name: string, options: AttributeOptions = {}) => attribute(name, 'string', options);
export const integerAttr = (name: string, options: AttributeOptions = {}) => attribute(name, 'integer', options);
export const numberAttr = (name: string, options: AttributeOptions = {}) => attribute(name, 'number', options);
export const booleanAttr = (name: string, options: AttributeOptions = {}) => attribute(name, 'boolean', options);
export const enumAttr = (name: string, values: readonly string[], options: AttributeOptions = {}) => attribute(name, 'enum', options, values);

export const empty: ContentSchema = { kind: 'empty' };
export const policies: ContentSchema = { kind: 'policies' };
export const anyContent: ContentSchema = { kind: 'any' };
export const text = (options: { required?: boolean; expressions?: boolean } = {}): ContentSchema => ({
  kind: 'text',
  required: options.required,
  expressions: options.expressions ?? true,
});
export const children = (...elements: ChildSchema[]): ContentSchema => ({ kind: 'elements', elements });
/** Children that must appear in the order given. */
export const orderedChildren = (...elements: ChildSchema[]): ContentSchema => ({ kind: 'elements', elements, ordered: true });
/** Children, or text in their place. */
export const childrenOrText = (...elements: ChildSchema[]): ContentSchema => ({ kind: 'elements', elements, text: true });

export function child(element: ElementSchema, min = 0, max?: number): ChildSchema {
  return { element, min, max };
}

export function element(
  name: string,
  attributes: readonly AttributeSchema[] = [],
  content: ContentSchema = empty,
  exclusive?: ElementSchema['exclusive'],
): ElementSchema {
  return { name, attributes, content, exclusive };
}

/** An element holding only text, such as `<value>`. */
export function textElement(name: string, options: { required?: boolean; expressions?: boolean } = {}): ElementSchema {
  return element(name, [], text(options));
}

export function policy(schema: Omit<PolicySchema, 'attributes' | 'content' | 'scopes' | 'support'> & Partial<Pick<PolicySchema, 'attributes' | 'content' | 'scopes' | 'support'>>): PolicySchema {
  return { attributes: [], content: empty, scopes: allScopes, support: 'supported', ...schema };
}

/**
 * An Azure policy Atrium does not run. Its attributes and children are not checked: the
 * document is rejected for using it anyway.
 */
export function unsupportedPolicy(name: string, summary: string, sections: readonly SectionName[], note: string): PolicySchema {
  return { name, summary, sections, scopes: allScopes, support: 'unsupported', note, attributes: [], content: anyContent };
}
