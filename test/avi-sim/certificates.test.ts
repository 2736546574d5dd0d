import { describe, expect, it } from 'vitest';
import { startAviSim } from '../../infra/avi-sim/index.ts';
import { selfSignedCertificate } from '../../infra/avi-sim/tls.ts';
import { api, errorOf, login } from './helpers.ts';

const FAKE_CERT = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const FAKE_KEY = '-----BEGIN PRIVATE KEY-----\nfake\n-----END PRIVATE KEY-----\n';

function cert(name: string, certificate: string, key?: string): Record<string, unknown> {
  return {
    name,
    type: 'SSL_CERTIFICATE_TYPE_VIRTUALSERVICE',
    certificate: { certificate },
    ...(key !== undefined ? { key } : {}),
  };
}

describe('sslkeyandcertificate import checks', () => {
  it('by default requires PEM blocks: base64 that was never decoded fails with 500 "Import error"', async () => {
    const sim = await startAviSim();
    try {
      const c = api(sim.url, await login(sim.url));
      expect((await c.post('/api/sslkeyandcertificate', cert('ok', FAKE_CERT, FAKE_KEY))).status).toBe(201);
      const encoded = Buffer.from(FAKE_CERT).toString('base64');
      const res = await c.post('/api/sslkeyandcertificate', cert('b64', encoded, FAKE_KEY));
      expect(res.status).toBe(500);
      expect(errorOf(res)).toContain('Import error');
      expect(errorOf(res)).toContain('common_name');
      const badKey = await c.post(
        '/api/sslkeyandcertificate',
        cert('b64-key', FAKE_CERT, Buffer.from(FAKE_KEY).toString('base64')),
      );
      expect(badKey.status).toBe(500);
      expect(errorOf(badKey)).not.toContain('fake');
    } finally {
      await sim.close();
    }
  });

  it("with 'full' checks, parses the certificate and requires the key to match it", async () => {
    const sim = await startAviSim({ certificateChecks: 'full' });
    try {
      const c = api(sim.url, await login(sim.url));
      const a = await selfSignedCertificate();
      const b = await selfSignedCertificate();
      expect((await c.post('/api/sslkeyandcertificate', cert('real', a.cert, a.key))).status).toBe(201);
      expect((await c.post('/api/sslkeyandcertificate', cert('ca-only', a.cert))).status).toBe(201);
      const mismatch = await c.post('/api/sslkeyandcertificate', cert('mismatch', a.cert, b.key));
      expect(mismatch.status).toBe(500);
      expect(errorOf(mismatch)).toContain('does not match');
      const fake = await c.post('/api/sslkeyandcertificate', cert('fake', FAKE_CERT, FAKE_KEY));
      expect(fake.status).toBe(500);
      expect(errorOf(fake)).toContain('Import error');
    } finally {
      await sim.close();
    }
  });
});
