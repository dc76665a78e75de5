import { expect } from 'chai';
import { parseFilters } from '../../../src/config/filters.js';

describe('parseFilters', () => {
  const good: { text: string; expected: { Name: string; Values: string[] }[] }[] = [
    {
      text: 'tag:Environment=prod,staging;instance-state-name=running',
      expected: [
        { Name: 'tag:Environment', Values: ['prod', 'staging'] },
        { Name: 'instance-state-name', Values: ['running'] },
      ],
    },
    { text: ' vpc-id = vpc-1 , vpc-2 ; ', expected: [{ Name: 'vpc-id', Values: ['vpc-1', 'vpc-2'] }] },
    { text: 'tag:Team=a\\,b,c', expected: [{ Name: 'tag:Team', Values: ['a,b', 'c'] }] },
    { text: 'tag:k\\=x=v\\;w', expected: [{ Name: 'tag:k=x', Values: ['v;w'] }] },
    { text: 'tag:Name=web-*', expected: [{ Name: 'tag:Name', Values: ['web-*'] }] },
    { text: 'tag-key=kcm:organize', expected: [{ Name: 'tag-key', Values: ['kcm:organize'] }] },
    { text: 'tag:Owner=a=b', expected: [{ Name: 'tag:Owner', Values: ['a=b'] }] },
  ];
  for (const { text, expected } of good) {
    it(`parses ${JSON.stringify(text)}`, () => expect(parseFilters(text)).to.deep.equal({ filters: expected }));
  }

  const bad: { text: string; problem: RegExp }[] = [
    { text: 'running', problem: /"running" has no "="/ },
    { text: 'Instance State=running', problem: /not an EC2 filter name/ },
    { text: 'vpc-id=', problem: /"vpc-id" has no value/ },
    { text: 'vpc-id=a;vpc-id=b', problem: /given twice/ },
    { text: ' ; ', problem: /names no filter/ },
  ];
  for (const { text, problem } of bad) {
    it(`rejects ${JSON.stringify(text)}`, () => expect(parseFilters(text)).to.have.property('problem').that.matches(problem));
  }
});
