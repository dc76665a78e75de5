/**
 * SSH host keys read from an instance's console output, for pinning in Guacamole's `host-key` parameter. Pure.
 *
 * cloud-init prints the public host keys at first boot between `-----BEGIN SSH HOST KEY KEYS-----` and
 * `-----END SSH HOST KEY KEYS-----` (next to a FINGERPRINTS block, which is not used). Console text is noisy:
 * line prefixes (`ec2: ` on Amazon Linux, kernel timestamps), CRLF, ANSI escape codes, kernel messages between
 * lines, lines cut short, blocks printed again after a reboot or cut off by the 64 KB window.
 */

export type HostKeyType =
  | 'ssh-ed25519'
  | 'ecdsa-sha2-nistp256'
  | 'ecdsa-sha2-nistp384'
  | 'ecdsa-sha2-nistp521'
  | 'ssh-rsa'
  | 'ssh-dss';

export interface HostKey {
  readonly type: HostKeyType;
  /** The public key blob, canonical base64 (as in `known_hosts` and `.pub` files). */
  readonly base64: string;
}

export type ConsoleHostKeys = { readonly keys: readonly HostKey[] } | { readonly problem: string };

export const NO_HOST_KEYS_PROBLEM =
  'no SSH host keys in the console output (cloud-init prints them at first boot; the output may have rotated)';
export const TRUNCATED_BLOCK_PROBLEM =
  'the SSH host key block in the console output is cut off (BEGIN without END); try again later';
export const NO_VALID_KEY_PROBLEM = 'the SSH host key block in the console output holds no valid key';

const BEGIN = '-----BEGIN SSH HOST KEY KEYS-----';
const END = '-----END SSH HOST KEY KEYS-----';
const KEY_TYPES = '(ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521)|ssh-rsa|ssh-dss)';
/** A key anywhere on the line (after any prefix), followed by whitespace or the end of the line. */
const KEY_LINE = new RegExp(`(?:^|\\s)${KEY_TYPES}\\s+([A-Za-z0-9+/]+={0,2})(?=\\s|$)`);
// CSI sequences (colours, cursor moves), OSC sequences (titles), then any other two-byte escape.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]/g;
const OTHER_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

/**
 * The host keys of the LAST complete BEGIN/END block. Lines inside the block that are not keys (kernel messages)
 * are skipped; a key whose base64 does not decode to a complete SSH public key blob of its declared type is
 * dropped and the others are kept. Duplicates are dropped.
 */
export function parseConsoleHostKeys(consoleText: string): ConsoleHostKeys {
  let open: string[] | undefined;
  let lastComplete: string[] | undefined;
  for (const raw of consoleText.split(/\r\n|\r|\n/)) {
    const line = raw.replace(ANSI, '').replace(OTHER_CONTROLS, '');
    if (line.includes(BEGIN)) open = []; // a BEGIN while open means the previous block was cut off
    else if (line.includes(END)) {
      if (open !== undefined) lastComplete = open;
      open = undefined;
    } else open?.push(line);
  }
  if (lastComplete === undefined) {
    return { problem: open === undefined ? NO_HOST_KEYS_PROBLEM : TRUNCATED_BLOCK_PROBLEM };
  }
  const keys: HostKey[] = [];
  for (const line of lastComplete) {
    const key = keyFromLine(line);
    if (key !== undefined && !keys.some((k) => k.type === key.type && k.base64 === key.base64)) keys.push(key);
  }
  return keys.length === 0 ? { problem: NO_VALID_KEY_PROBLEM } : { keys };
}

/**
 * The order in which guacd's SSH library, libssh2, offers host key algorithms when guacd sets no preference
 * (it sets none: apache/guacamole-server `src/common-ssh/ssh.c`, `guac_common_ssh_create_session`). libssh2's
 * `hostkey_methods[]` (libssh2/libssh2 `src/hostkey.c`) lists ECDSA P-256, P-384, P-521, then Ed25519, then RSA,
 * then DSS; `SSH-2.0-libssh2_1.10.0` was seen sending `ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,
 * …,ssh-ed25519,ssh-rsa,ssh-dss` in its KEXINIT. The server uses the first of the client's algorithms it has a key
 * for (RFC 4253 §7.1), and guacd compares exactly that key with the pinned one: pinning Ed25519 on a server that
 * also has an ECDSA key (as Amazon Linux and Ubuntu images do) would fail every connection with "Host key did not
 * match any provided known host keys". DSS is never pinned (OpenSSH removed it; libssh2 1.11 disables it).
 */
