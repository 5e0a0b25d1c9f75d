// XDocument/XElement and XmlDocument basics: a namespace-aware XML parser (no DTDs, no external
// entities), navigation, and the simple XPath forms policies use (/a/b, //b, a/b, @attr).

import { DotNetException } from '../errors.ts';
import { MAX_JSON_DEPTH } from './json.ts';

const xmlError = (msg: string): DotNetException => new DotNetException('XmlException', msg);

export class XName {
  static readonly clrName = 'System.Xml.Linq.XName';
  readonly localName: string;
  readonly namespaceName: string;
  constructor(localName: string, namespaceName = '') {
    this.localName = localName;
    this.namespaceName = namespaceName;
  }
  static of(s: string): XName {
    const m = /^\{([^}]*)\}(.+)$/.exec(s);
    return m ? new XName(m[2], m[1]) : new XName(s);
  }
  toString(): string {
    return this.namespaceName ? `{${this.namespaceName}}${this.localName}` : this.localName;
  }
  dnEquals(o: unknown): boolean {
    return o instanceof XName && o.localName === this.localName && o.namespaceName === this.namespaceName;
  }
  dnKey(): unknown {
    return '\u0000x' + this.toString();
  }
}

export abstract class XNode {
  parent: XElement | null = null;
  abstract text(): string;
  abstract write(out: string[], indent: string | null, level: number): void;
}

export class XText extends XNode {
  static readonly clrName = 'System.Xml.Linq.XText';
  readonly value: string;
  readonly cdata: boolean;
  constructor(value: string, cdata = false) {
    super();
    this.value = value;
    this.cdata = cdata;
  }
  text(): string {
    return this.value;
  }
  write(out: string[]): void {
    out.push(this.cdata ? `<![CDATA[${this.value}]]>` : escapeText(this.value));
  }
  override toString(): string {
    return this.value;
  }
}

export class XAttribute {
  static readonly clrName = 'System.Xml.Linq.XAttribute';
  readonly name: XName;
  value: string;
  readonly prefix: string;
  constructor(name: XName, value: string, prefix = '') {
    this.name = name;
    this.value = value;
    this.prefix = prefix;
  }
  toString(): string {
    return `${this.prefix ? this.prefix + ':' : ''}${this.name.localName}="${escapeAttr(this.value)}"`;
  }
}

