// Translates .NET regular expressions to JavaScript ones where the meaning is the same, and
// rejects what cannot be mapped faithfully (atomic groups, balancing groups, conditionals, class
// subtraction, right-to-left) or could backtrack catastrophically (nested unbounded quantifiers).

import { setFlagsFromString } from 'node:v8';
import { DotNetException } from '../errors.ts';

// Regular expressions that backtrack excessively switch to V8's linear-time engine, so a hostile
// pattern and input cannot hang the gateway (patterns this engine cannot run are still bounded by
// the nested-quantifier check below and the input size limit).
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

export interface TranslatedRegex {
  re: RegExp;
  /** For inputs ending in "\n": .NET's `$` also matches before a final newline. */
  reFinalNewline: RegExp;
  groupNames: string[];
}

const END = '\u0000END\u0000';

const unsupported = (what: string): DotNetException =>
  new DotNetException('NotSupportedException', `Regular expression ${what} is not supported in policy expressions.`);

export function translateRegex(pattern: string, options: number): TranslatedRegex {
  if (options & 64) throw unsupported('option RightToLeft');
  let flags = '';
  if (options & 1) flags += 'i';
  if (options & 2) flags += 'm';
  if (options & 16) flags += 's';
  const explicitCapture = (options & 4) !== 0;
  const ignoreWs = (options & 32) !== 0;
  let p = pattern;
  // leading inline options (?imsx)
  const lead = /^\(\?([imnsx]+)\)/.exec(p);
  if (lead) {
    for (const c of lead[1]) {
      if ((c === 'i' || c === 'm' || c === 's') && !flags.includes(c)) flags += c;
    }
    p = p.slice(lead[0].length);
  }
  let out = '';
  const groupNames: string[] = [];
  // .NET classes are Unicode-aware (\d matches any decimal digit) unless RegexOptions.ECMAScript
  const ecma = (options & 256) !== 0;
  // Unicode mode only when the pattern needs it (\p{...}, astral characters): V8's linear-time
  // fallback, which stops catastrophic backtracking, supports neither the u nor the i flag
  const unicode = !ecma && (/\\[pP]\{/.test(p) || /[\uD800-\uDFFF]/.test(p));
  // IgnoreCase on an ASCII pattern is written out as [aA] classes instead of the i flag
  const foldCase = flags.includes('i') && !unicode && /^[\x00-\x7f]*$/.test(p);
  if (foldCase) flags = flags.replace('i', '');
  // group stack for the backtracking check: does the group contain an unbounded quantifier?
  const stack: { unbounded: boolean; alternation?: boolean }[] = [{ unbounded: false }];
  let lastAtomWasGroup: { unbounded: boolean; alternation?: boolean } | null = null;
  let quantifiedAlternation = false;
  const multiline = flags.includes('m');
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (ignoreWs && /\s/.test(c)) continue;
    if (ignoreWs && c === '#') {
      while (i < p.length && p[i] !== '\n') i++;
      continue;
    }
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) throw new DotNetException('ArgumentException', `Invalid pattern '${pattern}' at offset ${i + 1}. Illegal \\ at end of pattern.`);
      i++;
      lastAtomWasGroup = null;
      if (n === 'A') out += multiline ? '(?<![\\s\\S])' : '^';
      else if (n === 'z') out += multiline ? '(?![\\s\\S])' : '$';
      else if (n === 'Z') out += multiline ? '(?=\\n?(?![\\s\\S]))' : END;
      else if (n === 'G') throw unsupported('anchor \\G');
      else if (n === 'k' && p[i + 1] === "'") {
        const close = p.indexOf("'", i + 2);
        out += `\\k<${p.slice(i + 2, close)}>`;
        i = close;
      } else out += ecma ? '\\' + n : translateEscape(n, false, unicode);
      continue;
    }
    if (c === '[') {
      // copy the class, rejecting subtraction
      let j = i + 1;
      let cls = '[';
      if (p[j] === '^') {
        cls += '^';
        j++;
      }
      if (p[j] === ']') {
        cls += '\\]';
        j++;
      }
      for (; j < p.length && p[j] !== ']'; j++) {
        if (p[j] === '\\') {
          const n = p[j + 1] ?? '';
          if (!ecma && (n === 'D' || n === 'W' || n === 'S')) throw unsupported(`\\${n} inside a character class`);
          cls += ecma ? '\\' + n : translateEscape(n, true, unicode);
          j++;
          continue;
        }
        if (p[j] === '-' && p[j + 1] === '[') throw unsupported('character class subtraction');
        if (!ecma && '[{}()/|'.includes(p[j])) cls += '\\' + p[j];
        else if (p[j] === '[') cls += '\\[';
        else if (foldCase && /[A-Za-z]/.test(p[j])) {
          if (p[j + 1] === '-' && /[A-Za-z]/.test(p[j + 2] ?? '') && (p[j] <= 'Z') === (p[j + 2] <= 'Z')) {
            const a = p[j];
            const b = p[j + 2];
            cls += `${a}-${b}${swapCase(a)}-${swapCase(b)}`;
            j += 2;
          } else cls += p[j] + swapCase(p[j]);
        } else cls += p[j];
      }
      if (j >= p.length) throw new DotNetException('ArgumentException', `Invalid pattern '${pattern}' at offset ${p.length}. Unterminated [] set.`);
      out += cls + ']';
      i = j;
      lastAtomWasGroup = null;
      continue;
    }
    if (c === '(') {
      if (p[i + 1] === '?') {
        const rest = p.slice(i + 2);
        if (rest.startsWith('#')) {
          const close = p.indexOf(')', i);
          i = close;
          continue;
        }
        if (rest.startsWith('>')) throw unsupported('atomic group (?>...)');
        if (rest.startsWith('(')) throw unsupported('conditional (?(...)...)');
        let m = /^<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest) ?? /^'([A-Za-z_][A-Za-z0-9_]*)'/.exec(rest) ?? /^P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
        if (m) {
          groupNames.push(m[1]);
          out += `(?<${m[1]}>`;
          i += 1 + m[0].length;
          stack.push({ unbounded: false });
          continue;
        }
        if (/^<[A-Za-z0-9_]*-/.test(rest) || /^'[A-Za-z0-9_]*-/.test(rest)) throw unsupported('balancing group');
        if (/^<\d+>/.test(rest)) throw unsupported('numbered named group');
        m = /^([imnsx-]+)\)/.exec(rest);
        if (m) throw unsupported('inline option change in the middle of a pattern');
        m = /^([imsx-]+):/.exec(rest);
        if (m) {
          out += `(?${m[1].replace(/[nx]/g, '')}:`;
          i += 1 + m[0].length;
          stack.push({ unbounded: false });
          continue;
        }
        // (?: (?= (?! (?<= (?<!
        const look = /^(:|=|!|<=|<!)/.exec(rest);
        if (!look) throw new DotNetException('ArgumentException', `Invalid pattern '${pattern}' at offset ${i + 2}. Unrecognized grouping construct.`);
        out += '(?' + look[1];
        i += 1 + look[1].length;
        stack.push({ unbounded: false });
        continue;
      }
      out += explicitCapture ? '(?:' : '(';
      stack.push({ unbounded: false });
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1].alternation = true;
      lastAtomWasGroup = null;
      out += c;
      continue;
    }
    if (c === ')') {
      const g = stack.pop();
      if (!g || stack.length === 0) throw new DotNetException('ArgumentException', `Invalid pattern '${pattern}' at offset ${i + 1}. Too many )'s.`);
      if (g.unbounded) stack[stack.length - 1].unbounded = true;
      lastAtomWasGroup = g;
      out += ')';
      continue;
    }
    if (c === '*' || c === '+' || c === '{' || c === '?') {
      let unbounded = c === '*' || c === '+';
      let q = c;
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
        if (!m) {
          out += '\\{';
          lastAtomWasGroup = null;
          continue;
        }
        q = m[0];
        unbounded = m[2] !== undefined && (m[3] === '' || Number(m[3]) > 16);
        i += m[0].length - 1;
      }
      if (unbounded && lastAtomWasGroup?.unbounded)
        throw unsupported('with nested unbounded quantifiers (catastrophic backtracking)');
      if (unbounded && lastAtomWasGroup?.alternation) quantifiedAlternation = true;
      if (unbounded) stack[stack.length - 1].unbounded = true;
      out += q;
      if (p[i + 1] === '?') {
        out += '?';
        i++;
      } else if (p[i + 1] === '+') throw unsupported('possessive quantifier');
      lastAtomWasGroup = null;
      continue;
    }
    if (c === '$') {
      out += multiline ? '$' : END;
      lastAtomWasGroup = null;
      continue;
    }
    lastAtomWasGroup = null;
    // lone brackets are literals in .NET but errors in Unicode-mode JavaScript
    if (foldCase && /[A-Za-z]/.test(c)) out += `[${c}${swapCase(c)}]`;
    else out += unicode && (c === '}' || c === ']') ? '\\' + c : c;
  }
  if (stack.length !== 1) throw new DotNetException('ArgumentException', `Invalid pattern '${pattern}' at offset ${p.length}. Not enough )'s.`);
  if (unicode) flags += 'u';
  // V8's linear-time fallback cannot run lookarounds, backreferences, the u or the i flag: with
  // those, a quantified alternation could backtrack exponentially, so it is refused
  const noFallback = unicode || flags.includes('i') || /\(\?<?[=!]|\\[1-9]|\\k</.test(out) || out.includes('(?<!') ;
  if (quantifiedAlternation && noFallback) throw unsupported('with a quantified alternation combined with lookarounds, backreferences or Unicode categories (catastrophic backtracking)');
  try {
    const plain = out.split(END).join('$');
    const nl = out.split(END).join('(?=\\n?(?![\\s\\S]))');
    return { re: new RegExp(plain, flags), reFinalNewline: new RegExp(nl, flags), groupNames };
  } catch (e) {
    throw new DotNetException('ArgumentException', `Invalid pattern '${pattern}'. ${(e as Error).message}`);
  }
}

