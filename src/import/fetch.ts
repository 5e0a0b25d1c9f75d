import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent, fetch } from 'undici';
import { definitionError, DefinitionError } from './errors.ts';

/**
 * How definition links (`openapi-link`, `swagger-link-json`, …) and the files they reference
 * are fetched. A link names a URL chosen by whoever calls the management API, so by default
 * the importer refuses every address that is not public (loopback, private, link-local,
 * unique-local, multicast…), checked on the address actually connected to, for every redirect.
 */
export interface LinkFetchOptions {
  /** Per request, headers and body together. Default 15 000 ms. */
  readonly timeoutMs?: number;
  /** Bytes for the link and every file it references, together. Default 16 MiB. */
  readonly maxBytes?: number;
  /** Files fetched for one import (the link included). Default 64. */
  readonly maxFiles?: number;
  /** Redirects followed per file. Default 5. */
  readonly maxRedirects?: number;
  /**
   * When given, only these hosts are fetched from: `api.example.com`, `*.example.com` (any
   * subdomain), or with a port, `127.0.0.1:8080`. A listed host is trusted whatever address it
   * resolves to, so listing a loopback or private host is how a caller allows one.
   */
  readonly allowedHosts?: readonly string[];
  /** Allow non-public addresses for every host (hosts outside `allowedHosts` stay refused). Default false. */
  readonly allowPrivateNetworks?: boolean;
}

export interface FetchedFile {
  /** The URL the content came from, after redirects. */
  readonly url: string;
  readonly text: string;
  readonly contentType: string | undefined;
}

export interface LinkFetcher {
  fetchText(url: string): Promise<FetchedFile>;
  /** Bytes fetched so far. */
  readonly bytesRead: number;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_FILES = 64;
const DEFAULT_MAX_REDIRECTS = 5;

const nonPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv6');
}

/** True for loopback, private, link-local, shared, documentation, multicast and reserved addresses. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return nonPublic.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped !== null) return nonPublic.check(mapped[1], 'ipv4');
    return nonPublic.check(address, 'ipv6');
  }
  return true;
}

/** Splits an allow-list entry (`host`, `host:port`, `[v6]:port`, `*.domain`) into its parts. */
function parseHostEntry(entry: string): { host: string; port: string | undefined } {
  const text = entry.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed !== null) return { host: bracketed[1], port: bracketed[2] };
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = text.split(':');
    return { host, port };
  }
  return { host: text, port: undefined };
}

function hostMatches(entry: string, hostname: string, port: string): boolean {
  const parsed = parseHostEntry(entry);
  if (parsed.port !== undefined && parsed.port !== port) return false;
  if (parsed.host.startsWith('*.')) return hostname.endsWith(parsed.host.slice(1));
  return parsed.host === hostname;
}

function defaultPort(url: URL): string {
  return url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
}

/**
 * A fetcher for one import: it counts bytes and files across every request it makes, so a
 * definition that references many files cannot exceed the limits either.
 */
