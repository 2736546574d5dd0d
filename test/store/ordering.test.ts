import { describe, expect, it } from 'vitest';
import { formatStreamSequence } from '../../shared/events/index.ts';
import { compareResourceVersions, decideObjectWrite, RETIRED_UID_LIMIT } from '../../shared/store/index.ts';
import { nextVersionState } from '../../shared/store/ordering.ts';

describe('compareResourceVersions', () => {
  it('knows only equality, as the Kubernetes API allows (no numeric or textual order)', () => {
    expect(compareResourceVersions('9', '10')).toBeUndefined();
    expect(compareResourceVersions('10', '9')).toBeUndefined();
    expect(compareResourceVersions('007', '7')).toBeUndefined();
    expect(compareResourceVersions('abc', 'abc')).toBe(0);
  });
});

describe('decideObjectWrite', () => {
  const pos = (n: number) => formatStreamSequence(1_767_225_600_000, n);
  const live = (uid: string, rv: string, n?: number) => ({
    uid,
    resourceVersion: rv,
    deleted: false,
    ...(n === undefined ? {} : { sequence: pos(n) }),
  });
  const gone = (uid: string, rv: string, n?: number) => ({ ...live(uid, rv, n), deleted: true });

  it('with stream positions on both sides, the position decides, whatever uid and resourceVersion say', () => {
    expect(decideObjectWrite(live('a', '5', 1), live('a', '4', 2))).toBe('applied');
    expect(decideObjectWrite(live('a', '5', 2), live('a', '6', 1))).toBe('stale');
    expect(decideObjectWrite(live('a', '5', 2), live('a', '5', 2))).toBe('duplicate');
    expect(decideObjectWrite(live('a', '5', 2), live('a', '5', 3))).toBe('duplicate');
    expect(decideObjectWrite(live('a', '5', 2), gone('a', '5', 3))).toBe('applied');
    // A restored API server brings a deleted uid back: the later position wins.
    expect(decideObjectWrite(gone('a', '9', 2), live('a', '3', 3))).toBe('applied');
    expect(decideObjectWrite(live('b', '9', 4), live('a', '50', 3))).toBe('stale');
    expect(decideObjectWrite({ ...live('b', '1', 4), retiredUids: ['a'] }, live('a', '1', 5))).toBe('applied');
  });

  it('without positions: equality of versions, tombstones final per uid, retired uids stale, else arrival', () => {
    expect(decideObjectWrite(undefined, live('a', '5'))).toBe('applied');
    expect(decideObjectWrite(live('a', '5'), live('a', '6'))).toBe('applied');
    expect(decideObjectWrite(live('a', '5'), live('a', '4'))).toBe('applied');
    expect(decideObjectWrite(live('a', '5'), live('a', '5'))).toBe('duplicate');
    expect(decideObjectWrite(live('a', '5'), gone('a', '5'))).toBe('applied');
    expect(decideObjectWrite(gone('a', '5'), live('a', '5'))).toBe('stale');
    expect(decideObjectWrite(gone('a', '5'), live('a', '6'))).toBe('stale');
    expect(decideObjectWrite(gone('a', '5'), gone('a', '5'))).toBe('duplicate');
    expect(decideObjectWrite(gone('a', '5'), live('b', '1'))).toBe('applied');
    expect(decideObjectWrite({ ...live('b', '9'), retiredUids: ['a'] }, live('a', '50'))).toBe('stale');
    expect(decideObjectWrite(live('a', '5'), gone('', '6'))).toBe('applied');
    // One side without a position (a relist's delete at the last known version): the same rules.
    expect(decideObjectWrite(live('a', '5', 3), gone('a', '5'))).toBe('applied');
  });

  it('remembers a bounded number of retired uids, newest first', () => {
    let state = nextVersionState(undefined, live('u0', 'v0'));
    for (let i = 1; i <= RETIRED_UID_LIMIT + 2; i++) state = nextVersionState(state, live(`u${i}`, `v${i}`));
    expect(state.retiredUids).toHaveLength(RETIRED_UID_LIMIT);
    expect(state.retiredUids[0]).toBe(`u${RETIRED_UID_LIMIT + 1}`);
    expect(decideObjectWrite(state, live(`u${RETIRED_UID_LIMIT + 1}`, 'zzz'))).toBe('stale');
  });
});
