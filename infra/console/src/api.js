// The API client: one fetch per call, problem documents turned into ApiError, ETag kept as the version.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title || problem.message)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
  /** The messages of errors[] by field ("code", "backupConfigurations[0].time", ...). */
  fieldErrors() {
    const out = {};
    for (const e of this.problem.errors || []) {
      if (e.field) out[e.field] = out[e.field] ? `${out[e.field]}; ${e.message}` : e.message;
    }
    return out;
  }
}

export function createApi(baseUrl, token, onUnauthorized) {
  let calls = 0;
  async function call(method, path, { body, ifMatch, idempotencyKey } = {}) {
    calls++;
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (ifMatch !== undefined && ifMatch !== null) headers['If-Match'] = `"${ifMatch}"`;
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    let r;
    try {
      r = await fetch(baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, { title: 'The API cannot be reached', detail: `The API at ${baseUrl || location.origin} cannot be reached; check the connection and try again.` });
    }
    const text = r.status === 204 ? '' : await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (r.status === 401) {
      onUnauthorized();
      throw new ApiError(401, { title: 'Signed out', detail: 'Your session has ended; sign in again.' });
    }
    if (!r.ok) throw new ApiError(r.status, json);
    return json;
  }
  const q = (params) => {
    const s = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
    return s ? `?${s}` : '';
  };
  return {
    calls: () => calls,
    get: (path, params = {}) => call('GET', path + q(params)),
    put: (path, body, ifMatch) => call('PUT', path, { body, ifMatch }),
    post: (path, body, idempotencyKey) => call('POST', path, { body, idempotencyKey }),
    del: (path, ifMatch) => call('DELETE', path, { ifMatch }),
  };
}

export const enc = encodeURIComponent;
