import { expect } from 'chai';
import { readConnections } from '../support/guacamole-queries.js';
import { diffRows, filterRows, snapshotRows, expectRows } from '../support/row-diff.js';
import { runCli, summaryOf } from '../support/run-cli.js';
import { DIALECTS } from '../support/test-databases.js';
import { startHarness, type FaultHarness } from './fault-harness.js';

/** Rows of hand-made objects: connections and groups the daemon does not own, with their parameters and grants. */
async function handMadeRows(h: FaultHarness, connectionIds: readonly number[], groupIds: readonly number[]) {
  const connections = new Set(connectionIds);
  const groups = new Set(groupIds);
  return filterRows(await snapshotRows(h.database.db), (table, row) => {
    if (table.startsWith('guacamole_connection_group')) return groups.has(Number(row.connection_group_id));
    if (table.startsWith('guacamole_connection')) return connections.has(Number(row.connection_id));
    return false;
  });
}

for (const dialect of DIALECTS) {
  describe(`human drift end to end (the CLI) on ${dialect}`, function () {
    let h: FaultHarness;

    beforeEach(async function () {
      h = await startHarness(dialect);
    });
    afterEach(async function () {
      await h.close();
    });

    it('an edited connection is put back, a deleted one recreated, hand-made ones (same name included) never touched', async function () {
      const first = await runCli(['--once'], h.env);
      expect(first.code, first.stdout + first.stderr).to.equal(0);
      const ours = await readConnections(h.database.db);
      const db01 = ours.get('Amazon EC2/Databases/MySQL/db-01')!;
      const jump = ours.get('Amazon EC2/jump')!;
      const stopped = ours.get('Amazon EC2/stopped-box')!;
      const desired = await snapshotRows(h.database.db);

      // An administrator edits one connection (a parameter, its name, its protocol), deletes another, and makes a
      // folder and a connection of their own, one of them with the very name a new instance is about to take.
      await h.database.exec(
        `UPDATE guacamole_connection_parameter SET parameter_value = '192.0.2.1' WHERE connection_id = ${db01.id} AND parameter_name = 'hostname'`,
      );
      await h.database.exec(`DELETE FROM guacamole_connection_parameter WHERE connection_id = ${db01.id} AND parameter_name = 'username'`);
      await h.database.exec(`UPDATE guacamole_connection SET connection_name = 'jump (edited)', protocol = 'telnet' WHERE connection_id = ${jump.id}`);
      await h.database.exec(`DELETE FROM guacamole_connection WHERE connection_id = ${stopped.id}`);
      const base = (
        await h.database.db
          .selectFrom('guacamole_connection_group')
          .select('connection_group_id')
          .where('connection_group_name', '=', 'Amazon EC2')
          .executeTakeFirstOrThrow()
      ).connection_group_id;
      await h.database.exec(
        `INSERT INTO guacamole_connection_group (connection_group_name, parent_id, type) VALUES ('Hand folder', ${base}, 'ORGANIZATIONAL')`,
      );
      await h.database.exec(`INSERT INTO guacamole_connection (connection_name, parent_id, protocol) VALUES ('newcomer', ${base}, 'ssh')`);
      const handGroup = Number(
        (
          await h.database.db
            .selectFrom('guacamole_connection_group')
            .select('connection_group_id')
            .where('connection_group_name', '=', 'Hand folder')
            .executeTakeFirstOrThrow()
        ).connection_group_id,
      );
      const handConnection = Number(
        (await h.database.db.selectFrom('guacamole_connection').select('connection_id').where('connection_name', '=', 'newcomer').executeTakeFirstOrThrow())
          .connection_id,
      );
      await h.database.exec(
        `INSERT INTO guacamole_connection_parameter (connection_id, parameter_name, parameter_value) VALUES (${handConnection}, 'hostname', 'by-hand.example')`,
      );
      const handBefore = await handMadeRows(h, [handConnection], [handGroup]);
      h.fake.instances.push({
        instanceId: 'i-0000000000newcomer',
        region: 'us-east-1',
        imageId: 'ami-al2023',
        privateIp: '10.0.5.5',
        tags: { Name: 'newcomer' },
      });

      const second = await runCli(['--once'], h.env);
      expect(second.code, second.stdout + second.stderr).to.equal(0);
      // the fixture's two `web` also clash
      expect(summaryOf(second)).to.include({ created: 2, updated: 2, deleted: 0, conflicts: Number(summaryOf(first).conflicts) + 1 });
      expect(second.logs.some((l) => l.level === 'warn' && String(l.message).includes('newcomer'))).to.equal(true);

      const after = await readConnections(h.database.db);
      expect(after.get('Amazon EC2/Databases/MySQL/db-01')).to.deep.equal(db01); // same id, parameters restored
      expect(after.get('Amazon EC2/jump')).to.deep.equal(jump);
      expect(after.get('Amazon EC2/stopped-box')?.parameters).to.deep.equal(stopped.parameters); // recreated
      expect(after.get('Amazon EC2/newcomer (i-0000000000newcomer)')?.parameters.hostname).to.equal('10.0.5.5');
      expect(diffRows(handBefore, await handMadeRows(h, [handConnection], [handGroup])), 'hand-made rows').to.deep.equal([]);
      // Apart from the recreated connection's new id and the newcomer, every row is as the first run wrote it.
      const restored = filterRows(await snapshotRows(h.database.db), (table, row) => {
        const id = Number(row.connection_id ?? (row.object_type === 'connection' ? row.guacamole_id : undefined));
        const ownedNew = table === 'ec2_discovery_owned_object' && typeof row.instance_key === 'string' && /stop1|newcomer/.test(row.instance_key);
        const newConnection = [after.get('Amazon EC2/stopped-box')?.id, after.get('Amazon EC2/newcomer (i-0000000000newcomer)')?.id, handConnection].includes(
          id,
        );
        return !ownedNew && !newConnection && Number(row.connection_group_id) !== handGroup;
      });
      const expected = filterRows(
        desired,
        (table, row) => Number(row.connection_id) !== stopped.id && !(table === 'ec2_discovery_owned_object' && String(row.instance_key).includes('stop1')),
      );
      expect(diffRows(expected, restored)).to.deep.equal([]);

      const settled = await snapshotRows(h.database.db);
      const third = await runCli(['--once'], h.env);
      expect(summaryOf(third)).to.include({ created: 0, updated: 0, deleted: 0 });
      await expectRows(h.database.db, settled, 'a run after the drift was repaired');
    });
  });
}
