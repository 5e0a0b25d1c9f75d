/**
 * Azure's naming rules for imported resources.
 *
 * An operation's resource name is its `operationId` normalised, or, when there is none, the
 * HTTP method and URL template combined and normalised the same way: lower case, each run of
 * non-alphanumeric characters replaced by one dash, dashes trimmed from both ends, truncated to
 * 76 characters, leaving four for a de-duplication suffix `-1` … `-999`.
 */

export const MAX_BASE_NAME = 76;

export function normalizeName(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_BASE_NAME)
    .replace(/-+$/, '');
}

/** Hands out names unique within one import (`x`, then `x-1`, `x-2`, … `x-999`). */
export function createNameAllocator(): (base: string) => string | undefined {
  const used = new Set<string>();
  return (base) => {
    if (!used.has(base)) {
      used.add(base);
      return base;
    }
    for (let i = 1; i <= 999; i += 1) {
      const candidate = `${base}-${i}`;
      if (!used.has(candidate)) {
        used.add(candidate);
        return candidate;
      }
    }
    return undefined;
  };
}

/** `list-pets` → `ListPets`: the stem of names generated for inline schemas. */
export function pascalCase(value: string): string {
  return value
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/** `get` → `Get`, as Azure writes generated display names (`Get - /foo`). */
export function titleCaseMethod(method: string): string {
  const lower = method.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}
