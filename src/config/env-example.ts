import { SETTINGS, type Setting } from './settings.js';

/**
 * `.env.example`, rendered from the settings table so the two can never disagree (a test compares
 * them; `npm run env-example` rewrites the file): every setting with its description, its flag and
 * its default, or an example where it has none.
 */
const HEADER = [
  '# Every setting hybridbank reads, with its default (or an example where it has none).',
  '# Copy to .env and uncomment what you change.',
  '# Precedence: command-line flag > environment > .env. `npx hybridbank <command> --help` shows the flags.',
];

function shownValue(setting: Setting): string {
  const parsed = setting.schema.safeParse(undefined);
  const fallback = parsed.success ? parsed.data : undefined;
  if (fallback === undefined || (Array.isArray(fallback) && fallback.length === 0)) return setting.example;
  return Array.isArray(fallback) ? fallback.join(',') : String(fallback);
}

function entry(setting: Setting): string {
  const flag = setting.flag ? ` (flag ${setting.flag})` : '';
  const secrecy = !setting.secret ? '' : setting.env === 'DATABASE_URL' ? ' — its password is never logged' : ' — secret: never logged';
  return `# ${setting.description}${flag}${secrecy}\n# ${setting.env}=${shownValue(setting)}\n`;
}

export function renderEnvExample(settings: Record<string, Setting> = SETTINGS): string {
  return `${HEADER.join('\n')}\n\n${Object.values(settings).map(entry).join('\n')}`;
}
