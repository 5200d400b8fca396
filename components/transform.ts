import type * as pulumi from "@pulumi/pulumi";

/**
 * Escape hatch over the args of a resource a component creates (as in SST v3): either an object
 * merged over the component's args, or a function that edits args and options in place.
 *
 * @example
 * new AwsNodeHost("n1", { ..., transform: { instance: { monitoring: true } } });
 * new AwsNodeHost("n1", { ..., transform: { volume: (args) => { args.kmsKeyId = key.arn; } } });
 */
export type Transform<T> = Partial<T> | ((args: T, opts: pulumi.CustomResourceOptions, name: string) => void);

/** Applies a {@link Transform}; returns the (possibly edited) name, args and options. */
export function transform<T extends object>(
  t: Transform<T> | undefined,
  name: string,
  args: T,
  opts: pulumi.CustomResourceOptions,
): [string, T, pulumi.CustomResourceOptions] {
  if (t === undefined) return [name, args, opts];
  if (typeof t === "function") {
    t(args, opts, name);
    return [name, args, opts];
  }
  return [name, { ...args, ...t }, opts];
}
