import { Option, type Command } from 'commander';
import { SETTINGS, type SettingKey } from '../config/settings.js';

/** Settings every command takes. */
const COMMON_KEYS = ['logLevel', 'logFormat'] as const satisfies readonly SettingKey[];

export function withCommonKeys(keys: readonly SettingKey[]): SettingKey[] {
  return [...new Set<SettingKey>([...keys, ...COMMON_KEYS])];
}

/** Adds the given settings (and the common ones) as flags of a command, described from the settings table. */
export function addSettingOptions(command: Command, keys: readonly SettingKey[]): Command {
  for (const key of withCommonKeys(keys)) {
    const setting = SETTINGS[key];
    if (!('flag' in setting)) throw new Error(`setting ${key} has no flag`);
    const spec = 'arg' in setting ? `${setting.flag} ${setting.arg}` : setting.flag;
    const fallback = defaultOf(key);
    const option = new Option(spec, `${setting.description} [env ${setting.env}${fallback === undefined ? '' : `, default ${fallback}`}]`);
    if ('repeatable' in setting) option.argParser((value: string, previous: string[] = []) => [...previous, value]);
    command.addOption(option);
  }
  return command;
}

/** The default a setting takes when neither flag, environment nor .env gives it, as help text. */
function defaultOf(key: SettingKey): string | undefined {
  const parsed = SETTINGS[key].schema.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return undefined;
  if (Array.isArray(parsed.data)) return parsed.data.length ? parsed.data.join(',') : undefined;
  return String(parsed.data);
}

/** commander's parsed options, keyed back to settings (commander camel-cases flags the same way). */
export function flagsOf(options: Record<string, unknown>, keys: readonly SettingKey[]): Partial<Record<SettingKey, unknown>> {
  const flags: Partial<Record<SettingKey, unknown>> = {};
  for (const key of keys) {
    const setting = SETTINGS[key];
    const attribute = new Option('flag' in setting ? setting.flag : '').attributeName();
    if (options[attribute] !== undefined) flags[key] = options[attribute];
  }
  return flags;
}
