/**
 * Private keys from a Keeper vault through Keeper Secrets Manager (KSM): one `getSecrets` per run, every key pair
 * name matched against the fetched records in memory, attachments downloaded in the same run (keeper-ksm.md §3, §5).
 *
 * Record rule (keeper-ksm.md §8): the record titled `<KeyName>` or `<KeyName>.pem` (exact; else case-insensitive
 * when exactly one matches); in it, first a `keyPair` field's private key, else a single `.pem`/`.key` attachment,
 * else a single custom field labelled like "private key". Ambiguity at any step is an error, never a guess.
 *
 * The KSM configuration is a credential: it stays in the SDK's in-memory storage (nothing is written to disk) and
 * never appears in a reason, an error or a log line.
 */
import { KeeperThrottleError, downloadFile, getSecrets, loadJsonConfig } from '@keeper-security/secrets-manager-core';
import type {
  KeeperFile,
  KeeperRecord,
  KeyValueStorage,
  SecretManagerOptions,
} from '@keeper-security/secrets-manager-core';
import { checkKsmConfig, nonEmptyString, parseJsonObject, redact, secretsOf } from '../../config/ksm-config.js';
import type { KeyLookup, KeySource, PrivateKeyInfo } from './key-types.js';

/**
 * Validates and normalises key text: `inspectPrivateKey` from `./private-key.js`. Its errors never quote the key and
 * read after the name of what was inspected ("is empty", "holds a public key, not a private one").
 */
export type KeyInspector = (text: string) => PrivateKeyInfo | { error: string };

/** The SDK's replacement for its HTTPS call to the Keeper API. */
export type KeeperQueryFunction = NonNullable<SecretManagerOptions['queryFunction']>;

/** The subset of a winston logger this module uses. */
export interface KeeperLogger {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
}

export interface KeeperKeySourceOptions {
  /** The KSM configuration: base64 of the JSON the vault produces for an application's device. Secret. */
  readonly ksmConfig: string;
  /** Turns the key text of a record into a `PrivateKeyInfo`, or says why it is not a usable key. */
  readonly inspect: KeyInspector;
  /** Replaces the SDK's network call to the Keeper API (tests). */
  readonly queryFunction?: KeeperQueryFunction;
  /** Replaces the SDK's sleep between its throttle retries (11, 22, 44, 88, 176 s by default; tests). */
  readonly throttleSleep?: (milliseconds: number) => Promise<void>;
  readonly logger?: KeeperLogger;
}

/** Attachments larger than this cannot be a private key and are not downloaded. */
const MAX_KEY_FILE_BYTES = 64 * 1024;
const KEY_FILE_NAME = /\.(pem|key)$/i;
const PRIVATE_KEY_LABEL = /private.?key/i;
const TEXT_FIELD_TYPES = new Set(['text', 'secret', 'multiline', 'password']);

/**
 * A `KeySource` reading the Keeper vault shared with the KSM application. Each call fetches the vault once and
 * answers every name; a failed fetch answers `unavailable` for every name (never `missing`), so the caller keeps
 * the keys Guacamole already has. Calls are serialised process-wide (the SDK's key cache is a module global).
 */
export function createKeeperKeySource(options: KeeperKeySourceOptions): KeySource {
  const secrets = secretsOf(options.ksmConfig);
  let storage: KeyValueStorage | undefined;
  const openStorage = (): KeyValueStorage => {
    if (storage !== undefined) return storage;
    const problem = checkKsmConfig(options.ksmConfig);
    if (problem !== undefined) throw new KsmConfigProblem(problem);
    // In-memory storage: what the SDK learns (a rotated server key id) lives as long as this source, never on disk.
    return (storage = loadJsonConfig(options.ksmConfig));
  };
  return (keyNames) =>
    inVaultTurn(async () => {
      const names = [...new Set(keyNames)];
      const answers = new Map<string, KeyLookup>();
      if (names.length === 0) return answers;
      let records: KeeperRecord[];
      try {
        records = await fetchRecords(openStorage(), options);
      } catch (err) {
        const reason = redact(describeFetchError(err), secrets);
        options.logger?.warn('Keeper vault unavailable', { reason, keyNames: names.length });
        for (const name of names) answers.set(name, { status: 'unavailable', reason });
        return answers;
      }
      const index = indexByTitle(records);
      const download = memoizedDownload();
      // All downloads finish here, before any later getSecrets can clear the SDK's file keys.
      const lookups = await Promise.all(names.map((name) => lookUpKey(name, index, download, options.inspect)));
      names.forEach((name, i) => answers.set(name, redactLookup(lookups[i]!, secrets)));
      return answers;
    });
}

