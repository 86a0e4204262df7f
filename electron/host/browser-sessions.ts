/**
 * Sign-in for the browser host. The address `labvault ui` prints or opens carries a
 * one-time code, never a lasting secret: a browser's command line can be read by every user
 * of a multi-user machine (ps, /proc), so what travels there works once, for minutes. The
 * host exchanges a code for a random session id set as an HttpOnly, SameSite=Strict cookie
 * whose name carries the port (cookies ignore ports: two hosts on one machine must not
 * overwrite each other's). Only SHA-256 digests of codes and sessions are kept, so lookups
 * compare digests, not the secrets themselves.
 */
import { createHash, randomBytes } from 'node:crypto';

const SECRET_BYTES = 24;
/** Codes alive at once (each is minted for the terminal or the browser opener). */
const MAX_LIVE_CODES = 64;

function digest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function newSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function sessionCookieName(port: number): string {
  return `labvault_session_${port}`;
}

export function sessionCookieHeader(port: number, sessionId: string): string {
  return `${sessionCookieName(port)}=${sessionId}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The value of the cookie `name` in a Cookie header, or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const trimmed = part.trim();
    if (trimmed.startsWith(`${name}=`)) return trimmed.slice(name.length + 1);
  }
  return null;
}

export class BrowserSessions {
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Set<string>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** A new code, valid once until `ttlMs` from now. */
  issueCode(ttlMs: number): { code: string; expiresAt: number } {
    this.dropExpired();
    if (this.codes.size >= MAX_LIVE_CODES) {
      const oldest = [...this.codes.entries()].sort((a, b) => a[1] - b[1])[0];
      if (oldest) this.codes.delete(oldest[0]);
    }
    const code = newSecret();
    const expiresAt = this.now() + ttlMs;
    this.codes.set(digest(code), expiresAt);
    return { code, expiresAt };
  }

  /** Whether `code` is unused and unexpired (it stays usable). */
  isLive(code: string): boolean {
    const expiresAt = this.codes.get(digest(code));
    return expiresAt !== undefined && expiresAt > this.now();
  }

  /** Spends `code` for a new session id; null when it is unknown, used or expired. */
  exchange(code: string | null): string | null {
    if (code === null || code === '') return null;
    const key = digest(code);
    const expiresAt = this.codes.get(key);
    this.codes.delete(key);
    if (expiresAt === undefined || expiresAt <= this.now()) return null;
    const sessionId = newSecret();
    this.sessions.add(digest(sessionId));
    return sessionId;
  }

  isSession(sessionId: string | null): boolean {
    return sessionId !== null && sessionId !== '' && this.sessions.has(digest(sessionId));
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [key, expiresAt] of this.codes) if (expiresAt <= now) this.codes.delete(key);
  }
}
