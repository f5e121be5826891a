import { useEffect, useRef, useState } from 'preact/hooks';

/** A problem the API answered, said so that a person can act on it; 412 offers a reload. */
export function Problem({ error, onReload }) {
  if (!error) return null;
  const status = error.status;
  let title = error.problem?.title || 'Something went wrong';
  let hint = null;
  if (status === 403) {
    title = 'Not allowed';
    hint = 'Your sign-in lacks a privilege this needs (named above). Ask an administrator for it.';
  } else if (status === 409) {
    title = 'Refused by a backup rule';
  } else if (status === 412) {
    title = 'Changed by someone else';
    hint = 'This page shows an older version. Reload to see the current one; what you typed stays in the form until then.';
  } else if (status === 0) {
    title = 'No connection';
  }
  const fields = (error.problem?.errors || []).filter((e) => !e.field || !error.shownFields?.includes(e.field));
  return (
    <div class="banner error" role="alert">
      <strong>{title}</strong>
      <p>{error.message}</p>
      {fields.length > 0 && (
        <ul>{fields.map((e) => <li>{e.field ? <code>{e.field}</code> : null} {e.message}</li>)}</ul>
      )}
      {hint && <p>{hint}</p>}
      {status === 412 && onReload && <button type="button" onClick={onReload}>Reload</button>}
    </div>
  );
}

export function Notice({ children }) {
  return children ? <div class="banner ok" role="status">{children}</div> : null;
}

let ids = 0;
/** A labelled control with its error under it, tied together for screen readers. */
export function Field({ label, error, hint, children, id }) {
  const fid = useRef(id || `f${++ids}`).current;
  const described = [error ? `${fid}-err` : null, hint ? `${fid}-hint` : null].filter(Boolean).join(' ') || undefined;
  const control = children({ id: fid, 'aria-describedby': described, 'aria-invalid': error ? 'true' : undefined });
  // A control may keep an id of its own (tests and links use them): the label follows it.
  const target = control?.props?.id || fid;
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={target}>{label}</label>
      {control}
      {hint && <small id={`${fid}-hint`} class="hint">{hint}</small>}
      {error && <small id={`${fid}-err`} class="field-error">{error}</small>}
    </div>
  );
}

/** Loads once per key; reload() reads again. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then((data) => live && setState({ data }), (error) => live && setState({ error }));
    return () => { live = false; };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

/** Calls fn every ms while active is true (lists that refresh while something runs). */
export function usePoll(active, ms, fn) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return undefined;
    const t = setInterval(() => saved.current(), ms);
    return () => clearInterval(t);
  }, [active, ms]);
}

export function Loading({ what }) {
  return <p class="muted" role="status">Loading {what}…</p>;
}

export function Status({ value }) {
  return <span class={`status s-${(value || '').toLowerCase()}`}>{value}</span>;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/** The tabs of a page, as links: each tab has its own address, so reload and back keep it. */
export function Tabs({ base, current, tabs }) {
  return (
    <nav class="tabs" aria-label="Sections">
      {tabs.map(([key, label]) => (
        <a href={`${base}/${key}`} aria-current={current === key ? 'page' : undefined}>{label}</a>
      ))}
    </nav>
  );
}
