// The contributors of one L7 model kept between rebuilds, so that one changed Ingress in a shard of thousands
// costs a look at that Ingress, not a fragment-cache check per contributor and a sort of the whole shard.
import type { HostFragment, ObjectFragments } from './l7-fragments.ts';
import type { KubeObject, ObjectKey } from './types.ts';
import { cmp } from './view-index.ts';

/** What one Ingress/Route contributes to one model: its fragments, and those of its hosts placed on the model. */
export interface Segment {
  key: ObjectKey;
  of: ObjectFragments;
  hosts: HostFragment[];
}

export interface AssemblySource {
  /** Every contributor of the model (candidates and host-less rules of its tenant), in any order. */
  contributors(): Iterable<[ObjectKey, KubeObject]>;
  /** The contributor under `key` now, or undefined when it no longer contributes to the model. */
  contributor(key: ObjectKey): KubeObject | undefined;
  /** The (cached) fragments of a contributor. */
  fragments(key: ObjectKey, o: KubeObject): ObjectFragments;
}

/**
 * One model's segments sorted by object key. Whatever can change a contributor's fragments or the set of
 * contributors (the object itself, a dependency it looked up, its namespace) marks its key dirty; `refresh`
 * re-reads only those keys. Marking too much is harmless, marking too little is not: the callers mark from the
 * same places that drop fragment-cache entries.
 */
export class ModelAssembly {
  private segments: Segment[] = [];
  private readonly dirty = new Set<ObjectKey>();
  private built = false;

  constructor(readonly model: string) {}

  markDirty(key: ObjectKey): void {
    if (this.built) this.dirty.add(key);
  }

  /** The segments, current with the view. */
  refresh(src: AssemblySource): readonly Segment[] {
    if (!this.built) {
      const all = [...src.contributors()].sort((a, b) => cmp(a[0], b[0]));
      this.segments = all.map(([k, o]) => this.segment(k, src.fragments(k, o)));
      this.built = true;
      this.dirty.clear();
      return this.segments;
    }
    for (const key of this.dirty) {
      const at = this.find(key);
      const found = at < this.segments.length && this.segments[at]!.key === key;
      const o = src.contributor(key);
      if (!o) {
        if (found) this.segments.splice(at, 1);
        continue;
      }
      const s = this.segment(key, src.fragments(key, o));
      if (found) this.segments[at] = s;
      else this.segments.splice(at, 0, s);
    }
    this.dirty.clear();
    return this.segments;
  }

  private segment(key: ObjectKey, of: ObjectFragments): Segment {
    return { key, of, hosts: of.hosts.filter((h) => h.placement.model === this.model) };
  }

  /** The first index whose key is not below `key`. */
  private find(key: ObjectKey): number {
    let lo = 0;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
