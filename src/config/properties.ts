/**
 * A reader for Java `.properties` text (the format of Guacamole's `guacamole.properties`), following the rules of
 * `java.util.Properties.load`. Pure: text in, entries out.
 *
 * - Lines end with `\n`, `\r\n` or `\r`. A line holding only spaces, tabs and form feeds is blank.
 * - A line whose first non-blank character is `#` or `!` is a comment (a comment is never continued).
 * - A line ending in an odd number of backslashes continues on the next line; the last backslash is dropped and so is
 *   the leading blank space of the next line.
 * - The key ends at the first unescaped `=`, `:` or blank; blanks around the separator are skipped, and a blank
 *   followed by `=` or `:` counts as one separator. Everything after that is the value (trailing blanks are kept).
 * - Escapes: `\t \n \r \f`, `\uXXXX` (exactly four hex digits, else an error); any other escaped character stands
 *   for itself (`\\ \= \: \# \! \ `), the backslash dropped.
 * - A key given twice: the later value wins.
 */

/** Text that is not valid `.properties` content. The message names the line, never its content. */
export class PropertiesSyntaxError extends Error {
  override readonly name = 'PropertiesSyntaxError';
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based number of the line where the entry starts. */
  readonly line: number;
}

/** Every key and value in order of appearance (duplicates included). Throws PropertiesSyntaxError. */
export function readPropertyEntries(text: string): PropertyEntry[] {
  const entries: PropertyEntry[] = [];
  for (const logical of logicalLines(text)) {
    const { keyEnd, valueStart } = splitKeyValue(logical.text);
    const lineAt = (offset: number) => lineOf(logical, offset);
    entries.push({
      key: unescapeProperty(logical.text, 0, keyEnd, lineAt),
      value: unescapeProperty(logical.text, valueStart, logical.text.length, lineAt),
      line: logical.starts[0]?.line ?? 1,
    });
  }
  return entries;
}

/** Key → value, the later of two equal keys winning, as `Properties.load` does. Throws PropertiesSyntaxError. */
export function parseProperties(text: string): Map<string, string> {
  return new Map(readPropertyEntries(text).map((e) => [e.key, e.value]));
}

const BLANK = new Set([' ', '\t', '\f']);
const ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** One entry's text after joining continued lines, with where each natural line starts in it. */
interface LogicalLine {
  readonly text: string;
  readonly starts: readonly { readonly offset: number; readonly line: number }[];
}

function* logicalLines(text: string): Generator<LogicalLine> {
  const lines = text.split(/\r\n|\r|\n/);
  let i = 0;
  while (i < lines.length) {
    let current = withoutLeadingBlanks(lines[i] ?? '');
    const starts = [{ offset: 0, line: i + 1 }];
    i += 1;
    if (current === '' || current.startsWith('#') || current.startsWith('!')) continue;
    while (endsWithOddBackslashes(current)) {
      current = current.slice(0, -1);
      if (i >= lines.length) break; // a backslash on the last line: dropped, nothing follows
      starts.push({ offset: current.length, line: i + 1 });
      current += withoutLeadingBlanks(lines[i] ?? '');
      i += 1;
    }
    yield { text: current, starts };
  }
}

function withoutLeadingBlanks(line: string): string {
  let i = 0;
  while (i < line.length && BLANK.has(line[i] as string)) i += 1;
  return line.slice(i);
}

function endsWithOddBackslashes(line: string): boolean {
  let count = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i -= 1) count += 1;
  return count % 2 === 1;
}

/** Where the key ends and the value starts in a logical line (still escaped). */
function splitKeyValue(text: string): { keyEnd: number; valueStart: number } {
  let keyEnd = 0;
  let valueStart = text.length;
  let separated = false;
  let escaped = false;
  for (; keyEnd < text.length; keyEnd += 1) {
    const c = text[keyEnd] as string;
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      separated = true;
      break;
    }
    if (!escaped && BLANK.has(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
  }
  for (; valueStart < text.length; valueStart += 1) {
    const c = text[valueStart] as string;
    if (BLANK.has(c)) continue;
    if (separated || (c !== '=' && c !== ':')) break;
    separated = true;
  }
  return { keyEnd, valueStart };
}

function unescapeProperty(text: string, from: number, to: number, lineAt: (offset: number) => number): string {
  let out = '';
  let i = from;
  while (i < to) {
    const c = text[i] as string;
    i += 1;
    if (c !== '\\') {
      out += c;
      continue;
    }
    if (i >= to) break; // cannot happen after joining lines; kept for safety
    const e = text[i] as string;
    i += 1;
    if (e !== 'u') {
      out += ESCAPES[e] ?? e;
      continue;
    }
    const hex = text.slice(i, Math.min(i + 4, to));
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
      throw new PropertiesSyntaxError(lineAt(i - 2), 'malformed \\uXXXX escape (expected four hexadecimal digits after \\u)');
    }
    out += String.fromCharCode(Number.parseInt(hex, 16));
    i += 4;
  }
  return out;
}

function lineOf(logical: LogicalLine, offset: number): number {
  let line = logical.starts[0]?.line ?? 1;
  for (const start of logical.starts) if (start.offset <= offset) line = start.line;
  return line;
}
