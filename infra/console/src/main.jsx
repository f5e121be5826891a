import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi } from './api.js';
import { currentToken, decodeClaims, loadConfig, signIn, signOut } from './auth.js';
import { DatacenterList, Datacenter, PolicyPage } from './admin.jsx';
import { VmList, VmPage, RestoresPage } from './tenant.jsx';

function useHash() {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function App({ config, token }) {
  const claims = useMemo(() => decodeClaims(token), [token]);
  const api = useMemo(() => createApi(config.apiUrl || '', token, () => signIn(config)), [token]);
  // The multi-restore selection survives moving between VMs: one request for backups of several VMs.
  const [cart, setCart] = useState([]);
  const hash = useHash();
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const admin = claims.priv.includes('PHYS_DC_RETRIEVE_DETAILS');
  const ctx = { api, claims, config, cart, setCart, can: (p) => claims.priv.includes(p) };
  const main = useRef(null);

  useEffect(() => {
    // A new page moves focus to its heading, so keyboard and screen-reader users start at the top of it.
    const h = main.current?.querySelector('h1');
    if (h) { h.setAttribute('tabindex', '-1'); h.focus({ preventScroll: true }); }
  }, [hash]);
  useEffect(() => {
    // For the browser tests' figures: when the first page rendered, and how many API calls each page view makes.
    performance.mark('lifeboat:first-render');
    window.lifeboatApiCalls = () => api.calls();
  }, []);

  let page;
  // Each page keys on its address, so a new address never inherits the previous page's form or error.
  if (parts.length === 0) page = admin ? <DatacenterList ctx={ctx} /> : <VmList ctx={ctx} />;
  else if (parts[0] === 'datacenters' && parts.length === 1) page = <DatacenterList ctx={ctx} />;
  else if (parts[0] === 'datacenters' && parts[2] === 'policies' && parts[3]) page = <PolicyPage key={hash} ctx={ctx} dc={parts[1]} id={parts[3]} />;
  else if (parts[0] === 'datacenters') page = <Datacenter key={hash} ctx={ctx} dc={parts[1]} tab={parts[2] || 'manager'} />;
  else if (parts[0] === 'vms' && parts.length === 1) page = <VmList ctx={ctx} />;
  else if (parts[0] === 'vms') page = <VmPage key={hash} ctx={ctx} vm={parts[1]} tab={parts[2] || 'backup'} />;
  else if (parts[0] === 'restores') page = <RestoresPage ctx={ctx} />;
  else page = <section><h1>Not found</h1><p>There is no page {hash}. <a href="#/">Go to the start page</a>.</p></section>;

  const nav = [
    admin && ['#/datacenters', 'Datacenters', 'datacenters'],
    ['#/vms', 'Virtual machines', 'vms'],
    ['#/restores', cart.length ? `Restores (${cart.length} selected)` : 'Restores', 'restores'],
  ].filter(Boolean);
  const section = parts[0] || (admin ? 'datacenters' : 'vms');
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.querySelector('h1')?.focus(); }}>Skip to content</a>
      <header>
        <span class="brand">Lifeboat</span>
        <nav aria-label="Main">
          {nav.map(([href, label, key]) => <a href={href} aria-current={section === key ? 'page' : undefined}>{label}</a>)}
        </nav>
        <span class="who">
          <span id="who">{claims.sub}{claims.ent ? ` · ${claims.ent}` : ''}</span>
          <button type="button" class="link" onClick={() => signOut(config)}>Sign out</button>
        </span>
      </header>
      <main id="main" ref={main}>{page}</main>
    </>
  );
}

function SignedOut({ config }) {
  return (
    <main id="main">
      <h1>Lifeboat</h1>
      <p>Self-service backup of your virtual machines.</p>
      <button type="button" onClick={() => signIn(config)}>Sign in</button>
    </main>
  );
}

async function start() {
  const root = document.getElementById('app');
  // Preact adds to what the element holds: the loading line goes first.
  root.textContent = '';
  let config;
  try {
    config = await loadConfig();
  } catch (e) {
    render(<main><h1>Lifeboat</h1><div class="banner error" role="alert">The console's configuration could not be read: {e.message}</div></main>, root);
    return;
  }
  const token = await currentToken(config);
  if (!token) {
    if (location.hash === '#/signed-out') {
      render(<SignedOut config={config} />, root);
    } else {
      await signIn(config);
    }
    return;
  }
  render(<App config={config} token={token} />, root);
}

start();
