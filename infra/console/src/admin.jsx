import { useEffect, useState } from 'preact/hooks';
import { enc } from './api.js';
import { DAYS, DEFINE_IN_VM, FIELD_LABELS, NOT_APPLY, SUBTYPES, checkValue, describe, zones } from './schedule.js';
import { Field, Loading, Notice, Problem, Tabs, useLoad } from './ui.jsx';

const TYPES = {
  VEEAM: 'Veeam Backup Enterprise Manager',
  NETWORKER: 'Dell EMC NetWorker',
  VMWARE_SNAPSHOT: 'VMware vCenter snapshots',
  VEEAM_SNAPSHOT: 'Veeam policies with vCenter snapshots',
};
const TWO_PART = ['NETWORKER', 'VEEAM_SNAPSHOT'];
const ENDPOINT_EXAMPLES = {
  VEEAM: 'http://veeam.host.domain:9399/api/',
  NETWORKER: 'https://networker.host.domain:9090/nwrestapi/v3/global',
  VMWARE_SNAPSHOT: 'https://vcenter.example.com/sdk',
  VEEAM_SNAPSHOT: 'https://veeam.example.com:9398/api/',
};
const SECOND_PART = { NETWORKER: 'vCenter', VEEAM_SNAPSHOT: 'vCenter' };
const FIRST_PART = { NETWORKER: 'NetWorker', VEEAM_SNAPSHOT: 'Veeam' };

