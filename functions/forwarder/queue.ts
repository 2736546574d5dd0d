/**
 * A FIFO work queue keyed by item: enqueuing a key that is already waiting replaces its payload in
 * place (latest state wins), so the queue never holds more entries than there are distinct keys.
 */
export class CoalescingQueue<T> {
  readonly #items = new Map<string, T>();
  coalesced = 0;

  get size(): number {
    return this.#items.size;
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** Adds or replaces (keeping the earlier position). Returns true when it coalesced into a waiting item. */
  put(key: string, item: T): boolean {
    const had = this.#items.has(key);
    this.#items.set(key, item);
    if (had) this.coalesced++;
    return had;
  }

  /** Adds or replaces, moving the key to the back (it must follow something enqueued just before). */
  putLast(key: string, item: T): boolean {
    const had = this.#items.delete(key);
    this.#items.set(key, item);
    if (had) this.coalesced++;
    return had;
  }

  delete(key: string): boolean {
    return this.#items.delete(key);
  }

  /** Removes and returns up to `n` items from the front. */
  take(n: number): [string, T][] {
    const out: [string, T][] = [];
    for (const entry of this.#items) {
      if (out.length >= n) break;
      out.push(entry);
    }
    for (const [k] of out) this.#items.delete(k);
    return out;
  }
}
