import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** Bytes held for a body nobody reads yet before the backend is paused. */
const PENDING_LIMIT = 64 * 1024;

/**
 * The body of a backend response, fed by undici's raw dispatch handler. To policies it is an
 * ordinary Readable (read, buffer, transform, destroy). The gateway's writer takes a direct path
 * instead (`sendTo`): the chunks go to the client as they arrive, with backpressure, and no
 * stream machinery runs at all — for a small response, the one chunk is written with the
 * response head. Which path a body takes is decided by whoever touches it first.
 *
 * Destroying a body that has not completed aborts the backend request, so its connection is not
 * left half-read in the pool.
 */
export class UpstreamBody extends Readable {
  #mode: 'waiting' | 'stream' | 'direct' = 'waiting';
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #complete = false;
  #failure: Error | undefined;
  #paused = false;
  #sink: ServerResponse | undefined;
  #resume: () => void;
  #abort: (reason: Error) => void;

  constructor(resume: () => void, abort: (reason: Error) => void) {
    super();
    this.#resume = resume;
    this.#abort = abort;
  }

  /** Whether the backend has sent the whole body. */
  get complete(): boolean {
    return this.#complete;
  }

  // --- fed by the dispatch handler ---------------------------------------------------------------

  /** A chunk from the backend; false pauses the backend until the reader catches up. */
  feed(chunk: Buffer): boolean {
    switch (this.#mode) {
      case 'waiting':
        this.#pending.push(chunk);
        this.#pendingBytes += chunk.length;
        if (this.#pendingBytes < PENDING_LIMIT) return true;
        break;
      case 'stream':
        if (this.push(chunk)) return true;
        break;
      case 'direct':
        if (this.#sink!.write(chunk)) return true;
        break;
    }
    this.#paused = true;
    return false;
  }

  /** The backend sent the whole body. */
  feedEnd(): void {
    this.#complete = true;
    if (this.#mode === 'stream') this.push(null);
    else if (this.#mode === 'direct') this.#sink!.end();
  }

  /** The backend exchange failed after the response head (a timeout, a reset). */
  feedError(error: Error): void {
    if (this.#complete) return;
    this.#failure = error;
    if (this.#mode === 'stream') this.destroy(error);
    else if (this.#mode === 'direct') this.#sink!.destroy(error);
  }

  // --- read by the gateway ---------------------------------------------------------------------

  /**
   * Writes the body to `res` (whose head is already written) and ends it; false when the body
   * is already being read as a stream, which the caller then pipes instead.
   */
  sendTo(res: ServerResponse): boolean {
    if (this.#mode !== 'waiting' || this.destroyed) return false;
    this.#mode = 'direct';
    this.#sink = res;
    if (this.#failure !== undefined) {
      res.destroy(this.#failure);
      return true;
    }
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#complete) {
      if (pending.length === 1) res.end(pending[0]);
      else {
        for (const chunk of pending) res.write(chunk);
        res.end();
      }
      return true;
    }
    for (const chunk of pending) res.write(chunk);
    // A client that leaves mid-body is the gateway's to notice: it abandons the backend call
    // through the request context (ctx.abortBackend), which stays set until the body is complete.
    res.on('drain', () => this.#unpause());
    this.#unpause();
    return true;
  }

  // --- Readable -------------------------------------------------------------------------------

  override _read(): void {
    if (this.#mode === 'waiting') {
      this.#mode = 'stream';
      const pending = this.#pending;
      this.#pending = [];
      this.#pendingBytes = 0;
      for (const chunk of pending) this.push(chunk);
      if (this.#failure !== undefined) return void this.destroy(this.#failure);
      if (this.#complete) return void this.push(null);
    }
    this.#unpause();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#pending = [];
    if (!this.#complete && this.#failure === undefined) this.#abort(error ?? new Error('the response body was discarded'));
    callback(error);
  }

  #unpause(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#resume();
  }
}