let digitClass: string | undefined;
let wordClass: string | undefined;
/** A character-class body for the BMP characters matching `re` (computed once). */
function bmpClass(re: RegExp): string {
  const parts: string[] = [];
  const hex = (c: number): string => '\\u' + c.toString(16).padStart(4, '0');
  let startCp = -1;
  for (let c = 0; c <= 0x10000; c++) {
    const m = c < 0x10000 && !(c >= 0xd800 && c <= 0xdfff) && re.test(String.fromCharCode(c));
    if (m && startCp < 0) startCp = c;
    if (!m && startCp >= 0) {
      parts.push(startCp === c - 1 ? hex(startCp) : `${hex(startCp)}-${hex(c - 1)}`);
      startCp = -1;
    }
  }
  return parts.join('');
}
const DIGITS = (): string => (digitClass ??= bmpClass(/\p{Nd}/u));
const WORDS = (): string => (wordClass ??= bmpClass(/[\p{L}\p{Mn}\p{Nd}\p{Pc}]/u));

function swapCase(c: string): string {
  const u = c.toUpperCase();
  return u === c ? c.toLowerCase() : u;
}

/**
 * A .NET escape in JavaScript: \d and \w match Unicode digits and word characters as in .NET;
 * identity escapes are made legal. (\b keeps JavaScript's ASCII word boundary.)
 */
function translateEscape(n: string, inClass: boolean, unicode: boolean): string {
  void unicode;
  switch (n) {
    case 'd':
      return inClass ? DIGITS() : `[${DIGITS()}]`;
    case 'D':
      return `[^${DIGITS()}]`;
    case 'w':
      return inClass ? WORDS() : `[${WORDS()}]`;
    case 'W':
      return `[^${WORDS()}]`;
    case 'b':
      return inClass ? '\\x08' : '\\b';
    case 'B':
      return '\\B';
    case 'e':
      return '\\x1B';
    case 'a':
      return '\\x07';
    case 'p': case 'P': case 's': case 'S': case 'n': case 'r': case 't': case 'f': case 'v': case 'x': case 'u': case 'c': case 'k': case '0':
      return '\\' + n;
    default:
      if (/[1-9]/.test(n)) return '\\' + n;
      if (/[A-Za-z]/.test(n)) throw new DotNetException('ArgumentException', `Unrecognized escape sequence \\${n}.`);
      // identity escapes: syntax characters stay escaped, anything else is written as itself
      if ('^$\\.*+?()[]{}|/'.includes(n) || (n === '-' && inClass)) return '\\' + n;
      return n;
  }
}
