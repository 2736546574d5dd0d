import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffBody, MASKED, maskSecrets } from '../../infra/local/plan/diff.ts';

describe('diffBody', () => {
  it('compares only the fields we send; the controller-added ones are ignored', () => {
    const desired = { name: 'p', servers: [{ ip: { addr: '10.0.0.1', type: 'V4' }, port: 80 }] };
    const current = {
      name: 'p',
      uuid: 'pool-1',
      url: 'https://ctl/api/pool/pool-1',
      _last_modified: '1',
      lb_algorithm: 'LB_ALGORITHM_LEAST_CONNECTIONS',
      servers: [{ ip: { addr: '10.0.0.1', type: 'V4' }, port: 80, enabled: true, ratio: 1 }],
    };
    expect(diffBody(desired, current)).toEqual([]);
  });

  it('refs in name-query form equal the controller’s uuid#name form of the same name', () => {
    const desired = { pool_ref: '/api/pool?name=demo--foo', tenant_ref: '/api/tenant?name=admin' };
    const same = { pool_ref: 'https://ctl/api/pool/pool-1#demo--foo', tenant_ref: 'https://ctl/api/tenant/t-1#admin' };
    expect(diffBody(desired, same)).toEqual([]);
    const other = { ...same, pool_ref: 'https://ctl/api/pool/pool-2#demo--bar' };
    expect(diffBody(desired, other)).toEqual([{ path: 'pool_ref', before: 'pool:demo--bar', after: 'pool:demo--foo' }]);
  });

  it('reports added and removed array elements by index', () => {
    const desired = { servers: [{ ip: 'a' }, { ip: 'b' }] };
    expect(diffBody(desired, { servers: [{ ip: 'a' }] })).toEqual([{ path: 'servers[1]', after: { ip: 'b' } }]);
    expect(diffBody({ servers: [{ ip: 'a' }] }, { servers: [{ ip: 'a' }, { ip: 'c' }] })).toEqual([
      { path: 'servers[1]', before: { ip: 'c' } },
    ]);
  });

  it('skips the checksum field when told and never compares or prints private keys', () => {
    const desired = { cloud_config_cksum: '1', key: 'PRIVATE', certificate: { certificate: 'CERT2' } };
    const current = { cloud_config_cksum: '2', certificate: { certificate: 'CERT1' } };
    const changes = diffBody(desired, current, new Set(['cloud_config_cksum']));
    expect(changes).toEqual([{ path: 'certificate.certificate', before: 'CERT1', after: 'CERT2' }]);
    expect(JSON.stringify(changes)).not.toContain('PRIVATE');
  });

  it('masks secrets nested anywhere', () => {
    expect(maskSecrets({ a: [{ key: 'k', passphrase: 'p', name: 'n' }] })).toEqual({
      a: [{ key: MASKED, passphrase: MASKED, name: 'n' }],
    });
  });

  it('a body compared with itself has no changes (any JSON shape)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (body) => {
        const clean = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
        expect(diffBody(clean, structuredClone(clean))).toEqual([]);
      }),
    );
  });
});
