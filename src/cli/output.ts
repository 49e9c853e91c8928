// The CLI's stdout and stderr. A reader that stops reading is normal use, not an error:
// `dondoc preview ID | head -8` closes the pipe after eight lines, and the next write fails
// with EPIPE. The command then goes on quietly to its end (a change it makes is still made,
// its exit code still says how it went) with its output discarded — never a stack trace.

/** Where a command writes its text. */
export interface Output {
  write(text: string): void;
}

/** The part of process.stdout / process.stderr used here. */
export interface StdStream {
  write(chunk: string): boolean;
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
}

const guarded = new WeakMap<StdStream, Output>();

/** Writes to the stream until it is closed or fails; after that, writes are dropped. */
export function guardedOutput(stream: StdStream): Output {
  let out = guarded.get(stream);
  if (out) return out;
  let open = true;
  // Whatever the failure (EPIPE, a destroyed or closed stream), there is nobody left to tell.
  stream.on('error', () => {
    open = false;
  });
  out = {
    write(text) {
      if (!open) return;
      try {
        stream.write(text);
      } catch {
        open = false;
      }
    },
  };
  guarded.set(stream, out);
  return out;
}
