import { expect } from 'chai';
import { storableSummary, storableText } from '../../../src/status/storable-text.js';

describe('storableText', function () {
  const cases: readonly { name: string; text: string; limit: number; expected: string }[] = [
    { name: 'plain text unchanged', text: 'no key file for web-1', limit: 100, expected: 'no key file for web-1' },
    { name: 'NUL and controls as visible escapes', text: 'a\u0000b\nc\rd\te\u001b[0mf\u007f', limit: 100, expected: 'a\\u0000b\\nc\\rd\\te\\u001b[0mf\\u007f' },
    { name: 'lone surrogates as U+FFFD', text: 'x\ud800y\udc00z', limit: 100, expected: 'x\uFFFDy\uFFFDz' },
    { name: '4-byte characters as U+FFFD, 3-byte kept', text: 'ok 😀 𝄞 é 日本', limit: 100, expected: 'ok \uFFFD \uFFFD é 日本' },
    { name: 'cut to the limit with an ellipsis', text: 'abcdefghij', limit: 5, expected: 'abcd…' },
    { name: 'an escape is never cut in half', text: 'abc\u0000', limit: 7, expected: 'abc…' },
    { name: 'the length counts escapes', text: 'ab\u0000', limit: 8, expected: 'ab\\u0000' },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const got = storableText(c.text, c.limit);
      expect(got).to.equal(c.expected);
      expect(got.length).to.be.at.most(c.limit);
    });
  }

  it('a very long text fits in characters, whatever it holds', function () {
    const got = storableText('😀\u0000'.repeat(5000), 1000);
    expect(got.length).to.be.within(995, 1000); // an escape at the end is dropped whole
    expect([...got]).to.have.length(got.length); // characters, as varchar counts them
    expect(got.endsWith('\uFFFD…')).to.equal(true);
    expect(got).to.not.match(/[\u0000-\u001f]|[\ud800-\udfff]/);
  });
});

describe('storableSummary', function () {
  it('a small summary: its JSON, with storable strings', function () {
    const json = storableSummary({ created: 2, ok: false, error: 'bad\u0000key 😀', failedRegions: ['eu-west-1'] }, 4000);
    expect(JSON.parse(json)).to.deep.equal({ created: 2, ok: false, error: 'bad\\u0000key \uFFFD', failedRegions: ['eu-west-1'] });
  });

  it('a summary too long still parses and fits: lists shortened and counted, counts kept', function () {
    const failedRegions = Array.from({ length: 900 }, (_, i) => `${String(100000000000 + i)}/eu-west-1`);
    const instancesByRegion = Object.fromEntries(failedRegions.map((r, i) => [r, i]));
    const json = storableSummary({ created: 7, failedRegions, instancesByRegion, error: 'e\u0000'.repeat(3000) }, 4000);
    expect(json.length).to.be.at.most(4000);
    const parsed = JSON.parse(json) as { created: number; failedRegions: string[]; error: string };
    expect(parsed.created).to.equal(7);
    expect(parsed.failedRegions[0]).to.equal('100000000000/eu-west-1');
    expect(parsed.failedRegions.at(-1)).to.match(/^… \d+ more$/);
    expect(parsed.error.endsWith('…')).to.equal(true);
  });

  it('as a last resort, only numbers and flags, marked truncated', function () {
    const json = storableSummary({ created: 1, dryRun: false, notes: Array.from({ length: 10 }, () => 'x'.repeat(60)) }, 60);
    expect(JSON.parse(json)).to.deep.equal({ created: 1, dryRun: false, truncated: true });
  });
});
