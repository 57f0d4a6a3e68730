/**
 * The few CloudFormation helpers the package tests need: types for the template `sls package`
 * writes, lookups by type and logical id, conditions, IAM statements.
 */

/** A CloudFormation value: literal, list, object or intrinsic function. */
export type Cfn =
  string | number | boolean | null | readonly Cfn[] | { readonly [key: string]: Cfn };
export type CfnObject = { readonly [key: string]: Cfn };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: CfnObject;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  readonly Parameters?: Record<string, { readonly Default?: string }>;
  readonly Conditions?: Record<string, Cfn>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: Cfn }>;
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export function resource(template: CfnTemplate, logicalId: string, type?: string): CfnResource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`resource ${logicalId} is missing from the template`);
  if (type && found.Type !== type)
    throw new Error(`${logicalId} is a ${found.Type}, not a ${type}`);
  return found;
}

/** Properties as a loosely typed record: tests read paths they assert on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;
export function props(template: CfnTemplate, logicalId: string, type?: string): Loose {
  return resource(template, logicalId, type).Properties ?? {};
}

export const asArray = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...(value as readonly T[])] : [value as T];

/** `{ "Fn::GetAtt": [id, attr] }` or `{ "Ref": id }` → the logical id it points to. */
export function target(value: Cfn | undefined): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as CfnObject;
    if (typeof obj.Ref === 'string') return obj.Ref;
    const getAtt = obj['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
    if (typeof getAtt === 'string') return getAtt.split('.')[0];
  }
  return undefined;
}

/** Evaluates a Conditions entry with the parameters' defaults (what `sls deploy` uses). */
export function evaluateCondition(template: CfnTemplate, name: string): boolean {
  const condition = template.Conditions?.[name];
  if (condition === undefined) throw new Error(`condition ${name} is missing`);
  const value = (node: Cfn): Cfn => {
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      const obj = node as CfnObject;
      if (typeof obj.Ref === 'string') {
        const parameter = template.Parameters?.[obj.Ref];
        if (!parameter) throw new Error(`condition ${name} refers to unknown parameter ${obj.Ref}`);
        return parameter.Default ?? '';
      }
      if ('Fn::Equals' in obj) {
        const [a, b] = obj['Fn::Equals'] as Cfn[];
        return String(value(a!)) === String(value(b!));
      }
      if ('Fn::Not' in obj) return !value((obj['Fn::Not'] as Cfn[])[0]!);
      if ('Fn::And' in obj) return (obj['Fn::And'] as Cfn[]).every((c) => value(c) === true);
      if ('Fn::Or' in obj) return (obj['Fn::Or'] as Cfn[]).some((c) => value(c) === true);
      if (typeof obj.Condition === 'string') return evaluateCondition(template, obj.Condition);
      throw new Error(`condition ${name}: unsupported ${Object.keys(obj).join(',')}`);
    }
    return node;
  };
  return value(condition) === true;
}

export interface IamStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: Cfn;
  readonly NotResource?: Cfn;
  readonly Condition?: CfnObject;
}

/** Every statement of every inline policy of an AWS::IAM::Role. */
export function roleStatements(template: CfnTemplate, roleId: string): IamStatement[] {
  const role = props(template, roleId, 'AWS::IAM::Role');
  const policies = (role.Policies ?? []) as { PolicyDocument: { Statement: IamStatement[] } }[];
  return policies.flatMap((p) => asArray(p.PolicyDocument.Statement));
}

/** Does an IAM action pattern (`s3:Put*`, `*`) cover the concrete action? */
export function actionCovers(pattern: string, action: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(action);
}
