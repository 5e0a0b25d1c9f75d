/**
 * The element tree of a policy document. Every node carries the source position it was read
 * from, so validation, compilation and runtime errors can point into the text the author wrote.
 * The tree is plain data (JSON-serialisable) and is never mutated after parsing: composition
 * builds new nodes.
 */

/**
 * 1-based line and column (UTF-16 code units) and the 0-based offset into the text (after
 * XML line-end normalisation: CRLF counts as one character).
 */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

export type PolicyDocumentFormat = 'xml' | 'rawxml';

/** `@(…)` is a single expression, `@{…}` a statement block that returns a value. */
export type ExpressionKind = 'inline' | 'block';

export interface PolicyAttribute {
  readonly name: string;
  /** The value with XML entities decoded; for an expression, its full text `@(…)` / `@{…}`. */
  readonly value: string;
  /** Position of the attribute name. */
  readonly position: SourcePosition;
  /** Position of the first character of the value (just after the opening quote). */
  readonly valuePosition: SourcePosition;
  /** Set when the value is a policy expression. */
  readonly expression?: ExpressionKind;
  /** The value holds a secret named value (after substitution): never shown or logged. */
  readonly secret?: boolean;
}

export interface PolicyElement {
  readonly type: 'element';
  readonly name: string;
  readonly attributes: readonly PolicyAttribute[];
  /**
   * Element and text children in document order. Whitespace-only text between elements is
   * dropped; mixed content (text next to non-blank text) is kept verbatim.
   */
  readonly children: readonly PolicyNode[];
  /** Position of the `<` that opens the element. */
  readonly position: SourcePosition;
  /**
   * Where this element came from when composition moved it from another document: the
   * fragment id or the scope level. Absent for elements of the parsed document itself.
   */
  readonly origin?: PolicyOrigin;
}

export interface PolicyText {
  readonly type: 'text';
  /** Decoded text; for an expression, its full text `@(…)` / `@{…}` without surrounding blanks. */
  readonly value: string;
  readonly position: SourcePosition;
  /** Read from a `<![CDATA[…]]>` section. */
  readonly cdata?: boolean;
  readonly expression?: ExpressionKind;
  /** The text holds a secret named value (after substitution): never shown or logged. */
  readonly secret?: boolean;
}

export type PolicyNode = PolicyElement | PolicyText;

export interface PolicyOrigin {
  /** 'fragment' for an expanded `<include-fragment>`, otherwise the scope level. */
  readonly kind: 'fragment' | 'global' | 'workspace' | 'product' | 'api' | 'operation';
  /** Fragment id, or the id of the resource whose policy this is. */
  readonly id?: string;
  /** For a fragment's policy: the level whose document included the fragment. */
  readonly includedBy?: PolicyOrigin;
}

/** A `{{name}}` placeholder, kept verbatim in the tree until named values are substituted. */
export interface NamedValueReference {
  readonly name: string;
  readonly position: SourcePosition;
  /** The placeholder sits inside a policy expression. */
  readonly inExpression: boolean;
}

/** A policy expression found in the document, with where it is hosted. */
export interface ExpressionReference {
  /** Full text, `@(…)` or `@{…}`. */
  readonly source: string;
  readonly kind: ExpressionKind;
  /** Position of the `@`. */
  readonly position: SourcePosition;
  /** The element holding the expression. */
  readonly element: string;
  /** The attribute holding it; absent for element text. */
  readonly attribute?: string;
  /** Element names from the root to the host element, for messages (`inbound/choose/when`). */
  readonly path: string;
}

export type PolicyDocumentKind = 'policies' | 'fragment';

export interface PolicyDocument {
  readonly kind: PolicyDocumentKind;
  readonly format: PolicyDocumentFormat;
  /** The `<policies>` or `<fragment>` element. */
  readonly root: PolicyElement;
  /** Every `{{name}}` placeholder in document order (Liquid templates in `set-body` excluded). */
  readonly namedValues: readonly NamedValueReference[];
  /** Every policy expression in document order. */
  readonly expressions: readonly ExpressionReference[];
}

export const sectionNames = ['inbound', 'backend', 'outbound', 'on-error'] as const;
export type SectionName = (typeof sectionNames)[number];

export function isElement(node: PolicyNode): node is PolicyElement {
  return node.type === 'element';
}

export function childElements(element: PolicyElement): PolicyElement[] {
  return element.children.filter(isElement);
}

export function getAttribute(element: PolicyElement, name: string): PolicyAttribute | undefined {
  return element.attributes.find((a) => a.name === name);
}

/** The concatenated text content of an element's direct text children. */
export function elementText(element: PolicyElement): string {
  let text = '';
  for (const child of element.children) if (child.type === 'text') text += child.value;
  return text;
}

/** The section element of a `<policies>` document, if present. */
export function getSection(document: PolicyDocument, section: SectionName): PolicyElement | undefined {
  if (document.kind !== 'policies') return undefined;
  return childElements(document.root).find((e) => e.name === section);
}
