import { Severity } from "../policy";
import { Finding } from "../waivers";
import { findingStatus, FindingStatus } from "./model";

/** Longest message the text report and GitHub annotations show; json and sarif keep every character. */
export const DISPLAY_MESSAGE_LIMIT = 240;

/** The fewest findings of one rule on one resource (same status) shown as one grouped finding. */
export const GROUP_MIN = 3;

/** How the human-facing reports (text, github) show findings. */
export interface DisplayOptions {
  /** List every finding on its own instead of grouping repeats of one cause. @default false */
  readonly expand?: boolean;
  /** File paths in sarif, github and json reports are relative to this folder. @default the working folder */
  readonly sourceRoot?: string;
}

/** `text` cut to `limit` characters, saying how much was left out and where the rest is. */
export function truncateForDisplay(text: string, limit = DISPLAY_MESSAGE_LIMIT): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}… [${text.length - limit} more characters in --format json]`;
}

/** One line of a human-facing report: a finding, or several of one cause shown once. */
export interface DisplayItem {
  finding: Finding;
  status: FindingStatus;
  /** Set when this item stands for several findings (the first is `finding`). */
  members?: Finding[];
}

/**
 * Groups findings of one rule on one resource with one status (e.g. the 15 CIS monitors
 * TG-LOG-007 finds missing on a configuration), in the order they first appear, so a
 * pull request shows one cause once. With `expand`, every finding is its own item.
 */
export function displayItems(findings: Finding[], failOn: Severity, options: DisplayOptions = {}): DisplayItem[] {
  const groups = new Map<string, DisplayItem>();
  const items: DisplayItem[] = [];
  for (const finding of findings) {
    const status = findingStatus(finding, failOn);
    if (options.expand) {
      items.push({ finding, status });
      continue;
    }
    const key = `${finding.id}\u0000${finding.resource}\u0000${status}`;
    const group = groups.get(key);
    if (group) group.members?.push(finding);
    else {
      const item = { finding, status, members: [finding] };
      groups.set(key, item);
      items.push(item);
    }
  }
  if (options.expand) return items;
  return items.flatMap((item) => {
    const members = item.members ?? [];
    if (members.length >= GROUP_MIN) return [item];
    return members.map((finding) => ({ finding, status: item.status }));
  });
}

/** Longest member message listed under a grouped finding. */
export const MEMBER_MESSAGE_LIMIT = 100;

/** The first line of a grouped finding. */
export function groupHeading(members: Finding[]): string {
  return `${members.length} findings of this rule here (--expand lists each):`;
}

/** One line per member of a grouped finding: its message, shortened. */
export function memberLines(members: Finding[], indent: string): string[] {
  return members.map((member) => `${indent}- ${truncateForDisplay(member.message, MEMBER_MESSAGE_LIMIT)}`);
}

/** A grouped item's message: how many, then each member's message, shortened. */
export function groupedMessage(members: Finding[]): string {
  return [groupHeading(members), ...memberLines(members, "  ")].join("\n");
}
