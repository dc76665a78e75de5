/**
 * Characters that can cut, forge or hide a line when text from EC2 (a KeyName, a tag, an error message) is printed to
 * a log or a terminal: C0 controls (NUL, newline, ESC…), DEL, C1 controls, the Unicode line and paragraph separators,
 * the bidirectional overrides, and lone surrogates (half a character, which no UTF-8 encoder can write).
 */
const UNSAFE = new RegExp(
  [
    '[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]', // controls, bidi marks
    '[\\ud800-\\udbff](?![\\udc00-\\udfff])', // a high surrogate alone
    '(?<![\\ud800-\\udbff])[\\udc00-\\udfff]', // a low surrogate alone
  ].join('|'),
  'g',
);

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Pure: `text` with each unsafe character made visible: `\n`, `\r`, `\t`, `\u0000`-style escapes for the other
 * controls, U+FFFD for a lone surrogate. Everything else (accents, CJK, emoji, backslashes) is left as it is.
 */
export function visibleText(text: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, (c) => {
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) return short;
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) return '\uFFFD';
    return `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
