import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareResourceVersions, decideObjectWrite, RETIRED_UID_LIMIT } from '../../shared/store/index.ts';
import { nextVersionState } from '../../shared/store/ordering.ts';

describe('compareResourceVersions', () => {
  it('orders integers numerically, at any size, ignoring leading zeros', () => {
    expect(compareResourceVersions('9', '10')).toBe(-1);
    expect(compareResourceVersions('10', '9')).toBe(1);
    expect(compareResourceVersions('007', '7')).toBe(0);
    expect(compareResourceVersions('0', '00')).toBe(0);
    // Beyond 2^53 (etcd revisions are int64).
    expect(compareResourceVersions('9223372036854775806', '9223372036854775807')).toBe(-1);
    expect(compareResourceVersions('18446744073709551616', '9223372036854775807')).toBe(1);
  });

  it('agrees with BigInt on every pair of integers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 80n }), fc.bigInt({ min: 0n, max: 2n ** 80n }), (a, b) => {
        const expected = a < b ? -1 : a > b ? 1 : 0;
        expect(compareResourceVersions(a.toString(), b.toString())).toBe(expected);
      }),
    );
  });

  it('cannot order opaque versions, but knows equal ones', () => {
    expect(compareResourceVersions('abc', 'abd')).toBeUndefined();
    expect(compareResourceVersions('12', '12a')).toBeUndefined();
    expect(compareResourceVersions('-1', '1')).toBeUndefined();
    expect(compareResourceVersions('abc', 'abc')).toBe(0);
  });
});

describe('decideObjectWrite', () => {
  const live = (uid: string, rv: string) => ({ uid, resourceVersion: rv, deleted: false });
  const gone = (uid: string, rv: string) => ({ uid, resourceVersion: rv, deleted: true });

  it('decides by version for one uid', () => {
    expect(decideObjectWrite(undefined, live('a', '5'))).toBe('applied');
    expect(decideObjectWrite(live('a', '5'), live('a', '6'))).toBe('applied');
    expect(decideObjectWrite(live('a', '5'), live('a', '4'))).toBe('stale');
    expect(decideObjectWrite(live('a', '5'), live('a', '5'))).toBe('duplicate');
    expect(decideObjectWrite(live('a', '5'), gone('a', '5'))).toBe('applied');
    expect(decideObjectWrite(gone('a', '5'), live('a', '5'))).toBe('stale');
    expect(decideObjectWrite(gone('a', '5'), gone('a', '5'))).toBe('duplicate');
  });

  it('a new uid wins only when newer (integers) or always (opaque); an empty uid means the stored one', () => {
    expect(decideObjectWrite(gone('a', '5'), live('b', '9'))).toBe('applied');
    expect(decideObjectWrite(live('b', '9'), live('a', '5'))).toBe('stale');
    expect(decideObjectWrite(live('a', 'x1'), live('b', 'y1'))).toBe('applied');
    expect(decideObjectWrite(live('a', '5'), gone('', '6'))).toBe('applied');
    expect(decideObjectWrite(live('a', 'p'), live('a', 'q'))).toBe('applied');
    expect(decideObjectWrite(gone('a', 'p'), live('a', 'q'))).toBe('stale');
  });

  it('remembers a bounded number of retired uids, newest first', () => {
    let state = nextVersionState(undefined, live('u0', 'v0'));
    for (let i = 1; i <= RETIRED_UID_LIMIT + 2; i++) state = nextVersionState(state, live(`u${i}`, `v${i}`));
    expect(state.retiredUids).toHaveLength(RETIRED_UID_LIMIT);
    expect(state.retiredUids[0]).toBe(`u${RETIRED_UID_LIMIT + 1}`);
    expect(decideObjectWrite(state, live(`u${RETIRED_UID_LIMIT + 1}`, 'zzz'))).toBe('stale');
  });
});
