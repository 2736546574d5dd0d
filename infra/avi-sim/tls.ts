import { generate } from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
}

/** A self-signed certificate for localhost / 127.0.0.1 / ::1, usable as its own CA by clients. */
export async function selfSignedCertificate(hostnames: string[] = []): Promise<TlsMaterial> {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'avi-sim.local' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 365 * 24 * 3_600_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'avi-sim.local' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          ...hostnames.map((h) =>
            /^[\d.]+$|:/.test(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h },
          ),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
