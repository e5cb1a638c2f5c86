/**
 * Secret scrubbing for everything that leaves the process as text: log lines, error messages,
 * stored error text. Secrets are registered once (config at start-up, the OBP token when it
 * arrives); the registry is process-wide because a secret is a secret wherever it surfaces.
 */
const secrets = new Set<string>();

export const REDACTED = '[REDACTED]';

export function registerSecret(value: string | undefined): void {
  // Very short values would scrub ordinary words; none of our secrets is that short.
  if (value && value.length >= 4) secrets.add(value);
}

const PATTERNS: [RegExp, string][] = [
  // password inside a connection URL: scheme://user:password@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)[^@/?#\s]*@/gi, `$1${REDACTED}@`],
  // DirectLogin header values: token=..., password=..., consumer_key=...
  [/\b(token|password|consumer_key)\s*=\s*"?[^",\s]+"?/gi, `$1=${REDACTED}`],
];

export function redactText(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Deep copy of a JSON-like value with every string scrubbed. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}
