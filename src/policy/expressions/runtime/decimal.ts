// System.Decimal: a 96-bit integer mantissa with a decimal scale of 0..28, kept exactly as .NET
// keeps it (1.50m stays "1.50"), with banker's rounding where .NET rounds.

import { DotNetException, divideByZero, formatError, overflow } from '../errors.ts';

const MAX_MANT = (1n << 96n) - 1n;
const POW10: bigint[] = [1n];
for (let i = 1; i <= 60; i++) POW10.push(POW10[i - 1] * 10n);
export const pow10 = (n: number): bigint => POW10[n] ?? 10n ** BigInt(n);

const decimalOverflow = (): DotNetException => overflow('Value was either too large or too small for a Decimal.');

/** Divides by 10^n rounding half to even. */
function divRoundEven(m: bigint, n: number): bigint {
  if (n <= 0) return m;
  const d = pow10(n);
  let q = m / d;
  const r = m % d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice > d || (twice === d && (q & 1n) !== 0n)) q += m < 0n ? -1n : 1n;
  return q;
}

function divRoundAway(m: bigint, n: number): bigint {
  if (n <= 0) return m;
  const d = pow10(n);
  let q = m / d;
  const r = m % d;
  if ((r < 0n ? -r : r) * 2n >= d) q += m < 0n ? -1n : 1n;
  return q;
}

export class Decimal {
  readonly m: bigint;
  readonly s: number;

  constructor(m: bigint, s: number) {
    this.m = m;
    this.s = s;
  }

  static readonly Zero = new Decimal(0n, 0);
  static readonly One = new Decimal(1n, 0);
  static readonly MinusOne = new Decimal(-1n, 0);
  static readonly MaxValue = new Decimal(MAX_MANT, 0);
  static readonly MinValue = new Decimal(-MAX_MANT, 0);

  /** Brings a result into range: scale ≤ 28 and |m| < 2^96, rounding half to even. */
  static normalize(m: bigint, s: number): Decimal {
    if (s > 28) {
      m = divRoundEven(m, s - 28);
      s = 28;
    }
    while ((m > MAX_MANT || m < -MAX_MANT) && s > 0) {
      m = divRoundEven(m, 1);
      s--;
    }
    if (m > MAX_MANT || m < -MAX_MANT) throw decimalOverflow();
    return new Decimal(m, s);
  }

  static fromInt(n: number | bigint): Decimal {
    return new Decimal(BigInt(n), 0);
  }

  /** (decimal)double: rounds to 15 significant digits, as .NET does. */
  static fromDouble(x: number): Decimal {
    if (!Number.isFinite(x) || Math.abs(x) >= 7.922816251426434e28) throw decimalOverflow();
    if (x === 0) return Decimal.Zero;
    const str = x.toPrecision(15);
    const d = Decimal.parseInvariant(str.includes('e') ? expandExponent(str) : str, true);
    return d.stripTrailingZeros();
  }

  static fromFloat(x: number): Decimal {
    if (!Number.isFinite(x) || Math.abs(x) >= 7.922816251426434e28) throw decimalOverflow();
    if (x === 0) return Decimal.Zero;
    return Decimal.parseInvariant(expandExponent(x.toPrecision(7)), true).stripTrailingZeros();
  }

  stripTrailingZeros(): Decimal {
    let m = this.m;
    let s = this.s;
    while (s > 0 && m % 10n === 0n) {
      m /= 10n;
      s--;
    }
    return new Decimal(m, s);
  }

