// System.Xml.Linq (XDocument, XElement, XAttribute, XName) and XmlDocument basics.

import { DotNetException, invalidOp } from './errors.ts';
import { requireString } from './library.ts';
import { XAttribute, XDocument, XElement, XName, XNode, XText, parseXml, selectXPath } from './runtime/xml.ts';
import { checkString } from './runtime/budget.ts';
import { defineType, lookupType } from './types.ts';

const xnameDef = defineType({ name: 'XName', ns: 'System.Xml.Linq', is: (v) => v instanceof XName });
xnameDef
  .prop('string LocalName', (n: XName) => n.localName)
  .prop('string NamespaceName', (n: XName) => n.namespaceName)
  .method('string ToString()', (n: XName) => n.toString())
  .method('static XName Get(string expandedName)', (s: string) => XName.of(requireString(s, 'expandedName')))
  .method('static bool op_Equality(XName a, XName b)', (a: XName, b: XName) => a.dnEquals(b))
  .method('static bool op_Inequality(XName a, XName b)', (a: XName, b: XName) => !a.dnEquals(b));
xnameDef.implicitFrom.set(lookupType('String', 0)!, (s: string | null) => (s === null ? null : XName.of(s)));

const xnodeDef = defineType({ name: 'XNode', ns: 'System.Xml.Linq', is: (v) => v instanceof XNode });
xnodeDef
  .prop('XElement Parent', (n: XNode) => n.parent)
  .method('void Remove()', (n: XNode) => {
    const p = n.parent;
    if (!p) throw invalidOp('The parent is missing.');
    p.nodes.splice(p.nodes.indexOf(n), 1);
    n.parent = null;
  })
  .method('string ToString()', (n: XNode) => String(n));

defineType({ name: 'XText', ns: 'System.Xml.Linq', bases: ['XNode'], is: (v) => v instanceof XText }).prop('string Value', (t: XText) => t.value);

defineType({ name: 'XAttribute', ns: 'System.Xml.Linq', is: (v) => v instanceof XAttribute })
  .ctor('(XName name, object value)', (n: XName, v: unknown) => new XAttribute(n, String(v ?? '')))
  .prop('XName Name', (a: XAttribute) => a.name)
  .prop('string Value', (a: XAttribute) => a.value, { set: (a: XAttribute, v: string) => void (a.value = v ?? '') })
  .method('string ToString()', (a: XAttribute) => a.toString());

