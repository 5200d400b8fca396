/** A role's hardware profile for the clients an entry allows. */
import type { Profile } from "./schema";

/**
 * The profile sized for `clients` (allowed ids per layer): when every allowed client of a layer has
 * a disk size of its own (`diskGbByClient`), the node gets the largest of them, since any of them
 * may be handed out; otherwise the role's `diskGb`, which covers every client.
 */
export function profileForClients(profile: Profile, clients: Record<string, readonly string[]>): Profile {
  const disk = profile.diskGbByClient;
  const sizes = disk?.sizes;
  if (!disk || !sizes) return profile;
  const sized = Object.values(clients)
    .filter((ids) => ids.length > 0 && ids.every((id) => Object.hasOwn(sizes, id)))
    .map((ids) => Math.max(...ids.map((id) => sizes[id])));
  if (sized.length === 0) return profile;
  return {
    ...profile,
    diskGb: Math.max(...sized),
    source: `${profile.source}; disk by client: ${disk.source} (${disk.asOf}${disk.estimate ? ", estimate" : ""})`,
  };
}
