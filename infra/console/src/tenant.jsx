import { useEffect, useRef, useState } from 'preact/hooks';
import { enc } from './api.js';
import { DAYS, FIELD_LABELS, SUBTYPES, checkValue, definedInVm, describe, inUserZone } from './schedule.js';
import { Field, Loading, Notice, Problem, Status, Tabs, bytes, usePoll, useLoad, when } from './ui.jsx';

const RUNNING = ['QUEUED', 'IN_PROGRESS'];
const orNull = (p) => p.catch((e) => { if (e.status === 403 || e.status === 404) return null; throw e; });

export function VmList({ ctx }) {
  const [cursor, setCursor] = useState(null);
  const list = useLoad(() => ctx.api.get('/virtual-machines', { limit: 50, cursor }), [cursor]);
  return (
    <section>
      <h1>Virtual machines</h1>
      <p>Your cloud platform registers its VMs here. Open one to choose its backup policies, back it up and restore it.</p>
      {list.error && <Problem error={list.error} />}
      {list.loading && !list.data && <Loading what="virtual machines" />}
      {list.data && (list.data.items.length === 0 ? <p>No virtual machines are registered for your enterprise.</p> : (
        <div class="table-wrap">
          <table id="vms">
            <caption class="sr-only">Virtual machines</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Datacenter</th><th scope="col">State</th></tr></thead>
            <tbody>
              {list.data.items.map((v) => (
                <tr>
                  <th scope="row"><a href={`#/vms/${enc(v.id)}/backup`}>{v.name || v.id}</a></th>
                  <td><code>{v.id}</code></td><td>{v.datacenter}</td><td>{v.state}</td>
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

export function VmPage({ ctx, vm, tab }) {
  const loaded = useLoad(() => ctx.api.get(`/virtual-machines/${enc(vm)}`), [vm]);
  const v = loaded.data;
  return (
    <section>
      <p class="crumbs"><a href="#/vms">Virtual machines</a> / {vm}</p>
      <h1>{v ? `${v.name || v.id}` : `Virtual machine ${vm}`}</h1>
      {v && <p class="muted">{v.id} · datacenter {v.datacenter} · {v.state}</p>}
      <Tabs base={`#/vms/${enc(vm)}`} current={tab} tabs={[['backup', 'Backup'], ['backups', 'Backups and restores']]} />
      {loaded.error && <Problem error={loaded.error} />}
      {v && tab === 'backup' && <BackupTab ctx={ctx} vm={v} />}
      {v && tab === 'backups' && <BackupsTab ctx={ctx} vm={v} />}
    </section>
  );
}

/**
 * The rules of the VM's datacenter: its four switches come with the VM's available policies, which every member of
 * the VM's enterprise may read (backup-properties is for administrators); the manager type only administrators read.
 * Until they are known, and if they cannot be read, nothing is hidden and the API decides.
 */
function useDatacenterRules(ctx, vm) {
  const loaded = useLoad(() => Promise.all([
    orNull(ctx.api.get(`/virtual-machines/${enc(vm.id)}/available-backup-policies`, { limit: 1 })),
    ctx.can('PHYS_DC_RETRIEVE_DETAILS') ? orNull(ctx.api.get(`/datacenters/${enc(vm.datacenter)}/backup-manager`)) : Promise.resolve(null),
  ]), [vm.id]);
  return { loaded: !loaded.loading, properties: loaded.data?.[0]?.backupProperties || null, managerType: loaded.data?.[1]?.type || null };
}

function ValueInput({ id, field, value, onChange }) {
  const error = value === undefined ? null : checkValue(field, value);
  if (field === 'days') {
    const days = Array.isArray(value) ? value : [];
    return (
      <fieldset class="days">
        <legend>{FIELD_LABELS.days}</legend>
        {DAYS.map((d) => <label class="radio"><input type="checkbox" id={`${id}-${d}`} checked={days.includes(d)} onChange={(e) => onChange(e.target.checked ? DAYS.filter((x) => x === d || days.includes(x)) : days.filter((x) => x !== d))} /> {d}</label>)}
        {error && value !== undefined && <small class="field-error">{error}</small>}
      </fieldset>
    );
  }
  const hints = { time: 'HH:mm:ss and a UTC offset or time zone, e.g. 01:30:00 +0100 or 01:30:00 Europe/Madrid', hours: 'A whole number from 1 to 23', dateTime: 'yyyy/MM/dd HH:mm:ss and an offset or zone, e.g. 2027/12/24 22:30:00 +0100' };
  return (
    <Field label={FIELD_LABELS[field]} error={error} hint={hints[field]} id={id}>
      {(a) => <input {...a} value={value || ''} onInput={(e) => onChange(e.target.value)} autocomplete="off" />}
    </Field>
  );
}

function BackupTab({ ctx, vm }) {
  const path = `/virtual-machines/${enc(vm.id)}/backup`;
  const loaded = useLoad(() => Promise.all([ctx.api.get(path), ctx.api.get(`/virtual-machines/${enc(vm.id)}/available-backup-policies`, { limit: 100 })]), [vm.id]);
  const [config, setConfig] = useState(null);
  const [selection, setSelection] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);

  useEffect(() => {
    if (!loaded.data) return;
    const [c] = loaded.data;
    setConfig(c);
    if (!selection) setSelection(Object.fromEntries(c.policies.map((p) => [p.policyId, p.values || {}])));
  }, [loaded.data]);
  usePoll(config?.status === 'PENDING', 1500, async () => {
    try { setConfig(await ctx.api.get(path)); } catch (e) { setError(e); }
  });

  if (loaded.error) return <Problem error={loaded.error} />;
  if (!config || !selection) return <Loading what="the backup configuration" />;
  const available = loaded.data[1].items;
  const props = loaded.data[1].backupProperties || null;
  const many = props ? props.multipleBackupPolicies : true;
  // A deployed VM keeps its configuration unless the datacenter lets it change (updateWhenDeployed).
  const frozen = vm.state === 'DEPLOYED' && props !== null && !props.updateWhenDeployed;
  const canChange = ctx.can('VAPP_MANAGE_BACKUP') && !frozen;
  const toggle = (p, on) => {
    const next = many ? { ...selection } : {};
    if (on) next[p.id] = selection[p.id] || {}; else delete next[p.id];
    setSelection(next);
  };
  const setValue = (pid, st, f, v) => setSelection({ ...selection, [pid]: { ...selection[pid], [st]: { ...(selection[pid][st] || {}), [f]: v } } });
  const invalid = Object.entries(selection).some(([pid, values]) => {
    const p = available.find((x) => x.id === pid);
    return p && definedInVm(p).some(([st, f]) => checkValue(f, values?.[st]?.[f]) !== null);
  });

  async function save(e) {
    e.preventDefault();
    setError(null); setSaved(null);
    const policies = Object.entries(selection).map(([policyId, values]) => {
      const p = available.find((x) => x.id === policyId);
      const needed = p ? definedInVm(p) : [];
      const out = {};
      for (const [st, f] of needed) { out[st] = out[st] || {}; out[st][f] = values?.[st]?.[f]; }
      return needed.length ? { policyId, values: out } : { policyId };
    });
    try {
      const c = await ctx.api.put(path, { policies }, config.version);
      setConfig(c);
      setSaved(c.status === 'PENDING' ? 'Saved: the backup system is being configured (PENDING).' : 'Saved.');
    } catch (err) { setError(err); }
  }

  const byId = Object.fromEntries(available.map((p) => [p.id, p]));
  return (
    <div>
      <div class="card" id="backup-status" aria-live="polite">
        <h2>Current backup configuration</h2>
        <p>Status: <Status value={config.status} /> {config.status === 'PENDING' && <span class="muted">being applied to the backup system…</span>}</p>
        {config.error && <p class="field-error">The backup system refused the last change: {config.error.message} ({config.error.code}). The previous configuration is in force.</p>}
        {config.policies.length === 0 ? <p>No policy is selected: this VM is not backed up.</p> : (
          <ul class="runs">
            {config.policies.map((p) => (
              <li><strong>{byId[p.policyId]?.name || p.policyId}</strong>
                <ul>{(p.effectiveSchedules || []).map((s) => (
                  <li>{SUBTYPES[s.subtype]?.label || s.subtype}: {SUBTYPES[s.subtype].fields.map((f) => {
                    const local = f === 'time' ? inUserZone(s[f]) : null;
                    return `${FIELD_LABELS[f].toLowerCase()} ${describe(f, s[f])}${local ? ` (${local})` : ''}`;
                  }).join(', ')}</li>
                ))}</ul>
              </li>
            ))}
          </ul>
        )}
      </div>
      <form class="card" onSubmit={save} novalidate>
        <h2>Choose backup policies</h2>
        <Problem error={error} onReload={() => { setError(null); setSelection(null); loaded.reload(); }} />
        <Notice>{saved}</Notice>
        {available.length === 0 && <p>No policy is available to this VM: an administrator must allow one to your enterprise in datacenter {vm.datacenter}.</p>}
        <fieldset disabled={!canChange}>
          <legend>{many ? 'Policies (choose one or several)' : 'Policy (choose one)'}</legend>
          {available.map((p) => {
            const needed = definedInVm(p);
            const on = p.id in selection;
            return (
              <div class="policy-choice">
                <label class="radio block">
                  <input type={many ? 'checkbox' : 'radio'} name="policy" id={`select-${p.code}`} checked={on} onChange={(e) => toggle(p, e.target.checked)} />
                  {' '}<strong>{p.name}</strong> (<code>{p.code}</code>){p.description ? ` — ${p.description}` : ''}
                </label>
                {on && needed.map(([st, f]) => (
                  <div class="define">
                    <p class="hint">{SUBTYPES[st].label}: this policy leaves the {FIELD_LABELS[f].toLowerCase()} to each VM.</p>
                    <ValueInput id={`value-${p.code}-${st}-${f}`} field={f} value={selection[p.id]?.[st]?.[f]} onChange={(v) => setValue(p.id, st, f, v)} />
                  </div>
                ))}
              </div>
            );
          })}
          {!ctx.can('VAPP_MANAGE_BACKUP') && <p class="hint">Changing the backup configuration needs the privilege VAPP_MANAGE_BACKUP.</p>}
          {frozen && <p class="hint" id="frozen-note">Datacenter {vm.datacenter} does not allow changing the backup policies of a deployed VM.</p>}
          <div class="actions"><button type="submit" id="backup-save" disabled={invalid || config.status === 'PENDING'}>Save backup configuration</button></div>
        </fieldset>
      </form>
    </div>
  );
}

function BackupsTab({ ctx, vm }) {
  const path = `/virtual-machines/${enc(vm.id)}/backups`;
  const list = useLoad(() => ctx.api.get(path, { limit: 25 }), [vm.id]);
  const rules = useDatacenterRules(ctx, vm);
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const confirmButton = useRef(null);
  useEffect(() => { if (list.data) setItems(list.data.items); }, [list.data]);
  useEffect(() => { if (confirm) confirmButton.current?.focus(); }, [confirm]);
  const busy = (items || []).some((b) => RUNNING.includes(b.status) || b.restores.some((r) => RUNNING.includes(r.status)));
  usePoll(busy, 1500, async () => {
    try { setItems((await ctx.api.get(path, { limit: 25 })).items); } catch (e) { setError(e); }
  });
  if (list.error) return <Problem error={list.error} />;
  if (!items || !rules.loaded) return <Loading what="backups" />;

  const props = rules.properties;
  const showBackupNow = ctx.can('VAPP_MANAGE_BACKUP') && (props ? props.backupNow : true);
  const mayRestore = (b) => ctx.can('VAPP_RESTORE_BACKUP') && b.status === 'SUCCESS' && !busy
    && !b.restores.some((r) => RUNNING.includes(r.status))
    && (b.restores.length === 0 || !props || props.multipleRestore)
    && (vm.state === 'DEPLOYED' || !rules.managerType || rules.managerType === 'NETWORKER');

  async function backupNow() {
    setError(null); setNotice(null);
    try {
      const b = await ctx.api.post(path, {}, `console-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      setItems([{ ...b, restores: [] }, ...items]);
      setNotice('Backup requested: it is QUEUED and this list refreshes while it runs.');
    } catch (err) { setError(err); }
  }
  async function restore(b) {
    setConfirm(null); setError(null); setNotice(null);
    try {
      await ctx.api.post(`${path}/${enc(b.id)}/restores`, {}, `console-${b.id}-${Date.now()}`);
      setItems((await ctx.api.get(path, { limit: 25 })).items);
      setNotice(`Restore of ${vm.name || vm.id} requested.`);
    } catch (err) { setError(err); }
  }
  const selected = (b) => ctx.cart.some((c) => c.vm === vm.id && c.backupId === b.id);
  const select = (b, on) => ctx.setCart([...ctx.cart.filter((c) => c.vm !== vm.id), ...(on ? [{ vm: vm.id, name: vm.name || vm.id, backupId: b.id, at: b.finishedAt || b.requestedAt }] : [])]);

  return (
    <div>
      <div class="toolbar">
        <h2>Backups</h2>
        {showBackupNow && <button type="button" id="backup-now" onClick={backupNow} disabled={busy} aria-describedby={busy ? 'busy-note' : undefined}>Backup now</button>}
      </div>
      {busy && <p class="hint" id="busy-note">A backup or restore of this VM is running: new ones wait until it ends.</p>}
      <Problem error={error} onReload={() => { setError(null); list.reload(); }} />
      <Notice>{notice}</Notice>
      {confirm && (
        <div class="banner warn" role="alertdialog" aria-labelledby="confirm-h" aria-describedby="confirm-d">
          <strong id="confirm-h">Restore {vm.name || vm.id}?</strong>
          <p id="confirm-d">The current disks and state of virtual machine {vm.name || vm.id} ({vm.id}) will be overwritten by the backup of {when(confirm.finishedAt || confirm.requestedAt)}. Changes made since then are lost.</p>
          <button type="button" id="confirm-restore" ref={confirmButton} class="danger" onClick={() => restore(confirm)}>Overwrite {vm.name || vm.id} with this backup</button>{' '}
          <button type="button" class="secondary" onClick={() => setConfirm(null)}>Cancel</button>
        </div>
      )}
      {items.length === 0 ? <p>No backups yet.</p> : (
        <div class="table-wrap" aria-live="polite">
          <table id="backups">
            <caption class="sr-only">Backups of {vm.name || vm.id}, newest first</caption>
            <thead><tr><th scope="col">Requested</th><th scope="col">Trigger</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Size</th><th scope="col">Finished</th><th scope="col">Restores</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {items.map((b) => (
                <tr data-backup={b.id}>
                  <th scope="row">{when(b.requestedAt)}</th>
                  <td>{b.trigger}</td>
                  <td><Status value={b.status} />{b.error && <small class="field-error"> {b.error.message}</small>}</td>
                  <td>{b.progress === null || b.progress === undefined ? '—' : <progress max="100" value={b.progress} aria-label={`${b.progress}%`}>{b.progress}%</progress>}</td>
                  <td>{bytes(b.sizeBytes)}</td>
                  <td>{when(b.finishedAt)}</td>
                  <td>{b.restores.length === 0 ? '—' : b.restores.map((r) => <div class="restore-status"><Status value={r.status} /> {when(r.requestedAt)}</div>)}</td>
                  <td class="row-actions">
                    {mayRestore(b) && <button type="button" class="link" onClick={() => setConfirm(b)} aria-label={`Restore from the backup of ${when(b.finishedAt || b.requestedAt)}`}>Restore</button>}
                    {ctx.can('VAPP_RESTORE_BACKUP') && b.status === 'SUCCESS' && (
                      <label class="radio"><input type="checkbox" class="select-multi" checked={selected(b)} onChange={(e) => select(b, e.target.checked)} /> multi-restore</label>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function RequestItems({ request }) {
  return (
    <ul class="items">
      {request.items.map((i) => (
        <li data-vm={i.vm}><code>{i.vm}</code> <Status value={i.status} />{i.error && <small class="field-error"> {i.error.message}</small>}</li>
      ))}
    </ul>
  );
}

export function RestoresPage({ ctx }) {
  const [status, setStatus] = useState('');
  const [cursor, setCursor] = useState(null);
  const list = useLoad(() => ctx.api.get('/restores', { status, limit: 25, cursor }), [status, cursor]);
  const [items, setItems] = useState(null);
  const [current, setCurrent] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => { if (list.data) setItems(list.data.items); }, [list.data]);
  const running = (items || []).some((r) => r.status === 'IN_PROGRESS') || current?.status === 'IN_PROGRESS';
  usePoll(running, 1500, async () => {
    try {
      const page = await ctx.api.get('/restores', { status, limit: 25, cursor });
      setItems(page.items);
      if (current) setCurrent(page.items.find((r) => r.id === current.id) || current);
    } catch (e) { setError(e); }
  });

  async function send() {
    setConfirming(false); setError(null);
    try {
      const r = await ctx.api.post('/restores', { items: ctx.cart.map(({ vm, backupId }) => ({ vm, backupId })) }, `console-multi-${Date.now()}`);
      setCurrent(r);
      ctx.setCart([]);
      list.reload();
    } catch (err) { setError(err); }
  }

  return (
    <section>
      <h1>Restores</h1>
      <div class="card">
        <h2>Multi-restore</h2>
        {ctx.cart.length === 0 ? <p>Select backups with “multi-restore” on the backups of several VMs, then restore them here in one request.</p> : (
          <div>
            <ul id="cart">{ctx.cart.map((c) => <li><code>{c.name}</code>: backup of {when(c.at)} <button type="button" class="link" onClick={() => ctx.setCart(ctx.cart.filter((x) => x !== c))} aria-label={`Remove ${c.name}`}>remove</button></li>)}</ul>
            {!confirming && <button type="button" id="multi-restore" onClick={() => setConfirming(true)}>Restore {ctx.cart.length} {ctx.cart.length === 1 ? 'VM' : 'VMs'}</button>}
            {confirming && (
              <div class="banner warn" role="alertdialog" aria-labelledby="mr-h">
                <strong id="mr-h">Overwrite {ctx.cart.map((c) => c.name).join(', ')}?</strong>
                <p>Each VM's current disks and state are replaced by the selected backup. Each is checked on its own: one refused does not stop the others.</p>
                <button type="button" id="confirm-multi" class="danger" onClick={send}>Overwrite {ctx.cart.length} {ctx.cart.length === 1 ? 'VM' : 'VMs'}</button>{' '}
                <button type="button" class="secondary" onClick={() => setConfirming(false)}>Cancel</button>
              </div>
            )}
          </div>
        )}
        <Problem error={error} />
        {current && (
          <div id="current-request" aria-live="polite">
            <p>Request <code>{current.id}</code>: <Status value={current.status} /></p>
            <RequestItems request={current} />
          </div>
        )}
      </div>
      <div class="toolbar">
        <h2>Restore requests</h2>
        <Field label="Status">{(a) => (
          <select {...a} id="restore-status-filter" value={status} onChange={(e) => { setCursor(null); setStatus(e.target.value); }}>
            <option value="">any</option>{['IN_PROGRESS', 'SUCCESS', 'PARTIAL', 'FAILED'].map((s) => <option value={s}>{s}</option>)}
          </select>
        )}</Field>
      </div>
      {list.error && <Problem error={list.error} />}
      {!items ? <Loading what="restore requests" /> : items.length === 0 ? <p>No restore requests{status ? ` in status ${status}` : ''}.</p> : (
        <div class="table-wrap">
          <table id="restores">
            <caption class="sr-only">Restore requests, newest first</caption>
            <thead><tr><th scope="col">Requested</th><th scope="col">Status</th><th scope="col">Items</th></tr></thead>
            <tbody>{items.map((r) => <tr data-request={r.id}><th scope="row">{when(r.requestedAt)}</th><td><Status value={r.status} /></td><td><RequestItems request={r} /></td></tr>)}</tbody>
          </table>
        </div>
      )}
      {list.data?.nextCursor && <button type="button" onClick={() => setCursor(list.data.nextCursor)}>Older requests</button>}
    </section>
  );
}
