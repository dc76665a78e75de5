import { expect } from 'chai';
import { describeMysqlCollation } from '../../../src/store/dialect/mysql-collation.js';
import { describePostgresCollation } from '../../../src/store/dialect/postgres-collation.js';
import {
  DEFAULT_NAME_COLLATION,
  nameKeyFor,
  ucaKeyWithoutPunctuation,
  ucaNameKey,
  ucaNameKeyUnicode,
  type NameCollation,
} from '../../../src/desired/name-fold.js';
import { nameKey } from '../../../src/desired/names.js';

/** The pure side of name collations: what a collation's name says, and the key functions. The servers: test/hostile/name-collation.test.ts. */

describe('describeMysqlCollation', function () {
  const rows: readonly [string, Partial<NameCollation>][] = [
    ['utf8mb3_general_ci', { family: 'general', padSpace: true, supplementaryAsReplacement: false, covered: true }],
    ['utf8_general_ci', { family: 'general', covered: true }],
    ['utf8mb4_general_ci', { family: 'general', supplementaryAsReplacement: true }],
    ['utf8mb4_general_nopad_ci', { family: 'general', padSpace: false }],
    ['utf8mb4_unicode_ci', { family: 'unicode', supplementaryAsReplacement: true, covered: true, caseSensitive: false }],
    ['utf8mb4_unicode_520_ci', { family: 'unicode', supplementaryAsReplacement: false, covered: true }],
    ['utf8mb4_uca1400_ai_ci', { family: 'uca', caseSensitive: false, accentSensitive: false, padSpace: true, covered: true }],
    ['utf8mb4_uca1400_as_ci', { family: 'uca', caseSensitive: false, accentSensitive: true }],
    ['utf8mb4_uca1400_ai_cs', { family: 'uca', caseSensitive: true, accentSensitive: false }],
    ['utf8mb4_uca1400_nopad_as_cs', { family: 'uca', caseSensitive: true, accentSensitive: true, padSpace: false }],
    ['utf8mb4_0900_ai_ci', { family: 'unicode', padSpace: false, covered: false }],
    ['utf8mb4_german2_ci', { family: 'unicode', covered: false }],
    ['utf8mb4_uca1400_swedish_ai_ci', { family: 'uca', covered: false }],
    ['utf8mb4_bin', { family: 'binary', padSpace: true, caseSensitive: true }],
    ['utf8mb4_nopad_bin', { family: 'binary', padSpace: false }],
    ['latin1_swedish_ci', { family: 'unicode', covered: false }],
  ];
  for (const [name, expected] of rows) {
    it(name, function () {
      expect(describeMysqlCollation(name)).to.include({ name, ...expected });
    });
  }
});

describe('describePostgresCollation', function () {
  const rows: readonly [Record<string, unknown>, Partial<NameCollation>][] = [
    [{ collname: 'default', collprovider: 'd', collisdeterministic: true }, { family: 'deterministic' }],
    [{ collname: 'C', collprovider: 'c', collisdeterministic: true, collcollate: 'C' }, { family: 'deterministic' }],
    [
      { collname: 'ci', collprovider: 'i', collisdeterministic: false, colliculocale: 'und-u-ks-level2' },
      { family: 'nondeterministic', caseSensitive: false, accentSensitive: true, covered: true, locale: 'und-u-ks-level2' },
    ],
    [
      { collname: 'ai', collprovider: 'i', collisdeterministic: false, colllocale: 'und-u-ks-level1-ka-shifted' },
      { family: 'nondeterministic', accentSensitive: false, ignoresPunctuation: true },
    ],
    [
      { collname: 'old', collprovider: 'i', collisdeterministic: false, collcollate: 'und@colStrength=primary' },
      { family: 'nondeterministic', caseSensitive: false, accentSensitive: false },
    ],
    [
      { collname: 'l3', collprovider: 'i', collisdeterministic: false, colliculocale: 'und' },
      { caseSensitive: true, accentSensitive: true },
    ],
    [
      { collname: 'kc', collprovider: 'i', collisdeterministic: false, colliculocale: 'und-u-kc-ks-level1' },
      { caseSensitive: true, accentSensitive: false },
    ],
    [{ collname: 'de', collprovider: 'i', collisdeterministic: false, colliculocale: 'de-u-co-phonebk-ks-level1' }, { covered: false }],
  ];
  for (const [row, expected] of rows) {
    it(String(row.collname), function () {
      expect(describePostgresCollation(row)).to.include(expected);
    });
  }
});

