/** How Sovereign reaches a machine when the spec says nothing else: the spec's defaults, the deploy's and the drift check's. */
export const SSH_DEFAULTS = { user: "root", port: 22 } as const;