const xelementDef = defineType({ name: 'XElement', ns: 'System.Xml.Linq', bases: ['XNode'], is: (v) => v instanceof XElement });
const xcontainer = (d: ReturnType<typeof defineType>, root: (x: unknown) => XElement): void => {
  d.method('IEnumerable<XElement> Elements()', (x: unknown) => root(x).elements())
    .method('IEnumerable<XElement> Elements(XName name)', (x: unknown, n: XName) => root(x).elements(n))
    .method('XElement Element(XName name)', (x: unknown, n: XName) => root(x).elements(n)[0] ?? null)
    .method('IEnumerable<XElement> Descendants()', (x: unknown) => (x instanceof XDocument ? [x.root, ...x.root.descendants()] : root(x).descendants()))
    .method('IEnumerable<XElement> Descendants(XName name)', (x: unknown, n: XName) =>
      x instanceof XDocument ? [x.root, ...x.root.descendants()].filter((e) => e.name.dnEquals(n)) : root(x).descendants(n))
    .method('IEnumerable<XNode> Nodes()', (x: unknown) => (x instanceof XDocument ? [x.root] : root(x).nodes));
};
xcontainer(xelementDef, (x) => x as XElement);
xelementDef
  .ctor('(XName name)', (n: XName) => new XElement(n))
  .ctor('(XName name, params object[] content)', (n: XName, content: unknown[]) => {
    const e = new XElement(n);
    for (const c of content ?? []) {
      if (c instanceof XAttribute) e.attributes.push(c);
      else if (c instanceof XNode) {
        c.parent = e;
        e.nodes.push(c);
      } else if (c !== null && c !== undefined) {
        const t = new XText(String(c));
        t.parent = e;
        e.nodes.push(t);
      }
    }
    return e;
  })
  .prop('XName Name', (e: XElement) => e.name)
  .prop('string Value', (e: XElement) => e.text(), { set: (e: XElement, v: string) => {
    e.nodes.length = 0;
    const t = new XText(v ?? '');
    t.parent = e;
    e.nodes.push(t);
  } })
  .prop('bool HasElements', (e: XElement) => e.elements().length > 0)
  .prop('bool IsEmpty', (e: XElement) => e.nodes.length === 0)
  .method('XAttribute Attribute(XName name)', (e: XElement, n: XName) => e.attribute(n))
  .method('IEnumerable<XAttribute> Attributes()', (e: XElement) => e.attributes)
  .method('void SetAttributeValue(XName name, object value)', (e: XElement, n: XName, v: unknown) => {
    const a = e.attribute(n);
    if (v === null) {
      if (a) e.attributes.splice(e.attributes.indexOf(a), 1);
    } else if (a) a.value = String(v);
    else e.attributes.push(new XAttribute(n, String(v)));
  })
  .method('void Add(object content)', (e: XElement, c: unknown) => {
    if (c instanceof XAttribute) e.attributes.push(c);
    else if (c instanceof XNode) {
      c.parent = e;
      e.nodes.push(c);
    } else if (c !== null) e.nodes.push(new XText(String(c)));
  })
  .method('string ToString()', (e: XElement) => checkString(e.toString()))
  .method('static XElement Parse(string text)', (s: string) => parseXml(requireString(s, 'text')).root);
xelementDef.explicitTo.set(lookupType('String', 0)!, (e: XElement | null) => (e === null ? null : e.text()));

const xdocDef = defineType({ name: 'XDocument', ns: 'System.Xml.Linq', bases: ['XNode'], is: (v) => v instanceof XDocument });
xcontainer(xdocDef, (x) => (x as XDocument).root);
xdocDef
  .prop('XElement Root', (d: XDocument) => d.root)
  .method('string ToString()', (d: XDocument) => checkString(d.toString()))
  .method('static XDocument Parse(string text)', (s: string) => parseXml(requireString(s, 'text')));

// System.Xml: XmlDocument with SelectSingleNode/SelectNodes over the simple XPath forms.
class XmlDocumentBox {
  static readonly clrName = 'System.Xml.XmlDocument';
  doc: XDocument | null = null;
}
type XmlNodeValue = XElement | XAttribute | XText;
const xmlNodeDef = defineType({ name: 'XmlNode', ns: 'System.Xml', is: (v) => v instanceof XElement || v instanceof XAttribute || v instanceof XText });
const innerText = (n: XmlNodeValue): string => (n instanceof XElement ? n.text() : n.value);
xmlNodeDef
  .prop('string InnerText', innerText)
  .prop('string Value', (n: XmlNodeValue) => (n instanceof XElement ? null : n.value))
  .prop('string Name', (n: XmlNodeValue) => (n instanceof XElement ? n.qname() : n instanceof XAttribute ? n.name.localName : '#text'))
  .prop('string LocalName', (n: XmlNodeValue) => (n instanceof XElement || n instanceof XAttribute ? n.name.localName : '#text'))
  .prop('string NamespaceURI', (n: XmlNodeValue) => (n instanceof XElement || n instanceof XAttribute ? n.name.namespaceName : ''))
  .prop('string InnerXml', (n: XmlNodeValue) => (n instanceof XElement ? n.nodes.map((c) => { const o: string[] = []; c.write(o, null, 0); return o.join(''); }).join('') : innerText(n)))
  .prop('string OuterXml', (n: XmlNodeValue) => {
    const o: string[] = [];
    if (n instanceof XAttribute) return n.toString();
    n.write(o, null, 0);
    return o.join('');
  })
  .method('XmlNode SelectSingleNode(string xpath)', (n: XmlNodeValue, p: string) => (n instanceof XElement ? selectXPath(n, rootOf(n), requireString(p, 'xpath'))[0] ?? null : null))
  .method('IEnumerable<XmlNode> SelectNodes(string xpath)', (n: XmlNodeValue, p: string) => (n instanceof XElement ? selectXPath(n, rootOf(n), requireString(p, 'xpath')) : []))
  .method('string GetAttribute(string name)', (n: XmlNodeValue, a: string) => (n instanceof XElement ? n.attributes.find((x) => x.name.localName === a || x.toString().startsWith(a + '='))?.value ?? '' : ''));
