import { CSRF_HEADER, type ErrorResponse, type SessionInfo } from '../shared/api';

/** An answer of the console server other than 2xx, with its message. */
export class ApiError extends Error {
  public constructor(
    public readonly status: number,
    message: string,
    public readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let session: SessionInfo | undefined;

export async function getSession(): Promise<SessionInfo> {
  session ??= await get<SessionInfo>('/api/session');
  return session;
}

export async function get<T>(
  path: string,
  query: Readonly<Record<string, string | undefined>> = {},
): Promise<T> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const qs = params.toString();
  return answer<T>(await fetch(qs ? `${path}?${qs}` : path, { headers: { accept: 'application/json' } }));
}

/** A state-changing request: JSON body and the session's CSRF token. */
export async function post<T>(path: string, body: unknown): Promise<T> {
  const { csrfToken } = await getSession();
  return answer<T>(
    await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', [CSRF_HEADER]: csrfToken },
      body: JSON.stringify(body),
    }),
  );
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as T & Partial<ErrorResponse>;
  if (!response.ok) {
    throw new ApiError(response.status, body.message ?? `HTTP ${response.status}`, body.problems ?? []);
  }
  return body;
}
