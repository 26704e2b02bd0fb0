import { GroupCommit } from '../../src/db/group-commit';

describe('group commit', () => {
  it('writes what arrives while a statement is in flight in the next one, each caller whole and in order', async () => {
    const statements: number[][] = [];
    let release: () => void = () => undefined;
    const groups = new GroupCommit<number>(
      async (items) => {
        statements.push(items);
        if (statements.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      { parallel: 1, maxItems: 5 },
    );
    const first = groups.add([1]);
    // While the first statement is in flight: three callers, 6 items; the limit of 5 splits them
    // between callers, never inside one.
    const rest = [groups.add([2, 3]), groups.add([4, 5]), groups.add([6, 7])];
    release();
    await Promise.all([first, ...rest]);
    expect(statements).toEqual([[1], [2, 3, 4, 5], [6, 7]]);
  });

  it('fails every caller of a failed statement, and only them', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const groups = new GroupCommit<string>(
      async () => {
        calls++;
        if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
        if (calls === 2) throw new Error('connection lost');
      },
      { parallel: 1, maxItems: 100 },
    );
    const first = groups.add(['a']);
    const failed = [groups.add(['b']), groups.add(['c'])];
    release();
    await expect(first).resolves.toBeUndefined();
    for (const f of failed) await expect(f).rejects.toThrow('connection lost');
    await expect(groups.add(['d'])).resolves.toBeUndefined();
  });
});
