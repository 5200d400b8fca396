/** Prometheus rule file shapes, as the rule renderers build them. */
export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; action: string };
}

export interface RuleGroup {
  name: string;
  rules: Array<RecordingRule | AlertingRule>;
}

/** A PromQL label matcher value, quoted and escaped. */
export const quote = (value: string) => JSON.stringify(value);

/** A PromQL regex matching exactly one of `values`. */
export const oneOf = (values: readonly string[]) =>
  quote(values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
