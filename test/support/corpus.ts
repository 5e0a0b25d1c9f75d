import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The public Azure policy corpus (`shared/corpus/azure-policy-snippets`, next to the checkout)
 * as the tests read it: its folder, why a test skips without it, and its XML documents.
 */
export const policyCorpus = fileURLToPath(new URL('../../../shared/corpus/azure-policy-snippets/', import.meta.url));

export const policyCorpusMissing: string | false = existsSync(policyCorpus) ? false : 'the shared corpus is not next to this checkout';

/** The APIOps sample artifacts of the shared corpus (`shared/corpus/apiops-samples/SampleArtifacts`). */
export const apiopsArtifacts = fileURLToPath(new URL('../../../shared/corpus/apiops-samples/SampleArtifacts/', import.meta.url));

export const apiopsArtifactsMissing: string | false = existsSync(apiopsArtifacts) ? false : `the shared corpus is not at ${apiopsArtifacts}`;

/** Every `.xml` file below `dir`, in a stable order. */
export function xmlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...xmlFiles(path));
    else if (name.endsWith('.xml')) out.push(path);
  }
  return out;
}
