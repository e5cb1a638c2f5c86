// `npm run env-example`: rewrites .env.example from the settings table.
import { writeFileSync } from 'node:fs';
import { renderEnvExample } from './env-example.js';

writeFileSync(new URL('../../.env.example', import.meta.url), renderEnvExample());
