// What leaves the forwarder of an object: the fields the model reads. The annotations the status write-back
// itself writes (AKO's outputs) are not inputs: a status write must not come back as an object change.
import { describe, expect, it } from 'vitest';
import { sameContent, trimObject } from '../../functions/forwarder/trim.ts';

const ingress = (annotations: Record<string, string>, resourceVersion: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'red', uid: 'u1', resourceVersion, annotations },
  spec: { rules: [{ host: 'web.example.com' }] },
  status: { loadBalancer: { ingress: [{ ip: '10.250.250.3' }] } },
});

describe('trimming', () => {
  it('a status write-back (address, host→VS uuid map, tenant name) leaves the trimmed Ingress as it was', () => {
    const before = trimObject('Ingress', 'networking.k8s.io/v1', ingress({ 'ako.vmware.com/enable-tls': 'true' }, '1'));
    const after = trimObject(
      'Ingress',
      'networking.k8s.io/v1',
      ingress(
        {
          'ako.vmware.com/enable-tls': 'true',
          'ako.vmware.com/host-fqdn-vs-uuid-map': '{"web.example.com":"virtualservice-1"}',
          'ako.vmware.com/controller-cluster-uuid': 'cluster-1',
          'ako.vmware.com/tenant-name': 'admin',
        },
        '2',
      ),
    );
    expect(sameContent(before, after)).toBe(true);
    // Inputs under the same prefix are kept.
    expect(after.metadata.annotations).toEqual({ 'ako.vmware.com/enable-tls': 'true' });
  });

  it("a Namespace's tenant-name is an input (the tenant of its objects) and is kept", () => {
    const ns = trimObject('Namespace', 'v1', {
      metadata: { name: 'red', annotations: { 'ako.vmware.com/tenant-name': 'team-a', 'other.io/x': 'y' } },
    });
    expect(ns.metadata.annotations).toEqual({ 'ako.vmware.com/tenant-name': 'team-a' });
  });
});
