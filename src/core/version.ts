import { readFileSync } from 'node:fs';

/** hybridbank's own version, recorded with every load run. */
export const TOOL_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
