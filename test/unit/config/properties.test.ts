import { expect } from 'chai';
import { parseProperties, PropertiesSyntaxError, readPropertyEntries } from '../../../src/config/properties.js';

/** Each rule of java.util.Properties.load, as text in and key/value pairs out. */
const cases: { rule: string; text: string; expected: [string, string][] }[] = [
  { rule: 'key=value', text: 'a=b', expected: [['a', 'b']] },
  { rule: 'key:value', text: 'a:b', expected: [['a', 'b']] },
  { rule: 'key value (blank separator)', text: 'a b', expected: [['a', 'b']] },
  { rule: 'tab and form feed separate too', text: 'a\tb\nc\fd', expected: [['a', 'b'], ['c', 'd']] },
  { rule: 'blanks around = are skipped', text: 'a  =  b', expected: [['a', 'b']] },
  { rule: 'blanks around : are skipped', text: 'a\t:\tb', expected: [['a', 'b']] },
  { rule: 'only the first separator counts', text: 'a = = b', expected: [['a', '= b']] },
  { rule: 'a second separator is part of the value', text: 'a==b', expected: [['a', '=b']] },
  { rule: 'colon after = is part of the value', text: 'url=jdbc:postgresql://h:5432/db', expected: [['url', 'jdbc:postgresql://h:5432/db']] },
  { rule: 'trailing blanks of the value are kept', text: 'a=b  ', expected: [['a', 'b  ']] },
  { rule: 'leading blanks of a line are skipped', text: '   a=b', expected: [['a', 'b']] },
  { rule: 'a key alone has an empty value', text: 'a', expected: [['a', '']] },
  { rule: 'a key and separator alone have an empty value', text: 'a=', expected: [['a', '']] },
  { rule: 'a key and blanks alone have an empty value', text: 'a   ', expected: [['a', '']] },
  { rule: 'an empty key', text: '=b', expected: [['', 'b']] },
  { rule: '# comments', text: '# a=b\nc=d', expected: [['c', 'd']] },
  { rule: '! comments', text: '! a=b\nc=d', expected: [['c', 'd']] },
  { rule: 'comments after leading blanks', text: '  \t# a=b\n\t! c=d', expected: [] },
  { rule: '# inside a value is not a comment', text: 'a=b # c', expected: [['a', 'b # c']] },
  { rule: 'a comment is never continued', text: '# a \\\nb=c', expected: [['b', 'c']] },
  { rule: 'blank lines are skipped', text: '\n  \n\t\f\na=b\n\n', expected: [['a', 'b']] },
  { rule: 'LF line endings', text: 'a=1\nb=2', expected: [['a', '1'], ['b', '2']] },
  { rule: 'CRLF line endings', text: 'a=1\r\nb=2\r\n', expected: [['a', '1'], ['b', '2']] },
  { rule: 'CR line endings', text: 'a=1\rb=2\r', expected: [['a', '1'], ['b', '2']] },
  { rule: 'continuation drops the leading blanks of the next line', text: 'a=one, \\\n    two', expected: [['a', 'one, two']] },
  { rule: 'continuation over several lines', text: 'a=1\\\n 2\\\n\t3\nb=4', expected: [['a', '123'], ['b', '4']] },
  { rule: 'continuation with CRLF', text: 'a=1\\\r\n  2\r\nb=3', expected: [['a', '12'], ['b', '3']] },
  { rule: 'continuation inside a key', text: 'aws-\\\n  discovery=x', expected: [['aws-discovery', 'x']] },
  { rule: 'a continued line starting with # is not a comment', text: 'a=1\\\n#2', expected: [['a', '1#2']] },
  { rule: 'an empty continuation line ends the entry', text: 'a=1\\\n\nb=2', expected: [['a', '1'], ['b', '2']] },
  { rule: 'a continuation at the end of the text is dropped', text: 'a=1\\', expected: [['a', '1']] },
  { rule: 'an even number of trailing backslashes does not continue', text: 'a=1\\\\\nb=2', expected: [['a', '1\\'], ['b', '2']] },
  { rule: 'three trailing backslashes continue', text: 'a=1\\\\\\\n2', expected: [['a', '1\\2']] },
  { rule: '\\t \\n \\r \\f escapes', text: 'a=\\t\\n\\r\\f', expected: [['a', '\t\n\r\f']] },
  { rule: '\\\\ escape', text: 'path=C:\\\\temp', expected: [['path', 'C:\\temp']] },
  { rule: '\\= \\: \\# \\! in a key', text: 'a\\=b\\:c\\#d\\!e=f', expected: [['a=b:c#d!e', 'f']] },
  { rule: 'escaped blank in a key', text: 'my\\ key = v', expected: [['my key', 'v']] },
  { rule: 'escaped leading blank of a value is kept', text: 'a = \\  b', expected: [['a', '  b']] },
  { rule: '\\# at the start of a line is a key, not a comment', text: '\\#a=b', expected: [['#a', 'b']] },
  { rule: '\\uXXXX escapes', text: 'a=caf\\u00e9 \\u00C9', expected: [['a', 'café É']] },
  { rule: '\\uXXXX surrogate pair', text: 'a=\\uD83D\\uDE00', expected: [['a', '\u{1F600}']] },
  { rule: '\\uXXXX in a key', text: '\\u0061=b', expected: [['a', 'b']] },
  { rule: 'a backslash before another character is dropped', text: 'a=\\q\\x\\y', expected: [['a', 'qxy']] },
  { rule: 'later duplicate keys win', text: 'a=1\nb=2\na=3', expected: [['a', '3'], ['b', '2']] },
  { rule: 'keys are case sensitive', text: 'A=1\na=2', expected: [['A', '1'], ['a', '2']] },
  { rule: 'non-ASCII text stays as it is', text: 'a=Büro ✓', expected: [['a', 'Büro ✓']] },
  { rule: 'empty text', text: '', expected: [] },
];

