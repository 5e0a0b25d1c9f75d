// System.Char. Chars are interned objects, one per UTF-16 code unit, so that a char stays a char
// when it is stored as `object` (it prints as a character, not as a number), and `===` compares them.

export class CsChar {
  readonly code: number;
  readonly str: string;
  private constructor(code: number) {
    this.code = code;
    this.str = String.fromCharCode(code);
  }
  toString(): string {
    return this.str;
  }
  private static readonly table: (CsChar | undefined)[] = [];
  static of(code: number): CsChar {
    code &= 0xffff;
    return (CsChar.table[code] ??= new CsChar(code));
  }
  static fromString(s: string): CsChar {
    return CsChar.of(s.charCodeAt(0));
  }
}

export const ch = CsChar.of;

const isCat = (re: RegExp) => (c: CsChar): boolean => re.test(c.str);

export const charIs = {
  digit: isCat(/\p{Nd}/u),
  letter: isCat(/\p{L}/u),
  letterOrDigit: isCat(/[\p{L}\p{Nd}]/u),
  whiteSpace: (c: CsChar): boolean => isWhiteSpace(c.code),
  upper: isCat(/\p{Lu}/u),
  lower: isCat(/\p{Ll}/u),
  punctuation: isCat(/\p{P}/u),
  symbol: isCat(/\p{S}/u),
  control: isCat(/\p{Cc}/u),
  number: isCat(/\p{N}/u),
  separator: isCat(/\p{Z}/u),
  surrogate: (c: CsChar): boolean => c.code >= 0xd800 && c.code <= 0xdfff,
  highSurrogate: (c: CsChar): boolean => c.code >= 0xd800 && c.code <= 0xdbff,
  lowSurrogate: (c: CsChar): boolean => c.code >= 0xdc00 && c.code <= 0xdfff,
};

/** Char.IsWhiteSpace: Unicode Zs/Zl/Zp plus U+0009..U+000D, U+0085, U+00A0. */
export function isWhiteSpace(code: number): boolean {
  return (
    code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0x85 || code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000
  );
}

/** Simple (one-to-one) case mapping, as .NET's invariant ToUpper/ToLower do. */
export function upperChar(code: number): number {
  const s = String.fromCharCode(code);
  const u = s.toUpperCase();
  return u.length === 1 ? u.charCodeAt(0) : code;
}
export function lowerChar(code: number): number {
  const s = String.fromCharCode(code);
  const l = s.toLowerCase();
  return l.length === 1 ? l.charCodeAt(0) : code;
}

const ASCII = /^[\x00-\x7f]*$/;
export function toUpperInvariant(s: string): string {
  if (ASCII.test(s)) return s.toUpperCase();
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(upperChar(s.charCodeAt(i)));
  return out;
}
export function toLowerInvariant(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase();
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(lowerChar(s.charCodeAt(i)));
  return out;
}
