/**
 * The CLI's exit codes (docs/cli.md, "Files and exit codes"): 0 done; 1 the command did its job and the answer
 * it was asked for is "no" (policies differ under --exit-code, an audit chain is broken, a policy
 * is invalid); 2 it could not do its job (bad arguments or input, a failure); 130 and 143
 * interrupted by SIGINT or SIGTERM; 141 stdout closed early (piped into `head`).
 */
export const EXIT_OK = 0;
export const EXIT_NO = 1;
export const EXIT_ERROR = 2;
export const EXIT_STDOUT_CLOSED = 141;
export const EXIT_SIGNAL: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

/** The command did its job and the answer is "no": exit 1, with the message unless `quiet`. */
export class VerdictError extends Error {
  public readonly quiet: boolean;

  public constructor(message: string, options?: ErrorOptions & { readonly quiet?: boolean }) {
    super(message, options);
    this.name = 'VerdictError';
    this.quiet = options?.quiet ?? false;
  }
}
