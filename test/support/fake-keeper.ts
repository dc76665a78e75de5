/**
 * A fake Keeper vault for driving the REAL Keeper Secrets Manager SDK (keeper-ksm.md §7), without internet:
 *
 * - API calls arrive through the SDK's `queryFunction` option: the fake decrypts the request with the request's
 *   transmission key, checks the ECDSA signature against the device key of the fake configuration and the client
 *   id, and answers `get_secret` with a reply encrypted exactly as Keeper's: records wrapped with the app key, fields
 *   with the record key, attachment metadata with file keys.
 * - Attachments are downloaded by the SDK itself (`downloadFile` → `https.request` of the record file's URL): the
 *   fake serves them from a loopback HTTPS server. TLS uses a pre-shared key (no certificate needed); `start()`
 *   hands the SDK a matching agent through `setCustomProxyAgent`, `stop()` takes it back.
 * - `calls` counts requests per endpoint (`get_secret`, … and `download`); `failNext` injects failures.
 */
import { setCustomProxyAgent } from '@keeper-security/secrets-manager-core';
import type { EncryptedPayload, KeeperHttpResponse, TransmissionKey } from '@keeper-security/secrets-manager-core';
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { Agent, createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeKsmConfig {
  /** The configuration as the vault hands it out (Add Device → Configuration File → Base64). */
  readonly config: string;
  /** The decoded configuration. */
  readonly json: Readonly<Record<string, string>>;
  readonly appKey: Buffer;
  /** The public half of the device key the SDK signs requests with. */
  readonly devicePublicKey: KeyObject;
}

/**
 * A bound device configuration: a fresh EC P-256 device key (base64 PKCS#8 DER), a random 32-byte app key and
 * client id. `overrides` replace fields; an `undefined` override removes the field.
 */
export function createFakeKsmConfig(overrides: Record<string, string | undefined> = {}): FakeKsmConfig {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const appKey = randomBytes(32);
  const json: Record<string, string> = {
    hostname: 'fake.keepersecurity.test',
    clientId: randomBytes(64).toString('base64'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    appKey: appKey.toString('base64'),
    serverPublicKeyId: '10',
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete json[key];
    else json[key] = value;
  }
  const config = Buffer.from(JSON.stringify(json)).toString('base64');
  const devicePublicKey = json['privateKey'] === undefined ? publicKey : safePublicKey(json['privateKey'], publicKey);
  return { config, json, appKey: Buffer.from(json['appKey'] ?? '', 'base64'), devicePublicKey };
}

export interface FakeField {
  readonly type: string;
  readonly label?: string;
  readonly value: readonly unknown[];
}

export interface FakeAttachment {
  readonly name: string;
  readonly content: string | Uint8Array;
  /** Declared size in the file metadata; defaults to the content's length. */
  readonly size?: number;
}

export interface FakeRecord {
  readonly title: string;
  /** Record type; the SDK and the key source ignore it. Default `sshKeys`. */
  readonly type?: string;
  readonly fields?: readonly FakeField[];
  readonly custom?: readonly FakeField[];
  /** Attachments; a `fileRef` field listing them is added to `fields`. */
  readonly files?: readonly FakeAttachment[];
  /** Shared with the application directly and through a shared folder: the reply holds it twice. */
  readonly alsoInSharedFolder?: boolean;
}

/** `throttle`: 403 `{"error":"throttled"}`; `network`: the call rejects like a refused connection; `http`: any reply. */
export type FakeKeeperFailure =
  | { readonly kind: 'throttle' }
  | { readonly kind: 'network' }
  | { readonly kind: 'http'; readonly status: number; readonly body: string };

interface StoredFile {
  readonly fileUid: string;
  readonly fileKey: Buffer;
  readonly attachment: FakeAttachment;
}

interface StoredRecord {
  readonly uid: string;
  readonly recordKey: Buffer;
  readonly input: FakeRecord;
  readonly files: readonly StoredFile[];
}

const PSK_CIPHERS = 'PSK-AES256-GCM-SHA384';
const PSK_IDENTITY = 'fake-keeper';

export class FakeKeeperVault {
  /** Requests per API endpoint (`get_secret`, …), and `download` for attachment GETs (failed ones included). */
  readonly calls = new Map<string, number>();
  /** When set, attachment GETs answer 403 with an XML body, as an expired pre-signed URL does. */
  expiredDownloads = false;
  /** Awaited before each reply, with the endpoint (or `download`) and its call count so far: to hold replies back. */
  onRequest: ((endpoint: string, count: number) => Promise<void> | void) | undefined;
  readonly #records: StoredRecord[] = [];
  readonly #folderKey = randomBytes(32);
  readonly #folderUid = uid();
  readonly #psk = randomBytes(32);
  #failure: FakeKeeperFailure | undefined;
  #failuresLeft = 0;
  #server: Server | undefined;
  #agent: Agent | undefined;
  #port = 9;

  constructor(readonly ksm: FakeKsmConfig = createFakeKsmConfig()) {}

  /** Shares a record with the application; returns its uid. */
  addRecord(record: FakeRecord): string {
    const files = (record.files ?? []).map((attachment) => ({ fileUid: uid(), fileKey: randomBytes(32), attachment }));
    const stored = { uid: uid(), recordKey: randomBytes(32), input: record, files };
    this.#records.push(stored);
    return stored.uid;
  }

  /** The uids of a record's attachments, in the order given. */
  fileUids(recordUid: string): string[] {
    return this.#records.find((r) => r.uid === recordUid)?.files.map((f) => f.fileUid) ?? [];
  }

  /** The next `times` API calls fail (every call until `heal()` when omitted). */
  failNext(failure: FakeKeeperFailure, times = Number.POSITIVE_INFINITY): void {
    this.#failure = failure;
    this.#failuresLeft = times;
  }

  heal(): void {
    this.#failure = undefined;
    this.#failuresLeft = 0;
  }

  count(endpoint: string): number {
    return this.calls.get(endpoint) ?? 0;
  }

  /** Pass as the SDK's `queryFunction` (or the key source's). */
  readonly queryFunction = async (
    url: string,
    transmissionKey: TransmissionKey,
    payload: EncryptedPayload,
  ): Promise<KeeperHttpResponse> => {
    const endpoint = new URL(url).pathname.split('/').pop() ?? '';
    this.#count(endpoint);
    await this.onRequest?.(endpoint, this.count(endpoint));
    const failure = this.#takeFailure();
    if (failure?.kind === 'network') {
      const refused = new Error(`connect ECONNREFUSED ${new URL(url).hostname}:443`);
      throw Object.assign(refused, { code: 'ECONNREFUSED', syscall: 'connect' });
    }
    if (failure?.kind === 'throttle') {
      return reply(403, JSON.stringify({ error: 'throttled', message: 'Due to repeated attempts, your request has been throttled.' }));
    }
    if (failure?.kind === 'http') return reply(failure.status, failure.body);
    const signed = Buffer.concat([transmissionKey.encryptedKey, payload.payload]);
    if (!verify('sha256', signed, this.ksm.devicePublicKey, payload.signature)) {
      return reply(403, JSON.stringify({ result_code: 'invalid_signature', message: 'Signature is invalid' }));
    }
    const request = JSON.parse(decrypt(transmissionKey.key, payload.payload).toString('utf8')) as Record<string, unknown>;
    if (request['clientId'] !== this.ksm.json['clientId']) {
      const body = { result_code: 'access_denied', message: 'Unable to validate Keeper application access' };
      return reply(403, JSON.stringify(body));
    }
    if (endpoint !== 'get_secret') {
      return reply(400, JSON.stringify({ result_code: 'bad_request', message: `unsupported: ${endpoint}` }));
    }
    return { statusCode: 200, headers: {}, data: encrypt(transmissionKey.key, JSON.stringify(this.#getSecretReply())) };
  };

  /** Starts the loopback HTTPS server for attachments and points the SDK's downloads at it. */
  async start(): Promise<void> {
    const pskOptions = { ciphers: PSK_CIPHERS, maxVersion: 'TLSv1.2' as const };
    const server = createServer(
      { ...pskOptions, pskCallback: (_socket, identity) => (identity === PSK_IDENTITY ? this.#psk : null) },
      (req, res) => void this.#serveFile(req, res),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    this.#agent = new Agent({
      ...pskOptions,
      pskCallback: () => ({ psk: this.#psk, identity: PSK_IDENTITY }),
      checkServerIdentity: () => undefined,
    });
    setCustomProxyAgent(this.#agent);
  }

  async stop(): Promise<void> {
    setCustomProxyAgent(undefined);
    this.#agent?.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #count(endpoint: string): void {
    this.calls.set(endpoint, this.count(endpoint) + 1);
  }

  #takeFailure(): FakeKeeperFailure | undefined {
    if (this.#failure === undefined || this.#failuresLeft <= 0) return undefined;
    this.#failuresLeft -= 1;
    return this.#failure;
  }

  #getSecretReply(): object {
    const appKey = this.ksm.appKey;
    const shared = this.#records.filter((r) => r.input.alsoInSharedFolder);
    const folder = {
      folderUid: this.#folderUid,
      folderKey: encrypt(appKey, this.#folderKey).toString('base64'),
      records: shared.map((r) => this.#recordReply(r, this.#folderKey)),
    };
    return {
      appData: encrypt(appKey, JSON.stringify({ title: 'EC2 discovery (fake)', type: 'general' })).toString('base64url'),
      folders: shared.length > 0 ? [folder] : [],
      records: this.#records.map((r) => this.#recordReply(r, appKey)),
      expiresOn: 0,
      warnings: [],
    };
  }

  #recordReply(record: StoredRecord, wrappingKey: Buffer): object {
    const { title, type = 'sshKeys', fields = [], custom = [] } = record.input;
    const fileRef = record.files.length > 0 ? [{ type: 'fileRef', value: record.files.map((f) => f.fileUid) }] : [];
    const data = { title, type, fields: [...fields, ...fileRef], custom };
    return {
      recordUid: record.uid,
      recordKey: encrypt(wrappingKey, record.recordKey).toString('base64'),
      data: encrypt(record.recordKey, JSON.stringify(data)).toString('base64'),
      revision: 1,
      isEditable: false,
      files: record.files.map((file) => ({
        fileUid: file.fileUid,
        fileKey: encrypt(record.recordKey, file.fileKey).toString('base64'),
        data: encrypt(file.fileKey, JSON.stringify(fileMetadata(file.attachment))).toString('base64'),
        url: `https://127.0.0.1:${this.#port}/files/${file.fileUid}?X-Amz-Expires=60`,
        thumbnailUrl: null,
      })),
    };
  }

  async #serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#count('download');
    await this.onRequest?.('download', this.count('download'));
    const fileUid = /^\/files\/([\w-]+)/.exec(req.url ?? '')?.[1];
    const file = this.#records.flatMap((r) => r.files).find((f) => f.fileUid === fileUid);
    if (this.expiredDownloads) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
    } else if (file === undefined || req.method !== 'GET') {
      res.writeHead(404).end();
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(encrypt(file.fileKey, file.attachment.content));
    }
  }
}

/** AES-256-GCM as the SDK uses it everywhere: 12-byte IV ‖ ciphertext ‖ 16-byte tag. */
export function encrypt(key: Uint8Array, data: string | Uint8Array): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(typeof data === 'string' ? Buffer.from(data) : data), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

export function decrypt(key: Uint8Array, data: Uint8Array): Buffer {
  const bytes = Buffer.from(data);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
}

function fileMetadata(attachment: FakeAttachment): object {
  const size = attachment.size ?? Buffer.byteLength(attachment.content);
  return { name: attachment.name, title: attachment.name, type: 'application/x-pem-file', size, lastModified: Date.now() };
}

function reply(statusCode: number, body: string): KeeperHttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, data: Buffer.from(body) };
}

function uid(): string {
  return randomBytes(16).toString('base64url');
}

function safePublicKey(base64Der: string, fallback: KeyObject): KeyObject {
  try {
    return createPublicKey(createPrivateKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'pkcs8' }));
  } catch {
    return fallback;
  }
}
