import { randomBytes } from 'node:crypto';
import { ApiError } from './errors.ts';

export interface Session {
  id: string;
  csrf: string;
  username: string;
  lastUsedMs: number;
}

export interface SessionOptions {
  username: string;
  password: string;
  /** Tokens accepted in place of the password (`{"username", "token"}` login). */
  tokens: Set<string>;
  idleSeconds: number;
  nowMs: () => number;
}

/**
 * The body of `POST /login` as a controller reads it: JSON (the Go SDK, `{"username", "password"|"token"}`) or an
 * HTML form (the Python SDK posts a dict with requests: `application/x-www-form-urlencoded`). A body that does not
 * parse as its declared type is a 400; another media type is a 415, as Django REST framework answers.
 */
export function parseLoginBody(contentType: string | undefined, raw: Buffer): Record<string, unknown> {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (raw.length === 0) return {};
  if (mediaType === 'application/x-www-form-urlencoded') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) if (!(k in out)) out[k] = v;
    return out;
  }
  if (mediaType === '' || mediaType === 'application/json' || mediaType.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ApiError(400, 'JSON parse error - the login body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ApiError(400, 'Invalid data. Expected a dictionary of username and password or token');
    }
    return parsed as Record<string, unknown>;
  }
  throw new ApiError(415, `Unsupported media type "${mediaType}" in request.`);
}

/** Parses a Cookie header into name → value. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const raw = part.slice(i + 1).trim();
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // A malformed escape: keep the raw text (it will not match any session).
    }
    out[part.slice(0, i).trim()] = value;
  }
  return out;
}

/** Controller sessions: cookie-based, with a CSRF token per session and idle expiry. */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  /** Local users: username → password (a controller has several, e.g. one per AKO instance). */
  private readonly users = new Map<string, string>();

  constructor(private readonly opts: SessionOptions) {
    this.users.set(opts.username, opts.password);
  }

  login(body: unknown): Session {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const username = typeof b.username === 'string' ? b.username : undefined;
    const expected = username === undefined ? undefined : this.users.get(username);
    const passwordOk = expected !== undefined && typeof b.password === 'string' && b.password === expected;
    const tokenOk = expected !== undefined && typeof b.token === 'string' && this.opts.tokens.has(b.token);
    if (!username || !(passwordOk || tokenOk)) throw new ApiError(401, 'Invalid credentials');
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      csrf: randomBytes(24).toString('hex'),
      username,
      lastUsedMs: this.opts.nowMs(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session named by the request's cookies; 401 when missing, unknown or idle too long. */
  authenticate(cookies: Record<string, string>): Session {
    const id = cookies.sessionid ?? cookies['avi-sessionid'];
    if (!id) throw new ApiError(401, 'Authentication credentials were not provided.');
    const session = this.sessions.get(id);
    if (!session) throw new ApiError(401, 'Invalid session: log in again');
    const now = this.opts.nowMs();
    if (now - session.lastUsedMs > this.opts.idleSeconds * 1000) {
      this.sessions.delete(id);
      throw new ApiError(401, 'Session expired: log in again');
    }
    session.lastUsedMs = now;
    return session;
  }

  /** Django-style CSRF check for unsafe methods: X-CSRFToken must equal the session's token. */
  checkCsrf(session: Session, header: string | undefined): void {
    if (header !== session.csrf) throw new ApiError(403, 'CSRF Failed: CSRF token missing or incorrect.');
  }

  logout(cookies: Record<string, string>): void {
    const id = cookies.sessionid ?? cookies['avi-sessionid'];
    if (id) this.sessions.delete(id);
  }

  expire(id: string): void {
    this.sessions.delete(id);
  }

  expireAll(): void {
    this.sessions.clear();
  }

  /** Adds (or changes the password of) a local user. */
  addUser(username: string, password: string): void {
    this.users.set(username, password);
  }

  /** A user that logs in with tokens only (an unguessable password) unless it exists already. */
  ensureUser(username: string): void {
    if (!this.users.has(username)) this.users.set(username, randomBytes(24).toString('hex'));
  }

  addToken(token: string): void {
    this.opts.tokens.add(token);
  }

  removeToken(token: string): void {
    this.opts.tokens.delete(token);
  }

  count(): number {
    return this.sessions.size;
  }
}
