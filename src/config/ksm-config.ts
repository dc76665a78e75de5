/**
 * The KSM configuration (AWS_DISCOVERY_KSM_CONFIG) as a setting: checked without calling Keeper, and the strings
 * derived from it that no message may ever contain. The vault lookup itself is enrich/keys/keeper-vault.ts.
 */
import { createPrivateKey } from 'node:crypto';

/**
 * Checks that a KSM configuration has what the SDK needs, without calling Keeper. Returns the problem (never
 * quoting the value) or `undefined`. Accepts base64 of the JSON, or the JSON itself, as the SDK's `loadJsonConfig`.
 */
export function checkKsmConfig(value: string): string | undefined {
  if (value.trim() === '') return 'the KSM configuration is empty';
  const json = decodeKsmConfig(value);
  if (json === undefined) {
    return (
      'the KSM configuration is not base64-encoded JSON (create it in the Keeper vault: Secrets Manager → ' +
      'application → Devices → Add Device → Configuration File → Base64)'
    );
  }
  const absent = ['hostname', 'clientId', 'privateKey', 'appKey'].filter((k) => !nonEmptyString(json[k]));
  if (absent.includes('appKey') && !absent.includes('clientId') && nonEmptyString(json['clientKey'])) {
    return (
      'the KSM configuration has no appKey: it is an unbound one-time-token configuration, and the daemon keeps ' +
      'nothing on disk to finish binding it; create a device configuration in the vault ' +
      '(Add Device → Configuration File)'
    );
  }
  if (absent.length > 0) return `the KSM configuration lacks ${absent.join(', ')}`;
  const problems: string[] = [];
  if (!isP256PrivateKey(json['privateKey'] as string)) {
    problems.push('its privateKey is not a base64 EC P-256 key (PKCS#8)');
  }
  if (Buffer.from(json['appKey'] as string, 'base64').length !== 32) {
    problems.push('its appKey is not a base64 32-byte key');
  }
  const keyId = json['serverPublicKeyId'];
  if (keyId !== undefined && json['serverPublicKey'] === undefined && !/^(?:[7-9]|1[0-8])$/.test(String(keyId))) {
    problems.push('its serverPublicKeyId is not one of the Keeper server keys (7–18)');
  }
  return problems.length === 0 ? undefined : `the KSM configuration is unusable: ${problems.join('; ')}`;
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    return isObject ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes the configuration the way `loadJsonConfig` does: base64 of a JSON object, else the JSON itself. */
function decodeKsmConfig(value: string): Record<string, unknown> | undefined {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const looksLikeJson = decoded.trimStart().startsWith('{') && decoded.trimEnd().endsWith('}');
  return parseJsonObject(looksLikeJson ? decoded : value);
}

function isP256PrivateKey(base64: string): boolean {
  try {
    const key = createPrivateKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'pkcs8' });
    return key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

/** The strings no message may contain: the configuration, its decoded text and its key material. */
export function secretsOf(ksmConfig: string): string[] {
  const json = decodeKsmConfig(ksmConfig) ?? {};
  const values = [ksmConfig, ksmConfig.trim(), JSON.stringify(json)];
  for (const key of ['privateKey', 'appKey', 'clientKey', 'clientId']) {
    const value = json[key];
    if (typeof value === 'string') values.push(value);
  }
  return values.filter((v) => v.length >= 8);
}

/** A safety net: the messages built here never quote secrets, but SDK and network messages are not ours. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);
}

export function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
