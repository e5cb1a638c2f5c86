import { Option, type Command } from 'commander';
import { SETTINGS, type SettingKey } from '../config/settings.js';

/** Adds the given settings as flags of a command, described from the settings table. */
export function addSettingOptions(command: Command, keys: readonly SettingKey[]): Command {
  for (const key of keys) {
    const setting = SETTINGS[key];
    if (!('flag' in setting)) throw new Error(`setting ${key} has no flag`);
    const spec = 'arg' in setting ? `${setting.flag} ${setting.arg}` : setting.flag;
    const option = new Option(spec, `${setting.description} [env ${setting.env}]`);
    if ('repeatable' in setting) option.argParser((value: string, previous: string[] = []) => [...previous, value]);
    command.addOption(option);
  }
  return command;
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
