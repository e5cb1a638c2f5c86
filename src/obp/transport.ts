import fetch from 'node-fetch';

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

export function httpTransport(baseUrl: string): Transport {
  return {
    async send({ method, path, headers, signal }) {
      const response = await fetch(baseUrl + path, { method, headers: { Accept: 'application/json', ...headers }, signal });
      const body = await response.text();
      return { status: response.status, body, receivedAt: new Date(), header: (name) => response.headers.get(name) ?? undefined };
    },
  };
}

/** `GET /obp/v5.1.0/banks`: how requests are named in messages and keyed in snapshots. */
export function endpointOf(method: ObpRequest['method'], path: string): string {
  return `${method} ${path}`;
}
