import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  busEvent,
  CLUSTER_GROUP,
  groupIdFor,
  type ObjectChangeEvent,
  objectDedupId,
  parseBusEvent,
  parseInstanceMessage,
  parseInstanceMessageBody,
} from '../../shared/events/index.ts';

const ingress: ObjectChangeEvent = {
  version: 1,
  cluster: 'demo',
  kind: 'Ingress',
  apiVersion: 'networking.k8s.io/v1',
  namespace: 'rednsmig',
  name: 'foo',
  uid: '5d0c1c1e-0000-4000-8000-000000000001',
  resourceVersion: '42',
  op: 'upsert',
  namespaceLabels: { app: 'migrate' },
  object: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'foo',
      namespace: 'rednsmig',
      uid: '5d0c1c1e-0000-4000-8000-000000000001',
      resourceVersion: '42',
    },
    spec: { rules: [{ host: 'foo.com' }] },
  },
};

function reasonOf(event: unknown): string {
  const r = parseBusEvent(event);
  if (r.ok) throw new Error('expected a rejection');
  return r.reason;
}

describe('bus events: accepted', () => {
  it('an object-change from the forwarder, typed by detail-type', () => {
    const r = parseBusEvent(busEvent('object-change', ingress));
    expect(r.ok).toBe(true);
    if (r.ok && r.value.detailType === 'object-change') {
      expect(r.value.detail.object?.spec.rules[0].host).toBe('foo.com');
      expect(r.value.source).toBe('ako-serverless.forwarder');
    }
  });

  it('a delete without the object, a cluster-scoped change without a namespace', () => {
    const del = { ...ingress, op: 'delete' as const, object: undefined };
    expect(parseBusEvent(busEvent('object-change', del)).ok).toBe(true);
    const node = {
      ...ingress,
      kind: 'Node',
      apiVersion: 'v1',
      namespace: undefined,
      name: 'node-1',
      namespaceLabels: {},
      object: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec: { podCIDR: '10.244.0.0/24' } },
    };
    expect(parseBusEvent(busEvent('object-change', node)).ok).toBe(true);
  });

  it('a Secret whose key travels encrypted', () => {
    const secret = {
      ...ingress,
      kind: 'Secret',
      apiVersion: 'v1',
      object: {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name: 's' },
        data: { 'tls.crt': 'Y2VydA==' },
      },
      encryptedSecret: { keyId: 'local', iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y2lwaGVy', wrappedKey: 'a2V5' },
    };
    expect(parseBusEvent(busEvent('object-change', secret)).ok).toBe(true);
  });

  it('namespace-changed, inventory (namespaced and cluster-scoped), release-confirmed', () => {
    expect(
      parseBusEvent(
        busEvent('namespace-changed', {
          version: 1,
          cluster: 'demo',
          namespace: 'team',
          oldLabels: { app: 'migrate' },
          newLabels: { key: 'value2' },
        }),
      ).ok,
    ).toBe(true);
    for (const namespace of ['team', '']) {
      expect(
        parseBusEvent(
          busEvent('inventory', {
            version: 1,
            cluster: 'demo',
            namespace,
            generatedAt: '2026-01-01T00:00:00Z',
            objects: [{ kind: 'Ingress', name: 'foo', uid: 'u', resourceVersion: '1' }],
          }),
        ).ok,
      ).toBe(true);
    }
    const confirmed = busEvent('release-confirmed', {
      version: 1,
      cluster: 'demo',
      namespace: 'team',
      fromInstance: 'demo/avi-system',
      toInstance: 'demo/blue',
    });
    expect(confirmed.source).toBe('ako-serverless.sync');
    expect(parseBusEvent(confirmed).ok).toBe(true);
  });

  it('a detail delivered as JSON text', () => {
    const e = { ...busEvent('object-change', ingress), detail: JSON.stringify(ingress) };
    expect(parseBusEvent(e).ok).toBe(true);
  });
});

