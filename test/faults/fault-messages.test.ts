import { expect } from 'chai';
import { awsErrorHint } from '../../src/discover/aws-errors.js';
import { parseConfig, type Dialect } from '../../src/config/config.js';
import { ConfigError } from '../../src/shared/errors.js';
import { dialectFor } from '../../src/store/dialect/dialect-for.js';
import { DatabaseFaultError, explainTransactionFailure } from '../../src/store/session-limits.js';

describe('fault messages (pure)', function () {
  describe('awsErrorHint names the IAM permission a refused call needs', function () {
    const refused: [string, string][] = [
      ['DescribeInstances', 'ec2:DescribeInstances'],
      ['DescribeImages', 'ec2:DescribeImages'],
      ['GetPasswordData', 'ec2:GetPasswordData'],
      ['GetConsoleOutput', 'ec2:GetConsoleOutput'],
    ];
    for (const [operation, permission] of refused) {
      for (const code of ['UnauthorizedOperation', 'AccessDenied']) {
        it(`${code} from ${operation} → grant ${permission}`, function () {
          expect(awsErrorHint(code, operation, 'eu-west-1')).to.equal(`grant ${permission} to the discovery credentials`);
        });
      }
    }
  });

  describe('awsErrorHint for credentials, regions and transport', function () {
    const rows: [string, string][] = [
      ['AuthFailure', 'credentials were not accepted in ap-south-2'],
      ['SignatureDoesNotMatch', 'check the access key id and secret key'],
      ['RequestExpired', 'have expired'],
      ['ExpiredToken', 'have expired'],
      ['OptInRequired', 'the region ap-south-2 is not enabled for this account'],
      ['ENOTFOUND', 'no EC2 endpoint answers for ap-south-2'],
      ['RequestLimitExceeded', 'throttling'],
      ['ETIMEDOUT', 'did not answer in time'],
      ['TimeoutError', 'did not answer in time'],
      ['MalformedResponse', 'cut or unreadable'],
      ['ECONNREFUSED', 'the endpoint for ap-south-2 refused the connection'],
      ['EAI_AGAIN', 'the DNS lookup of the endpoint for ap-south-2 failed for now'],
      ['ECONNRESET', 'the connection was closed before the answer was complete'],
      ['EHOSTUNREACH', 'no network route to the endpoint for ap-south-2'],
      ['NonAwsErrorPage', 'an error page not from AWS'],
    ];
    for (const [code, words] of rows) {
      it(`${code} → "${words}"`, function () {
        expect(awsErrorHint(code, 'DescribeInstances', 'ap-south-2')).to.include(words);
      });
    }
    it('no hint for a code that speaks for itself, or none', function () {
      expect(awsErrorHint('InvalidParameterValue', 'DescribeInstances', 'us-east-1')).to.equal(undefined);
      expect(awsErrorHint(undefined, 'DescribeInstances', 'us-east-1')).to.equal(undefined);
    });
  });

  describe('explainTransactionFailure', function () {
    const limits = { lockTimeoutSeconds: 7 };
    const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
    const rows: [Dialect, Error, DatabaseFaultError['kind'], string][] = [
      ['postgres', withCode('canceling statement due to lock timeout', '55P03'), 'lock-timeout', 'more than 7 s (AWS_DISCOVERY_DB_LOCK_TIMEOUT)'],
      ['mysql', withCode('Lock wait timeout exceeded; try restarting transaction', 'ER_LOCK_WAIT_TIMEOUT'), 'lock-timeout', 'more than 7 s'],
      ['postgres', withCode('canceling statement due to statement timeout', '57014'), 'statement-timeout', 'longer than 28 s'],
      ['mysql', withCode('Query execution was interrupted (max_statement_time exceeded)', 'ER_STATEMENT_TIMEOUT'), 'statement-timeout', 'longer than 28 s'],
      ['postgres', withCode('deadlock detected', '40P01'), 'deadlock', 'victim of a deadlock'],
      ['mysql', withCode('Deadlock found when trying to get lock', 'ER_LOCK_DEADLOCK'), 'deadlock', 'victim of a deadlock'],
      ['postgres', withCode('terminating connection due to administrator command', '57P01'), 'connection-lost', 'connection was lost'],
      ['postgres', new Error('Connection terminated unexpectedly'), 'connection-lost', 'connection was lost'],
      ['mysql', withCode('Connection lost: The server closed the connection.', 'PROTOCOL_CONNECTION_LOST'), 'connection-lost', 'connection was lost'],
    ];
    for (const [database, error, kind, words] of rows) {
      it(`${error.message} → ${kind}`, function () {
        const explained = explainTransactionFailure(error, limits, dialectFor(database)) as DatabaseFaultError;
        expect(explained).to.be.instanceOf(DatabaseFaultError);
        expect(explained.kind).to.equal(kind);
        expect(explained.message).to.include(words).and.include(error.message);
        expect(explained.cause).to.equal(error);
      });
    }
    it('leaves any other error as it is', function () {
      const other = withCode('duplicate key value violates unique constraint', '23505');
      expect(explainTransactionFailure(other, limits, dialectFor('postgres'))).to.equal(other);
    });
  });

  describe('AWS_DISCOVERY_DB_LOCK_TIMEOUT', function () {
    const base = {
      AWS_DISCOVERY_ACCESS_KEY_ID: 'AKID',
      AWS_DISCOVERY_SECRET_KEY: 's',
      AWS_DISCOVERY_REGIONS: 'us-east-1',
      POSTGRESQL_DATABASE: 'guacamole_db',
      POSTGRESQL_USERNAME: 'u',
      POSTGRESQL_PASSWORD: 'p',
    };
    it('defaults to 30 s and accepts 1–3600', function () {
      expect(parseConfig(base).config.dbLockTimeoutSeconds).to.equal(30);
      expect(parseConfig({ ...base, AWS_DISCOVERY_DB_LOCK_TIMEOUT: '5' }).config.dbLockTimeoutSeconds).to.equal(5);
    });
    for (const value of ['0', '-1', '3601', 'soon', '1.5']) {
      it(`rejects ${JSON.stringify(value)} naming the setting`, function () {
        expect(() => parseConfig({ ...base, AWS_DISCOVERY_DB_LOCK_TIMEOUT: value })).to.throw(ConfigError, 'AWS_DISCOVERY_DB_LOCK_TIMEOUT');
      });
    }
  });
});
