/**
 * `time` conditions: the local weekday and minute of the day of an instant in an IANA zone,
 * as OPA's `time.weekday([ns, tz])` and `time.clock([ns, tz])` give them. Intl carries the
 * zone rules (hourCycle h23, so midnight is hour 0, never 24); one formatter per zone.
 */
import type { ConditionIR } from '../compiler/ir.js';
import type { Weekday } from '../policy/types.js';

export interface LocalTime {
  weekday: Weekday;
  /** 0..1439. */
  minute: number;
}

const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/**
 * Per zone, its offset from UTC in each UTC hour asked about so far, when one offset holds for
 * the whole hour: `formatToParts` is by far the slowest step here, and decisions ask about the
 * same hours again and again (a replay hour after hour, a batch of inputs within days). null:
 * the hour is not uniform (the offset changes within it, or is not a whole number of minutes,
 * as local mean times were), so every instant in it is asked on its own. A zone's hours are
 * forgotten all at once when it has HOURS_KEPT of them (seven years' worth).
 */
const hourOffsets = new Map<string, Map<number, number | null>>();
const HOUR_MS = 3_600_000;
const HOURS_KEPT = 1 << 16;

/** One formatter per zone; null remembers a zone the runtime does not know. */
function formatter(tz: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(tz);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(tz, f);
  }
  return f ?? undefined;
}

/** Undefined for a zone the runtime does not know (OPA's builtin fails on it: the test is false). */
export function localTime(ms: number, tz: string): LocalTime | undefined {
  if (tz === 'UTC') return utcTime(ms);
  const hour = Math.floor(ms / HOUR_MS);
  let hours = hourOffsets.get(tz);
  if (!hours) {
    hours = new Map();
    hourOffsets.set(tz, hours);
  }
  let offsetMs = hours.get(hour);
  if (offsetMs === undefined) {
    const start = zonedTime(hour * HOUR_MS, tz);
    if (!start) return undefined;
    const end = zonedTime(hour * HOUR_MS + HOUR_MS - 1, tz);
    // The same whole-minute offset at both ends: zones change their offset at most once within
    // an hour, so it holds for every instant of the hour, and local time is UTC time shifted.
    const uniform =
      end !== undefined && end.offsetMs === start.offsetMs && start.offsetMs % 60_000 === 0;
    offsetMs = uniform ? start.offsetMs : null;
    if (hours.size >= HOURS_KEPT) hours.clear();
    hours.set(hour, offsetMs);
  }
  return offsetMs !== null ? utcTime(ms + offsetMs) : zonedTime(ms, tz)?.time;
}

function utcTime(ms: number): LocalTime {
  const days = Math.floor(ms / 86_400_000);
  const minute = Math.floor((ms - days * 86_400_000) / 60_000);
  return { weekday: weekdayOfDays(days), minute };
}

/** The local time of an instant, and the zone's offset from UTC then (whole seconds, in ms). */
function zonedTime(ms: number, tz: string): { time: LocalTime; offsetMs: number } | undefined {
  const f = formatter(tz);
  if (!f) return undefined;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of f.formatToParts(ms)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
    else if (part.type === 'second') second = Number(part.value);
  }
  const days = daysFromCivilUtc(year, month, day);
  const localSeconds = days * 86_400 + hour * 3600 + minute * 60 + second;
  return {
    time: { weekday: weekdayOfDays(days), minute: hour * 60 + minute },
    offsetMs: localSeconds * 1000 - Math.floor(ms / 1000) * 1000,
  };
}

function daysFromCivilUtc(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

function weekdayOfDays(days: number): Weekday {
  // 1970-01-01 was a Thursday.
  return WEEKDAYS[(((days + 4) % 7) + 7) % 7] ?? 'sun';
}

type TimeCondition = Extract<ConditionIR, { kind: 'time' }>;

/**
 * The first instant whose minute OPA can read the local time of. The Rego asks time.clock and
 * time.weekday about the call's instant floored to its minute (`call_minute_ns`), and they fail
 * on a number that is not an int64 of nanoseconds. The smallest int64 is
 * 1677-09-21T00:12:43.145224192Z, a valid `context.time`, but the minute of any instant before
 * 00:13 that day starts before it: there OPA's window test is undefined, so false (and its
 * `not` true), whatever the window. The largest int64's minute is in range.
 */
export const FIRST_READABLE_MINUTE_MS = Date.UTC(1677, 8, 21, 0, 13);

/** Whether the instant (ms since the epoch, floored) lies in the window; `hours` end exclusive, wrapping past midnight. */
export function inTimeWindow(condition: TimeCondition, ms: number): boolean {
  if (ms < FIRST_READABLE_MINUTE_MS) return false;
  const local = localTime(ms, condition.tz);
  if (!local) return false;
  if (condition.days && !condition.days.includes(local.weekday)) return false;
  const hours = condition.hours;
  if (!hours) return true;
  if (hours.start < hours.end) return local.minute >= hours.start && local.minute < hours.end;
  // start >= end wraps midnight; start === end is the whole day.
  return local.minute >= hours.start || local.minute < hours.end;
}
