import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const SYSTEM_CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** The system's Chromium (or Chrome) on PATH, if any: `doctor` reports it, the report test prefers it. */
export function systemChromium(pathVariable = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVariable.split(path.delimiter).filter(Boolean)) {
    for (const name of SYSTEM_CHROMIUM) {
      const candidate = path.join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
