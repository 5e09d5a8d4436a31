import type { Role, User } from '../api/types';

/** What each role may do. The server enforces the same; the UI only hides what is refused. */
export const permissions = {
  review: (role: Role) => role === 'admin' || role === 'reviewer',
  manageCameras: (role: Role) => role === 'admin',
  settings: (role: Role) => role === 'admin',
  viewSystem: (_role: Role) => true,
  /** Promote, roll back, set thresholds, export the training dataset. */
  manageModels: (role: Role) => role === 'admin',
  /** Report a theft the system missed (becomes training data). */
  reportMissed: (role: Role) => role === 'admin' || role === 'reviewer',
  audit: (role: Role) => role === 'admin',
} satisfies Record<string, (role: Role) => boolean>;

export type Permission = keyof typeof permissions;

export function can(user: User | null | undefined, permission: Permission): boolean {
  return !!user && permissions[permission](user.role);
}
