import { expect } from 'chai';
import { mochaCounts, ONCE_SUITE, planPasses, type PassInput } from './passes.js';

const base: PassInput = { args: [], dialects: ['postgres', 'mysql'], selected: undefined, testCommand: undefined };
const names = (input: Partial<PassInput>): string[] => planPasses({ ...base, ...input }).map((p) => p.name);

describe('test runner passes', function () {
  it('the full run: the main suite on both dialects, then the once suite on PostgreSQL 12, 18 and MariaDB uca1400', function () {
    const passes = planPasses(base);
    expect(passes.map((p) => p.name)).to.deep.equal(['main', 'pg12', 'pg18', 'mariadb-uca1400']);
    expect(passes[0]).to.deep.include({ servers: { postgres: 'main', mysql: 'main' }, args: [] });
    expect(passes[1]).to.deep.include({ servers: { postgres: 12 }, args: ONCE_SUITE });
    expect(passes[3]).to.deep.include({ servers: { mysql: 'main' }, env: { TEST_MYSQL_COLLATION: 'utf8mb4_uca1400_ai_ci' } });
  });

  it('named test files or TEST_COMMAND: the main pass only, with the arguments', function () {
    expect(names({ args: ['--grep', 'x', 'dist/test/a.test.js'] })).to.deep.equal(['main']);
    expect(names({ testCommand: 'node bench.js', args: ['1000'] })).to.deep.equal(['main']);
    expect(names({ testCommand: 'node bench.js', selected: 'main,pg12' })).to.deep.equal(['main']);
  });

  it('mocha options without files go to every pass, the extra passes adding the once suite', function () {
    const passes = planPasses({ ...base, args: ['--bail'] });
    expect(passes[0]?.args).to.deep.equal(['--bail']);
    expect(passes[2]?.args).to.deep.equal(['--bail', ...ONCE_SUITE]);
  });

  it('TEST_DIALECTS leaves out the passes of the other dialect; TEST_PASSES picks by name', function () {
    expect(names({ dialects: ['postgres'] })).to.deep.equal(['main', 'pg12', 'pg18']);
    expect(names({ dialects: ['mysql'] })).to.deep.equal(['main', 'mariadb-uca1400']);
    expect(names({ selected: 'pg18, main' })).to.deep.equal(['main', 'pg18']);
    expect(names({ selected: 'pg12', args: ['dist/test/a.test.js'] })).to.deep.equal(['pg12']);
    expect(() => names({ selected: 'pg13' })).to.throw(/unknown pass pg13/);
  });

  it("reads mocha's closing counts, colours or not", function () {
    expect(mochaCounts('\n  12 passing (3s)\n  2 pending\n  1 failing\n')).to.deep.equal({ passed: 12, failed: 1, skipped: 2 });
    expect(mochaCounts('\u001b[92m \u001b[0m\u001b[32m 5 passing\u001b[0m\u001b[90m (2ms)\u001b[0m\n')).to.deep.equal({ passed: 5, failed: 0, skipped: 0 });
    expect(mochaCounts('Error: cannot find module')).to.equal(undefined);
  });
});
