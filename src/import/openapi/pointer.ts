/**
 * JSON pointers (RFC 6901) and the `#/…` fragments of `$ref`s that carry them.
 */

export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `['paths', '/pets', 'get']` → `/paths/~1pets/get`. */
export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => '/' + escapeToken(String(t))).join('');
}

/** The `$ref` value for a pointer inside the same document: `#/components/schemas/Pet`. */
export function toRef(tokens: readonly string[]): string {
  return '#' + tokens.map((t) => '/' + encodeURIComponent(escapeToken(t)).replace(/%24/g, '$')).join('');
}

/** Tokens of an internal `$ref` (`#/a/b~1c` → `['a', 'b/c']`), or undefined for an external one. */
export function refTokens(ref: string): string[] | undefined {
  if (!ref.startsWith('#')) return undefined;
  const fragment = ref.slice(1);
  if (fragment === '' || fragment === '/') return fragment === '' ? [] : [''];
  if (!fragment.startsWith('/')) return undefined;
  return fragment
    .slice(1)
    .split('/')
    .map((t) => {
      let decoded = t;
      if (t.includes('%')) {
        try {
          decoded = decodeURIComponent(t);
        } catch {
          decoded = t;
        }
      }
      return unescapeToken(decoded);
    });
}

const missing: unique symbol = Symbol('missing');

/** The value at `tokens` in `root`, or the `missing` marker. */
export function getAt(root: unknown, tokens: readonly string[]): unknown | typeof missing {
  let node: unknown = root;
  for (const token of tokens) {
    if (node === null || typeof node !== 'object') return missing;
    if (Array.isArray(node)) {
      const index = Number(token);
      if (!Number.isInteger(index) || index < 0 || index >= node.length) return missing;
      node = node[index];
    } else {
      if (!Object.hasOwn(node, token)) return missing;
      node = (node as Record<string, unknown>)[token];
    }
  }
  return node;
}

export function isMissing(value: unknown): value is typeof missing {
  return value === missing;
}
