// System.Guid with .NET's byte layout (the first three fields little-endian in ToByteArray).

import { formatError } from '../errors.ts';

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let lastCanonical: Guid | undefined;
const EMPTY_BYTES = new Uint8Array(16);

export class Guid {
  /** The 16 bytes in .NET's ToByteArray order; decoded on first use for a parsed canonical text. */
  #bytes: Uint8Array | undefined;
  /** The 'D' form, once computed (or as parsed, for a canonical lower-case text). */
  #text: string | undefined;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** The 16 bytes in .NET's ToByteArray order. */
  get bytes(): Uint8Array {
    if (this.#bytes === undefined) {
      const text = this.#text!;
      const be = Buffer.from(text.slice(0, 8) + text.slice(9, 13) + text.slice(14, 18) + text.slice(19, 23) + text.slice(24), 'hex');
      const b = new Uint8Array(16);
      b[0] = be[3]; b[1] = be[2]; b[2] = be[1]; b[3] = be[0];
      b[4] = be[5]; b[5] = be[4]; b[6] = be[7]; b[7] = be[6];
      for (let i = 8; i < 16; i++) b[i] = be[i];
      this.#bytes = b;
    }
    return this.#bytes;
  }
  static readonly Empty = new Guid(new Uint8Array(16));

  /** A version-4 GUID from a source of random bytes. */
  static random(randomByte: () => number): Guid {
    const b = new Uint8Array(16);
    for (let i = 0; i < 16; i++) b[i] = randomByte() & 0xff;
    b[7] = (b[7] & 0x0f) | 0x40; // version in the high nibble of field 3 (little-endian)
    b[8] = (b[8] & 0x3f) | 0x80;
    return new Guid(b);
  }

  private hex(): string {
    const b = this.bytes;
    const h = (i: number): string => b[i].toString(16).padStart(2, '0');
    return h(3) + h(2) + h(1) + h(0) + h(5) + h(4) + h(7) + h(6) + h(8) + h(9) + h(10) + h(11) + h(12) + h(13) + h(14) + h(15);
  }

  format(fmt?: string | null): string {
    if ((fmt === undefined || fmt === null || fmt === 'D' || fmt === 'd' || fmt === '') && this.#text !== undefined) return this.#text;
    const x = this.hex();
    const d = `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
    this.#text = d;
    switch (fmt ?? 'D') {
      case '':
      case 'D':
      case 'd':
        return d;
      case 'N':
      case 'n':
        return x;
      case 'B':
      case 'b':
        return `{${d}}`;
      case 'P':
      case 'p':
        return `(${d})`;
      case 'X':
      case 'x': {
        const p = (s: string): string => '0x' + s;
        return `{${p(x.slice(0, 8))},${p(x.slice(8, 12))},${p(x.slice(12, 16))},{${[...Array(8).keys()].map((i) => p(x.slice(16 + i * 2, 18 + i * 2))).join(',')}}}`;
      }
      default:
        throw formatError('Format string can be only "D", "d", "N", "n", "P", "p", "B", "b", "X" or "x".');
    }
  }
  toString(): string {
    return this.format('D');
  }
  equals(o: Guid): boolean {
    for (let i = 0; i < 16; i++) if (this.bytes[i] !== o.bytes[i]) return false;
    return true;
  }
  /** .NET: XOR of the four 32-bit words. */
  hash(): number {
    const b = this.bytes;
    const w = (i: number): number => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    return w(0) ^ w(4) ^ w(8) ^ w(12);
  }
  compare(o: Guid): number {
    const a = this.hex();
    const c = o.hex();
    return a < c ? -1 : a > c ? 1 : 0;
  }

  /**
   * A GUID from text its maker guarantees to be canonical (lower-case 'D' form, as
   * `crypto.randomUUID` writes it): kept as it is, without parsing.
   */
  static fromCanonical(text: string): Guid {
    const guid = new Guid(EMPTY_BYTES);
    guid.#bytes = undefined;
    guid.#text = text;
    return guid;
  }

  static tryParse(text: string | null): Guid | null {
    if (text == null) return null;
    if (text.length === 36) {
      // The common case: a request id, which several expressions of a request may read. A Guid
      // never changes, so the last one parsed is given again for the same text.
      if (lastCanonical !== undefined && lastCanonical.#text === text) return lastCanonical;
      if (CANONICAL.test(text)) {
        // One regex; the text is kept, the bytes decoded if asked for.
        return (lastCanonical = Guid.fromCanonical(text));
      }
    }
    let s = text.trim();
    if ((s.startsWith('{') && s.endsWith('}')) || (s.startsWith('(') && s.endsWith(')'))) s = s.slice(1, -1);
    let hex: string;
    if (/^[0-9a-fA-F]{32}$/.test(s)) hex = s;
    else if (/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s)) hex = s.replace(/-/g, '');
    else return null;
    if (text.trim()[0] === '{' && !text.trim().endsWith('}')) return null;
    const b = new Uint8Array(16);
    const byte = (i: number): number => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    b[0] = byte(3); b[1] = byte(2); b[2] = byte(1); b[3] = byte(0);
    b[4] = byte(5); b[5] = byte(4); b[6] = byte(7); b[7] = byte(6);
    for (let i = 8; i < 16; i++) b[i] = byte(i);
    return new Guid(b);
  }
  static parse(text: string): Guid {
    const g = Guid.tryParse(text);
    if (!g) throw formatError(`Unrecognized Guid format.`);
    return g;
  }
}
