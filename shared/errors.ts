/**
 * Errors with names. Step Functions Retry/Catch and our own callers branch on `error.name`,
 * so every error the pipeline raises on purpose is one of these.
 */
export class CdnPipelineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that can never be processed as it is (a poison record, a bad spec, a bad env var). */
export class InvalidInputError extends CdnPipelineError {
  /** Dotted path of the offending field, e.g. `s3.object.key` or `INVALIDATE_ON`. */
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}

/** Configuration (environment) that failed validation at cold start. */
export class ConfigError extends InvalidInputError {}

/** Work that must be retried later (quota full, throttled, transient service failure). */
export class RetryableError extends CdnPipelineError {}