const HOST_KEY_PREFERENCE: readonly HostKeyType[] = [
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-ed25519',
  'ssh-rsa',
];

/** The key guacd will be shown by the server, hence the one to pin; undefined when none can be pinned. */
export function preferredHostKey(keys: readonly HostKey[]): HostKey | undefined {
  for (const type of HOST_KEY_PREFERENCE) {
    const key = keys.find((k) => k.type === type);
    if (key !== undefined) return key;
  }
  return undefined;
}

/**
 * The value of Guacamole's SSH `host-key` parameter: ONE OpenSSH `known_hosts` entry, `<host> <type> <base64>`.
 *
 * Sources: the Guacamole manual, "SSH Host Verification" and the SSH `host-key` parameter ("The format of this
 * parameter is that of a single entry from an OpenSSH `known_hosts` file";
 * https://guacamole.apache.org/doc/gug/configuring-guacamole.html#ssh-host-verification, apache/guacamole-manual
 * `src/configuring-guacamole.md`); guacd passes the value to `libssh2_knownhost_readline(…,
 * LIBSSH2_KNOWNHOST_FILE_OPENSSH)` and then `libssh2_knownhost_checkp(hosts, hostname, port, remote key, …)`
 * with the connection's own `hostname` and `port` parameters (apache/guacamole-server `src/common-ssh/key.c`,
 * `guac_common_ssh_verify_host_key`). libssh2 (`src/knownhost.c`) reads only the first line, takes its first field
 * as the host name(s) — so a bare `<type> <base64>` would be read as a host called `ssh-ed25519` and never match —
 * and compares names literally (no DNS, no wildcards) as `[host]:port` first, then plain `host`, so the plain name
 * matches on any port. Hence `hostname` must be exactly the string in the connection's `hostname` parameter.
 * Checked against libssh2 1.10.0 with guacd's calls: `10.0.0.5 <type> <base64>` matches on ports 22 and 2222; the
 * same entry is "not found" for another hostname, and so is a bare `<type> <base64>`.
 */
export function hostKeyParameter(key: HostKey, hostname: string): string {
  if (!/^[^\s,#|@[\]]+$/.test(hostname)) {
    throw new RangeError(`not usable as a known_hosts host name: ${JSON.stringify(hostname)}`);
  }
  return `${hostname} ${key.type} ${key.base64}`;
}

/** The key of a `host-key` parameter value (`<hostname> <type> <base64>`), if it holds a valid one. */
export function parseHostKeyParameter(value: string): HostKey | undefined {
  return keyFromLine(value.split(/\r?\n/)[0] ?? '');
}

function keyFromLine(line: string): HostKey | undefined {
  const match = KEY_LINE.exec(line);
  const type = match?.[1] as HostKeyType | undefined;
  const text = match?.[2];
  if (type === undefined || text === undefined || text.length % 4 !== 0) return undefined;
  const blob = Buffer.from(text, 'base64');
  if (blob.toString('base64') !== text || !isPublicKeyBlob(type, blob)) return undefined;
  return { type, base64: text };
}

/** RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4: the whole blob must parse, starting with the declared type. */
function isPublicKeyBlob(type: HostKeyType, blob: Buffer): boolean {
  const fields: Buffer[] = [];
  for (let offset = 0; offset < blob.length; ) {
    if (offset + 4 > blob.length) return false;
    const length = blob.readUInt32BE(offset);
    if (offset + 4 + length > blob.length) return false;
    fields.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  const [declared, ...rest] = fields;
  if (declared?.toString('latin1') !== type) return false;
  const nonEmpty = rest.every((f) => f.length > 0);
  switch (type) {
    case 'ssh-ed25519':
      return rest.length === 1 && rest[0]?.length === 32;
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      const [curve, point] = rest;
      const curveName = type.slice('ecdsa-sha2-'.length) as 'nistp256' | 'nistp384' | 'nistp521';
      const coordinate = { nistp256: 32, nistp384: 48, nistp521: 66 }[curveName];
      // Uncompressed point: 0x04, then x and y.
      const uncompressed = point?.length === 1 + 2 * coordinate && point[0] === 4;
      return rest.length === 2 && curve?.toString('latin1') === curveName && uncompressed;
    }
    case 'ssh-rsa':
      return rest.length === 2 && nonEmpty;
    case 'ssh-dss':
      return rest.length === 4 && nonEmpty;
  }
}
