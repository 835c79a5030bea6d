// Seeded randomness for the sample catalogue: a string hash (FNV-1a) that turns (seed, stream)
// into a PRNG seed, mulberry32, and the few draws the generator needs. No Math.random and no
// clock, so one seed always gives the same sequence on every machine.

export function hashString(text: string): number {
  // FNV-1a, 32 bit: spreads (seed, kind, index) into a PRNG seed.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A named stream of draws: each (seed, stream) pair gives its own independent sequence. */
export class Rng {
  private readonly next: () => number;
  constructor(seed: number, stream: string) {
    this.next = mulberry32(hashString(`${seed}:${stream}`));
  }
  float(): number {
    return this.next();
  }
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Index in [0, n) skewed towards 0, so a few popular items recur across playlists. */
  skewed(n: number, exponent = 1.7): number {
    return Math.min(n - 1, Math.floor(n * this.next() ** exponent));
  }
  hex(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += "0123456789abcdef"[Math.floor(this.next() * 16)];
    return out;
  }
}
