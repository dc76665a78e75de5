import { expect } from 'chai';
import { enumValues } from '../../../src/store/dialect/mysql-enum.js';

describe('enumValues (a MySQL column type)', () => {
  it('lists the values of an enum, in order', () => {
    expect(enumValues("enum('CREATE_CONNECTION','CREATE_USER_GROUP','AUDIT','ADMINISTER')")).to.deep.equal([
      'CREATE_CONNECTION',
      'CREATE_USER_GROUP',
      'AUDIT',
      'ADMINISTER',
    ]);
  });

  it('reads a doubled quote inside a value, and upper-case ENUM', () => {
    expect(enumValues("ENUM('it''s','b')")).to.deep.equal(["it's", 'b']);
  });

  it('no values for another type (a set, a varchar)', () => {
    expect(enumValues("set('AUDIT')")).to.deep.equal([]);
    expect(enumValues('varchar(32)')).to.deep.equal([]);
  });
});
