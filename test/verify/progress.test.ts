/** The progress line: only on a terminal, one self-overwriting line, cleared before the report. */
import { terminalProgress } from "../../operations/verify/progress";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 60, write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream };
}

test("on a terminal: the call count and what is read, cut to the width, then cleared", () => {
  const { writes, stream } = fakeStream(true);
  const progress = terminalProgress(stream);
  progress.call("s3:GetBucketPolicy trailgate-cloudtrail-222222222222-eu-west-2-with-a-long-name");
  progress.call("s3:GetBucketVersioning x"); // within 100 ms of the first: not redrawn
  progress.done();
  expect(writes).toHaveLength(2);
  expect(writes[0]).toMatch(/^\r\x1b\[2Ktrailgate verify: 1 calls, reading s3:GetBucketPolicy trai…$/);
  expect(writes[0].replace(/^\r\x1b\[2K/, "")).toHaveLength(59);
  expect(writes[1]).toBe("\r\x1b[2K");
});

test("not a terminal (CI logs, pipes): nothing is written", () => {
  const { writes, stream } = fakeStream(false);
  const progress = terminalProgress(stream);
  progress.call("sts:GetCallerIdentity");
  progress.done();
  expect(writes).toEqual([]);
});
