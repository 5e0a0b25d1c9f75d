import type { PolicyAttribute, PolicyDocument, PolicyDocumentFormat, PolicyElement, PolicyNode } from './tree.ts';

export interface SerializeOptions {
  /**
   * `rawxml` (default) writes expressions as they are, as Azure's portal shows them; `xml`
   * escapes them like any other value, giving a well-formed XML document.
   */
  readonly format?: PolicyDocumentFormat;
  /** Indentation unit; default a tab. Elements with text content stay on one line. */
  readonly indent?: string;
  /**
   * Values holding secret named values are written as `******` unless this is set (only for
   * handing a resolved document to something that must run it, never for display or logs).
   */
  readonly revealSecrets?: boolean;
}

const redacted = '******';

/**
 * Writes a document (or a single element) back to text. Parsing the output gives the same tree
 * (positions aside) in either format.
 */
export function serializePolicyDocument(input: PolicyDocument | PolicyElement, options: SerializeOptions = {}): string {
  const root = 'root' in input ? input.root : input;
  const format = options.format ?? 'rawxml';
  const indent = options.indent ?? '\t';
  const lines: string[] = [];
  writeElement(root, 0, lines, format, indent, options.revealSecrets ?? false);
  return lines.join('\n') + '\n';
}

function writeElement(element: PolicyElement, depth: number, lines: string[], format: PolicyDocumentFormat, indent: string, reveal: boolean): void {
  const pad = indent.repeat(depth);
  const open = `<${element.name}${element.attributes.map((a) => ` ${a.name}="${attributeValue(a, format, reveal)}"`).join('')}`;
  if (element.children.length === 0) {
    lines.push(`${pad}${open} />`);
    return;
  }
  const hasText = element.children.some((c) => c.type === 'text');
  if (hasText) {
    lines.push(`${pad}${open}>${element.children.map((c) => inline(c, format, reveal)).join('')}</${element.name}>`);
    return;
  }
  lines.push(`${pad}${open}>`);
  for (const child of element.children) writeElement(child as PolicyElement, depth + 1, lines, format, indent, reveal);
  lines.push(`${pad}</${element.name}>`);
}

/** Mixed content is written exactly, without added whitespace. */
function inline(node: PolicyNode, format: PolicyDocumentFormat, reveal: boolean): string {
  if (node.type === 'text') {
    if (node.secret && !reveal) return redacted;
    if (node.cdata) return `<![CDATA[${node.value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
    if (node.expression && format === 'rawxml') return protectEntities(node.value);
    return node.value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }
  const open = `<${node.name}${node.attributes.map((a) => ` ${a.name}="${attributeValue(a, format, reveal)}"`).join('')}`;
  if (node.children.length === 0) return `${open} />`;
  return `${open}>${node.children.map((c) => inline(c, format, reveal)).join('')}</${node.name}>`;
}

function attributeValue(attribute: PolicyAttribute, format: PolicyDocumentFormat, reveal: boolean): string {
  if (attribute.secret && !reveal) return redacted;
  if (attribute.expression && format === 'rawxml') return protectEntities(attribute.value);
  return attribute.value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

/**
 * A raw expression is written as is, except that an `&` which would read back as an entity
 * reference is escaped, so the text survives a round trip unchanged.
 */
function protectEntities(value: string): string {
  return value.replace(/&(?=(?:quot|amp|lt|gt|apos|#[0-9]+|#x[0-9a-fA-F]+);)/g, '&amp;');
}
