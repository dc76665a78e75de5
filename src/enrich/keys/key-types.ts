/** The key algorithms and encodings a key pair's private key can come in. */
export type KeyType = 'rsa' | 'ecdsa' | 'ed25519' | 'dsa';
export type KeyFormat = 'pkcs1' | 'pkcs8' | 'sec1' | 'openssh';

/** A private key as read from a key source. `text` is a secret: it only goes into connection parameters. */
export interface PrivateKeyInfo {
  /** The key as Guacamole gets it: LF line endings, no surrounding blank space, one trailing newline. */
  readonly text: string;
  readonly format: KeyFormat;
  readonly type: KeyType;
  /** Protected by a passphrase: SSH asks the user for it; it cannot decrypt a Windows password. */
  readonly encrypted: boolean;
  /** RSA modulus size, when known. */
  readonly bits?: number;
}

/**
 * What a key source knows about one key pair name.
 * - `found`: the key, where it came from (a file path or a vault record title, never its content) and warnings
 *   that do not stop its use (a key file readable by everyone).
 * - `missing` / `invalid`: no usable key; the reason names the file or record.
 * - `unavailable`: the source could not be asked this run (vault unreachable): keep whatever key Guacamole has.
 */
export type KeyLookup =
  | { readonly status: 'found'; readonly key: PrivateKeyInfo; readonly source: string; readonly warnings?: readonly string[] }
  | { readonly status: 'missing' | 'invalid' | 'unavailable'; readonly reason: string };

/** Looks up every given key pair name at once (one listing or vault fetch per run, not one per instance). */
export type KeySource = (keyNames: readonly string[]) => Promise<ReadonlyMap<string, KeyLookup>>;
