/**
 * Where in the user's own source a construct was created, from a V8 stack trace
 * (`new Error().stack`, or the frames cdktf writes as `"//".metadata.stackTrace` when
 * its construct library records them). The first frame outside node internals,
 * node_modules and trailgate's own library folders is the user's line; a compiled
 * `.js` frame is mapped through its `.js.map` to the TypeScript line when one is beside it.
 */
import * as fs from "fs";
import { SourceMap } from "module";
import * as path from "path";
import { PACKAGE_ROOT } from "./paths";

export interface SourceFrame {
  /** Absolute path of the source file. */
  file: string;
  /** 1-based line. */
  line: number;
}

/** trailgate's library folders (source, compiled, and the cdktn entry): their frames are never "the user's line". */
const LIBRARY_FOLDERS = [
  ...["cli", "core", "terraform", "modules", "gate", "operations", "export"].flatMap((folder) => [path.join(PACKAGE_ROOT, folder), path.join(PACKAGE_ROOT, "dist", folder)]),
  path.join(PACKAGE_ROOT, "dist", "cdktn"),
].map((folder) => folder + path.sep);

/** "new X (/a/main.ts:12:5)", "/a/main.js:3:1", "Object.<anonymous> (file:///a/main.mjs:4:2)". */
const FRAME = /(?:\(|^)((?:file:\/\/)?\/[^()]*?|[A-Za-z]:\\[^()]*?):(\d+):(\d+)\)?$/;

function parseFrame(frame: string): { file: string; line: number; column: number } | undefined {
  const match = FRAME.exec(frame.trim().replace(/^at\s+/, ""));
  if (!match) return undefined;
  const file = match[1].startsWith("file://") ? decodeURIComponent(match[1].slice("file://".length)) : match[1];
  return { file, line: Number(match[2]), column: Number(match[3]) };
}

function isUserSource(file: string): boolean {
  if (file.startsWith("node:") || file.split(/[\\/]/).includes("node_modules")) return false;
  return !LIBRARY_FOLDERS.some((folder) => file.startsWith(folder));
}

/** Source maps read so far, by compiled file (undefined: none beside it, or unreadable). */
const sourceMaps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
  if (!sourceMaps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, "utf8")));
    } catch {
      map = undefined;
    }
    sourceMaps.set(file, map);
  }
  return sourceMaps.get(file);
}

/** The original position of a compiled line, through the `.js.map` beside it. */
function mapToSource(file: string, line: number, column: number): SourceFrame {
  const map = file.endsWith(".js") ? sourceMapOf(file) : undefined;
  if (!map) return { file, line };
  try {
    const entry = map.findEntry(line - 1, column - 1) as {
      originalSource?: string;
      originalLine?: number;
    };
    if (typeof entry.originalSource !== "string" || typeof entry.originalLine !== "number") return { file, line };
    const source = entry.originalSource.startsWith("file://") ? decodeURIComponent(entry.originalSource.slice(7)) : entry.originalSource;
    return { file: path.resolve(path.dirname(file), source), line: entry.originalLine + 1 };
  } catch {
    // An unreadable map leaves the compiled line: still the code that ran.
    return { file, line };
  }
}

/** The first frame of `frames` in the user's own source, mapped to its TypeScript line when it can be. */
export function firstUserFrame(frames: readonly string[]): SourceFrame | undefined {
  for (const frame of frames) {
    const parsed = parseFrame(frame);
    if (parsed && isUserSource(parsed.file)) return mapToSource(parsed.file, parsed.line, parsed.column);
  }
  return undefined;
}
