import type { FolderTemplate } from '../config/accounts.js';
import { cleanName, type CharacterSet } from './names.js';

/** Pure: the folder segments of one account, from the template (`{alias}` falls back to the id when there is none). */
export function renderAccountFolder(template: FolderTemplate, account: { readonly id: string; readonly alias?: string }, charset: CharacterSet): string[] {
  return template
    .map((segment) => cleanName(segment.replaceAll('{alias}', account.alias ?? account.id).replaceAll('{id}', account.id), charset))
    .filter((segment) => segment !== '');
}
