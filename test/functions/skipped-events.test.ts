// The Kubernetes Events for skipped objects carry the model's cause as their reason (AKO-style), and
// AKOSettings.enableEvents: false turns them off.
import { describe, expect, it } from 'vitest';
import { skippedEvents } from '../../functions/sync/status.ts';
import { buildModels } from '../../shared/model/index.ts';
import * as f from '../model/fixtures.ts';

const nsd = [f.ns('default', { app: 'migrate' })];
const objects = [
  f.aviClass(),
  f.ingress('default', 'no-svc', [{ host: 'foo.com', paths: [{ path: '/', service: 'nosuch' }] }]),
  f.ingress('default', 'no-secret', [{ host: 'bar.com', paths: [{ path: '/', service: 'nosuch' }] }], {
    tls: [{ hosts: ['bar.com'], secretName: 'missing' }],
  }),
  f.ingress('default', 'bad-cert', [{ host: 'xyz.com', paths: [{ path: '/', service: 'avisvc' }] }], {
    tls: [{ hosts: ['xyz.com'], secretName: 'bad' }],
  }),
  ...f.avisvc('default'),
  f.tlsSecret('default', 'bad', 'not a certificate', 'not a key'),
  f.ingress('default', 'bad-host', [{ host: 'bad_host!', paths: [{ path: '/', service: 'avisvc' }] }]),
];

describe('skipped-object Events', () => {
  it('name the real cause: ServiceNotFound, SecretNotFound, InvalidCertificate, InvalidHost', () => {
    const inst = f.primary();
    const { skipped } = buildModels(inst, f.view(nsd, objects));
    const reasons = skippedEvents(inst, skipped).map((u) => `${u.target.name}:${u.events![0]!.reason}`);
    expect(reasons.sort()).toEqual(
      [
        'bad-cert:InvalidCertificate',
        'bad-host:InvalidHost',
        'no-secret:SecretNotFound',
        'no-svc:ServiceNotFound',
      ].sort(),
    );
  });

  it('are not produced with AKOSettings.enableEvents false', () => {
    const inst = f.primary({ 'AKOSettings.enableEvents': false });
    const { skipped } = buildModels(inst, f.view(nsd, objects));
    expect(skipped.length).toBeGreaterThan(0);
    expect(skippedEvents(inst, skipped)).toEqual([]);
  });
});
