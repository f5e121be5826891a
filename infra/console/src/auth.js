// Sign-in. Two modes, chosen by config.json:
//  - "dev" (the local runtime): its loopback-only page mints an HS256 token and hands it back in the URL fragment.
//  - "oidc" (AWS): OpenID Connect authorization code with PKCE against the issuer; oidc-client-ts is loaded only here.
// Tokens live in sessionStorage: they end with the tab and are never written to localStorage or cookies.

const TOKEN = 'lifeboat.token';
const RETURN = 'lifeboat.return';
let manager = null;

export async function loadConfig() {
  const r = await fetch('config.json', { cache: 'no-store' });
  if (!r.ok) throw new Error(`config.json answered ${r.status}`);
  return r.json();
}

async function oidc(config) {
  if (!manager) {
    const { UserManager, WebStorageStateStore } = await import('oidc-client-ts');
    const here = location.origin + location.pathname;
    manager = new UserManager({
      authority: config.issuer,
      client_id: config.clientId,
      redirect_uri: here,
      post_logout_redirect_uri: here,
      response_type: 'code',
      scope: config.scope || 'openid',
      userStore: new WebStorageStateStore({ store: sessionStorage }),
    });
  }
  return manager;
}

/** The bearer token after a sign-in redirect came back, or the one kept for this tab; null when signed out. */
export async function currentToken(config) {
  if (config.auth === 'dev' && location.hash.startsWith('#token=')) {
    sessionStorage.setItem(TOKEN, decodeURIComponent(location.hash.slice(7)));
    history.replaceState(null, '', location.pathname + (sessionStorage.getItem(RETURN) || '#/'));
    sessionStorage.removeItem(RETURN);
  }
  if (config.auth === 'oidc') {
    const m = await oidc(config);
    const params = new URLSearchParams(location.search);
    if (params.has('code') && params.has('state')) {
      await m.signinRedirectCallback();
      history.replaceState(null, '', location.pathname + (sessionStorage.getItem(RETURN) || '#/'));
      sessionStorage.removeItem(RETURN);
    }
    const user = await m.getUser();
    // The API's JWT authorizer checks the audience: the access token is what it expects.
    if (user && !user.expired) sessionStorage.setItem(TOKEN, user.access_token);
  }
  const token = sessionStorage.getItem(TOKEN);
  if (!token) return null;
  const claims = decodeClaims(token);
  if (!claims || (claims.exp && claims.exp * 1000 < Date.now())) {
    sessionStorage.removeItem(TOKEN);
    return null;
  }
  return token;
}

export async function signIn(config) {
  sessionStorage.setItem(RETURN, location.hash || '#/');
  sessionStorage.removeItem(TOKEN);
  if (config.auth === 'oidc') {
    await (await oidc(config)).signinRedirect();
  } else {
    location.assign(config.devSignIn || 'dev-signin');
  }
}

export async function signOut(config) {
  sessionStorage.removeItem(TOKEN);
  if (config.auth === 'oidc') {
    await (await oidc(config)).removeUser();
  }
  location.hash = '#/signed-out';
  location.reload();
}

/** The claims the console shapes itself around (who, which enterprise, which privileges); the API still decides. */
export function decodeClaims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const c = JSON.parse(atob(part));
    let priv = c.priv || [];
    // API Gateway's form of an array claim, "[A B]", in case a provider already sends it that way.
    if (typeof priv === 'string') priv = priv.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
    return { sub: c.sub, ent: c.ent, priv, exp: c.exp };
  } catch {
    return null;
  }
}
