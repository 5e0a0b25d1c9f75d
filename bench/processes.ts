// Child processes the harness owns: started pinned to a core with taskset (which execs the
// command, so the child's PID is the measured process itself), stopped by that PID only.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ChildOptions {
  name: string;
  tasksetPath: string;
  /** Core (or taskset list of cores, `0,1`) to pin to; undefined inherits the harness's core. */
  cpu: number | string | undefined;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface OwnedChild {
  name: string;
  pid: number;
  /** Calls `listener` with each complete line the child prints on stdout. */
  onLine(listener: (line: string) => void): () => void;
  /** Everything the child printed so far (stdout and stderr, bounded), for error messages. */
  output(): string;
  exited(): boolean;
  /**
   * Stops the child from running (SIGSTOP) until `resume()`: a process that must stay up but
   * is not measured takes no CPU time from the one that is. `stop()` resumes it first.
   */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const maxKeptOutput = 64 * 1024;

/** Children started and not yet exited, so that an interrupted run can stop exactly those. */
const running = new Set<OwnedChild>();

/** Stops every child this process started that is still running. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop().catch(() => {})));
}

/**
 * An error message about a child: its name, what happened and the last line it printed on the
 * first line (what a table shows), then the last lines of its output.
 */
export function childError(child: OwnedChild, what: string, lines = 12): Error {
  const tail = child.output().trimEnd().split('\n').filter((line) => line.trim() !== '').slice(-lines);
  const last = tail.at(-1)?.trim() ?? '(no output)';
  return new Error(`${child.name} ${what}: ${last}\n${tail.join('\n')}`);
}

export function startChild(options: ChildOptions): OwnedChild {
  const command = options.cpu === undefined ? options.command : options.tasksetPath;
  const args = options.cpu === undefined
    ? [...options.args]
    : ['-c', String(options.cpu), options.command, ...options.args];
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  const pid = child.pid;
  let kept = '';
  let partial = '';
  let exitedFlag = false;
  let paused = false;
  const listeners = new Set<(line: string) => void>();
  const keep = (text: string) => {
    kept += text;
    if (kept.length > maxKeptOutput) kept = kept.slice(-maxKeptOutput);
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    keep(chunk);
    partial += chunk;
    let newline: number;
    while ((newline = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, newline);
      partial = partial.slice(newline + 1);
      for (const listener of listeners) listener(line);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exit = new Promise<void>((resolve) => {
    child.on('exit', () => {
      exitedFlag = true;
      resolve();
    });
  });
  child.on('error', (error) => keep(`\n[spawn error] ${error.message}\n`));
  const owned: OwnedChild = {
    name: options.name,
    pid,
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    output: () => kept,
    exited: () => exitedFlag,
    pause() {
      if (exitedFlag || paused) return;
      process.kill(pid, 'SIGSTOP');
      paused = true;
    },
    resume() {
      if (exitedFlag || !paused) return;
      process.kill(pid, 'SIGCONT');
      paused = false;
    },
    async stop() {
      if (exitedFlag) return;
      owned.resume();
      process.kill(pid, 'SIGTERM');
      const stopped = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
      if (!stopped && !exitedFlag) {
        process.kill(pid, 'SIGKILL');
        await exit;
      }
    },
  };
  running.add(owned);
  void exit.then(() => running.delete(owned));
  return owned;
}

/**
 * Sends `signal` to `child` and resolves with the first line it then prints that `parse` accepts
 * (how the probes preloaded into Node processes answer); undefined when none comes within
 * `timeoutMs`.
 */
export function signalForLine<T>(child: OwnedChild, signal: NodeJS.Signals, parse: (line: string) => T | undefined, timeoutMs: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(undefined);
    }, timeoutMs);
    const unsubscribe = child.onLine((line) => {
      const value = parse(line);
      if (value === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
    try {
      process.kill(child.pid, signal);
    } catch {
      clearTimeout(timer);
      unsubscribe();
      resolve(undefined);
    }
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return listenAndRelease(0);
}

/** `port` when it is free on 127.0.0.1, else any free port. */
export function preferredPort(port: number): Promise<number> {
  return listenAndRelease(port).catch(() => freePort());
}

function listenAndRelease(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until the child accepts TCP connections on `port`, or fails if it exits or times out. */
export async function waitForPort(child: OwnedChild, port: number, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited()) throw childError(child, 'exited before listening');
    if (await tryConnect(port)) return;
    await sleep(50);
  }
  throw childError(child, `did not listen on ${port} within ${timeoutMs} ms`);
}
