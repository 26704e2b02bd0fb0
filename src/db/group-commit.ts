export interface GroupCommitOptions {
  /** Statements kept in flight; what arrives meanwhile waits and joins the next group. */
  parallel: number;
  /** The most items one statement carries (one caller's items always go whole). */
  maxItems: number;
}

interface Waiting<T> {
  items: T[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Writes many callers' items together (group commit): while statements are in flight, the callers
 * that arrive wait and go in the next one, so 64 callers at once cost a few commits, not 64. Each
 * caller's promise settles once its group is committed, or fails with it; a caller's items stay
 * together and in order.
 */
export class GroupCommit<T> {
  private readonly waiting: Waiting<T>[] = [];
  private writes = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<unknown>,
    private readonly options: GroupCommitOptions,
  ) {}

  add(items: T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (this.writes < this.options.parallel) void this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    this.writes++;
    try {
      while (this.waiting.length > 0) {
        const group = this.nextGroup();
        try {
          await this.write(group.flatMap((w) => w.items));
          for (const w of group) w.resolve();
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      this.writes--;
    }
  }

  /** Whole callers from the front of the queue, up to maxItems (at least one caller). */
  private nextGroup(): Waiting<T>[] {
    let count = 0;
    let n = 0;
    while (n < this.waiting.length && (n === 0 || count + this.waiting[n].items.length <= this.options.maxItems)) {
      count += this.waiting[n].items.length;
      n++;
    }
    return this.waiting.splice(0, n);
  }
}
