/** Waits for `done`, or at most `timeoutMillis` when given (PipelineResult.waitUntilFinish's timeout). */
export async function waitAtMost(done: Promise<unknown>, timeoutMillis?: number): Promise<void> {
  if (timeoutMillis === undefined) {
    await done;
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((r) => (timer = setTimeout(r, timeoutMillis)));
  try {
    await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
