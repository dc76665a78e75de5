import { expect } from 'chai';
import { createLogger, textLine } from '../../../src/shared/logger.js';

/** A message and a field as EC2 data can carry them: NUL, newline, carriage return, tab, an ANSI colour escape. */
const HOSTILE = 'key\u0000name\nFAKE 2026-01-01 ERROR forged\r\u001b[31mred\u001b[0m\tend';
const VISIBLE = 'key\\u0000name\\nFAKE 2026-01-01 ERROR forged\\r\\u001b[31mred\\u001b[0m\\tend';

/** What the logger writes to stdout while `fn` runs. */
function captureStdout(fn: () => void): string {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += chunk.toString()), true)) as never;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

function line(message: string, fields: Record<string, unknown> = {}): string {
  return textLine({ level: 'warn', message, timestamp: '2026-12-06T00:00:00.000Z', ...fields });
}

describe('text log lines', function () {
  it('show control characters in the message as visible escapes, on one line', function () {
    const text = line(`no key file for ${HOSTILE}`);
    expect(text).to.equal(`2026-12-06T00:00:00.000Z WARN no key file for ${VISIBLE}`);
    expect(text).to.not.match(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('quote a field value holding controls, spaces, = or quotes, so it cannot pose as another field', function () {
    const text = line('no key file', { keyName: HOSTILE, tag: 'a b level=error', quoted: 'say "hi" \\ bye', empty: '' });
    expect(text).to.equal(
      `2026-12-06T00:00:00.000Z WARN no key file keyName="${VISIBLE}" tag="a b level=error" quoted="say \\"hi\\" \\\\ bye" empty=""`,
    );
    expect(text.split('\n')).to.have.length(1);
  });

  it('leave plain words, accents, emoji and numbers as they are', function () {
    expect(line('listed', { region: 'eu-west-1', name: 'café-😀', count: 3, ok: true })).to.equal(
      '2026-12-06T00:00:00.000Z WARN listed region=eu-west-1 name=café-😀 count=3 ok=true',
    );
  });

  it('escape C1 controls, line separators, bidi overrides and lone surrogates in nested values too', function () {
    const text = line('tags', { tags: { Name: 'a\u009bb\u2028c\u202ed\ud800' } });
    expect(text).to.equal('2026-12-06T00:00:00.000Z WARN tags tags={"Name":"a\\u009bb\\u2028c\\u202ed\\ud800"}');
  });

  it('through the root logger (format text): one line on stdout', function () {
    const logger = createLogger({ level: 'info', format: 'text' });
    const out = captureStdout(() => logger.warn(`no key file for ${HOSTILE}`, { keyName: HOSTILE }));
    expect(out.trimEnd().split('\n')).to.have.length(1);
    expect(out).to.include(`WARN no key file for ${VISIBLE} keyName="${VISIBLE}"`);
    expect(out).to.not.include('\u001b');
  });

  it('JSON lines escape the same text (JSON.stringify) and read back unchanged', function () {
    const logger = createLogger({ level: 'info', format: 'json' });
    const out = captureStdout(() => logger.warn(`no key file for ${HOSTILE}`, { keyName: HOSTILE, half: 'x\ud800' }));
    const lines = out.trimEnd().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.not.match(/[\u0000-\u001f]/);
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(parsed).to.include({ message: `no key file for ${HOSTILE}`, keyName: HOSTILE, level: 'warn' });
  });
});
