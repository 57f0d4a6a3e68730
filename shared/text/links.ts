/**
 * Console links, built once. Every value spliced into a link is URI-encoded, so an id or name
 * with an unexpected character still gives a link that opens (or fails) on that value.
 */

/** CloudFront is global: its console lives in us-east-1. */
export function consoleUrl(distributionId: string): string {
  return `https://us-east-1.console.aws.amazon.com/cloudfront/v4/home#/distributions/${encodeURIComponent(distributionId)}`;
}

/** A CloudWatch dashboard in the stack's region. */
export function dashboardUrl(region: string, name: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#dashboards/dashboard/${encodeURIComponent(name)}`;
}

const EXECUTION_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:execution:/;

/**
 * A Step Functions console link for an execution ARN; undefined for a bare name. The ARN goes in
 * as it is: the console reads it from the fragment, where `:` needs no escape.
 */
export function executionUrl(execution: string): string | undefined {
  const match = EXECUTION_ARN.exec(execution);
  if (!match) return undefined;
  return `https://${match[1]}.console.aws.amazon.com/states/home?region=${match[1]}#/v2/executions/details/${execution}`;
}
