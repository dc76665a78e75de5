import { expect } from 'chai';
import {
  cleanName,
  cleanNameUnicode,
  length,
  NAME_LIMIT,
  nameKey,
  nameKeyUnicode,
  truncate,
  type CharacterSet,
} from '../../../src/desired/names.js';

/** The ASCII fast paths of names.ts must give exactly what the general (Unicode) paths give. */

const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, n) => String.fromCharCode(0x20 + n)).join('');
const CHARSETS: readonly CharacterSet[] = ['utf8mb4', 'utf8mb3'];
const LIMITS = [NAME_LIMIT, 0, 1, 2, 5, 17, 40];

/** Deterministic pseudo-random numbers (a 32-bit LCG), so every run checks the same strings. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Strings of `alphabet` (spaces made common), lengths 0–`maxLength`. */
function generate(count: number, alphabet: readonly string[], maxLength: number, seed: number): string[] {
  const next = random(seed);
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const size = Math.floor(next() * (maxLength + 1));
    let s = '';
    for (let i = 0; i < size; i++) s += next() < 0.2 ? ' ' : (alphabet[Math.floor(next() * alphabet.length)] as string);
    out.push(s);
  }
  return out;
}

const EDGE_CASES = [
  '',
  ' ',
  '  ',
  'a',
  'A',
  ' a',
  'a ',
  'a  ',
  '  a  ',
  'a  b',
  'a   b   c   ',
  'Web-Server',
  'WEB-server ',
  'web (i-0123456789abcdef0)',
  'ip-10-0-3-17.ec2.internal',
  '~!@#$%^&*()_+`-=[]{}|;\':",./<>?\\',
  'x'.repeat(NAME_LIMIT),
  'x'.repeat(NAME_LIMIT + 1),
  `${'x'.repeat(NAME_LIMIT - 1)} y`,
  `${'y'.repeat(NAME_LIMIT - 2)}  z`,
  `${' '.repeat(NAME_LIMIT + 5)}q`,
  ' '.repeat(300),
  'MiXeD CaSe   With   Runs   ',
  PRINTABLE,
  PRINTABLE.split('').reverse().join(''),
];

/** Every printable ASCII string of at most two characters, the edge cases, and 20,000 generated ones. */
function asciiSamples(): string[] {
  const samples = ['', ...PRINTABLE];
  for (const a of PRINTABLE) for (const b of PRINTABLE) samples.push(a + b);
  const words = ['web', 'API', 'db', 'Prod', 'k8s', 'node', '-', '_', '.', '(', ')', '/', 'i-0abc', 'EU-West-1', '  '];
  return [
    ...samples,
    ...EDGE_CASES,
    ...generate(10_000, [...PRINTABLE], 200, 1),
    ...generate(10_000, words, 40, 2),
  ];
}

/** Not printable ASCII (so they take the general path): the dispatch must not send them to the fast path. */
const OTHER_CHARS = ['\t', '\n', '\r', '\x7f', '\x00', '\u00a0', '\u2028', 'é', 'E\u0301', 'ß', 'ſ', 'ı', 'µ', 'ﬁ', '\u0345', '😀', '\ud800', '\udc00', 'İ'];

describe('names: ASCII fast paths', () => {
  const ascii = asciiSamples();

  it(`cleanName equals the general path on ${ascii.length} printable ASCII strings (both charsets, several limits)`, () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const text of ascii) {
      for (const charset of CHARSETS) {
        if (cleanName(text, charset) !== cleanNameUnicode(text, charset)) mismatches.push(`${JSON.stringify(text)} ${charset}`);
        for (const limit of LIMITS) {
          if (cleanName(text, charset, limit) !== cleanNameUnicode(text, charset, limit)) mismatches.push(`${JSON.stringify(text)} ${charset} limit ${limit}`);
          checked++;
        }
      }
    }
    expect(mismatches).to.deep.equal([]);
    expect(checked).to.equal(ascii.length * CHARSETS.length * LIMITS.length);
  });

  it(`nameKey equals the general path on ${ascii.length} printable ASCII strings`, () => {
    expect(ascii.filter((text) => nameKey(text) !== nameKeyUnicode(text))).to.deep.equal([]);
  });

  it('nameKey folds case and drops trailing spaces only', () => {
    expect(nameKey('Web-Server  ')).to.equal('web-server');
    expect(nameKey('  Web  Server')).to.equal('  web  server');
    expect(nameKey('')).to.equal('');
    expect(nameKey('   ')).to.equal('');
  });

  it('strings with other characters still give what the general path gives', () => {
    const mixed = [
      ...OTHER_CHARS,
      ...OTHER_CHARS.map((c) => `Web ${c} Server  `),
      ...generate(5_000, [...'abcXYZ -.', ...OTHER_CHARS], 150, 3),
    ];
    const mismatches: string[] = [];
    for (const text of mixed) {
      if (nameKey(text) !== nameKeyUnicode(text)) mismatches.push(`nameKey ${JSON.stringify(text)}`);
      for (const charset of CHARSETS) {
        for (const limit of LIMITS) {
          if (cleanName(text, charset, limit) !== cleanNameUnicode(text, charset, limit))
            mismatches.push(`cleanName ${JSON.stringify(text)} ${charset} ${limit}`);
        }
      }
    }
    expect(mismatches).to.deep.equal([]);
  });

  it('truncate and length count code points as before, with and without surrogates', () => {
    const referenceTruncate = (text: string, limit: number): string => {
      const chars = [...text];
      return chars.length <= limit ? text : chars.slice(0, limit).join('');
    };
    const texts = [
      ...EDGE_CASES,
      'é'.repeat(200),
      '😀'.repeat(70),
      `a😀b${'c'.repeat(130)}`,
      '\ud800abc',
      'abc\udc00',
      ...generate(2_000, [...'ab -', '😀', 'é', '\ud800'], 160, 4),
    ];
    const mismatches: string[] = [];
    for (const text of texts) {
      if (length(text) !== [...text].length) mismatches.push(`length ${JSON.stringify(text)}`);
      for (const limit of [...LIMITS, 3, 127, 129, -1, -5, 2.5, Number.NaN, Infinity]) {
        if (truncate(text, limit) !== referenceTruncate(text, limit)) mismatches.push(`truncate ${JSON.stringify(text)} ${limit}`);
      }
    }
    expect(mismatches).to.deep.equal([]);
  });
});
