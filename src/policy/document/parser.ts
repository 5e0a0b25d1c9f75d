import { PolicyError } from '../errors.ts';
import type { PolicyErrorCode } from '../errors.ts';
import { ExpressionScanError, readEntity, scanExpression, startsExpression } from './expression-scanner.ts';
import { collectReferences } from './references.ts';
import { sectionNames } from './tree.ts';
import type {
  ExpressionKind,
  PolicyAttribute,
  PolicyDocument,
  PolicyDocumentFormat,
  PolicyElement,
  PolicyNode,
  PolicyText,
  SourcePosition,
} from './tree.ts';

export interface ParseOptions {
  /**
   * `xml`: a well-formed XML document, expressions escaped like any other text.
   * `rawxml` (default): expressions `@(…)`/`@{…}` are written as is and may contain unescaped
   * `"`, `<`, `>` and `&`; XML entities inside them are still decoded. Every `xml` document is
   * also a valid `rawxml` document with the same meaning.
   */
  readonly format?: PolicyDocumentFormat;
}

/**
 * Parses a `<policies>` or `<fragment>` document into an element tree. Comments and the XML
 * declaration are dropped; `{{named-value}}` placeholders stay as written and are listed in
 * `namedValues`. Throws a PolicyError naming line and column on the first problem.
 */
export function parsePolicyDocument(text: string, options: ParseOptions = {}): PolicyDocument {
  const format = options.format ?? 'rawxml';
  // XML line-end normalisation: values and positions see '\n' only (columns are unaffected).
  const parser = new Parser(text.replace(/\r\n?/g, '\n'), format);
  const root = parser.parseDocument();
  const kind = root.name === 'policies' ? 'policies' : 'fragment';
  if (kind === 'policies') checkSections(root, parser);
  const { namedValues, expressions } = collectReferences(root);
  return { kind, format, root, namedValues, expressions };
}

function checkSections(root: PolicyElement, parser: Parser): void {
  const seen = new Map<string, PolicyElement>();
  for (const child of root.children) {
    if (child.type === 'text') {
      parser.failAt('POLICY_UNKNOWN_SECTION', 'Text is not allowed directly inside <policies>', child.position);
    }
    if (!(sectionNames as readonly string[]).includes(child.name)) {
      parser.failAt(
        'POLICY_UNKNOWN_SECTION',
        `Unknown section <${child.name}> in <policies>: expected inbound, backend, outbound or on-error`,
        child.position,
      );
    }
    const previous = seen.get(child.name);
    if (previous) {
      parser.failAt(
        'POLICY_UNKNOWN_SECTION',
        `Section <${child.name}> appears twice (first at line ${previous.position.line}, column ${previous.position.column})`,
        child.position,
      );
    }
    seen.set(child.name, child);
  }
}

const namePattern = /[A-Za-z_:][-A-Za-z0-9_.:]*/y;

class Parser {
  private readonly source: string;
  private readonly format: PolicyDocumentFormat;
  private readonly lineStarts: number[] = [0];
  private index = 0;

