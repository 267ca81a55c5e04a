/**
 * The entries of each tool name in a policy, split the way tool lookup sees them: wildcard
 * entries (`actions` absent or exactly `["*"]`) and explicit ones. A `*` listed beside other
 * actions is an action literally named `*` (docs/semantics.md, "Tool lookup").
 */
import type { AgentPolicy } from '../../types.js';

export interface ActionEntry {
  pointer: string;
  /** Where to point at the entry's actions: the list, or the name when there is none. */
  actionsPointer: string;
  actions: readonly string[];
}

export interface ActionGroup {
  name: string;
  wildcards: ActionEntry[];
  explicit: ActionEntry[];
}

export function actionGroups(policy: AgentPolicy): ActionGroup[] {
  const groups = new Map<string, ActionGroup>();
  policy.allowed_tools.forEach((tool, index) => {
    const pointer = `/allowed_tools/${index}`;
    const actions = tool.actions;
    const wildcard = actions === undefined || (actions.length === 1 && actions[0] === '*');
    const entry: ActionEntry = {
      pointer,
      actionsPointer: actions === undefined ? `${pointer}/name` : `${pointer}/actions`,
      actions: actions ?? [],
    };
    let group = groups.get(tool.name);
    if (!group) {
      group = { name: tool.name, wildcards: [], explicit: [] };
      groups.set(tool.name, group);
    }
    (wildcard ? group.wildcards : group.explicit).push(entry);
  });
  return [...groups.values()];
}
