import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HybridbankError } from '../core/errors.js';

/** One HTTP exchange with OBP, reduced to what the client reads. */
export interface ObpRequest {
  method: 'GET' | 'POST';
  /** from the server root, e.g. /obp/v5.1.0/banks */
  path: string;
  headers: Record<string, string>;
  signal: AbortSignal;
}

export interface ObpResponse {
  status: number;
  /** the body text exactly as received, so a recording replays byte-for-byte */
  body: string;
  receivedAt: Date;
  header(name: string): string | undefined;
}

/**
 * Where responses come from: the network (live) or a snapshot file (replay). Everything above
 * this interface — retries, DirectLogin, shapes, extraction — is the same code in both modes.
 */
export interface Transport {
  send(request: ObpRequest): Promise<ObpResponse>;
}

/**
 * HTTP(S) with node's own client, not fetch: fetch parses the URL by the WHATWG rules, which
 * resolve a path segment `.`, `..` or even `%2e%2e` away, so an id `..` would call another
 * endpoint. Here the path goes on the wire exactly as built (see pathSegment). A body larger than
 * `maxBytes` is refused while it arrives, before it can exhaust memory.
 */
export function httpTransport(baseUrl: string, options: { maxBytes: number }): Transport {
  const base = new URL(baseUrl);
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  const prefix = base.pathname.replace(/\/+$/, '');
  return {
    send({ method, path, headers, signal }) {
      return new Promise<ObpResponse>((resolve, reject) => {
        const request = send(
          { protocol: base.protocol, hostname: base.hostname, port: base.port || undefined, method, path: prefix + path, headers: { Accept: 'application/json', ...headers }, signal },
          (response) => {
            const tooLarge = () => {
              response.destroy();
              reject(
                new HybridbankError('OBP_HTTP', `OBP's answer to ${endpointOf(method, path)} is larger than ${formatBytes(options.maxBytes)}; it was refused before it could exhaust memory.`, {
                  hint: 'Ask for fewer banks (--banks, --bank-id), or raise OBP_MAX_RESPONSE_MB if this server really sends answers that large.',
                }),
              );
            };
            if (Number(response.headers['content-length'] ?? 0) > options.maxBytes) return tooLarge();
            const chunks: Buffer[] = [];
            let size = 0;
            response.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size > options.maxBytes) return tooLarge();
              chunks.push(chunk);
            });
            response.on('error', reject);
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
                receivedAt: new Date(),
                header: (name) => {
                  const value = response.headers[name.toLowerCase()];
                  return Array.isArray(value) ? value.join(', ') : value;
                },
              }),
            );
          },
        );
        request.on('error', reject);
        request.end();
      });
    },
  };
}

/**
 * One id as one path segment: percent-encoded, dots included, so `.` and `..` reach OBP literally
 * instead of being resolved as "this" and "parent" directory.
 */
export function pathSegment(id: string): string {
  return encodeURIComponent(id).replace(/\./g, '%2E');
}

function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${Math.round(bytes / (1 << 20))} MB` : `${bytes} bytes`;
}

/** `GET /obp/v5.1.0/banks`: how requests are named in messages and keyed in snapshots. */
export function endpointOf(method: ObpRequest['method'], path: string): string {
  return `${method} ${path}`;
}