  constructor(source: string, format: PolicyDocumentFormat) {
    this.source = source;
    this.format = format;
    for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  position(offset: number): SourcePosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low] + 1, offset };
  }

  fail(code: PolicyErrorCode, message: string, offset: number): never {
    throw new PolicyError(code, message, this.position(offset));
  }

  failAt(code: PolicyErrorCode, message: string, position: SourcePosition): never {
    throw new PolicyError(code, message, position);
  }

  private startsWith(text: string): boolean {
    return this.source.startsWith(text, this.index);
  }

  private skipWhitespace(): boolean {
    const start = this.index;
    while (this.index < this.source.length && isWhitespace(this.source.charCodeAt(this.index))) this.index++;
    return this.index > start;
  }

  parseDocument(): PolicyElement {
    if (this.source.charCodeAt(0) === 0xfeff) this.index = 1;
    this.skipMisc();
    if (this.index >= this.source.length) this.fail('POLICY_XML_MALFORMED', 'The document is empty: expected <policies> or <fragment>', this.index);
    if (this.source[this.index] !== '<') this.fail('POLICY_XML_MALFORMED', 'Text is not allowed before the root element', this.index);
    const root = this.parseElement();
    if (root.name !== 'policies' && root.name !== 'fragment') {
      this.failAt('POLICY_UNKNOWN_ROOT', `The root element must be <policies> or <fragment>, not <${root.name}>`, root.position);
    }
    this.skipMisc();
    if (this.index < this.source.length) this.fail('POLICY_XML_MALFORMED', 'Content is not allowed after the root element', this.index);
    return root;
  }

  /** Whitespace, comments and processing instructions outside the root element. */
  private skipMisc(): void {
    for (;;) {
      this.skipWhitespace();
      if (this.startsWith('<!--')) this.skipComment();
      else if (this.startsWith('<?')) this.skipProcessingInstruction();
      else if (this.startsWith('<!')) this.fail('POLICY_XML_MALFORMED', 'Document type declarations are not allowed', this.index);
      else return;
    }
  }

  private skipComment(): void {
    const end = this.source.indexOf('-->', this.index + 4);
    if (end < 0) this.fail('POLICY_XML_MALFORMED', 'Comment is never closed', this.index);
    this.index = end + 3;
  }

  private skipProcessingInstruction(): void {
    const end = this.source.indexOf('?>', this.index + 2);
    if (end < 0) this.fail('POLICY_XML_MALFORMED', 'Processing instruction is never closed', this.index);
    this.index = end + 2;
  }

  private readName(what: string): string {
    namePattern.lastIndex = this.index;
    const m = namePattern.exec(this.source);
    if (!m) {
      const found = this.index < this.source.length ? `'${this.source[this.index]}'` : 'the end of the document';
      this.fail('POLICY_XML_MALFORMED', `Expected ${what}, found ${found}`, this.index);
    }
    this.index += m[0].length;
    return m[0];
  }

  private parseElement(): PolicyElement {
    const start = this.index;
    this.index++; // '<'
    const name = this.readName('an element name');
    const attributes: PolicyAttribute[] = [];
    let selfClosing = false;
    for (;;) {
      const hadSpace = this.skipWhitespace();
      if (this.startsWith('/>')) {
        this.index += 2;
        selfClosing = true;
        break;
      }
      if (this.startsWith('>')) {
        this.index++;
        break;
      }
      if (this.index >= this.source.length) this.fail('POLICY_XML_MALFORMED', `Start tag <${name}> is never closed`, start);
      if (!hadSpace) this.fail('POLICY_XML_MALFORMED', `Expected whitespace, '>' or '/>' in <${name}>, found '${this.source[this.index]}'`, this.index);
      const attribute = this.parseAttribute(name);
      const duplicate = attributes.find((a) => a.name === attribute.name);
      if (duplicate) this.failAt('POLICY_XML_MALFORMED', `Attribute '${attribute.name}' is given twice in <${name}>`, attribute.position);
      attributes.push(attribute);
    }
    const position = this.position(start);
    if (selfClosing) return { type: 'element', name, attributes, children: [], position };
    const children = this.parseContent(name, position);
    return { type: 'element', name, attributes, children, position };
  }

  private parseAttribute(element: string): PolicyAttribute {
    const nameOffset = this.index;
    const name = this.readName('an attribute name');
    this.skipWhitespace();
    if (this.source[this.index] !== '=') this.fail('POLICY_XML_MALFORMED', `Expected '=' after attribute '${name}' in <${element}>`, this.index);
    this.index++;
    this.skipWhitespace();
    const quote = this.source[this.index];
    if (quote !== '"' && quote !== "'") this.fail('POLICY_XML_MALFORMED', `The value of attribute '${name}' in <${element}> must be quoted`, this.index);
    this.index++;
    const valueOffset = this.index;
    const position = this.position(nameOffset);
    const valuePosition = this.position(valueOffset);

    if (this.format === 'rawxml') {
      const exprStart = this.skipBlanksFrom(this.index);
      if (startsExpression(this.source, exprStart)) {
        const scan = this.scanRaw(exprStart);
        const after = this.skipBlanksFrom(scan.end);
        if (this.source[after] !== quote) {
          this.fail(
            'POLICY_XML_MALFORMED',
            `Expected the closing ${quote} of attribute '${name}' right after its expression, which ends at line ${this.position(scan.end - 1).line}, column ${this.position(scan.end - 1).column}`,
            after,
          );
        }
        this.index = after + 1;
        return { name, value: scan.text, position, valuePosition: this.position(exprStart), expression: scan.kind };
      }
    }
    const end = this.source.indexOf(quote, this.index);
    if (end < 0) this.fail('POLICY_XML_MALFORMED', `The value of attribute '${name}' in <${element}> is never closed`, valueOffset - 1);
    const decoded = this.decode(valueOffset, end, true);
    this.index = end + 1;
    const expression = this.detectExpression(decoded, valueOffset, `attribute '${name}'`);
    if (expression) {
      return { name, value: expression.text, position, valuePosition: this.position(expression.offset), expression: expression.kind };
    }
    return { name, value: decoded.text, position, valuePosition };
  }

  private skipBlanksFrom(offset: number): number {
    while (offset < this.source.length && isWhitespace(this.source.charCodeAt(offset))) offset++;
    return offset;
  }

  /** Scans a `rawxml` expression starting at `offset` (entities decoded), or fails with its position. */
  private scanRaw(offset: number): { text: string; end: number; kind: ExpressionKind } {
    try {
      return scanExpression(this.source, offset, { decodeEntities: true });
    } catch (error) {
      if (error instanceof ExpressionScanError) {
        const at = this.position(offset);
        this.fail(
          'POLICY_EXPRESSION_UNTERMINATED',
          `Policy expression starting at line ${at.line}, column ${at.column} is not terminated: ${error.message}`,
          error.offset,
        );
      }
      throw error;
    }
  }

  /**
   * In an already decoded value (the `xml` format, or literal `rawxml` text), an expression is
   * a value that is, apart from surrounding blanks, exactly one `@(…)`/`@{…}`.
   */
  private detectExpression(
    decoded: { text: string; offsets: number[] },
    fallbackOffset: number,
    host: string,
  ): { text: string; kind: ExpressionKind; offset: number } | undefined {
    const text = decoded.text;
    let start = 0;
    while (start < text.length && isWhitespace(text.charCodeAt(start))) start++;
    if (!startsExpression(text, start)) return undefined;
    const rawOffset = (i: number) => (i < decoded.offsets.length ? decoded.offsets[i] : fallbackOffset + i);
    let scan;
    try {
      scan = scanExpression(text, start, { decodeEntities: false });
    } catch (error) {
      if (!(error instanceof ExpressionScanError)) throw error;
      const at = this.position(rawOffset(start));
      const hint =
        this.format === 'xml'
          ? " (in the 'xml' format, quotes, '<' and '&' inside expressions must be escaped; the 'rawxml' format takes them as written)"
          : '';
      this.fail(
        'POLICY_EXPRESSION_UNTERMINATED',
        `Policy expression in ${host} starting at line ${at.line}, column ${at.column} is not terminated: ${error.message}${hint}`,
        rawOffset(error.offset),
      );
    }
    if (text.slice(scan.end).trim() !== '') return undefined;
    return { text: scan.text, kind: scan.kind, offset: rawOffset(start) };
  }

  /** Decodes entities in source[from, to), keeping the source offset of every decoded character. */
  private decode(from: number, to: number, inAttribute: boolean): { text: string; offsets: number[] } {
    let text = '';
    const offsets: number[] = [];
    const strict = this.format === 'xml';
    for (let i = from; i < to; ) {
      const ch = this.source[i];
      if (ch === '&') {
        const entity = readEntity(this.source, i);
        if (entity) {
          for (let k = 0; k < entity.text.length; k++) offsets.push(i);
          text += entity.text;
          i += entity.length;
          continue;
        }
        if (strict) this.fail('POLICY_XML_MALFORMED', "'&' must start an entity such as &amp; (or use the 'rawxml' format)", i);
      } else if (ch === '<' && inAttribute && strict) {
        this.fail('POLICY_XML_MALFORMED', "'<' is not allowed in an attribute value: write &lt; (or use the 'rawxml' format)", i);
      }
      offsets.push(i);
      text += ch;
      i++;
    }
    return { text, offsets };
  }

  private parseContent(name: string, openPosition: SourcePosition): PolicyNode[] {
    const children: PolicyNode[] = [];
    for (;;) {
      if (this.index >= this.source.length) {
        this.failAt('POLICY_XML_MALFORMED', `Element <${name}> is never closed`, openPosition);
      }
      if (this.startsWith('</')) {
        const closeOffset = this.index;
        this.index += 2;
        const closing = this.readName('an element name');
        this.skipWhitespace();
        if (this.source[this.index] !== '>') this.fail('POLICY_XML_MALFORMED', `Expected '>' to end </${closing}>`, this.index);
        this.index++;
        if (closing !== name) {
          this.fail(
            'POLICY_XML_MISMATCHED_TAG',
            `Closing tag </${closing}> does not match <${name}> opened at line ${openPosition.line}, column ${openPosition.column}`,
            closeOffset,
          );
        }
        return normaliseText(children);
      }
      if (this.startsWith('<!--')) this.skipComment();
      else if (this.startsWith('<![CDATA[')) {
        const start = this.index;
        const end = this.source.indexOf(']]>', start + 9);
        if (end < 0) this.fail('POLICY_XML_MALFORMED', 'CDATA section is never closed', start);
        children.push({ type: 'text', value: this.source.slice(start + 9, end), position: this.position(start), cdata: true });
        this.index = end + 3;
      } else if (this.startsWith('<?')) this.skipProcessingInstruction();
      else if (this.startsWith('<!')) this.fail('POLICY_XML_MALFORMED', "Unexpected '<!' in element content", this.index);
      else if (this.startsWith('<')) children.push(this.parseElement());
      else children.push(this.parseText());
    }
  }

  private parseText(): PolicyText {
    const start = this.index;
    if (this.format === 'rawxml') {
      const exprStart = this.skipBlanksFrom(start);
      if (startsExpression(this.source, exprStart)) {
        const scan = this.scanRaw(exprStart);
        let end = scan.end;
        while (end < this.source.length && this.source[end] !== '<') end++;
        const rest = this.decode(scan.end, end, false).text;
        this.index = end;
        if (rest.trim() === '') {
          return { type: 'text', value: scan.text, position: this.position(exprStart), expression: scan.kind };
        }
        return { type: 'text', value: this.source.slice(start, exprStart) + scan.text + rest, position: this.position(start) };
      }
    }
    let end = this.source.indexOf('<', start);
    if (end < 0) end = this.source.length;
    const decoded = this.decode(start, end, false);
    this.index = end;
    const expression = this.detectExpression(decoded, start, 'element text');
    if (expression) return { type: 'text', value: expression.text, position: this.position(expression.offset), expression: expression.kind };
    return { type: 'text', value: decoded.text, position: this.position(start) };
  }
}

/** Drops blank text between elements unless the element has real (mixed) text content. */
function normaliseText(children: PolicyNode[]): PolicyNode[] {
  const merged: PolicyNode[] = [];
  for (const child of children) {
    const last = merged[merged.length - 1];
    if (child.type === 'text' && last?.type === 'text' && !child.cdata && !last.cdata && !child.expression && !last.expression) {
      merged[merged.length - 1] = { ...last, value: last.value + child.value };
    } else merged.push(child);
  }
  const hasText = merged.some((c) => c.type === 'text' && (c.cdata || c.expression || c.value.trim() !== ''));
  if (hasText) return merged;
  return merged.filter((c) => c.type === 'element');
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}
