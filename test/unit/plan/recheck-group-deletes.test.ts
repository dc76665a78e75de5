import { expect } from 'chai';
import { recheckGroupDeletes, type GroupContents } from '../../../src/plan/plan-group-deletes.js';

/** Candidates 1 ⊃ 2 ⊃ 3 and 4 (under a folder that is not a candidate, 9). */
const TREE: GroupContents['candidates'] = [
  { id: 1, parentId: null },
  { id: 2, parentId: 1 },
  { id: 3, parentId: 2 },
  { id: 4, parentId: 9 },
];
const SUBS: GroupContents['subGroups'] = [
  { id: 2, parentId: 1 },
  { id: 3, parentId: 2 },
];

describe('recheckGroupDeletes', function () {
  const rows: { name: string; contents: GroupContents; levels: number[][]; kept: [number, string][] }[] = [
    {
      name: 'nothing inside: all go, deepest first',
      contents: { candidates: TREE, subGroups: SUBS, connectionParents: [] },
      levels: [[3], [2], [1, 4]],
      kept: [],
    },
    {
      name: 'a connection in the deepest keeps it and every candidate above',
      contents: { candidates: TREE, subGroups: SUBS, connectionParents: [3] },
      levels: [[4]],
      kept: [[3, 'connection'], [2, 'folder'], [1, 'folder']],
    },
    {
      name: 'a folder that is not a candidate keeps its parent; the emptied child below the top still goes',
      contents: { candidates: TREE, subGroups: [...SUBS, { id: 7, parentId: 2 }], connectionParents: [] },
      levels: [[3, 4]],
      kept: [[2, 'folder'], [1, 'folder']],
    },
    {
      name: 'connections outside the candidates change nothing',
      contents: { candidates: TREE, subGroups: SUBS, connectionParents: [9, 9, 12] },
      levels: [[3], [2], [1, 4]],
      kept: [],
    },
    {
      name: 'a candidate already gone is neither deleted nor kept',
      contents: { candidates: TREE.filter((g) => g.id !== 2), subGroups: [{ id: 3, parentId: 2 }], connectionParents: [2] },
      levels: [[1, 3, 4]],
      kept: [],
    },
    {
      name: 'a parent cycle among candidates ends (bounded walk)',
      contents: {
        candidates: [
          { id: 5, parentId: 6 },
          { id: 6, parentId: 5 },
        ],
        subGroups: [
          { id: 5, parentId: 6 },
          { id: 6, parentId: 5 },
        ],
        connectionParents: [5],
      },
      levels: [],
      kept: [[5, 'connection'], [6, 'folder']],
    },
  ];
  for (const row of rows) {
    it(row.name, function () {
      const result = recheckGroupDeletes(row.contents);
      expect(result.deleteLevels).to.deep.equal(row.levels);
      expect([...result.kept]).to.deep.equal(row.kept);
    });
  }

  it('the same answer for shuffled input', function () {
    const contents: GroupContents = { candidates: [...TREE].reverse(), subGroups: [...SUBS, { id: 7, parentId: 4 }].reverse(), connectionParents: [2, 2] };
    const result = recheckGroupDeletes(contents);
    expect(result.deleteLevels).to.deep.equal([[3]]);
    expect(new Map(result.kept)).to.deep.equal(new Map([[2, 'connection'], [1, 'folder'], [4, 'folder']]));
  });
});
