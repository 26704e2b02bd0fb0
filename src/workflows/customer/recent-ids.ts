/**
 * The last `capacity` messageIds seen, for dedupe. Insertion-ordered, so it serialises as a plain
 * array into continue-as-new and the oldest ids fall out first.
 */
export class RecentIds {
  private readonly ids: Set<string>;

  constructor(
    initial: string[],
    /** Settable, because the configured size is known only after the handlers are installed. */
    public capacity = 1000,
  ) {
    this.ids = new Set(initial);
  }

  /** Remembers `id`; false when it was seen already. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    while (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }

  toArray(): string[] {
    return [...this.ids];
  }
}
