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
/** Last answer per zone: replays and bursts ask about the same second again and again. */
const lastAnswer = new Map<string, { second: number; time: LocalTime }>();

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
  const second = Math.floor(ms / 1000);
  const cached = lastAnswer.get(tz);
  if (cached && cached.second === second) return cached.time;
  const time = tz === 'UTC' ? utcTime(ms) : zonedTime(ms, tz);
  if (!time) return undefined;
  lastAnswer.set(tz, { second, time });
  return time;
}

function utcTime(ms: number): LocalTime {
  const days = Math.floor(ms / 86_400_000);
  const minute = Math.floor((ms - days * 86_400_000) / 60_000);
  return { weekday: weekdayOfDays(days), minute };
}

function zonedTime(ms: number, tz: string): LocalTime | undefined {
  const f = formatter(tz);
  if (!f) return undefined;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of f.formatToParts(ms)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday: weekdayOfDays(daysFromCivilUtc(year, month, day)), minute: hour * 60 + minute };
}

function daysFromCivilUtc(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

function weekdayOfDays(days: number): Weekday {
  // 1970-01-01 was a Thursday.
  return WEEKDAYS[(((days + 4) % 7) + 7) % 7] ?? 'sun';
}

type TimeCondition = Extract<ConditionIR, { kind: 'time' }>;

/** Whether the instant (ms since the epoch, floored) lies in the window; `hours` end exclusive, wrapping past midnight. */
export function inTimeWindow(condition: TimeCondition, ms: number): boolean {
  const local = localTime(ms, condition.tz);
  if (!local) return false;
  if (condition.days && !condition.days.includes(local.weekday)) return false;
  const hours = condition.hours;
  if (!hours) return true;
  if (hours.start < hours.end) return local.minute >= hours.start && local.minute < hours.end;
  // start >= end wraps midnight; start === end is the whole day.
  return local.minute >= hours.start || local.minute < hours.end;
}
