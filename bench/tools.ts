// The three programs the harness needs and does not install itself.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Tools {
  nginx: string;
  wrk: string;
  taskset: string;
}

/** Debian package that brings each program. */
const packages: Record<keyof Tools, string> = { nginx: 'nginx', wrk: 'wrk', taskset: 'util-linux' };

/** Finds an executable on PATH, and in the sbin folders where Debian puts nginx. */
export function findExecutable(name: string, pathVariable = process.env.PATH ?? ''): string | undefined {
  const folders = [...pathVariable.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);
  for (const folder of folders) {
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export type ToolCheck = { ok: true; tools: Tools } | { ok: false; missing: Array<keyof Tools>; installLine: string };

export function aptInstallLine(missing: ReadonlyArray<keyof Tools>): string {
  return `apt-get install -y ${[...new Set(missing.map((name) => packages[name]))].join(' ')}`;
}

export function checkTools(find: (name: string) => string | undefined = findExecutable): ToolCheck {
  const names: Array<keyof Tools> = ['nginx', 'wrk', 'taskset'];
  const found: Partial<Tools> = {};
  const missing: Array<keyof Tools> = [];
  for (const name of names) {
    const path = find(name);
    if (path) found[name] = path;
    else missing.push(name);
  }
  if (missing.length > 0) return { ok: false, missing, installLine: aptInstallLine(missing) };
  return { ok: true, tools: found as Tools };
}
