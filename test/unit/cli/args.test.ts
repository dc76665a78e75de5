import { expect } from 'chai';
import { parseArgs, UsageError } from '../../../src/cli/args.js';

describe('parseArgs', function () {
  it('no flag: the daemon', function () {
    expect(parseArgs([])).to.deep.equal({
      command: 'run',
      json: false,
      runs: 10,
      once: false,
      dryRun: false,
      allowMassDelete: false,
      help: false,
      version: false,
    });
  });
  it('--allow-mass-delete only with --once', function () {
    expect(parseArgs(['--once', '--allow-mass-delete'])).to.include({ once: true, allowMassDelete: true });
    expect(() => parseArgs(['--allow-mass-delete'])).to.throw(/needs --once/);
  });
  it('--once and --once --dry-run', function () {
    expect(parseArgs(['--once'])).to.include({ once: true, dryRun: false });
    expect(parseArgs(['--dry-run', '--once'])).to.include({ once: true, dryRun: true });
  });
  it('--dry-run needs --once', function () {
    expect(() => parseArgs(['--dry-run'])).to.throw(UsageError, '--dry-run needs --once');
  });
  it('--version and -V, alone or beside other flags, ask only for the version', function () {
    expect(parseArgs(['--version'])).to.include({ version: true, command: 'run' });
    expect(parseArgs(['-V'])).to.include({ version: true });
    // The flag combinations are not checked: the version is printed and nothing else happens.
    expect(parseArgs(['--dry-run', '--version'])).to.include({ version: true, dryRun: true });
  });
  it('rejects unknown arguments', function () {
    expect(() => parseArgs(['--loop'])).to.throw(UsageError, 'unknown argument: --loop');
  });
  it('status, status --json, status --runs N', function () {
    expect(parseArgs(['status'])).to.include({ command: 'status', json: false, runs: 10 });
    expect(parseArgs(['status', '--json', '--runs', '3'])).to.include({ command: 'status', json: true, runs: 3 });
    expect(parseArgs(['status', '--runs=25'])).to.include({ runs: 25 });
  });
  it('status rejects run flags and bad counts; run rejects status flags', function () {
    expect(() => parseArgs(['status', '--once'])).to.throw(UsageError, '--once does not apply to status');
    expect(() => parseArgs(['status', '--runs', '0'])).to.throw(UsageError, '--runs needs a number from 1 to 1000, got "0"');
    expect(() => parseArgs(['status', '--runs'])).to.throw(UsageError, 'got nothing');
    expect(() => parseArgs(['status', '--runs', 'x'])).to.throw(UsageError, 'got "x"');
    expect(() => parseArgs(['--once', '--json'])).to.throw(UsageError, '--json applies to status only');
    expect(() => parseArgs(['--runs', '5'])).to.throw(UsageError, '--runs applies to status only');
    expect(() => parseArgs(['--once', 'status'])).to.throw(UsageError, 'unknown argument: status');
  });
});
