import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ApiError } from './errors.ts';

/**
 * How strictly sslkeyandcertificate bodies are checked:
 * - 'pem' (default): certificate and key must be PEM blocks (catches base64 that was never decoded);
 * - 'full': they must also parse, and the key must match the certificate (what a controller's import does);
 * - 'off': stored as sent.
 */
export type CertificateChecks = 'pem' | 'full' | 'off';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+?-----END (?:[A-Z]+ )?PRIVATE KEY-----/;

function importError(what: string): ApiError {
  // A controller answers a failed import with 500 and "Import error" (AKO matches that text).
  return new ApiError(500, `Import error: ${what}; cannot read the certificate's common_name`);
}

/** Checks the certificate and key of an sslkeyandcertificate body; `key` may be absent (CA certificates). */
export function checkCertificate(body: Record<string, unknown>, mode: CertificateChecks): void {
  if (mode === 'off') return;
  const pem = (body.certificate as { certificate?: unknown } | undefined)?.certificate;
  const key = body.key;
  if (typeof pem === 'string' && pem !== '' && !CERT_BLOCK.test(pem)) {
    throw importError("'certificate.certificate' is not a PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  if (typeof key === 'string' && key !== '' && !KEY_BLOCK.test(key)) {
    throw importError("'key' is not a PEM private key (-----BEGIN PRIVATE KEY-----)");
  }
  if (mode !== 'full' || typeof pem !== 'string' || pem === '') return;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw importError("'certificate.certificate' does not parse as an X.509 certificate");
  }
  if (typeof key === 'string' && key !== '') {
    let matches = false;
    try {
      matches = cert.checkPrivateKey(createPrivateKey(key));
    } catch {
      throw importError("'key' does not parse as a private key");
    }
    if (!matches) throw importError("'key' does not match the certificate");
  }
}
