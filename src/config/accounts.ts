/**
 * Pure parsing of the multi-account settings: `AWS_DISCOVERY_ASSUME_ROLES` (which accounts) and
 * `AWS_DISCOVERY_ACCOUNT_FOLDER` (the folder each account's connections go in).
 */

/** One account the daemon reads: its own credentials' account (`self`), or one reached through an IAM role. */
export type AccountSpec =
  | { readonly kind: 'self' }
  | {
      readonly kind: 'role';
      readonly roleArn: string;
      /** From the ARN: no call is needed to know it. */
      readonly accountId: string;
      /** The external id itself lives in `Secrets.externalIds` (kept out of the logged configuration). */
      readonly hasExternalId: boolean;
    };

/** A folder template split into segments: `AWS/{alias}` → `['AWS', '{alias}']`. */
export type FolderTemplate = readonly string[];

const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::(\d{12}):role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** Whitespace, or a comma that starts the next entry (`self`, `arn:`): external ids may contain commas themselves. */
const ENTRY_SEPARATOR = /\s+|,(?=\s*(?:self(?=[\s,]|$)|arn:|,|$))/i;
const PLACEHOLDER = /\{([^{}]*)\}/g;
const ACCOUNT_FOLDER_PLACEHOLDERS = ['alias', 'id'] as const;
export const DEFAULT_ACCOUNT_FOLDER = '{alias}';
const NAME_LIMIT = 128;

/**
 * `self, arn:aws:iam::222222222222:role/Discovery|ext-id` (commas or whitespace between entries). Problems name an
 * entry by its position and never quote it: any entry may be a piece of an external id (one written with a space, or
 * split off at a comma before `arn:`), and an external id is the shared secret of a third-party trust.
 */
export function parseAssumeRoles(
  name: string,
  value: string,
): { accounts: AccountSpec[]; externalIds: Record<string, string> } | { problems: string[] } {
  const problems: string[] = [];
  const accounts: AccountSpec[] = [];
  const externalIds: Record<string, string> = {};
  const seen = new Map<string, number>(); // account id (or "self") → the position of the entry that named it
  for (const [index, entry] of value.split(ENTRY_SEPARATOR).filter((e) => e !== '').entries()) {
    const where = `${name}: entry ${index + 1}`;
    if (entry.toLowerCase() === 'self') {
      if (seen.has('self')) problems.push(`${name}: "self" is listed twice`);
      seen.set('self', index + 1);
      accounts.push({ kind: 'self' });
      continue;
    }
    const bar = entry.indexOf('|');
    const arn = bar < 0 ? entry : entry.slice(0, bar);
    const externalId = bar < 0 ? undefined : entry.slice(bar + 1);
    const match = ROLE_ARN.exec(arn);
    if (match === null) {
      problems.push(`${where} ${malformedRole(arn, bar >= 0)}`);
      continue;
    }
    if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
      const why = externalId.includes('|')
        ? 'has more than one "|" (one role ARN, then one external id)'
        : 'has an external id that is not 2 to 1224 characters of letters, digits and +=,.@:/-_';
      problems.push(`${where} ${why}`);
      continue;
    }
    const accountId = match[2] as string;
    const earlier = seen.get(accountId);
    if (earlier !== undefined) {
      problems.push(`${name}: an account is named twice (entries ${earlier} and ${index + 1}); give one role per account`);
      continue;
    }
    seen.set(accountId, index + 1);
    accounts.push({ kind: 'role', roleArn: arn, accountId, hasExternalId: externalId !== undefined });
    if (externalId !== undefined) externalIds[arn] = externalId;
  }
  if (accounts.length === 0 && problems.length === 0) problems.push(`${name}: names no account (role ARNs, or self)`);
  return problems.length > 0 ? { problems } : { accounts, externalIds };
}

/** Why a role part failed, without quoting it. */
function malformedRole(arn: string, withExternalId: boolean): string {
  const expected = 'expected arn:aws:iam::<12-digit account>:role/<name>, optionally |<external id>, or self';
  if (arn === '') return `is not an IAM role ARN: nothing before "|" (${expected})`;
  if (!arn.startsWith('arn:')) {
    const hint = withExternalId ? '' : '; an external id cannot contain spaces, and a comma before "arn:" or "self" starts a new entry';
    return `is not an IAM role ARN: it does not start with "arn:" (${expected}${hint})`;
  }
  return `is not an IAM role ARN (${expected})`;
}

/**
 * `{alias}` (default), `AWS/{alias} ({id})`, or `none` (undefined: no account folder). Segments are split on `/`
 * before the placeholders are filled in, so an alias can never add a folder level; empty, `.` and `..` segments are
 * dropped as in `kcm:organize` (folder-path.ts).
 */
export function parseAccountFolder(name: string, value: string | undefined): { template: FolderTemplate | undefined } | { problems: string[] } {
  const text = value ?? DEFAULT_ACCOUNT_FOLDER;
  if (text.trim().toLowerCase() === 'none') return { template: undefined };
  const problems: string[] = [];
  const segments = text
    .split('/')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== '.' && s !== '..');
  if (segments.length === 0) problems.push(`${name}: names no folder (use none for no account folder)`);
  for (const segment of segments) {
    const unknown = [...segment.matchAll(PLACEHOLDER)]
      .map((m) => m[1] as string)
      .filter((p) => !(ACCOUNT_FOLDER_PLACEHOLDERS as readonly string[]).includes(p));
    if (unknown.length > 0) problems.push(`${name}: unknown placeholder ${unknown.map((p) => `{${p}}`).join(', ')} (use {alias} or {id})`);
    else if (/[{}]/.test(segment.replace(PLACEHOLDER, ''))) problems.push(`${name}: unmatched brace in "${segment}"`);
    if (/\p{Cc}/u.test(segment)) problems.push(`${name}: contains a control character`);
    if ([...segment].length > NAME_LIMIT) problems.push(`${name}: folder "${segment.slice(0, 20)}…" is longer than ${NAME_LIMIT} characters`);
  }
  return problems.length > 0 ? { problems } : { template: segments };
}