defineType({ name: 'XmlElement', ns: 'System.Xml', bases: ['XmlNode'], is: (v) => v instanceof XElement });
function rootOf(e: XElement): XElement {
  let r = e;
  while (r.parent) r = r.parent;
  return r;
}
defineType({ name: 'XmlDocument', ns: 'System.Xml', is: (v) => v instanceof XmlDocumentBox })
  .ctor('()', () => new XmlDocumentBox())
  .method('void LoadXml(string xml)', (d: XmlDocumentBox, s: string) => void (d.doc = parseXml(requireString(s, 'xml'))))
  .prop('XmlElement DocumentElement', (d: XmlDocumentBox) => d.doc?.root ?? null)
  .prop('string InnerText', (d: XmlDocumentBox) => d.doc?.root.text() ?? '')
  .method('XmlNode SelectSingleNode(string xpath)', (d: XmlDocumentBox, p: string) => {
    if (!d.doc) throw new DotNetException('XPathException', 'The document is empty.');
    return selectXPath(d.doc.root, d.doc.root, requireString(p, 'xpath'))[0] ?? null;
  })
  .method('IEnumerable<XmlNode> SelectNodes(string xpath)', (d: XmlDocumentBox, p: string) => (d.doc ? selectXPath(d.doc.root, d.doc.root, requireString(p, 'xpath')) : []));

export { XDocument, XElement };

// System.Xml.XmlReader over a parsed document: the forward-only cursor policies use to pull a value
// out of a large XML payload (MoveToContent, Read, Name, EOF, XNode.ReadFrom).

