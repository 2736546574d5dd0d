import { ApiError } from './errors.ts';

export const DEFAULT_CONTROLLER_VERSION = '30.2.1';

/** `30.2.1` → [30, 2, 1]; undefined when malformed (2 to 4 numeric parts). */
export function parseVersion(v: string): number[] | undefined {
  if (!/^\d{1,4}(\.\d{1,4}){1,3}$/.test(v.trim())) return undefined;
  return v.trim().split('.').map(Number);
}

export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The API version a request is served at. Without X-Avi-Version a controller serves its oldest API model, 16.4.1
 * (Avi's "API Versioning" guide; the Python SDK sends no header unless given `api_version`). A header must be well
 * formed and not newer than the controller's own version.
 */
export const DEFAULT_REQUEST_VERSION = '16.4.1';

export function checkApiVersion(header: string | undefined, controller: string): string {
  if (header === undefined || header.trim() === '') return DEFAULT_REQUEST_VERSION;
  const v = parseVersion(header);
  if (!v) throw new ApiError(400, `Invalid version ${header}: expected a version like ${controller}`);
  if (compareVersions(v, parseVersion(controller)!) > 0) {
    throw new ApiError(400, `Invalid version ${header}: newer than the controller's version ${controller}`);
  }
  return header.trim();
}

/** The `version` object of /login and /api/initial-data. */
export function versionInfo(version: string): Record<string, unknown> {
  return {
    Version: version,
    build: 9001,
    Tag: `${version}-9001-sim`,
    Date: '2024-01-01T00:00:00+00:00',
    ProductName: 'Avi Cloud Controller (simulator)',
    min_version: '15.2',
    patch: '',
  };
}