describe('parseProperties', () => {
  for (const { rule, text, expected } of cases) {
    it(`reads ${rule}`, () => {
      expect([...parseProperties(text)]).to.deep.equal(expected);
    });
  }

  it('reads a realistic guacamole.properties, keys of other extensions included', () => {
    const text = [
      '# Guacamole configuration',
      '#',
      'guacd-hostname: localhost',
      'guacd-port:     4822',
      '',
      '! PostgreSQL (guacamole-auth-jdbc-postgresql)',
      'postgresql-hostname = db.internal',
      'postgresql-port = 5432',
      'postgresql-database = guacamole_db',
      'postgresql-username = guacamole_user',
      'postgresql-password = s3cr\\u00e9t=with:separators',
      'postgresql-ssl-mode = require',
      '',
      '# Session recordings (guacamole-history-recording-storage)',
      'recording-search-path: /var/lib/guacamole/recordings',
      '',
      '# EC2 discovery',
      'aws-discovery-regions = us-east-1, \\',
      '                        eu-west-1',
      'aws-discovery-instance-base-path = Amazon EC2/Production',
      'ldap-search-bind-password = \\#not-a-comment',
      '',
    ].join('\r\n');
    expect(Object.fromEntries(parseProperties(text))).to.deep.equal({
      'guacd-hostname': 'localhost',
      'guacd-port': '4822',
      'postgresql-hostname': 'db.internal',
      'postgresql-port': '5432',
      'postgresql-database': 'guacamole_db',
      'postgresql-username': 'guacamole_user',
      'postgresql-password': 's3cr\u00e9t=with:separators',
      'postgresql-ssl-mode': 'require',
      'recording-search-path': '/var/lib/guacamole/recordings',
      'aws-discovery-regions': 'us-east-1, eu-west-1',
      'aws-discovery-instance-base-path': 'Amazon EC2/Production',
      'ldap-search-bind-password': '#not-a-comment',
    });
  });
});

describe('readPropertyEntries', () => {
  it('gives the line where each entry starts, duplicates included', () => {
    const text = '# c\na=1\n\nb=2\\\n  3\nc=4\na=5';
    expect(readPropertyEntries(text)).to.deep.equal([
      { key: 'a', value: '1', line: 2 },
      { key: 'b', value: '23', line: 4 },
      { key: 'c', value: '4', line: 6 },
      { key: 'a', value: '5', line: 7 },
    ]);
  });

  const errors: { title: string; text: string; line: number }[] = [
    { title: 'too few hex digits', text: 'a=1\nb=\\u12', line: 2 },
    { title: 'a non-hex digit', text: 'a=\\u12G4', line: 1 },
    { title: '\\u at the end of a key', text: '\n\nkey\\u=v', line: 3 },
    { title: 'a bad escape on a continuation line', text: 'a=1\\\n  2\\\n  \\uZZZZ\nb=2', line: 3 },
    { title: 'a bad escape after CR line endings', text: 'a=1\rb=2\r\rc=\\u', line: 4 },
  ];
  for (const { title, text, line } of errors) {
    it(`reports a malformed \\uXXXX escape (${title}) with its line number`, () => {
      let caught: unknown;
      try {
        readPropertyEntries(text);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(PropertiesSyntaxError);
      const error = caught as PropertiesSyntaxError;
      expect(error.line).to.equal(line);
      expect(error.message).to.match(new RegExp(`^line ${line}: malformed \\\\uXXXX escape`));
      expect(error.name).to.equal('PropertiesSyntaxError');
    });
  }

  it('never puts the offending text in the error message', () => {
    expect(() => parseProperties('postgresql-password = TopSecret\\u12'))
      .to.throw(PropertiesSyntaxError)
      .that.satisfies((e: Error) => !e.message.includes('TopSecret'));
  });
});