describe('bus events: rejected with a reason naming the field', () => {
  it('a missing object name', () => {
    const bad = { ...ingress, object: { ...ingress.object, metadata: { namespace: 'rednsmig' } } };
    expect(reasonOf(busEvent('object-change', bad as never))).toMatch(/^detail\.object\.metadata\.name: /);
  });

  it('an unknown op, a bad cluster name, a missing resourceVersion', () => {
    expect(reasonOf(busEvent('object-change', { ...ingress, op: 'patch' } as never))).toMatch(/^detail\.op: /);
    expect(reasonOf(busEvent('object-change', { ...ingress, cluster: 'a b' }))).toMatch(
      /^detail\.cluster: .*\^\[a-zA-Z0-9-_\]\+\$/,
    );
    const { resourceVersion: _, ...noRv } = ingress;
    expect(reasonOf(busEvent('object-change', noRv as never))).toMatch(/^detail\.resourceVersion: /);
  });

  it('an upsert without the object', () => {
    expect(reasonOf(busEvent('object-change', { ...ingress, object: undefined }))).toMatch(
      /^detail\.object: an upsert must carry/,
    );
  });

  it('an unknown schema version, clearly', () => {
    expect(reasonOf(busEvent('object-change', { ...ingress, version: 2 } as never))).toBe(
      'detail.version: unsupported schema version 2; this build reads version 1',
    );
  });

  it('a private key in clear', () => {
    const leaked = {
      ...ingress,
      kind: 'Secret',
      object: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's' },
        data: { 'tls.crt': 'x', 'tls.key': 'SECRET' },
      },
    };
    const reason = reasonOf(busEvent('object-change', leaked));
    expect(reason).toMatch(/^detail\.object\.data\["tls\.key"\]: private key material must travel in encryptedSecret/);
    expect(reason).not.toContain('SECRET');
  });

  it('an unknown detail-type, a wrong source, a non-object', () => {
    expect(reasonOf({ ...busEvent('object-change', ingress), 'detail-type': 'pod-change' })).toMatch(
      /^detail-type: unknown event kind "pod-change"/,
    );
    expect(reasonOf({ ...busEvent('object-change', ingress), source: 'someone.else' })).toMatch(/^source: /);
    expect(reasonOf(null)).toMatch(/not an object/);
    expect(reasonOf({ ...busEvent('object-change', ingress), detail: '{nope' })).toBe('detail: not a JSON object');
  });

  it('inventory items name their index', () => {
    const inv = busEvent('inventory', {
      version: 1,
      cluster: 'demo',
      namespace: 'team',
      generatedAt: '2026-01-01T00:00:00Z',
      objects: [
        { kind: 'Ingress', name: 'a', uid: 'u', resourceVersion: '1' },
        { kind: 'Ingress', name: 'b' } as never,
      ],
    });
    expect(reasonOf(inv)).toMatch(/^detail\.objects\[1\]\.uid: /);
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        const r = parseBusEvent(x);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(typeof parseInstanceMessageBody(s).ok).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });
});

describe('router → instance messages', () => {
  it('accepts each message type and rejects an unknown one naming `type`', () => {
    const msgs = [
      { type: 'object', version: 1, change: ingress },
      { type: 'hold', version: 1, cluster: 'demo', namespace: 'team', from: 'demo/avi-system' },
      { type: 'release', version: 1, cluster: 'demo', namespace: 'team', handoffTo: 'demo/blue' },
      { type: 'adopt', version: 1, cluster: 'demo', namespace: 'team' },
      {
        type: 'inventory',
        version: 1,
        inventory: { version: 1, cluster: 'demo', namespace: '', generatedAt: '2026-01-01T00:00:00Z', objects: [] },
      },
      { type: 'sweep', version: 1, cluster: 'demo', requestedAt: '2026-01-01T00:00:00Z' },
    ];
    for (const m of msgs) expect(parseInstanceMessage(m)).toMatchObject({ ok: true });
    const bad = parseInstanceMessage({ type: 'explode', version: 1 });
    expect(bad.ok === false && bad.reason).toMatch(/^type: /);
    const badBody = parseInstanceMessageBody('not json');
    expect(badBody.ok === false && badBody.reason).toMatch(/^body: not JSON/);
  });

  it('names nested fields of an object message', () => {
    const r = parseInstanceMessage({ type: 'object', version: 1, change: { ...ingress, uid: '' } });
    expect(r.ok === false && r.reason).toMatch(/^change\.uid: /);
  });
});

describe('queue keys', () => {
  it('groups by namespace, cluster-scoped objects in _cluster', () => {
    expect(groupIdFor('rednsmig')).toBe('rednsmig');
    expect(groupIdFor(undefined)).toBe(CLUSTER_GROUP);
    expect(groupIdFor('')).toBe('_cluster');
  });

  it('deduplicates on (kind, uid, resourceVersion, op) within the 128-character SQS limit', () => {
    const a = objectDedupId(ingress);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(objectDedupId({ ...ingress, name: 'renamed-but-same-identity' } as ObjectChangeEvent)).toBe(a);
    expect(objectDedupId({ ...ingress, resourceVersion: '43' })).not.toBe(a);
    expect(objectDedupId({ ...ingress, op: 'delete' })).not.toBe(a);
    // no ambiguity from joining: ("ab","c") vs ("a","bc")
    expect(objectDedupId({ kind: 'ab', uid: 'c', resourceVersion: '1', op: 'upsert' })).not.toBe(
      objectDedupId({ kind: 'a', uid: 'bc', resourceVersion: '1', op: 'upsert' }),
    );
  });
});
