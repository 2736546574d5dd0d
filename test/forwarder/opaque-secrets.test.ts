// TLS Secrets that are not typed kubernetes.io/tls (AKO reads a Secret by name whatever its type; its own tests
// create Opaque Secrets with tls.crt/tls.key): forwarded like typed ones, private key encrypted; Secrets without
// TLS material and Helm release records are never forwarded.
import { afterEach, describe, expect, it } from 'vitest';
import { decryptPrivateFields } from '../../functions/forwarder/secrets.ts';
import type { DevCluster } from '../../infra/dev-cluster/index.ts';
import { localKeyFileProvider } from '../../shared/crypto/index.ts';
import { eventually, finalState, objectChanges, type Rig, startRig } from './harness.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function seed(dc: DevCluster): void {
  dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { app: 'migrate' } } });
  dc.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: 'opaque-tls', namespace: 'shop' },
    data: { 'tls.crt': b64('CERT'), 'tls.key': b64('PRIVATE-OPAQUE') },
  });
  dc.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: 'password', namespace: 'shop' },
    data: { password: b64('nope') },
  });
  dc.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: { name: 'sh.helm.release.v1.app.v1', namespace: 'shop' },
    data: { release: b64('H4sI...'), 'tls.crt': b64('not-a-tls-secret') },
  });
}

describe('forwarder: Opaque TLS secrets', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('forwards an Opaque Secret with tls.crt/tls.key (key encrypted), not other Secrets nor Helm releases', async () => {
    rig = await startRig({ before: seed });
    const { fwd, pub } = rig;
    await fwd.ready;
    await eventually(() => finalState(pub).has('Secret/shop/opaque-tls'), 'opaque tls secret');
    await fwd.drained();
    const state = finalState(pub);
    const sec = state.get('Secret/shop/opaque-tls');
    expect(sec.op).toBe('upsert');
    expect(sec.object.type).toBe('Opaque');
    expect(sec.object.data).toEqual({ 'tls.crt': b64('CERT') });
    expect(JSON.stringify(pub.entries)).not.toContain(b64('PRIVATE-OPAQUE'));
    const fields = await decryptPrivateFields(sec.encryptedSecret, localKeyFileProvider(rig.keyFile));
    expect(fields).toEqual({ 'tls.key': b64('PRIVATE-OPAQUE') });
    expect(state.has('Secret/shop/password')).toBe(false);
    expect(state.has('Secret/shop/sh.helm.release.v1.app.v1')).toBe(false);
    expect(JSON.stringify(pub.entries)).not.toContain(b64('nope'));
  });

  it('an Opaque Secret that loses its TLS material is published as deleted; one that gains it appears', async () => {
    rig = await startRig({ before: seed });
    const { dc, fwd, pub } = rig;
    await fwd.ready;
    await eventually(() => finalState(pub).has('Secret/shop/opaque-tls'), 'opaque tls secret');
    await fwd.drained();
    pub.clear();
    dc.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'opaque-tls', namespace: 'shop' },
      data: { other: b64('x') },
    });
    dc.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'password', namespace: 'shop' },
      data: { 'tls.crt': b64('CERT2'), 'tls.key': b64('KEY2') },
    });
    await eventually(() => objectChanges(pub).length >= 2, 'delete of opaque-tls and upsert of password');
    await fwd.drained();
    expect(
      objectChanges(pub)
        .map((c) => `${c.op} ${c.kind}/${c.name}`)
        .sort(),
    ).toEqual(['delete Secret/opaque-tls', 'upsert Secret/password']);
  });
});
