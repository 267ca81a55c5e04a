/**
 * An entry's rule conditions back from policy data (irFromPolicyData): the trees that
 * policy-data.ts ConditionLists flattened into leaves and nodes by height, rebuilt, each
 * member read as it writes them (policy-data-members.ts).
 */
import { unreachable } from '../../errors.js';
import type { Weekday } from '../../policy/types.js';
import type { ConditionIR } from '../ir.js';
import { hoursSpan, WEEKDAY_NAMES } from './policy-data.js';
import {
  type Doc,
  derived,
  index,
  list,
  mark,
  object,
  oneOf,
  own,
  refuse,
  string,
  strings,
} from './policy-data-members.js';
import { LEAF_KINDS, NODE_KINDS, operand, operator, SUBJECTS } from './policy-data-values.js';

const WEEKDAYS = new Map<string, Weekday>(
  Object.entries(WEEKDAY_NAMES).map(([day, name]) => [name, day as Weekday]),
);

/** A leaf or a node of the conditions, with its height (0 for a leaf). */
interface Placed {
  doc: Doc;
  height: number;
}

/**
 * The conditions of one entry, rebuilt from their flat lists (policy-data.ts ConditionLists).
 * Every id is one leaf's or node's, and every node's children are below it: the Rego decides
 * the nodes height by height, each from the ones below, where the IR is a tree. Nothing is
 * referred to twice, as in a tree (and a few nodes referring to each other twice over cannot
 * make an IR of billions).
 */
export class ConditionTree {
  private readonly placed = new Map<number, Placed>();
  private readonly used = new Set<number>();

  constructor(doc: Doc) {
    const leaves = list(doc, 'leaves');
    for (let i = 0; i < leaves.length; i++) this.place(object(leaves, i), 0);
    const combined = list(doc, 'combined');
    for (let h = 0; h < combined.length; h++) {
      const level = list(combined, h);
      for (let i = 0; i < level.length; i++) this.place(object(level, i), h + 1);
    }
  }

  private place(doc: Doc, height: number): void {
    const id = index(doc, 'id');
    if (this.placed.has(id)) refuse(doc, 'id', 'an id no other leaf or node has');
    this.placed.set(id, { doc, height });
  }

  /** The condition whose id is `holder[key]`. */
  condition(holder: Doc | readonly unknown[], key: string | number, below?: number): ConditionIR {
    const id = index(holder, key);
    const placed = this.placed.get(id);
    if (placed === undefined) return refuse(holder, key, 'the id of a leaf or node');
    if (this.used.has(id)) refuse(holder, key, 'the id of a leaf or node nothing else refers to');
    this.used.add(id);
    if (below !== undefined && placed.height >= below) {
      refuse(holder, key, 'the id of a leaf or of a node below this one');
    }
    return placed.height === 0 ? leafCondition(placed.doc) : this.node(placed);
  }

  private node({ doc, height }: Placed): ConditionIR {
    const kind = oneOf(doc, 'kind', NODE_KINDS);
    const of = list(doc, 'of');
    const test = mark(doc, 'test');
    const window = mark(doc, 'window');
    if (test || window) {
      if (kind !== 'all' || (test && window)) refuse(doc, 'kind', '"all", and only test or window');
      return test ? this.test(doc, of) : this.window(doc, of);
    }
    const children = of.map((_, i) => this.condition(of, i, height));
    if (kind !== 'not') return { kind, of: children };
    const [only] = children;
    if (only === undefined || children.length !== 1) refuse(doc, 'of', 'a list of one id');
    return { kind: 'not', of: only };
  }

  /** Leaves of the same test, one per operator: the test as written. */
  private test(doc: Doc, of: readonly unknown[]): ConditionIR {
    const parts = of.map((_, i) => this.condition(of, i, 1));
    const [first] = parts;
    if (first === undefined || (first.kind !== 'param' && first.kind !== 'field')) {
      return refuse(doc, 'of', 'the ids of tests');
    }
    const path = JSON.stringify(first.path);
    const tests = parts.flatMap((part) =>
      part.kind === first.kind && JSON.stringify(part.path) === path && part.tests.length === 1
        ? part.tests
        : refuse(doc, 'of', 'the ids of two or more tests of one value'),
    );
    if (tests.length < 2) refuse(doc, 'of', 'the ids of two or more tests of one value');
    return { kind: first.kind, path: first.path, tests };
  }

  /** A days leaf and an hours leaf of one zone: the time window as written. */
  private window(doc: Doc, of: readonly unknown[]): ConditionIR {
    const parts = of.map((_, i) => this.condition(of, i, 1));
    const [days, hours] = parts;
    if (
      parts.length !== 2 ||
      days?.kind !== 'time' ||
      hours?.kind !== 'time' ||
      days.days === undefined ||
      hours.hours === undefined ||
      days.tz !== hours.tz
    ) {
      return refuse(doc, 'of', 'the ids of a days leaf and an hours leaf of one zone');
    }
    return { kind: 'time', tz: days.tz, days: days.days, hours: hours.hours };
  }
}

/** A test leaf's path: from the input's root, through `params` for a param. */
function testPath(leaf: Doc, subject: 'param' | 'field'): string[] {
  const path = strings(leaf, 'path');
  if (subject === 'field') return path;
  if (path[0] !== 'params') refuse(leaf, 'path', 'a path through params');
  return path.slice(1);
}

function leafCondition(leaf: Doc): ConditionIR {
  const kind = oneOf(leaf, 'kind', LEAF_KINDS);
  switch (kind) {
    case 'one_of':
    case 'none_of':
    case 'other': {
      const subject = oneOf(leaf, 'subject', SUBJECTS);
      const path = testPath(leaf, subject);
      const op = operator(leaf, kind);
      return { kind: subject, path, tests: [{ op, value: operand(leaf, op) }] };
    }
    case 'present': {
      const subject = oneOf(leaf, 'subject', SUBJECTS);
      return { kind: subject, path: testPath(leaf, subject), tests: [] };
    }
    case 'days': {
      const tz = string(leaf, 'tz');
      const names = list(leaf, 'days');
      const days = names.map(
        (_, i) => WEEKDAYS.get(string(names, i)) ?? refuse(names, i, 'a weekday as Go names it'),
      );
      if (own(leaf, 'given') === true) return { kind: 'time', tz, days };
      // A window with neither days nor hours: all seven days, so that an unknown zone is false.
      derived(leaf, 'days', Object.values(WEEKDAY_NAMES), 'all seven days, as given is false');
      if (own(leaf, 'given') !== false) refuse(leaf, 'given', 'true or false');
      return { kind: 'time', tz };
    }
    case 'hours': {
      const tz = string(leaf, 'tz');
      const start = minutes(leaf, 'start');
      const end = minutes(leaf, 'end');
      derived(
        leaf,
        'span',
        hoursSpan(start, end),
        `${hoursSpan(start, end)}, the minutes from start to end`,
      );
      return { kind: 'time', tz, hours: { start, end } };
    }
    default:
      return unreachable('leaf kind', kind);
  }
}

/** Minutes since midnight, 0 to 1440 (24:00). */
function minutes(leaf: Doc, key: string): number {
  const value = index(leaf, key);
  return value <= 1440 ? value : refuse(leaf, key, 'minutes from 0 to 1440');
}
