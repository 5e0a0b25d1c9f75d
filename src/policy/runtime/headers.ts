/**
 * Operations on flat header lists (`[name, value, name, value…]`), the form the gateway keeps
 * request and response headers in. Names compare case-insensitively; the list is edited in place.
 */

/**
 * A test for one header name, case-insensitive. For an ASCII name, a header of another length
 * cannot match (only non-ASCII letters change length when lower-cased), so most names are told
 * apart without lower-casing them. Policies name the same few headers on every request, so the
 * tests are kept by name.
 */
function nameTest(name: string): (header: string) => boolean {
  let test = nameTests.get(name);
  if (test === undefined) {
    const lower = name.toLowerCase();
    test = /^[\x00-\x7f]*$/.test(name) ? (header) => header.length === lower.length && (header === lower || header.toLowerCase() === lower) : (header) => header.toLowerCase() === lower;
    // Names an expression computes could be endless: the memo starts again past a bound.
    if (nameTests.size >= MAX_NAME_TESTS) nameTests.clear();
    nameTests.set(name, test);
  }
  return test;
}

const nameTests = new Map<string, (header: string) => boolean>();
const MAX_NAME_TESTS = 1024;

export function getHeader(headers: readonly string[], name: string): string | undefined {
  const is = nameTest(name);
  for (let i = 0; i < headers.length; i += 2) if (is(headers[i])) return headers[i + 1];
  return undefined;
}

/** All values of a header, in order (each list entry as one value). */
export function getHeaderValues(headers: readonly string[], name: string): string[] {
  const is = nameTest(name);
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (is(headers[i])) out.push(headers[i + 1]);
  return out;
}

export function hasHeader(headers: readonly string[], name: string): boolean {
  return getHeader(headers, name) !== undefined;
}

export function removeHeader(headers: string[], name: string): void {
  const is = nameTest(name);
  let r = 0;
  while (r < headers.length && !is(headers[r])) r += 2;
  if (r >= headers.length) return;
  let w = r;
  for (r += 2; r < headers.length; r += 2) {
    if (is(headers[r])) continue;
    headers[w++] = headers[r];
    headers[w++] = headers[r + 1];
  }
  headers.length = w;
}

/** Replaces every value of the header with `value`, at the end of the list. */
export function setHeader(headers: string[], name: string, value: string): void {
  removeHeader(headers, name);
  headers.push(name, value);
}

export function appendHeader(headers: string[], name: string, value: string): void {
  headers.push(name, value);
}