async function fetchRecords(storage: KeyValueStorage, options: KeeperKeySourceOptions): Promise<KeeperRecord[]> {
  const started = Date.now();
  const sdkOptions: SecretManagerOptions = { storage };
  if (options.queryFunction) sdkOptions.queryFunction = options.queryFunction;
  if (options.throttleSleep) sdkOptions.throttleSleep = options.throttleSleep;
  const { records } = await getSecrets(sdkOptions);
  // A record shared directly and through a shared folder comes back twice: it is still one record.
  const seen = new Set<string>();
  const unique = records.filter((r) => !seen.has(r.recordUid) && seen.add(r.recordUid));
  options.logger?.debug('Keeper vault read', { records: unique.length, durationMs: Date.now() - started });
  return unique;
}

// ---------------------------------------------------------------------------------------- record selection ----

interface TitleIndex {
  readonly exact: ReadonlyMap<string, readonly KeeperRecord[]>;
  readonly folded: ReadonlyMap<string, readonly KeeperRecord[]>;
}

function indexByTitle(records: readonly KeeperRecord[]): TitleIndex {
  const exact = new Map<string, KeeperRecord[]>();
  const folded = new Map<string, KeeperRecord[]>();
  for (const record of records) {
    const title = titleOf(record);
    exact.set(title, [...(exact.get(title) ?? []), record]);
    folded.set(title.toLowerCase(), [...(folded.get(title.toLowerCase()) ?? []), record]);
  }
  return { exact, folded };
}

type Download = (file: KeeperFile) => Promise<Uint8Array>;

async function lookUpKey(
  name: string,
  index: TitleIndex,
  download: Download,
  inspect: KeyInspector,
): Promise<KeyLookup> {
  const titles = `"${name}" or "${name}.pem"`;
  let candidates = [...(index.exact.get(name) ?? []), ...(index.exact.get(`${name}.pem`) ?? [])];
  let ignoringCase = false;
  if (candidates.length === 0) {
    const lower = name.toLowerCase();
    candidates = [...(index.folded.get(lower) ?? []), ...(index.folded.get(`${lower}.pem`) ?? [])];
    ignoringCase = true;
  }
  const [record, ...others] = candidates;
  if (record === undefined) {
    const reason = `no record titled ${titles} in the Keeper vault (shared with this application)`;
    return { status: 'missing', reason };
  }
  if (others.length > 0) {
    const uids = candidates.map((r) => r.recordUid).join(', ');
    const how = ignoringCase ? ' (ignoring case)' : '';
    const reason = `ambiguous: ${candidates.length} records titled ${titles}${how} in the Keeper vault (${uids})`;
    return { status: 'invalid', reason };
  }
  const found = await keyFromRecord(record, download, inspect);
  if (found.status !== 'found' || !ignoringCase) return found;
  const warning = `the Keeper record title "${titleOf(record)}" differs in case from the key pair name "${name}"`;
  return { ...found, warnings: [...(found.warnings ?? []), warning] };
}

/** A record's private key: keyPair field, else a single .pem/.key attachment, else a "private key" custom field. */
async function keyFromRecord(record: KeeperRecord, download: Download, inspect: KeyInspector): Promise<KeyLookup> {
  const label = `Keeper record "${titleOf(record)}" (${record.recordUid})`;
  const text = await keyTextOf(record, label, download);
  if (typeof text !== 'object') {
    const looked = 'no keyPair field with a private key, no .pem or .key attachment, no custom field labelled "Private Key"';
    return { status: 'invalid', reason: `${label} holds no private key: ${looked}` };
  }
  if ('status' in text) return text;
  let key: ReturnType<KeyInspector>;
  try {
    key = inspect(text.text);
  } catch {
    key = { error: 'could not be inspected' };
  }
  // The inspector's errors are phrases following the name of what was read ("… holds a public key, not a private one").
  if ('error' in key) return { status: 'invalid', reason: `${label}: ${text.where} ${key.error}` };
  return { status: 'found', key, source: label };
}

type KeyText = { readonly text: string; readonly where: string } | KeyLookup | undefined;

async function keyTextOf(record: KeeperRecord, label: string, download: Download): Promise<KeyText> {
  const fields = (list: unknown): Field[] => (Array.isArray(list) ? list.filter(isField) : []);
  const standard = fields(record.data?.fields);
  const custom = fields(record.data?.custom);
  let pairs = standard.filter((f) => f.type === 'keyPair').flatMap(privateKeysOf);
  if (pairs.length === 0) pairs = custom.filter((f) => f.type === 'keyPair').flatMap(privateKeysOf);
  if (pairs.length > 1) return ambiguous(label, `${pairs.length} private keys in keyPair fields`);
  if (pairs[0] !== undefined) return { text: pairs[0], where: 'the keyPair field' };

  const files = (record.files ?? []).filter((f) => KEY_FILE_NAME.test(fileName(f)));
  if (files.length > 1) {
    const names = files.map((f) => `"${fileName(f)}"`).join(', ');
    return ambiguous(label, `${files.length} .pem/.key attachments (${names})`);
  }
  if (files[0] !== undefined) return attachmentText(files[0], label, download);

  const labelled = custom.filter((f) => TEXT_FIELD_TYPES.has(f.type) && PRIVATE_KEY_LABEL.test(f.label ?? ''));
  const values = labelled.filter((f) => nonEmptyString(f.value[0]));
  if (values.length > 1) return ambiguous(label, `${values.length} custom fields labelled like "Private Key"`);
  const [field] = values;
  if (field !== undefined) return { text: field.value[0] as string, where: `the custom field "${field.label}"` };
  return undefined;
}