describe('nameKeyFor', function () {
  const uca1400 = describeMysqlCollation('utf8mb4_uca1400_ai_ci');

  it('keeps nameKey for general_ci and deterministic PostgreSQL collations', function () {
    expect(nameKeyFor(DEFAULT_NAME_COLLATION)).to.equal(nameKey);
    expect(nameKeyFor(describeMysqlCollation('utf8mb3_general_ci'))).to.equal(nameKey);
    expect(nameKeyFor(describePostgresCollation({ collname: 'default', collisdeterministic: true }))).to.equal(nameKey);
    const utf8mb4 = nameKeyFor(describeMysqlCollation('utf8mb4_general_ci'));
    for (const name of ['Straße', 'web\u200b', 'Ｗｅｂ', 'café ', 'σοφός', 'İ']) expect(utf8mb4(name)).to.equal(nameKey(name));
    expect(utf8mb4('web😀')).to.equal(utf8mb4('web🎉')); // utf8mb4_general_ci weighs every 4-byte character as U+FFFD
  });

  it('folds what uca1400 folds: expansions, ignorables, case, accents, trailing spaces', function () {
    const key = nameKeyFor(uca1400);
    const same = [
      ['Straße', 'Strasse'],
      ['web', 'web\u200b'],
      ['web', 'we\u00adb'],
      ['Æsir', 'aesir'],
      ['ﬁle', 'FILE'],
      ['café', 'Cafe'],
      ['web ', 'web'],
      ['Ｗｅｂ', 'web'],
    ];
    for (const [a, b] of same) expect(key(a as string), `${a} / ${b}`).to.equal(key(b as string));
    expect(key('web-1')).to.not.equal(key('web1'));
    expect(key('Strasse')).to.not.equal(key('Strase'));
  });

  it('drops punctuation and spaces for ICU alternate = shifted, keeps it otherwise', function () {
    const shifted = nameKeyFor(
      describePostgresCollation({ collname: 's', collprovider: 'i', collisdeterministic: false, colliculocale: 'und-u-ks-level1-ka-shifted' }),
    );
    expect(shifted('Web-1')).to.equal(shifted('web 1')).and.to.equal(shifted('web1'));
    expect(shifted('Web‐1 (é)')).to.equal('web1e');
  });

  it('binary collations fold trailing spaces only', function () {
    const key = nameKeyFor(describeMysqlCollation('utf8mb4_bin'));
    expect(key('Web ')).to.equal('Web');
    expect(key('Web')).to.not.equal(key('web'));
  });

  it('the ASCII fast paths give what the general paths give', function () {
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, n) => String.fromCharCode(0x20 + n));
    let state = 7;
    const next = (): number => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let n = 0; n < 3000; n++) {
      let s = '';
      const size = Math.floor(next() * 30);
      for (let i = 0; i < size; i++) s += next() < 0.2 ? ' ' : printable[Math.floor(next() * printable.length)];
      expect(ucaNameKey(s), JSON.stringify(s)).to.equal(ucaNameKeyUnicode(s));
      // 'é' forces the general path and folds to 'e'.
      expect(ucaKeyWithoutPunctuation(s) + 'e', JSON.stringify(s)).to.equal(ucaKeyWithoutPunctuation(`${s}é`));
    }
  });
});
