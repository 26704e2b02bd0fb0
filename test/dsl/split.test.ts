import { inHoldout, pickVariant } from '../../src/shared/split';

describe('deterministic split', () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => `customer-${i}`);

  it('gives a customer the same variant every time, and splits by weight', () => {
    const variants = [
      { name: 'A', weight: 3 },
      { name: 'B', weight: 1 },
    ];
    const counts = { A: 0, B: 0 } as Record<string, number>;
    for (const id of ids) {
      const v = pickVariant(variants, 'welcome', id)!;
      expect(pickVariant(variants, 'welcome', id)).toBe(v);
      counts[v]++;
    }
    expect(counts.A / ids.length).toBeCloseTo(0.75, 1);
  });

  it('assigns independently per journey', () => {
    const variants = [
      { name: 'A', weight: 1 },
      { name: 'B', weight: 1 },
    ];
    const same = ids.filter((id) => pickVariant(variants, 'welcome', id) === pickVariant(variants, 'win-back', id));
    expect(same.length / ids.length).toBeCloseTo(0.5, 1);
  });

  it('holds out the configured share, and nobody at share 0', () => {
    expect(ids.filter((id) => inHoldout(0.1, 'welcome', id)).length / ids.length).toBeCloseTo(0.1, 1);
    expect(ids.some((id) => inHoldout(0, 'welcome', id))).toBe(false);
    expect(pickVariant([], 'welcome', 'c-1')).toBeUndefined();
  });
});
