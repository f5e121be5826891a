// Schedules as the API defines them (api.md, "Backup policies"): subtypes, their fields, and the value formats,
// checked here as the user types with the same rules the API applies.

export const SUBTYPES = {
  DEFINED_HOUR: { label: 'Once, at a defined hour', fields: ['dateTime'] },
  HOURLY: { label: 'Every N hours', fields: ['hours'] },
  DAILY: { label: 'Daily', fields: ['time'] },
  WEEKLY_PLANNED: { label: 'Weekly, on planned days', fields: ['days', 'time'] },
  MONTHLY: { label: 'Monthly', fields: ['time'] },
};
export const FIELD_LABELS = { dateTime: 'Date and time', hours: 'Every (hours)', time: 'Time', days: 'Days' };
export const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
export const NOT_APPLY = 'NOT_APPLY';
export const DEFINE_IN_VM = 'DEFINE_IN_VM';

/** UTC offsets (every half hour, and the quarter hours in use) and, where the browser knows them, IANA zones. */
export function zones() {
  const offsets = [];
  for (let m = -12 * 60; m <= 14 * 60; m += 15) {
    if (m % 30 !== 0 && ![345, 525, 765, -570].includes(m) && Math.abs(m) % 60 !== 45) continue;
    const sign = m < 0 ? '-' : '+';
    const a = Math.abs(m);
    offsets.push(`${sign}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`);
  }
  let iana = [];
  try { iana = Intl.supportedValuesOf('timeZone'); } catch { iana = ['UTC', 'Europe/Madrid', 'Europe/London', 'America/New_York']; }
  return { offsets, iana };
}

const OFFSET = /^[+-](?:0\d|1[0-4])[0-5]\d$/;
function validZone(z) {
  if (OFFSET.test(z)) return true;
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(z)) return false;
  try { new Intl.DateTimeFormat('en', { timeZone: z }); return true; } catch { return false; }
}

/** An error message for a fixed value of a field, or null when the API will accept it. */
export function checkValue(field, value) {
  if (field === 'days') {
    if (!Array.isArray(value) || value.length === 0) return 'choose at least one day';
    return null;
  }
  const v = (value || '').trim();
  if (!v) return 'is required';
  if (field === 'hours') {
    return /^\d+$/.test(v) && +v >= 1 && +v <= 23 ? null : 'must be a whole number of hours from 1 to 23';
  }
  if (field === 'time') {
    const m = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d (\S+)$/.exec(v);
    if (!m) return 'must be HH:mm:ss followed by a UTC offset (+0100) or a time zone (Europe/Madrid)';
    return validZone(m[2]) ? null : `${m[2]} is not a UTC offset (+HHMM) or a known time zone`;
  }
  if (field === 'dateTime') {
    const m = /^(\d{4})\/(\d{2})\/(\d{2}) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d) (\S+)$/.exec(v);
    if (!m) return 'must be yyyy/MM/dd HH:mm:ss followed by a UTC offset (+0100) or a time zone';
    if (!validZone(m[7])) return `${m[7]} is not a UTC offset (+HHMM) or a known time zone`;
    if (OFFSET.test(m[7])) {
      const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7].slice(0, 3)}:${m[7].slice(3)}`;
      const t = Date.parse(iso);
      if (Number.isNaN(t)) return 'is not a date that exists';
      if (t < Date.now()) return 'is in the past';
    }
    return null;
  }
  return null;
}

/** The fields of a policy's configurations that each VM must define, as [subtype, field] pairs. */
export function definedInVm(policy) {
  const out = [];
  for (const c of policy.backupConfigurations || []) {
    for (const f of SUBTYPES[c.subtype]?.fields || []) {
      if (c[f] === DEFINE_IN_VM) out.push([c.subtype, f]);
    }
  }
  return out;
}

/** A field's value as a person reads it. */
export function describe(field, value) {
  if (value === undefined || value === null || value === NOT_APPLY) return "decided by the backup system";
  if (value === DEFINE_IN_VM) return 'defined by each VM';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/**
 * When a fixed time runs, in the user's own time zone: "01:00:00 Europe/Madrid" → "02:00 your time (CET)".
 * Returns null when the value has no fixed time.
 */
export function inUserZone(value) {
  const m = /^(\d{2}):(\d{2}):(\d{2}) (\S+)$/.exec(value || '');
  if (!m) return null;
  const [, hh, mm, , zone] = m;
  const today = new Date();
  let utcMinutes;
  if (OFFSET.test(zone)) {
    const off = (zone[0] === '-' ? -1 : 1) * (+zone.slice(1, 3) * 60 + +zone.slice(3));
    utcMinutes = +hh * 60 + +mm - off;
  } else {
    try {
      // The zone's offset today: format noon UTC in that zone and compare.
      const noon = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 12));
      const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(noon);
      const h = +parts.find((p) => p.type === 'hour').value;
      const mi = +parts.find((p) => p.type === 'minute').value;
      utcMinutes = +hh * 60 + +mm - (h * 60 + mi - 12 * 60);
    } catch {
      return null;
    }
  }
  const at = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), 0, utcMinutes));
  return `${at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} your time`;
}
