import { expect } from 'chai';
import { RECORDING_SCHEMA_WARNING, recordingSchemaWarning } from '../../../src/store/recording-schema.js';

describe('recordingSchemaWarning', () => {
  const rows: { name: string; auditPermission: boolean | undefined; requested: boolean; warns: boolean }[] = [
    { name: 'recording on a schema older than 1.6.0', auditPermission: false, requested: true, warns: true },
    { name: 'recording on a 1.6.0 schema', auditPermission: true, requested: true, warns: false },
    { name: 'no recording on an older schema', auditPermission: false, requested: false, warns: false },
    { name: 'recording where the version could not be read', auditPermission: undefined, requested: true, warns: false },
  ];
  for (const row of rows) {
    it(`${row.name}: ${row.warns ? 'warns' : 'says nothing'}`, () => {
      expect(recordingSchemaWarning({ auditPermission: row.auditPermission }, row.requested)).to.equal(row.warns ? RECORDING_SCHEMA_WARNING : undefined);
    });
  }

  it('names the token, the versions, the extension and what to check', () => {
    for (const part of ['${HISTORY_PATH}', '1.5.0 or later', 'guacamole-history-recording-storage', '1.5.x or earlier', 'cannot tell which', 'check']) {
      expect(RECORDING_SCHEMA_WARNING).to.include(part);
    }
  });
});
