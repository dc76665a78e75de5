import { expect } from 'chai';
import { parseAssumeRoles } from '../../../src/config/accounts.js';
import { parseConfig } from '../../../src/config/config.js';
import { ConfigError } from '../../../src/shared/errors.js';

const NAME = 'AWS_DISCOVERY_ASSUME_ROLES';
const ROLE = 'arn:aws:iam::222222222222:role/Discovery';
/** Parts of the external ids below: none may appear in any problem, not even a piece of one. */
const SECRET_PARTS = ['Zq7', 'Xw9', 'Kp4', 'Vb2'];

/** Malformed entries that carry an external id (or a piece of one), and the words their problem must contain. */
const MALFORMED: readonly [string, string, RegExp][] = [
  ['bad ARN (short account) with an id', 'arn:aws:iam::12345:role/Short|Zq7-Xw9-Kp4', /entry 1 is not an IAM role ARN/],
  ['user ARN with an id', 'arn:aws:iam::222222222222:user/alice|Zq7Xw9Kp4Vb2', /entry 1 is not an IAM role ARN/],
  ['empty role with an id', '|Zq7Xw9Kp4Vb2', /entry 1 is not an IAM role ARN: nothing before "\|"/],
  ['id before the ARN', 'Zq7Xw9Kp4Vb2|' + ROLE, /entry 1 is not an IAM role ARN: it does not start with "arn:"/],
  ['too many bars', `${ROLE}|Zq7Xw9|Kp4Vb2`, /entry 1 has more than one "\|"/],
  ['a bar in the ARN part', `arn:aws:iam::222222222222:role/Zq7|Xw9|Kp4Vb2`, /entry 1 has more than one "\|"/],
  ['an id with spaces (split into entries)', `${ROLE}|Zq7Xw9 Kp4Vb2`, /entry 2 is not an IAM role ARN: it does not start with "arn:".*cannot contain spaces/],
  ['an id split at a comma before arn:', `${ROLE}|Zq7Xw9,arn:Kp4Vb2`, /entry 2 is not an IAM role ARN \(/],
  ['an id with a character outside the set', `${ROLE}|Zq7#Xw9Kp4Vb2`, /entry 1 has an external id that is not 2 to 1224 characters/],
  ['an id too short', `${ROLE}|Z`, /entry 1 has an external id that is not/],
  ['an id too long', `${ROLE}|${'Zq7Xw9Kp4Vb2'.repeat(103)}`, /entry 1 has an external id that is not/],
  ['a control character in the id', `${ROLE}|Zq7\u0000Xw9Kp4Vb2`, /entry 1 has an external id that is not/],
  ['self with an id', 'self|Zq7Xw9Kp4Vb2', /entry 1 is not an IAM role ARN: it does not start with "arn:"/],
  [
    'an id alone after spaces around the bar',
    `${ROLE} | Zq7Xw9Kp4Vb2`,
    /entry 2 is not an IAM role ARN: nothing before "\|".*\n.*entry 3 is not an IAM role ARN/,
  ],
  [
    'the same account twice, each with an id',
    `${ROLE}|Zq7Xw9Kp4Vb2 arn:aws:iam::222222222222:role/Zq7Other|Kp4Vb2Xw9`,
    /an account is named twice \(entries 1 and 2\)/,
  ],
];

describe('AWS_DISCOVERY_ASSUME_ROLES problems never echo an external id', function () {
  for (const [title, value, expected] of MALFORMED) {
    it(`${title}: names the entry, quotes nothing of it`, function () {
      const parsed = parseAssumeRoles(NAME, value);
      expect(parsed).to.have.property('problems');
      const text = (parsed as { problems: string[] }).problems.join('\n');
      expect(text).to.match(expected);
      for (const part of SECRET_PARTS) expect(text).to.not.include(part);
      expect(text.split('\n').every((line) => line.startsWith(`${NAME}:`))).to.equal(true);
    });
  }

  it('through parseConfig too: the ConfigError holds none of it', function () {
    try {
      parseConfig({
        AWS_DISCOVERY_REGIONS: 'us-east-1',
        AWS_DISCOVERY_ASSUME_ROLES: `self ${ROLE}|Zq7Xw9 Kp4Vb2 |Vb2Kp4`,
        POSTGRESQL_DATABASE: 'g',
        POSTGRESQL_USERNAME: 'u',
        POSTGRESQL_PASSWORD: 'p',
      });
      expect.fail('parseConfig accepted a malformed value');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const text = `${(err as ConfigError).message}\n${(err as ConfigError).problems.join('\n')}`;
      expect(text).to.include(NAME);
      for (const part of SECRET_PARTS) expect(text).to.not.include(part);
    }
  });

  it('a well-formed value still parses, keeping the external id for the secrets', function () {
    expect(parseAssumeRoles(NAME, `self,${ROLE}|Zq7,Xw9`)).to.deep.equal({
      accounts: [{ kind: 'self' }, { kind: 'role', roleArn: ROLE, accountId: '222222222222', hasExternalId: true }],
      externalIds: { [ROLE]: 'Zq7,Xw9' },
    });
  });
});
