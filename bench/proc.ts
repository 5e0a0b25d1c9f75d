// Reading a process's CPU time and memory from /proc. CPU time is what the headline figure
// (gateway CPU microseconds per request) is made of: it counts every thread of the process
// (event loop, GC helpers, libuv pool) and is not disturbed by other processes on the machine
// the way throughput is.

import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface CpuTicks {
  utime: number;
  stime: number;
}

/**
 * Parses the text of `/proc/<pid>/stat`. The second field (the command name, in parentheses) may
 * itself contain spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseProcStat(text: string): CpuTicks {
  const end = text.lastIndexOf(')');
  if (end < 0) throw new Error('unexpected /proc/<pid>/stat format: no command name');
  // After ") " come field 3 (state) onwards; utime and stime are fields 14 and 15.
  const fields = text.slice(end + 2).trim().split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error('unexpected /proc/<pid>/stat format: utime/stime not numeric');
  }
  return { utime, stime };
}

/** Resident set size in kB from the text of `/proc/<pid>/status` (`VmRSS:`), or undefined. */
export function parseVmRssKb(text: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`, 100 on almost every Linux). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a process, in seconds. */
export function readCpuSeconds(pid: number): number {
  const { utime, stime } = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return (utime + stime) / clockTicksPerSecond();
}

export function readRssMb(pid: number): number | undefined {
  const kb = parseVmRssKb(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return kb === undefined ? undefined : kb / 1024;
}
