// Talking to a running Visage the way a browser (cookies) or a script (API key) does.
import { createVisageTrpc } from '@visage/api/client';

export interface Account {
  email: string;
  password: string;
  cookie: string;
  userId: string;
  role: string | null;
}

/** POST to a better-auth endpoint as a browser on `base` would. */
export async function authPost(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${base}/api/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

export async function signUp(
  base: string,
  email: string,
  password = 'correct horse battery',
): Promise<Account> {
  const result = await authPost(base, '/sign-up/email', { email, password, name: email.split('@')[0] });
  if (result.status !== 200)
    throw new Error(`sign-up of ${email} failed: ${result.status} ${JSON.stringify(result.body)}`);
  const user = result.body.user as { id: string; role: string | null };
  const cookie = (result.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { email, password, cookie, userId: user.id, role: user.role };
}

/** A tRPC client that authenticates with a session cookie (like the web UI) or with extra headers. */
export function trpcWith(base: string, headers: Record<string, string>) {
  return createVisageTrpc(base, { origin: base, ...headers });
}
