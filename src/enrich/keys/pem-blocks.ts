/** One `-----BEGIN <label>-----` … `-----END <label>-----` block of a PEM text (RFC 7468). */
export interface PemBlock {
  readonly label: string;
  /** RFC 1421 headers (`Proc-Type`, `DEK-Info`) of legacy encrypted keys; empty for everything else. */
  readonly headers: ReadonlyMap<string, string>;
  /** The decoded base64 body. */
  readonly body: Buffer;
  /** The block itself, BEGIN to END line, LF line endings, no blank space around lines, no trailing newline. */
  readonly text: string;
}

const BEGIN_LINE = /^[ \t]*-----BEGIN ([^-\n]+)-----[ \t]*$/.source;
const BASE64_LINE = /^[A-Za-z0-9+/=]*$/;

/**
 * Every PEM block in `text` (LF line endings expected), in order. Text between blocks is ignored, as OpenSSL does.
 * A block without its END line or with an invalid body is an error, phrased to follow the key's name.
 */
export function findPemBlocks(text: string): { readonly blocks: readonly PemBlock[] } | { readonly error: string } {
  const blocks: PemBlock[] = [];
  const begin = new RegExp(BEGIN_LINE, 'gm');
  for (let match = begin.exec(text); match !== null; match = begin.exec(text)) {
    const label = match[1] as string;
    const bodyStart = match.index + match[0].length;
    const endLine = new RegExp(`^[ \\t]*-----END ${escapeRegExp(label)}-----[ \\t]*$`, 'm');
    const end = endLine.exec(text.slice(bodyStart));
    if (end === null) return { error: `is cut short or damaged: its "BEGIN ${label}" line has no matching END line` };
    const bodyText = text.slice(bodyStart, bodyStart + end.index);
    const parsed = parseBody(bodyText);
    if ('error' in parsed) return { error: `is corrupted: the "${label}" block ${parsed.error}` };
    const blockEnd = bodyStart + end.index + end[0].length;
    // Blank space around lines (an indented paste from YAML, trailing spaces) is dropped; nothing else changes.
    const blockText = text.slice(match.index, blockEnd).replace(/^[ \t]+|[ \t]+$/gm, '');
    blocks.push({ label, headers: parsed.headers, body: parsed.body, text: blockText });
    begin.lastIndex = blockEnd;
  }
  return { blocks };
}

function parseBody(bodyText: string): { headers: Map<string, string>; body: Buffer } | { error: string } {
  const lines = bodyText.split('\n').map((line) => line.trim());
  const headers = new Map<string, string>();
  let i = 0;
  while (i < lines.length && lines[i] === '') i++;
  if ((lines[i] ?? '').includes(':')) {
    // RFC 1421 headers end at the first blank line; continuation lines are folded into the previous header.
    let last: string | undefined;
    for (; i < lines.length && lines[i] !== ''; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      if (colon > 0) {
        last = line.slice(0, colon).trim().toLowerCase();
        headers.set(last, line.slice(colon + 1).trim());
      } else if (last !== undefined) {
        headers.set(last, `${headers.get(last) ?? ''}${line}`);
      }
    }
  }
  const base64 = lines.slice(i).filter((line) => line !== '');
  if (base64.length === 0) return { error: 'is empty' };
  if (!base64.every((line) => BASE64_LINE.test(line))) return { error: 'holds characters that are not base64' };
  const body = decodeStrictBase64(base64.join(''));
  if (body === undefined) return { error: 'has invalid base64 (lines missing or cut short?)' };
  return { headers, body };
}

/**
 * Decodes base64 that must be well formed: `Buffer.from(…, 'base64')` silently skips bad characters and
 * stops at stray padding, which would let a damaged key through as a shorter one.
 */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64');
  return decoded.toString('base64') === text ? decoded : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
