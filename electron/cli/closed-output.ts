/**
 * `labvault ... | head -1`: once the reader has gone, writes to the pipe fail with EPIPE, which
 * Node raises as an unhandled 'error' event (a stack trace, exit 1). The CLI instead stops
 * writing to that stream and ends as the command would have (its own exit code, nothing
 * printed about the pipe): a job it runs is never cut short by a closed pipe.
 */
export interface WatchedOutput {
  /** Writes one line, or nothing once the reader has gone. */
  line(text: string): void;
  closed(): boolean;
}

const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

export function watchClosedOutput(stream: NodeJS.WritableStream): WatchedOutput {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!READER_GONE.has(error.code ?? '')) throw error;
    closed = true;
  });
  return {
    line(text) {
      if (!closed) stream.write(`${text}\n`);
    },
    closed: () => closed,
  };
}
