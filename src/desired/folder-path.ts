import { cleanName, type CharacterSet } from './names.js';

/**
 * `Databases/MySQL` → `['Databases', 'MySQL']`: empty segments and surrounding spaces are ignored, and `.`/`..`
 * are dropped (folders are names, not a file system: `../x` must not escape the base path).
 */
export function parseFolderPath(text: string, charset: CharacterSet): string[] {
  return text
    .split('/')
    .map((segment) => cleanName(segment, charset))
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