  /** Parses `[-]digits[.digits]` (and, when allowed, an exponent); throws FormatException. */
  static parseInvariant(text: string, allowExponent = false): Decimal {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m || (m[2] === '' && (m[3] ?? '') === '') || (m[4] !== undefined && !allowExponent)) throw formatError();
    let digits = (m[2] ?? '') + (m[3] ?? '');
    let scale = (m[3] ?? '').length;
    if (m[4]) scale -= Number(m[4]);
    if (scale < 0) {
      digits += '0'.repeat(-scale);
      scale = 0;
    }
    let mant = BigInt(digits || '0');
    if (m[1] === '-') mant = -mant;
    // too many fractional digits: round to 28
    if (scale > 28) {
      mant = divRoundEven(mant, scale - 28);
      scale = 28;
    }
    return Decimal.normalize(mant, scale);
  }

  toNumber(): number {
    return Number.parseFloat(this.toString());
  }

  /** Truncates toward zero to an integer bigint. */
  truncBig(): bigint {
    return this.m / pow10(this.s);
  }

  isZero(): boolean {
    return this.m === 0n;
  }

  sign(): number {
    return this.m > 0n ? 1 : this.m < 0n ? -1 : 0;
  }

  private static align(a: Decimal, b: Decimal): [bigint, bigint, number] {
    if (a.s === b.s) return [a.m, b.m, a.s];
    if (a.s > b.s) return [a.m, b.m * pow10(a.s - b.s), a.s];
    return [a.m * pow10(b.s - a.s), b.m, b.s];
  }

  add(b: Decimal): Decimal {
    const [x, y, s] = Decimal.align(this, b);
    return Decimal.normalize(x + y, s);
  }
  sub(b: Decimal): Decimal {
    const [x, y, s] = Decimal.align(this, b);
    return Decimal.normalize(x - y, s);
  }
  mul(b: Decimal): Decimal {
    return Decimal.normalize(this.m * b.m, this.s + b.s);
  }
  div(b: Decimal): Decimal {
    if (b.m === 0n) throw divideByZero();
    if (this.m === 0n) return Decimal.Zero;
    // exact results keep the smallest scale at or above the natural one (4.0m / 2m = 2.0)
    const natural = Math.max(0, this.s - b.s);
    for (let sc = natural; sc <= 28; sc++) {
      const e = sc + b.s - this.s;
      const num = e >= 0 ? this.m * pow10(e) : this.m;
      const den = e >= 0 ? b.m : b.m * pow10(-e);
      if (num % den === 0n) {
        const q = num / den;
        if (q <= MAX_MANT && q >= -MAX_MANT) return new Decimal(q, sc);
        break;
      }
    }
    // inexact: the most precision that fits in 96 bits, rounded half to even
    for (let sc = 28; sc >= 0; sc--) {
      const e = sc + b.s - this.s;
      const num = e >= 0 ? this.m * pow10(e) : this.m;
      const den = e >= 0 ? b.m : b.m * pow10(-e);
      let q = num / den;
      const r = num % den;
      const twice = (r < 0n ? -r : r) * 2n;
      const ad = den < 0n ? -den : den;
      if (twice > ad || (twice === ad && (q & 1n) !== 0n)) q += (num < 0n) !== (den < 0n) ? -1n : 1n;
      if (q <= MAX_MANT && q >= -MAX_MANT) return new Decimal(q, sc);
    }
    throw decimalOverflow();
  }
  mod(b: Decimal): Decimal {
    if (b.m === 0n) throw divideByZero();
    const [x, y, s] = Decimal.align(this, b);
    return Decimal.normalize(x % y, s);
  }
  neg(): Decimal {
    return new Decimal(-this.m, this.s);
  }
  abs(): Decimal {
    return this.m < 0n ? this.neg() : this;
  }
  cmp(b: Decimal): number {
    const [x, y] = Decimal.align(this, b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  eq(b: Decimal): boolean {
    return this.cmp(b) === 0;
  }

  round(decimals: number, mode: 'even' | 'away' | 'zero' | 'floor' | 'ceiling' = 'even'): Decimal {
    if (decimals < 0 || decimals > 28) throw new DotNetException('ArgumentOutOfRangeException', "Decimal can only round to between 0 and 28 digits of precision. (Parameter 'decimals')");
    if (this.s <= decimals) return this;
    const n = this.s - decimals;
    let m: bigint;
    const d = pow10(n);
    switch (mode) {
      case 'even':
        m = divRoundEven(this.m, n);
        break;
      case 'away':
        m = divRoundAway(this.m, n);
        break;
      case 'zero':
        m = this.m / d;
        break;
      case 'floor':
        m = this.m / d - (this.m < 0n && this.m % d !== 0n ? 1n : 0n);
        break;
      case 'ceiling':
        m = this.m / d + (this.m > 0n && this.m % d !== 0n ? 1n : 0n);
        break;
    }
    return new Decimal(m, decimals);
  }

  /** Exact digits with the scale kept, invariant culture: `-1.50`. */
  toString(): string {
    const neg = this.m < 0n;
    let d = (neg ? -this.m : this.m).toString();
    if (this.s > 0) {
      d = d.padStart(this.s + 1, '0');
      d = d.slice(0, d.length - this.s) + '.' + d.slice(d.length - this.s);
    }
    return (neg ? '-' : '') + d;
  }

  hash(): number {
    const s = this.stripTrailingZeros();
    return Number(BigInt.asIntN(32, s.m ^ BigInt(s.s)));
  }
}

function expandExponent(str: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(str);
  if (!m) return str;
  const digits = m[2] + (m[3] ?? '');
  const exp = Number(m[4]);
  const pointPos = 1 + exp;
  if (pointPos <= 0) return `${m[1]}0.${'0'.repeat(-pointPos)}${digits}`;
  if (pointPos >= digits.length) return m[1] + digits + '0'.repeat(pointPos - digits.length);
  return `${m[1]}${digits.slice(0, pointPos)}.${digits.slice(pointPos)}`;
}
