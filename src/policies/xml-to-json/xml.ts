/** A small XML reader for xml-to-json: elements, attributes, text, CDATA; prolog, comments and PIs skipped. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|\w+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number.parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

export function parseXml(text: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt === -1) break;
    if (stack.length > 0 && lt > i) stack[stack.length - 1].text += decode(text.slice(i, lt));
    if (text.startsWith('<!--', lt)) {
      i = text.indexOf('-->', lt) + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt);
      if (stack.length > 0) stack[stack.length - 1].text += text.slice(lt + 9, end);
      i = end + 3;
    } else if (text.startsWith('<?', lt) || text.startsWith('<!', lt)) {
      i = text.indexOf('>', lt) + 1;
    } else if (text[lt + 1] === '/') {
      i = text.indexOf('>', lt) + 1;
      stack.pop();
    } else {
      const end = findTagEnd(text, lt);
      const selfClosing = text[end - 1] === '/';
      const inner = text.slice(lt + 1, selfClosing ? end - 1 : end);
      const nameMatch = /^[^\s/>]+/.exec(inner);
      if (!nameMatch) throw new Error(`Malformed XML at offset ${lt}`);
      const attributes: Record<string, string> = {};
      for (const m of inner.slice(nameMatch[0].length).matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attributes[m[1]] = decode(m[2] ?? m[3]);
      const element: XmlElement = { name: nameMatch[0], attributes, children: [], text: '' };
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else if (root === undefined) root = element;
      else throw new Error('XML has more than one root element');
      if (!selfClosing) stack.push(element);
      i = end + 1;
    }
    if (i <= 0) break;
  }
  if (root === undefined) throw new Error('XML has no root element');
  return root;
}

function findTagEnd(text: string, from: number): number {
  let quote = '';
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  throw new Error('Unterminated XML tag');
}
