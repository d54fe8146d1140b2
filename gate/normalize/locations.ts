/**
 * Finds the line of each resource and provider key in a Terraform JSON file with
 * one pass over the text (no second parse): `resource.<type>.<name>` and
 * `provider.<name>` map to the line their key is on. SARIF points results there.
 */
export function scanBlockLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  // Only objects matter for key paths; arrays (provider lists) are transparent.
  const frames: { isObject: boolean; expectKey: boolean }[] = [];
  const objectKeys: string[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "\n") {
      line++;
    } else if (char === '"') {
      const start = i + 1;
      let end = start;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      i = end;
      const frame = frames[frames.length - 1];
      if (!frame?.isObject || !frame.expectKey) continue;
      frame.expectKey = false;
      const key = text.slice(start, end);
      const depth = objectKeys.length;
      objectKeys[depth - 1] = key;
      if (depth === 3 && objectKeys[0] === "resource") recordFirst(lines, `${objectKeys[1]}.${key}`, line);
      else if (depth === 2 && objectKeys[0] === "provider") recordFirst(lines, `provider.${key}`, line);
    } else if (char === "{") {
      frames.push({ isObject: true, expectKey: true });
      objectKeys.push("");
    } else if (char === "[") {
      frames.push({ isObject: false, expectKey: false });
    } else if (char === "}" || char === "]") {
      if (frames.pop()?.isObject) objectKeys.pop();
    } else if (char === ",") {
      const frame = frames[frames.length - 1];
      if (frame?.isObject) frame.expectKey = true;
    }
  }
  return lines;
}

function recordFirst(lines: Map<string, number>, key: string, line: number): void {
  if (!lines.has(key)) lines.set(key, line);
}
