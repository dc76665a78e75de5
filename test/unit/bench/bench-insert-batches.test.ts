import { expect } from 'chai';
import {
  canonicalSize,
  type CopyTrial,
  fastestBatchPerTable,
  fastestByLabel,
  fastestCopy,
  type RowWeight,
  rowWeight,
  statementChunks,
} from '../../../bench/insert-batches.js';

const rows = (count: number) => Array.from({ length: count }, (_, i) => i);
const light = (): RowWeight => ({ parameters: 3, bytes: 40 });
const lengths = (chunks: readonly unknown[][]) => chunks.map((c) => c.length);

function trial(label: string, ms: number, tables: Record<string, [size: number | 'max', ms: number]>): CopyTrial {
  return {
    label,
    ms,
    batches: Object.fromEntries(Object.entries(tables).map(([t, [size]]) => [t, size])),
    tableMs: Object.fromEntries(Object.entries(tables).map(([t, [, tableMs]]) => [t, tableMs])),
    statements: 0,
    roundTrips: 0,
  };
}

describe("the plain-insert floor's batches", function () {
  it('cuts rows into statements of the batch size, in order, the last one short', function () {
    const chunks = statementChunks(rows(1200), light, 500);
    expect(lengths(chunks)).to.deep.equal([500, 500, 200]);
    expect(chunks.flat()).to.deep.equal(rows(1200));
    expect(lengths(statementChunks(rows(1200), light, 'max'))).to.deep.equal([1200]);
    expect(statementChunks([], light, 500)).to.deep.equal([]);
  });

  it('never puts more parameters or bytes in a statement than the limits allow, whatever the size', function () {
    const limits = { maxParameters: 10, maxBytes: 100 };
    expect(lengths(statementChunks(rows(7), () => ({ parameters: 3, bytes: 1 }), 'max', limits))).to.deep.equal([3, 3, 1]);
    expect(lengths(statementChunks(rows(7), () => ({ parameters: 1, bytes: 45 }), 5000, limits))).to.deep.equal([2, 2, 2, 1]);
    // A row over the limits on its own still gets its statement (the database says whether it fits).
    expect(lengths(statementChunks(rows(2), () => ({ parameters: 20, bytes: 1 }), 500, limits))).to.deep.equal([1, 1]);
  });

  it('weighs a row by its values: one parameter each, strings at two bytes per byte, anything else 16', function () {
    expect(rowWeight({ a: 'abc', b: 7, c: null, d: 'é' })).to.deep.equal({ parameters: 4, bytes: 6 + 16 + 16 + 4 });
  });

  it('names a cut by the smallest size that makes it', function () {
    expect([500, 1000, 5000, 'max'].map((s) => canonicalSize(rows(300), light, s as number | 'max'))).to.deep.equal([500, 500, 500, 500]);
    expect([500, 1000, 5000, 'max'].map((s) => canonicalSize(rows(1200), light, s as number | 'max'))).to.deep.equal([500, 1000, 5000, 5000]);
    expect(canonicalSize(rows(9000), light, 'max')).to.equal('max');
    // 20 parameters a row: 3,250 rows at most, so 5,000 and max cut alike.
    const wide = (): RowWeight => ({ parameters: 20, bytes: 100 });
    expect(canonicalSize(rows(9000), wide, 'max')).to.equal(5000);
  });

  it("takes each table's fastest size over all copies, the smaller size on a tie", function () {
    const copies = [
      trial('500', 90, { parameters: [500, 50], connections: [500, 30], groups: [500, 5] }),
      trial('1000', 80, { parameters: [1000, 40], connections: [1000, 30], groups: [500, 5] }),
      trial('max', 85, { parameters: ['max', 60], connections: ['max', 20], groups: [500, 4] }),
      trial('500', 95, { parameters: [500, 35], connections: [500, 31], groups: [500, 6] }),
    ];
    expect(fastestBatchPerTable(copies)).to.deep.equal({ parameters: 500, connections: 'max', groups: 500 });
    const tie = [trial('max', 10, { t: ['max', 5] }), trial('1000', 10, { t: [1000, 5] })];
    expect(fastestBatchPerTable(tie)).to.deep.equal({ t: 1000 });
  });

  it('keeps the fastest copy as the floor (the first of equals), and the fastest copy of each label', function () {
    const copies = [trial('500', 90, {}), trial('1000', 80, {}), trial('per table', 80, {}), trial('500', 85, {})];
    expect(fastestCopy(copies).label).to.equal('1000');
    expect(fastestByLabel(copies)).to.deep.equal({ 500: 85, 1000: 80, 'per table': 80 });
    expect(() => fastestCopy([])).to.throw('no copy was measured');
  });
});
