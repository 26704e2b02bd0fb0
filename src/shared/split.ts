// Deterministic per-customer assignment: the same customer always lands in the same A/B variant
// and the same holdout bucket of a journey, in every run and on every replay.

/** FNV-1a over the string, scaled to [0, 1). */
export function bucket(seed: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

export interface Variant {
  name: string;
  weight: number;
}

export function pickVariant(variants: Variant[], journey: string, customerId: string): string | undefined {
  if (variants.length === 0) return undefined;
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  let point = bucket(`${journey}:variant:${customerId}`) * total;
  for (const v of variants) {
    if (point < v.weight) return v.name;
    point -= v.weight;
  }
  return variants[variants.length - 1].name;
}

export function inHoldout(share: number, journey: string, customerId: string): boolean {
  return share > 0 && bucket(`${journey}:holdout:${customerId}`) < share;
}