async function attachmentText(file: KeeperFile, label: string, download: Download): Promise<KeyText> {
  const name = fileName(file);
  const size = Number(file.data?.size);
  if (Number.isFinite(size) && size > MAX_KEY_FILE_BYTES) {
    const reason = `${label}: the attachment "${name}" (${size} bytes) is too large to be a private key`;
    return { status: 'invalid', reason };
  }
  try {
    const bytes = await download(file);
    return { text: Buffer.from(bytes).toString('utf8'), where: `the attachment "${name}"` };
  } catch (err) {
    // The SDK checks no HTTP status: an expired link or an error page surfaces as a decryption failure.
    const message = errorMessage(err);
    const undecryptable = /authenticate data|Unsupported state|of (null|undefined)/.test(message);
    const cause = undecryptable ? 'its content did not decrypt: the link may have expired' : oneLine(message);
    return { status: 'unavailable', reason: `${label}: the attachment "${name}" could not be downloaded (${cause})` };
  }
}

/** One download per attachment per run, even when several key pair names lead to the same record. */
function memoizedDownload(): Download {
  const started = new Map<string, Promise<Uint8Array>>();
  return (file) => {
    let bytes = started.get(file.fileUid);
    if (bytes === undefined) started.set(file.fileUid, (bytes = downloadFile(file)));
    return bytes;
  };
}

interface Field {
  readonly type: string;
  readonly label?: string;
  readonly value: readonly unknown[];
}

function isField(value: unknown): value is Field {
  const field = value as Partial<Field> | null;
  return typeof field === 'object' && field !== null && typeof field.type === 'string' && Array.isArray(field.value);
}

function privateKeysOf(field: Field): string[] {
  return field.value.flatMap((v) => {
    const key = (v as { privateKey?: unknown } | null)?.privateKey;
    return nonEmptyString(key) ? [key] : [];
  });
}

function ambiguous(label: string, what: string): KeyLookup {
  return { status: 'invalid', reason: `${label}: ambiguous: ${what}` };
}

function titleOf(record: KeeperRecord): string {
  const title: unknown = record.data?.title;
  return typeof title === 'string' ? title : '';
}

function fileName(file: KeeperFile): string {
  const { name, title } = (file.data ?? {}) as { name?: unknown; title?: unknown };
  return typeof name === 'string' && name !== '' ? name : typeof title === 'string' ? title : '';
}

// -------------------------------------------------------------------------------------- errors and secrets ----

class KsmConfigProblem extends Error {
  override readonly name = 'KsmConfigProblem';
}

/** Names the cause of a failed vault fetch. SDK API errors are plain Errors carrying the reply body (JSON). */
function describeFetchError(err: unknown): string {
  if (err instanceof KsmConfigProblem) return `Keeper configuration invalid: ${err.message}`;
  if (err instanceof KeeperThrottleError) return `Keeper vault throttled this application: ${err.message}`;
  const message = oneLine(errorMessage(err));
  const { code, syscall } = (err ?? {}) as { code?: unknown; syscall?: unknown };
  const networkCode = typeof code === 'string' && /^(E[A-Z_]+|ERR_TLS_\w+|\w*CERT\w*)$/.test(code);
  if (typeof syscall === 'string' || networkCode) {
    return `Keeper vault unreachable: ${message}${networkCode && !message.includes(code) ? ` (${code})` : ''}`;
  }
  const body = parseJsonObject(errorMessage(err));
  if (body !== undefined) {
    const result = [body['result_code'] ?? body['error'], body['message']].filter(nonEmptyString).join(': ');
    return `Keeper vault refused the request: ${oneLine(result || message)}`;
  }
  if (/missing from the configuration|is not supported/.test(message)) {
    return `Keeper configuration invalid: ${message}`;
  }
  if (/unable to authenticate data|Unsupported state/.test(message)) {
    const hint = "does the KSM configuration's appKey belong to this application?";
    return `Keeper vault reply could not be decrypted (${hint}): ${message}`;
  }
  return `Keeper vault request failed: ${message}`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function redactLookup(lookup: KeyLookup, secrets: readonly string[]): KeyLookup {
  return lookup.status === 'found' ? lookup : { status: lookup.status, reason: redact(lookup.reason, secrets) };
}

/** The SDK keeps file keys in a module-global cache that every `getSecrets` empties: one vault run at a time. */
let vaultTurn: Promise<unknown> = Promise.resolve();

function inVaultTurn<T>(work: () => Promise<T>): Promise<T> {
  const run = vaultTurn.then(work, work);
  vaultTurn = run.catch(() => undefined);
  return run;
}
