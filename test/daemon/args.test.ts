import { expect } from 'chai';
import { parseArgs, UsageError } from '../../src/cli/args.js';

describe('parseArgs', function () {
  it('no flag: the daemon', function () {
    expect(parseArgs([])).to.deep.equal({ once: false, dryRun: false, allowMassDelete: false, help: false, version: false });
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
  it('rejects unknown arguments', function () {
    expect(() => parseArgs(['--loop'])).to.throw(UsageError, 'unknown argument: --loop');
  });
});
