/**
 * One self-overwriting status line on stderr while verify reads the estate (it makes
 * dozens of calls), only when stderr is a terminal: logs and CI output stay clean.
 */
export interface Progress {
  /** An API call is about to be made. */
  call(what: string): void;
  /** Removes the line before the report is printed. */
  done(): void;
}

export const silentProgress: Progress = { call: () => undefined, done: () => undefined };

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silentProgress;
  let calls = 0;
  let lastDraw = 0;
  const draw = (text: string) => {
    const width = Math.max(20, (stream.columns || 80) - 1);
    stream.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
  };
  return {
    call(what) {
      calls++;
      const now = Date.now();
      // Redraw at most ten times a second: a terminal write per call would cost more than the calls.
      if (now - lastDraw < 100) return;
      lastDraw = now;
      draw(`trailgate verify: ${calls} calls, reading ${what}`);
    },
    done() {
      if (calls > 0) stream.write("\r\x1b[2K");
    },
  };
}
