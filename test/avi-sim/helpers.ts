import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

export interface Session {
  cookie: string;
  csrf: string;
}

/** Logs in with the given credentials and returns the cookies and CSRF token a client would keep. */
export async function login(url: string, username = 'admin', password = 'admin'): Promise<Session> {
  const res = await axios.post(`${url}/login`, { username, password }, { validateStatus: () => true });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.data)}`);
  const cookies = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('csrftoken='))!.slice('csrftoken='.length);
  return { cookie: cookies.join('; '), csrf };
}

export interface ApiOptions {
  tenant?: string;
  version?: string | null;
  csrf?: string | null;
}

/** An axios client with AKO's headers that never throws on status. */
export function api(url: string, session: Session | undefined, opts: ApiOptions = {}): AxiosInstance {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Referer: `${url}/` };
  if (opts.version !== null) headers['X-Avi-Version'] = opts.version ?? '30.2.1';
  if (opts.tenant !== undefined) headers['X-Avi-Tenant'] = opts.tenant;
  if (session) {
    headers.Cookie = session.cookie;
    if (opts.csrf !== null) headers['X-CSRFToken'] = opts.csrf ?? session.csrf;
  }
  return axios.create({ baseURL: url, headers, validateStatus: () => true });
}

export function errorOf(res: AxiosResponse): string {
  return String((res.data as { error?: unknown } | undefined)?.error ?? '');
}

export const UUID4 = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

export function pool(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, servers: [{ ip: { addr: '10.0.0.1', type: 'V4' }, port: 8080 }], ...extra };
}

export function vsvip(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, vip: [{ vip_id: '0', auto_allocate_ip: true }], ...extra };
}
