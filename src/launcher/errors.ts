// A user's mistake: reported as one line, exit code 2, never a stack trace.
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}
