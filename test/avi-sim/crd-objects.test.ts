// The Avi objects AKO's CRDs name (HostRule wafPolicy / applicationProfile / analyticsProfile / errorPageProfile /
// tls.sslProfile, HTTPRule healthMonitors / applicationPersistence / tls.pkiProfile, AviInfraSetting seGroup /
// vipNetworks, L4Rule ...Ref fields): served over REST, validated against the 30.2.1 swagger, referable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { api, errorOf, login, pool, vsvip } from './helpers.ts';

let sim: AviSim;
let c: ReturnType<typeof api>;

beforeAll(async () => {
  sim = await startAviSim();
  c = api(sim.url, await login(sim.url));
});
afterAll(async () => {
  await sim.close();
});

const byName = async (type: string, name: string, client = c) => {
  const res = await client.get(`/api/${type}?name=${encodeURIComponent(name)}&include_name`);
  expect(res.status).toBe(200);
  return res.data.results as Record<string, unknown>[];
};

describe('system objects a controller ships for what the CRDs name', () => {
  it.each([
    ['wafpolicy', 'System-WAF-Policy'],
    ['wafprofile', 'System-WAF-Profile'],
    ['errorpageprofile', 'Custom-Error-Page-Profile'],
    ['stringgroup', 'System-Devices-Mobile'],
    ['sslprofile', 'System-Standard'],
    ['sslprofile', 'System-Standard-PFS'],
    ['analyticsprofile', 'System-Analytics-Profile'],
    ['applicationpersistenceprofile', 'System-Persistence-Client-IP'],
    ['applicationpersistenceprofile', 'System-Persistence-TLS'],
    ['applicationprofile', 'System-HTTP'],
    ['healthmonitor', 'System-HTTP'],
    ['serviceenginegroup', 'Default-Group'],
    ['network', 'vip-network'],
  ])('%s %s exists and every tenant can read it', async (type, name) => {
    expect(await byName(type, name)).toHaveLength(1);
    expect((await c.post('/api/tenant', { name: `reader-${type}-${name}`.toLowerCase() })).status).toBe(201);
    const tenant = api(sim.url, await login(sim.url), { tenant: `reader-${type}-${name}`.toLowerCase() });
    expect(await byName(type, name, tenant)).toHaveLength(1);
  });

  it('the System WAF policy refers to the System WAF profile and carries the swagger defaults', async () => {
    const [waf] = await byName('wafpolicy', 'System-WAF-Policy');
    expect(waf!.waf_profile_ref).toMatch(/\/api\/wafprofile\/wafprofile-[^#]+#System-WAF-Profile$/);
    expect(waf!.mode).toBe('WAF_MODE_DETECTION_ONLY');
    // Filled in from the swagger's defaults like any validated type.
    expect(waf!.paranoia_level).toBe('WAF_PARANOIA_LEVEL_LOW');
    expect(waf!.failure_mode).toBe('WAF_FAILURE_MODE_OPEN');
  });
});

describe('creating and validating the CRD-referenced types', () => {
  it.each([
    [
      'wafpolicy',
      { name: 'waf-shop', mode: 'WAF_MODE_ENFORCEMENT', waf_profile_ref: '/api/wafprofile/?name=System-WAF-Profile' },
    ],
    [
      'pkiprofile',
      {
        name: 'pki-shop',
        ca_certs: [{ certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }],
        crl_check: false,
      },
    ],
    ['stringgroup', { name: 'sg-shop', type: 'SG_TYPE_KEYVAL', kv: [{ key: '/api', value: 'v1' }] }],
    ['sslprofile', { name: 'ssl-shop', accepted_versions: [{ type: 'SSL_VERSION_TLS1_2' }] }],
    ['analyticsprofile', { name: 'analytics-shop', apdex_response_threshold: 400 }],
    ['errorpageprofile', { name: 'errors-shop' }],
    ['applicationpersistenceprofile', { name: 'persist-shop', persistence_type: 'PERSISTENCE_TYPE_CLIENT_IP_ADDRESS' }],
    ['l4policyset', { name: 'l4-shop' }],
    ['applicationprofile', { name: 'app-shop', type: 'APPLICATION_PROFILE_TYPE_HTTP' }],
    ['healthmonitor', { name: 'hm-shop', type: 'HEALTH_MONITOR_HTTP', send_interval: 5 }],
    ['serviceenginegroup', { name: 'se-shop', cloud_ref: '/api/cloud/?name=Default-Cloud' }],
    ['network', { name: 'vip-shop', cloud_ref: '/api/cloud/?name=Default-Cloud' }],
  ])('%s: POST 201, GET by uuid and by name', async (type, body) => {
    const created = await c.post(`/api/${type}`, body);
    expect(created.status, JSON.stringify(created.data)).toBe(201);
    expect(created.data.uuid).toMatch(new RegExp(`^${type}-`));
    const got = await c.get(`/api/${type}/${created.data.uuid}`);
    expect(got.status).toBe(200);
    for (const [k, v] of Object.entries(body)) if (!k.endsWith('_ref')) expect(got.data[k]).toEqual(v);
    expect(await byName(type, body.name)).toHaveLength(1);
  });

  it('refuses unknown fields, bad enums, out-of-range values and missing required fields, naming the field', async () => {
    const unknown = await c.post('/api/wafpolicy', {
      name: 'w1',
      mode: 'WAF_MODE_ENFORCEMENT',
      waf_profile_ref: '/api/wafprofile/?name=System-WAF-Profile',
      strictness: 3,
    });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown)).toContain('strictness');
    const badEnum = await c.post('/api/wafpolicy', {
      name: 'w2',
      mode: 'WAF_MODE_BLOCK_EVERYTHING',
      waf_profile_ref: '/api/wafprofile/?name=System-WAF-Profile',
    });
    expect(badEnum.status).toBe(400);
    expect(errorOf(badEnum)).toContain('mode');
    const missing = await c.post('/api/wafpolicy', { name: 'w3', mode: 'WAF_MODE_ENFORCEMENT' });
    expect(missing.status).toBe(400);
    expect(errorOf(missing)).toContain('waf_profile_ref');
    const persistence = await c.post('/api/applicationpersistenceprofile', { name: 'p1' });
    expect(persistence.status).toBe(400);
    expect(errorOf(persistence)).toContain('persistence_type');
    const sgType = await c.post('/api/stringgroup', { name: 'sg1', type: 'SG_TYPE_LIST' });
    expect(sgType.status).toBe(400);
    expect(errorOf(sgType)).toContain('type');
    const range = await c.post('/api/healthmonitor', { name: 'hm1', type: 'HEALTH_MONITOR_TCP', send_interval: 0 });
    expect(range.status).toBe(400);
    expect(errorOf(range)).toContain('send_interval');
  });
});