class StringReaderBox {
  static readonly clrName = 'System.IO.StringReader';
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
defineType({ name: 'TextReader', ns: 'System.IO', is: (v) => v instanceof StringReaderBox });
defineType({ name: 'StringReader', ns: 'System.IO', bases: ['TextReader'], is: (v) => v instanceof StringReaderBox })
  .ctor('(string s)', (s: string) => new StringReaderBox(requireString(s, 's')))
  .method('string ReadToEnd()', (r: StringReaderBox) => r.text)
  .method('void Dispose()', () => undefined);

type ReaderNode =
  | { type: 'Element'; el: XElement; depth: number; empty: boolean; end: number }
  | { type: 'Text' | 'Whitespace'; text: string; depth: number }
  | { type: 'EndElement'; el: XElement; depth: number };

const XML_NODE_TYPES = { None: 0, Element: 1, Attribute: 2, Text: 3, CDATA: 4, EntityReference: 5, Entity: 6, ProcessingInstruction: 7, Comment: 8, Document: 9, DocumentType: 10, DocumentFragment: 11, Notation: 12, Whitespace: 13, SignificantWhitespace: 14, EndElement: 15, EndEntity: 16, XmlDeclaration: 17 };
defineType({ name: 'XmlNodeType', ns: 'System.Xml', kind: 'enum', is: (v) => typeof v === 'number' }).enumMembers(XML_NODE_TYPES);

class XmlReaderBox {
  static readonly clrName = 'System.Xml.XmlReader';
  private readonly source: string;
  private nodes: ReaderNode[] | null = null;
  pos = -1;
  constructor(source: string) {
    this.source = source;
  }
  private load(): ReaderNode[] {
    if (this.nodes) return this.nodes;
    const out: ReaderNode[] = [];
    const walk = (el: XElement, depth: number): void => {
      const entry: ReaderNode = { type: 'Element', el, depth, empty: el.nodes.length === 0, end: -1 };
      out.push(entry);
      for (const n of el.nodes) {
        if (n instanceof XElement) walk(n, depth + 1);
        else if (n instanceof XText) out.push({ type: /^\s*$/.test(n.value) && !n.cdata ? 'Whitespace' : 'Text', text: n.value, depth: depth + 1 });
      }
      if (!entry.empty) out.push({ type: 'EndElement', el, depth });
      entry.end = out.length;
    };
    walk(parseXml(this.source).root, 0);
    this.nodes = out;
    return out;
  }
  get current(): ReaderNode | null {
    const n = this.load();
    return this.pos >= 0 && this.pos < n.length ? n[this.pos] : null;
  }
  get eof(): boolean {
    return this.pos >= this.load().length;
  }
  read(): boolean {
    const n = this.load();
    if (this.pos < n.length) this.pos++;
    return this.pos < n.length;
  }
  moveToContent(): number {
    const n = this.load();
    if (this.pos < 0) this.pos = 0;
    while (this.pos < n.length && n[this.pos].type === 'Whitespace') this.pos++;
    return this.nodeType;
  }
  get nodeType(): number {
    const c = this.current;
    return c ? XML_NODE_TYPES[c.type] : 0;
  }
  /** XNode.ReadFrom: the element at the cursor, leaving the cursor after its end. */
  readElement(): XElement {
    const c = this.current;
    if (!c || c.type !== 'Element') throw invalidOp('The XmlReader should be on a node of type Element.');
    this.pos = c.end;
    return c.el;
  }
}

defineType({ name: 'XmlReader', ns: 'System.Xml', is: (v) => v instanceof XmlReaderBox })
  .method('static XmlReader Create(TextReader input)', (r: StringReaderBox) => new XmlReaderBox(r.text))
  .method('static XmlReader Create(string inputUri)', () => {
    throw new DotNetException('NotSupportedException', 'XmlReader.Create with a URI is not supported in policy expressions; use a StringReader.');
  })
  .method('bool Read()', (r: XmlReaderBox) => r.read())
  .method('XmlNodeType MoveToContent()', (r: XmlReaderBox) => r.moveToContent())
  .prop('bool EOF', (r: XmlReaderBox) => r.eof)
  .prop('XmlNodeType NodeType', (r: XmlReaderBox) => r.nodeType)
  .prop('string Name', (r: XmlReaderBox) => {
    const c = r.current;
    return c && 'el' in c ? c.el.qname() : '';
  })
  .prop('string LocalName', (r: XmlReaderBox) => {
    const c = r.current;
    return c && 'el' in c ? c.el.name.localName : '';
  })
  .prop('string NamespaceURI', (r: XmlReaderBox) => {
    const c = r.current;
    return c && 'el' in c ? c.el.name.namespaceName : '';
  })
  .prop('string Value', (r: XmlReaderBox) => {
    const c = r.current;
    return c && (c.type === 'Text' || c.type === 'Whitespace') ? c.text : '';
  })
  .prop('int Depth', (r: XmlReaderBox) => r.current?.depth ?? 0)
  .prop('bool IsEmptyElement', (r: XmlReaderBox) => {
    const c = r.current;
    return !!c && c.type === 'Element' && c.empty;
  })
  .method('string GetAttribute(string name)', (r: XmlReaderBox, n: string) => {
    const c = r.current;
    if (!c || c.type !== 'Element') return null;
    return c.el.attributes.find((a) => a.name.localName === n || a.toString().startsWith(n + '='))?.value ?? null;
  })
  .method('string ReadElementContentAsString()', (r: XmlReaderBox) => r.readElement().text())
  .method('string ReadInnerXml()', (r: XmlReaderBox) => {
    const el = r.readElement();
    return el.nodes.map((c) => { const o: string[] = []; c.write(o, null, 0); return o.join(''); }).join('');
  })
  .method('void Dispose()', () => undefined)
  .method('void Close()', () => undefined);

xnodeDef.method('static XNode ReadFrom(XmlReader reader)', (r: XmlReaderBox) => r.readElement());