export function createLinkFetcher(options: LinkFetchOptions = {}): LinkFetcher {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const allowedHosts = options.allowedHosts;
  const allowPrivate = options.allowPrivateNetworks === true;
  let bytesRead = 0;
  let files = 0;

  const listedHostnames = (allowedHosts ?? []).map((entry) => parseHostEntry(entry).host);
  const isListed = (hostname: string): boolean =>
    listedHostnames.some((host) => (host.startsWith('*.') ? hostname.endsWith(host.slice(1)) : host === hostname));

  // Every connection goes through this lookup, so a name that resolves (or re-resolves) to a
  // non-public address is refused at connect time, not only when first checked.
  const guardedLookup = (
    hostname: string,
    lookupOptions: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
      if (err !== null) {
        callback(err, []);
        return;
      }
      const trusted = allowPrivate || isListed(hostname.toLowerCase());
      const refused = trusted ? undefined : addresses.find((a) => isNonPublicAddress(a.address));
      if (refused !== undefined) {
        const error = new Error(`${hostname} resolves to the non-public address ${refused.address}`) as NodeJS.ErrnoException;
        error.code = 'ATRIUM_LINK_FORBIDDEN';
        callback(error, []);
        return;
      }
      if (lookupOptions.all === true) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };

  const agent = new Agent({ connect: { lookup: guardedLookup as never }, connections: 4 });

  function checkUrl(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw definitionError('DEFINITION_LINK_FORBIDDEN', `Only http and https links are fetched, not ${url.protocol} (${url.href}).`);
    }
    const hostname = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (allowedHosts !== undefined) {
      if (!allowedHosts.some((entry) => hostMatches(entry, hostname, defaultPort(url)))) {
        throw definitionError('DEFINITION_LINK_FORBIDDEN', `The host ${url.host} is not in the allowed hosts for definition links.`);
      }
      return;
    }
    if (!allowPrivate && isIP(hostname) !== 0 && isNonPublicAddress(hostname)) {
      throw definitionError('DEFINITION_LINK_FORBIDDEN', `Definition links may not point to the non-public address ${url.host}.`);
    }
  }

  async function fetchOnce(url: URL, signal: AbortSignal) {
    try {
      return await fetch(url, { dispatcher: agent, redirect: 'manual', signal, headers: { accept: 'application/json, application/yaml, text/yaml, */*' } });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.code === 'ATRIUM_LINK_FORBIDDEN') {
        throw definitionError('DEFINITION_LINK_FORBIDDEN', `Definition link ${url.href} refused: ${cause.message}.`);
      }
      if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') {
        throw definitionError('DEFINITION_LINK_FAILED', `Fetching ${url.href} timed out after ${timeoutMs} ms.`);
      }
      throw definitionError('DEFINITION_LINK_FAILED', `Fetching ${url.href} failed: ${cause?.message ?? (err as Error).message}.`);
    }
  }

  async function readBody(response: Response, url: URL): Promise<string> {
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && bytesRead + declared > maxBytes) {
      await response.body?.cancel();
      throw definitionError('DEFINITION_TOO_LARGE', `${url.href} is ${declared} bytes; definition links may total at most ${maxBytes} bytes.`);
    }
    const chunks: Uint8Array[] = [];
    if (response.body !== null) {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        bytesRead += chunk.byteLength;
        if (bytesRead > maxBytes) {
          throw definitionError('DEFINITION_TOO_LARGE', `${url.href} exceeds the limit of ${maxBytes} bytes for a definition and the files it references.`);
        }
        chunks.push(chunk);
      }
    }
    return new TextDecoder('utf-8', { ignoreBOM: false }).decode(Buffer.concat(chunks));
  }

  async function fetchText(href: string): Promise<FetchedFile> {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      throw definitionError('DEFINITION_UNSUPPORTED_FORMAT', `Not an absolute URL: ${href}.`);
    }
    files += 1;
    if (files > maxFiles) {
      throw definitionError('DEFINITION_TOO_LARGE', `A definition link may reference at most ${maxFiles} files.`);
    }
    const signal = AbortSignal.timeout(timeoutMs);
    for (let hop = 0; ; hop += 1) {
      checkUrl(url);
      const response = await fetchOnce(url, signal);
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        await response.body?.cancel();
        if (hop >= maxRedirects) throw definitionError('DEFINITION_LINK_FAILED', `Too many redirects fetching ${href}.`);
        url = new URL(response.headers.get('location') as string, url);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw definitionError('DEFINITION_LINK_FAILED', `Fetching ${url.href} answered ${response.status}.`);
      }
      try {
        const text = await readBody(response as unknown as Response, url);
        return { url: url.href, text, contentType: response.headers.get('content-type') ?? undefined };
      } catch (err) {
        if (err instanceof DefinitionError) throw err;
        if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') {
          throw definitionError('DEFINITION_LINK_FAILED', `Fetching ${url.href} timed out after ${timeoutMs} ms.`);
        }
        throw definitionError('DEFINITION_LINK_FAILED', `Reading ${url.href} failed: ${(err as Error).message}.`);
      }
    }
  }

  return {
    fetchText,
    get bytesRead() {
      return bytesRead;
    },
    close: () => agent.close(),
  };
}