export class XElement extends XNode {
  static readonly clrName = 'System.Xml.Linq.XElement';
  readonly name: XName;
  readonly prefix: string;
  readonly attributes: XAttribute[] = [];
  readonly nodes: XNode[] = [];
  constructor(name: XName, prefix = '') {
    super();
    this.name = name;
    this.prefix = prefix;
  }
  text(): string {
    return this.nodes.map((n) => n.text()).join('');
  }
  elements(name?: XName): XElement[] {
    return this.nodes.filter((n): n is XElement => n instanceof XElement && (!name || n.name.dnEquals(name)));
  }
  descendants(name?: XName): XElement[] {
    const out: XElement[] = [];
    const walk = (e: XElement): void => {
      for (const c of e.nodes) {
        if (!(c instanceof XElement)) continue;
        if (!name || c.name.dnEquals(name)) out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }
  attribute(name: XName): XAttribute | null {
    return this.attributes.find((a) => a.name.dnEquals(name)) ?? null;
  }
  qname(): string {
    return this.prefix ? `${this.prefix}:${this.name.localName}` : this.name.localName;
  }
  write(out: string[], indent: string | null, level: number): void {
    const pad = indent === null ? '' : indent.repeat(level);
    out.push(`<${this.qname()}${this.attributes.map((a) => ' ' + a.toString()).join('')}`);
    if (!this.nodes.length) {
      out.push(' />');
      return;
    }
    out.push('>');
    const onlyText = this.nodes.every((n) => n instanceof XText);
    for (const n of this.nodes) {
      if (indent !== null && !onlyText) out.push('\n', pad + indent);
      n.write(out, indent, level + 1);
    }
    if (indent !== null && !onlyText) out.push('\n', pad);
    out.push(`</${this.qname()}>`);
  }
  override toString(): string {
    const out: string[] = [];
    this.write(out, '  ', 0);
    return out.join('');
  }
}

export class XDocument {
  static readonly clrName = 'System.Xml.Linq.XDocument';
  readonly root: XElement;
  readonly declaration: string | null;
  constructor(root: XElement, declaration: string | null) {
    this.root = root;
    this.declaration = declaration;
  }
  toString(): string {
    return this.root.toString();
  }
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

const ENT: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (all, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    const v = ENT[e];
    if (v === undefined) throw xmlError(`Reference to undeclared entity '${e}'.`);
    return v;
  });
}

export function parseXml(text: string): XDocument {
  let i = 0;
  const s = text;
  let declaration: string | null = null;
  const skipMisc = (): void => {
    for (;;) {
      while (i < s.length && /\s/.test(s[i])) i++;
      if (s.startsWith('<?', i)) {
        const e = s.indexOf('?>', i);
        if (e < 0) throw xmlError('Unexpected end of file.');
        if (s.startsWith('<?xml', i)) declaration = s.slice(i, e + 2);
        i = e + 2;
      } else if (s.startsWith('<!--', i)) {
        const e = s.indexOf('-->', i);
        if (e < 0) throw xmlError('Unexpected end of file while parsing Comment.');
        i = e + 3;
      } else if (s.startsWith('<!DOCTYPE', i)) throw xmlError('DTDs are not allowed in policy expressions.');
      else return;
    }
  };
  const name = (): string => {
    const m = /^[A-Za-z_:][\w.:-]*/.exec(s.slice(i, i + 256));
    if (!m) throw xmlError(`Name cannot begin with the '${s[i] ?? ''}' character.`);
    i += m[0].length;
    return m[0];
  };
  const element = (ns: Map<string, string>, depth: number): XElement => {
    if (depth > MAX_JSON_DEPTH) throw xmlError('The XML is nested too deeply.');
    if (s[i] !== '<') throw xmlError('Data at the root level is invalid.');
    i++;
    const qn = name();
    const attrs: [string, string][] = [];
    for (;;) {
      while (/\s/.test(s[i] ?? '')) i++;
      if (s[i] === '/' || s[i] === '>') break;
      if (i >= s.length) throw xmlError('Unexpected end of file.');
      const an = name();
      while (/\s/.test(s[i] ?? '')) i++;
      if (s[i] !== '=') throw xmlError(`'${s[i] ?? ''}' is an unexpected token. The expected token is '='.`);
      i++;
      while (/\s/.test(s[i] ?? '')) i++;
      const q = s[i];
      if (q !== '"' && q !== "'") throw xmlError('Attribute values must be quoted.');
      const e = s.indexOf(q, i + 1);
      if (e < 0) throw xmlError('Unexpected end of file.');
      attrs.push([an, decodeEntities(s.slice(i + 1, e))]);
      i = e + 1;
    }
    const scope = new Map(ns);
    for (const [an, av] of attrs) {
      if (an === 'xmlns') scope.set('', av);
      else if (an.startsWith('xmlns:')) scope.set(an.slice(6), av);
    }
    const split = (q: string, isAttr: boolean): [string, string, string] => {
      const c = q.indexOf(':');
      if (c < 0) return ['', q, isAttr ? '' : (scope.get('') ?? '')];
      const prefix = q.slice(0, c);
      const uri = prefix === 'xml' ? 'http://www.w3.org/XML/1998/namespace' : scope.get(prefix);
      if (uri === undefined && prefix !== 'xmlns') throw xmlError(`'${prefix}' is an undeclared prefix.`);
      return [prefix, q.slice(c + 1), prefix === 'xmlns' ? 'http://www.w3.org/2000/xmlns/' : uri!];
    };
    const [prefix, local, uri] = split(qn, false);
    const el = new XElement(new XName(local, uri), prefix);
    for (const [an, av] of attrs) {
      const [ap, al, au] = an === 'xmlns' ? ['', 'xmlns', 'http://www.w3.org/2000/xmlns/'] : split(an, true);
      const a = new XAttribute(new XName(al, au), av, ap);
      el.attributes.push(a);
    }
    if (s[i] === '/') {
      if (s[i + 1] !== '>') throw xmlError('Unexpected token.');
      i += 2;
      return el;
    }
    i++;
    for (;;) {
      if (i >= s.length) throw xmlError(`Unexpected end of file has occurred. The following elements are not closed: ${qn}.`);
      if (s.startsWith('</', i)) {
        i += 2;
        const close = name();
        if (close !== qn) throw xmlError(`The '${qn}' start tag does not match the end tag of '${close}'.`);
        while (/\s/.test(s[i] ?? '')) i++;
        if (s[i] !== '>') throw xmlError('Unexpected token.');
        i++;
        return el;
      }
      if (s.startsWith('<!--', i)) {
        const e = s.indexOf('-->', i);
        if (e < 0) throw xmlError('Unexpected end of file while parsing Comment.');
        i = e + 3;
        continue;
      }
      if (s.startsWith('<![CDATA[', i)) {
        const e = s.indexOf(']]>', i);
        if (e < 0) throw xmlError('Unexpected end of file while parsing CDATA.');
        const t = new XText(s.slice(i + 9, e), true);
        t.parent = el;
        el.nodes.push(t);
        i = e + 3;
        continue;
      }
      if (s.startsWith('<?', i)) {
        const e = s.indexOf('?>', i);
        i = e < 0 ? s.length : e + 2;
        continue;
      }
      if (s[i] === '<') {
        const child = element(scope, depth + 1);
        child.parent = el;
        el.nodes.push(child);
        continue;
      }
      const e = s.indexOf('<', i);
      const raw = s.slice(i, e < 0 ? s.length : e);
      i = e < 0 ? s.length : e;
      const t = new XText(decodeEntities(raw));
      t.parent = el;
      el.nodes.push(t);
    }
  };
  skipMisc();
  const root = element(new Map(), 0);
  skipMisc();
  if (i < s.length) throw xmlError('There are multiple root elements.');
  return new XDocument(root, declaration);
}

/** The XPath subset policies use: absolute and relative paths, //, *, @attr, text(). */
export function selectXPath(context: XElement, doc: XElement, path: string): (XElement | XAttribute | XText)[] {
  let cur: (XElement | XAttribute | XText)[];
  let p = path.trim();
  if (p.startsWith('//')) {
    cur = [doc];
    const name = p.slice(2).split('/')[0];
    const rest = p.slice(2 + name.length);
    const virtualRoot = new XElement(new XName('#document'));
    virtualRoot.nodes.push(doc);
    cur = virtualRoot.descendants().filter((e) => name === '*' || e.name.localName === name || e.qname() === name);
    p = rest;
  } else if (p.startsWith('/')) {
    const first = p.slice(1).split('/')[0];
    if (!(first === '*' || doc.name.localName === first || doc.qname() === first)) return [];
    cur = [doc];
    p = p.slice(1 + first.length);
  } else cur = [context];
  const steps = p.split('/').filter((x, idx, arr) => x !== '' || (idx > 0 && arr[idx - 1] === ''));
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k];
    const next: (XElement | XAttribute | XText)[] = [];
    if (step === '') {
      // a '//' in the middle: descendants of the next step
      const nm = steps[++k];
      for (const c of cur) if (c instanceof XElement) next.push(...c.descendants().filter((e) => nm === '*' || e.name.localName === nm || e.qname() === nm));
    } else if (step.startsWith('@')) {
      const an = step.slice(1);
      for (const c of cur) if (c instanceof XElement) next.push(...c.attributes.filter((a) => an === '*' || a.name.localName === an));
    } else if (step === 'text()') {
      for (const c of cur) if (c instanceof XElement) next.push(...c.nodes.filter((n): n is XText => n instanceof XText));
    } else if (step === '.') next.push(...cur);
    else if (step === '..') {
      for (const c of cur) if (c instanceof XElement && c.parent) next.push(c.parent);
    } else {
      if (/[[\]()=]/.test(step)) throw new DotNetException('NotSupportedException', `XPath step '${step}' is not supported in policy expressions.`);
      for (const c of cur) if (c instanceof XElement) next.push(...c.elements().filter((e) => step === '*' || e.name.localName === step || e.qname() === step));
    }
    cur = next;
  }
  return cur;
}
