/**
 * The strict reading of a time window's `hours`: `HH:MM-HH:MM`, two digits each, a start from
 * 00:00 to 23:59, an end from 00:00 to 24:00, start != end. The compiler's parser is more
 * lenient (one-digit hours); validate is the gate, so what passes here is what every engine
 * reads the same way.
 */
export type HoursCheck =
  | { ok: true; start: number; end: number }
  | { ok: false; message: string; hint?: string };

const SHAPE = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/;

export function checkHours(text: string): HoursCheck {
  const m = SHAPE.exec(text);
  if (!m) {
    const compact = text.replace(/\s+/g, '');
    const hint =
      compact !== text && SHAPE.test(compact)
        ? `remove the spaces: \`${compact}\``
        : /^\d:\d\d|-\d:\d\d$/.test(compact)
          ? 'write hours with two digits, e.g. `09:00-17:00`'
          : 'write the window as `HH:MM-HH:MM` on a 24-hour clock, e.g. `09:00-17:00`';
    return { ok: false, message: `\`hours\` must be \`HH:MM-HH:MM\`, got \`${text}\``, hint };
  }
  const [, sh, sm, eh, em] = m.map(Number);
  const start = clock(sh, sm);
  const end = clock(eh, em);
  const startText = text.slice(0, 5);
  const endText = text.slice(6);
  if (start === undefined || start === 1440) {
    return {
      ok: false,
      message: `\`hours\` start \`${startText}\` is not a time of day`,
      hint:
        start === 1440 ? 'a window starts at 00:00 to 23:59; `24:00` is only an end' : undefined,
    };
  }
  if (end === undefined) {
    return {
      ok: false,
      message: `\`hours\` end \`${endText}\` is not a time of day (00:00 to 24:00)`,
    };
  }
  if (start === end) {
    return {
      ok: false,
      message: `\`hours\` \`${text}\` is an empty window`,
      hint: 'the end is exclusive; for the whole day leave `hours` out',
    };
  }
  return { ok: true, start, end };
}

/** Minutes since midnight; 24:00 is allowed here (1440) and refused as a start by the caller. */
function clock(hour: number | undefined, minute: number | undefined): number | undefined {
  if (hour === undefined || minute === undefined || minute > 59) return undefined;
  if (hour > 24 || (hour === 24 && minute !== 0)) return undefined;
  return hour * 60 + minute;
}