describe('refs to the CRD-referenced types', () => {
  it('a virtual service and its pool refer to them by name; a missing one is not found', async () => {
    const vip = await c.post('/api/vsvip', vsvip('ref-vip'));
    expect(vip.status).toBe(201);
    expect(
      (
        await c.post('/api/pkiprofile', {
          name: 'pki-ref',
          ca_certs: [{ certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }],
        })
      ).status,
    ).toBe(201);
    const p = await c.post(
      '/api/pool',
      pool('ref-pool', {
        pki_profile_ref: '/api/pkiprofile/?name=pki-ref',
        ssl_profile_ref: '/api/sslprofile/?name=System-Standard',
        application_persistence_profile_ref: '/api/applicationpersistenceprofile/?name=System-Persistence-Client-IP',
        health_monitor_refs: ['/api/healthmonitor/?name=System-HTTP'],
      }),
    );
    expect(p.status, JSON.stringify(p.data)).toBe(201);
    const vs = await c.post('/api/virtualservice', {
      name: 'ref-vs',
      vsvip_ref: `/api/vsvip/${vip.data.uuid}`,
      pool_ref: `/api/pool/${p.data.uuid}`,
      services: [{ port: 443, enable_ssl: true }],
      waf_policy_ref: '/api/wafpolicy/?name=System-WAF-Policy',
      analytics_profile_ref: '/api/analyticsprofile/?name=System-Analytics-Profile',
      ssl_profile_ref: '/api/sslprofile/?name=System-Standard',
      error_page_profile_ref: '/api/errorpageprofile/?name=Custom-Error-Page-Profile',
      se_group_ref: '/api/serviceenginegroup/?name=Default-Group',
    });
    expect(vs.status, JSON.stringify(vs.data)).toBe(201);
    const got = await c.get(`/api/virtualservice/${vs.data.uuid}?include_name`);
    expect(got.data.waf_policy_ref).toMatch(/#System-WAF-Policy$/);
    expect(got.data.error_page_profile_ref).toMatch(/#Custom-Error-Page-Profile$/);

    const [waf] = await byName('wafpolicy', 'System-WAF-Policy');
    const referred = await c.get(`/api/virtualservice?refers_to=wafpolicy:${String(waf!.uuid)}`);
    expect(referred.data.results.map((r: { name: string }) => r.name)).toEqual(['ref-vs']);

    const missing = await c.post('/api/virtualservice', {
      name: 'ref-vs-2',
      vsvip_ref: `/api/vsvip/${vip.data.uuid}`,
      waf_policy_ref: '/api/wafpolicy/?name=no-such-waf',
    });
    expect(missing.status).toBe(404);
    expect(errorOf(missing)).toBe('WafPolicy object not found!');
    const wrongType = await c.post('/api/virtualservice', {
      name: 'ref-vs-3',
      vsvip_ref: `/api/vsvip/${vip.data.uuid}`,
      waf_policy_ref: '/api/wafprofile/?name=System-WAF-Profile',
    });
    expect(wrongType.status).toBe(400);
  });

  it('a WAF policy needs an existing WAF profile, and a referred WAF policy cannot be deleted', async () => {
    const noProfile = await c.post('/api/wafpolicy', {
      name: 'waf-orphan',
      mode: 'WAF_MODE_DETECTION_ONLY',
      waf_profile_ref: '/api/wafprofile/?name=no-such-profile',
    });
    expect(noProfile.status).toBe(404);
    expect(errorOf(noProfile)).toBe('WafProfile object not found!');
    const waf = await c.post('/api/wafpolicy', {
      name: 'waf-held',
      mode: 'WAF_MODE_DETECTION_ONLY',
      waf_profile_ref: '/api/wafprofile/?name=System-WAF-Profile',
    });
    const vip = await c.post('/api/vsvip', vsvip('held-vip'));
    const vs = await c.post('/api/virtualservice', {
      name: 'held-vs',
      vsvip_ref: `/api/vsvip/${vip.data.uuid}`,
      waf_policy_ref: `/api/wafpolicy/${waf.data.uuid}`,
    });
    expect(vs.status).toBe(201);
    const del = await c.delete(`/api/wafpolicy/${waf.data.uuid}`);
    expect(del.status).toBe(403);
    expect(errorOf(del)).toContain('held-vs');
    expect((await c.delete(`/api/virtualservice/${vs.data.uuid}`)).status).toBe(204);
    expect((await c.delete(`/api/wafpolicy/${waf.data.uuid}`)).status).toBe(204);
  });

  it('an HTTP policy set matches paths against a string group', async () => {
    expect(
      (await c.post('/api/stringgroup', { name: 'sg-paths', type: 'SG_TYPE_STRING', kv: [{ key: '/admin' }] })).status,
    ).toBe(201);
    const ps = await c.post('/api/httppolicyset', {
      name: 'ps-sg',
      http_request_policy: {
        rules: [
          {
            name: 'r1',
            index: 1,
            enable: true,
            match: { path: { match_criteria: 'BEGINS_WITH', string_group_refs: ['/api/stringgroup/?name=sg-paths'] } },
            switching_action: {
              action: 'HTTP_SWITCHING_SELECT_LOCAL',
              status_code: 'HTTP_LOCAL_RESPONSE_STATUS_CODE_403',
            },
          },
        ],
      },
    });
    expect(ps.status, JSON.stringify(ps.data)).toBe(201);
    const bad = await c.post('/api/httppolicyset', {
      name: 'ps-sg-2',
      http_request_policy: {
        rules: [
          {
            name: 'r1',
            index: 1,
            enable: true,
            match: { path: { match_criteria: 'BEGINS_WITH', string_group_refs: ['/api/stringgroup/?name=nope'] } },
          },
        ],
      },
    });
    expect(bad.status).toBe(404);
    expect(errorOf(bad)).toBe('StringGroup object not found!');
  });
});
