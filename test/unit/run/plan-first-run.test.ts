import { expect } from 'chai';
import { parseConfigWithoutDatabase } from '../../../src/config/config.js';
import { planFirstRun, type Wanted } from '../../../src/run/write-step.js';
import { desired } from '../plan/plan-fixtures.js';

const schema = { parameterValueLimit: 4096, hasBookkeeping: false, hasSecretDigest: false, hasGrantRecords: false, auditPermission: undefined };

function wanted(over: Partial<Wanted> = {}): Wanted {
  return {
    desired: [desired('i-1', 'web', ['Amazon EC2', 'Apps']), desired('i-2', 'web'), desired('i-3', 'db')],
    skipped: [],
    failedScopes: new Set(),
    listedScopes: new Set(['us-east-1']),
    ...over,
  };
}

describe('planFirstRun', function () {
  for (const policy of ['sync', 'upsert-only', 'create-only']) {
    it(`plans against an empty Guacamole: every folder, connection, grant and the admin group is a create (policy ${policy})`, function () {
      const { config } = parseConfigWithoutDatabase({ AWS_DISCOVERY_REGIONS: 'us-east-1', AWS_DISCOVERY_POLICY: policy });
      const written = planFirstRun({ config, schema, allowMassDelete: false }, wanted());
      const { changes } = written;
      expect(changes.adminGroup).to.equal('create');
      expect(changes.createGroups.map((g) => g.displayPath)).to.deep.equal(['Amazon EC2', 'Amazon EC2/Apps']);
      expect(changes.createConnections.map((c) => `${c.displayPath}/${c.name}`).sort()).to.deep.equal([
        'Amazon EC2/Apps/web',
        'Amazon EC2/db',
        'Amazon EC2/web',
      ]);
      expect(changes.grantConnections).to.have.length(3);
      expect(changes.grantGroups).to.have.length(2);
      expect([changes.updateConnections, changes.deleteConnections, changes.deleteGroups, changes.kept]).to.deep.equal([[], [], [], []]);
      expect(changes.unchanged).to.equal(0);
      expect(written.brake).to.equal(undefined);
      expect(written.rejected).to.deep.equal([]);
    });
  }
});