export function DatacenterList({ ctx }) {
  const [cursor, setCursor] = useState(null);
  const list = useLoad(() => ctx.api.get('/datacenters', { limit: 50, cursor }), [cursor]);
  const [open, setOpen] = useState('');
  return (
    <section>
      <h1>Datacenters</h1>
      <p>Datacenters connected to a backup system. Open any other datacenter by its id to connect it.</p>
      <form class="inline" onSubmit={(e) => { e.preventDefault(); if (open.trim()) location.hash = `#/datacenters/${enc(open.trim())}/manager`; }}>
        <Field label="Datacenter id">{(a) => <input {...a} id="open-dc" value={open} onInput={(e) => setOpen(e.target.value)} required pattern="[A-Za-z0-9._:\-]{1,128}" />}</Field>
        <button type="submit">Open</button>
      </form>
      {list.error && <Problem error={list.error} />}
      {list.loading && !list.data && <Loading what="datacenters" />}
      {list.data && (list.data.items.length === 0 ? <p>No datacenter has a backup manager yet.</p> : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Datacenters with a backup manager</caption>
            <thead><tr><th scope="col">Datacenter</th><th scope="col">Backup manager</th><th scope="col">Type</th><th scope="col">Policies</th><th scope="col">Configured VMs</th></tr></thead>
            <tbody>
              {list.data.items.map((d) => (
                <tr>
                  <th scope="row"><a href={`#/datacenters/${enc(d.id)}/policies`}>{d.id}</a></th>
                  <td>{d.manager.name}</td><td>{d.manager.type}</td><td>{d.policyCount}</td><td>{d.configuredVmCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {list.data?.nextCursor && <button type="button" onClick={() => setCursor(list.data.nextCursor)}>Next page</button>}
    </section>
  );
}

export function Datacenter({ ctx, dc, tab }) {
  const base = `#/datacenters/${enc(dc)}`;
  return (
    <section>
      <p class="crumbs"><a href="#/datacenters">Datacenters</a> / {dc}</p>
      <h1>Datacenter {dc}</h1>
      <Tabs base={base} current={tab} tabs={[['manager', 'Backup manager'], ['properties', 'Properties'], ['policies', 'Backup policies'], ['allowances', 'Allowances']]} />
      {tab === 'manager' && <ManagerTab ctx={ctx} dc={dc} />}
      {tab === 'properties' && <PropertiesTab ctx={ctx} dc={dc} />}
      {tab === 'policies' && <PoliciesTab ctx={ctx} dc={dc} />}
      {tab === 'allowances' && <AllowancesTab ctx={ctx} dc={dc} />}
    </section>
  );
}

const orNull404 = (p) => p.catch((e) => { if (e.status === 404) return null; throw e; });

function ManagerTab({ ctx, dc }) {
  const path = `/datacenters/${enc(dc)}/backup-manager`;
  const sep = ctx.config.credentialSeparator || '#';
  const loaded = useLoad(() => orNull404(ctx.api.get(path)), [dc]);
  const [form, setForm] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  const [check, setCheck] = useState(null);
  const [checking, setChecking] = useState(false);

  useEffect(() => {
    if (loaded.data === undefined) return;
    const m = loaded.data;
    const [user1, user2] = (m?.user || '').split(sep);
    setForm({ name: m?.name || '', type: m?.type || 'VEEAM', endpoint: m?.endpoint || '', user1: user1 || '', user2: user2 || '', pass1: '', pass2: '', version: m?.version ?? null, exists: !!m });
  }, [loaded.data]);

  if (loaded.error) return <Problem error={loaded.error} />;
  if (!form) return <Loading what="the backup manager" />;
  const two = TWO_PART.includes(form.type);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const fe = error?.fieldErrors?.() || {};
  const addSlash = () => {
    if (['VEEAM', 'VEEAM_SNAPSHOT'].includes(form.type) && form.endpoint && !form.endpoint.endsWith('/')) setForm({ ...form, endpoint: `${form.endpoint}/` });
  };

  async function save(e) {
    e.preventDefault();
    setError(null); setSaved(null);
    const body = { name: form.name, type: form.type, endpoint: form.endpoint, user: two ? `${form.user1}${sep}${form.user2}` : form.user1 };
    const password = two ? (form.pass1 || form.pass2 ? `${form.pass1}${sep}${form.pass2}` : '') : form.pass1;
    if (password) body.password = password;
    try {
      const m = await ctx.api.put(path, body, form.version);
      setForm({ ...form, endpoint: m.endpoint, version: m.version, exists: true, pass1: '', pass2: '' });
      setSaved(`Saved. The password is stored and will not be shown again.`);
    } catch (err) {
      err.shownFields = Object.keys(err.fieldErrors());
      setError(err);
    }
  }

  async function runCheck() {
    setChecking(true); setCheck(null);
    try {
      setCheck(await ctx.api.post(`${path}/check`, {}));
    } catch (err) {
      setCheck({ error: err });
    } finally {
      setChecking(false);
    }
  }

  return (
    <form onSubmit={save} class="card" aria-labelledby="manager-h">
      <h2 id="manager-h">{form.exists ? 'Backup manager' : 'Connect a backup manager'}</h2>
      <Problem error={error} onReload={() => { setError(null); loaded.reload(); }} />
      <Notice>{saved}</Notice>
      <Field label="Name" error={fe.name}>{(a) => <input {...a} id="manager-name" value={form.name} onInput={set('name')} required maxLength={128} />}</Field>
      <Field label="Type" error={fe.type} hint={form.exists ? 'The type is fixed once saved: delete the manager to connect another kind of backup system.' : 'It cannot change once saved.'}>
        {(a) => (
          <select {...a} id="manager-type" value={form.type} onChange={set('type')} disabled={form.exists}>
            {Object.entries(TYPES).map(([k, v]) => <option value={k}>{v} ({k})</option>)}
          </select>
        )}
      </Field>
      <Field label="Endpoint URL" error={fe.endpoint} hint={`For example ${ENDPOINT_EXAMPLES[form.type]}${['VEEAM', 'VEEAM_SNAPSHOT'].includes(form.type) ? ' (a trailing / is added for you)' : ''}`}>
        {(a) => <input {...a} id="manager-endpoint" type="url" value={form.endpoint} onInput={set('endpoint')} onBlur={addSlash} required />}
      </Field>
      {two && <p class="hint" id="sep-hint">{FIRST_PART[form.type]} needs a {SECOND_PART[form.type]} account as well: Lifeboat stores both joined by “{sep}” ({FIRST_PART[form.type]} part first), so neither part may contain it.</p>}
      <div class={two ? 'pair' : ''}>
        <Field label={two ? `${FIRST_PART[form.type]} user` : 'User'} error={fe.user}>{(a) => <input {...a} id="manager-user" value={form.user1} onInput={set('user1')} required autocomplete="off" />}</Field>
        {two && <Field label={`${SECOND_PART[form.type]} user`}>{(a) => <input {...a} id="manager-user2" value={form.user2} onInput={set('user2')} required autocomplete="off" />}</Field>}
      </div>
      <div class={two ? 'pair' : ''}>
        <Field label={two ? `${FIRST_PART[form.type]} password` : 'Password'} error={fe.password}
          hint={form.exists ? 'Write-only: leave empty to keep the stored password.' : 'Write-only: it is never shown again.'}>
          {(a) => <input {...a} id="manager-password" type="password" value={form.pass1} onInput={set('pass1')} required={!form.exists} autocomplete="new-password" />}
        </Field>
        {two && <Field label={`${SECOND_PART[form.type]} password`}>{(a) => <input {...a} id="manager-password2" type="password" value={form.pass2} onInput={set('pass2')} required={!form.exists} autocomplete="new-password" />}</Field>}
      </div>
      <div class="actions">
        <button type="submit" id="manager-save">Save</button>
        <button type="button" id="manager-check" class="secondary" onClick={runCheck} disabled={!form.exists || checking}>{checking ? 'Checking…' : 'Check connection'}</button>
      </div>
      {check && (check.error ? <Problem error={check.error} /> : (
        <dl class={`check ${check.reachable && check.authenticated ? 'good' : 'bad'}`} id="check-result" aria-live="polite">
          <dt>Reachable</dt><dd>{check.reachable ? 'yes' : 'no'}</dd>
          <dt>Authenticated</dt><dd>{check.authenticated ? 'yes' : 'no'}</dd>
          <dt>Latency</dt><dd>{check.latencyMs === null ? '—' : `${check.latencyMs} ms`}</dd>
          <dt>Details</dt><dd>{check.details}</dd>
        </dl>
      ))}
    </form>
  );
}

const SWITCHES = [
  ['multipleRestore', 'Multiple restore', 'A backup may be restored again once its previous restore has ended.'],
  ['multipleBackupPolicies', 'Multiple policies per VM', 'A VM may select more than one backup policy.'],
  ['updateWhenDeployed', 'Update when deployed', 'A deployed VM’s backup configuration may change (otherwise only while it is not allocated).'],
  ['backupNow', 'Backup now', 'Users may request an immediate backup of their VMs.'],
];

function PropertiesTab({ ctx, dc }) {
  const path = `/datacenters/${enc(dc)}/backup-properties`;
  const loaded = useLoad(() => ctx.api.get(path), [dc]);
  const [form, setForm] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  useEffect(() => { if (loaded.data) setForm(loaded.data); }, [loaded.data]);
  if (loaded.error) return <Problem error={loaded.error} />;
  if (!form) return <Loading what="properties" />;
  async function save(e) {
    e.preventDefault();
    setError(null); setSaved(null);
    try {
      const body = Object.fromEntries(SWITCHES.map(([k]) => [k, !!form[k]]));
      setForm(await ctx.api.put(path, body, form.version || null));
      setSaved('Properties saved.');
    } catch (err) { setError(err); }
  }
  return (
    <form onSubmit={save} class="card">
      <h2>Backup policy properties</h2>
      <Problem error={error} onReload={() => { setError(null); loaded.reload(); }} />
      <Notice>{saved}</Notice>
      <fieldset>
        <legend class="sr-only">Switches</legend>
        {SWITCHES.map(([k, label, help]) => (
          <div class="switch">
            <input type="checkbox" id={`prop-${k}`} checked={!!form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.checked })} aria-describedby={`prop-${k}-help`} />
            <label for={`prop-${k}`}>{label}</label>
            <small id={`prop-${k}-help`} class="hint">{help}</small>
          </div>
        ))}
      </fieldset>
      <div class="actions"><button type="submit" id="properties-save">Save properties</button></div>
    </form>
  );
}

function summary(p) {
  return p.backupConfigurations.map((c) => `${SUBTYPES[c.subtype]?.label || c.subtype}: ${SUBTYPES[c.subtype].fields.map((f) => describe(f, c[f])).join(' · ')}`).join('; ');
}

function PoliciesTab({ ctx, dc }) {
  const path = `/datacenters/${enc(dc)}/backup-policies`;
  const list = useLoad(() => ctx.api.get(path, { limit: 100 }), [dc]);
  const [error, setError] = useState(null);
  useEffect(() => { if (list.data) performance.mark('lifeboat:policies-interactive'); }, [list.data]);
  async function remove(p) {
    if (!confirm(`Delete policy ${p.name} (${p.code})?`)) return;
    setError(null);
    try {
      await ctx.api.del(`${path}/${enc(p.id)}`, p.version);
      list.reload();
    } catch (err) { setError(err); }
  }
  return (
    <div>
      <div class="toolbar">
        <h2>Backup policies</h2>
        <a class="button" id="add-policy" href={`#/datacenters/${enc(dc)}/policies/new`} aria-label="Add a backup policy">+ Add policy</a>
      </div>
      <Problem error={error || list.error} onReload={() => { setError(null); list.reload(); }} />
      {list.loading && !list.data && <Loading what="policies" />}
      {list.data && (list.data.items.length === 0 ? <p>No policies yet.</p> : (
        <div class="table-wrap">
          <table id="policies">
            <caption class="sr-only">Backup policies of {dc}</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Code</th><th scope="col">Schedules</th><th scope="col">In use</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.data.items.map((p) => (
                <tr>
                  <th scope="row">{p.name}</th><td><code>{p.code}</code></td><td>{summary(p)}</td><td>{p.inUse ? 'yes' : 'no'}</td>
                  <td class="row-actions">
                    <a href={`#/datacenters/${enc(dc)}/policies/${enc(p.id)}`} aria-label={`Edit ${p.name}`}>Edit</a>
                    <button type="button" class="link danger" onClick={() => remove(p)} disabled={p.inUse} title={p.inUse ? 'Selected by VMs: it cannot be deleted' : undefined} aria-label={`Delete ${p.name}`}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}

/** The editor's state of one field: mode FIXED / NOT_APPLY / DEFINE_IN_VM and the parts of a fixed value. */
function fieldState(field, value) {
  if (value === undefined || value === null || value === NOT_APPLY) return { mode: NOT_APPLY, ...emptyValue(field) };
  if (value === DEFINE_IN_VM) return { mode: DEFINE_IN_VM, ...emptyValue(field) };
  if (field === 'days') return { mode: 'FIXED', days: value };
  if (field === 'hours') return { mode: 'FIXED', hours: String(value) };
  if (field === 'time') { const [t, z] = value.split(' '); return { mode: 'FIXED', time: t, zone: z }; }
  const [d, t, z] = value.split(' ');
  return { mode: 'FIXED', date: d.replace(/\//g, '-'), time: t, zone: z };
}
function emptyValue(field) {
  return { days: [], hours: '', time: '', zone: '+0000', date: '' };
}
function seconds(t) { return t && t.length === 5 ? `${t}:00` : t; }
function wireValue(field, s) {
  if (s.mode !== 'FIXED') return s.mode;
  if (field === 'days') return s.days;
  if (field === 'hours') return s.hours;
  if (field === 'time') return `${seconds(s.time)} ${s.zone}`;
  return `${(s.date || '').replace(/-/g, '/')} ${seconds(s.time)} ${s.zone}`;
}

function toEditor(policy) {
  const subtypes = {};
  for (const st of Object.keys(SUBTYPES)) {
    const c = policy?.backupConfigurations?.find((x) => x.subtype === st);
    subtypes[st] = { on: !!c, fields: Object.fromEntries(SUBTYPES[st].fields.map((f) => [f, fieldState(f, c?.[f])])) };
  }
  return { name: policy?.name || '', code: policy?.code || '', description: policy?.description || '', subtypes };
}

function toBody(form, allowed) {
  const backupConfigurations = allowed.filter((st) => form.subtypes[st].on).map((st) => {
    const c = { type: 'COMPLETE', subtype: st };
    for (const f of SUBTYPES[st].fields) c[f] = wireValue(f, form.subtypes[st].fields[f]);
    return c;
  });
  return { name: form.name, code: form.code, description: form.description, backupConfigurations };
}

const ZONES = zones();
function ZoneSelect(a) {
  return (
    <select {...a}>
      <optgroup label="UTC offset">{ZONES.offsets.map((z) => <option value={z}>UTC{z}</option>)}</optgroup>
      <optgroup label="Time zone (follows daylight saving time)">{ZONES.iana.map((z) => <option value={z}>{z}</option>)}</optgroup>
    </select>
  );
}

function FieldEditor({ st, field, state, onChange, disabled, prefix }) {
  const id = `${prefix}-${st}-${field}`;
  const set = (patch) => onChange({ ...state, ...patch });
  const fixedError = state.mode === 'FIXED' ? checkValue(field, wireValue(field, state)) : null;
  return (
    <fieldset class="field-editor" disabled={disabled}>
      <legend>{FIELD_LABELS[field]}</legend>
      <div class="modes" role="radiogroup" aria-label={`${FIELD_LABELS[field]}: how it is set`}>
        {[['FIXED', 'Fixed'], [NOT_APPLY, 'Don’t apply'], [DEFINE_IN_VM, 'Define in VM']].map(([m, label]) => (
          <label class="radio"><input type="radio" name={id} id={`${id}-${m}`} value={m} checked={state.mode === m} onChange={() => set({ mode: m })} /> {label}</label>
        ))}
      </div>
      {state.mode === 'FIXED' && (
        <div class="fixed">
          {field === 'hours' && <Field label="Hours (1–23)" error={fixedError}>{(a) => <input {...a} id={`${id}-value`} type="number" min="1" max="23" value={state.hours} onInput={(e) => set({ hours: e.target.value })} />}</Field>}
          {field === 'days' && (
            <div class="days" role="group" aria-label="Days of the week">
              {DAYS.map((d) => (
                <label class="radio"><input type="checkbox" id={`${id}-${d}`} checked={state.days.includes(d)} onChange={(e) => set({ days: e.target.checked ? DAYS.filter((x) => x === d || state.days.includes(x)) : state.days.filter((x) => x !== d) })} /> {d}</label>
              ))}
              {fixedError && <small class="field-error">{fixedError}</small>}
            </div>
          )}
          {(field === 'time' || field === 'dateTime') && (
            <div class="pair">
              {field === 'dateTime' && <Field label="Date">{(a) => <input {...a} id={`${id}-date`} type="date" value={state.date} onInput={(e) => set({ date: e.target.value })} />}</Field>}
              <Field label="Time" error={fixedError}>{(a) => <input {...a} id={`${id}-time`} type="time" step="1" value={state.time} onInput={(e) => set({ time: e.target.value })} />}</Field>
              <Field label="UTC offset or time zone">{(a) => <ZoneSelect {...a} id={`${id}-zone`} value={state.zone} onChange={(e) => set({ zone: e.target.value })} />}</Field>
            </div>
          )}
        </div>
      )}
    </fieldset>
  );
}

export function PolicyPage({ ctx, dc, id }) {
  const isNew = id === 'new';
  const base = `/datacenters/${enc(dc)}/backup-policies`;
  const loaded = useLoad(() => Promise.all([
    isNew ? Promise.resolve(null) : ctx.api.get(`${base}/${enc(id)}`),
    orNull404(ctx.api.get(`/datacenters/${enc(dc)}/backup-manager`)),
  ]), [dc, id]);
  const [form, setForm] = useState(null);
  const [version, setVersion] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);

  useEffect(() => {
    if (!loaded.data) return;
    setForm(toEditor(loaded.data[0]));
    setVersion(loaded.data[0]?.version ?? null);
  }, [loaded.data]);

  if (loaded.error) return <section><h1>Backup policy</h1><Problem error={loaded.error} /></section>;
  if (!form) return <section><h1>Backup policy</h1><Loading what="the policy" /></section>;
  const policy = loaded.data[0];
  const managerType = loaded.data[1]?.type;
  // Veeam has no one-off schedule: DEFINED_HOUR is not offered for a VEEAM manager (the API refuses it too).
  const allowed = Object.keys(SUBTYPES).filter((st) => st !== 'DEFINED_HOUR' || managerType !== 'VEEAM' || form.subtypes.DEFINED_HOUR.on);
  const inUse = !!policy?.inUse;
  const fe = error?.fieldErrors?.() || {};
  const scheduleErrors = Object.entries(fe).filter(([k]) => k.startsWith('backupConfigurations'));

  async function save(e) {
    e.preventDefault();
    setError(null); setSaved(null);
    const body = toBody(form, allowed);
    try {
      const p = isNew ? await ctx.api.post(base, body) : await ctx.api.put(`${base}/${enc(id)}`, body, version);
      if (isNew) { location.hash = `#/datacenters/${enc(dc)}/policies`; return; }
      setVersion(p.version);
      setSaved('Policy saved.');
    } catch (err) {
      err.shownFields = Object.keys(err.fieldErrors()).filter((f) => ['name', 'code', 'description'].includes(f) || f.startsWith('backupConfigurations'));
      setError(err);
    }
  }
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const setField = (st, f, s) => setForm({ ...form, subtypes: { ...form.subtypes, [st]: { ...form.subtypes[st], fields: { ...form.subtypes[st].fields, [f]: s } } } });

  return (
    <section>
      <p class="crumbs"><a href="#/datacenters">Datacenters</a> / <a href={`#/datacenters/${enc(dc)}/policies`}>{dc}</a> / {isNew ? 'new policy' : policy.name}</p>
      <h1>{isNew ? 'New backup policy' : `Edit policy ${policy.name}`}</h1>
      <form onSubmit={save} class="card" novalidate>
        <Problem error={error} onReload={() => { setError(null); setSaved(null); loaded.reload(); }} />
        <Notice>{saved}</Notice>
        <Field label="Name" error={fe.name}>{(a) => <input {...a} id="policy-name" value={form.name} onInput={set('name')} required maxLength={128} />}</Field>
        <Field label="Code" error={fe.code} hint="The name of the job or policy in the backup system; unique in this datacenter, letter case ignored.">
          {(a) => <input {...a} id="policy-code" value={form.code} onInput={set('code')} required pattern="[A-Za-z0-9._\-]{1,64}" />}
        </Field>
        <Field label="Description" error={fe.description}>{(a) => <textarea {...a} id="policy-description" value={form.description} onInput={set('description')} maxLength={1024} rows={2} />}</Field>
        <h2>Schedules</h2>
        {inUse && <p class="banner info" role="note" id="in-use-note">Virtual machines use this policy, so its schedules are locked: only its name, code and description can change.</p>}
        {managerType === 'VEEAM' && <p class="hint">A defined hour (one-off backup) is not offered: Veeam jobs cannot run once at a set moment.</p>}
        {scheduleErrors.length > 0 && <ul class="field-error">{scheduleErrors.map(([k, v]) => <li><code>{k}</code> {v}</li>)}</ul>}
        {allowed.map((st) => (
          <fieldset class="subtype" disabled={inUse}>
            <legend>
              <label class="radio"><input type="checkbox" id={`subtype-${st}`} checked={form.subtypes[st].on}
                onChange={(e) => setForm({ ...form, subtypes: { ...form.subtypes, [st]: { ...form.subtypes[st], on: e.target.checked } } })} /> {SUBTYPES[st].label}</label>
            </legend>
            {form.subtypes[st].on && SUBTYPES[st].fields.map((f) => (
              <FieldEditor st={st} field={f} prefix="policy" state={form.subtypes[st].fields[f]} disabled={inUse} onChange={(s) => setField(st, f, s)} />
            ))}
          </fieldset>
        ))}
        <div class="actions">
          <button type="submit" id="policy-save">{isNew ? 'Create policy' : 'Save policy'}</button>
          <a href={`#/datacenters/${enc(dc)}/policies`}>Cancel</a>
        </div>
      </form>
    </section>
  );
}

function AllowancesTab({ ctx, dc }) {
  const [ent, setEnt] = useState(ctx.claims.ent || '');
  const [shown, setShown] = useState(null);
  const [state, setState] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  async function show(e) {
    e?.preventDefault();
    setError(null); setSaved(null); setState(null);
    try {
      const [policies, allowance] = await Promise.all([
        ctx.api.get(`/datacenters/${enc(dc)}/backup-policies`, { limit: 100 }),
        ctx.api.get(`/enterprises/${enc(ent)}/datacenters/${enc(dc)}/allowed-backup-policies`),
      ]);
      setShown(ent);
      setState({ policies: policies.items, ids: allowance.policyIds, version: allowance.version });
    } catch (err) { setError(err); }
  }
  async function save(e) {
    e.preventDefault();
    setError(null); setSaved(null);
    try {
      const a = await ctx.api.put(`/enterprises/${enc(shown)}/datacenters/${enc(dc)}/allowed-backup-policies`, { policyIds: state.ids }, state.version || null);
      setState({ ...state, ids: a.policyIds, version: a.version });
      setSaved(`Enterprise ${shown} may now use ${a.policyIds.length} ${a.policyIds.length === 1 ? 'policy' : 'policies'}.`);
    } catch (err) { setError(err); }
  }
  return (
    <div class="card">
      <h2>Allowances</h2>
      <p>Which policies of {dc} an enterprise's users may select for their VMs.</p>
      <form class="inline" onSubmit={show}>
        <Field label="Enterprise id">{(a) => <input {...a} id="allow-ent" value={ent} onInput={(e) => setEnt(e.target.value)} required pattern="[A-Za-z0-9._:\-]{1,128}" />}</Field>
        <button type="submit" id="allow-show">Show</button>
      </form>
      <Problem error={error} onReload={show} />
      <Notice>{saved}</Notice>
      {state && (
        <form onSubmit={save}>
          <fieldset>
            <legend>Policies allowed to {shown}</legend>
            {state.policies.length === 0 && <p>This datacenter has no policies yet.</p>}
            {state.policies.map((p) => (
              <label class="radio block"><input type="checkbox" id={`allow-${p.code}`} checked={state.ids.includes(p.id)}
                onChange={(e) => setState({ ...state, ids: e.target.checked ? [...state.ids, p.id] : state.ids.filter((x) => x !== p.id) })} /> {p.name} (<code>{p.code}</code>)</label>
            ))}
          </fieldset>
          <div class="actions"><button type="submit" id="allow-save">Save allowances</button></div>
        </form>
      )}
    </div>
  );
}
